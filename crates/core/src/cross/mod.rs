//! 交叉执行 (cross enforcement) — the pure rules a higher court's command
//! centre works with: the forms of a decision and how each is counted,
//! the flags that make a case a candidate (with their reasons and weights),
//! the 便利性 ranking of receiving courts, outcomes, the accountability
//! findings, the petition deadline, and the statistics exactly as the SPC
//! counts them (legal-rules-b §5; the seed article).
//!
//! Storage, API and pages build on this module (issue 6); it has no IO.

use rust_decimal::Decimal;
use time::Date;

use crate::calendar::WorkCalendar;
use crate::credit::listing::coded;
use crate::money::Money;
use crate::workflow::deadlines::add_months;

pub mod suggest;

coded! {
    /// The forms of a 交叉执行 decision (JC 法发〔2024〕9号; CPL art 237; ZG art 74).
    CrossForm {
        Supervise = "supervise", "督促执行";
        Designate = "designate", "指令执行";
        Elevate = "elevate", "提级执行";
        Concentrate = "concentrate", "集中执行";
        Coordinate = "coordinate", "协同执行";
        Internal = "internal", "内部交叉";
        Task = "task", "事项交叉";
    }
}

impl CrossForm {
    /// Whole-case moves: the original case is closed by transfer (no ruling,
    /// LJ art 17) and the receiving court files a new case.
    pub fn moves_case(self) -> bool {
        matches!(self, CrossForm::Designate | CrossForm::Elevate | CrossForm::Concentrate)
    }

    /// The seed's count of cross-enforced cases excludes 内部交叉, 事项交叉
    /// and 督促执行 (督促执行's recovered amount is reported separately).
    pub fn counts_as_cross_enforced(self) -> bool {
        !matches!(self, CrossForm::Internal | CrossForm::Task | CrossForm::Supervise)
    }

    pub fn rule(self) -> &'static str {
        match self {
            CrossForm::Supervise => "《民事诉讼法》第二百三十七条；《执行工作若干问题的规定（试行）》第七十四条",
            CrossForm::Designate | CrossForm::Elevate => {
                "《民事诉讼法》第二百三十七条；《关于交叉执行工作的指导意见》第二部分"
            }
            CrossForm::Concentrate => "《关于交叉执行工作的指导意见》第三部分",
            CrossForm::Coordinate => "《关于交叉执行工作的指导意见》第四部分",
            CrossForm::Internal | CrossForm::Task => {
                "《关于交叉执行工作的指导意见》（内部交叉、事项交叉无官方定义，单独统计）"
            }
        }
    }
}

coded! {
    /// Why a case is a candidate.
    Flag {
        PetitionWithLeads = "petition_with_leads", "执行信访且提供了财产线索";
        ZhongbenNewLead = "zhongben_new_lead", "终本案件出现新的财产线索";
        LongZhongben = "long_zhongben", "终本时间较长";
        Livelihood = "livelihood", "涉民生案件（劳动报酬、赡养扶养抚养、人身损害赔偿等）";
        PastSixMonths = "past_six_months", "立案满六个月未执结（民事诉讼法第二百三十七条）";
        OpenOverAYear = "open_over_a_year", "立案超过一年未执结";
        LocalDebtor = "local_debtor", "被执行人为当地政府机关或国有企业";
    }
}

/// Weights, thresholds and word lists of the candidate rules: local and
/// changing practice, so policy with documented defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossPolicy {
    /// Points per flag (the ranked list sums them).
    pub weights: Vec<(Flag, u32)>,
    /// A 终本 older than this counts as a long 终本 history.
    pub long_zhongben_months: u32,
    /// Words in the operative text that mark a livelihood case (by cause of action).
    pub livelihood_words: Vec<&'static str>,
    /// Words in an organisation debtor's name that mark a local government
    /// body or state enterprise (with credit codes registered by 机构编制, leading `1`).
    pub local_debtor_words: Vec<&'static str>,
    /// JF 2021 item 5 says 30 日, JW 2021 item 30 (later) says 30 个工作日:
    /// default working days, the later rule.
    pub petition_days: u32,
    pub petition_working_days: bool,
    /// Days the higher court gives itself to close an accountability review.
    pub review_days: u32,
}

impl Default for CrossPolicy {
    fn default() -> Self {
        CrossPolicy {
            weights: vec![
                (Flag::PetitionWithLeads, 40),
                (Flag::ZhongbenNewLead, 35),
                (Flag::LocalDebtor, 30),
                (Flag::Livelihood, 25),
                (Flag::OpenOverAYear, 20),
                (Flag::PastSixMonths, 10),
                (Flag::LongZhongben, 10),
            ],
            long_zhongben_months: 24,
            livelihood_words: vec![
                "劳动报酬",
                "工资",
                "农民工",
                "劳务费",
                "赡养",
                "扶养",
                "抚养",
                "抚育",
                "人身损害",
                "医疗费",
                "伤残",
                "死亡赔偿",
            ],
            local_debtor_words: vec![
                "人民政府",
                "管理委员会",
                "管委会",
                "街道办事处",
                "国有资产",
                "国资",
                "城市建设投资",
                "城投",
                "交通投资",
            ],
            petition_days: 30,
            petition_working_days: true,
            review_days: 30,
        }
    }
}

impl CrossPolicy {
    pub fn weight(&self, flag: Flag) -> u32 {
        self.weights.iter().find(|(f, _)| *f == flag).map_or(0, |(_, w)| *w)
    }
}

/// What the candidate rules read about a case.
#[derive(Clone, Debug)]
pub struct CandidateFacts<'a> {
    pub filed_on: Date,
    /// `None` while open; the closing date and whether it was 终本.
    pub closed: Option<(Date, bool)>,
    /// Open petitions: (received on, with property leads).
    pub petitions: &'a [(Date, bool)],
    /// Dates of property leads received (after 终本 they are new leads).
    pub leads: &'a [Date],
    pub operative_text: &'a str,
    /// Organisation debtors: (name, credit code).
    pub organisation_debtors: &'a [(String, String)],
}

/// Every flag the case raises today, each with its reason in words.
pub fn flags(f: &CandidateFacts, today: Date, policy: &CrossPolicy) -> Vec<(Flag, String)> {
    let mut out = Vec::new();
    if let Some((on, _)) = f.petitions.iter().find(|(_, leads)| *leads) {
        out.push((Flag::PetitionWithLeads, format!("{}收到执行信访，附财产线索", crate::calendar::chinese_date(*on))));
    }
    match f.closed {
        Some((closed_on, true)) => {
            if let Some(lead) = f.leads.iter().filter(|d| **d > closed_on).max() {
                out.push((
                    Flag::ZhongbenNewLead,
                    format!("终本后于{}收到新的财产线索", crate::calendar::chinese_date(*lead)),
                ));
            }
            if add_months(closed_on, policy.long_zhongben_months) <= today {
                out.push((
                    Flag::LongZhongben,
                    format!(
                        "{}终本，已逾{}个月",
                        crate::calendar::chinese_date(closed_on),
                        policy.long_zhongben_months
                    ),
                ));
            }
        }
        Some(_) => {}
        None => {
            if add_months(f.filed_on, 12) < today {
                out.push((
                    Flag::OpenOverAYear,
                    format!("{}立案，超过一年未执结", crate::calendar::chinese_date(f.filed_on)),
                ));
            } else if add_months(f.filed_on, 6) < today {
                out.push((
                    Flag::PastSixMonths,
                    format!("{}立案，满六个月未执结", crate::calendar::chinese_date(f.filed_on)),
                ));
            }
        }
    }
    if let Some(word) = policy.livelihood_words.iter().find(|w| f.operative_text.contains(**w)) {
        out.push((Flag::Livelihood, format!("执行依据涉及“{word}”")));
    }
    for (name, code) in f.organisation_debtors {
        let word = policy.local_debtor_words.iter().find(|w| name.contains(**w));
        if word.is_some() || code.starts_with('1') {
            let why = match word {
                Some(w) => format!("被执行人“{name}”（名称含“{w}”）"),
                None => format!("被执行人“{name}”为机关（统一社会信用代码登记管理部门为机构编制）"),
            };
            out.push((Flag::LocalDebtor, why));
            break;
        }
    }
    out
}

pub fn score(flags: &[(Flag, String)], policy: &CrossPolicy) -> u32 {
    flags.iter().map(|(f, _)| policy.weight(*f)).sum()
}

/// A court that could receive a case, as the 便利性 principle weighs it
/// (JC art 2: where the debtor and the main assets are, and each court's
/// load per enforcement officer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receiver {
    pub court: String,
    pub debtor_here: bool,
    pub assets_here: bool,
    pub open_cases: u32,
    pub officers: u32,
}

/// Receivers best first: main assets there, then debtor there, then the
/// lightest load (open cases per officer); the original court is excluded.
pub fn rank_receivers(mut receivers: Vec<Receiver>, original: &str) -> Vec<Receiver> {
    receivers.retain(|r| r.court != original);
    receivers.sort_by(|a, b| {
        let load = |r: &Receiver| Decimal::from(r.open_cases) / Decimal::from(r.officers.max(1));
        (!a.assets_here, !a.debtor_here, load(a), a.court.clone()).cmp(&(
            !b.assets_here,
            !b.debtor_here,
            load(b),
            b.court.clone(),
        ))
    });
    receivers
}

/// The last day to finish a petition.
pub fn petition_due(received_on: Date, calendar: &WorkCalendar, policy: &CrossPolicy) -> Date {
    if policy.petition_working_days {
        crate::workflow::deadlines::working_day_horizon(calendar, received_on, policy.petition_days)
    } else {
        calendar
            .period_end(received_on, policy.petition_days)
            .unwrap_or_else(|_| crate::workflow::state::add_days(received_on, policy.petition_days))
    }
}

coded! {
    /// What a cross-enforced case reports.
    OutcomeKind {
        PropertyFound = "property_found", "新发现财产（实质进展）";
        PropertyControlled = "property_controlled", "控制财产（实质进展）";
        PartialPayment = "partial_payment", "部分执行到位（实质进展）";
        Settlement = "settlement", "达成执行和解（实质进展）";
        Completed = "completed", "执行完毕（化解）";
        SettlementPerformed = "settlement_performed", "和解履行完毕（化解）";
        PetitionWithdrawn = "petition_withdrawn", "信访息诉罢访（化解）";
        NoProspectZhongben = "no_prospect_zhongben", "无实质进展，具备终本条件";
        NoProspectBankruptcy = "no_prospect_bankruptcy", "无实质进展，移送破产审查（执转破）";
    }
}

impl OutcomeKind {
    /// 实质进展 or 化解, the seed's numerator.
    pub fn progress_or_resolution(self) -> bool {
        !matches!(self, OutcomeKind::NoProspectZhongben | OutcomeKind::NoProspectBankruptcy)
    }

    /// An outcome with money or real progress opens a review of the
    /// original court's handling (the seed's question: why not before?).
    pub fn opens_review(self, recovered: Money) -> bool {
        self.progress_or_resolution() || !recovered.is_zero()
    }
}

coded! {
    /// Findings of the accountability review of the original court.
    Finding {
        Favour = "favour", "人情案";
        Relationship = "relationship", "关系案";
        Money = "money", "金钱案";
        Neglect = "neglect", "疏于职守";
        Passive = "passive", "消极执行、拖延执行";
        NoFault = "no_fault", "未发现过错";
    }
}

/// One decision as the statistics read it.
#[derive(Clone, Debug)]
pub struct DecisionFacts {
    pub form: CrossForm,
    pub decided_on: Date,
    pub outcomes: Vec<OutcomeKind>,
    pub recovered: Money,
}

impl DecisionFacts {
    /// What this decision adds to its group: one decision, progressed if any
    /// outcome is 实质进展 or 化解, and the money of all its outcomes.
    pub fn group(&self) -> DecisionGroup {
        DecisionGroup {
            form: self.form,
            decisions: 1,
            progressed: u64::from(self.outcomes.iter().any(|o| o.progress_or_resolution())),
            recovered: self.recovered,
        }
    }
}

/// Decisions of one form taken together: what a `GROUP BY … form` over the
/// stored decisions reads (the store maintains, per decision, whether it has
/// progressed and what it recovered — [`DecisionFacts::group`] per row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionGroup {
    pub form: CrossForm,
    /// All decisions of the group.
    pub decisions: u64,
    /// Of them, with at least one outcome of 实质进展 or 化解.
    pub progressed: u64,
    /// Recovered by the group's decisions.
    pub recovered: Money,
}

/// The statistics exactly as the seed counts them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedStatistics {
    /// Every decision, whatever its form (not a seed figure; the base of a breakdown row).
    pub decisions: u64,
    /// Cases cross-enforced, excluding 内部交叉, 事项交叉 and 督促执行.
    pub cross_enforced: u64,
    /// Of them, with 实质进展 or 化解.
    pub progressed_or_resolved: u64,
    /// The share in percent, rounded half-up to one decimal (the seed's 44.1 %).
    pub share_percent: Decimal,
    /// Recovered by the counted cases.
    pub recovered: Money,
    /// Recovered under 督促执行, reported separately.
    pub supervised_recovered: Money,
    /// 内部交叉 and 事项交叉, counted apart.
    pub internal_or_task: u64,
}

/// Counts decisions in `[from, to]`.
pub fn seed_statistics(decisions: &[DecisionFacts], from: Date, to: Date) -> SeedStatistics {
    let groups: Vec<DecisionGroup> =
        decisions.iter().filter(|d| d.decided_on >= from && d.decided_on <= to).map(DecisionFacts::group).collect();
    group_statistics(&groups)
}

/// The seed's statistics over groups of decisions: the one place that says
/// which forms count (the seed article: "不含内部交叉案件及事项交叉案件，不含督促执行案件";
/// 督促执行's money reported apart). Any partition of the decisions into
/// groups gives the same figures as [`seed_statistics`] over the decisions.
pub fn group_statistics(groups: &[DecisionGroup]) -> SeedStatistics {
    let mut s = SeedStatistics::default();
    for g in groups {
        s.decisions += g.decisions;
        if g.form.counts_as_cross_enforced() {
            s.cross_enforced += g.decisions;
            s.progressed_or_resolved += g.progressed;
            s.recovered = s.recovered.checked_add(g.recovered).unwrap_or(s.recovered);
        } else if g.form == CrossForm::Supervise {
            s.supervised_recovered = s.supervised_recovered.checked_add(g.recovered).unwrap_or(s.supervised_recovered);
        } else {
            s.internal_or_task += g.decisions;
        }
    }
    if s.cross_enforced > 0 {
        let share = Decimal::from(s.progressed_or_resolved) * Decimal::from(100) / Decimal::from(s.cross_enforced);
        s.share_percent = share.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        s.share_percent.rescale(1);
    }
    s
}

/// 集中执行 joins cases against the same debtor (JC 法发〔2024〕9号 第三部分;
/// 黄文俊 2026-01-26: "同一被执行人在多个法院的系列案件"): the identity numbers
/// every case has among its respondents, in the first case's order. Empty
/// when the cases share no respondent (and so cannot be concentrated).
pub fn common_respondents(respondent_ids: &[Vec<String>]) -> Vec<String> {
    let Some((first, rest)) = respondent_ids.split_first() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for id in first {
        if !out.contains(id) && rest.iter().all(|ids| ids.contains(id)) {
            out.push(id.clone());
        }
    }
    out
}

/// The rule a 集中执行 of several cases must meet.
pub const CONCENTRATION_RULE: &str = "《关于交叉执行工作的指导意见》第三部分（集中执行：同一被执行人的关联、系列案件）";

/// A petition is overdue when it is still open after its last day, or was
/// closed after it (JW 2021 item 30; [`petition_due`]).
pub fn petition_overdue(due_on: Date, closed_on: Option<Date>, today: Date) -> bool {
    match closed_on {
        Some(closed) => closed > due_on,
        None => today > due_on,
    }
}

/// A statutory step the original court missed, as the accountability
/// review reads its handling (the seed's question: why not before?).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissedStep {
    pub label: String,
    pub rule: String,
    pub due_on: Date,
    /// Done late (`Some`) or not done by `until` (`None`).
    pub met_on: Option<Date>,
}

/// The original case's deadlines that were met late or not met before
/// `until` (the 交叉执行 decision, whose transfer closes the case without
/// the original court having done anything), earliest first. Deadlines falling due
/// after `until` are not the original court's failing.
pub fn missed_steps(deadlines: &[crate::workflow::deadlines::Deadline], until: Date) -> Vec<MissedStep> {
    let mut out: Vec<MissedStep> = deadlines
        .iter()
        .filter_map(|d| {
            let due = d.due_on?;
            // Met only by the transfer itself (closing on the decision's
            // day) is not met by the original court.
            let met_on = d.met_on.filter(|met| *met < until);
            let missed = match met_on {
                Some(met) => met > due,
                None => due < until,
            };
            missed.then(|| MissedStep { label: d.label.clone(), rule: d.rule.clone(), due_on: due, met_on })
        })
        .collect();
    out.sort_by_key(|m| m.due_on);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 27);

    fn facts<'a>(
        filed_on: Date,
        closed: Option<(Date, bool)>,
        petitions: &'a [(Date, bool)],
        leads: &'a [Date],
        text: &'a str,
        orgs: &'a [(String, String)],
    ) -> CandidateFacts<'a> {
        CandidateFacts { filed_on, closed, petitions, leads, operative_text: text, organisation_debtors: orgs }
    }

    fn kinds(f: &CandidateFacts) -> Vec<Flag> {
        flags(f, TODAY, &CrossPolicy::default()).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn each_rule_flags_with_its_reason() {
        let p = [(date!(2026 - 10 - 01), true)];
        assert_eq!(kinds(&facts(date!(2026 - 09 - 01), None, &p, &[], "", &[])), [Flag::PetitionWithLeads]);
        let no_leads = [(date!(2026 - 10 - 01), false)];
        assert!(kinds(&facts(date!(2026 - 09 - 01), None, &no_leads, &[], "", &[])).is_empty());
        assert_eq!(kinds(&facts(date!(2026 - 05 - 01), None, &[], &[], "", &[])), [Flag::PastSixMonths]);
        assert_eq!(kinds(&facts(date!(2025 - 10 - 01), None, &[], &[], "", &[])), [Flag::OpenOverAYear]);
        let closed = Some((date!(2026 - 03 - 01), true));
        let lead = [date!(2026 - 06 - 01)];
        assert_eq!(kinds(&facts(date!(2025 - 12 - 01), closed, &[], &lead, "", &[])), [Flag::ZhongbenNewLead]);
        let old = Some((date!(2024 - 09 - 01), true));
        assert_eq!(kinds(&facts(date!(2024 - 01 - 01), old, &[], &[], "", &[])), [Flag::LongZhongben]);
        let completed = Some((date!(2024 - 09 - 01), false));
        assert!(kinds(&facts(date!(2024 - 01 - 01), completed, &[], &[], "", &[])).is_empty());
        let f = facts(date!(2026 - 09 - 01), None, &[], &[], "被告支付原告劳动报酬12000元", &[]);
        let got = flags(&f, TODAY, &CrossPolicy::default());
        assert_eq!(got[0].0, Flag::Livelihood);
        assert!(got[0].1.contains("劳动报酬"));
        let orgs = [("某县城市建设投资有限公司".to_string(), "91330203MA1000009Y".to_string())];
        assert_eq!(kinds(&facts(date!(2026 - 09 - 01), None, &[], &[], "", &orgs)), [Flag::LocalDebtor]);
        let organ = [("某某办公室".to_string(), "11330203002516123X".to_string())];
        assert_eq!(kinds(&facts(date!(2026 - 09 - 01), None, &[], &[], "", &organ)), [Flag::LocalDebtor]);
    }

    #[test]
    fn scores_sum_the_weights() {
        let p = [(date!(2026 - 10 - 01), true)];
        let f = facts(date!(2025 - 10 - 01), None, &p, &[], "赡养费", &[]);
        let fl = flags(&f, TODAY, &CrossPolicy::default());
        assert_eq!(score(&fl, &CrossPolicy::default()), 40 + 20 + 25);
    }

    #[test]
    fn receivers_ranked_by_convenience_then_load() {
        let r = |court: &str, debtor, assets, open, officers| Receiver {
            court: court.into(),
            debtor_here: debtor,
            assets_here: assets,
            open_cases: open,
            officers,
        };
        let ranked = rank_receivers(
            vec![
                r("浙0203", true, true, 10, 1),
                r("浙0212", false, false, 100, 20),
                r("浙0205", false, false, 100, 10),
                r("浙0206", true, false, 500, 5),
                r("浙0281", false, true, 900, 3),
            ],
            "浙0203",
        );
        let order: Vec<&str> = ranked.iter().map(|r| r.court.as_str()).collect();
        assert_eq!(order, ["浙0281", "浙0206", "浙0212", "浙0205"]);
    }

    #[test]
    fn statistics_exclude_internal_task_and_supervision() {
        let m = |s: &str| Money::parse(s).unwrap();
        let d = |form, on, outcomes: &[OutcomeKind], rec: &str| DecisionFacts {
            form,
            decided_on: on,
            outcomes: outcomes.to_vec(),
            recovered: m(rec),
        };
        let decisions = [
            d(CrossForm::Designate, date!(2026 - 03 - 01), &[OutcomeKind::PartialPayment], "1000"),
            d(CrossForm::Elevate, date!(2026 - 04 - 01), &[OutcomeKind::NoProspectZhongben], "0"),
            d(CrossForm::Concentrate, date!(2026 - 05 - 01), &[OutcomeKind::Completed], "5000.50"),
            d(CrossForm::Coordinate, date!(2026 - 06 - 01), &[], "0"),
            d(CrossForm::Designate, date!(2026 - 07 - 01), &[OutcomeKind::PetitionWithdrawn], "0"),
            d(CrossForm::Designate, date!(2026 - 08 - 01), &[OutcomeKind::NoProspectBankruptcy], "0"),
            d(CrossForm::Elevate, date!(2026 - 09 - 01), &[], "0"),
            d(CrossForm::Supervise, date!(2026 - 03 - 01), &[OutcomeKind::PartialPayment], "777"),
            d(CrossForm::Internal, date!(2026 - 03 - 01), &[OutcomeKind::Completed], "300"),
            d(CrossForm::Task, date!(2026 - 03 - 01), &[], "0"),
            d(CrossForm::Designate, date!(2025 - 12 - 31), &[OutcomeKind::Completed], "999"),
        ];
        let s = seed_statistics(&decisions, date!(2026 - 01 - 01), date!(2026 - 12 - 31));
        // 7 counted (3 designate, 2 elevate, 1 concentrate, 1 coordinate); 3 with progress or resolution.
        assert_eq!(s.cross_enforced, 7);
        assert_eq!(s.progressed_or_resolved, 3);
        assert_eq!(s.share_percent, Decimal::new(429, 1), "3/7 = 42.857… → 42.9");
        assert_eq!(s.recovered, m("6000.50"));
        assert_eq!(s.supervised_recovered, m("777"));
        assert_eq!(s.internal_or_task, 2);
        assert_eq!(s.decisions, 10);
    }

    #[test]
    fn concentration_needs_a_common_respondent() {
        let v = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_respondents(&[v(&["A", "B"]), v(&["B", "C"]), v(&["B"])]), ["B"]);
        assert!(common_respondents(&[v(&["A"]), v(&["C"])]).is_empty());
        assert_eq!(common_respondents(&[v(&["A", "A"])]), ["A"]);
        assert!(common_respondents(&[]).is_empty());
    }

    #[test]
    fn petitions_overdue_after_their_last_day() {
        let due = date!(2026 - 12 - 14);
        assert!(!petition_overdue(due, None, due));
        assert!(petition_overdue(due, None, date!(2026 - 12 - 15)));
        assert!(!petition_overdue(due, Some(due), date!(2027 - 01 - 30)));
        assert!(petition_overdue(due, Some(date!(2026 - 12 - 15)), date!(2026 - 12 - 15)));
    }

    fn arb_decision() -> impl Strategy<Value = DecisionFacts> {
        (
            prop::sample::select(CrossForm::ALL.to_vec()),
            0i64..400,
            prop::collection::vec(prop::sample::select(OutcomeKind::ALL.to_vec()), 0..4),
            0i64..10_000_000,
        )
            .prop_map(|(form, day, outcomes, fen)| DecisionFacts {
                form,
                decided_on: date!(2025 - 12 - 01) + time::Duration::days(day),
                outcomes,
                recovered: Money::from_fen(fen).unwrap(),
            })
    }

    proptest! {
        /// Whatever the grouping (by court, form, month …), the figures over
        /// the groups are the seed's figures over the decisions.
        #[test]
        fn grouped_statistics_equal_the_seed_count(
            decisions in prop::collection::vec(arb_decision(), 0..60),
            keys in prop::collection::vec(0u8..5, 60),
        ) {
            let (from, to) = (date!(2026 - 01 - 01), date!(2026 - 12 - 31));
            let expected = seed_statistics(&decisions, from, to);
            let mut groups: std::collections::BTreeMap<(u8, &str), DecisionGroup> = Default::default();
            for (d, key) in decisions.iter().zip(&keys).filter(|(d, _)| d.decided_on >= from && d.decided_on <= to) {
                let one = d.group();
                let g = groups.entry((*key, d.form.code())).or_insert(DecisionGroup {
                    form: d.form,
                    decisions: 0,
                    progressed: 0,
                    recovered: Money::ZERO,
                });
                g.decisions += one.decisions;
                g.progressed += one.progressed;
                g.recovered = g.recovered.checked_add(one.recovered).unwrap();
            }
            let groups: Vec<DecisionGroup> = groups.into_values().collect();
            prop_assert_eq!(group_statistics(&groups), expected);
        }
    }

    #[test]
    fn outcome_classes_and_reviews() {
        assert!(OutcomeKind::Settlement.progress_or_resolution());
        assert!(!OutcomeKind::NoProspectZhongben.progress_or_resolution());
        assert!(OutcomeKind::NoProspectZhongben.opens_review(Money::parse("1").unwrap()));
        assert!(!OutcomeKind::NoProspectBankruptcy.opens_review(Money::ZERO));
        assert!(CrossForm::Designate.moves_case() && !CrossForm::Coordinate.moves_case());
    }

    #[test]
    fn petition_deadline_follows_the_policy() {
        let cal = WorkCalendar::default();
        let working = petition_due(date!(2026 - 11 - 02), &cal, &CrossPolicy::default());
        assert_eq!(working, date!(2026 - 12 - 14), "30 working days (weekends only without the calendar)");
        let days = CrossPolicy { petition_working_days: false, ..CrossPolicy::default() };
        assert_eq!(petition_due(date!(2026 - 11 - 02), &cal, &days), date!(2026 - 12 - 02));
    }

    #[test]
    fn missed_steps_are_late_or_undone_before_the_decision() {
        use crate::workflow::deadlines::{Deadline, DeadlineKind};
        let d = |kind, due: Option<Date>, met: Option<Date>| Deadline {
            kind,
            seq: 0,
            label: kind.label_zh().to_string(),
            rule: "规则".into(),
            started_on: date!(2026 - 01 - 01),
            due_on: due,
            met_on: met,
            moot: false,
            provisional: false,
            note: String::new(),
        };
        let deadlines = vec![
            d(DeadlineKind::Notice, Some(date!(2026 - 01 - 11)), Some(date!(2026 - 01 - 20))),
            d(DeadlineKind::JudgeAssignment, Some(date!(2026 - 01 - 08)), Some(date!(2026 - 01 - 05))),
            d(DeadlineKind::ClosingLimit, Some(date!(2026 - 07 - 01)), None),
            d(DeadlineKind::LeadVerification, Some(date!(2026 - 12 - 01)), None),
            d(DeadlineKind::HigherCourtRight, None, None),
        ];
        let missed = missed_steps(&deadlines, date!(2026 - 11 - 20));
        assert_eq!(missed.len(), 2);
        assert_eq!(
            (missed[0].label.as_str(), missed[0].met_on),
            (DeadlineKind::Notice.label_zh(), Some(date!(2026 - 01 - 20)))
        );
        assert_eq!((missed[1].due_on, missed[1].met_on), (date!(2026 - 07 - 01), None));
    }
}
