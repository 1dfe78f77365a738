//! Courts and their hierarchy: 最高人民法院 → 高级人民法院 → 中级人民法院 →
//! 基层人民法院, each identified by its 法院代字 (court code).
//!
//! Court codes follow 《最高人民法院关于人民法院案件案号的若干规定》 (AH) arts 4–5:
//! `最高法` for the SPC; the province's one-character abbreviation for a high
//! court (内 for 内蒙古, 兵 for the XPCC branch, 军 for the PLA court); high-court
//! code + 2 digits for an intermediate court; + 4 digits for a basic court.
//! The digits are not derivable in every case (specialised courts, AH art 5
//! ¶2), so the authoritative list is a table the administrator loads
//! ([`CourtDirectory::parse_csv`]), checked here for consistency.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::text::normalize_identifier;

/// One-character high-court codes (AH art 4).
pub const HIGH_COURT_CODES: &str = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新兵军";
pub const SUPREME_COURT_CODE: &str = "最高法";

/// 法院代字, e.g. `浙`, `浙02`, `浙0203`, `最高法`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CourtCode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "法院代字“{0}”不符合《关于人民法院案件案号的若干规定》第四、五条：应为“最高法”、省级简称，或省级简称加2位（中级法院）或4位（基层法院）数字"
)]
pub struct CourtCodeError(pub String);

impl CourtCode {
    pub fn parse(input: &str) -> Result<Self, CourtCodeError> {
        let s = normalize_identifier(input);
        if s == SUPREME_COURT_CODE {
            return Ok(Self(s));
        }
        let mut chars = s.chars();
        let first = chars.next().ok_or_else(|| CourtCodeError(s.clone()))?;
        let digits: String = chars.collect();
        let digits_ok = digits.bytes().all(|b| b.is_ascii_digit()) && matches!(digits.len(), 0 | 2 | 4);
        if HIGH_COURT_CODES.contains(first) && digits_ok { Ok(Self(s)) } else { Err(CourtCodeError(s)) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level the code's shape implies (AH arts 4–5).
    pub fn implied_level(&self) -> CourtLevel {
        if self.0 == SUPREME_COURT_CODE {
            return CourtLevel::Supreme;
        }
        match self.0.chars().count() {
            1 => CourtLevel::High,
            3 => CourtLevel::Intermediate,
            _ => CourtLevel::Basic,
        }
    }

    /// The high-court part (`浙` of `浙0203`); `None` for the SPC.
    pub fn province(&self) -> Option<char> {
        if self.0 == SUPREME_COURT_CODE { None } else { self.0.chars().next() }
    }
}

impl fmt::Display for CourtCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CourtCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CourtCode({})", self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CourtLevel {
    Supreme,
    High,
    Intermediate,
    Basic,
}

impl CourtLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CourtLevel::Supreme => "supreme",
            CourtLevel::High => "high",
            CourtLevel::Intermediate => "intermediate",
            CourtLevel::Basic => "basic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "supreme" | "最高" | "最高人民法院" => Some(CourtLevel::Supreme),
            "high" | "高级" | "高院" => Some(CourtLevel::High),
            "intermediate" | "中级" | "中院" => Some(CourtLevel::Intermediate),
            "basic" | "基层" => Some(CourtLevel::Basic),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CourtLevel::Supreme => "最高人民法院",
            CourtLevel::High => "高级人民法院",
            CourtLevel::Intermediate => "中级人民法院",
            CourtLevel::Basic => "基层人民法院",
        }
    }

    /// The level directly above, if any.
    pub fn parent_level(self) -> Option<CourtLevel> {
        match self {
            CourtLevel::Supreme => None,
            CourtLevel::High => Some(CourtLevel::Supreme),
            CourtLevel::Intermediate => Some(CourtLevel::High),
            CourtLevel::Basic => Some(CourtLevel::Intermediate),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Court {
    pub code: CourtCode,
    pub name: String,
    pub level: CourtLevel,
    pub parent: Option<CourtCode>,
}

impl Court {
    /// The place whose district the court serves, read from its name: the
    /// last administrative unit before 人民法院 (宁波市北仑区人民法院 → 北仑区,
    /// 浙江省宁波市中级人民法院 → 宁波市, 象山县人民法院 → 象山县). `None` when
    /// the name has no such unit (e.g. 最高人民法院, specialised courts).
    pub fn place_name(&self) -> Option<String> {
        place_name(&self.name)
    }
}

/// See [`Court::place_name`]. A unit ends at 省, 市, 区, 县, 旗, 盟 or 自治州 and
/// has at least two characters (so 济南市市中区 gives 市中区, not 市; 州 alone
/// ends nothing: 杭州市, 鄞州区).
pub fn place_name(court_name: &str) -> Option<String> {
    let name = court_name.trim();
    let name = name.strip_suffix("人民法院")?;
    let name = name.strip_suffix("中级").or_else(|| name.strip_suffix("高级")).unwrap_or(name);
    let mut units = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        current.push(c);
        if ("省市区县旗盟".contains(c) || current.ends_with("自治州")) && current.chars().count() >= 2 {
            units.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        return None;
    }
    units.pop()
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CourtTableError {
    #[error("法院表第{line}行：{reason}")]
    Line { line: usize, reason: String },
    #[error("法院“{code}”：{reason}")]
    Court { code: String, reason: String },
}

/// The court hierarchy, validated: every parent exists and sits exactly one
/// level above its child.
#[derive(Clone, Debug, Default)]
pub struct CourtDirectory {
    courts: BTreeMap<CourtCode, Court>,
    children: BTreeMap<CourtCode, BTreeSet<CourtCode>>,
}

impl CourtDirectory {
    pub fn new(courts: impl IntoIterator<Item = Court>) -> Result<Self, CourtTableError> {
        let mut map = BTreeMap::new();
        for court in courts {
            let code = court.code.clone();
            if map.insert(code.clone(), court).is_some() {
                return Err(CourtTableError::Court { code: code.to_string(), reason: "重复".into() });
            }
        }
        let mut children: BTreeMap<CourtCode, BTreeSet<CourtCode>> = BTreeMap::new();
        for court in map.values() {
            let fail = |reason: String| CourtTableError::Court { code: court.code.to_string(), reason };
            if court.name.trim().is_empty() {
                return Err(fail("缺少名称".into()));
            }
            if court.code.implied_level() != court.level {
                return Err(fail(format!(
                    "代字形式对应{}，与所填级别{}不一致",
                    court.code.implied_level().label_zh(),
                    court.level.label_zh()
                )));
            }
            match (&court.parent, court.level.parent_level()) {
                (None, None) => {}
                (None, Some(_)) => {
                    // A high court may be loaded without the SPC row; lower courts need a parent.
                    if court.level != CourtLevel::High {
                        return Err(fail("缺少上级法院".into()));
                    }
                }
                (Some(_), None) => return Err(fail("最高人民法院不能有上级法院".into())),
                (Some(parent), Some(expected_level)) => {
                    let parent_court = map.get(parent).ok_or_else(|| fail(format!("上级法院“{parent}”不在表中")))?;
                    if parent_court.level != expected_level {
                        return Err(fail(format!("上级法院“{parent}”不是{}", expected_level.label_zh())));
                    }
                    if court.level != CourtLevel::High && parent.province() != court.code.province() {
                        return Err(fail(format!("上级法院“{parent}”不属于同一高级法院辖区")));
                    }
                    children.entry(parent.clone()).or_default().insert(court.code.clone());
                }
            }
        }
        Ok(Self { courts: map, children })
    }

    /// Parses a `code,name,level,parent` table (`#` comments and a header
    /// line allowed; level as `supreme|high|intermediate|basic` or 最高/高级/中级/基层).
    pub fn parse_csv(text: &str) -> Result<Vec<Court>, CourtTableError> {
        let mut courts = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("code,") {
                continue;
            }
            let fail = |reason: String| CourtTableError::Line { line: index + 1, reason };
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != 4 {
                return Err(fail("应有4列：code,name,level,parent".into()));
            }
            let code = CourtCode::parse(fields[0]).map_err(|e| fail(e.to_string()))?;
            let level = CourtLevel::parse(fields[2]).ok_or_else(|| fail(format!("级别“{}”无效", fields[2])))?;
            let parent = if fields[3].is_empty() {
                None
            } else {
                Some(CourtCode::parse(fields[3]).map_err(|e| fail(e.to_string()))?)
            };
            courts.push(Court { code, name: fields[1].to_string(), level, parent });
        }
        Ok(courts)
    }

    pub fn get(&self, code: &CourtCode) -> Option<&Court> {
        self.courts.get(code)
    }

    /// Finds a court by its code text.
    pub fn find(&self, code: &str) -> Option<&Court> {
        CourtCode::parse(code).ok().and_then(|c| self.courts.get(&c))
    }

    pub fn all(&self) -> impl Iterator<Item = &Court> {
        self.courts.values()
    }

    pub fn len(&self) -> usize {
        self.courts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.courts.is_empty()
    }

    /// True when `ancestor` is strictly above `code` in the hierarchy.
    pub fn is_ancestor(&self, ancestor: &CourtCode, code: &CourtCode) -> bool {
        let mut current = self.courts.get(code).and_then(|c| c.parent.as_ref());
        while let Some(parent) = current {
            if parent == ancestor {
                return true;
            }
            current = self.courts.get(parent).and_then(|c| c.parent.as_ref());
        }
        false
    }

    /// The courts one level beneath `code`, in code order.
    pub fn children(&self, code: &CourtCode) -> Vec<CourtCode> {
        self.children.get(code).map(|k| k.iter().cloned().collect()).unwrap_or_default()
    }

    /// The court itself and every court beneath it, depth first.
    pub fn subtree(&self, code: &CourtCode) -> Vec<CourtCode> {
        let mut out = Vec::new();
        let mut stack = vec![code.clone()];
        while let Some(current) = stack.pop() {
            if let Some(kids) = self.children.get(&current) {
                stack.extend(kids.iter().rev().cloned());
            }
            out.push(current);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZJ: &str = "code,name,level,parent
最高法,最高人民法院,supreme,
浙,浙江省高级人民法院,high,最高法
浙02,浙江省宁波市中级人民法院,intermediate,浙
浙0203,宁波市海曙区人民法院,basic,浙02
浙0212,宁波市鄞州区人民法院,basic,浙02
浙01,浙江省杭州市中级人民法院,中级,浙
浙0106,杭州市西湖区人民法院,基层,浙01
";

    fn code(s: &str) -> CourtCode {
        CourtCode::parse(s).unwrap()
    }

    #[test]
    fn parses_codes_of_every_level() {
        assert_eq!(code("最高法").implied_level(), CourtLevel::Supreme);
        assert_eq!(code("浙").implied_level(), CourtLevel::High);
        assert_eq!(code("浙02").implied_level(), CourtLevel::Intermediate);
        assert_eq!(code("浙0203").implied_level(), CourtLevel::Basic);
        assert_eq!(code("京73").implied_level(), CourtLevel::Intermediate);
        assert_eq!(code("浙０２").as_str(), "浙02");
        for bad in ["", "浙2", "浙020", "蒙01", "X01", "浙02031", "最高"] {
            assert!(CourtCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn builds_the_hierarchy() {
        let dir = CourtDirectory::new(CourtDirectory::parse_csv(ZJ).unwrap()).unwrap();
        assert_eq!(dir.len(), 7);
        assert!(dir.is_ancestor(&code("浙02"), &code("浙0203")));
        assert!(dir.is_ancestor(&code("浙"), &code("浙0203")));
        assert!(!dir.is_ancestor(&code("浙01"), &code("浙0203")));
        assert!(!dir.is_ancestor(&code("浙0203"), &code("浙0203")));
        let subtree: Vec<String> = dir.subtree(&code("浙02")).iter().map(|c| c.to_string()).collect();
        assert_eq!(subtree, ["浙02", "浙0203", "浙0212"]);
        assert_eq!(dir.subtree(&code("最高法")).len(), 7);
    }

    #[test]
    fn place_names_come_from_court_names() {
        for (name, place) in [
            ("宁波市北仑区人民法院", Some("北仑区")),
            ("浙江省宁波市中级人民法院", Some("宁波市")),
            ("浙江省高级人民法院", Some("浙江省")),
            ("象山县人民法院", Some("象山县")),
            ("余姚市人民法院", Some("余姚市")),
            ("宁波市鄞州区人民法院", Some("鄞州区")),
            ("恩施土家族苗族自治州中级人民法院", Some("恩施土家族苗族自治州")),
            ("济南市市中区人民法院", Some("市中区")),
            ("内蒙古自治区高级人民法院", Some("内蒙古自治区")),
            ("最高人民法院", None),
            ("杭州互联网法院", None),
        ] {
            assert_eq!(place_name(name).as_deref(), place, "{name}");
        }
        let shipped = CourtDirectory::parse_csv(include_str!("../../../data/courts.csv")).unwrap();
        for court in shipped.iter().filter(|c| c.level != CourtLevel::Supreme) {
            assert!(court.place_name().is_some(), "{}", court.name);
        }
    }

    #[test]
    fn rejects_inconsistent_tables() {
        let missing_parent = "浙0203,海曙,basic,浙02";
        assert!(CourtDirectory::new(CourtDirectory::parse_csv(missing_parent).unwrap()).is_err());
        let wrong_level = "浙,浙江高院,high,\n浙02,宁波中院,basic,浙";
        assert!(CourtDirectory::new(CourtDirectory::parse_csv(wrong_level).unwrap()).is_err());
        let skipping = "浙,浙江高院,high,\n浙0203,海曙,basic,浙";
        assert!(CourtDirectory::new(CourtDirectory::parse_csv(skipping).unwrap()).is_err());
        let other_province = "浙,浙江高院,high,\n苏02,无锡中院,intermediate,浙";
        assert!(CourtDirectory::new(CourtDirectory::parse_csv(other_province).unwrap()).is_err());
        assert!(CourtDirectory::parse_csv("浙02,宁波中院,intermediate").is_err());
    }
}
