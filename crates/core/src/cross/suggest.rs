//! Which court should receive a case moved by 交叉执行: the 便利性 principle
//! (JC 法发〔2024〕9号, part 2: where the main assets and the debtor are, and
//! each court's load per enforcement officer) applied to the courts beneath
//! the deciding court and the deciding court itself, each with its reason.

use rust_decimal::Decimal;

use super::{Receiver, rank_receivers};
use crate::court::{CourtCode, CourtDirectory};

/// What the suggestion reads about one case.
#[derive(Clone, Debug, Default)]
pub struct CaseLocation {
    /// Location courts of the case's seizures in force (one entry per seizure).
    pub seized_in: Vec<CourtCode>,
    /// Respondents' addresses.
    pub respondent_addresses: Vec<String>,
}

/// One court's load: live cases not closed, and active judges and assistants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Load {
    pub open_cases: u32,
    pub officers: u32,
}

/// A ranked receiving court with its reason in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub receiver: Receiver,
    pub court_name: String,
    /// The place name matched against the addresses (e.g. 北仑区).
    pub place: Option<String>,
    /// Seizures in force whose property lies in the court's district.
    pub seizures_here: u32,
    pub reason: String,
}

/// Open cases per officer, two decimals (no officer counts as one).
pub fn load_per_officer(r: &Receiver) -> Decimal {
    (Decimal::from(r.open_cases) / Decimal::from(r.officers.max(1))).round_dp(2)
}

/// The courts beneath `deciding` and `deciding` itself, except the case's
/// own court, best first (see [`rank_receivers`]).
pub fn suggest(
    courts: &CourtDirectory,
    deciding: &CourtCode,
    original: &CourtCode,
    case: &CaseLocation,
    load: impl Fn(&CourtCode) -> Load,
) -> Vec<Suggestion> {
    let mut details = Vec::new();
    let receivers: Vec<Receiver> = courts
        .subtree(deciding)
        .into_iter()
        .filter_map(|code| {
            let court = courts.get(&code)?;
            let place = court.place_name();
            let seizures_here = case.seized_in.iter().filter(|c| **c == code).count() as u32;
            let debtor_here = place.as_deref().is_some_and(|p| case.respondent_addresses.iter().any(|a| a.contains(p)));
            let l = load(&code);
            details.push((code.clone(), court.name.clone(), place, seizures_here));
            Some(Receiver {
                court: code.as_str().to_string(),
                debtor_here,
                assets_here: seizures_here > 0,
                open_cases: l.open_cases,
                officers: l.officers,
            })
        })
        .collect();
    rank_receivers(receivers, original.as_str())
        .into_iter()
        .filter_map(|receiver| {
            let (_, court_name, place, seizures_here) =
                details.iter().find(|(code, ..)| code.as_str() == receiver.court)?.clone();
            let reason = reason(&receiver, place.as_deref(), seizures_here);
            Some(Suggestion { receiver, court_name, place, seizures_here, reason })
        })
        .collect()
}

fn reason(r: &Receiver, place: Option<&str>, seizures_here: u32) -> String {
    let mut parts = Vec::new();
    if r.assets_here {
        parts.push(format!("已查封、扣押、冻结的财产{seizures_here}项在本院辖区"));
    }
    if r.debtor_here {
        parts.push(format!("被执行人住所地在{}", place.unwrap_or("本院辖区")));
    }
    if r.officers == 0 {
        parts.push(format!("未结案件{}件，无在册执行人员", r.open_cases));
    } else {
        parts.push(format!(
            "未结案件{}件、执行人员{}人，人均{}件",
            r.open_cases,
            r.officers,
            load_per_officer(r).normalize()
        ));
    }
    parts.join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "浙,浙江省高级人民法院,high,
浙02,浙江省宁波市中级人民法院,intermediate,浙
浙0203,宁波市海曙区人民法院,basic,浙02
浙0206,宁波市北仑区人民法院,basic,浙02
浙0212,宁波市鄞州区人民法院,basic,浙02
浙01,浙江省杭州市中级人民法院,intermediate,浙
浙0106,杭州市西湖区人民法院,basic,浙01";

    fn c(s: &str) -> CourtCode {
        CourtCode::parse(s).unwrap()
    }

    #[test]
    fn assets_then_debtor_then_load_with_reasons() {
        let dir = CourtDirectory::new(CourtDirectory::parse_csv(TABLE).unwrap()).unwrap();
        let case = CaseLocation {
            seized_in: vec![c("浙0206"), c("浙0206")],
            respondent_addresses: vec!["浙江省宁波市鄞州区天童南路1号".into()],
        };
        let load = |code: &CourtCode| match code.as_str() {
            "浙02" => Load { open_cases: 10, officers: 10 },
            "浙0206" => Load { open_cases: 900, officers: 3 },
            "浙0212" => Load { open_cases: 300, officers: 0 },
            _ => Load { open_cases: 50, officers: 4 },
        };
        let s = suggest(&dir, &c("浙02"), &c("浙0203"), &case, load);
        let order: Vec<&str> = s.iter().map(|x| x.receiver.court.as_str()).collect();
        // 宁波中院 is also a debtor court (the address is in 宁波市), lighter than 鄞州.
        assert_eq!(order, ["浙0206", "浙02", "浙0212"]);
        assert_eq!(s[0].reason, "已查封、扣押、冻结的财产2项在本院辖区；未结案件900件、执行人员3人，人均300件");
        assert!(s[1].reason.starts_with("被执行人住所地在宁波市"));
        assert_eq!(s[2].reason, "被执行人住所地在鄞州区；未结案件300件，无在册执行人员");
        assert_eq!(s[2].place.as_deref(), Some("鄞州区"));
        assert!(s.iter().all(|x| x.receiver.court != "浙0203"), "the original court is never suggested");
        assert!(s.iter().all(|x| x.receiver.court != "浙0106"), "only courts beneath the deciding court");
    }
}
