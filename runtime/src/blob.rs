//! Binary data, sent base64-encoded in JSON protocols.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine as _};
use std::fmt;

/// Bytes that travel as a base64 string in JSON.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Blob(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes the bytes out.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Blob(bytes)
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Self {
        Blob(bytes.to_vec())
    }
}

/// Standard base64 (`+/` alphabet), written with `=` padding as botocore and the AWS
/// SDKs write it.
///
/// Read leniently only where the bytes are unambiguous, as this runtime always has:
/// the padding may be left out, and the unused low bits of the last character may be
/// set (`Zh==` reads as `f`, as in botocore's `base64.b64decode`). Anything else, such
/// as whitespace, a character outside the alphabet, or `=` in the middle or one too
/// many, is an error, where `b64decode` would drop the characters it does not know.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

impl serde::Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&BASE64.encode(&self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        BASE64
            .decode(text.as_bytes())
            .map(Blob)
            .map_err(|error| serde::de::Error::custom(format_args!("invalid base64: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Result<Vec<u8>, String> {
        serde_json::from_value::<Blob>(serde_json::Value::from(text))
            .map(Blob::into_inner)
            .map_err(|error| error.to_string())
    }

    fn encode(bytes: &[u8]) -> String {
        match serde_json::to_value(Blob::new(bytes)).unwrap() {
            serde_json::Value::String(text) => text,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn base64_round_trips() {
        for (raw, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(raw.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), raw.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(encode(&all[..3]), "AAEC");
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(decode(&encode(&all)).unwrap(), all);
        assert_eq!(
            serde_json::to_string(&Blob::new(*b"foo")).unwrap(),
            "\"Zm9v\""
        );
    }

    #[test]
    fn missing_padding_and_unused_bits_are_read() {
        assert_eq!(decode("Zg").unwrap(), b"f");
        assert_eq!(decode("Zm8").unwrap(), b"fo");
        assert_eq!(decode("Zh==").unwrap(), b"f");
    }

    #[test]
    fn invalid_base64_is_refused_with_the_reason() {
        for (text, reason) in [
            ("Zm9v!", "invalid base64: Invalid symbol 33, offset 4."),
            ("Zm 9v", "invalid base64: Invalid symbol 32, offset 2."),
            ("Zm9v\n", "invalid base64: Invalid symbol 10, offset 4."),
            ("Zm9v-_", "invalid base64: Invalid symbol 45, offset 4."),
            ("Z", "invalid base64: Invalid input length: 1"),
            ("Zg==Zg==", "invalid base64: Invalid symbol 61, offset 2."),
            ("Zm9v====", "invalid base64: Invalid symbol 61, offset 4."),
        ] {
            assert_eq!(decode(text).unwrap_err(), reason, "{text:?}");
        }
    }
}
