//! `credential_process`: run a command, read credentials from the JSON it prints.

use super::sts::parse_expiration;
use marketplace_sdk_runtime::credentials::Credentials;
use std::io::Read;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What a credential process may print; real ones print a few hundred bytes.
const MAX_OUTPUT_BYTES: u64 = 64 * 1024;

/// How long a credential process may take unless configured otherwise
/// ([`ConfigBuilder::credential_process_timeout`](crate::config::ConfigBuilder::credential_process_timeout)).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a credential process gave no credentials.
#[derive(Debug)]
pub(crate) enum ProcessError {
    /// It did not finish within its time and was killed: it may do better later.
    TimedOut(Duration),
    /// It could not run, failed, or printed something unusable.
    Failed(String),
}

impl std::fmt::Display for ProcessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProcessError::TimedOut(limit) => {
                write!(f, "did not finish within {limit:?} and was killed")
            }
            ProcessError::Failed(problem) => f.write_str(problem),
        }
    }
}

/// Runs `command` with the platform's shell (`sh -c` on Unix, `cmd /C` on
/// Windows) and reads its output: `{"Version": 1, "AccessKeyId": …,
/// "SecretAccessKey": …, "SessionToken": …, "Expiration": …}`, the last two
/// optional. Its standard error goes where this process's goes. A command still
/// running after `timeout` is killed (the shell it runs in; a process it left in
/// the background is not waited for).
///
/// The error says what went wrong (could not start, exit status, timeout,
/// malformed output) without quoting the command or its output, which may hold
/// secrets.
pub(crate) async fn run(command: &str, timeout: Duration) -> Result<Credentials, ProcessError> {
    let mut child = shell(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| ProcessError::Failed(format!("could not be started: {error}")))?;
    let stdout = child.stdout.take();
    let child = Arc::new(Mutex::new(child));
    let running = Arc::clone(&child);
    let finished = tokio::task::spawn_blocking(move || collect(&running, stdout));
    let output = match tokio::time::timeout(timeout, finished).await {
        Ok(joined) => joined
            .map_err(|error| ProcessError::Failed(format!("could not be run: {error}")))?
            .map_err(ProcessError::Failed)?,
        Err(_elapsed) => {
            let mut child = child.lock().unwrap_or_else(PoisonError::into_inner);
            kill_group(&child);
            // SIGKILL ends it at once: the wait that reaps it is short.
            let _ = child.kill();
            let _ = child.wait();
            return Err(ProcessError::TimedOut(timeout));
        }
    };
    parse(&output).map_err(ProcessError::Failed)
}

#[cfg(windows)]
fn shell(command: &str) -> Command {
    let mut shell = Command::new("cmd.exe");
    shell.arg("/C").arg(command);
    shell
}

/// `sh -c command`, in a process group of its own, so that a timeout can end
/// whatever the command started too (a shell may fork the command rather than
/// exec it, and a forked child would keep the output pipe open).
#[cfg(not(windows))]
fn shell(command: &str) -> Command {
    use std::os::unix::process::CommandExt;
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(command).process_group(0);
    shell
}

/// Ends the process group `child` leads, with `kill -KILL -- -PID` (the
/// runtime has no unsafe code to send the signal itself); the caller kills
/// `child` itself too, should `kill` be missing.
#[cfg(not(windows))]
fn kill_group(child: &Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Windows has no process groups to end this way; the caller kills `child`.
#[cfg(windows)]
fn kill_group(_child: &Child) {}

/// Reads the child's output, then waits for it to exit, without holding the
/// lock while blocked, so that a timeout can kill it meanwhile.
fn collect(child: &Mutex<Child>, stdout: Option<ChildStdout>) -> Result<Vec<u8>, String> {
    let lock = || child.lock().unwrap_or_else(PoisonError::into_inner);
    let mut output = Vec::new();
    let read = match stdout {
        Some(stdout) => stdout.take(MAX_OUTPUT_BYTES + 1).read_to_end(&mut output),
        None => Ok(0),
    };
    if output.len() as u64 > MAX_OUTPUT_BYTES {
        let mut child = lock();
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "printed more than {} KiB, too much for credentials",
            MAX_OUTPUT_BYTES / 1024
        ));
    }
    let status = loop {
        match lock().try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => return Err(format!("could not be waited for: {error}")),
        }
    };
    read.map_err(|error| format!("output could not be read: {error}"))?;
    if !status.success() {
        return Err(format!("failed: {status}"));
    }
    Ok(output)
}

pub(crate) fn parse(output: &[u8]) -> Result<Credentials, String> {
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
            DEFAULT_TIMEOUT,
        )
        .await
        .unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.session_token(), Some("T"));
        assert!(credentials.expiry().is_some());
        let long_term = run(
            r#"echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}'"#,
            DEFAULT_TIMEOUT,
        )
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
                "printed an Expiration \"soon\" is not an RFC 3339 date-time",
            ),
            ("head -c 100000 /dev/zero", "printed more than 64 KiB"),
        ];
        for (command, expected) in cases {
            let error = run(command, DEFAULT_TIMEOUT).await.unwrap_err().to_string();
            assert!(error.starts_with(expected), "{command}: {error}");
            assert!(!error.contains("SECRETOUTPUT"), "{error}");
        }
    }

    /// Whether process `pid` still runs (a zombie waiting to be reaped does not).
    fn runs(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .is_ok_and(|stat| !stat.contains(") Z "))
    }

    /// What the command forked is ended too: a forked child would keep the
    /// output pipe open, and the reading thread with it.
    #[tokio::test]
    async fn a_hung_process_that_forked_is_ended_whole() {
        let dir = std::env::temp_dir().join(format!("process-group-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("pid");
        // The inner shell is forked (a command follows it), then becomes `sleep`.
        let command = format!(
            "sh -c 'echo $$ > {}; exec sleep 30'; echo never",
            pid_file.display()
        );
        let error = run(&command, Duration::from_millis(500)).await.unwrap_err();
        assert!(matches!(error, ProcessError::TimedOut(_)), "{error}");
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while runs(&pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!runs(&pid), "the forked helper {} still runs", pid.trim());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A hung helper is killed at the timeout, not left running, and the
    /// error says it timed out.
    #[tokio::test]
    async fn a_hung_process_is_killed_at_the_timeout() {
        let dir = std::env::temp_dir().join(format!("process-timeout-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("pid");
        let command = format!("echo $$ > {}; exec sleep 30", pid_file.display());
        let started = std::time::Instant::now();
        let error = run(&command, Duration::from_millis(300)).await.unwrap_err();
        assert!(matches!(error, ProcessError::TimedOut(_)), "{error}");
        assert_eq!(
            error.to_string(),
            "did not finish within 300ms and was killed"
        );
        // Bounded by the timeout, not by the 30 s sleep.
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        assert!(!runs(&pid), "the helper {} still runs", pid.trim());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
