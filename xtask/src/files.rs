//! Small filesystem helpers shared by the commands.
//!
//! Every write goes through [`ensure_file_contents`], which leaves a file alone when its bytes
//! are already right: an unchanged file keeps its mtime, so cargo does not rebuild the
//! generated crate for nothing. Every error names the path that failed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Reads a file, or `None` if it does not exist (a file the generator is about to create).
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("reading {}: {e}", path.display())),
    }
}

/// Reads a UTF-8 text file the command cannot do without.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Writes `contents` to `path` unless the file already holds exactly those bytes, creating
/// parent directories as needed. Returns whether it wrote.
pub(crate) fn ensure_file_contents(path: &Path, contents: &[u8]) -> Result<bool, String> {
    if read_optional(path)?.as_deref() == Some(contents) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("creating directory {}: {e}", parent.display()))?;
    }
    fs::write(path, contents).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(true)
}

/// Every file below `dir` whose name ends in `extension` (e.g. `.rs`), as paths relative to
/// `dir`, sorted. Symbolic links are listed as files and never followed. A missing `dir` has
/// no files.
pub(crate) fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    if dir.exists() {
        walk(dir, Path::new(""), extension, &mut found)?;
    }
    found.sort();
    Ok(found)
}

fn walk(root: &Path, rel: &Path, extension: &str, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let dir = root.join(rel);
    let entries = fs::read_dir(&dir).map_err(|e| format!("listing {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("listing {}: {e}", dir.display()))?;
        let file_type = entry
            .file_type()
            .map_err(|e| format!("inspecting {}: {e}", entry.path().display()))?;
        let rel = rel.join(entry.file_name());
        if file_type.is_dir() {
            walk(root, &rel, extension, found)?;
        } else if entry.file_name().to_string_lossy().ends_with(extension) {
            found.push(rel);
        }
    }
    Ok(())
}

/// Removes every directory below `dir` (not `dir` itself) that is empty once its own empty
/// subdirectories are gone, so deleting a module's last file also deletes its folder.
pub(crate) fn remove_empty_dirs(dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    let entries = fs::read_dir(dir).map_err(|e| format!("listing {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("listing {}: {e}", dir.display()))?;
        let path = entry.path();
        let is_dir = entry
            .file_type()
            .map_err(|e| format!("inspecting {}: {e}", path.display()))?
            .is_dir();
        if is_dir {
            remove_empty_dirs(&path)?;
            let is_empty = fs::read_dir(&path)
                .map_err(|e| format!("listing {}: {e}", path.display()))?
                .next()
                .is_none();
            if is_empty {
                fs::remove_dir(&path)
                    .map_err(|e| format!("removing directory {}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// A fresh directory under [`std::env::temp_dir`], deleted with everything in it on drop, so
/// a failed download or test leaves nothing behind.
pub(crate) struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `<temp>/<prefix>-<pid>-<nanos>-<n>`; `create_dir` fails rather than reuse a
    /// directory that is already there.
    pub(crate) fn new(prefix: &str) -> Result<TempDir, String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("{prefix}-{}-{nanos}-{n}", std::process::id());
        let path = std::env::temp_dir().join(name);
        fs::create_dir(&path)
            .map_err(|e| format!("creating temporary directory {}: {e}", path.display()))?;
        Ok(TempDir { path })
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_file_contents_writes_only_changes() {
        let tmp = TempDir::new("xtask-test-files").unwrap();
        let path = tmp.path().join("a/b/c.rs");
        assert!(ensure_file_contents(&path, b"one").unwrap());
        assert!(!ensure_file_contents(&path, b"one").unwrap());
        assert!(ensure_file_contents(&path, b"two").unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"two");
    }

    #[test]
    fn lists_and_prunes() {
        let tmp = TempDir::new("xtask-test-files").unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("x/empty/deeper")).unwrap();
        fs::write(root.join("x/a.rs"), "").unwrap();
        fs::write(root.join("x/notes.txt"), "").unwrap();
        fs::write(root.join("top.rs"), "").unwrap();
        let found = files_with_extension(root, ".rs").unwrap();
        assert_eq!(found, [PathBuf::from("top.rs"), PathBuf::from("x/a.rs")]);
        remove_empty_dirs(root).unwrap();
        assert!(!root.join("x/empty").exists());
        assert!(root.join("x/a.rs").exists());
        assert!(files_with_extension(&root.join("missing"), ".rs")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn temp_dir_is_removed_on_drop() {
        let tmp = TempDir::new("xtask-test-files").unwrap();
        let path = tmp.path().to_path_buf();
        fs::write(path.join("f"), "x").unwrap();
        drop(tmp);
        assert!(!path.exists());
    }
}
