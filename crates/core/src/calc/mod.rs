//! How much does the debtor owe today? The amount-owed statement:
//! 加倍部分债务利息 (doubled delay interest), 一般债务利息 (ordinary interest as
//! the document awards it, fixed or on the LPR), the allocation of each
//! payment, and the court fees — every step with the rule behind it.
//!
//! Rules (《最高人民法院关于执行程序中计算迟延履行期间的债务利息适用法律若干问题的
//! 解释》, 法释〔2014〕8号, "LX"; legal-rules-a.md §5–6):
//! - LX art 1: the doubled part = unpaid money obligations fixed by the
//!   document, other than ordinary interest, × 0.000175 per day × days of
//!   delay. Ordinary interest only as the document awards it.
//! - LX art 2 + CPL art 85: delay runs from the day *after* the obligation's
//!   performance deadline (each instalment separately; no deadline → from the
//!   day after the document took effect) through the day of payment.
//! - LX art 3: a partial payment stops the corresponding part on its date;
//!   suspension not requested by the debtor and retrial suspension accrue
//!   nothing (`excluded_periods`, both ends included).
//! - Allocation (民法典 art 561 inside the document debt, then LX art 4) is a
//!   policy — the texts do not settle how the two combine (digest open
//!   question 9).
//! - LX art 5: foreign currency is computed in that currency; converted at the
//!   central parity of the day the doubled part starts when one is supplied.
//!
//! Arithmetic is exact decimal throughout; each reported amount is rounded
//! half-up to 0.01 at the end, never a daily amount. The engine works
//! segment by segment between the days on which something changes, not day
//! by day (tests compare it with a day-by-day oracle).

pub mod fees;
pub mod lpr;

use rust_decimal::Decimal;
use time::{Date, Duration};

use crate::calendar::iso_date;
use crate::error::{Errors, FieldError};
use lpr::{LprTable, Tenor};

/// 日万分之一点七五 (LX art 1).
pub const DOUBLED_DAILY_RATE: Decimal = Decimal::from_parts(175, 0, 0, false, 6);

/// How long after its last fixing the LPR table is taken as current
/// (fixings are published monthly around the 20th). Beyond that the table
/// is probably missing fixings, and a floating rate is refused unless the
/// input says to carry the last fixing forward.
pub const LPR_TABLE_FRESH_DAYS: i64 = 35;

pub mod rules {
    pub const DOUBLED: &str = "《最高人民法院关于执行程序中计算迟延履行期间的债务利息适用法律若干问题的解释》第一条：加倍部分债务利息＝被执行人尚未清偿的生效法律文书确定的除一般债务利息之外的金钱债务×日万分之一点七五×迟延履行期间";
    pub const DOUBLED_START: &str = "同解释第二条：自生效法律文书确定的履行期间届满之日起计算（分期履行的，自每期届满之日起计算；未确定履行期间的，自法律文书生效之日起计算）；期间开始之日不计入（《民事诉讼法》第八十五条）";
    pub const DOUBLED_END: &str =
        "同解释第三条第一款：计算至被执行人履行完毕之日；部分履行的，相应部分计算至每次履行完毕之日";
    pub const EXCLUDED: &str = "同解释第三条第三款：非因被执行人的申请，对生效法律文书审查而中止或者暂缓执行的期间及再审中止执行的期间，不计算加倍部分债务利息";
    pub const ORDINARY: &str =
        "同解释第一条第二款：一般债务利息，根据生效法律文书确定的方法计算；生效法律文书未确定给付该利息的，不予计算";
    pub const ALLOCATION_COSTS_FIRST: &str = "《民法典》第五百六十一条（先实现债权的有关费用，再利息，再主债务）及上述解释第四条（先清偿生效法律文书确定的金钱债务，再清偿加倍部分债务利息）";
    pub const ALLOCATION_PRINCIPAL_FIRST: &str = "上述解释第四条：先清偿生效法律文书确定的金钱债务（按履行期限先后），再清偿一般债务利息，最后清偿加倍部分债务利息";
    pub const FOREIGN: &str = "同解释第五条：外币按日万分之一点七五计算；申请执行人主张以人民币计算的，按加倍部分债务利息起算之日的人民币汇率中间价折算";
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObligationKind {
    /// 本金
    Principal,
    /// 诉讼费用等实现债权的费用
    Costs,
    /// 违约金
    Penalty,
    /// 其他金钱给付
    Other,
}

impl ObligationKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "principal" => Some(Self::Principal),
            "costs" => Some(Self::Costs),
            "penalty" => Some(Self::Penalty),
            "other" => Some(Self::Other),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Principal => "principal",
            Self::Costs => "costs",
            Self::Penalty => "penalty",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Principal => "本金",
            Self::Costs => "费用",
            Self::Penalty => "违约金",
            Self::Other => "其他",
        }
    }
}

/// A money obligation fixed by the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obligation {
    pub id: String,
    pub kind: ObligationKind,
    pub amount: Decimal,
    /// 履行期限届满日; `None` when the document fixes no period.
    pub due_on: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// Until paid, inclusive of the day of payment.
    Paid,
    /// Until this day, inclusive.
    Date(Date),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LprMode {
    /// Each day uses the latest fixing published on or before that day.
    Floating,
    /// The fixing in force on the start date, for the whole period.
    FixedAtStart,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rate {
    FixedAnnualPercent(Decimal),
    Lpr { tenor: Tenor, multiplier: Decimal, plus_percent: Decimal, mode: LprMode },
}

/// Ordinary interest as the document awards it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrdinaryInterest {
    /// Id of the obligation whose unpaid balance bears the interest.
    pub on: String,
    pub from: Date,
    pub until: Until,
    pub rate: Rate,
    /// 360 or 365.
    pub day_basis: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Payment {
    pub on: Date,
    pub amount: Decimal,
}

/// Both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocationPolicy {
    /// Costs, then accrued ordinary interest, then the other obligations
    /// (earliest deadline first), then the doubled part (民法典 art 561, LX art 4).
    CostsInterestPrincipal,
    /// All obligations (earliest deadline first), then ordinary interest,
    /// then the doubled part.
    PrincipalFirst,
}

impl AllocationPolicy {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "costs_interest_principal" => Some(Self::CostsInterestPrincipal),
            "principal_first" => Some(Self::PrincipalFirst),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CostsInterestPrincipal => "costs_interest_principal",
            Self::PrincipalFirst => "principal_first",
        }
    }

    pub fn rule(self) -> &'static str {
        match self {
            Self::CostsInterestPrincipal => rules::ALLOCATION_COSTS_FIRST,
            Self::PrincipalFirst => rules::ALLOCATION_PRINCIPAL_FIRST,
        }
    }
}

/// What to do for days after the LPR table's last fixing has gone stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LprBeyondTable {
    /// Refuse the statement (default): the table is probably missing fixings.
    #[default]
    Refuse,
    /// Use the last fixing, marked as such in the steps.
    CarryForward,
}

/// Conversion of a foreign-currency statement to RMB (LX art 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conversion {
    /// RMB per unit of the currency (人民币汇率中间价).
    pub rate: Decimal,
    /// The day of that parity: the day the doubled part starts.
    pub rate_date: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementInput {
    pub document_effective_on: Date,
    pub as_of: Date,
    /// ISO 4217 code; `CNY` for 人民币.
    pub currency: String,
    pub conversion: Option<Conversion>,
    pub obligations: Vec<Obligation>,
    pub ordinary_interest: Vec<OrdinaryInterest>,
    pub payments: Vec<Payment>,
    pub excluded_periods: Vec<Period>,
    pub allocation: AllocationPolicy,
    pub lpr_beyond_table: LprBeyondTable,
}

/// What a payment (or part of it) went to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Obligation(String),
    OrdinaryInterest,
    DelayInterest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    /// 加倍部分债务利息
    DelayInterest,
    /// 一般债务利息
    OrdinaryInterest,
}

/// The rate of a segment, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShownRate {
    /// 0.000175 per day.
    Daily(Decimal),
    /// Annual percent, with its day basis and how it was found.
    Annual { percent: Decimal, day_basis: u32, source: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Interest accrued on `base` over `[from, to]` (`days` days).
    Accrual {
        component: Component,
        obligation: String,
        from: Date,
        to: Date,
        days: i64,
        base: Decimal,
        rate: ShownRate,
        amount: Decimal,
        rule: &'static str,
    },
    /// Days of delay that accrue nothing.
    Excluded { obligation: String, from: Date, to: Date, days: i64, rule: &'static str },
    /// A payment and where it went, in order.
    Payment { on: Date, amount: Decimal, allocations: Vec<(Target, Decimal)>, overpaid: Decimal, rule: &'static str },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObligationResult {
    pub id: String,
    pub kind: ObligationKind,
    pub amount: Decimal,
    /// First day of delay (LX art 2).
    pub delay_from: Date,
    pub paid: Decimal,
    pub outstanding: Decimal,
    pub delay_interest_accrued: Decimal,
    pub ordinary_interest_accrued: Decimal,
}

/// Exact results; round with [`fees::round_yuan`] only for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub currency: String,
    pub outstanding_obligations: Decimal,
    pub outstanding_ordinary_interest: Decimal,
    pub outstanding_delay_interest: Decimal,
    pub accrued_ordinary_interest: Decimal,
    pub accrued_delay_interest: Decimal,
    pub paid_total: Decimal,
    pub paid_to_obligations: Decimal,
    pub paid_to_ordinary_interest: Decimal,
    pub paid_to_delay_interest: Decimal,
    pub overpaid: Decimal,
    pub obligations: Vec<ObligationResult>,
    pub steps: Vec<Step>,
    /// RMB figures when a conversion was supplied (LX art 5).
    pub converted: Option<Converted>,
}

impl Statement {
    pub fn outstanding_total(&self) -> Decimal {
        self.outstanding_obligations + self.outstanding_ordinary_interest + self.outstanding_delay_interest
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converted {
    pub rate: Decimal,
    pub rate_date: Date,
    pub outstanding_obligations: Decimal,
    pub outstanding_ordinary_interest: Decimal,
    pub outstanding_delay_interest: Decimal,
    pub accrued_delay_interest: Decimal,
}

fn day_after(date: Date) -> Date {
    date.next_day().unwrap_or(date)
}

/// Days in `[from, to]`, both included.
fn days_inclusive(from: Date, to: Date) -> i64 {
    (to - from).whole_days() + 1
}

impl StatementInput {
    /// First day of delay of an obligation (LX art 2; CPL art 85).
    pub fn delay_start(&self, obligation: &Obligation) -> Date {
        day_after(obligation.due_on.unwrap_or(self.document_effective_on))
    }

    /// The deadline used to order obligations ("earliest deadline first").
    fn deadline(&self, obligation: &Obligation) -> Date {
        obligation.due_on.unwrap_or(self.document_effective_on)
    }

    /// Checks what the types cannot: references, dates, LPR coverage.
    pub fn validate(&self, lpr: &LprTable) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        let currency_ok = self.currency.len() == 3 && self.currency.bytes().all(|b| b.is_ascii_uppercase());
        if !currency_ok {
            errors.push(FieldError::new("currency", "invalid_currency", "币种应为三位大写字母代码，如 CNY、USD"));
        }
        if self.as_of < self.document_effective_on {
            errors.push(FieldError::new("as_of", "as_of_before_effective", "计算截止日不能早于法律文书生效日"));
        }
        if self.obligations.is_empty() {
            errors.push(FieldError::new("obligations", "required", "至少应有一项金钱给付义务"));
        }
        for (i, o) in self.obligations.iter().enumerate() {
            let at = |f: &str| format!("obligations[{i}].{f}");
            if o.id.trim().is_empty() || o.id.chars().count() > 40 {
                errors.push(FieldError::new(at("id"), "invalid_id", "义务编号应为1至40个字符"));
            } else if self.obligations[..i].iter().any(|p| p.id == o.id) {
                errors.push(FieldError::new(at("id"), "duplicate_id", format!("义务编号“{}”重复", o.id)));
            }
            if o.amount < Decimal::ZERO {
                errors.push(FieldError::new(at("amount"), "negative_amount", "金额不能为负数"));
            }
        }
        for (i, s) in self.ordinary_interest.iter().enumerate() {
            let at = |f: &str| format!("ordinary_interest[{i}].{f}");
            if !self.obligations.iter().any(|o| o.id == s.on) {
                errors.push(FieldError::new(at("on"), "unknown_obligation", format!("没有编号为“{}”的义务", s.on)));
            }
            if let Until::Date(until) = s.until
                && until < s.from
            {
                errors.push(FieldError::new(at("until"), "until_before_from", "计息截止日不能早于起算日"));
            }
            if s.day_basis != 360 && s.day_basis != 365 {
                errors.push(FieldError::new(at("day_basis"), "invalid_day_basis", "计息天数基数应为360或365"));
            }
            match s.rate {
                Rate::FixedAnnualPercent(p) if p < Decimal::ZERO => {
                    errors.push(FieldError::new(at("rate"), "negative_rate", "利率不能为负数"));
                }
                Rate::Lpr { multiplier, plus_percent, mode, tenor } => {
                    if multiplier < Decimal::ZERO {
                        errors.push(FieldError::new(at("rate.multiplier"), "negative_rate", "LPR倍数不能为负数"));
                    }
                    if plus_percent < Decimal::from(-100) {
                        errors.push(FieldError::new(at("rate.plus_percent"), "negative_rate", "加点不能低于-100%"));
                    }
                    let last_day = match (s.until, mode) {
                        (_, LprMode::FixedAtStart) => s.from,
                        (Until::Date(until), LprMode::Floating) => until.min(self.as_of),
                        (Until::Paid, LprMode::Floating) => self.as_of,
                    };
                    if lpr.fixing_on(s.from).is_none() {
                        let first = lpr.first().map_or_else(|| "（无）".to_string(), |f| iso_date(f.published_on));
                        errors.push(FieldError::new(
                            at("from"),
                            "no_lpr_fixing",
                            format!("{}没有{}报价（LPR自{first}起公布）", iso_date(s.from), tenor.label_zh()),
                        ));
                    } else if self.lpr_beyond_table == LprBeyondTable::Refuse
                        && let Some(last) = lpr.last()
                        && (last_day - last.published_on).whole_days() > LPR_TABLE_FRESH_DAYS
                        && (mode == LprMode::Floating || s.from > last.published_on)
                    {
                        errors.push(FieldError::new(
                            at("rate"),
                            "no_lpr_fixing",
                            format!(
                                "LPR表最后一期为{}，{}的报价尚未录入；请系统管理员导入新的报价，或明确选择沿用最后一期报价",
                                iso_date(last.published_on),
                                iso_date(last_day)
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        for (i, p) in self.payments.iter().enumerate() {
            if p.amount <= Decimal::ZERO {
                errors.push(FieldError::new(format!("payments[{i}].amount"), "invalid_payment", "付款金额应大于零"));
            }
            if p.on > self.as_of {
                errors.push(FieldError::new(
                    format!("payments[{i}].on"),
                    "payment_after_as_of",
                    "付款日期晚于计算截止日",
                ));
            }
        }
        for (i, e) in self.excluded_periods.iter().enumerate() {
            if e.to < e.from {
                errors.push(FieldError::new(
                    format!("excluded_periods[{i}].to"),
                    "to_before_from",
                    "不计息期间的结束日不能早于开始日",
                ));
            }
        }
        if let Some(conversion) = &self.conversion {
            if conversion.rate <= Decimal::ZERO {
                errors.push(FieldError::new("conversion.rate", "invalid_rate", "汇率应大于零"));
            }
            if self.currency == "CNY" {
                errors.push(FieldError::new("conversion", "conversion_for_cny", "人民币无需折算"));
            }
            let start = self.obligations.iter().map(|o| self.delay_start(o)).min();
            if let Some(start) = start
                && conversion.rate_date != start
            {
                errors.push(FieldError::new(
                    "conversion.rate_date",
                    "wrong_rate_date",
                    format!(
                        "应使用加倍部分债务利息起算之日（{}）的人民币汇率中间价（{}）",
                        iso_date(start),
                        rules::FOREIGN
                    ),
                ));
            }
        }
        errors.into_result(())
    }
}

/// Computes the statement. Call [`StatementInput::validate`] first; an
/// input that fails it gives an unspecified (but panic-free) result.
pub fn compute(input: &StatementInput, lpr: &LprTable) -> Statement {
    Engine::new(input, lpr).run()
}

struct Engine<'a> {
    input: &'a StatementInput,
    lpr: &'a LprTable,
    excluded: Vec<Period>,
    balances: Vec<Decimal>,
    delay_owed: Decimal,
    ordinary_owed: Decimal,
    delay_accrued: Vec<Decimal>,
    ordinary_accrued: Vec<Decimal>,
    paid: Vec<Decimal>,
    paid_ordinary: Decimal,
    paid_delay: Decimal,
    overpaid: Decimal,
    /// Allocation order (indices into obligations), fixed for the run.
    order: Vec<Target>,
    steps: Vec<Step>,
}

impl<'a> Engine<'a> {
    fn new(input: &'a StatementInput, lpr: &'a LprTable) -> Self {
        let n = input.obligations.len();
        let mut by_deadline: Vec<usize> = (0..n).collect();
        by_deadline.sort_by_key(|i| (input.deadline(&input.obligations[*i]), *i));
        let ob = |i: &usize| Target::Obligation(input.obligations[*i].id.clone());
        let is_costs = |i: &&usize| input.obligations[**i].kind == ObligationKind::Costs;
        let order = match input.allocation {
            AllocationPolicy::CostsInterestPrincipal => by_deadline
                .iter()
                .filter(is_costs)
                .map(ob)
                .chain([Target::OrdinaryInterest])
                .chain(by_deadline.iter().filter(|i| !is_costs(i)).map(ob))
                .chain([Target::DelayInterest])
                .collect(),
            AllocationPolicy::PrincipalFirst => {
                by_deadline.iter().map(ob).chain([Target::OrdinaryInterest, Target::DelayInterest]).collect()
            }
        };
        Self {
            input,
            lpr,
            excluded: merged(&input.excluded_periods),
            balances: input.obligations.iter().map(|o| o.amount).collect(),
            delay_owed: Decimal::ZERO,
            ordinary_owed: Decimal::ZERO,
            delay_accrued: vec![Decimal::ZERO; n],
            ordinary_accrued: vec![Decimal::ZERO; n],
            paid: vec![Decimal::ZERO; n],
            paid_ordinary: Decimal::ZERO,
            paid_delay: Decimal::ZERO,
            overpaid: Decimal::ZERO,
            order,
            steps: Vec::new(),
        }
    }

    fn run(mut self) -> Statement {
        let input = self.input;
        let mut payments: Vec<&Payment> = input.payments.iter().filter(|p| p.on <= input.as_of).collect();
        payments.sort_by_key(|p| p.on);
        // Intervals end on each payment day (accrual through that day comes
        // first, LX art 3) and on the as-of day.
        let mut cursor: Option<Date> = None;
        let mut index = 0;
        while index < payments.len() {
            let day = payments[index].on;
            self.accrue(cursor, day);
            while index < payments.len() && payments[index].on == day {
                self.pay(payments[index]);
                index += 1;
            }
            cursor = Some(day_after(day));
        }
        if cursor.is_none_or(|c| c <= input.as_of) {
            self.accrue(cursor, input.as_of);
        }
        self.finish()
    }

    /// Accrual over `[from, to]` (from the beginning when `from` is None)
    /// with the balances as they stand.
    fn accrue(&mut self, from: Option<Date>, to: Date) {
        let input = self.input;
        for (i, obligation) in input.obligations.iter().enumerate() {
            let balance = self.balances[i];
            let start = from.map_or(input.delay_start(obligation), |f| f.max(input.delay_start(obligation)));
            if balance <= Decimal::ZERO || start > to {
                continue;
            }
            // Split [start, to] around the excluded periods.
            let mut day = start;
            let excluded = std::mem::take(&mut self.excluded);
            for period in &excluded {
                if period.to < day || period.from > to {
                    continue;
                }
                if period.from > day {
                    let end = period.from - Duration::days(1);
                    self.delay_segment(i, balance, day, end);
                }
                let (ex_from, ex_to) = (period.from.max(day), period.to.min(to));
                self.steps.push(Step::Excluded {
                    obligation: obligation.id.clone(),
                    from: ex_from,
                    to: ex_to,
                    days: days_inclusive(ex_from, ex_to),
                    rule: rules::EXCLUDED,
                });
                day = day_after(period.to);
                if period.to >= to {
                    break;
                }
            }
            if day <= to && !excluded.iter().any(|p| p.from <= day && day <= p.to) {
                self.delay_segment(i, balance, day, to);
            }
            self.excluded = excluded;
        }
        for spec in &input.ordinary_interest {
            let Some(i) = input.obligations.iter().position(|o| o.id == spec.on) else { continue };
            let balance = self.balances[i];
            let start = from.map_or(spec.from, |f| f.max(spec.from));
            let end = match spec.until {
                Until::Paid => to,
                Until::Date(until) => until.min(to),
            };
            if balance <= Decimal::ZERO || start > end {
                continue;
            }
            self.ordinary_segments(i, spec, balance, start, end);
        }
    }

    fn delay_segment(&mut self, i: usize, base: Decimal, from: Date, to: Date) {
        if from > to {
            return;
        }
        let days = days_inclusive(from, to);
        let amount = base * DOUBLED_DAILY_RATE * Decimal::from(days);
        self.delay_owed += amount;
        self.delay_accrued[i] += amount;
        self.steps.push(Step::Accrual {
            component: Component::DelayInterest,
            obligation: self.input.obligations[i].id.clone(),
            from,
            to,
            days,
            base,
            rate: ShownRate::Daily(DOUBLED_DAILY_RATE),
            amount,
            rule: rules::DOUBLED,
        });
    }

    fn ordinary_segments(&mut self, i: usize, spec: &OrdinaryInterest, base: Decimal, from: Date, to: Date) {
        // Rate pieces within [from, to].
        let mut pieces: Vec<(Date, Date, Decimal, String)> = Vec::new();
        match spec.rate {
            Rate::FixedAnnualPercent(percent) => pieces.push((from, to, percent, "固定年利率".to_string())),
            Rate::Lpr { tenor, multiplier, plus_percent, mode } => {
                // (from, to, fixing in force) — then the rate and how it was found.
                let mut spans: Vec<(Date, Date, Option<&lpr::Fixing>)> = Vec::new();
                match mode {
                    LprMode::FixedAtStart => spans.push((from, to, self.lpr.fixing_on(spec.from))),
                    LprMode::Floating => {
                        let mut piece_from = from;
                        let mut current = self.lpr.fixing_on(from);
                        for change in self.lpr.changes_within(from, to) {
                            spans.push((piece_from, change.published_on - Duration::days(1), current));
                            piece_from = change.published_on;
                            current = Some(change);
                        }
                        spans.push((piece_from, to, current));
                    }
                }
                let last = self.lpr.last().map(|f| f.published_on);
                for (piece_from, piece_to, fixing) in spans {
                    let Some(f) = fixing else {
                        pieces.push((
                            piece_from,
                            piece_to,
                            Decimal::ZERO,
                            format!("{}无LPR报价", iso_date(piece_from)),
                        ));
                        continue;
                    };
                    let stale =
                        last == Some(f.published_on) && (piece_to - f.published_on).whole_days() > LPR_TABLE_FRESH_DAYS;
                    let plus = if plus_percent.is_zero() { String::new() } else { format!("{plus_percent:+}%") };
                    let fixed = if mode == LprMode::FixedAtStart { "，按起算日固定" } else { "" };
                    let carried = if stale { "（沿用最后一期报价）" } else { "" };
                    pieces.push((
                        piece_from,
                        piece_to,
                        f.rate(tenor) * multiplier + plus_percent,
                        format!(
                            "{}（{}公布）{}%×{multiplier}{plus}{fixed}{carried}",
                            tenor.label_zh(),
                            iso_date(f.published_on),
                            f.rate(tenor)
                        ),
                    ));
                }
            }
        }
        let basis = Decimal::from(spec.day_basis) * Decimal::ONE_HUNDRED;
        for (piece_from, piece_to, percent, source) in pieces {
            let days = days_inclusive(piece_from, piece_to);
            let amount = base * percent * Decimal::from(days) / basis;
            self.ordinary_owed += amount;
            self.ordinary_accrued[i] += amount;
            self.steps.push(Step::Accrual {
                component: Component::OrdinaryInterest,
                obligation: spec.on.clone(),
                from: piece_from,
                to: piece_to,
                days,
                base,
                rate: ShownRate::Annual { percent, day_basis: spec.day_basis, source },
                amount,
                rule: rules::ORDINARY,
            });
        }
    }

    fn pay(&mut self, payment: &Payment) {
        let mut left = payment.amount;
        let mut allocations = Vec::new();
        for target in &self.order {
            if left <= Decimal::ZERO {
                break;
            }
            let owed = match target {
                Target::Obligation(id) => {
                    let i = self.input.obligations.iter().position(|o| &o.id == id).unwrap_or(0);
                    &mut self.balances[i]
                }
                Target::OrdinaryInterest => &mut self.ordinary_owed,
                Target::DelayInterest => &mut self.delay_owed,
            };
            let take = left.min(*owed);
            if take > Decimal::ZERO {
                *owed -= take;
                left -= take;
                allocations.push((target.clone(), take));
                match target {
                    Target::Obligation(id) => {
                        if let Some(i) = self.input.obligations.iter().position(|o| &o.id == id) {
                            self.paid[i] += take;
                        }
                    }
                    Target::OrdinaryInterest => self.paid_ordinary += take,
                    Target::DelayInterest => self.paid_delay += take,
                }
            }
        }
        self.overpaid += left.max(Decimal::ZERO);
        self.steps.push(Step::Payment {
            on: payment.on,
            amount: payment.amount,
            allocations,
            overpaid: left.max(Decimal::ZERO),
            rule: self.input.allocation.rule(),
        });
    }

    fn finish(self) -> Statement {
        let input = self.input;
        let outstanding_obligations: Decimal = self.balances.iter().sum();
        let accrued_delay: Decimal = self.delay_accrued.iter().sum();
        let accrued_ordinary: Decimal = self.ordinary_accrued.iter().sum();
        let paid_to_obligations: Decimal = self.paid.iter().sum();
        let converted = input.conversion.map(|c| Converted {
            rate: c.rate,
            rate_date: c.rate_date,
            outstanding_obligations: outstanding_obligations * c.rate,
            outstanding_ordinary_interest: self.ordinary_owed * c.rate,
            outstanding_delay_interest: self.delay_owed * c.rate,
            accrued_delay_interest: accrued_delay * c.rate,
        });
        Statement {
            currency: input.currency.clone(),
            outstanding_obligations,
            outstanding_ordinary_interest: self.ordinary_owed,
            outstanding_delay_interest: self.delay_owed,
            accrued_ordinary_interest: accrued_ordinary,
            accrued_delay_interest: accrued_delay,
            paid_total: input.payments.iter().filter(|p| p.on <= input.as_of).map(|p| p.amount).sum(),
            paid_to_obligations,
            paid_to_ordinary_interest: self.paid_ordinary,
            paid_to_delay_interest: self.paid_delay,
            overpaid: self.overpaid,
            obligations: input
                .obligations
                .iter()
                .enumerate()
                .map(|(i, o)| ObligationResult {
                    id: o.id.clone(),
                    kind: o.kind,
                    amount: o.amount,
                    delay_from: input.delay_start(o),
                    paid: self.paid[i],
                    outstanding: self.balances[i],
                    delay_interest_accrued: self.delay_accrued[i],
                    ordinary_interest_accrued: self.ordinary_accrued[i],
                })
                .collect(),
            steps: self.steps,
            converted,
        }
    }
}

/// Sorted, non-overlapping, merged periods (adjacent ones joined).
fn merged(periods: &[Period]) -> Vec<Period> {
    let mut sorted: Vec<Period> = periods.iter().copied().filter(|p| p.from <= p.to).collect();
    sorted.sort_by_key(|p| p.from);
    let mut out: Vec<Period> = Vec::new();
    for p in sorted {
        match out.last_mut() {
            Some(last) if p.from <= day_after(last.to) => last.to = last.to.max(p.to),
            _ => out.push(p),
        }
    }
    out
}

#[cfg(test)]
mod tests;
