//! RegisterUsage signature verification against tokens signed here with a test-only key
//! (tests/data/README.md says how it was made), tampered with in every way the verifier must
//! catch.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use marketplace_metering_toolkit::register::{
    Expected, PublicKeyError, TokenPart, Verifier, VerifyError,
};
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PSS_SHA256};
use std::time::{Duration, UNIX_EPOCH};

const TEST_KEY: &str = include_str!("data/test_key.pk8.pem");
const TEST_PUBLIC: &str = include_str!("data/test_key.spki.pem");
const OTHER_KEY: &str = include_str!("data/other_key.pk8.pem");
const OTHER_PUBLIC: &str = include_str!("data/other_key.spki.pem");

/// 2026-12-02T08:00:00Z.
const ISSUED: u64 = 1_796_198_400;

fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD.decode(body).unwrap()
}

fn sign(key_pem: &str, header: &str, payload: &str) -> String {
    let key = RsaKeyPair::from_pkcs8(&pem_body(key_pem)).unwrap();
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PSS_SHA256,
        &SystemRandom::new(),
        signed.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

const HEADER: &str = r#"{"alg":"PS256","typ":"JWT"}"#;

fn payload(product: &str, version: i64, nonce: Option<&str>, issued: &str) -> String {
    let mut claims = serde_json::json!({
        "productCode": product,
        "publicKeyVersion": version,
        "issuedAt": issued,
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = nonce.into();
    }
    claims.to_string()
}

fn good_payload() -> String {
    payload("prod-abc", 1, Some("nonce-1"), "2026-12-02T08:00:00.000Z")
}

fn verifier() -> Verifier {
    Verifier::new()
        .with_public_key(1, TEST_PUBLIC)
        .unwrap()
        .clock(|| UNIX_EPOCH + Duration::from_secs(ISSUED + 60))
}

fn expected() -> Expected {
    Expected::new("prod-abc", 1).nonce("nonce-1")
}

#[test]
fn a_good_token_verifies() {
    let token = sign(TEST_KEY, HEADER, &good_payload());
    let claims = verifier().verify(&token, &expected()).unwrap();
    assert_eq!(claims.product_code(), "prod-abc");
    assert_eq!(claims.public_key_version(), 1);
    assert_eq!(claims.nonce(), Some("nonce-1"));
    assert_eq!(claims.issued_at(), UNIX_EPOCH + Duration::from_secs(ISSUED));
    // Without a nonce on either side.
    let token = sign(
        TEST_KEY,
        HEADER,
        &payload("prod-abc", 1, None, "2026-12-02T08:00:00Z"),
    );
    verifier()
        .verify(&token, &Expected::new("prod-abc", 1))
        .unwrap();
}

#[test]
fn a_tampered_payload_fails_the_signature() {
    let token = sign(TEST_KEY, HEADER, &good_payload());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = payload("prod-xyz", 1, Some("nonce-1"), "2026-12-02T08:00:00.000Z");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(forged),
        parts[2]
    );
    assert_eq!(
        verifier().verify(&tampered, &Expected::new("prod-xyz", 1).nonce("nonce-1")),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn a_tampered_header_fails_the_signature() {
    let token = sign(TEST_KEY, HEADER, &good_payload());
    let parts: Vec<&str> = token.split('.').collect();
    let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"PS256"}"#);
    let tampered = format!("{header}.{}.{}", parts[1], parts[2]);
    assert_eq!(
        verifier().verify(&tampered, &expected()),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn a_tampered_signature_fails() {
    let token = sign(TEST_KEY, HEADER, &good_payload());
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[10] ^= 0x01;
    let tampered = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&bytes));
    assert_eq!(
        verifier().verify(&tampered, &expected()),
        Err(VerifyError::BadSignature)
    );
    bytes.truncate(100);
    let short = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&bytes));
    assert_eq!(
        verifier().verify(&short, &expected()),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn algorithm_none_and_others_are_refused() {
    let payload = URL_SAFE_NO_PAD.encode(good_payload());
    for (alg, header) in [
        ("none", r#"{"alg":"none","typ":"JWT"}"#),
        ("HS256", r#"{"alg":"HS256","typ":"JWT"}"#),
        ("RS256", r#"{"alg":"RS256","typ":"JWT"}"#),
    ] {
        let token = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(header));
        assert_eq!(
            verifier().verify(&token, &expected()),
            Err(VerifyError::UnsupportedAlgorithm(alg.into())),
            "{alg}"
        );
    }
    let token = sign(TEST_KEY, r#"{"alg":"PS256","typ":"JWE"}"#, &good_payload());
    assert_eq!(
        verifier().verify(&token, &expected()),
        Err(VerifyError::UnsupportedType("JWE".into()))
    );
    let token = sign(
        TEST_KEY,
        r#"{"alg":"PS256","crit":["exp"]}"#,
        &good_payload(),
    );
    assert!(matches!(
        verifier().verify(&token, &expected()),
        Err(VerifyError::CriticalHeader(_))
    ));
}

#[test]
fn another_key_fails() {
    let token = sign(OTHER_KEY, HEADER, &good_payload());
    assert_eq!(
        verifier().verify(&token, &expected()),
        Err(VerifyError::BadSignature)
    );
    // The other key verifies it when it is the key of that version.
    let other = Verifier::new()
        .with_public_key(1, OTHER_PUBLIC)
        .unwrap()
        .clock(|| UNIX_EPOCH + Duration::from_secs(ISSUED));
    other.verify(&token, &expected()).unwrap();
}

#[test]
fn claims_are_checked() {
    let v = verifier();
    let sign_claims = |product, version, nonce, issued| {
        sign(TEST_KEY, HEADER, &payload(product, version, nonce, issued))
    };
    let at = "2026-12-02T08:00:00.000Z";
    assert_eq!(
        v.verify(
            &sign_claims("prod-xyz", 1, Some("nonce-1"), at),
            &expected()
        ),
        Err(VerifyError::ProductCodeMismatch {
            expected: "prod-abc".into(),
            actual: "prod-xyz".into()
        })
    );
    assert_eq!(
        v.verify(
            &sign_claims("prod-abc", 1, Some("nonce-2"), at),
            &expected()
        ),
        Err(VerifyError::NonceMismatch {
            expected: Some("nonce-1".into()),
            actual: Some("nonce-2".into())
        })
    );
    assert_eq!(
        v.verify(&sign_claims("prod-abc", 1, None, at), &expected()),
        Err(VerifyError::NonceMismatch {
            expected: Some("nonce-1".into()),
            actual: None
        })
    );
    // A version the verifier has no key for, and one it has but the call did not ask for.
    assert_eq!(
        v.verify(
            &sign_claims("prod-abc", 2, Some("nonce-1"), at),
            &expected()
        ),
        Err(VerifyError::UnknownPublicKeyVersion(2))
    );
    let two = v.clone().with_public_key(2, TEST_PUBLIC).unwrap();
    assert_eq!(
        two.verify(
            &sign_claims("prod-abc", 2, Some("nonce-1"), at),
            &expected()
        ),
        Err(VerifyError::PublicKeyVersionMismatch {
            expected: 1,
            actual: 2
        })
    );
    // Too old, from the future, not a time.
    assert!(matches!(
        v.verify(
            &sign_claims("prod-abc", 1, Some("nonce-1"), "2026-12-02T07:40:00Z"),
            &expected()
        ),
        Err(VerifyError::Expired { age }) if age == Duration::from_secs(21 * 60)
    ));
    assert!(matches!(
        v.verify(
            &sign_claims("prod-abc", 1, Some("nonce-1"), "2026-12-02T08:10:00Z"),
            &expected()
        ),
        Err(VerifyError::IssuedInFuture { .. })
    ));
    assert_eq!(
        v.verify(
            &sign_claims("prod-abc", 1, Some("nonce-1"), "yesterday"),
            &expected()
        ),
        Err(VerifyError::InvalidIssuedAt("yesterday".into()))
    );
    // Within the skew and the age: fine; the limits are settable.
    v.verify(
        &sign_claims("prod-abc", 1, Some("nonce-1"), "2026-12-02T08:04:00Z"),
        &expected(),
    )
    .unwrap();
    let strict = verifier().max_age(Duration::from_secs(30));
    assert!(matches!(
        strict.verify(
            &sign_claims("prod-abc", 1, Some("nonce-1"), at),
            &expected()
        ),
        Err(VerifyError::Expired { .. })
    ));
}

#[test]
fn malformed_tokens_are_refused() {
    let v = verifier();
    let e = expected();
    assert_eq!(v.verify("", &e), Err(VerifyError::NotThreeParts));
    assert_eq!(v.verify("a.b", &e), Err(VerifyError::NotThreeParts));
    assert_eq!(v.verify("a.b.c.d", &e), Err(VerifyError::NotThreeParts));
    assert_eq!(
        v.verify("a*.b.c", &e),
        Err(VerifyError::Encoding {
            part: TokenPart::Header
        })
    );
    let header = URL_SAFE_NO_PAD.encode(HEADER);
    assert_eq!(
        v.verify(&format!("{header}.e30=.c"), &e),
        Err(VerifyError::Encoding {
            part: TokenPart::Payload
        })
    );
    assert_eq!(
        v.verify(&format!("{header}.e30.c+"), &e),
        Err(VerifyError::Encoding {
            part: TokenPart::Signature
        })
    );
    assert!(matches!(
        v.verify(&format!("{header}.e30.c2ln"), &e),
        Err(VerifyError::MalformedPayload(_))
    ));
    assert!(matches!(
        v.verify(&format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode("[]")), &e),
        Err(VerifyError::MalformedHeader(_))
    ));
    let long = "a".repeat(20_000);
    assert_eq!(
        v.verify(&long, &e),
        Err(VerifyError::TooLong { len: 20_000 })
    );
    let output =
        marketplace_metering::operation::register_usage::RegisterUsageOutput::builder().build();
    assert_eq!(
        v.verify_output(&output, &e),
        Err(VerifyError::MissingSignature)
    );
}

#[test]
fn public_keys_are_read_carefully() {
    assert!(Verifier::new().with_public_key(1, TEST_PUBLIC).is_ok());
    // The private key is not a public key.
    assert_eq!(
        Verifier::new().with_public_key(1, TEST_KEY).err(),
        Some(PublicKeyError::NoPemBlock)
    );
    // Truncated DER.
    let der = pem_body(TEST_PUBLIC);
    let truncated = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(&der[..der.len() - 10])
    );
    assert!(matches!(
        Verifier::new().with_public_key(1, &truncated),
        Err(PublicKeyError::Der(_))
    ));
    // The PKCS#1 form of the same key works too.
    let pkcs1 = &der[24..];
    let rsa = format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        STANDARD.encode(pkcs1)
    );
    let v = Verifier::new()
        .with_public_key(1, &rsa)
        .unwrap()
        .clock(|| UNIX_EPOCH + Duration::from_secs(ISSUED));
    v.verify(&sign(TEST_KEY, HEADER, &good_payload()), &expected())
        .unwrap();
}
