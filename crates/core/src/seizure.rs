//! 查封、扣押、冻结 (seizures) on an enforcement case: the kinds and their
//! maximum terms, the validation of a new seizure, the order among seizures
//! of one property (首封 and 轮候), renewal (续行), and which seizures block
//! handing a whole case over to another court.
//!
//! Sources (legal-rules-a §4.1–4.2, legal-rules-b §5.4):
//! - JS art 485 (民诉法解释, 2022; art 487 in the 2015/2020 texts): 冻结银行存款
//!   at most one year, 查封、扣押动产 two years, 查封不动产、冻结其他财产权 three
//!   years; renewal (续行) before expiry, each renewal within the same maximum.
//! - CK art 26 (查封扣押冻结规定): queued seizures (轮候查封) take effect in
//!   order when the earlier one is released; CK art 27: a seizure not renewed
//!   lapses at expiry.
//! - WT art 6 (委托执行规定): seizures pass over with the case, count as the
//!   receiving court's and keep their original priority; a seizure with less
//!   than one month left is renewed by the handing court *before* the case is
//!   handed over. zhixing applies it to the whole-case moves of 交叉执行
//!   (指令、提级、集中执行), as legal-rules-b §9 item 3 reads it.
//!
//! Term arithmetic: a term in years ends on the corresponding day (民法典
//! arts 201–202, the first day not counted), so a one-year freeze from
//! 2026-01-10 may run to 2027-01-10 at the latest; a court that writes "至
//! 2027年1月9日" is within it. Whether the term starts on the ruling, on
//! service or on registration is open (legal-rules-a §10 item 6): the date the
//! user records as `seized_on` is the start.

use std::fmt;

use time::Date;

use crate::calendar::chinese_date;
use crate::credit::listing::coded;
use crate::error::FieldError;
use crate::money::Money;
use crate::workflow::deadlines::add_months;
use crate::workflow::{Missing, Refusal};

/// JS art 485 (2022): the maximum terms and renewal.
pub const TERM_RULE: &str = "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第四百八十五条";
/// CK art 26: 轮候查封 and their order.
pub const QUEUE_RULE: &str = "《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》第二十六条";
/// CK art 27: a seizure not renewed lapses at expiry.
pub const LAPSE_RULE: &str = "《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》第二十七条";
/// WT art 6: seizures pass over with the case, keeping their priority;
/// less than one month left → renew before handing over.
pub const HANDOVER_RULE: &str = "《最高人民法院关于委托执行若干问题的规定》第六条";

coded! {
    /// What is seized, which fixes the maximum term (JS art 485).
    SeizureKind {
        BankDeposit = "bank_deposit", "冻结银行存款";
        Movables = "movables", "查封、扣押动产";
        RealEstate = "real_estate", "查封不动产";
        OtherRights = "other_rights", "冻结其他财产权";
    }
}

impl SeizureKind {
    /// The maximum term (and the maximum of each renewal) in months: one
    /// year for bank deposits, two for movables, three for real estate and
    /// other property rights (JS art 485).
    pub fn max_term_months(self) -> u32 {
        match self {
            SeizureKind::BankDeposit => 12,
            SeizureKind::Movables => 24,
            SeizureKind::RealEstate | SeizureKind::OtherRights => 36,
        }
    }

    pub fn max_term_zh(self) -> &'static str {
        match self {
            SeizureKind::BankDeposit => "一年",
            SeizureKind::Movables => "二年",
            SeizureKind::RealEstate | SeizureKind::OtherRights => "三年",
        }
    }

    /// The latest expiry of a term (first or renewed) that starts on `from`.
    pub fn latest_expiry(self, from: Date) -> Date {
        add_months(from, self.max_term_months())
    }
}

coded! {
    /// Where a seizure record stands. A lapsed seizure (expired, not
    /// renewed, CK art 27) keeps `active` and is recognised by its date.
    SeizureStatus {
        Active = "active", "有效";
        Released = "released", "已解除";
        Transferred = "transferred", "已随案移交";
    }
}

/// The rank of this seizure among all seizures of the property: 1 is the
/// 首封 (first seizure), 2 and later are 轮候 in the order of registration
/// (CK art 26). It is a fact of the registry, recorded, never computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u32);

impl Priority {
    pub const FIRST: Priority = Priority(1);
    pub const MAX: u32 = 999;

    pub fn new(rank: u32) -> Option<Priority> {
        (1..=Self::MAX).contains(&rank).then_some(Priority(rank))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn is_first(self) -> bool {
        self.0 == 1
    }

    /// `首封`, or `轮候第n顺位` counting the 首封 as the first 顺位.
    pub fn label_zh(self) -> String {
        if self.is_first() { "首封".to_string() } else { format!("轮候第{}顺位", self.0) }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_zh())
    }
}

/// A seizure as submitted (API body or form), all text.
#[derive(Clone, Debug, Default)]
pub struct RawSeizure {
    pub kind: Option<String>,
    pub property: Option<String>,
    pub holder: Option<String>,
    pub location_court: Option<String>,
    pub amount: Option<String>,
    pub seized_on: Option<String>,
    pub expires_on: Option<String>,
    pub priority: Option<String>,
}

/// A valid new seizure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSeizure {
    pub kind: SeizureKind,
    /// What is seized, e.g. the account or the property's certificate number.
    pub property: String,
    /// 登记机关 / 协助执行单位 (registry, bank, holder).
    pub holder: String,
    /// The court in whose district the property lies (checked against the
    /// court directory by the caller).
    pub location_court: Option<crate::court::CourtCode>,
    /// For bank deposits: the amount frozen.
    pub amount: Option<Money>,
    pub seized_on: Date,
    pub expires_on: Date,
    pub priority: Priority,
}

fn text_field(field: &str, label: &str, value: Option<&str>, max: usize) -> Result<String, FieldError> {
    let text = value.unwrap_or("").trim().to_string();
    if text.is_empty() {
        return Err(FieldError::required(field, label));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(field, "too_long", format!("{label}不能超过{max}个字")));
    }
    Ok(text)
}

fn date_field(field: &str, label: &str, value: Option<&str>) -> Result<Date, FieldError> {
    let text = value.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| FieldError::required(field, label))?;
    crate::calendar::parse_iso_date(text)
        .ok_or_else(|| FieldError::new(field, "invalid_date", "日期格式应为 YYYY-MM-DD"))
}

/// Parses a new seizure. The seizure may predate the case: a preservation
/// seizure becomes an enforcement seizure and its term runs on (JS art 168),
/// so only "not in the future" is checked for `seized_on`. Every error at once.
pub fn parse_seizure(raw: &RawSeizure, today: Date) -> Result<NewSeizure, Vec<FieldError>> {
    let mut errors = crate::error::Errors::new();
    let kind = errors.take(match raw.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => Err(FieldError::required("kind", "查封类型")),
        Some(k) => SeizureKind::parse(k).ok_or_else(|| {
            FieldError::new(
                "kind",
                "invalid_seizure_kind",
                "查封类型应为 bank_deposit、movables、real_estate 或 other_rights",
            )
        }),
    });
    let property = errors.take(text_field("property", "被查封财产", raw.property.as_deref(), 500));
    let holder = errors.take(text_field("holder", "登记机关或协助执行单位", raw.holder.as_deref(), 200));
    let location_court = errors.take(match raw.location_court.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => crate::court::CourtCode::parse(c)
            .map(Some)
            .map_err(|e| FieldError::new("location_court", "invalid_court", e.to_string())),
    });
    let amount = errors.take(match raw.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(a) => match Money::parse(a) {
            Ok(m) if m.is_zero() => Err(FieldError::new("amount", "invalid_amount", "冻结金额应大于零")),
            Ok(m) => Ok(Some(m)),
            Err(e) => Err(FieldError::new("amount", "invalid_amount", format!("金额无效：{e}"))),
        },
    });
    let priority = errors.take(match raw.priority.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(Priority::FIRST),
        Some(p) => p.parse::<u32>().ok().and_then(Priority::new).ok_or_else(|| {
            FieldError::new(
                "priority",
                "invalid_priority",
                format!("查封顺位应为1（首封）至{}的整数，轮候按登记先后排列（{QUEUE_RULE}）", Priority::MAX),
            )
        }),
    });
    let seized_on = errors.take(date_field("seized_on", "查封日期", raw.seized_on.as_deref()));
    let expires_on = errors.take(date_field("expires_on", "查封期限届满日", raw.expires_on.as_deref()));
    if let (Some(kind), Some(Some(_))) = (kind, amount)
        && kind != SeizureKind::BankDeposit
    {
        errors.push(FieldError::new("amount", "amount_not_allowed", "只有冻结银行存款填写冻结金额"));
    }
    if kind == Some(SeizureKind::BankDeposit) && amount == Some(None) {
        // CPL art 253: deposits are frozen up to the obligation, so the amount is part of the measure.
        errors.push(FieldError::new(
            "amount",
            "required",
            "冻结银行存款应写明冻结金额（《民事诉讼法》第二百五十三条：不得超出被执行人应当履行义务的范围）",
        ));
    }
    if let (Some(kind), Some(seized_on), Some(expires_on)) = (kind, seized_on, expires_on) {
        for e in check_term(kind, seized_on, expires_on, today) {
            errors.push(e);
        }
    }
    let parsed = match (kind, property, holder, location_court, amount, seized_on, expires_on, priority) {
        (
            Some(kind),
            Some(property),
            Some(holder),
            Some(location_court),
            Some(amount),
            Some(seized_on),
            Some(expires_on),
            Some(priority),
        ) => Some(NewSeizure { kind, property, holder, location_court, amount, seized_on, expires_on, priority }),
        _ => None,
    };
    match (errors.into_result(()), parsed) {
        (Ok(()), Some(seizure)) => Ok(seizure),
        (Err(errors), _) => Err(errors),
        // Every field that failed to parse recorded its error above.
        (Ok(()), None) => Err(vec![FieldError::new("", "invalid", "输入无效")]),
    }
}

/// The term of a new seizure: it starts no later than today, ends after it
/// starts, within the kind's maximum (JS art 485), and has not already ended
/// (a seizure past its expiry has lapsed, CK art 27).
pub fn check_term(kind: SeizureKind, seized_on: Date, expires_on: Date, today: Date) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if seized_on > today {
        errors.push(FieldError::new("seized_on", "date_in_future", "查封日期不能晚于今天"));
    }
    if expires_on <= seized_on {
        errors.push(FieldError::new("expires_on", "expiry_before_start", "查封期限届满日应晚于查封日期"));
    } else if expires_on > kind.latest_expiry(seized_on) {
        errors.push(FieldError::new(
            "expires_on",
            "term_too_long",
            format!(
                "{}的期限不得超过{}，自{}起最迟至{}（{TERM_RULE}）",
                kind.label_zh(),
                kind.max_term_zh(),
                chinese_date(seized_on),
                chinese_date(kind.latest_expiry(seized_on))
            ),
        ));
    } else if expires_on < today {
        errors.push(FieldError::new(
            "expires_on",
            "already_lapsed",
            format!("查封期限已于{}届满，未续行的查封已失效（{LAPSE_RULE}）", chinese_date(expires_on)),
        ));
    }
    errors
}

/// True while the seizure binds the property on `on`: recorded as active
/// and not past its expiry (CK art 27).
pub fn in_force(status: SeizureStatus, expires_on: Date, on: Date) -> bool {
    status == SeizureStatus::Active && expires_on >= on
}

/// Whole days from `today` to the expiry (0 on the last day; negative once lapsed).
pub fn days_left(expires_on: Date, today: Date) -> i64 {
    (expires_on - today).whole_days()
}

/// Less than one month left on `on` (the WT art 6 threshold; also the
/// warning on the case page).
pub fn under_one_month(expires_on: Date, on: Date) -> bool {
    expires_on < add_months(on, 1)
}

/// Checks a renewal (续行) on `on` to `new_expiry`: only of an active
/// seizure, before it expires, to a later day within the kind's maximum
/// counted from the current expiry (JS art 485). Every unmet condition is
/// listed with its rule.
pub fn check_renewal(
    kind: SeizureKind,
    status: SeizureStatus,
    seized_on: Date,
    current_expiry: Date,
    on: Date,
    new_expiry: Date,
    today: Date,
) -> Result<(), Refusal> {
    let mut missing = Vec::new();
    match status {
        SeizureStatus::Active => {}
        SeizureStatus::Released => missing.push(Missing::new("该查封已解除，不能续行", TERM_RULE)),
        SeizureStatus::Transferred => {
            missing.push(Missing::new("该查封已随案移交，由受理法院续行", HANDOVER_RULE));
        }
    }
    if on > today {
        missing.push(Missing::new("续行日期不能晚于今天", TERM_RULE));
    }
    if on < seized_on {
        missing.push(Missing::new("续行日期不能早于查封日期", TERM_RULE));
    }
    if on > current_expiry {
        missing.push(Missing::new(
            format!("查封期限已于{}届满，应在届满前续行；已失效的查封不能续行", chinese_date(current_expiry)),
            format!("{TERM_RULE}；{LAPSE_RULE}"),
        ));
    }
    let latest = kind.latest_expiry(current_expiry);
    if new_expiry <= current_expiry {
        missing.push(Missing::new(format!("续行后的届满日应晚于现届满日{}", chinese_date(current_expiry)), TERM_RULE));
    } else if new_expiry > latest {
        missing.push(Missing::new(
            format!(
                "{}每次续行不得超过{}，自{}起最迟至{}",
                kind.label_zh(),
                kind.max_term_zh(),
                chinese_date(current_expiry),
                chinese_date(latest)
            ),
            TERM_RULE,
        ));
    }
    if missing.is_empty() { Ok(()) } else { Err(Refusal { message: "不能续行查封".into(), missing }) }
}

/// What the hand-over rule reads about one seizure.
#[derive(Clone, Debug)]
pub struct SeizureFacts<'a> {
    pub kind: SeizureKind,
    pub property: &'a str,
    pub status: SeizureStatus,
    pub expires_on: Date,
}

/// The seizures in force on `on` with less than one month left: each must
/// be renewed by the handing court before a whole-case transfer (WT art 6),
/// one entry per seizure with its expiry and the article, soonest first.
pub fn transfer_blockers(seizures: &[SeizureFacts], on: Date) -> Vec<Missing> {
    let mut blocking: Vec<&SeizureFacts> =
        seizures.iter().filter(|s| in_force(s.status, s.expires_on, on) && under_one_month(s.expires_on, on)).collect();
    blocking.sort_by_key(|s| s.expires_on);
    blocking
        .into_iter()
        .map(|s| {
            Missing::new(
                format!(
                    "{}“{}”于{}届满，剩余不足一个月，应先续行再移交",
                    s.kind.label_zh(),
                    s.property,
                    chinese_date(s.expires_on)
                ),
                HANDOVER_RULE,
            )
        })
        .collect()
}

/// The refusal of a whole-case transfer on `on`, if any seizure blocks it.
pub fn transfer_refusal(seizures: &[SeizureFacts], on: Date) -> Option<Refusal> {
    let missing = transfer_blockers(seizures, on);
    (!missing.is_empty())
        .then(|| Refusal {
            message: "案件移交前，应先续行期限不足一个月的查封、扣押、冻结".into(), missing
        })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 27);

    fn raw(kind: &str, seized: &str, expires: &str, amount: Option<&str>) -> RawSeizure {
        RawSeizure {
            kind: Some(kind.into()),
            property: Some("宁波银行账户 1234".into()),
            holder: Some("宁波银行海曙支行".into()),
            location_court: Some("浙0206".into()),
            amount: amount.map(Into::into),
            seized_on: Some(seized.into()),
            expires_on: Some(expires.into()),
            priority: None,
        }
    }

    fn codes(r: Result<NewSeizure, Vec<FieldError>>) -> Vec<&'static str> {
        r.err().unwrap_or_default().iter().map(|e| e.code).collect()
    }

    #[test]
    fn maximum_terms_follow_js_art_485() {
        let start = date!(2026 - 01 - 10);
        assert_eq!(SeizureKind::BankDeposit.latest_expiry(start), date!(2027 - 01 - 10));
        assert_eq!(SeizureKind::Movables.latest_expiry(start), date!(2028 - 01 - 10));
        assert_eq!(SeizureKind::RealEstate.latest_expiry(start), date!(2029 - 01 - 10));
        assert_eq!(SeizureKind::OtherRights.latest_expiry(start), date!(2029 - 01 - 10));
        // 29 February: the corresponding day does not exist, the month's last day ends it.
        assert_eq!(SeizureKind::BankDeposit.latest_expiry(date!(2028 - 02 - 29)), date!(2029 - 02 - 28));
    }

    #[test]
    fn a_new_seizure_is_parsed_with_every_error_at_once() {
        let ok = parse_seizure(&raw("bank_deposit", "2026-11-01", "2027-11-01", Some("5000")), TODAY).unwrap();
        assert_eq!(ok.priority, Priority::FIRST);
        assert_eq!(ok.amount, Some(Money::parse("5000").unwrap()));
        assert_eq!(ok.location_court.unwrap().as_str(), "浙0206");
        assert_eq!(
            codes(parse_seizure(&raw("bank_deposit", "2026-11-01", "2027-11-02", Some("1")), TODAY)),
            ["term_too_long"]
        );
        assert!(
            parse_seizure(&raw("bank_deposit", "2026-11-01", "2027-11-02", Some("1")), TODAY).unwrap_err()[0]
                .message
                .contains("第四百八十五条")
        );
        assert_eq!(codes(parse_seizure(&raw("bank_deposit", "2026-11-01", "2027-01-01", None), TODAY)), ["required"]);
        assert_eq!(
            codes(parse_seizure(&raw("real_estate", "2026-11-01", "2029-11-01", Some("1")), TODAY)),
            ["amount_not_allowed"]
        );
        assert_eq!(codes(parse_seizure(&raw("movables", "2026-11-28", "2027-11-01", None), TODAY)), ["date_in_future"]);
        assert_eq!(
            codes(parse_seizure(&raw("movables", "2026-11-01", "2026-11-01", None), TODAY)),
            ["expiry_before_start"]
        );
        assert_eq!(codes(parse_seizure(&raw("movables", "2025-01-01", "2026-11-26", None), TODAY)), ["already_lapsed"]);
        let mut bad = raw("ship", "x", "", None);
        bad.property = Some(" ".into());
        bad.priority = Some("0".into());
        bad.location_court = Some("X01".into());
        assert_eq!(
            codes(parse_seizure(&bad, TODAY)),
            ["invalid_seizure_kind", "required", "invalid_court", "invalid_priority", "invalid_date", "required"]
        );
        // A preservation seizure from before the case is accepted (JS art 168).
        assert!(parse_seizure(&raw("real_estate", "2024-06-01", "2027-06-01", None), TODAY).is_ok());
    }

    #[test]
    fn priority_labels() {
        assert_eq!(Priority::FIRST.label_zh(), "首封");
        assert_eq!(Priority::new(3).unwrap().label_zh(), "轮候第3顺位");
        assert!(Priority::new(0).is_none() && Priority::new(1000).is_none());
    }

    #[test]
    fn renewal_before_expiry_within_the_maximum() {
        let k = SeizureKind::BankDeposit;
        let seized = date!(2025 - 12 - 01);
        let expiry = date!(2026 - 12 - 01);
        assert!(check_renewal(k, SeizureStatus::Active, seized, expiry, TODAY, date!(2027 - 12 - 01), TODAY).is_ok());
        let too_long =
            check_renewal(k, SeizureStatus::Active, seized, expiry, TODAY, date!(2027 - 12 - 02), TODAY).unwrap_err();
        assert_eq!(too_long.missing.len(), 1);
        assert!(too_long.missing[0].item.contains("2027年12月1日") && too_long.missing[0].rule == TERM_RULE);
        let lapsed = date!(2026 - 11 - 20);
        let late =
            check_renewal(k, SeizureStatus::Active, seized, lapsed, TODAY, date!(2027 - 06 - 01), TODAY).unwrap_err();
        assert!(late.missing[0].rule.contains("第二十七条"));
        let released =
            check_renewal(k, SeizureStatus::Released, seized, expiry, TODAY, date!(2026 - 11 - 30), TODAY).unwrap_err();
        assert_eq!(released.missing.len(), 2, "released, and not later than the current expiry");
        let moved = check_renewal(k, SeizureStatus::Transferred, seized, expiry, TODAY, date!(2027 - 01 - 01), TODAY)
            .unwrap_err();
        assert_eq!(moved.missing[0].rule, HANDOVER_RULE);
    }

    #[test]
    fn seizures_under_a_month_block_the_transfer() {
        let s =
            |status, expires_on| SeizureFacts { kind: SeizureKind::RealEstate, property: "房产", status, expires_on };
        let on = date!(2026 - 11 - 20);
        let list = [
            s(SeizureStatus::Active, date!(2026 - 12 - 19)),      // 29 days: blocks
            s(SeizureStatus::Active, date!(2026 - 12 - 20)),      // exactly one month: passes
            s(SeizureStatus::Released, date!(2026 - 11 - 25)),    // released: irrelevant
            s(SeizureStatus::Transferred, date!(2026 - 11 - 25)), // already moved
            s(SeizureStatus::Active, date!(2026 - 11 - 19)),      // lapsed the day before: nothing to renew
            s(SeizureStatus::Active, date!(2026 - 11 - 20)),      // last day: blocks
        ];
        let blockers = transfer_blockers(&list, on);
        assert_eq!(blockers.len(), 2);
        assert!(blockers[0].item.contains("2026年11月20日"), "soonest first");
        assert!(blockers[1].item.contains("2026年12月19日") && blockers[1].rule == HANDOVER_RULE);
        assert!(transfer_refusal(&list[1..5], on).is_none());
        assert_eq!(transfer_refusal(&list, on).unwrap().missing.len(), 2);
    }

    #[test]
    fn days_left_and_warning() {
        assert_eq!(days_left(date!(2026 - 12 - 01), TODAY), 4);
        assert_eq!(days_left(TODAY, TODAY), 0);
        assert!(under_one_month(date!(2026 - 12 - 26), TODAY));
        assert!(!under_one_month(date!(2026 - 12 - 27), TODAY));
    }

    fn kinds() -> impl Strategy<Value = SeizureKind> {
        prop::sample::select(SeizureKind::ALL.to_vec())
    }

    fn dates() -> impl Strategy<Value = Date> {
        (0i64..4000).prop_map(|d| date!(2020 - 01 - 01) + time::Duration::days(d))
    }

    proptest! {
        /// The last accepted expiry is the corresponding day after the
        /// maximum term; one day later is refused; the span is between the
        /// shortest and longest calendar length of that many months.
        #[test]
        fn term_arithmetic(kind in kinds(), start in dates()) {
            let latest = kind.latest_expiry(start);
            let months = i64::from(kind.max_term_months());
            let days = (latest - start).whole_days();
            prop_assert!(days >= months / 12 * 365 - 3 && days <= months / 12 * 366);
            let today = start;
            prop_assert!(check_term(kind, start, latest, today).is_empty());
            prop_assert_eq!(check_term(kind, start, latest + time::Duration::days(1), today)[0].code, "term_too_long");
            prop_assert_eq!(check_term(kind, start, start, today)[0].code, "expiry_before_start");
        }

        /// A renewal accepted on any day up to expiry reaches at most the
        /// maximum counted from the current expiry; a chain of renewals never
        /// lets a single term exceed the maximum.
        #[test]
        fn renewal_arithmetic(kind in kinds(), start in dates(), offset in 1i64..1200, extra in 0i64..40) {
            let expiry = kind.latest_expiry(start).min(start + time::Duration::days(offset));
            let on = start + time::Duration::days(offset.min((expiry - start).whole_days()));
            let latest = kind.latest_expiry(expiry);
            prop_assert!(check_renewal(kind, SeizureStatus::Active, start, expiry, on, latest, on).is_ok());
            let beyond = latest + time::Duration::days(extra + 1);
            prop_assert!(check_renewal(kind, SeizureStatus::Active, start, expiry, on, beyond, on).is_err());
            let after_expiry = expiry + time::Duration::days(extra + 1);
            prop_assert!(check_renewal(kind, SeizureStatus::Active, start, expiry, after_expiry, latest, after_expiry).is_err());
        }

        /// Blocks exactly when in force and less than a month is left.
        #[test]
        fn blockers_match_the_threshold(expiry in dates(), on in dates()) {
            let facts = [SeizureFacts { kind: SeizureKind::Movables, property: "x", status: SeizureStatus::Active, expires_on: expiry }];
            let blocked = !transfer_blockers(&facts, on).is_empty();
            prop_assert_eq!(blocked, expiry >= on && expiry < add_months(on, 1));
        }
    }
}
