//! Money in 人民币元 with exactly two decimal places (分).
//!
//! Parsing never rounds: `"10.005"` is an error, not `10.01`. Amounts in the
//! register (claims, 申请执行标的) are never negative, so [`Money`] cannot be.
//! Storage uses integer 分 ([`Money::fen`]); JSON uses decimal strings.

use std::fmt;
use std::iter::Sum;

use rust_decimal::Decimal;

use crate::text::normalize_identifier;

/// Upper bound: 十万亿元 less one 分 — far above any claim and safely inside
/// `i64` 分.
const MAX_FEN: i64 = 999_999_999_999_999;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额为空")]
    Empty,
    #[error("金额“{0}”格式不正确，应为数字，最多两位小数，例如 12345.67")]
    Format(String),
    #[error("金额最多精确到分（两位小数）")]
    TooPrecise,
    #[error("金额不能为负数")]
    Negative,
    #[error("金额超出上限")]
    TooLarge,
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses `"12345"`, `"12345.6"` or `"12345.67"` (full-width digits and
    /// surrounding spaces tolerated). No signs, exponents or separators.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let s = normalize_identifier(input);
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.starts_with('-') && s.len() > 1 && s[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(MoneyError::Negative);
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s.as_str(), ""),
        };
        let digits_ok = !int_part.is_empty()
            && int_part.bytes().all(|b| b.is_ascii_digit())
            && frac_part.bytes().all(|b| b.is_ascii_digit())
            && !(s.contains('.') && frac_part.is_empty());
        if !digits_ok {
            return Err(MoneyError::Format(s));
        }
        if frac_part.len() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let int_trimmed = int_part.trim_start_matches('0');
        if int_trimmed.len() > 13 {
            return Err(MoneyError::TooLarge);
        }
        let int_value: i64 =
            if int_trimmed.is_empty() { 0 } else { int_trimmed.parse().map_err(|_| MoneyError::TooLarge)? };
        let frac_value: i64 = format!("{frac_part:0<2}").parse().map_err(|_| MoneyError::Format(s.clone()))?;
        Self::from_fen(int_value * 100 + frac_value)
    }

    /// From integer 分.
    pub fn from_fen(fen: i64) -> Result<Self, MoneyError> {
        if fen < 0 {
            return Err(MoneyError::Negative);
        }
        if fen > MAX_FEN {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money(Decimal::new(fen, 2)))
    }

    /// From an exact decimal that already has at most two places.
    pub fn from_decimal(value: Decimal) -> Result<Self, MoneyError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative);
        }
        if value.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let mut v = value;
        v.rescale(2);
        let fen = v.mantissa();
        if fen > i128::from(MAX_FEN) {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money(v))
    }

    /// Integer 分, the storage form.
    pub fn fen(self) -> i64 {
        // The mantissa of a value with scale 2 is its 分 count; bounded by MAX_FEN.
        i64::try_from(self.0.mantissa()).unwrap_or(MAX_FEN)
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `self - other`, or zero when `other` is larger.
    pub fn saturating_sub(self, other: Money) -> Money {
        Money::from_fen((self.fen() - other.fen()).max(0)).unwrap_or(Money::ZERO)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        Money::from_fen(self.fen().checked_add(other.fen())?).ok()
    }

    /// Display with thousands separators: `1,234,567.80`.
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (int_part, frac) = plain.split_once('.').unwrap_or((plain.as_str(), "00"));
        let mut out = String::new();
        for (i, c) in int_part.chars().enumerate() {
            if i > 0 && (int_part.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{out}.{frac}")
    }
}

impl fmt::Display for Money {
    /// Always two decimals: `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fen = self.fen();
        write!(f, "{}.{:02}", fen / 100, fen % 100)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl<'a> Sum<&'a Money> for Option<Money> {
    /// Sum that reports overflow beyond the upper bound as `None`.
    fn sum<I: Iterator<Item = &'a Money>>(mut iter: I) -> Self {
        iter.try_fold(Money::ZERO, |acc, m| acc.checked_add(*m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_plain_amounts() {
        assert_eq!(Money::parse("100000").unwrap().to_string(), "100000.00");
        assert_eq!(Money::parse("100000.5").unwrap().to_string(), "100000.50");
        assert_eq!(Money::parse(" １２.３４ ").unwrap().fen(), 1234);
        assert_eq!(Money::parse("0").unwrap(), Money::ZERO);
        assert_eq!(Money::parse("007.10").unwrap().fen(), 710);
    }

    #[test]
    fn rejects_what_it_cannot_store_exactly() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("10.005"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse("-5"), Err(MoneyError::Negative));
        assert!(matches!(Money::parse("1,000"), Err(MoneyError::Format(_))));
        assert!(matches!(Money::parse("1e5"), Err(MoneyError::Format(_))));
        assert!(matches!(Money::parse("12."), Err(MoneyError::Format(_))));
        assert!(matches!(Money::parse(".5"), Err(MoneyError::Format(_))));
        assert!(matches!(Money::parse("NaN"), Err(MoneyError::Format(_))));
        assert_eq!(Money::parse("99999999999999"), Err(MoneyError::TooLarge));
        assert!(Money::parse("9999999999999.99").is_ok());
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(Money::parse("1234567.8").unwrap().grouped(), "1,234,567.80");
        assert_eq!(Money::parse("123").unwrap().grouped(), "123.00");
        assert_eq!(Money::parse("0.05").unwrap().grouped(), "0.05");
    }

    #[test]
    fn from_decimal_keeps_exactness() {
        use rust_decimal::Decimal;
        assert_eq!(Money::from_decimal(Decimal::new(12345, 3)), Err(MoneyError::TooPrecise));
        assert_eq!(Money::from_decimal(Decimal::new(12340, 3)).unwrap().fen(), 1234);
    }

    proptest! {
        #[test]
        fn fen_round_trips_through_text(fen in 0i64..=MAX_FEN) {
            let m = Money::from_fen(fen).unwrap();
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
            prop_assert_eq!(m.fen(), fen);
        }

        #[test]
        fn sum_is_exact(fens in prop::collection::vec(0i64..1_000_000_000, 0..20)) {
            let monies: Vec<Money> = fens.iter().map(|f| Money::from_fen(*f).unwrap()).collect();
            let total: Option<Money> = monies.iter().sum();
            prop_assert_eq!(total.unwrap().fen(), fens.iter().sum::<i64>());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Money::parse(&s);
        }
    }
}
