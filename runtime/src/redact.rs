//! Text that is safe to print: errors, `Debug` and logs never show the password
//! a configured URL may carry (`https://user:password@proxy`).

use std::borrow::Cow;

/// What stands for the user name and password of a URL.
const HIDDEN_USERINFO: &str = "***";

/// `url` with the user name and password of its authority replaced by `***`:
/// `https://user:password@host/p` → `https://***@host/p`. Text without them is
/// returned as it is.
///
/// Made for any text that may be a URL, valid or not: the authority is what
/// follows `scheme://` (or, without a scheme, the start) up to the first `/`,
/// `?` or `#`, and everything in it before its last `@` is hidden. An `@` in
/// the path or query is left alone.
pub fn redact_userinfo(url: &str) -> Cow<'_, str> {
    let authority_start = url.find("://").map_or(0, |scheme_end| scheme_end + 3);
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => Cow::Owned(format!(
            "{}{HIDDEN_USERINFO}{}",
            &url[..authority_start],
            &rest[at..]
        )),
        None => Cow::Borrowed(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_user_name_and_password() {
        for (url, shown) in [
            ("https://user:hunter2@host", "https://***@host"),
            (
                "https://user:hunter2@host:8443/p?q=a@b#f",
                "https://***@host:8443/p?q=a@b#f",
            ),
            // A password holding `@` (unescaped, as people write them).
            ("http://u:p@ss@host/", "http://***@host/"),
            ("http://token@host", "http://***@host"),
            ("http://@host", "http://***@host"),
            // Not a valid URL, still redacted.
            ("user:hunter2@host:80", "***@host:80"),
            ("https://user:hunter2@ho st", "https://***@ho st"),
            ("weird://u:hunter2@h", "weird://***@h"),
        ] {
            assert_eq!(redact_userinfo(url), shown, "{url}");
        }
    }

    #[test]
    fn leaves_text_without_userinfo_alone() {
        for url in [
            "https://host",
            "http://127.0.0.1:9/a@b",
            "https://host?x=a@b",
            "https://host#a@b",
            "not a url",
            "",
            "/path/a@b",
        ] {
            assert!(
                matches!(redact_userinfo(url), Cow::Borrowed(same) if same == url),
                "{url}"
            );
        }
    }
}
