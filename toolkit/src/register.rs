//! Verifying what `RegisterUsage` returns.
//!
//! A paid container product calls `RegisterUsage` at start-up to learn whether the buyer is
//! entitled; the answer's `Signature` is a JSON Web Token signed by AWS Marketplace with
//! RSASSA-PSS SHA-256 (`PS256`). Unless the container checks it, anyone who can answer
//! on the network path, or patch the call out, gets the software for free. [`Verifier`] checks
//! the signature against the public key for the token's `publicKeyVersion` and then every
//! claim: the product code, the key version the call asked for, the nonce the call sent and
//! the time it was issued. Each failure is its own [`VerifyError`] variant.
//!
//! ```no_run
//! use marketplace_metering_toolkit::register::{Expected, Verifier};
//!
//! # async fn run(client: marketplace_metering::Client, public_key_pem: &str)
//! # -> Result<(), Box<dyn std::error::Error>> {
//! // The public key AWS Marketplace publishes for version 1, as PEM.
//! let verifier = Verifier::new().with_public_key(1, public_key_pem)?;
//! let nonce = "b2d8f1e0-8c1a-4a57-9a3b-2f6d3c9e7a10"; // fresh for every call
//! let output = client
//!     .register_usage()
//!     .product_code("prod-abc")
//!     .public_key_version(1)
//!     .nonce(nonce)
//!     .send()
//!     .await?;
//! let claims = verifier.verify_output(
//!     &output,
//!     &Expected::new("prod-abc", 1).nonce(nonce),
//! )?;
//! println!("entitled, token issued at {:?}", claims.issued_at());
//! # Ok(())
//! # }
//! ```

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use marketplace_metering::operation::register_usage::RegisterUsageOutput;
use marketplace_metering::{Client, DateTime, Error};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{UnparsedPublicKey, RSA_PSS_2048_8192_SHA256};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The longest token looked at; real ones are well under 1 KiB.
const MAX_TOKEN_LEN: usize = 16 * 1024;
/// The longest PEM text read for a public key.
const MAX_PEM_LEN: usize = 64 * 1024;

/// A clock: what time it is now.
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Checks `RegisterUsage` signatures against AWS Marketplace's public keys.
///
/// Cheap to clone; `Send + Sync`. By default a token may be up to 5 minutes from the future
/// (clock skew) and at most 10 minutes old, by the system clock.
#[derive(Clone)]
pub struct Verifier {
    keys: BTreeMap<i64, PublicKey>,
    max_age: Duration,
    clock_skew: Duration,
    clock: Clock,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("key_versions", &self.keys.keys().collect::<Vec<_>>())
            .field("max_age", &self.max_age)
            .field("clock_skew", &self.clock_skew)
            .finish_non_exhaustive()
    }
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// A verifier with no keys yet (every token fails with
    /// [`VerifyError::UnknownPublicKeyVersion`] until one is added).
    pub fn new() -> Self {
        Verifier {
            keys: BTreeMap::new(),
            max_age: Duration::from_secs(10 * 60),
            clock_skew: Duration::from_secs(5 * 60),
            clock: Arc::new(SystemTime::now),
        }
    }

    /// Adds the public key for `version`, as PEM: a `PUBLIC KEY` (X.509 SubjectPublicKeyInfo,
    /// what AWS Marketplace and `openssl pkey -pubout` give) or an `RSA PUBLIC KEY` (PKCS#1).
    /// A key given again for the same version replaces the first.
    pub fn with_public_key(mut self, version: i64, pem: &str) -> Result<Self, PublicKeyError> {
        self.keys.insert(version, PublicKey::from_pem(pem)?);
        Ok(self)
    }

    /// The oldest a token may be when it is verified (default 10 minutes).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How far in the future a token's issue time may be, for clocks that disagree (default 5
    /// minutes).
    pub fn clock_skew(mut self, clock_skew: Duration) -> Self {
        self.clock_skew = clock_skew;
        self
    }

    /// The clock to judge issue times by (default: the system clock).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Calls `RegisterUsage` for `product_code` with key version `public_key_version` and a
    /// fresh random nonce, and verifies the answer: the whole entitlement check of a paid
    /// container product at start-up.
    pub async fn register_usage(
        &self,
        client: &Client,
        product_code: &str,
        public_key_version: i32,
    ) -> Result<Claims, RegisterError> {
        let mut bytes = [0u8; 16];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| RegisterError::NoRandomness)?;
        let nonce: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let output = client
            .register_usage()
            .product_code(product_code)
            .public_key_version(public_key_version)
            .nonce(&nonce)
            .send()
            .await
            .map_err(|error| RegisterError::Call(Error::from(error)))?;
        let expected = Expected::new(product_code, i64::from(public_key_version)).nonce(nonce);
        self.verify_output(&output, &expected)
            .map_err(RegisterError::Verify)
    }

    /// Verifies the `Signature` of a `RegisterUsage` output.
    pub fn verify_output(
        &self,
        output: &RegisterUsageOutput,
        expected: &Expected,
    ) -> Result<Claims, VerifyError> {
        let signature = output.signature().ok_or(VerifyError::MissingSignature)?;
        self.verify(signature, expected)
    }

    /// Verifies a `RegisterUsage` signature (a compact JWS) and its claims.
    ///
    /// In this order: the token's shape and encoding, the header (`alg` must be `PS256`; `none`
    /// and every other algorithm are refused), the key for the payload's `publicKeyVersion`,
    /// the signature over `header.payload`, then the claims against `expected` and the clock.
    pub fn verify(&self, token: &str, expected: &Expected) -> Result<Claims, VerifyError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(VerifyError::TooLong { len: token.len() });
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::NotThreeParts);
        };
        let decode = |part: TokenPart, text: &str| {
            URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| VerifyError::Encoding { part })
        };
        let header_bytes = decode(TokenPart::Header, header_b64)?;
        let payload_bytes = decode(TokenPart::Payload, payload_b64)?;
        let signature = decode(TokenPart::Signature, signature_b64)?;

        let header: Header = serde_json::from_slice(&header_bytes)
            .map_err(|error| VerifyError::MalformedHeader(error.to_string()))?;
        if header.alg != "PS256" {
            return Err(VerifyError::UnsupportedAlgorithm(header.alg));
        }
        if let Some(typ) = header.typ {
            if typ != "JWT" {
                return Err(VerifyError::UnsupportedType(typ));
            }
        }
        if let Some(crit) = header.crit {
            return Err(VerifyError::CriticalHeader(crit.to_string()));
        }
        let payload: Payload = serde_json::from_slice(&payload_bytes)
            .map_err(|error| VerifyError::MalformedPayload(error.to_string()))?;

        let key = self.keys.get(&payload.public_key_version).ok_or(
            VerifyError::UnknownPublicKeyVersion(payload.public_key_version),
        )?;
        let signed = &token[..header_b64.len() + 1 + payload_b64.len()];
        UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, &key.pkcs1)
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| VerifyError::BadSignature)?;

        if payload.product_code != expected.product_code {
            return Err(VerifyError::ProductCodeMismatch {
                expected: expected.product_code.clone(),
                actual: payload.product_code,
            });
        }
        if payload.public_key_version != expected.public_key_version {
            return Err(VerifyError::PublicKeyVersionMismatch {
                expected: expected.public_key_version,
                actual: payload.public_key_version,
            });
        }
        if payload.nonce != expected.nonce {
            return Err(VerifyError::NonceMismatch {
                expected: expected.nonce.clone(),
                actual: payload.nonce,
            });
        }
        let issued_at = DateTime::parse_rfc3339(&payload.issued_at)
            .ok()
            .and_then(|time| SystemTime::try_from(time).ok())
            .ok_or_else(|| VerifyError::InvalidIssuedAt(payload.issued_at.clone()))?;
        let now = (self.clock)();
        if let Ok(ahead) = issued_at.duration_since(now) {
            if ahead > self.clock_skew {
                return Err(VerifyError::IssuedInFuture { ahead });
            }
        }
        if let Ok(age) = now.duration_since(issued_at) {
            if age > self.max_age {
                return Err(VerifyError::Expired { age });
            }
        }
        Ok(Claims {
            product_code: payload.product_code,
            public_key_version: payload.public_key_version,
            nonce: payload.nonce,
            issued_at,
        })
    }
}

/// What a token must say: the product code and public key version the `RegisterUsage` call
/// sent, and its nonce (or none, when the call sent none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    product_code: String,
    public_key_version: i64,
    nonce: Option<String>,
}

impl Expected {
    /// A token for `product_code` signed with key `public_key_version`, for a call without a
    /// nonce.
    pub fn new(product_code: impl Into<String>, public_key_version: i64) -> Self {
        Expected {
            product_code: product_code.into(),
            public_key_version,
            nonce: None,
        }
    }

    /// The nonce the call sent; the token must carry exactly this one.
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
}

/// The claims of a verified token.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Claims {
    product_code: String,
    public_key_version: i64,
    nonce: Option<String>,
    issued_at: SystemTime,
}

impl Claims {
    /// The product the buyer is entitled to.
    pub fn product_code(&self) -> &str {
        &self.product_code
    }
    /// The version of the key that signed the token.
    pub fn public_key_version(&self) -> i64 {
        self.public_key_version
    }
    /// The nonce the call sent, echoed.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
    /// When AWS Marketplace issued the token.
    pub fn issued_at(&self) -> SystemTime {
        self.issued_at
    }
}

/// Which part of a token a [`VerifyError::Encoding`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPart {
    /// The first part, the JOSE header.
    Header,
    /// The second part, the claims.
    Payload,
    /// The third part, the signature.
    Signature,
}

impl fmt::Display for TokenPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenPart::Header => "header",
            TokenPart::Payload => "payload",
            TokenPart::Signature => "signature",
        })
    }
}

/// Why a `RegisterUsage` signature was not accepted: one variant per check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The output carried no `Signature`.
    MissingSignature,
    /// The token is longer than anything AWS Marketplace issues.
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The token is not `header.payload.signature`.
    NotThreeParts,
    /// A part is not unpadded base64url.
    Encoding {
        /// Which part.
        part: TokenPart,
    },
    /// The header is not the JSON object expected.
    MalformedHeader(String),
    /// The header names an algorithm other than `PS256` (for example `none`).
    UnsupportedAlgorithm(String),
    /// The header's `typ` is not `JWT`.
    UnsupportedType(String),
    /// The header has `crit` extensions, which this verifier does not understand.
    CriticalHeader(String),
    /// The payload is not the JSON object expected (`productCode`, `publicKeyVersion`,
    /// `issuedAt`, optional `nonce`).
    MalformedPayload(String),
    /// No public key was given for the token's `publicKeyVersion`.
    UnknownPublicKeyVersion(i64),
    /// The signature does not verify with the key for the token's version.
    BadSignature,
    /// The token is for another product.
    ProductCodeMismatch {
        /// The product code the call sent.
        expected: String,
        /// The one in the token.
        actual: String,
    },
    /// The token was signed with another key version than the call asked for.
    PublicKeyVersionMismatch {
        /// The version the call sent.
        expected: i64,
        /// The one in the token.
        actual: i64,
    },
    /// The token's nonce is not the one the call sent (a replayed token).
    NonceMismatch {
        /// The nonce the call sent.
        expected: Option<String>,
        /// The one in the token.
        actual: Option<String>,
    },
    /// `issuedAt` is not an RFC 3339 time.
    InvalidIssuedAt(String),
    /// The token was issued further in the future than the allowed clock skew.
    IssuedInFuture {
        /// How far ahead of the clock.
        ahead: Duration,
    },
    /// The token is older than the maximum age.
    Expired {
        /// How old it is.
        age: Duration,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingSignature => {
                f.write_str("the RegisterUsage output has no Signature")
            }
            VerifyError::TooLong { len } => write!(f, "the signature is too long ({len} bytes)"),
            VerifyError::NotThreeParts => {
                f.write_str("the signature is not a JWT of three dot-separated parts")
            }
            VerifyError::Encoding { part } => {
                write!(f, "the signature's {part} is not unpadded base64url")
            }
            VerifyError::MalformedHeader(why) => write!(f, "the signature's header: {why}"),
            VerifyError::UnsupportedAlgorithm(alg) => {
                write!(f, "the signature's algorithm is {alg:?}, not PS256")
            }
            VerifyError::UnsupportedType(typ) => {
                write!(f, "the signature's type is {typ:?}, not JWT")
            }
            VerifyError::CriticalHeader(crit) => {
                write!(f, "the signature's header has critical extensions {crit}")
            }
            VerifyError::MalformedPayload(why) => write!(f, "the signature's payload: {why}"),
            VerifyError::UnknownPublicKeyVersion(version) => {
                write!(f, "no public key for version {version}")
            }
            VerifyError::BadSignature => {
                f.write_str("the signature does not verify with the public key")
            }
            VerifyError::ProductCodeMismatch { expected, actual } => write!(
                f,
                "the signature is for product {actual:?}, not {expected:?}"
            ),
            VerifyError::PublicKeyVersionMismatch { expected, actual } => write!(
                f,
                "the signature is made with key version {actual}, not {expected}"
            ),
            VerifyError::NonceMismatch { expected, actual } => write!(
                f,
                "the signature's nonce is {actual:?}, not the {expected:?} sent"
            ),
            VerifyError::InvalidIssuedAt(text) => {
                write!(
                    f,
                    "the signature's issuedAt {text:?} is not an RFC 3339 time"
                )
            }
            VerifyError::IssuedInFuture { ahead } => write!(
                f,
                "the signature was issued {}s in the future",
                ahead.as_secs()
            ),
            VerifyError::Expired { age } => {
                write!(f, "the signature is too old ({}s)", age.as_secs())
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// Why [`Verifier::register_usage`] did not confirm the entitlement.
#[derive(Debug)]
#[non_exhaustive]
pub enum RegisterError {
    /// The call failed; `CustomerNotEntitledException` is the buyer not being entitled.
    Call(Error),
    /// The answer did not verify.
    Verify(VerifyError),
    /// The system's random generator failed, so no nonce could be made.
    NoRandomness,
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Call(error) => write!(f, "RegisterUsage failed: {error}"),
            RegisterError::Verify(error) => write!(f, "RegisterUsage's answer: {error}"),
            RegisterError::NoRandomness => f.write_str("no randomness for a nonce"),
        }
    }
}

impl std::error::Error for RegisterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RegisterError::Call(error) => Some(error),
            RegisterError::Verify(error) => Some(error),
            RegisterError::NoRandomness => None,
        }
    }
}

/// Why a public key could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKeyError {
    /// No `-----BEGIN PUBLIC KEY-----` (or `RSA PUBLIC KEY`) block, or no matching end line.
    NoPemBlock,
    /// The PEM text is longer than any public key.
    TooLong,
    /// The PEM block's body is not base64.
    Base64,
    /// The DER inside is not an RSA public key: what is wrong with it.
    Der(&'static str),
    /// The modulus is outside the 2048 to 8192 bits that PS256 verification accepts.
    ModulusSize(usize),
}

impl fmt::Display for PublicKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKeyError::NoPemBlock => {
                f.write_str("no PEM block \"PUBLIC KEY\" or \"RSA PUBLIC KEY\" found")
            }
            PublicKeyError::TooLong => write!(f, "the PEM text is over {MAX_PEM_LEN} bytes"),
            PublicKeyError::Base64 => f.write_str("the PEM block is not valid base64"),
            PublicKeyError::Der(why) => write!(f, "not an RSA public key: {why}"),
            PublicKeyError::ModulusSize(bits) => {
                write!(f, "the RSA modulus has {bits} bits, outside 2048 to 8192")
            }
        }
    }
}

impl std::error::Error for PublicKeyError {}

/// A public key: the PKCS#1 `RSAPublicKey` DER that ring verifies with.
#[derive(Clone)]
struct PublicKey {
    pkcs1: Vec<u8>,
}

impl PublicKey {
    fn from_pem(pem: &str) -> Result<Self, PublicKeyError> {
        if pem.len() > MAX_PEM_LEN {
            return Err(PublicKeyError::TooLong);
        }
        for (label, spki) in [("PUBLIC KEY", true), ("RSA PUBLIC KEY", false)] {
            let begin = format!("-----BEGIN {label}-----");
            let end = format!("-----END {label}-----");
            let Some(start) = pem.find(&begin) else {
                continue;
            };
            let body = &pem[start + begin.len()..];
            let stop = body.find(&end).ok_or(PublicKeyError::NoPemBlock)?;
            let text: String = body[..stop]
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            let der = STANDARD.decode(text).map_err(|_| PublicKeyError::Base64)?;
            let pkcs1 = if spki {
                spki_to_pkcs1(&der)?
            } else {
                der.as_slice()
            };
            check_rsa_public_key(pkcs1)?;
            return Ok(PublicKey {
                pkcs1: pkcs1.to_vec(),
            });
        }
        Err(PublicKeyError::NoPemBlock)
    }
}

/// The DER object identifier of `rsaEncryption` (1.2.840.113549.1.1.1), content bytes.
const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Splits one DER element off `input`: its tag, its content and what follows.
pub(crate) fn der_element(input: &[u8]) -> Result<(u8, &[u8], &[u8]), PublicKeyError> {
    let (&tag, rest) = input
        .split_first()
        .ok_or(PublicKeyError::Der("truncated"))?;
    let (&first, rest) = rest
        .split_first()
        .ok_or(PublicKeyError::Der("truncated length"))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(PublicKeyError::Der("bad length"));
        }
        let len = rest[..count]
            .iter()
            .fold(0usize, |len, &byte| (len << 8) | usize::from(byte));
        if len < 0x80 || rest[0] == 0 {
            return Err(PublicKeyError::Der("length not in shortest form"));
        }
        (len, &rest[count..])
    };
    if rest.len() < len {
        return Err(PublicKeyError::Der("element longer than its input"));
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

/// One DER element with tag `tag` that must fill `input` exactly.
fn der_only<'a>(input: &'a [u8], tag: u8, what: &'static str) -> Result<&'a [u8], PublicKeyError> {
    match der_element(input)? {
        (found, content, []) if found == tag => Ok(content),
        (found, _, _) if found != tag => Err(PublicKeyError::Der(what)),
        _ => Err(PublicKeyError::Der("trailing bytes")),
    }
}

/// The `RSAPublicKey` inside a SubjectPublicKeyInfo whose algorithm is `rsaEncryption`.
fn spki_to_pkcs1(der: &[u8]) -> Result<&[u8], PublicKeyError> {
    let spki = der_only(der, 0x30, "SubjectPublicKeyInfo is not a SEQUENCE")?;
    let (tag, algorithm, rest) = der_element(spki)?;
    if tag != 0x30 {
        return Err(PublicKeyError::Der("AlgorithmIdentifier is not a SEQUENCE"));
    }
    let (tag, oid, parameters) = der_element(algorithm)?;
    if tag != 0x06 || oid != RSA_ENCRYPTION_OID {
        return Err(PublicKeyError::Der("the algorithm is not rsaEncryption"));
    }
    if !(parameters.is_empty() || parameters == [0x05, 0x00]) {
        return Err(PublicKeyError::Der("rsaEncryption parameters are not NULL"));
    }
    let bits = der_only(rest, 0x03, "subjectPublicKey is not a BIT STRING")?;
    match bits.split_first() {
        Some((0, key)) => Ok(key),
        _ => Err(PublicKeyError::Der("subjectPublicKey has unused bits")),
    }
}

/// Checks an `RSAPublicKey` (SEQUENCE of modulus and exponent) and its modulus size.
fn check_rsa_public_key(der: &[u8]) -> Result<(), PublicKeyError> {
    let key = der_only(der, 0x30, "RSAPublicKey is not a SEQUENCE")?;
    let (tag, modulus, rest) = der_element(key)?;
    if tag != 0x02 {
        return Err(PublicKeyError::Der("the modulus is not an INTEGER"));
    }
    der_only(rest, 0x02, "the exponent is not an INTEGER")?;
    let modulus = match modulus {
        [0, rest @ ..] => rest,
        other => other,
    };
    let bits = match modulus.first() {
        Some(&top) => (modulus.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    };
    if !(2048..=8192).contains(&bits) {
        return Err(PublicKeyError::ModulusSize(bits));
    }
    Ok(())
}

/// The JOSE header.
#[derive(serde::Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

/// The claims AWS Marketplace signs.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    product_code: String,
    public_key_version: i64,
    #[serde(default)]
    nonce: Option<String>,
    issued_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_are_checked() {
        assert!(der_element(&[0x30]).is_err());
        assert!(der_element(&[0x30, 0x05, 0x00]).is_err());
        assert!(der_element(&[0x30, 0x80]).is_err());
        assert!(der_element(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_err());
        assert!(der_element(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_err());
        assert_eq!(
            der_element(&[0x02, 0x01, 0x07, 0xff]).unwrap(),
            (0x02, &[0x07][..], &[0xff][..])
        );
    }

    #[test]
    fn pem_without_a_block_is_refused() {
        assert_eq!(
            PublicKey::from_pem("hello").err(),
            Some(PublicKeyError::NoPemBlock)
        );
        assert_eq!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA").err(),
            Some(PublicKeyError::NoPemBlock)
        );
        assert_eq!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----").err(),
            Some(PublicKeyError::Base64)
        );
        assert!(matches!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----"),
            Err(PublicKeyError::Der(_))
        ));
    }
}
