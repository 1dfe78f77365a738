//! 统一社会信用代码 — unified social credit code (GB 32100-2015).
//!
//! 18 characters over the 31-character set `0-9A-Z` without `I O Z S V`:
//! pos 1 登记管理部门代码, pos 2 机构类别代码, pos 3–8 登记管理机关行政区划码
//! (digits), pos 9–17 主体标识码 — the 9-character 组织机构代码 of GB 11714
//! with its own check character — and pos 18 the check character
//! `31 − (Σ Cᵢ·3^(i−1) mod 31)`.
//!
//! The embedded organisation code uses a *different* alphabet: letters take
//! their full-alphabet values A=10 … Z=35, weights `3 7 9 10 5 8 4 2`, check
//! `11 − (Σ mod 11)` with 10 → `X` and 11 → `0` (GB 11714-1997).
//!
//! Real codes that fail a check do exist (legal-rules-a.md §8.2 caveat), so
//! check failures are a distinct error that an authorised user may override
//! with a reason ([`CreditCode::parse_overriding_checks`]); format errors
//! never can be overridden.

use std::fmt;

use crate::text::normalize_identifier;

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// `3^(i-1) mod 31` for positions 1–17 (GB 32100-2015 §5).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Weights of the 8-character organisation code body (GB 11714-1997).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode {
    code: String,
    checks_pass: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码为空")]
    Empty,
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error("统一社会信用代码第{position}位“{found}”不是允许的字符（数字或除I、O、Z、S、V以外的大写字母）")]
    Charset { position: usize, found: char },
    #[error("统一社会信用代码第3至8位应为行政区划代码（数字）")]
    RegionCode,
    #[error("统一社会信用代码中的组织机构代码校验位错误：按GB 11714计算应为{expected}，实际为{found}")]
    OrganizationCheck { expected: char, found: char },
    #[error("统一社会信用代码校验位错误：按GB 32100-2015计算应为{expected}，实际为{found}")]
    Check { expected: char, found: char },
}

impl CreditCodeError {
    /// Whether the only problem is a check character — the one kind of error
    /// an authorised user may override.
    pub fn is_check_failure(&self) -> bool {
        matches!(self, CreditCodeError::OrganizationCheck { .. } | CreditCodeError::Check { .. })
    }
}

impl CreditCode {
    /// Parses and fully verifies a credit code. Check failures are errors.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = normalize(input)?;
        verify_checks(&code)?;
        Ok(Self { code, checks_pass: true })
    }

    /// Parses a credit code whose format is right but whose check characters
    /// may be wrong. Use only when an authorised user has recorded an
    /// override with a reason; the result remembers that checks failed.
    pub fn parse_overriding_checks(input: &str) -> Result<Self, CreditCodeError> {
        let code = normalize(input)?;
        let checks_pass = verify_checks(&code).is_ok();
        Ok(Self { code, checks_pass })
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// False when this code was accepted under an override.
    pub fn checks_pass(&self) -> bool {
        self.checks_pass
    }

    /// The embedded 9-character 组织机构代码 (positions 9–17).
    pub fn organization_code(&self) -> &str {
        &self.code[8..17]
    }

    pub fn region_code(&self) -> &str {
        &self.code[2..8]
    }
}

fn normalize(input: &str) -> Result<String, CreditCodeError> {
    let s = normalize_identifier(input).to_ascii_uppercase();
    let len = s.chars().count();
    if len == 0 {
        return Err(CreditCodeError::Empty);
    }
    if len != 18 {
        return Err(CreditCodeError::Length(len));
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !CHARSET.contains(*c)) {
        return Err(CreditCodeError::Charset { position: i + 1, found: c });
    }
    if !s[2..8].bytes().all(|b| b.is_ascii_digit()) {
        return Err(CreditCodeError::RegionCode);
    }
    Ok(s)
}

fn verify_checks(code: &str) -> Result<(), CreditCodeError> {
    let expected_org = organization_check_char(&code[8..16]);
    let found_org = char::from(code.as_bytes()[16]);
    if expected_org != Some(found_org) {
        return Err(CreditCodeError::OrganizationCheck { expected: expected_org.unwrap_or('?'), found: found_org });
    }
    let expected = check_char(&code[..17]);
    let found = char::from(code.as_bytes()[17]);
    if expected != Some(found) {
        return Err(CreditCodeError::Check { expected: expected.unwrap_or('?'), found });
    }
    Ok(())
}

/// Check character of a 17-character body over the 31-character set.
pub fn check_char(body17: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in body17.chars().zip(WEIGHTS) {
        sum += CHARSET.find(c)? as u32 * w;
    }
    let value = (31 - sum % 31) % 31;
    CHARSET.chars().nth(value as usize)
}

/// GB 11714-1997 check character of an 8-character organisation-code body.
pub fn organization_check_char(body8: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in body8.chars().zip(ORG_WEIGHTS) {
        sum += c.to_digit(36)? * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        v => char::from_digit(v, 10),
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreditCode({}{})", self.code, if self.checks_pass { "" } else { ", checks overridden" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn digest_worked_example() {
        // legal-rules-a.md §8.2: org body MA01B2C3 → 4; full code → Q.
        assert_eq!(organization_check_char("MA01B2C3"), Some('4'));
        assert_eq!(check_char("91110105MA01B2C34"), Some('Q'));
        let code = CreditCode::parse("91110105MA01B2C34Q").unwrap();
        assert_eq!(code.organization_code(), "MA01B2C34");
        assert_eq!(code.region_code(), "110105");
        assert!(code.checks_pass());
    }

    #[test]
    fn published_vectors_pass() {
        for code in ["91350100M000100Y43", "91512081MA62K0260E", "11320000MB151840XJ", "9131000063159284XQ"] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn bad_checks_are_overridable_errors() {
        let err = CreditCode::parse("91350100M000100Y4Z").unwrap_err();
        assert_eq!(err, CreditCodeError::Charset { position: 18, found: 'Z' });
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(err, CreditCodeError::Check { expected: '3', found: '4' });
        assert!(err.is_check_failure());
        // A real Fujian code reported to fail the check (digest §8.2 caveat).
        let err = CreditCode::parse("91350211M0000XUF46").unwrap_err();
        assert!(err.is_check_failure());
        let overridden = CreditCode::parse_overriding_checks("91350211M0000XUF46").unwrap();
        assert!(!overridden.checks_pass());
    }

    #[test]
    fn format_errors_are_not_overridable() {
        for bad in ["", "9135010", "91350100M000100Y4I", "91ABCDEFM000100Y43"] {
            let err = CreditCode::parse_overriding_checks(bad).unwrap_err();
            assert!(!err.is_check_failure(), "{bad}: {err:?}");
        }
    }

    #[test]
    fn normalizes_case_and_spaces() {
        let code = CreditCode::parse(" 91110105ma01b2c34q ").unwrap();
        assert_eq!(code.as_str(), "91110105MA01B2C34Q");
    }

    fn org_char() -> impl Strategy<Value = char> {
        prop::sample::select("0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect::<Vec<_>>())
    }

    fn valid_code() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["91", "92", "93", "11", "12", "51", "52", "53", "Y1"]),
            100_000u32..999_999,
            prop::collection::vec(org_char(), 8),
        )
            .prop_filter_map("org check char outside the 31-char set", |(prefix, region, org)| {
                let org: String = org.into_iter().collect();
                let org_check = organization_check_char(&org)?;
                let body = format!("{prefix}{region}{org}{org_check}");
                let check = check_char(&body)?;
                Some(format!("{body}{check}"))
            })
    }

    proptest! {
        #[test]
        fn generated_codes_parse_and_round_trip(code in valid_code()) {
            let parsed = CreditCode::parse(&code).unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }

        #[test]
        fn a_changed_last_character_is_detected(code in valid_code(), replacement in org_char()) {
            prop_assume!(!code.ends_with(replacement));
            let changed = format!("{}{}", &code[..17], replacement);
            let err = CreditCode::parse(&changed).unwrap_err();
            prop_assert!(err.is_check_failure());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = CreditCode::parse(&s);
            let _ = CreditCode::parse_overriding_checks(&s);
        }
    }
}
