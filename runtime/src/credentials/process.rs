//! `credential_process`: run a command, read credentials from the JSON it prints.

use super::sts::parse_expiration;
use super::Credentials;
use std::io::Read;
use std::process::{Command, Stdio};

/// What a credential process may print; real ones print a few hundred bytes.
const MAX_OUTPUT_BYTES: u64 = 64 * 1024;

/// Runs `command` with the platform's shell (`sh -c` on Unix, `cmd /C` on
/// Windows) and reads its output: `{"Version": 1, "AccessKeyId": …,
/// "SecretAccessKey": …, "SessionToken": …, "Expiration": …}`, the last two
/// optional. Its standard error goes where this process's goes.
///
/// The error says what went wrong (could not start, exit status, malformed
/// output) without quoting the command or its output, which may hold secrets.
pub(crate) async fn run(command: &str) -> Result<Credentials, String> {
    let command = command.to_owned();
    let output = tokio::task::spawn_blocking(move || run_blocking(&command))
        .await
        .map_err(|error| format!("could not be run: {error}"))??;
    parse(&output)
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut shell = Command::new("cmd.exe");
        shell.arg("/C").arg(command);
        shell
    } else {
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(command);
        shell
    }
}

fn run_blocking(command: &str) -> Result<Vec<u8>, String> {
    let mut child = shell(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| format!("could not be started: {error}"))?;
    let mut output = Vec::new();
    let read = match child.stdout.take() {
        Some(stdout) => stdout.take(MAX_OUTPUT_BYTES + 1).read_to_end(&mut output),
        None => Ok(0),
    };
    if output.len() as u64 > MAX_OUTPUT_BYTES {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "printed more than {} KiB, too much for credentials",
            MAX_OUTPUT_BYTES / 1024
        ));
    }
    let status = child
        .wait()
        .map_err(|error| format!("could not be waited for: {error}"))?;
    read.map_err(|error| format!("output could not be read: {error}"))?;
    if !status.success() {
        return Err(format!("failed: {status}"));
    }
    Ok(output)
}

fn parse(output: &[u8]) -> Result<Credentials, String> {
    let value: serde_json::Value = serde_json::from_slice(output)
        .map_err(|error| format!("printed {} bytes that are not JSON ({error})", output.len()))?;
    let object = value
        .as_object()
        .ok_or("printed JSON that is not an object")?;
    match object.get("Version") {
        Some(version) if version.as_u64() == Some(1) => {}
        Some(_) => return Err("printed a `Version` other than 1".to_owned()),
        None => return Err("printed JSON without `Version` (expected 1)".to_owned()),
    }
    let field = |name: &str, required: bool| -> Result<Option<String>, String> {
        match object.get(name) {
            Some(serde_json::Value::String(text)) if !text.trim().is_empty() => {
                Ok(Some(text.trim().to_owned()))
            }
            None | Some(serde_json::Value::Null) if !required => Ok(None),
            None => Err(format!("printed JSON without `{name}`")),
            Some(_) => Err(format!("printed a `{name}` that is not a non-empty string")),
        }
    };
    let access_key_id = field("AccessKeyId", true)?.unwrap_or_default();
    let secret_access_key = field("SecretAccessKey", true)?.unwrap_or_default();
    let credentials = Credentials::new(
        access_key_id,
        secret_access_key,
        field("SessionToken", false)?,
    );
    match field("Expiration", false)? {
        Some(expiration) => Ok(credentials.with_expiry(
            parse_expiration(&expiration).map_err(|problem| format!("printed an {problem}"))?,
        )),
        None => Ok(credentials),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_a_command_and_reads_its_json() {
        let credentials = run(
            r#"printf '%s' '{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2030-01-01T00:00:00Z"}'"#,
        )
        .await
        .unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.session_token(), Some("T"));
        assert!(credentials.expiry().is_some());
        let long_term = run(r#"echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}'"#)
            .await
            .unwrap();
        assert_eq!(
            (long_term.session_token(), long_term.expiry()),
            (None, None)
        );
    }

    #[tokio::test]
    async fn failures_say_what_without_quoting_output() {
        let cases = [
            ("exit 3", "failed: exit status: 3"),
            ("echo SECRETOUTPUT", "printed 13 bytes that are not JSON"),
            (
                r#"echo '{"Version":2}'"#,
                "printed a `Version` other than 1",
            ),
            (r#"echo '[]'"#, "printed JSON that is not an object"),
            (
                r#"echo '{"Version":1,"AccessKeyId":"A"}'"#,
                "printed JSON without `SecretAccessKey`",
            ),
            (
                r#"echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"soon"}'"#,
                "printed an Expiration `soon` is not an RFC 3339 date-time",
            ),
            ("head -c 100000 /dev/zero", "printed more than 64 KiB"),
        ];
        for (command, expected) in cases {
            let error = run(command).await.unwrap_err();
            assert!(error.starts_with(expected), "{command}: {error}");
            assert!(!error.contains("SECRETOUTPUT"), "{error}");
        }
    }
}
