//! 案号 — case numbers under 《最高人民法院关于人民法院案件案号的若干规定》
//! (法〔2015〕137号, amended by 法〔2018〕335号; "AH").
//!
//! Layout (AH art 3): `（收案年度）法院代字[专门审判代字]类型代字案件编号号`,
//! e.g. `（2025）浙0203执123号`. 案件编号 is a natural number in order of receipt
//! per court, type and year, without zero padding (AH arts 9–10).
//!
//! Normal form: full-width brackets `（）` — the form published judgments use;
//! ASCII brackets are accepted on input (the rule text shows both).
//!
//! Numbers from before 2016-01-01 (e.g. `(2015)朝执字第1234号`) are read as
//! [`LegacyCaseNumber`]s: references only, never issued.

use std::fmt;

use crate::court::{CourtCode, CourtLevel, HIGH_COURT_CODES, SUPREME_COURT_CODE};
use crate::text::fold_width;

/// The year the current numbering took effect (AH, in force 2016-01-01).
pub const FIRST_YEAR_OF_CURRENT_FORMAT: u16 = 2016;

/// 执行类案件类型代字 (legal-rules-a.md §1.3; LJ art 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnforcementType {
    /// 执 — 首次执行案件
    First,
    /// 执恢 — 恢复执行案件
    Resumed,
    /// 执保 — 财产保全执行案件
    Preservation,
    /// 执异 — 执行异议案件
    Objection,
    /// 执复 — 执行复议案件
    Reconsideration,
    /// 执监 — 执行监督案件
    Supervision,
    /// 执协 — 执行协调案件
    Coordination,
    /// 执他 — 其他执行案件
    Other,
}

impl EnforcementType {
    pub const ALL: [EnforcementType; 8] = [
        EnforcementType::First,
        EnforcementType::Resumed,
        EnforcementType::Preservation,
        EnforcementType::Objection,
        EnforcementType::Reconsideration,
        EnforcementType::Supervision,
        EnforcementType::Coordination,
        EnforcementType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EnforcementType::First => "执",
            EnforcementType::Resumed => "执恢",
            EnforcementType::Preservation => "执保",
            EnforcementType::Objection => "执异",
            EnforcementType::Reconsideration => "执复",
            EnforcementType::Supervision => "执监",
            EnforcementType::Coordination => "执协",
            EnforcementType::Other => "执他",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            EnforcementType::First => "首次执行案件",
            EnforcementType::Resumed => "恢复执行案件",
            EnforcementType::Preservation => "财产保全执行案件",
            EnforcementType::Objection => "执行异议案件",
            EnforcementType::Reconsideration => "执行复议案件",
            EnforcementType::Supervision => "执行监督案件",
            EnforcementType::Coordination => "执行协调案件",
            EnforcementType::Other => "其他执行案件",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Lowest court level that can receive this type of case, with the rule.
    ///
    /// - 执复: reconsideration goes to the court one level above the court
    ///   that made the decision (CPL art 236), so never a basic court.
    /// - 执监: supervision of a lower court's enforcement by a higher court
    ///   (CPL art 237; LJ art 1), so never a basic court.
    /// - 执协: disputes between courts reported to their common superior
    ///   (LJ art 1), so never a basic court.
    pub fn lowest_court_level(self) -> (CourtLevel, &'static str) {
        match self {
            EnforcementType::Reconsideration => {
                (CourtLevel::Intermediate, "《民事诉讼法》第二百三十六条：执行复议由上一级人民法院审查")
            }
            EnforcementType::Supervision => (
                CourtLevel::Intermediate,
                "《民事诉讼法》第二百三十七条、《关于执行案件立案、结案若干问题的意见》第一条：执行监督由上级人民法院办理",
            ),
            EnforcementType::Coordination => (
                CourtLevel::Intermediate,
                "《关于执行案件立案、结案若干问题的意见》第一条：执行争议报请共同上级法院协调",
            ),
            _ => (CourtLevel::Basic, ""),
        }
    }
}

/// Non-enforcement type codes the register meets, e.g. in the number of the
/// judgment being enforced (legal-rules-a.md §1.3, third-party tables 🔶).
const OTHER_TYPE_CODES: &[(&str, &str)] = &[
    ("财保", "非诉财产保全审查"),
    ("行保复", "非诉行为保全复议"),
    ("行保", "非诉行为保全审查"),
    ("证保", "非诉证据保全审查"),
    ("司救执", "执行司法救助"),
    ("破申", "破产申请审查"),
    ("破终", "破产上诉"),
    ("破", "破产"),
    ("清申", "强制清算申请审查"),
    ("强清", "强制清算"),
    ("行审复", "非诉行政行为申请执行审查复议"),
    ("行审", "非诉行政行为申请执行审查"),
    ("民初", "民事一审"),
    ("民终", "民事二审"),
    ("民申", "民事申请再审审查"),
    ("民再", "民事再审"),
    ("民监", "民事审判监督"),
    ("民抗", "民事抗诉再审审查"),
    ("民特", "民事特别程序"),
    ("民督", "申请支付令审查"),
    ("民催", "公示催告"),
    ("民辖终", "民事管辖上诉"),
    ("民辖", "民事管辖"),
    ("民他", "其他民事"),
    ("刑初", "刑事一审"),
    ("刑终", "刑事二审"),
    ("刑申", "刑事申诉审查"),
    ("刑再", "刑事再审"),
    ("行初", "行政一审"),
    ("行终", "行政二审"),
    ("行申", "行政申请再审审查"),
    ("行再", "行政再审"),
];

/// 类型代字 of any case a 案号 may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseType {
    Enforcement(EnforcementType),
    /// A known non-enforcement code (its text).
    Other(&'static str),
}

impl CaseType {
    pub fn code(self) -> &'static str {
        match self {
            CaseType::Enforcement(t) => t.code(),
            CaseType::Other(code) => code,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CaseType::Enforcement(t) => t.name_zh(),
            CaseType::Other(code) => OTHER_TYPE_CODES.iter().find(|(c, _)| *c == code).map_or("", |(_, name)| name),
        }
    }

    /// Longest known type code at the start of `s`.
    fn longest_prefix(s: &str) -> Option<CaseType> {
        let enforcement = EnforcementType::ALL.into_iter().map(|t| (t.code(), CaseType::Enforcement(t)));
        let other = OTHER_TYPE_CODES.iter().map(|(c, _)| (*c, CaseType::Other(c)));
        enforcement
            .chain(other)
            .filter(|(code, _)| s.starts_with(code))
            .max_by_key(|(code, _)| code.len())
            .map(|(_, t)| t)
    }
}

/// A 案号 in the current (2016-) format.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    year: u16,
    court: CourtCode,
    /// 专门审判代字 `知` (AH art 2 as amended 2018).
    ip_division: bool,
    case_type: CaseType,
    serial: u32,
}

/// A pre-2016 number such as `(2015)朝执字第1234号`. Its court and type part
/// (`朝执`) is kept as written: the same abbreviation was used by different
/// courts, so it cannot be resolved to a court.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LegacyCaseNumber {
    year: u16,
    prefix: String,
    serial: u32,
}

/// Any case number zhixing can read: current or legacy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CaseReference {
    Current(CaseNumber),
    Legacy(LegacyCaseNumber),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseNumberError {
    #[error("案号为空")]
    Empty,
    #[error("案号“{0}”格式不正确，应如（2025）浙0203执123号")]
    Format(String),
    #[error("案号中的收案年度{0}无效")]
    Year(String),
    #[error("案号中的法院代字无效：{0}")]
    Court(String),
    #[error("案号中的类型代字无法识别：“{0}”")]
    TypeCode(String),
    #[error("案件编号应为不补零的自然数（《关于人民法院案件案号的若干规定》第九、十条）")]
    Serial,
    #[error("“{0}”是2016年以前的旧式案号，只能作为引用，不能作为现行案号")]
    Legacy(String),
}

impl CaseNumber {
    /// Builds a number for issuing. The caller guarantees `serial ≥ 1`.
    pub fn new(year: u16, court: CourtCode, case_type: EnforcementType, serial: u32) -> Self {
        Self { year, court, ip_division: false, case_type: CaseType::Enforcement(case_type), serial: serial.max(1) }
    }

    /// Parses a current-format number; a legacy number is an error here.
    pub fn parse(input: &str) -> Result<Self, CaseNumberError> {
        match CaseReference::parse(input)? {
            CaseReference::Current(n) => Ok(n),
            CaseReference::Legacy(l) => Err(CaseNumberError::Legacy(l.to_string())),
        }
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    pub fn court(&self) -> &CourtCode {
        &self.court
    }

    pub fn case_type(&self) -> CaseType {
        self.case_type
    }

    pub fn serial(&self) -> u32 {
        self.serial
    }

    pub fn is_ip_division(&self) -> bool {
        self.ip_division
    }
}

impl CaseReference {
    pub fn parse(input: &str) -> Result<Self, CaseNumberError> {
        let s: String = fold_width(input).chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(CaseNumberError::Empty);
        }
        let format_error = || CaseNumberError::Format(s.clone());
        let rest = s.strip_prefix(['(', '（']).ok_or_else(format_error)?;
        let close = rest.find([')', '）']).ok_or_else(format_error)?;
        let year_text = &rest[..close];
        let after_year = &rest[close + rest[close..].chars().next().map_or(1, char::len_utf8)..];
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CaseNumberError::Year(year_text.to_string()));
        }
        let year: u16 = year_text.parse().map_err(|_| CaseNumberError::Year(year_text.to_string()))?;
        let body = after_year.strip_suffix('号').ok_or_else(format_error)?;

        if body.contains('字') || year < FIRST_YEAR_OF_CURRENT_FORMAT {
            return parse_legacy(year, body, &s).map(CaseReference::Legacy);
        }

        // 法院代字
        let (court_text, after_court) = if let Some(after) = body.strip_prefix(SUPREME_COURT_CODE) {
            (SUPREME_COURT_CODE.to_string(), after)
        } else {
            let first = body.chars().next().ok_or_else(format_error)?;
            if !HIGH_COURT_CODES.contains(first) {
                return Err(CaseNumberError::Court(first.to_string()));
            }
            let after_first = &body[first.len_utf8()..];
            let digits = after_first.bytes().take_while(u8::is_ascii_digit).count();
            (format!("{first}{}", &after_first[..digits]), &after_first[digits..])
        };
        let court = CourtCode::parse(&court_text).map_err(|e| CaseNumberError::Court(e.0))?;

        // 专门审判代字 + 类型代字
        let (ip_division, after_ip) = match after_court.strip_prefix('知') {
            Some(after) => (true, after),
            None => (false, after_court),
        };
        let case_type = CaseType::longest_prefix(after_ip)
            .ok_or_else(|| CaseNumberError::TypeCode(after_ip.chars().take_while(|c| !c.is_ascii_digit()).collect()))?;
        let serial_text = &after_ip[case_type.code().len()..];
        let serial = parse_serial(serial_text)?;
        Ok(CaseReference::Current(CaseNumber { year, court, ip_division, case_type, serial }))
    }

    pub fn year(&self) -> u16 {
        match self {
            CaseReference::Current(n) => n.year,
            CaseReference::Legacy(l) => l.year,
        }
    }
}

fn parse_serial(text: &str) -> Result<u32, CaseNumberError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.starts_with('0') || text.len() > 9 {
        return Err(CaseNumberError::Serial);
    }
    text.parse().map_err(|_| CaseNumberError::Serial)
}

fn parse_legacy(year: u16, body: &str, whole: &str) -> Result<LegacyCaseNumber, CaseNumberError> {
    let format_error = || CaseNumberError::Format(whole.to_string());
    if year >= FIRST_YEAR_OF_CURRENT_FORMAT {
        return Err(format_error());
    }
    let (prefix, rest) = body.rsplit_once('字').ok_or_else(format_error)?;
    let serial_text = rest.strip_prefix('第').unwrap_or(rest);
    let prefix_ok = !prefix.is_empty()
        && prefix.chars().count() <= 10
        && !prefix.chars().any(|c| c.is_ascii_digit() || c.is_ascii_punctuation());
    if !prefix_ok {
        return Err(format_error());
    }
    let serial = parse_serial(serial_text)?;
    Ok(LegacyCaseNumber { year, prefix: prefix.to_string(), serial })
}

impl LegacyCaseNumber {
    pub fn year(&self) -> u16 {
        self.year
    }

    /// Court and type part as written, e.g. `朝执`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn serial(&self) -> u32 {
        self.serial
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "（{}）{}{}{}{}号",
            self.year,
            self.court,
            if self.ip_division { "知" } else { "" },
            self.case_type.code(),
            self.serial
        )
    }
}

impl fmt::Debug for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseNumber({self})")
    }
}

impl fmt::Display for LegacyCaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "（{}）{}字第{}号", self.year, self.prefix, self.serial)
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseReference::Current(n) => n.fmt(f),
            CaseReference::Legacy(l) => l.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> CaseNumber {
        CaseNumber::parse(s).unwrap()
    }

    #[test]
    fn parses_the_digest_examples() {
        let n = parse("（2024）京0105执12345号");
        assert_eq!(n.year(), 2024);
        assert_eq!(n.court().as_str(), "京0105");
        assert_eq!(n.case_type(), CaseType::Enforcement(EnforcementType::First));
        assert_eq!(n.serial(), 12345);
        assert_eq!(parse("（2025）京0105执恢678号").case_type().code(), "执恢");
        assert_eq!(parse("（2025）粤0703执保45号").case_type().code(), "执保");
        assert_eq!(parse("（2025）浙02执异88号").court().as_str(), "浙02");
        assert_eq!(parse("（2025）苏执复12号").court().as_str(), "苏");
        assert_eq!(parse("（2025）最高法执监100号").court().as_str(), "最高法");
        assert_eq!(parse("（2025）京73执1号").court().as_str(), "京73");
        assert_eq!(parse("（2024）京0105财保321号").case_type(), CaseType::Other("财保"));
        assert_eq!(parse("（2024）浙0203民初1234号").case_type().name_zh(), "民事一审");
        let ip = parse("（2023）最高法知民终5号");
        assert!(ip.is_ip_division());
        assert_eq!(ip.to_string(), "（2023）最高法知民终5号");
    }

    #[test]
    fn accepts_ascii_brackets_and_stores_one_normal_form() {
        let a = parse("(2025)浙0203执123号");
        let b = parse("（2025）浙0203执123号");
        let c = parse(" （２０２５）浙０２０３执１２３号 ");
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a.to_string(), "（2025）浙0203执123号");
    }

    #[test]
    fn longest_type_code_wins() {
        assert_eq!(parse("（2025）浙0203执恢1号").case_type().code(), "执恢");
        assert_eq!(parse("（2025）浙0203破申3号").case_type().code(), "破申");
        assert_eq!(parse("（2025）浙0203破3号").case_type().code(), "破");
        assert_eq!(parse("（2025）浙0203行保复3号").case_type().code(), "行保复");
    }

    #[test]
    fn reads_legacy_numbers_as_references_only() {
        let r = CaseReference::parse("(2015)朝执字第1234号").unwrap();
        let CaseReference::Legacy(l) = &r else { panic!("expected legacy") };
        assert_eq!(l.prefix(), "朝执");
        assert_eq!(l.serial(), 1234);
        assert_eq!(r.to_string(), "（2015）朝执字第1234号");
        assert!(matches!(CaseNumber::parse("(2015)朝执字第1234号"), Err(CaseNumberError::Legacy(_))));
        assert!(CaseReference::parse("(2013)甬鄞执民字567号").is_ok());
    }

    #[test]
    fn rejects_malformed_numbers() {
        for bad in [
            "",
            "2025浙0203执123号",
            "（2025）浙0203执123",
            "（25）浙0203执123号",
            "（2025）浙0203执0123号",
            "（2025）浙0203执号",
            "（2025）浙0203查123号",
            "（2025）蒙01执1号",
            "（2025）浙020执1号",
            "（2016）朝执字第1号",
            "（2025）浙0203执12a号",
        ] {
            assert!(CaseReference::parse(bad).is_err(), "{bad}");
        }
    }

    fn court_code() -> impl Strategy<Value = String> {
        let provinces: Vec<char> = HIGH_COURT_CODES.chars().collect();
        prop_oneof![
            Just(SUPREME_COURT_CODE.to_string()),
            prop::sample::select(provinces.clone()).prop_map(|p| p.to_string()),
            (prop::sample::select(provinces.clone()), 1u32..100).prop_map(|(p, d)| format!("{p}{d:02}")),
            (prop::sample::select(provinces), 1u32..10_000).prop_map(|(p, d)| format!("{p}{d:04}")),
        ]
    }

    fn type_code() -> impl Strategy<Value = &'static str> {
        let mut codes: Vec<&'static str> = EnforcementType::ALL.iter().map(|t| t.code()).collect();
        codes.extend(OTHER_TYPE_CODES.iter().map(|(c, _)| *c));
        prop::sample::select(codes)
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(year in 2016u16..2100, court in court_code(), t in type_code(), serial in 1u32..100_000_000, ascii in any::<bool>()) {
            let text = if ascii {
                format!("({year}){court}{t}{serial}号")
            } else {
                format!("（{year}）{court}{t}{serial}号")
            };
            let n = CaseNumber::parse(&text).unwrap();
            prop_assert_eq!(n.year(), year);
            prop_assert_eq!(n.court().as_str(), court.as_str());
            prop_assert_eq!(n.case_type().code(), t);
            prop_assert_eq!(n.serial(), serial);
            prop_assert_eq!(CaseNumber::parse(&n.to_string()).unwrap(), n);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = CaseReference::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_misses(prefix in "[(（]?[0-9]{0,5}[)）]?", court in court_code(), tail in "[执恢保字第0-9号]{0,8}") {
            let _ = CaseReference::parse(&format!("{prefix}{court}{tail}"));
        }
    }
}
