//! Support for open string enums.

use std::fmt;

/// A value of a string enum that this version of the SDK does not know.
///
/// It cannot be built outside the SDK, so code cannot match on a particular unknown
/// value: when a later model adds the value as a variant, matching code keeps working.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownVariantValue(String);

impl UnknownVariantValue {
    #[doc(hidden)]
    pub fn new(value: impl Into<String>) -> Self {
        UnknownVariantValue(value.into())
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownVariantValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UnknownVariantValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
