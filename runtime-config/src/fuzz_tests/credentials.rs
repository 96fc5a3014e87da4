//! Credential documents: STS XML (`AssumeRole`, `AssumeRoleWithWebIdentity`),
//! the JSON of the container endpoint and of IMDS, the output of a
//! `credential_process`, and the excerpts of hostile answers put in messages.
//!
//! Besides "never panics", valid documents with arbitrary values (XML- or
//! JSON-escaped) must give back exactly those values, and documents broken in one
//! place must fail without quoting the secret or the token.

use super::generators::{bytes, config, json_bytes, neighbourhoods, text, tried};
use crate::credentials::container::{json_credentials, json_error};
use crate::credentials::http::{excerpt, scrub, Fetched};
use crate::credentials::{process, sts, Credentials};
use marketplace_sdk_runtime::datetime::DateTime;
use proptest::prelude::*;
use proptest::sample::select;

const STS_RESPONSES: &[&str] = &[
    r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>
    <Credentials>
      <SessionToken>SESSIONTOKEN</SessionToken>
      <SecretAccessKey>
        SECRETKEY
      </SecretAccessKey>
      <Expiration>2030-01-02T03:04:05Z</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#,
    r#"<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA&amp;X</AccessKeyId><SecretAccessKey><![CDATA[SECRET<KEY>]]></SecretAccessKey><SessionToken>TOKEN&#x20AC;&#169;</SessionToken><Expiration>2030-01-02T03:04:05.123+01:00</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"#,
    r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Couldn't retrieve the key for SESSIONTOKEN&#10;FAKE LOG LINE</Message></Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>"#,
];

const XML_PARTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<Credentials>",
    "</Credentials>",
    "<Expiration>",
    "</Expiration>",
    "<AccessKeyId>A</AccessKeyId>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&#x110000;",
    "&lol;",
    "<!DOCTYPE a [<!ENTITY lol \"lol\">]>",
    "<?xml version=\"1.0\"?>",
    "<?pi x?>",
    " xmlns=\"\"",
    " xmlns:a=\"urn:x\"",
    "a:",
    " attr='v'",
    " attr=\"v\" attr=\"w\"",
    "2030-01-02T03:04:05Z",
];

const CREDENTIALS_JSON: &[&str] = &[
    r#"{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"SECRETKEY","Token":"TOKENVALUE","Expiration":"2030-01-01T00:00:00Z","RoleArn":"arn:aws:iam::123456789012:role/r","AccountId":"123456789012"}"#,
    r#"{"AccessKeyId":" A ","SecretAccessKey":"S\u00e9\n","Token":"T","Expiration":"2030-01-01T00:00:00.5+01:00"}"#,
    r#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2030-01-01T00:00:00Z"}"#,
    r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":null}"#,
    r#"{"code":"AccessDenied","message":"not allowed"}"#,
];

const JSON_PARTS: &[&str] = &[
    "1",
    "1.0",
    "\"Version\":",
    "\"Code\":\"Success\",",
    "\"Expiration\":",
    "\"Token\":",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"2030-01-01T00:00:00Z\"",
];

/// A 200 answer with `body`.
fn fetched(body: &[u8]) -> Fetched {
    Fetched {
        status: 200,
        content_type: Some("application/json".to_owned()),
        body: body.to_vec(),
    }
}

/// Parses `body` as every credentials document the runtime reads (as STS XML,
/// for the action its seed answers, if any).
fn parse_all(body: &[u8]) {
    let web_identity = body.windows(8).any(|window| window == b"Identity");
    let action = if web_identity {
        "AssumeRoleWithWebIdentity"
    } else {
        "AssumeRole"
    };
    let _ = sts::parse_credentials(action, body);
    // An error answer is described with a token it may echo cut out, and no
    // raw control character (no forged log line).
    if let Some(error) = sts::parse_error(body) {
        let described = error.describe(&["SESSIONTOKEN"]);
        assert!(!described.contains("SESSIONTOKEN"), "{described:?}");
        assert!(!described.chars().any(char::is_control), "{described:?}");
    }
    let _ = json_credentials(&fetched(body), &[]);
    let _ = json_credentials(&fetched(body), &[("Code", "Success")]);
    let _ = json_error(body);
    let _ = process::parse(body);
    let _ = excerpt(body, &["SECRETKEY"]);
}

/// A value a credentials document may carry, and the marker in it that must
/// never show in an error message: any text around the marker, with what XML
/// cannot carry (most control characters, U+FFFE, U+FFFF) made `?`.
fn value(marker: &'static str) -> impl Strategy<Value = (String, String)> {
    ("[A-Z0-9]{6,10}", any::<String>(), any::<String>()).prop_map(move |(tag, before, after)| {
        let marker = format!("{marker}{tag}");
        let value = format!("{before}{marker}{after}")
            .chars()
            .map(|c| {
                let xml = (!c.is_control() || matches!(c, '\t' | '\n'))
                    && !matches!(c, '\u{FFFE}' | '\u{FFFF}');
                if xml {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        (value, marker)
    })
}

/// How a generated document is broken, if at all.
#[derive(Clone, Debug)]
enum Break {
    Nothing,
    /// Without the member at this index of [`Issued::members`].
    Missing(usize),
    /// The member at this index is blank.
    Blank(usize),
    /// `Expiration` is this text, which is no date.
    BadExpiration(String),
}

/// Credentials a service hands out, and how the document is broken.
#[derive(Clone, Debug)]
struct Issued {
    access_key_id: String,
    secret: String,
    secret_marker: String,
    token: String,
    token_marker: String,
    expiration: DateTime,
    broken: Break,
}

impl Issued {
    /// `(name, value)` of each member, named as in `token_name`'s format, as the
    /// document carries them.
    fn members(&self, token_name: &'static str) -> Vec<(&'static str, String)> {
        let mut members = vec![
            ("AccessKeyId", self.access_key_id.clone()),
            ("SecretAccessKey", self.secret.clone()),
            (token_name, self.token.clone()),
            ("Expiration", self.expiration.to_string()),
        ];
        match &self.broken {
            Break::Nothing => {}
            Break::Missing(at) => {
                members.remove(at % members.len());
            }
            Break::Blank(at) => {
                let at = at % members.len();
                members[at].1 = " \t".to_owned();
            }
            Break::BadExpiration(text) => members[3].1 = text.clone(),
        }
        members
    }

    /// Checks what a parser made of the document: the values, trimmed, when it
    /// is not broken; else an error that quotes neither secret nor token.
    fn check(&self, parsed: Result<Credentials, String>) -> Result<(), TestCaseError> {
        self.check_with(parsed, false)
    }

    /// [`Issued::check`], where the session token and the expiration may be
    /// missing (`credential_process` output): then the credentials have none.
    fn check_with(
        &self,
        parsed: Result<Credentials, String>,
        optional_token_and_expiration: bool,
    ) -> Result<(), TestCaseError> {
        if let (Break::Missing(at), true) = (&self.broken, optional_token_and_expiration) {
            if at % 4 >= 2 {
                let credentials = parsed.map_err(TestCaseError::fail)?;
                prop_assert_eq!(credentials.access_key_id(), self.access_key_id.trim());
                prop_assert_eq!(credentials.secret_access_key(), self.secret.trim());
                prop_assert!(credentials.session_token().is_none() || at % 4 == 3);
                prop_assert!(credentials.expiry().is_none() || at % 4 == 2);
                return Ok(());
            }
        }
        match (&self.broken, parsed) {
            (Break::Nothing, Ok(credentials)) => {
                prop_assert_eq!(credentials.access_key_id(), self.access_key_id.trim());
                prop_assert_eq!(credentials.secret_access_key(), self.secret.trim());
                prop_assert_eq!(credentials.session_token(), Some(self.token.trim()));
                let expiry = credentials.expiry().map(DateTime::from);
                prop_assert_eq!(expiry, Some(self.expiration));
            }
            (Break::Nothing, Err(error)) => prop_assert!(false, "valid document refused: {error}"),
            (_, Ok(_)) => prop_assert!(false, "broken document accepted"),
            (_, Err(error)) => {
                prop_assert!(!error.contains(&self.secret_marker), "{error}");
                prop_assert!(!error.contains(&self.token_marker), "{error}");
            }
        }
        Ok(())
    }
}

fn issued() -> impl Strategy<Value = Issued> {
    // An edited date, made no date when the edits left it one.
    let bad_expiration = text(&["2030-01-02T03:04:05Z"], &["x", "T", "+", "é"]).prop_map(|text| {
        if DateTime::parse_rfc3339(text.trim()).is_ok() {
            format!("{text}x")
        } else {
            text
        }
    });
    let broken = prop_oneof![
        3 => Just(Break::Nothing),
        1 => (0..4usize).prop_map(Break::Missing),
        1 => (0..4usize).prop_map(Break::Blank),
        1 => bad_expiration.prop_map(Break::BadExpiration),
    ];
    (
        "[A-Z0-9]{1,20}",
        value("S3CR3T"),
        value("T0K3N"),
        -62_167_219_200i64..=253_402_300_799,
        0u32..1_000_000_000,
        broken,
    )
        .prop_map(
            |(
                access_key_id,
                (secret, secret_marker),
                (token, token_marker),
                seconds,
                nanos,
                broken,
            )| Issued {
                access_key_id,
                secret,
                secret_marker,
                token,
                token_marker,
                expiration: DateTime::from_secs_and_nanos(seconds, nanos),
                broken,
            },
        )
}

/// `text` escaped for XML character data, in a CDATA section or not.
fn xml_escape(text: &str, cdata: bool) -> String {
    if cdata && !text.contains("]]>") {
        return format!("<![CDATA[{text}]]>");
    }
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The STS answer to `action` with `issued`.
fn sts_document(action: &str, issued: &Issued, cdata: bool) -> String {
    let members: String = issued
        .members("SessionToken")
        .iter()
        .map(|(name, value)| format!("<{name}>{}</{name}>", xml_escape(value, cdata)))
        .collect();
    format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>\
         <Credentials>{members}</Credentials></{action}Result></{action}Response>"
    )
}

/// A JSON object of `members` and `extra` members.
fn json_document(members: &[(&str, String)], extra: &[(&str, serde_json::Value)]) -> Vec<u8> {
    let mut object: serde_json::Map<String, serde_json::Value> = members
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone().into()))
        .collect();
    for (name, value) in extra {
        object.insert((*name).to_owned(), value.clone());
    }
    serde_json::to_vec(&object).unwrap()
}

proptest! {
    #![proptest_config(config(1_000))]

    /// Any body, as XML and as JSON: no panic.
    #[test]
    fn credential_documents_never_panic(
        body in prop_oneof![bytes(STS_RESPONSES, XML_PARTS), json_bytes(CREDENTIALS_JSON, JSON_PARTS)],
    ) {
        parse_all(&body);
    }

    /// Valid STS answers give back their values; broken ones fail without a secret.
    #[test]
    fn sts_answers_give_back_their_values(
        issued in issued(),
        action in select(&["AssumeRole", "AssumeRoleWithWebIdentity"][..]),
        cdata in any::<bool>(),
    ) {
        let document = sts_document(action, &issued, cdata);
        issued.check(sts::parse_credentials(action, document.as_bytes()))?;
    }

    /// Valid container, IMDS and `credential_process` answers give back their
    /// values; broken ones fail without a secret.
    #[test]
    fn json_answers_give_back_their_values(issued in issued(), extra in any::<String>()) {
        let container = json_document(&issued.members("Token"), &[("RoleArn", extra.clone().into())]);
        issued.check(json_credentials(&fetched(&container), &[]))?;
        let imds = json_document(
            &issued.members("Token"),
            &[("Code", "Success".into()), ("LastUpdated", extra.into())],
        );
        issued.check(json_credentials(&fetched(&imds), &[("Code", "Success")]))?;
        let output = json_document(&issued.members("SessionToken"), &[("Version", 1.into())]);
        issued.check_with(process::parse(&output), true)?;
    }

    /// Text a server sends that goes into a message never carries a secret nor
    /// a raw control character (a forged log line).
    #[test]
    fn server_text_in_messages_is_scrubbed(
        (before, secret, after) in (any::<String>(), "[A-Z0-9]{6,12}", any::<String>()),
    ) {
        let text = format!("{before}{secret}{after}{secret}");
        let shown = scrub(&text, &[&secret]);
        prop_assert!(!shown.contains(&secret), "{shown}");
        prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
        let shown = excerpt(text.as_bytes(), &[&secret]);
        prop_assert!(!shown.contains(&secret), "{shown}");
        prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
}

#[test]
fn credential_document_neighbourhood() {
    let inputs = neighbourhoods(STS_RESPONSES, |body| parse_all(body.as_bytes()))
        + neighbourhoods(CREDENTIALS_JSON, |body| parse_all(body.as_bytes()));
    tried(inputs);
}

#[test]
fn deeply_nested_documents_fail_cleanly() {
    for depth in [1_000, 100_000] {
        let xml = format!(
            "<AssumeRoleResponse>{}{}</AssumeRoleResponse>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        assert!(sts::parse_credentials("AssumeRole", xml.as_bytes()).is_err());
        let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        parse_all(json.as_bytes());
    }
}
