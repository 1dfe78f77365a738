//! The calculator's JSON contract, shared by `POST /api/v1/calc/statement`,
//! `GET /api/v1/calc/fee` and the CLI (`zhixing calc …`): every domain value
//! travels as a string, is parsed once into `zhixing_core::calc` types, and
//! every reported amount is rounded half-up to 0.01 at the end.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use zhixing_core::calc::fees::{self, FeeKind, round_yuan};
use zhixing_core::calc::lpr::{LprTable, Tenor};
use zhixing_core::calc::{
    AllocationPolicy, Component, Conversion, LprBeyondTable, LprMode, Obligation, ObligationKind, OrdinaryInterest,
    Payment, Period, Rate, RateSource, ShownRate, Statement, StatementInput, Step, Target, Until, compute,
};
use zhixing_core::calendar::{iso_date, parse_iso_date};
use zhixing_core::error::{Errors, FieldError};
use zhixing_core::money::Money;

/// Body of `POST /api/v1/calc/statement` (and input of `zhixing calc statement`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    /// 法律文书生效日 `YYYY-MM-DD`.
    #[schema(example = "2024-03-15")]
    pub document_effective_on: String,
    /// 计算截止日 (inclusive).
    #[schema(example = "2024-06-30")]
    pub as_of: String,
    /// ISO 4217 code, default `CNY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// RMB central parity of the day the doubled part starts (LX art 5), for a foreign currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<ConversionRequest>,
    pub obligations: Vec<ObligationRequest>,
    #[serde(default)]
    pub ordinary_interest: Vec<InterestRequest>,
    #[serde(default)]
    pub payments: Vec<PaymentRequest>,
    #[serde(default)]
    pub excluded_periods: Vec<PeriodRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyRequest>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversionRequest {
    pub rate: String,
    pub rate_date: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligationRequest {
    #[schema(example = "p")]
    pub id: String,
    /// principal | costs | penalty | other
    pub kind: String,
    #[schema(example = "100000.00")]
    pub amount: String,
    /// 履行期限届满日; null when the document fixes no period.
    #[serde(default)]
    pub due_on: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestRequest {
    /// Id of the obligation bearing the interest.
    pub on: String,
    pub from: String,
    /// `paid` or a date (inclusive).
    pub until: String,
    pub rate: RateRequest,
    /// 360 or 365 (default 365).
    #[serde(default)]
    pub day_basis: Option<u32>,
}

/// Either `{"fixed_annual_percent": "6"}` or
/// `{"lpr": "1y|5y", "multiplier": "1.5", "plus_percent": "0", "mode": "floating|fixed_at_start"}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_annual_percent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lpr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plus_percent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub on: String,
    pub amount: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodRequest {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    /// costs_interest_principal (default) | principal_first
    #[serde(default)]
    pub allocation: Option<String>,
    /// refuse (default) | carry_forward — for days after the LPR table has gone stale.
    #[serde(default)]
    pub lpr_after_last_fixing: Option<String>,
}

fn date(text: &str, field: String) -> Result<Date, FieldError> {
    parse_iso_date(text)
        .ok_or_else(|| FieldError::new(field, "invalid_date", format!("日期“{text}”无效，应为YYYY-MM-DD")))
}

fn amount(text: &str, field: String) -> Result<Decimal, FieldError> {
    Money::parse(text).map(Money::as_decimal).map_err(|e| FieldError::new(field, "invalid_amount", e.to_string()))
}

fn number(text: &str, field: String) -> Result<Decimal, FieldError> {
    text.trim()
        .parse::<Decimal>()
        .map_err(|_| FieldError::new(field, "invalid_number", format!("“{text}”不是有效的数字")))
}

impl StatementRequest {
    /// Parses into the domain input and checks it against the LPR table.
    pub fn parse(&self, lpr: &LprTable) -> Result<StatementInput, Vec<FieldError>> {
        let mut errors = Errors::new();
        let effective = errors.take(date(&self.document_effective_on, "document_effective_on".into()));
        let as_of = errors.take(date(&self.as_of, "as_of".into()));
        let currency = self.currency.clone().unwrap_or_else(|| "CNY".into()).trim().to_string();
        let conversion = self.conversion.as_ref().and_then(|c| {
            let rate = errors.take(number(&c.rate, "conversion.rate".into()));
            let rate_date = errors.take(date(&c.rate_date, "conversion.rate_date".into()));
            Some(Conversion { rate: rate?, rate_date: rate_date? })
        });
        let mut obligations = Vec::new();
        for (i, o) in self.obligations.iter().enumerate() {
            let kind = errors.take(ObligationKind::parse(&o.kind).ok_or_else(|| {
                FieldError::new(
                    format!("obligations[{i}].kind"),
                    "invalid_kind",
                    "义务类型应为 principal、costs、penalty 或 other",
                )
            }));
            let value = errors.take(amount(&o.amount, format!("obligations[{i}].amount")));
            let due_on = match o.due_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                None => Some(None),
                Some(d) => errors.take(date(d, format!("obligations[{i}].due_on"))).map(Some),
            };
            if let (Some(kind), Some(value), Some(due_on)) = (kind, value, due_on) {
                obligations.push(Obligation { id: o.id.trim().to_string(), kind, amount: value, due_on });
            }
        }
        let mut ordinary_interest = Vec::new();
        for (i, s) in self.ordinary_interest.iter().enumerate() {
            let at = |f: &str| format!("ordinary_interest[{i}].{f}");
            let from = errors.take(date(&s.from, at("from")));
            let until = if s.until.trim() == "paid" {
                Some(Until::Paid)
            } else {
                errors.take(date(&s.until, at("until"))).map(Until::Date)
            };
            let rate = errors.take(parse_rate(&s.rate, &at("rate")));
            if let (Some(from), Some(until), Some(rate)) = (from, until, rate) {
                ordinary_interest.push(OrdinaryInterest {
                    on: s.on.trim().to_string(),
                    from,
                    until,
                    rate,
                    day_basis: s.day_basis.unwrap_or(365),
                });
            }
        }
        let mut payments = Vec::new();
        for (i, p) in self.payments.iter().enumerate() {
            let on = errors.take(date(&p.on, format!("payments[{i}].on")));
            let value = errors.take(amount(&p.amount, format!("payments[{i}].amount")));
            if let (Some(on), Some(value)) = (on, value) {
                payments.push(Payment { on, amount: value });
            }
        }
        let mut excluded_periods = Vec::new();
        for (i, p) in self.excluded_periods.iter().enumerate() {
            let from = errors.take(date(&p.from, format!("excluded_periods[{i}].from")));
            let to = errors.take(date(&p.to, format!("excluded_periods[{i}].to")));
            if let (Some(from), Some(to)) = (from, to) {
                excluded_periods.push(Period { from, to });
            }
        }
        let policy = self.policy.clone().unwrap_or_default();
        let allocation = match policy.allocation.as_deref() {
            None => Some(AllocationPolicy::CostsInterestPrincipal),
            Some(p) => errors.take(AllocationPolicy::parse(p).ok_or_else(|| {
                FieldError::new(
                    "policy.allocation",
                    "invalid_policy",
                    "分配顺序应为 costs_interest_principal 或 principal_first",
                )
            })),
        };
        let lpr_beyond_table = match policy.lpr_after_last_fixing.as_deref() {
            None | Some("refuse") => Some(LprBeyondTable::Refuse),
            Some("carry_forward") => Some(LprBeyondTable::CarryForward),
            Some(_) => errors.take(Err(FieldError::new(
                "policy.lpr_after_last_fixing",
                "invalid_policy",
                "应为 refuse 或 carry_forward",
            ))),
        };
        if !errors.is_empty() {
            return Err(errors.into_vec());
        }
        let (Some(document_effective_on), Some(as_of), Some(allocation), Some(lpr_beyond_table)) =
            (effective, as_of, allocation, lpr_beyond_table)
        else {
            return Err(errors.into_vec());
        };
        let input = StatementInput {
            document_effective_on,
            as_of,
            currency,
            conversion,
            obligations,
            ordinary_interest,
            payments,
            excluded_periods,
            allocation,
            lpr_beyond_table,
        };
        input.validate(lpr)?;
        Ok(input)
    }
}

fn parse_rate(rate: &RateRequest, at: &str) -> Result<Rate, FieldError> {
    match (&rate.fixed_annual_percent, &rate.lpr) {
        (Some(percent), None) => {
            if rate.multiplier.is_some() || rate.plus_percent.is_some() || rate.mode.is_some() {
                return Err(FieldError::new(at, "invalid_rate", "固定利率不能同时填写LPR的倍数、加点或方式"));
            }
            Ok(Rate::FixedAnnualPercent(number(percent, format!("{at}.fixed_annual_percent"))?))
        }
        (None, Some(tenor)) => {
            let tenor = Tenor::parse(tenor)
                .ok_or_else(|| FieldError::new(format!("{at}.lpr"), "invalid_rate", "LPR期限应为 1y 或 5y"))?;
            let multiplier = match &rate.multiplier {
                Some(m) => number(m, format!("{at}.multiplier"))?,
                None => Decimal::ONE,
            };
            let plus_percent = match &rate.plus_percent {
                Some(p) => number(p, format!("{at}.plus_percent"))?,
                None => Decimal::ZERO,
            };
            let mode = match rate.mode.as_deref().map(str::trim) {
                None | Some("floating") => LprMode::Floating,
                Some("fixed_at_start") => LprMode::FixedAtStart,
                Some(_) => {
                    return Err(FieldError::new(
                        format!("{at}.mode"),
                        "invalid_rate",
                        "方式应为 floating 或 fixed_at_start",
                    ));
                }
            };
            Ok(Rate::Lpr { tenor, multiplier, plus_percent, mode })
        }
        _ => Err(FieldError::new(
            at,
            "invalid_rate",
            "利率应为 fixed_annual_percent，或 lpr（及 multiplier、plus_percent、mode）之一",
        )),
    }
}

/// Amount as a decimal string, rounded half-up to 0.01.
fn money(value: Decimal) -> String {
    round_yuan(value).to_string()
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatementResponse {
    pub currency: String,
    pub as_of: String,
    pub policy: PolicyResponse,
    pub outstanding: Outstanding,
    pub accrued: Accrued,
    pub paid: Paid,
    pub obligations: Vec<ObligationResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted: Option<ConvertedResponse>,
    pub steps: Vec<StepResponse>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PolicyResponse {
    pub allocation: String,
    pub allocation_rule: String,
    pub lpr_after_last_fixing: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Outstanding {
    pub obligations: String,
    pub ordinary_interest: String,
    pub delay_interest: String,
    pub total: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Accrued {
    pub ordinary_interest: String,
    pub delay_interest: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Paid {
    pub total: String,
    pub to_obligations: String,
    pub to_ordinary_interest: String,
    pub to_delay_interest: String,
    pub overpaid: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ObligationResponse {
    pub id: String,
    pub kind: String,
    pub kind_label: String,
    pub amount: String,
    /// First day of delay (LX art 2).
    pub delay_from: String,
    pub paid: String,
    pub outstanding: String,
    pub delay_interest: String,
    pub ordinary_interest: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConvertedResponse {
    pub currency: String,
    pub rate: String,
    pub rate_date: String,
    pub outstanding_obligations: String,
    pub outstanding_ordinary_interest: String,
    pub outstanding_delay_interest: String,
    pub delay_interest_accrued: String,
    pub rule: String,
}

/// One line of the statement.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepResponse {
    /// Interest accrued on `base` from `from` to `to`, both included.
    Accrual {
        /// delay_interest (加倍部分债务利息) | ordinary_interest (一般债务利息)
        component: String,
        obligation: String,
        from: String,
        to: String,
        days: i64,
        base: String,
        rate: String,
        amount: String,
        rule: String,
    },
    /// Days that accrue no doubled interest.
    Excluded { obligation: String, from: String, to: String, days: i64, rule: String },
    /// A payment and where it went.
    Payment { on: String, amount: String, allocations: Vec<AllocationResponse>, overpaid: String, rule: String },
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AllocationResponse {
    /// `obligation:<id>`, `ordinary_interest` or `delay_interest`.
    pub to: String,
    pub amount: String,
}

fn target(t: &Target, input: &StatementInput) -> String {
    match t {
        Target::Obligation(i) => format!("obligation:{}", input.obligations.get(*i).map_or("", |o| o.id.as_str())),
        Target::OrdinaryInterest => "ordinary_interest".into(),
        Target::DelayInterest => "delay_interest".into(),
    }
}

impl StatementResponse {
    pub fn new(input: &StatementInput, s: &Statement) -> Self {
        let id = |i: usize| input.obligations.get(i).map_or(String::new(), |o| o.id.clone());
        let steps = s
            .steps
            .iter()
            .map(|step| match step {
                Step::Accrual { component, obligation, from, to, days, base, rate, amount, rule } => {
                    StepResponse::Accrual {
                        component: match component {
                            Component::DelayInterest => "delay_interest".into(),
                            Component::OrdinaryInterest => "ordinary_interest".into(),
                        },
                        obligation: id(*obligation),
                        from: iso_date(*from),
                        to: iso_date(*to),
                        days: *days,
                        base: money(*base),
                        rate: match rate {
                            ShownRate::Daily(r) => format!("日{r}（日万分之一点七五）"),
                            ShownRate::Annual { percent, day_basis, source } => {
                                format!("年{}%，按{day_basis}天/年（{}）", percent.normalize(), describe_source(source))
                            }
                        },
                        amount: money(*amount),
                        rule: (*rule).to_string(),
                    }
                }
                Step::Excluded { obligation, from, to, days, rule } => StepResponse::Excluded {
                    obligation: id(*obligation),
                    from: iso_date(*from),
                    to: iso_date(*to),
                    days: *days,
                    rule: (*rule).to_string(),
                },
                Step::Payment { on, amount, allocations, overpaid, rule } => StepResponse::Payment {
                    on: iso_date(*on),
                    amount: money(*amount),
                    allocations: allocations
                        .iter()
                        .map(|(t, a)| AllocationResponse { to: target(t, input), amount: money(*a) })
                        .collect(),
                    overpaid: money(*overpaid),
                    rule: (*rule).to_string(),
                },
            })
            .collect();
        Self {
            currency: s.currency.clone(),
            as_of: iso_date(input.as_of),
            policy: PolicyResponse {
                allocation: input.allocation.as_str().into(),
                allocation_rule: input.allocation.rule().into(),
                lpr_after_last_fixing: match input.lpr_beyond_table {
                    LprBeyondTable::Refuse => "refuse".into(),
                    LprBeyondTable::CarryForward => "carry_forward".into(),
                },
            },
            outstanding: Outstanding {
                obligations: money(s.outstanding_obligations),
                ordinary_interest: money(s.outstanding_ordinary_interest),
                delay_interest: money(s.outstanding_delay_interest),
                total: money(s.outstanding_total()),
            },
            accrued: Accrued {
                ordinary_interest: money(s.accrued_ordinary_interest),
                delay_interest: money(s.accrued_delay_interest),
            },
            paid: Paid {
                total: money(s.paid_total),
                to_obligations: money(s.paid_to_obligations),
                to_ordinary_interest: money(s.paid_to_ordinary_interest),
                to_delay_interest: money(s.paid_to_delay_interest),
                overpaid: money(s.overpaid),
            },
            obligations: s
                .obligations
                .iter()
                .map(|o| ObligationResponse {
                    id: o.id.clone(),
                    kind: o.kind.as_str().into(),
                    kind_label: o.kind.label_zh().into(),
                    amount: money(o.amount),
                    delay_from: iso_date(o.delay_from),
                    paid: money(o.paid),
                    outstanding: money(o.outstanding),
                    delay_interest: money(o.delay_interest_accrued),
                    ordinary_interest: money(o.ordinary_interest_accrued),
                })
                .collect(),
            converted: s.converted.as_ref().map(|c| ConvertedResponse {
                currency: "CNY".into(),
                rate: c.rate.to_string(),
                rate_date: iso_date(c.rate_date),
                outstanding_obligations: money(c.outstanding_obligations),
                outstanding_ordinary_interest: money(c.outstanding_ordinary_interest),
                outstanding_delay_interest: money(c.outstanding_delay_interest),
                delay_interest_accrued: money(c.accrued_delay_interest),
                rule: zhixing_core::calc::rules::FOREIGN.into(),
            }),
            steps,
            notes: vec![
                "金额均按精确小数计算，每一报告金额最后四舍五入到分；各行金额之和与合计可能相差1分。".into(),
                format!("加倍部分债务利息自履行期间届满次日起算（{}）。", zhixing_core::calc::rules::DOUBLED_START),
            ],
        }
    }
}

fn describe_source(source: &RateSource) -> String {
    match source {
        RateSource::Fixed => "判决确定的固定利率".into(),
        RateSource::Lpr { tenor, published_on, fixing, multiplier, plus_percent, mode, carried_forward } => {
            let plus = if plus_percent.is_zero() { String::new() } else { format!("{:+}%", plus_percent.normalize()) };
            let fixed = if *mode == LprMode::FixedAtStart { "，按起算日报价固定" } else { "" };
            let carried = if *carried_forward { "，沿用最后一期报价" } else { "" };
            format!(
                "{}{}%（{}公布，本段内未变）×{}{plus}{fixed}{carried}",
                tenor.label_zh(),
                fixing.normalize(),
                iso_date(*published_on),
                multiplier.normalize()
            )
        }
    }
}

/// Parses, computes and answers — the whole statement contract.
pub fn statement(request: &StatementRequest, lpr: &LprTable) -> Result<StatementResponse, Vec<FieldError>> {
    let input = request.parse(lpr)?;
    let statement = compute(&input, lpr);
    Ok(StatementResponse::new(&input, &statement))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FeeResponse {
    /// execution (申请执行费) | preservation (申请保全费)
    pub kind: String,
    pub amount: Option<String>,
    /// The fee in 元.
    pub fee: String,
    /// Upper end of the 50–500 元 range when there is no amount (申请执行费).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_max: Option<String>,
    pub capped: bool,
    pub tiers: Vec<FeeTier>,
    pub rule: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FeeTier {
    pub part: String,
    pub rate: String,
    pub fee: String,
}

/// `kind` and `amount` as text → the fee, or the field at fault.
pub fn fee(kind: &str, amount_text: Option<&str>) -> Result<FeeResponse, FieldError> {
    let kind = FeeKind::parse(kind).ok_or_else(|| {
        FieldError::new("kind", "invalid_kind", "费用种类应为 execution（申请执行费）或 preservation（申请保全费）")
    })?;
    let value = match amount_text.map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => Some(amount(text, "amount".into())?),
    };
    let f = fees::fee(kind, value);
    Ok(FeeResponse {
        kind: match kind {
            FeeKind::Execution => "execution".into(),
            FeeKind::Preservation => "preservation".into(),
        },
        amount: value.map(money),
        fee: money(f.amount),
        fee_max: f.upper.map(money),
        capped: f.capped,
        tiers: f
            .tiers
            .iter()
            .map(|(part, rate, fee)| FeeTier { part: money(*part), rate: (*rate).into(), fee: money(*fee) })
            .collect(),
        rule: kind.rule().into(),
    })
}
