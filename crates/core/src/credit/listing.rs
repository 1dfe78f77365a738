//! The 失信 listing: grounds (SX art 1), bars (SX arts 3–4, SW art 16),
//! capacity (失信 vs 失能), severity, and the listing's life.

use time::Date;

use super::policy::CreditPolicy;
use crate::money::Money;
use crate::workflow::deadlines::add_months;
use crate::workflow::{Missing, Refusal};

macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $( $variant:ident = $code:literal, $label:literal; )* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            pub fn code(self) -> &'static str { match self { $( $name::$variant => $code, )* } }
            pub fn label_zh(self) -> &'static str { match self { $( $name::$variant => $label, )* } }
            pub fn parse(code: &str) -> Option<$name> { Self::ALL.iter().copied().find(|g| g.code() == code.trim()) }
        }
    };
}
pub(crate) use coded;

coded! {
    /// The six grounds of SX art 1.
    DishonestGround {
        AbleButRefuses = "s1", "有履行能力而拒不履行生效法律文书确定义务（第一条第一项）";
        Obstructs = "s2", "以伪造证据、暴力、威胁等方法妨碍、抗拒执行（第一条第二项）";
        Evades = "s3", "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行（第一条第三项）";
        ViolatesReporting = "s4", "违反财产报告制度（第一条第四项）";
        BreachesRestriction = "s5", "违反限制消费令（第一条第五项）";
        BreachesSettlement = "s6", "无正当理由拒不履行执行和解协议（第一条第六项）";
    }
}

impl DishonestGround {
    /// SX art 2: S1 has no fixed term; S2–S6 two years.
    pub fn term_years(self) -> Option<u32> {
        match self {
            DishonestGround::AbleButRefuses => None,
            _ => Some(2),
        }
    }
}

coded! {
    /// Circumstances that bar a listing (per ground, see [`Bar::bars`]).
    Bar {
        SecurityGiven = "security_given", "被执行人提供了充分有效担保（失信规定第三条第一项）";
        SeizedPropertySufficient = "seized_property_sufficient", "已被采取查封、扣押、冻结等措施的财产足以清偿债务（第三条第二项）";
        LaterInOrder = "later_in_order", "被执行人履行顺序在后，对其依法不应强制执行（第三条第三项）";
        NotAbleAndRefusing = "not_able_and_refusing", "其他不属于有履行能力而拒不履行的情形（第三条第四项）";
        Minor = "minor", "被执行人为未成年人（失信规定第四条）";
        PropertyControlled = "property_controlled", "人民法院已控制足以清偿债务的财产（善意文明执行意见第十六条）";
        ApplicantAsksHoldOff = "applicant_asks_hold_off", "申请执行人申请暂不采取惩戒措施（善意文明执行意见第十六条）";
        CampusLoanStudent = "campus_loan_student", "因“校园贷”纠纷成为被执行人的全日制在校生（善意文明执行意见第十六条）";
        UnitPerson = "unit_person", "单位失信的，其法定代表人、主要负责人、实际控制人、直接责任人员不得纳入失信名单（善意文明执行意见第十六条）";
    }
}

impl Bar {
    /// SX art 3 bars S1 only; SX art 4 and SW art 16 bar every ground.
    pub fn bars(self, ground: DishonestGround) -> bool {
        match self {
            Bar::SecurityGiven | Bar::SeizedPropertySufficient | Bar::LaterInOrder | Bar::NotAbleAndRefusing => {
                ground == DishonestGround::AbleButRefuses
            }
            Bar::Minor
            | Bar::PropertyControlled
            | Bar::ApplicantAsksHoldOff
            | Bar::CampusLoanStudent
            | Bar::UnitPerson => true,
        }
    }

    pub fn rule(self) -> &'static str {
        match self {
            Bar::SecurityGiven | Bar::SeizedPropertySufficient | Bar::LaterInOrder | Bar::NotAbleAndRefusing => {
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第三条"
            }
            Bar::Minor => "《最高人民法院关于公布失信被执行人名单信息的若干规定》第四条",
            _ => "《最高人民法院关于在执行工作中进一步强化善意文明执行理念的意见》第十六条",
        }
    }
}

coded! {
    /// The capacity assessment: 失信 (able but unwilling) vs 失能 (unable).
    Capacity {
        Able = "able", "有履行能力";
        Unable = "unable", "无履行能力（失能）";
    }
}

coded! {
    /// Graded severity (announced 2026-01-26; criteria are policy).
    Severity {
        Minor = "minor", "轻微";
        General = "general", "一般";
        Serious = "serious", "严重";
    }
}

coded! {
    /// SX art 2 ¶1: the only bases for extending a term by 1–3 years.
    TermExtension {
        ViolenceSerious = "violence_serious", "以暴力、威胁方法妨碍、抗拒执行情节严重（第二条第一款）";
        MultipleConducts = "multiple_conducts", "具有多项失信行为（第二条第一款）";
    }
}

coded! {
    /// Where a listing is in its life.
    ListingStatus {
        Proposed = "proposed", "待决定";
        Rejected = "rejected", "决定不予纳入";
        Grace = "grace", "宽限期内（不公布）";
        Published = "published", "已公布";
        Deleted = "deleted", "已删除（信用修复）";
        Withdrawn = "withdrawn", "已撤销（不应纳入）";
    }
}

impl ListingStatus {
    /// Effective as of `today`: published, or in grace with the grace
    /// period over (publication needs no one to remember, SW art 15).
    pub fn effective(self, grace_until: Option<Date>, today: Date) -> bool {
        match self {
            ListingStatus::Published => true,
            ListingStatus::Grace => grace_until.is_some_and(|g| g < today),
            _ => false,
        }
    }
}

/// A proposal to list, as the rules need it.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub grounds: Vec<DishonestGround>,
    /// Circumstances found that may bar the listing.
    pub bars_found: Vec<Bar>,
    pub capacity: Capacity,
    /// The debtor's age on the proposal date, for natural persons.
    pub debtor_age: Option<i32>,
    /// Whether the debtor is an organisation's 法定代表人 etc. proposed for
    /// the organisation's conduct.
    pub evidence: String,
}

/// Checks a proposal before a 决定书 may be made: every ground against every
/// bar, S1 against the capacity assessment, the minor bar from the ID.
pub fn check_proposal(p: &Proposal) -> Result<(), Refusal> {
    let mut missing = Vec::new();
    if p.grounds.is_empty() {
        missing
            .push(Missing::new("至少选择一项纳入事由", "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条"));
    }
    if p.evidence.trim().is_empty() {
        missing.push(Missing::new(
            "纳入事由的证据（写明证据材料）",
            "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        ));
    }
    let mut bars = p.bars_found.clone();
    if p.debtor_age.is_some_and(|age| age < 18) && !bars.contains(&Bar::Minor) {
        bars.push(Bar::Minor);
    }
    for ground in &p.grounds {
        for bar in &bars {
            if bar.bars(*ground) {
                missing.push(Missing::new(
                    format!("“{}”不得以此事由纳入：{}", ground.code().to_uppercase(), bar.label_zh()),
                    bar.rule(),
                ));
            }
        }
        if *ground == DishonestGround::AbleButRefuses && p.capacity == Capacity::Unable {
            missing.push(Missing::new(
                "被执行人经评估为无履行能力（失能），不得以“有履行能力而拒不履行”纳入",
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第一项、第三条第四项",
            ));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal {
            message: format!("不能纳入失信被执行人名单：{}项条件不满足", missing.len()), missing
        })
    }
}

/// The grade the default criteria suggest (see [`CreditPolicy`]).
pub fn suggest_severity(grounds: &[DishonestGround], unpaid: Money, policy: &CreditPolicy) -> Severity {
    use DishonestGround::*;
    if grounds.iter().any(|g| matches!(g, Obstructs | Evades)) || unpaid >= policy.serious_amount || grounds.len() >= 3
    {
        Severity::Serious
    } else if grounds.len() == 1
        && matches!(grounds[0], ViolatesReporting | BreachesSettlement)
        && unpaid < policy.minor_amount
    {
        Severity::Minor
    } else {
        Severity::General
    }
}

/// The decision on a proposal (SX art 5): signed by the president; with an
/// optional grace period (SW art 15). Returns (status, grace_until).
pub fn decide_listing(
    decided_on: Date,
    president_approved: bool,
    decision_ref: Option<&str>,
    grace_months: Option<u32>,
    policy: &CreditPolicy,
) -> Result<(ListingStatus, Option<Date>), Refusal> {
    let mut missing = Vec::new();
    if !president_approved {
        missing.push(Missing::new(
            "院长签发（决定书须经院长批准）",
            "《最高人民法院关于公布失信被执行人名单信息的若干规定》第五条",
        ));
    }
    if decision_ref.is_none_or(|r| r.trim().is_empty()) {
        missing.push(Missing::new("决定书文号", "《最高人民法院关于公布失信被执行人名单信息的若干规定》第五条"));
    }
    if let Some(months) = grace_months
        && !(policy.grace_min_months..=policy.grace_max_months).contains(&months)
    {
        missing.push(Missing::new(
            format!("宽限期应为{}至{}个月", policy.grace_min_months, policy.grace_max_months),
            "《最高人民法院关于在执行工作中进一步强化善意文明执行理念的意见》第十五条",
        ));
    }
    if !missing.is_empty() {
        return Err(Refusal {
            message: format!("不能作出纳入决定：{}项条件不满足", missing.len()), missing
        });
    }
    Ok(match grace_months {
        Some(m) => (ListingStatus::Grace, Some(add_months(decided_on, m))),
        None => (ListingStatus::Published, None),
    })
}

/// The day a listing takes effect: the decision date, or the day after its
/// grace period ends.
pub fn effective_from(decided_on: Date, grace_until: Option<Date>) -> Date {
    grace_until.and_then(|g| g.next_day()).unwrap_or(decided_on)
}

/// SX art 2: the end of the term — none when any ground is S1; otherwise
/// two years from taking effect, plus an extension of 1–3 years.
pub fn term_until(grounds: &[DishonestGround], effective: Date, extension_years: u32) -> Option<Date> {
    if grounds.iter().any(|g| g.term_years().is_none()) {
        return None;
    }
    let years = grounds.iter().filter_map(|g| g.term_years()).max().unwrap_or(2) + extension_years;
    Some(add_months(effective, years * 12))
}

/// SX art 2 ¶1: may the term be extended by `years` on `basis`?
pub fn check_extension(grounds: &[DishonestGround], years: u32, basis: Option<TermExtension>) -> Result<(), Refusal> {
    let mut missing = Vec::new();
    if grounds.iter().any(|g| g.term_years().is_none()) {
        missing.push(Missing::new("“有履行能力而拒不履行”纳入的没有期限，不适用延长", "《失信规定》第二条"));
    }
    if !(1..=3).contains(&years) {
        missing.push(Missing::new("延长期限为一至三年", "《失信规定》第二条第一款"));
    }
    if basis.is_none() {
        missing.push(Missing::new(
            "延长事由：以暴力、威胁方法妨碍、抗拒执行情节严重，或具有多项失信行为",
            "《失信规定》第二条第一款",
        ));
    }
    if basis == Some(TermExtension::MultipleConducts) && grounds.len() < 2 {
        missing.push(Missing::new("“具有多项失信行为”须有两项以上纳入事由", "《失信规定》第二条第一款"));
    }
    if basis == Some(TermExtension::ViolenceSerious) && !grounds.contains(&DishonestGround::Obstructs) {
        missing.push(Missing::new("“暴力、威胁妨碍执行”须以第一条第二项纳入", "《失信规定》第二条第一款"));
    }
    if missing.is_empty() { Ok(()) } else { Err(Refusal { message: "不能延长纳入期限".into(), missing }) }
}
