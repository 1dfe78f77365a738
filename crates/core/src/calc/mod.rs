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
pub mod reference;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Index into [`StatementInput::obligations`].
    Obligation(usize),
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShownRate {
    /// 0.000175 per day.
    Daily(Decimal),
    /// Annual percent, with its day basis and how it was found.
    Annual { percent: Decimal, day_basis: u32, source: RateSource },
}

/// Where an annual rate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateSource {
    /// The document's fixed annual rate.
    Fixed,
    /// An LPR fixing × multiplier + addend.
    Lpr {
        tenor: Tenor,
        published_on: Date,
        fixing: Decimal,
        multiplier: Decimal,
        plus_percent: Decimal,
        mode: LprMode,
        /// The fixing is the table's last and the segment runs past its
        /// freshness (carried forward by the input's choice).
        carried_forward: bool,
        // `published_on` is the fixing in force when the segment starts;
        // later fixings at the same rate do not start a new segment.
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Interest accrued on `base` over `[from, to]` (`days` days).
    Accrual {
        component: Component,
        /// Index into [`StatementInput::obligations`].
        obligation: usize,
        from: Date,
        to: Date,
        days: i64,
        base: Decimal,
        rate: ShownRate,
        amount: Decimal,
        rule: &'static str,
    },
    /// Days of delay that accrue nothing.
    Excluded { obligation: usize, from: Date, to: Date, days: i64, rule: &'static str },
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

/// An accrual segment that is still running: from `start` on, at a
/// constant `base` and rate.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Open {
    start: Date,
    base: Decimal,
    rate: ShownRate,
    /// What must stay equal for the segment to run on: the rate itself (a
    /// new LPR fixing at the same rate does not split a segment) and whether
    /// the last fixing is being carried forward.
    rate_key: (Decimal, bool),
}

/// The sweep: the days on which something changes (a delay starts, an
/// excluded period begins or ends, interest starts or stops, an LPR fixing
/// changes a floating rate, the day after a payment) are visited in order;
/// between two of them every balance and rate is constant, so each running
/// segment accrues `base × rate × days` in one step. Segments only split
/// where their own base or rate changes. The two interest pools are kept as
/// "accrued through day X" plus a daily rate, so a payment can be allocated
/// against them without visiting the segments.
struct Engine<'a> {
    input: &'a StatementInput,
    lpr: &'a LprTable,
    last_fixing: Option<Date>,
    excluded: Vec<Period>,
    spec_obligation: Vec<usize>,
    balances: Vec<Decimal>,
    delay_open: Vec<Option<Open>>,
    ordinary_open: Vec<Option<Open>>,
    /// Pools: accrued through `through`, growing by `*_daily` per day.
    through: Option<Date>,
    delay_accrued: Decimal,
    delay_daily: Decimal,
    /// Ordinary interest as exact numerators (Σ base × percent × days) per
    /// day basis (365, 360); divided only when the pool's value is needed.
    ordinary_numerator: [Decimal; 2],
    ordinary_daily: [Decimal; 2],
    delay_by_obligation: Vec<Decimal>,
    ordinary_by_obligation: Vec<Decimal>,
    paid: Vec<Decimal>,
    paid_ordinary: Decimal,
    paid_delay: Decimal,
    overpaid: Decimal,
    order: Vec<Target>,
    steps: Vec<Step>,
}

impl<'a> Engine<'a> {
    fn new(input: &'a StatementInput, lpr: &'a LprTable) -> Self {
        let n = input.obligations.len();
        let mut by_deadline: Vec<usize> = (0..n).collect();
        by_deadline.sort_by_key(|i| (input.deadline(&input.obligations[*i]), *i));
        let is_costs = |i: &&usize| input.obligations[**i].kind == ObligationKind::Costs;
        let order = match input.allocation {
            AllocationPolicy::CostsInterestPrincipal => by_deadline
                .iter()
                .filter(is_costs)
                .map(|i| Target::Obligation(*i))
                .chain([Target::OrdinaryInterest])
                .chain(by_deadline.iter().filter(|i| !is_costs(i)).map(|i| Target::Obligation(*i)))
                .chain([Target::DelayInterest])
                .collect(),
            AllocationPolicy::PrincipalFirst => by_deadline
                .iter()
                .map(|i| Target::Obligation(*i))
                .chain([Target::OrdinaryInterest, Target::DelayInterest])
                .collect(),
        };
        Self {
            input,
            lpr,
            last_fixing: lpr.last().map(|f| f.published_on),
            excluded: merged(&input.excluded_periods),
            spec_obligation: input
                .ordinary_interest
                .iter()
                .map(|s| input.obligations.iter().position(|o| o.id == s.on).unwrap_or(usize::MAX))
                .collect(),
            balances: input.obligations.iter().map(|o| o.amount).collect(),
            delay_open: vec![None; n],
            ordinary_open: vec![None; input.ordinary_interest.len()],
            through: None,
            delay_accrued: Decimal::ZERO,
            delay_daily: Decimal::ZERO,
            ordinary_numerator: [Decimal::ZERO; 2],
            ordinary_daily: [Decimal::ZERO; 2],
            delay_by_obligation: vec![Decimal::ZERO; n],
            ordinary_by_obligation: vec![Decimal::ZERO; n],
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
        let end = input.as_of;
        let mut payments: Vec<&Payment> = input.payments.iter().filter(|p| p.on <= end).collect();
        payments.sort_by_key(|p| p.on);

        // Every day on which something may change, from its start; `true`
        // marks days where more than payments change (all components are
        // reconsidered there; after a payment only the paid ones are).
        let mut boundaries: Vec<(Date, bool)> = Vec::new();
        boundaries.extend(input.obligations.iter().map(|o| (input.delay_start(o), true)));
        for p in &self.excluded {
            boundaries.push((p.from, true));
            boundaries.push((day_after(p.to), true));
        }
        for s in &input.ordinary_interest {
            boundaries.push((s.from, true));
            if let Until::Date(until) = s.until {
                boundaries.push((day_after(until), true));
            }
            if let Rate::Lpr { mode: LprMode::Floating, .. } = s.rate {
                let last = match s.until {
                    Until::Date(until) => until.min(end),
                    Until::Paid => end,
                };
                boundaries.extend(self.lpr.changes_within(s.from, last).map(|f| (f.published_on, true)));
            }
        }
        boundaries.extend(payments.iter().map(|p| (day_after(p.on), false)));
        boundaries.push((day_after(end), true));
        boundaries.retain(|(d, _)| *d <= day_after(end));
        boundaries.sort_unstable();
        // One entry per day, `true` if any source says so.
        boundaries.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 |= later.1;
                true
            } else {
                false
            }
        });

        let mut next_payment = 0;
        let mut touched: Vec<usize> = Vec::new();
        for (boundary, everything) in boundaries {
            let last_day = boundary.previous_day().unwrap_or(boundary);
            // Payments of the day before the boundary, after that day's accrual.
            touched.clear();
            while next_payment < payments.len() && payments[next_payment].on <= last_day {
                self.advance(payments[next_payment].on);
                self.pay(payments[next_payment], &mut touched);
                next_payment += 1;
            }
            self.advance(last_day);
            if boundary > end {
                self.close_all(end);
                break;
            }
            if everything {
                self.reconsider(boundary, None);
            } else {
                touched.sort_unstable();
                touched.dedup();
                self.reconsider(boundary, Some(&touched));
            }
        }
        self.finish()
    }

    /// Moves the pools' "accrued through" day forward.
    fn advance(&mut self, day: Date) {
        if let Some(through) = self.through {
            if day > through {
                let days = Decimal::from((day - through).whole_days());
                self.delay_accrued += self.delay_daily * days;
                for k in 0..2 {
                    if !self.ordinary_daily[k].is_zero() {
                        self.ordinary_numerator[k] += self.ordinary_daily[k] * days;
                    }
                }
                self.through = Some(day);
            }
        } else {
            self.through = Some(day);
        }
    }

    fn is_excluded(&self, day: Date) -> bool {
        self.excluded.iter().any(|p| p.from <= day && day <= p.to)
    }

    /// From `day` on: which segments run, on what base and at what rate.
    /// Segments that stay the same keep running; the others are closed the
    /// day before and reopened.
    fn reconsider(&mut self, day: Date, only: Option<&[usize]>) {
        let input = self.input;
        let all: Vec<usize>;
        let obligations: &[usize] = match only {
            Some(only) => only,
            None => {
                all = (0..input.obligations.len()).collect();
                &all
            }
        };
        for &i in obligations {
            let active = day >= input.delay_start(&input.obligations[i]) && self.balances[i] > Decimal::ZERO;
            let excluded = active && self.is_excluded(day);
            let wanted = (active && !excluded).then_some(Open {
                start: day,
                base: self.balances[i],
                rate: ShownRate::Daily(DOUBLED_DAILY_RATE),
                rate_key: (DOUBLED_DAILY_RATE, false),
            });
            if !same_run(self.delay_open[i].as_ref(), wanted.as_ref()) {
                self.close_delay(i, day);
                if let Some(open) = wanted {
                    self.delay_daily += open.base * DOUBLED_DAILY_RATE;
                    self.delay_open[i] = Some(open);
                }
            }
            if excluded
                && let Some(period) = self.excluded.iter().find(|p| {
                    p.from == day || (p.from < day && day <= p.to && day == input.delay_start(&input.obligations[i]))
                })
            {
                let (from, to) = (day, period.to.min(input.as_of));
                self.steps.push(Step::Excluded {
                    obligation: i,
                    from,
                    to,
                    days: days_inclusive(from, to),
                    rule: rules::EXCLUDED,
                });
            }
        }
        // One look-up of the fixing in force per boundary, shared by all specs.
        let fixing_today =
            if input.ordinary_interest.is_empty() || obligations.is_empty() { None } else { self.lpr.fixing_on(day) };
        for s in 0..input.ordinary_interest.len() {
            let spec = &input.ordinary_interest[s];
            let i = self.spec_obligation[s];
            if only.is_some_and(|only| !only.contains(&i)) {
                continue;
            }
            let Some(&balance) = self.balances.get(i) else { continue };
            let until = match spec.until {
                Until::Date(until) => until,
                Until::Paid => input.as_of,
            };
            let wanted = (spec.from <= day && day <= until && balance > Decimal::ZERO)
                .then(|| self.rate_on(spec, fixing_today))
                .map(|rate| Open { start: day, base: balance, rate, rate_key: rate_key(&rate) });
            if !same_run(self.ordinary_open[s].as_ref(), wanted.as_ref()) {
                self.close_ordinary(s, day);
                if let Some(open) = wanted {
                    let (k, daily) = daily_ordinary(open.base, open.rate);
                    self.ordinary_daily[k] += daily;
                    self.ordinary_open[s] = Some(open);
                }
            }
        }
    }

    /// The rate of `spec` on a day whose fixing in force is `fixing_today`.
    fn rate_on(&self, spec: &OrdinaryInterest, fixing_today: Option<&lpr::Fixing>) -> ShownRate {
        match spec.rate {
            Rate::FixedAnnualPercent(percent) => {
                ShownRate::Annual { percent, day_basis: spec.day_basis, source: RateSource::Fixed }
            }
            Rate::Lpr { tenor, multiplier, plus_percent, mode } => {
                let fixing = if mode == LprMode::FixedAtStart { self.lpr.fixing_on(spec.from) } else { fixing_today };
                let Some(fixing) = fixing else {
                    return ShownRate::Annual {
                        percent: Decimal::ZERO,
                        day_basis: spec.day_basis,
                        source: RateSource::Fixed,
                    };
                };
                let carried_forward = self.last_fixing == Some(fixing.published_on)
                    && match spec.until {
                        Until::Date(until) => until.min(self.input.as_of),
                        Until::Paid => self.input.as_of,
                    }
                    .gt(&(fixing.published_on + Duration::days(LPR_TABLE_FRESH_DAYS)))
                    && mode == LprMode::Floating;
                ShownRate::Annual {
                    percent: fixing.rate(tenor) * multiplier + plus_percent,
                    day_basis: spec.day_basis,
                    source: RateSource::Lpr {
                        tenor,
                        published_on: fixing.published_on,
                        fixing: fixing.rate(tenor),
                        multiplier,
                        plus_percent,
                        mode,
                        carried_forward,
                    },
                }
            }
        }
    }

    /// Ends obligation `i`'s running delay segment on the day before `day`.
    fn close_delay(&mut self, i: usize, day: Date) {
        let Some(open) = self.delay_open[i].take() else { return };
        self.delay_daily -= open.base * DOUBLED_DAILY_RATE;
        let to = day.previous_day().unwrap_or(day);
        if to < open.start {
            return;
        }
        let days = days_inclusive(open.start, to);
        let amount = open.base * DOUBLED_DAILY_RATE * Decimal::from(days);
        self.delay_by_obligation[i] += amount;
        self.steps.push(Step::Accrual {
            component: Component::DelayInterest,
            obligation: i,
            from: open.start,
            to,
            days,
            base: open.base,
            rate: open.rate,
            amount,
            rule: rules::DOUBLED,
        });
    }

    fn close_ordinary(&mut self, s: usize, day: Date) {
        let Some(open) = self.ordinary_open[s].take() else { return };
        let (k, daily) = daily_ordinary(open.base, open.rate);
        self.ordinary_daily[k] -= daily;
        let to = day.previous_day().unwrap_or(day);
        if to < open.start {
            return;
        }
        let days = days_inclusive(open.start, to);
        let amount = match open.rate {
            ShownRate::Annual { percent, day_basis, .. } => {
                open.base * percent * Decimal::from(days) / (Decimal::from(day_basis) * Decimal::ONE_HUNDRED)
            }
            ShownRate::Daily(rate) => open.base * rate * Decimal::from(days),
        };
        let i = self.spec_obligation[s];
        if let Some(total) = self.ordinary_by_obligation.get_mut(i) {
            *total += amount;
        }
        self.steps.push(Step::Accrual {
            component: Component::OrdinaryInterest,
            obligation: i,
            from: open.start,
            to,
            days,
            base: open.base,
            rate: open.rate,
            amount,
            rule: rules::ORDINARY,
        });
    }

    fn close_all(&mut self, last_day: Date) {
        let day = day_after(last_day);
        for i in 0..self.delay_open.len() {
            self.close_delay(i, day);
        }
        for s in 0..self.ordinary_open.len() {
            self.close_ordinary(s, day);
        }
    }

    /// Applies a payment; records in `touched` the obligations it reduced.
    fn pay(&mut self, payment: &Payment, touched: &mut Vec<usize>) {
        let mut left = payment.amount;
        let mut allocations = Vec::new();
        for index in 0..self.order.len() {
            if left <= Decimal::ZERO {
                break;
            }
            let target = self.order[index];
            let owed = match target {
                Target::Obligation(i) => self.balances[i],
                Target::OrdinaryInterest => self.ordinary_accrued() - self.paid_ordinary,
                Target::DelayInterest => self.delay_accrued - self.paid_delay,
            };
            let take = left.min(owed);
            if take <= Decimal::ZERO {
                continue;
            }
            left -= take;
            allocations.push((target, take));
            match target {
                Target::Obligation(i) => {
                    self.balances[i] -= take;
                    self.paid[i] += take;
                    touched.push(i);
                }
                Target::OrdinaryInterest => self.paid_ordinary += take,
                Target::DelayInterest => self.paid_delay += take,
            }
        }
        let over = left.max(Decimal::ZERO);
        self.overpaid += over;
        self.steps.push(Step::Payment {
            on: payment.on,
            amount: payment.amount,
            allocations,
            overpaid: over,
            rule: self.input.allocation.rule(),
        });
    }

    /// The ordinary-interest pool accrued so far.
    fn ordinary_accrued(&self) -> Decimal {
        let part = |numerator: Decimal, divisor: i64| {
            if numerator.is_zero() { Decimal::ZERO } else { numerator / Decimal::from(divisor) }
        };
        part(self.ordinary_numerator[0], 36_500) + part(self.ordinary_numerator[1], 36_000)
    }

    fn finish(mut self) -> Statement {
        let input = self.input;
        // Chronological order for the reader: a segment is listed on the day
        // it ends, before a payment made that day.
        // (Sorted through an index so the large steps move once.)
        let mut keys: Vec<(Date, u8, usize)> = self
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| match step {
                Step::Accrual { to, .. } => (*to, 0, index),
                Step::Excluded { from, .. } => (*from, 0, index),
                Step::Payment { on, .. } => (*on, 1, index),
            })
            .collect();
        keys.sort_unstable();
        let mut slots: Vec<Option<Step>> = std::mem::take(&mut self.steps).into_iter().map(Some).collect();
        self.steps = keys.iter().filter_map(|(_, _, index)| slots[*index].take()).collect();
        let outstanding_obligations: Decimal = self.balances.iter().sum();
        // Pools and their daily rates carry up to 28 significant digits; a
        // pool paid off exactly can end a few units of the 24th decimal below
        // zero. That is zero.
        let settle = |value: Decimal| {
            if value.is_sign_negative() && value > Decimal::new(-1, 12) { Decimal::ZERO } else { value }
        };
        let outstanding_delay = settle(self.delay_accrued - self.paid_delay);
        let ordinary_accrued = self.ordinary_accrued();
        let outstanding_ordinary = settle(ordinary_accrued - self.paid_ordinary);
        let converted = input.conversion.map(|c| Converted {
            rate: c.rate,
            rate_date: c.rate_date,
            outstanding_obligations: outstanding_obligations * c.rate,
            outstanding_ordinary_interest: outstanding_ordinary * c.rate,
            outstanding_delay_interest: outstanding_delay * c.rate,
            accrued_delay_interest: self.delay_accrued * c.rate,
        });
        Statement {
            currency: input.currency.clone(),
            outstanding_obligations,
            outstanding_ordinary_interest: outstanding_ordinary,
            outstanding_delay_interest: outstanding_delay,
            accrued_ordinary_interest: ordinary_accrued,
            accrued_delay_interest: self.delay_accrued,
            paid_total: input.payments.iter().filter(|p| p.on <= input.as_of).map(|p| p.amount).sum(),
            paid_to_obligations: self.paid.iter().sum(),
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
                    delay_interest_accrued: self.delay_by_obligation[i],
                    ordinary_interest_accrued: self.ordinary_by_obligation[i],
                })
                .collect(),
            steps: self.steps,
            converted,
        }
    }
}

/// Whether a running segment can simply go on as `wanted`.
fn same_run(current: Option<&Open>, wanted: Option<&Open>) -> bool {
    match (current, wanted) {
        (None, None) => true,
        (Some(c), Some(w)) => c.rate_key == w.rate_key && c.base == w.base,
        _ => false,
    }
}

fn rate_key(rate: &ShownRate) -> (Decimal, bool) {
    match rate {
        ShownRate::Daily(r) => (*r, false),
        ShownRate::Annual { percent, source: RateSource::Lpr { carried_forward, .. }, .. } => {
            (*percent, *carried_forward)
        }
        ShownRate::Annual { percent, .. } => (*percent, false),
    }
}

/// A segment's daily contribution to the ordinary pool: (basis slot,
/// base × percent) — exact; the division by 100 × basis comes later.
fn daily_ordinary(base: Decimal, rate: ShownRate) -> (usize, Decimal) {
    match rate {
        ShownRate::Annual { percent, day_basis, .. } => (usize::from(day_basis == 360), base * percent),
        ShownRate::Daily(rate) => (0, base * rate * Decimal::from(36_500)),
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
