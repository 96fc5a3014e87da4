//! The Markdown report of an [`ApiDiff`].

use std::fmt::Write as _;

use super::diff::{ApiDiff, Bump, Level};

/// How many documentation changes the one-line summary names before "and N more".
const DOCS_NAMED: usize = 12;

impl ApiDiff {
    /// The report: breaking changes, compatible changes, changes with no effect on the Rust
    /// API, a one-line summary of documentation changes, and the semver bump, each section
    /// under a `###` heading so the caller can put it under its own `##` title.
    pub fn to_markdown(&self) -> String {
        self.render(None)
    }

    /// [`to_markdown`](Self::to_markdown), ending with the version the crate at
    /// `crate_version` should be released as.
    pub fn to_markdown_for(&self, crate_version: &str) -> String {
        self.render(Some(crate_version))
    }

    fn render(&self, crate_version: Option<&str>) -> String {
        let mut out = String::new();
        let sections = [
            (Level::Major, "Breaking changes (major)"),
            (Level::Minor, "Compatible changes (minor)"),
            (Level::Patch, "No change to the Rust API (patch)"),
        ];
        for (level, title) in sections {
            let changes: Vec<_> = self.at(level).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {title}\n");
            for change in changes {
                let _ = writeln!(
                    out,
                    "- {}. *{}.*",
                    capitalize(&change.summary),
                    capitalize(&change.reason)
                );
            }
            out.push('\n');
        }
        if self.changes.is_empty() {
            out.push_str("No change to the API.\n\n");
        }
        if !self.docs.is_empty() {
            let n = self.docs.len();
            let named: Vec<String> = self
                .docs
                .iter()
                .take(DOCS_NAMED)
                .map(|d| format!("`{}`", d.subject))
                .collect();
            let more = if n > DOCS_NAMED {
                format!(" and {} more", n - DOCS_NAMED)
            } else {
                String::new()
            };
            let items = if n == 1 { "item" } else { "items" };
            let _ = writeln!(
                out,
                "Documentation: the docs of {n} {items} changed: {}{more}.\n",
                named.join(", ")
            );
        }
        out.push_str(&semver_line(self.bump(), crate_version));
        out.push('\n');
        out
    }
}

/// The closing line: the bump, and what it means for a 0.x crate.
fn semver_line(bump: Bump, crate_version: Option<&str>) -> String {
    let why = match bump {
        Bump::None => "nothing to release",
        Bump::Patch => "no change to the Rust API",
        Bump::Minor => "compatible changes only",
        Bump::Major => "breaking changes",
    };
    let mut line = format!("**Semver: {bump}** ({why}).");
    if bump == Bump::None {
        return line;
    }
    match crate_version.and_then(|v| Some((v, bump.next_version(v)?))) {
        Some((current, next)) => {
            let _ = write!(line, " Release the crate as {next} (from {current})");
            if current.starts_with("0.") {
                line.push_str(
                    ": it is 0.x, where Cargo treats the minor number as the breaking one, so a \
                     major change bumps 0.y and anything else bumps the patch number.",
                );
            } else {
                line.push('.');
            }
        }
        None => line.push_str(
            " While the crate is 0.x, Cargo treats the minor number as the breaking one: a \
             major change bumps 0.y to 0.(y+1), anything else bumps the patch number.",
        ),
    }
    line
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_lines() {
        assert_eq!(
            semver_line(Bump::None, Some("0.1.0")),
            "**Semver: none** (nothing to release)."
        );
        let major = semver_line(Bump::Major, Some("0.1.0"));
        assert!(
            major.starts_with("**Semver: major** (breaking changes). Release the crate as 0.2.0 (from 0.1.0): it is 0.x"),
            "{major}"
        );
        assert_eq!(
            semver_line(Bump::Minor, Some("1.4.2")),
            "**Semver: minor** (compatible changes only). Release the crate as 1.5.0 (from 1.4.2)."
        );
        assert!(semver_line(Bump::Patch, None).contains("While the crate is 0.x"));
    }

    #[test]
    fn capitalizes() {
        assert_eq!(capitalize("new field"), "New field");
        assert_eq!(capitalize("`x` is"), "`x` is");
    }
}
