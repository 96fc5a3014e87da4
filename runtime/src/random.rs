//! Randomness for idempotency tokens, invocation ids and jitter, from the operating
//! system through `ring` (compiled for TLS already, so no crate of its own).

use ring::rand::{SecureRandom, SystemRandom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// `N` random bytes.
///
/// Should the operating system refuse (a sandbox that forbids `getrandom`), the
/// bytes are a SHA-256 of the time, the process id and a counter instead: no
/// longer unpredictable, but still unique, which is what an idempotency token
/// needs so that the service never drops a record as a repeat.
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if SystemRandom::new().fill(&mut out).is_err() {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut seed = Vec::with_capacity(40);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        seed.extend_from_slice(&now.to_le_bytes());
        seed.extend_from_slice(&std::process::id().to_le_bytes());
        seed.extend_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        let mut block = Vec::with_capacity(N + 32);
        while block.len() < N {
            seed.push(block.len() as u8);
            block.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, &seed).as_ref());
        }
        out.copy_from_slice(&block[..N]);
    }
    out
}

/// A random UUID version 4 in its usual form, e.g.
/// `0f8fad5b-d9cb-469f-a165-70867728950e`.
pub(crate) fn uuid_v4() -> String {
    let mut raw: [u8; 16] = bytes();
    raw[6] = (raw[6] & 0x0f) | 0x40; // version 4
    raw[8] = (raw[8] & 0x3f) | 0x80; // RFC 4122 variant
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (i, byte) in raw.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0xf)] as char);
    }
    text
}

/// A random `u64`.
pub(crate) fn u64() -> u64 {
    u64::from_le_bytes(bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_and_differ() {
        let a = uuid_v4();
        let b = uuid_v4();
        assert_ne!(a, b);
        for id in [&a, &b] {
            let groups: Vec<&str> = id.split('-').collect();
            let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
            assert_eq!(lengths, [8, 4, 4, 4, 12], "{id}");
            assert!(groups[2].starts_with('4'), "{id}");
            assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{id}");
            assert!(id
                .bytes()
                .all(|b| b == b'-' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
    }
}
