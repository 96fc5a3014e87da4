//! Reading the files a configuration names, with a size cap. A setting can name
//! anything (`/dev/zero`, a log, a disk image), and a file read whole must not be
//! able to take the process's memory.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The most bytes a kind of file may hold, and what that kind is called in
/// messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeLimit {
    /// The largest size accepted, in bytes.
    pub bytes: u64,
    /// The kind of file, after "too large for": `a token`.
    pub kind: &'static str,
}

/// Shared config and credentials files: 4 MiB. A hand-written file is a few
/// kilobytes; files generated for a large organisation (a profile per account
/// and role, about 200 bytes each) reach 1 MB with 5,000 profiles, so the limit
/// leaves room for them and still stops a setting that names a huge file.
pub const PROFILE_FILE_LIMIT: SizeLimit = SizeLimit {
    bytes: 4 * 1024 * 1024,
    kind: "a shared config or credentials file",
};

/// CA bundles: 4 MiB. Mozilla's whole bundle (about 150 roots) is about 220 KB
/// in PEM; 4 MiB holds some 2,500 certificates, more than any system bundle.
pub const CA_BUNDLE_LIMIT: SizeLimit = SizeLimit {
    bytes: 4 * 1024 * 1024,
    kind: "a CA bundle",
};

/// Token files (web identity, container authorization): 64 KiB. The JWTs
/// Kubernetes projects are 1 to 2 KB.
pub const TOKEN_FILE_LIMIT: SizeLimit = SizeLimit {
    bytes: 64 * 1024,
    kind: "a token",
};

/// Why a file could not be read whole. `Display` says what is wrong, to follow
/// the file's name and where it was configured: `cannot be read: …`,
/// `is larger than 64 KiB, too large for a token`.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed; `NotFound` when it does not exist.
    Io(std::io::Error),
    /// The file holds more than the limit.
    TooLarge(SizeLimit),
}

impl ReadError {
    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(error) if error.kind() == std::io::ErrorKind::NotFound)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(error) => write!(f, "cannot be read: {error}"),
            ReadError::TooLarge(limit) => write!(
                f,
                "is larger than {}, too large for {}",
                size_text(limit.bytes),
                limit.kind
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// The whole file at `path`, or [`ReadError::TooLarge`] as soon as it holds more
/// than `limit.bytes`: at most one byte over the limit is read, whatever the
/// file's size says (`/dev/zero` and pipes have none).
pub fn read_capped(path: &Path, limit: SizeLimit) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// `4 MiB`, `64 KiB`, or `N bytes` when not a whole number of either.
fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    match bytes {
        0 => "0 bytes".to_owned(),
        b if b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temp_dir::TempDir;

    const TEN_BYTES: SizeLimit = SizeLimit {
        bytes: 10,
        kind: "a test file",
    };

    #[test]
    fn reads_up_to_the_limit_and_refuses_more() {
        let dir = TempDir::new();
        let full = dir.write("full", "0123456789");
        assert_eq!(
            read_capped(full.as_ref(), TEN_BYTES).unwrap(),
            b"0123456789"
        );
        let over = dir.write("over", "0123456789a");
        let error = read_capped(over.as_ref(), TEN_BYTES).unwrap_err();
        assert_eq!(
            error.to_string(),
            "is larger than 10 bytes, too large for a test file"
        );
        assert!(!error.is_not_found());
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_refused_without_reading_it_all() {
        let error = read_capped("/dev/zero".as_ref(), TOKEN_FILE_LIMIT).unwrap_err();
        assert_eq!(
            error.to_string(),
            "is larger than 64 KiB, too large for a token"
        );
    }

    #[test]
    fn missing_and_unreadable_files() {
        let dir = TempDir::new();
        let error = read_capped(&dir.0.join("missing"), TEN_BYTES).unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
        assert!(error.to_string().starts_with("cannot be read: "), "{error}");
        // A directory opens but cannot be read as a file (on Unix).
        let error = read_capped(&dir.0, TEN_BYTES).unwrap_err();
        assert!(!error.is_not_found(), "{error:?}");
        assert!(error.to_string().starts_with("cannot be read: "), "{error}");
    }

    #[test]
    fn limits_read_as_sizes() {
        assert_eq!(size_text(PROFILE_FILE_LIMIT.bytes), "4 MiB");
        assert_eq!(size_text(CA_BUNDLE_LIMIT.bytes), "4 MiB");
        assert_eq!(size_text(TOKEN_FILE_LIMIT.bytes), "64 KiB");
        assert_eq!(size_text(1536), "1536 bytes");
        assert_eq!(size_text(0), "0 bytes");
    }
}
