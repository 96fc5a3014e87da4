//! The RegisterUsage signature: an RSA-2048 key and JWTs signed RSASSA-PSS SHA-256 (`PS256`).

use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{KeyPair as _, RsaKeyPair, RSA_PSS_SHA256};

/// Generates a fresh RSA-2048 private key and returns it as PKCS#8 DER.
///
/// The simulator generates one such key per process the first time one is needed (see
/// [`SimulatorBuilder::signing_key_pkcs8`](crate::SimulatorBuilder::signing_key_pkcs8) to give
/// it another); this is public so tests can make a second, "other" key.
///
/// # Panics
///
/// If the operating system's random number generator fails.
pub fn generate_signing_key_pkcs8() -> Vec<u8> {
    use rsa::pkcs8::EncodePrivateKey as _;
    let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
    let key = rsa::PrivateKey::new(&mut rng, 2048).expect("RSA-2048 key generation");
    key.to_pkcs8_der()
        .expect("PKCS#8 encoding of an RSA key")
        .as_bytes()
        .to_vec()
}

/// The key every simulator of this process signs with unless given another one: generating
/// RSA keys is slow in debug builds, so it is done once.
pub(crate) fn process_key() -> Arc<Signer> {
    static KEY: OnceLock<Arc<Signer>> = OnceLock::new();
    KEY.get_or_init(|| {
        Arc::new(Signer::from_pkcs8(&generate_signing_key_pkcs8()).expect("a key of our own"))
    })
    .clone()
}

/// Signs JWTs with one RSA key.
pub(crate) struct Signer {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

impl Signer {
    /// Reads an RSA private key from PKCS#8 DER.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        let key = RsaKeyPair::from_pkcs8(der).map_err(|e| format!("not an RSA PKCS#8 key: {e}"))?;
        Ok(Self {
            key,
            rng: SystemRandom::new(),
        })
    }

    /// The public key as PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    pub(crate) fn public_key_pem(&self) -> String {
        let spki = spki_from_pkcs1(self.key.public_key().as_ref());
        let b64 = STANDARD.encode(spki);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// `header.payload.signature` for the JSON `payload`, with the header
    /// `{"alg":"PS256","typ":"JWT"}`.
    pub(crate) fn sign_jwt(&self, payload: &str) -> String {
        let mut input = URL_SAFE_NO_PAD.encode(r#"{"alg":"PS256","typ":"JWT"}"#);
        input.push('.');
        input.push_str(&URL_SAFE_NO_PAD.encode(payload));
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PSS_SHA256, &self.rng, input.as_bytes(), &mut signature)
            .expect("RSA-PSS signing with a valid key");
        input.push('.');
        input.push_str(&URL_SAFE_NO_PAD.encode(signature));
        input
    }
}

/// Wraps a PKCS#1 `RSAPublicKey` in a SubjectPublicKeyInfo with the `rsaEncryption` algorithm.
fn spki_from_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
    const ALGORITHM: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bit_string = vec![0x00]; // no unused bits
    bit_string.extend_from_slice(pkcs1);
    let mut body = ALGORITHM.to_vec();
    body.extend(der_tlv(0x03, &bit_string));
    der_tlv(0x30, &body)
}

/// One DER tag-length-value.
fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let t = std::time::Instant::now();
        let signer = process_key();
        eprintln!("keygen took {:?}", t.elapsed());
        let jwt = signer.sign_jwt(r#"{"a":1}"#);
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PSS_2048_8192_SHA256,
            signer.key.public_key().as_ref().to_vec(),
        );
        public
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .unwrap();
        assert!(signer
            .public_key_pem()
            .starts_with("-----BEGIN PUBLIC KEY-----\nMIIBIjAN"));
    }
}
