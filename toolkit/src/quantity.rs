//! Usage quantities as the model writes them: non-negative decimals with up to 10 whole and 6
//! fractional digits, kept exactly in millionths.

use std::fmt;
use std::str::FromStr;

/// A usage quantity: a non-negative decimal with at most 10 whole digits and 6 decimal places
/// (`UsageQuantityAsDecimal`'s pattern), kept exactly as a count of millionths.
///
/// Whole numbers convert with `From<u32>` (so `meterer.record("cpu", 2)` works); decimals parse
/// from text:
///
/// ```
/// use marketplace_metering_toolkit::hourly::Quantity;
///
/// let q: Quantity = "1.25".parse().unwrap();
/// assert_eq!(q.checked_add(Quantity::from(2)).unwrap().to_string(), "3.25");
/// assert!("1.1234567".parse::<Quantity>().is_err()); // 7 decimal places
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Quantity(u64);

const MICROS: u64 = 1_000_000;

impl Quantity {
    /// Zero.
    pub const ZERO: Quantity = Quantity(0);
    /// The largest quantity the model allows: 9999999999.999999.
    pub const MAX: Quantity = Quantity(10_000_000_000 * MICROS - 1);

    /// A whole number, if it is not above [`Quantity::MAX`].
    pub fn from_whole(n: u64) -> Option<Quantity> {
        n.checked_mul(MICROS)
            .map(Quantity)
            .filter(|q| *q <= Self::MAX)
    }

    /// A quantity of `micros` millionths, if it is not above [`Quantity::MAX`].
    pub fn from_micros(micros: u64) -> Option<Quantity> {
        Some(Quantity(micros)).filter(|q| *q <= Self::MAX)
    }

    /// The quantity in millionths.
    pub fn micros(self) -> u64 {
        self.0
    }

    /// The sum, if it is not above [`Quantity::MAX`].
    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        self.0
            .checked_add(other.0)
            .map(Quantity)
            .filter(|q| *q <= Self::MAX)
    }
}

impl From<u32> for Quantity {
    fn from(n: u32) -> Self {
        Quantity(u64::from(n) * MICROS)
    }
}

/// The shortest decimal text: `3`, `3.5`, `0.000001`.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / MICROS, self.0 % MICROS);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:06}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Why a text is not a [`Quantity`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError(String);

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a quantity: expected digits with up to 10 before and 6 after a decimal point",
            self.0
        )
    }
}

impl std::error::Error for QuantityError {}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || QuantityError(text.chars().take(40).collect());
        let (whole, frac) = match text.split_once('.') {
            Some((whole, frac)) => (whole, frac),
            None => (text, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole)
            || !digits(frac)
            || frac.len() > 6
            || (text.contains('.') && frac.is_empty())
        {
            return Err(error());
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 10 {
            return Err(error());
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| error())?
        };
        let frac: u64 = format!("{frac:0<6}").parse().map_err(|_| error())?;
        Quantity::from_micros(whole * MICROS + frac).ok_or_else(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_and_print_exactly() {
        for (text, micros, shown) in [
            ("0", 0, "0"),
            ("17", 17_000_000, "17"),
            ("17.00", 17_000_000, "17"),
            ("3.5", 3_500_000, "3.5"),
            ("0.000001", 1, "0.000001"),
            ("007.25", 7_250_000, "7.25"),
            ("9999999999.999999", Quantity::MAX.0, "9999999999.999999"),
        ] {
            let q: Quantity = text.parse().unwrap();
            assert_eq!(q.micros(), micros, "{text}");
            assert_eq!(q.to_string(), shown);
        }
        for bad in [
            "",
            ".5",
            "5.",
            "-1",
            "1e3",
            "1.1234567",
            "10000000000",
            " 1",
            "1,5",
        ] {
            assert!(bad.parse::<Quantity>().is_err(), "{bad:?}");
        }
        assert_eq!(
            Quantity::from_whole(9_999_999_999).unwrap().to_string(),
            "9999999999"
        );
        assert_eq!(Quantity::from_whole(10_000_000_000), None);
        assert_eq!(Quantity::MAX.checked_add(Quantity(1)), None);
        assert_eq!(Quantity::from(u32::MAX).to_string(), "4294967295");
    }
}
