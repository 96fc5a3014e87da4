//! Client-side checks of the model's constraints, run before anything is sent.
//!
//! Generated `validate` methods call these with a [`Path`] that is only turned into
//! text when a check fails, so a valid input costs no allocation.

use crate::error::ValidationError;

/// Where a value sits in the input, in wire member names.
#[derive(Clone, Copy)]
pub enum Path<'a> {
    /// The input itself.
    Root,
    /// A member of a structure.
    Member(&'a Path<'a>, &'static str),
    /// An element of a list.
    Index(&'a Path<'a>, usize),
    /// A value of a map.
    Key(&'a Path<'a>, &'a str),
}

impl<'a> Path<'a> {
    /// The path of member `name` below this one.
    pub fn member(&'a self, name: &'static str) -> Path<'a> {
        Path::Member(self, name)
    }

    /// The path of list element `index` below this one.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    /// The path of map value `key` below this one.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    /// `UsageRecords[3].Dimension`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    fn render_into(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.render_into(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, index) => {
                parent.render_into(out);
                out.push_str(&format!("[{index}]"));
            }
            Path::Key(parent, key) => {
                parent.render_into(out);
                out.push_str(&format!("[{key:?}]"));
            }
        }
    }

    /// A failure at this path.
    pub fn error(&self, problem: impl Into<String>) -> ValidationError {
        ValidationError::new(self.render(), problem)
    }
}

/// A required member must be set.
pub fn required<T>(path: &Path<'_>, value: &Option<T>) -> Result<(), ValidationError> {
    match value {
        Some(_) => Ok(()),
        None => Err(path.error("required member is missing")),
    }
}

/// The length of a string (in characters, as the model counts) or the size of a
/// list, map or blob must lie in `min..=max`.
pub fn length(
    path: &Path<'_>,
    length: usize,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ValidationError> {
    let length = length as u64;
    if let Some(min) = min.filter(|&min| length < min) {
        return Err(path.error(format!("length {length} is below the minimum {min}")));
    }
    if let Some(max) = max.filter(|&max| length > max) {
        return Err(path.error(format!("length {length} is above the maximum {max}")));
    }
    Ok(())
}

/// The number of characters of a string, as the model's length constraints count.
pub fn string_length(
    path: &Path<'_>,
    value: &str,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ValidationError> {
    length(path, value.chars().count(), min, max)
}

/// A map key's length (in characters) must lie in `min..=max`; `path` is the
/// key's entry.
pub fn key_length(
    path: &Path<'_>,
    key: &str,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ValidationError> {
    let length = key.chars().count() as u64;
    if let Some(min) = min.filter(|&min| length < min) {
        return Err(path.error(format!("key length {length} is below the minimum {min}")));
    }
    if let Some(max) = max.filter(|&max| length > max) {
        return Err(path.error(format!("key length {length} is above the maximum {max}")));
    }
    Ok(())
}

/// A number must lie in `min..=max`.
pub fn range(
    path: &Path<'_>,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), ValidationError> {
    if let Some(min) = min.filter(|&min| value < min) {
        return Err(path.error(format!("value {value} is below the minimum {min}")));
    }
    if let Some(max) = max.filter(|&max| value > max) {
        return Err(path.error(format!("value {value} is above the maximum {max}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paths_only_on_failure() {
        let root = Path::Root;
        let records = root.member("UsageRecords");
        let third = records.index(3);
        let dimension = third.member("Dimension");
        assert_eq!(
            string_length(&dimension, "", Some(1), Some(255))
                .unwrap_err()
                .to_string(),
            "invalid input: UsageRecords[3].Dimension: length 0 is below the minimum 1"
        );
        assert!(string_length(&dimension, "é", Some(1), Some(1)).is_ok());
        let tags = root.member("Tags");
        let key = tags.key("k");
        assert_eq!(
            required::<u8>(&key, &None).unwrap_err().path(),
            "Tags[\"k\"]"
        );
        assert_eq!(
            range(&root.member("Quantity"), -1.0, Some(0.0), None)
                .unwrap_err()
                .to_string(),
            "invalid input: Quantity: value -1 is below the minimum 0"
        );
        assert!(length(&records, 26, Some(0), Some(25))
            .unwrap_err()
            .to_string()
            .contains("above the maximum 25"));
    }
}
