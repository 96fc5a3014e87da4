//! The environment variables a configuration is read from.

use std::collections::BTreeMap;

/// A snapshot of the environment variables the configuration is read from.
///
/// A snapshot rather than a lookup function: the `AWS_ENDPOINT_URL_<SERVICE>`
/// variable that matters is only known when a client is made, so loading keeps
/// all of them. No `Debug`: it holds secrets.
#[derive(Clone)]
pub(crate) struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The process environment; variables that are not Unicode count as unset, as
    /// for `std::env::var`.
    pub(crate) fn process() -> Env {
        Env::from_vars(std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
    }

    /// Exactly these variables.
    pub(crate) fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: vars
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        }
    }

    /// A variable as set.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    /// A variable trimmed; empty counts as unset.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// The names of the variables that start with `prefix`, in order.
    pub(crate) fn names_starting_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a String> + 'a {
        self.vars
            .keys()
            .filter(move |name| name.starts_with(prefix))
    }
}
