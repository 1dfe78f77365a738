//! 公民身份号码 — citizen identity number (GB 11643-1999).
//!
//! 18 characters: 6-digit address code (GB/T 2260), 8-digit birth date
//! `YYYYMMDD`, 3-digit sequence (odd = male, even = female) and one check
//! character computed with ISO 7064 MOD 11-2 over the first 17 digits
//! (weights `2^(18-i) mod 11`, check alphabet `10X98765432`).
//!
//! A 15-digit number issued under GB 11643-1989 (birth year without century,
//! no check character) is accepted and upgraded to its 18-digit form, which is
//! deterministic: insert `19` before the birth year and compute the check.

use std::fmt;

use time::{Date, Month};

use crate::text::normalize_identifier;

/// Weights of positions 1–17 (GB 11643-1999 §7.2; ISO 7064 MOD 11-2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// `CHECK_CHARS[S mod 11]` is the check character.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// First two digits of the address code: provinces of GB/T 2260 plus 71
/// (台湾), 81/82 (香港/澳门) and 83 (台湾居民居住证).
const PROVINCE_PREFIXES: [&str; 35] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
];

/// A valid 18-character citizen identity number, upper-case `X`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenId(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CitizenIdError {
    #[error("身份证号码为空")]
    Empty,
    #[error("身份证号码应为18位（或旧式15位），实际为{0}位")]
    Length(usize),
    #[error("身份证号码前17位应为数字，最后一位为数字或X")]
    Charset,
    #[error("身份证号码的地址码（前两位）{0}不是有效的省级行政区划代码")]
    Province(String),
    #[error("身份证号码中的出生日期{0}不是有效日期")]
    BirthDate(String),
    #[error("身份证号码校验位错误：按GB 11643-1999 MOD 11-2计算应为{expected}，实际为{found}")]
    Check { expected: char, found: char },
}

impl CitizenId {
    /// Parses a citizen identity number, tolerating spaces, full-width digits
    /// and a lower-case `x`.
    pub fn parse(input: &str) -> Result<Self, CitizenIdError> {
        let s = normalize_identifier(input).to_ascii_uppercase();
        match s.chars().count() {
            0 => Err(CitizenIdError::Empty),
            18 => Self::parse18(&s),
            15 => Self::parse15(&s),
            n => Err(CitizenIdError::Length(n)),
        }
    }

    fn parse18(s: &str) -> Result<Self, CitizenIdError> {
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(CitizenIdError::Charset);
        }
        check_province(&s[..2])?;
        birth_date_of(&s[6..14])?;
        let expected = check_char(&s[..17]);
        let found = char::from(bytes[17]);
        if expected != found {
            return Err(CitizenIdError::Check { expected, found });
        }
        Ok(Self(s.to_string()))
    }

    fn parse15(s: &str) -> Result<Self, CitizenIdError> {
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CitizenIdError::Charset);
        }
        let body = format!("{}19{}", &s[..6], &s[6..]);
        check_province(&body[..2])?;
        birth_date_of(&body[6..14])?;
        let check = check_char(&body);
        Ok(Self(format!("{body}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit address code of the household registration.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> Date {
        // Validated in `parse`; the fallback is unreachable.
        birth_date_of(&self.0[6..14]).unwrap_or(Date::MIN)
    }

    /// Sex from the parity of the sequence code (GB 11643-1999 §6.3).
    pub fn sex(&self) -> Sex {
        let digit = self.0.as_bytes()[16] - b'0';
        if digit % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: Date) -> i32 {
        let birth = self.birth_date();
        let mut age = on.year() - birth.year();
        if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
            age -= 1;
        }
        age
    }

    /// Public display form: the eight birth-date digits masked
    /// (`110105********1239`), see PIPL art 6 (minimum necessary).
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// Computes the MOD 11-2 check character of the 17-digit body.
pub fn check_char(body17: &str) -> char {
    let sum: u32 = body17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

fn check_province(prefix: &str) -> Result<(), CitizenIdError> {
    if PROVINCE_PREFIXES.contains(&prefix) { Ok(()) } else { Err(CitizenIdError::Province(prefix.to_string())) }
}

fn birth_date_of(yyyymmdd: &str) -> Result<Date, CitizenIdError> {
    let bad = || CitizenIdError::BirthDate(yyyymmdd.to_string());
    let year: i32 = yyyymmdd[..4].parse().map_err(|_| bad())?;
    let month: u8 = yyyymmdd[4..6].parse().map_err(|_| bad())?;
    let day: u8 = yyyymmdd[6..8].parse().map_err(|_| bad())?;
    if year < 1880 {
        return Err(bad());
    }
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CitizenId {
    /// Debug output is masked so identity numbers never reach logs whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn standard_example_passes() {
        // The example printed in GB 11643-1999 itself.
        let id = CitizenId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_code(), "110105");
    }

    #[test]
    fn digest_worked_example_passes() {
        // legal-rules-a.md §8.1: body 11010519900307123 → check 9.
        assert_eq!(check_char("11010519900307123"), '9');
        let id = CitizenId::parse("110105199003071239").unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.masked(), "110105********1239");
        assert_eq!(id.age_on(date!(2025 - 03 - 06)), 34);
        assert_eq!(id.age_on(date!(2025 - 03 - 07)), 35);
    }

    #[test]
    fn tolerates_spaces_full_width_and_lower_case_x() {
        let id = CitizenId::parse(" １１０１０５ 19491231002x ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn rejects_bad_check_length_charset_province_and_date() {
        assert_eq!(CitizenId::parse("110105199003071238"), Err(CitizenIdError::Check { expected: '9', found: '8' }));
        assert_eq!(CitizenId::parse("1101051990030712"), Err(CitizenIdError::Length(16)));
        assert_eq!(CitizenId::parse(""), Err(CitizenIdError::Empty));
        assert_eq!(CitizenId::parse("1101051990030712A9"), Err(CitizenIdError::Charset));
        assert!(matches!(CitizenId::parse("990105199003071239"), Err(CitizenIdError::Province(_))));
        // 1990-02-30 does not exist.
        let body = "11010519900230123";
        let id = format!("{body}{}", check_char(body));
        assert!(matches!(CitizenId::parse(&id), Err(CitizenIdError::BirthDate(_))));
    }

    #[test]
    fn upgrades_fifteen_digit_numbers() {
        // 15-digit form of the standard's example person born 1949-12-31.
        let id = CitizenId::parse("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn debug_is_masked() {
        let id = CitizenId::parse("110105199003071239").unwrap();
        assert_eq!(format!("{id:?}"), "CitizenId(110105********1239)");
    }

    fn valid_body() -> impl Strategy<Value = String> {
        (prop::sample::select(PROVINCE_PREFIXES.to_vec()), 0u32..10_000, 1900i32..2025, 1u8..=12, 1u8..=28, 0u32..1000)
            .prop_map(|(p, rest, y, m, d, seq)| format!("{p}{rest:04}{y:04}{m:02}{d:02}{seq:03}"))
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_char_parses_and_round_trips(body in valid_body()) {
            let full = format!("{body}{}", check_char(&body));
            let id = CitizenId::parse(&full).unwrap();
            prop_assert_eq!(id.as_str(), full.as_str());
            prop_assert_eq!(CitizenId::parse(id.as_str()).unwrap(), id);
        }

        #[test]
        fn any_other_check_char_is_rejected(body in valid_body(), wrong in prop::sample::select(CHECK_CHARS.to_vec())) {
            let right = check_char(&body);
            prop_assume!(wrong != right);
            let full = format!("{body}{wrong}");
            let is_check_error = matches!(CitizenId::parse(&full), Err(CitizenIdError::Check { .. }));
            prop_assert!(is_check_error);
        }

        #[test]
        fn a_single_digit_change_is_always_detected(body in valid_body(), pos in 0usize..17, delta in 1u8..10) {
            // MOD 11-2 detects every single-digit substitution.
            let full = format!("{body}{}", check_char(&body));
            let mut bytes = full.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(CitizenId::parse(&changed).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = CitizenId::parse(&s);
        }
    }
}
