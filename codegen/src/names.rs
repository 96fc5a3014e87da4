//! Rust names for model names: snake_case members, UpperCamelCase types and
//! variants, with keywords and acronyms settled here once.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Mixed-case tokens heck would split badly (`IPv6` → `i_pv6`), spelled the way
/// they should be read as one word.
const ACRONYMS: &[(&str, &str)] = &[
    ("IPv4", "Ipv4"),
    ("IPv6", "Ipv6"),
    ("iOS", "Ios"),
    ("macOS", "Macos"),
    ("MBps", "Mbps"),
    ("GiBs", "Gibs"),
];

/// Words that cannot be identifiers even as raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Rust keywords (2021 edition, reserved ones included).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn fix_acronyms(name: &str) -> String {
    ACRONYMS
        .iter()
        .fold(name.to_owned(), |name, (from, to)| name.replace(from, to))
}

/// `CustomerAWSAccountId` → `customer_aws_account_id`; keywords become raw
/// identifiers (`r#type`) or, where Rust forbids that, get a `_value` suffix.
pub fn snake(name: &str) -> String {
    let snake = fix_acronyms(name).to_snake_case();
    let snake = if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{snake}")
    } else {
        snake
    };
    escape(snake)
}

/// `usage_record_result_status` → `UsageRecordResultStatus`.
pub fn camel(name: &str) -> String {
    let camel = fix_acronyms(name).to_upper_camel_case();
    let camel = if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Value{camel}")
    } else {
        camel
    };
    // `Self` is the only CamelCase keyword.
    if camel == "Self" {
        "SelfValue".to_owned()
    } else {
        camel
    }
}

fn escape(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_value")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// The identifier without a raw prefix, for composing: `r#type` → `type`.
pub fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Makes `candidate` unique among `taken` by adding `_2`, `_3`, … (or `2`, `3`, …
/// for CamelCase names) and records it.
pub fn unique(candidate: String, taken: &mut Vec<String>) -> String {
    let camel = candidate.starts_with(|c: char| c.is_ascii_uppercase());
    let mut name = candidate.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = if camel {
            format!("{candidate}{n}")
        } else {
            format!("{}_{n}", bare(&candidate))
        };
        n += 1;
    }
    taken.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_types() {
        assert_eq!(snake("CustomerAWSAccountId"), "customer_aws_account_id");
        assert_eq!(snake("IPv6Address"), "ipv6_address");
        assert_eq!(snake("Type"), "r#type");
        assert_eq!(snake("Self"), "self_value");
        assert_eq!(snake("2FA"), "n2fa");
        assert_eq!(camel("errorMessage"), "ErrorMessage");
        assert_eq!(camel("us-east-1"), "UsEast1");
        assert_eq!(camel("t2.micro"), "T2Micro");
        assert_eq!(camel("2XL"), "Value2xl");
        assert_eq!(camel("self"), "SelfValue");
    }

    #[test]
    fn unique_names() {
        let mut taken = vec![];
        assert_eq!(unique("a_b".into(), &mut taken), "a_b");
        assert_eq!(unique("a_b".into(), &mut taken), "a_b_2");
        assert_eq!(unique("Foo".into(), &mut taken), "Foo");
        assert_eq!(unique("Foo".into(), &mut taken), "Foo2");
    }
}
