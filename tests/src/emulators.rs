//! Emulators of where credentials come from, on [`TestServer`]s: the EC2
//! instance metadata service (IMDSv2), the container credentials endpoint (ECS,
//! EKS Pod Identity) and STS (`AssumeRole`, `AssumeRoleWithWebIdentity`).
//!
//! Each one checks what the real service checks (IMDS session tokens and their
//! TTLs, the container `Authorization` header, the web identity token, SigV4 on
//! `AssumeRole`), hands out fresh credentials on every call, and remembers them
//! so a test can verify a request signed with them. Any reply can be replaced by
//! a scripted one, for hostile answers.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::server::{RecordedRequest, Reply, TestServer};
use crate::sigv4::verify;

/// Credentials an emulator handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// The access key id (`ASIA…`), unique per issue.
    pub access_key_id: String,
    /// The secret access key, to verify signatures with.
    pub secret_access_key: String,
    /// The session token.
    pub session_token: String,
    /// When they expire, RFC 3339.
    pub expiration: String,
}

impl Issued {
    fn new(prefix: &str, n: usize, lifetime: Duration) -> Self {
        Issued {
            access_key_id: format!("ASIA{prefix}{n}"),
            secret_access_key: format!("{prefix}-secret-{n}"),
            session_token: format!("{prefix}-session-token-{n}"),
            expiration: rfc3339(SystemTime::now() + lifetime),
        }
    }

    /// The JSON the container endpoint and IMDS answer with.
    fn json(&self) -> String {
        format!(
            r#"{{"Code":"Success","LastUpdated":"{}","Type":"AWS-HMAC","AccessKeyId":"{}","SecretAccessKey":"{}","Token":"{}","Expiration":"{}","RoleArn":"arn:aws:iam::123456789012:role/emulated","AccountId":"123456789012"}}"#,
            rfc3339(SystemTime::now()),
            self.access_key_id,
            self.secret_access_key,
            self.session_token,
            self.expiration
        )
    }
}

/// A moment in UTC, to whole seconds, as calendar fields.
struct Civil {
    /// Days since 1970-01-01.
    days: i64,
    year: i64,
    /// 1 to 12.
    month: i64,
    day: i64,
    /// Seconds since midnight.
    secs_of_day: i64,
}

impl Civil {
    fn of(time: SystemTime) -> Self {
        let secs = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_secs() as i64,
            Err(before) => -(before.duration().as_secs() as i64),
        };
        let days = secs.div_euclid(86_400);
        // Civil date from days since the epoch (H. Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            days,
            year,
            month,
            day,
            secs_of_day: secs.rem_euclid(86_400),
        }
    }

    /// `hh:mm:ss`.
    fn clock(&self) -> String {
        let rem = self.secs_of_day;
        format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
    }
}

/// `time` as RFC 3339 in UTC, whole seconds.
pub fn rfc3339(time: SystemTime) -> String {
    let civil = Civil::of(time);
    format!(
        "{:04}-{:02}-{:02}T{}Z",
        civil.year,
        civil.month,
        civil.day,
        civil.clock()
    )
}

/// `time` as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), the form of a
/// `Date` header.
pub fn http_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let civil = Civil::of(time);
    format!(
        "{}, {:02} {} {} {} GMT",
        DAYS[civil.days.rem_euclid(7) as usize],
        civil.day,
        MONTHS[(civil.month - 1) as usize],
        civil.year,
        civil.clock()
    )
}

fn lock<T>(state: &Mutex<T>) -> MutexGuard<'_, T> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// The fields of an `application/x-www-form-urlencoded` body.
pub fn form(req: &RecordedRequest) -> BTreeMap<String, String> {
    req.body_text()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------- IMDS

/// An IMDSv2 emulator: `PUT /latest/api/token` with a TTL header gives a
/// session token valid for that TTL; every GET needs a valid one (tokenless
/// IMDSv1 GETs and expired tokens get 401); the instance role's name and fresh
/// credentials, and `placement/region`.
pub struct ImdsEmulator {
    server: TestServer,
    state: Arc<Mutex<ImdsState>>,
}

struct ImdsState {
    role: Option<String>,
    region: String,
    lifetime: Duration,
    tokens: Vec<(String, Instant)>,
    token_ttls: Vec<u64>,
    issued: Vec<Issued>,
    credentials_reply: Option<Reply>,
    token_reply: Option<Reply>,
    /// Answers for the next credentials requests, before the usual ones.
    upcoming: VecDeque<Reply>,
}

impl ImdsEmulator {
    /// An instance with role `role` (none: no instance profile) in `region`.
    pub async fn start(role: Option<&str>, region: &str) -> Self {
        let state = Arc::new(Mutex::new(ImdsState {
            role: role.map(str::to_owned),
            region: region.to_owned(),
            lifetime: Duration::from_secs(6 * 3600),
            tokens: Vec::new(),
            token_ttls: Vec::new(),
            issued: Vec::new(),
            credentials_reply: None,
            token_reply: None,
            upcoming: VecDeque::new(),
        }));
        let shared = state.clone();
        let server = TestServer::start(move |req| imds_reply(&mut lock(&shared), req)).await;
        ImdsEmulator { server, state }
    }

    /// The base URL, for `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The server, for its request log.
    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// Every credentials handed out so far.
    pub fn issued(&self) -> Vec<Issued> {
        lock(&self.state).issued.clone()
    }

    /// The TTLs asked for in token requests, in order.
    pub fn token_ttls(&self) -> Vec<u64> {
        lock(&self.state).token_ttls.clone()
    }

    /// Ends every session token now, as if their TTL ran out.
    pub fn expire_tokens(&self) {
        lock(&self.state).tokens.clear();
    }

    /// How long handed-out credentials are valid (default 6 hours).
    pub fn set_lifetime(&self, lifetime: Duration) {
        lock(&self.state).lifetime = lifetime;
    }

    /// Answers credentials requests with `reply` instead (hostile answers).
    pub fn set_credentials_reply(&self, reply: Reply) {
        lock(&self.state).credentials_reply = Some(reply);
    }

    /// Answers token requests with `reply` instead.
    pub fn set_token_reply(&self, reply: Reply) {
        lock(&self.state).token_reply = Some(reply);
    }

    /// Answers the next credentials requests with `replies`, one each, then as
    /// before (a source that fails a few times).
    pub fn fail_next(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.state).upcoming.extend(replies);
    }
}

fn imds_reply(state: &mut ImdsState, req: &RecordedRequest) -> Reply {
    let now = Instant::now();
    if req.path == "/latest/api/token" {
        if req.method != "PUT" {
            return Reply::new(405);
        }
        if let Some(reply) = &state.token_reply {
            return reply.clone();
        }
        let ttl = req
            .header("x-aws-ec2-metadata-token-ttl-seconds")
            .and_then(|ttl| ttl.parse::<u64>().ok())
            .filter(|ttl| (1..=21_600).contains(ttl));
        let Some(ttl) = ttl else {
            return Reply::new(400);
        };
        state.token_ttls.push(ttl);
        let token = format!("imds-session-token-{}", state.token_ttls.len());
        state
            .tokens
            .push((token.clone(), now + Duration::from_secs(ttl)));
        return Reply::new(200)
            .header("content-type", "text/plain")
            .header("x-aws-ec2-metadata-token-ttl-seconds", ttl.to_string())
            .body(token);
    }
    if req.method != "GET" {
        return Reply::new(405);
    }
    // IMDSv2 only: no token, or an unknown or expired one, is refused.
    let valid = req.header("x-aws-ec2-metadata-token").is_some_and(|token| {
        state
            .tokens
            .iter()
            .any(|(issued, expires)| issued == token && now < *expires)
    });
    if !valid {
        return Reply::new(401);
    }
    let text = |body: &str| {
        Reply::new(200)
            .header("content-type", "text/plain")
            .body(body.to_owned())
    };
    match (req.path.as_str(), &state.role) {
        ("/latest/meta-data/placement/region", _) => text(&state.region),
        ("/latest/meta-data/iam/security-credentials/", Some(role)) => text(role),
        ("/latest/meta-data/iam/security-credentials/", None) => Reply::new(404),
        (path, Some(role))
            if path.strip_prefix("/latest/meta-data/iam/security-credentials/") == Some(role) =>
        {
            if let Some(reply) = state.upcoming.pop_front() {
                return reply;
            }
            if let Some(reply) = &state.credentials_reply {
                return reply.clone();
            }
            let issued = Issued::new("IMDS", state.issued.len() + 1, state.lifetime);
            state.issued.push(issued.clone());
            text(&issued.json())
        }
        _ => Reply::new(404),
    }
}

// ---------------------------------------------------------------- container

/// A container credentials endpoint (the ECS agent, the EKS Pod Identity
/// agent): fresh credentials as JSON for a request whose `Authorization` header
/// is the expected token; 401 with a JSON error otherwise.
pub struct ContainerEmulator {
    server: TestServer,
    state: Arc<Mutex<ContainerState>>,
}

struct ContainerState {
    authorization: Option<String>,
    issued: Vec<Issued>,
    reply: Option<Reply>,
    lifetime: Duration,
    /// Answers for the next requests, before the usual ones.
    upcoming: VecDeque<Reply>,
}

impl ContainerEmulator {
    /// An endpoint that wants `Authorization: <authorization>` (or nothing).
    pub async fn start(authorization: Option<&str>) -> Self {
        let state = Arc::new(Mutex::new(ContainerState {
            authorization: authorization.map(str::to_owned),
            issued: Vec::new(),
            reply: None,
            lifetime: Duration::from_secs(6 * 3600),
            upcoming: VecDeque::new(),
        }));
        let shared = state.clone();
        let server = TestServer::start(move |req| {
            let mut state = lock(&shared);
            if let Some(reply) = state.upcoming.pop_front() {
                return reply;
            }
            if let Some(expected) = &state.authorization {
                if req.header("authorization") != Some(expected.as_str()) {
                    return Reply::new(401)
                        .header("content-type", "application/json")
                        .body(
                            r#"{"code":"AccessDeniedException","message":"the authorization token is not valid"}"#,
                        );
                }
            }
            if let Some(reply) = &state.reply {
                return reply.clone();
            }
            let issued = Issued::new("CONTAINER", state.issued.len() + 1, state.lifetime);
            state.issued.push(issued.clone());
            Reply::new(200)
                .header("content-type", "application/json")
                .body(issued.json())
        })
        .await;
        ContainerEmulator { server, state }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The server, for its request log.
    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// Every credentials handed out so far.
    pub fn issued(&self) -> Vec<Issued> {
        lock(&self.state).issued.clone()
    }

    /// Wants another `Authorization` from now on (a rotated token).
    pub fn set_authorization(&self, authorization: Option<&str>) {
        lock(&self.state).authorization = authorization.map(str::to_owned);
    }

    /// Answers authorized requests with `reply` instead (hostile answers).
    pub fn set_reply(&self, reply: Reply) {
        lock(&self.state).reply = Some(reply);
    }

    /// Answers the next requests with `replies`, one each, then as before (a
    /// source that fails a few times).
    pub fn fail_next(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.state).upcoming.extend(replies);
    }
}

// ---------------------------------------------------------------- STS

/// An STS emulator for the awsQuery protocol: `AssumeRoleWithWebIdentity`
/// (unsigned; the web identity token must be the expected one) and
/// `AssumeRole` (SigV4 with service `sts`, signed with a key it trusts: one
/// given with [`StsEmulator::trust`], or one it issued). Answers are XML as STS
/// writes them, errors `<ErrorResponse>` documents.
pub struct StsEmulator {
    server: TestServer,
    state: Arc<Mutex<StsState>>,
}

struct StsState {
    web_identity_token: Option<String>,
    /// access key id → (secret, session token)
    trusted: HashMap<String, (String, Option<String>)>,
    issued: Vec<Issued>,
    reply: Option<Reply>,
    lifetime: Duration,
    /// Answers for the next requests, before the usual ones.
    upcoming: VecDeque<Reply>,
}

/// An STS `<ErrorResponse>`.
pub fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::new(status)
        .header("content-type", "text/xml")
        .body(format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    \
         <Type>Sender</Type>\n    <Code>{code}</Code>\n    <Message>{message}</Message>\n  \
         </Error>\n  <RequestId>4c2e9d6e-sts-emulator</RequestId>\n</ErrorResponse>\n"
        ))
}

/// A successful STS answer for `action` with `issued`.
pub fn sts_credentials(action: &str, issued: &Issued) -> Reply {
    Reply::new(200)
        .header("content-type", "text/xml")
        .body(format!(
            "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  \
         <{action}Result>\n    <AssumedRoleUser>\n      \
         <Arn>arn:aws:sts::123456789012:assumed-role/emulated/session</Arn>\n      \
         <AssumedRoleId>AROAEMULATED:session</AssumedRoleId>\n    </AssumedRoleUser>\n    \
         <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      \
         <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      \
         <Expiration>{}</Expiration>\n    </Credentials>\n  </{action}Result>\n  \
         <ResponseMetadata>\n    <RequestId>9d3f1a7e-sts-emulator</RequestId>\n  \
         </ResponseMetadata>\n</{action}Response>\n",
            issued.access_key_id, issued.secret_access_key, issued.session_token, issued.expiration
        ))
}

impl StsEmulator {
    /// An STS that accepts no web identity token and trusts no key yet.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(StsState {
            web_identity_token: None,
            trusted: HashMap::new(),
            issued: Vec::new(),
            reply: None,
            lifetime: Duration::from_secs(3600),
            upcoming: VecDeque::new(),
        }));
        let shared = state.clone();
        let server = TestServer::start(move |req| sts_reply(&mut lock(&shared), req)).await;
        StsEmulator { server, state }
    }

    /// The base URL, for `AWS_ENDPOINT_URL_STS`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The server, for its request log.
    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// Accepts `token` in `AssumeRoleWithWebIdentity` (only the latest one set).
    pub fn expect_web_identity_token(&self, token: &str) {
        lock(&self.state).web_identity_token = Some(token.to_owned());
    }

    /// Accepts `AssumeRole` signed with this key.
    pub fn trust(&self, access_key_id: &str, secret: &str) {
        lock(&self.state)
            .trusted
            .insert(access_key_id.to_owned(), (secret.to_owned(), None));
    }

    /// Every credentials handed out so far.
    pub fn issued(&self) -> Vec<Issued> {
        lock(&self.state).issued.clone()
    }

    /// Answers every request with `reply` instead (errors, hostile answers).
    pub fn set_reply(&self, reply: Option<Reply>) {
        lock(&self.state).reply = reply;
    }

    /// Answers the next requests with `replies`, one each, then as before (a
    /// service that fails a few times).
    pub fn fail_next(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.state).upcoming.extend(replies);
    }
}

fn sts_reply(state: &mut StsState, req: &RecordedRequest) -> Reply {
    if let Some(reply) = state.upcoming.pop_front() {
        return reply;
    }
    if let Some(reply) = &state.reply {
        return reply.clone();
    }
    if req.method != "POST"
        || req
            .header("content-type")
            .map(|t| t.split(';').next().unwrap_or("").trim())
            != Some("application/x-www-form-urlencoded")
    {
        return sts_error(400, "InvalidAction", "expected a form-encoded POST");
    }
    let form = form(req);
    if form.get("Version").map(String::as_str) != Some("2011-06-15") {
        return sts_error(400, "InvalidAction", "Version must be 2011-06-15");
    }
    if form
        .get("RoleArn")
        .is_none_or(|arn| !arn.starts_with("arn:"))
    {
        return sts_error(400, "ValidationError", "RoleArn is required");
    }
    if form.get("RoleSessionName").is_none_or(String::is_empty) {
        return sts_error(400, "ValidationError", "RoleSessionName is required");
    }
    let action = form.get("Action").cloned().unwrap_or_default();
    match action.as_str() {
        "AssumeRoleWithWebIdentity" => {
            if req.header("authorization").is_some() {
                return sts_error(400, "InvalidRequest", "this call is not signed");
            }
            let expected = state.web_identity_token.as_deref();
            if expected.is_none() || form.get("WebIdentityToken").map(String::as_str) != expected {
                return sts_error(
                    400,
                    "InvalidIdentityToken",
                    "The web identity token that was passed could not be validated",
                );
            }
        }
        "AssumeRole" => {
            let Some(header) = req.header("authorization") else {
                return sts_error(
                    403,
                    "MissingAuthenticationToken",
                    "Request is missing Authentication Token",
                );
            };
            let key = header
                .split("Credential=")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default();
            let Some((secret, token)) = state.trusted.get(key).cloned() else {
                return sts_error(
                    403,
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid",
                );
            };
            match verify(req, &secret) {
                Ok(outcome) if outcome.service == "sts" => {}
                _ => return sts_error(
                    403,
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided",
                ),
            }
            if token.as_deref() != req.header("x-amz-security-token") {
                return sts_error(403, "InvalidClientTokenId", "The session token is wrong");
            }
        }
        _ => return sts_error(400, "InvalidAction", "unknown action"),
    }
    let issued = Issued::new("STS", state.issued.len() + 1, state.lifetime);
    state.issued.push(issued.clone());
    // Credentials it issued may assume further roles (role chaining).
    state.trusted.insert(
        issued.access_key_id.clone(),
        (
            issued.secret_access_key.clone(),
            Some(issued.session_token.clone()),
        ),
    );
    sts_credentials(&action, &issued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn form_decoding() {
        assert_eq!(percent_decode("a%3Ab+c%2F%"), "a:b c/%");
    }
}
