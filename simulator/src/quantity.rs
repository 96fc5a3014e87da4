//! Usage quantities, compared by value: whole numbers and decimal strings as millionths.

/// A quantity in millionths (the model allows six decimal places).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Micros(pub(crate) u64);

impl Micros {
    /// Reads `^(0|[1-9][0-9]{0,9})(\.[0-9]{1,6})?$`, the model's decimal string.
    pub(crate) fn parse_decimal(text: &str) -> Option<Self> {
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || whole.len() > 10 || (whole.len() > 1 && whole.starts_with('0')) {
            return None;
        }
        let mut micros = whole.parse::<u64>().ok()? * 1_000_000;
        if let Some(frac) = frac {
            if !digits(frac) || frac.len() > 6 {
                return None;
            }
            micros += format!("{frac:0<6}").parse::<u64>().ok()?;
        }
        Some(Self(micros))
    }

    /// A whole-number quantity.
    pub(crate) fn whole(n: u64) -> Self {
        Self(n * 1_000_000)
    }

    /// The shortest decimal text: `3`, `3.5`, `0.000001`.
    pub(crate) fn to_decimal_string(self) -> String {
        let whole = self.0 / 1_000_000;
        let frac = self.0 % 1_000_000;
        if frac == 0 {
            whole.to_string()
        } else {
            let f = format!("{frac:06}");
            format!("{whole}.{}", f.trim_end_matches('0'))
        }
    }

    /// As a floating-point number.
    pub(crate) fn to_f64(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_value() {
        assert_eq!(Micros::parse_decimal("17"), Some(Micros::whole(17)));
        assert_eq!(Micros::parse_decimal("17.00"), Some(Micros::whole(17)));
        assert_eq!(
            Micros::parse_decimal("3.5").unwrap().to_decimal_string(),
            "3.5"
        );
        assert_eq!(
            Micros::parse_decimal("9999999999.999999").unwrap().0,
            9_999_999_999_999_999
        );
        for bad in [
            "",
            "01",
            "1.",
            ".5",
            "1.1234567",
            "12345678901",
            "-1",
            "1e3",
        ] {
            assert_eq!(Micros::parse_decimal(bad), None, "{bad}");
        }
    }
}
