//! The 计算 panel of a case: the statement form prefilled from the case's
//! 执行依据 and claims, and the statement as a readable, printable table.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use zhixing_core::calendar::iso_date;
use zhixing_core::case::ClaimKind;
use zhixing_store::StoredCase;

use super::form::FormData;
use super::{Nav, UiUser, error_page, html, load, posted_case};
use crate::AppState;
use crate::api::calc::{
    self, InterestRequest, ObligationRequest, PaymentRequest, PeriodRequest, PolicyRequest, RateRequest,
    StatementRequest, StatementResponse, StepResponse,
};
use crate::auth::CurrentUser;

#[derive(Clone, Default)]
pub struct RateRow {
    pub on: String,
    pub from: String,
    pub until: String,
    pub kind: String,
    pub value: String,
    pub plus: String,
    pub mode: String,
    pub basis: String,
}

pub struct Line {
    pub class: &'static str,
    pub when: String,
    pub what: String,
    pub base: String,
    pub rate: String,
    pub days: String,
    pub amount: String,
    pub rule: String,
}

#[derive(Template)]
#[template(path = "calc.html")]
struct CalcPage {
    nav: Option<Nav>,
    case_id: i64,
    case_number: String,
    court_name: String,
    csrf: String,
    effective_on: String,
    as_of: String,
    currency: String,
    allocation: String,
    carry_forward: bool,
    kinds: Vec<(&'static str, &'static str)>,
    /// (id, kind, amount, due_on)
    obligations: Vec<(String, String, String, String)>,
    rates: Vec<RateRow>,
    /// (on, amount)
    payments: Vec<(String, String)>,
    /// (from, to)
    excluded: Vec<(String, String)>,
    errors: Vec<String>,
    statement: Option<StatementResponse>,
    lines: Vec<Line>,
}

const KINDS: [(&str, &str); 4] = [("principal", "本金"), ("costs", "费用"), ("penalty", "违约金"), ("other", "其他")];

fn blank_rate() -> RateRow {
    RateRow {
        kind: "1y".into(),
        value: "1".into(),
        plus: "0".into(),
        mode: "floating".into(),
        basis: "365".into(),
        ..Default::default()
    }
}

impl CalcPage {
    fn for_case(state: &AppState, user: &CurrentUser, case: &StoredCase) -> Self {
        let due = case.basis.performance_due_on.map(iso_date).unwrap_or_default();
        let mut obligations: Vec<_> = case
            .claims
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let kind = match c.kind {
                    ClaimKind::Principal => "principal",
                    ClaimKind::Costs => "costs",
                    ClaimKind::Other => "other",
                };
                (format!("{}", i + 1), kind.to_string(), c.amount.to_string(), due.clone())
            })
            .collect();
        if obligations.is_empty() {
            obligations.push(("1".into(), "principal".into(), String::new(), due));
        }
        Self {
            nav: Some(Nav::new(state, user)),
            case_id: case.id,
            case_number: case.case_number.to_string(),
            court_name: state.courts().get(&case.court).map(|c| c.name.clone()).unwrap_or_default(),
            csrf: user.csrf_token.clone(),
            effective_on: iso_date(case.basis.effective_on),
            as_of: iso_date(state.clock.today()),
            currency: "CNY".into(),
            allocation: "costs_interest_principal".into(),
            carry_forward: false,
            kinds: KINDS.to_vec(),
            obligations,
            rates: vec![blank_rate()],
            payments: vec![(String::new(), String::new())],
            excluded: vec![(String::new(), String::new())],
            errors: Vec::new(),
            statement: None,
            lines: Vec::new(),
        }
    }

    fn read(&mut self, data: &FormData) {
        let count = |name: &str| data.get(name).parse::<usize>().unwrap_or(1).min(500);
        let get = |name: String| data.get(&name).trim().to_string();
        self.effective_on = get("effective_on".into());
        self.as_of = get("as_of".into());
        self.currency = get("currency".into());
        self.allocation = get("allocation".into());
        self.carry_forward = data.get("carry_forward") == "1";
        self.obligations = (0..count("o_count"))
            .map(|i| {
                (
                    get(format!("o{i}_id")),
                    get(format!("o{i}_kind")),
                    get(format!("o{i}_amount")),
                    get(format!("o{i}_due")),
                )
            })
            .collect();
        self.rates = (0..count("r_count"))
            .map(|i| RateRow {
                on: get(format!("r{i}_on")),
                from: get(format!("r{i}_from")),
                until: get(format!("r{i}_until")),
                kind: get(format!("r{i}_type")),
                value: get(format!("r{i}_value")),
                plus: get(format!("r{i}_plus")),
                mode: get(format!("r{i}_mode")),
                basis: get(format!("r{i}_basis")),
            })
            .collect();
        self.payments = (0..count("y_count")).map(|i| (get(format!("y{i}_on")), get(format!("y{i}_amount")))).collect();
        self.excluded = (0..count("x_count")).map(|i| (get(format!("x{i}_from")), get(format!("x{i}_to")))).collect();
    }

    /// The request of the non-blank rows, with each row's form position.
    fn request(&self) -> (StatementRequest, [Vec<usize>; 4]) {
        let mut rows: [Vec<usize>; 4] = Default::default();
        let obligations = self
            .obligations
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.2.is_empty())
            .map(|(i, o)| {
                rows[0].push(i);
                ObligationRequest {
                    id: if o.0.is_empty() { format!("{}", i + 1) } else { o.0.clone() },
                    kind: o.1.clone(),
                    amount: o.2.clone(),
                    due_on: (!o.3.is_empty()).then(|| o.3.clone()),
                }
            })
            .collect();
        let ordinary_interest = self
            .rates
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.on.is_empty())
            .map(|(i, r)| {
                rows[1].push(i);
                let rate = if r.kind == "fixed" {
                    RateRequest { fixed_annual_percent: Some(r.value.clone()), ..Default::default() }
                } else {
                    RateRequest {
                        lpr: Some(r.kind.clone()),
                        multiplier: Some(if r.value.is_empty() { "1".into() } else { r.value.clone() }),
                        plus_percent: Some(if r.plus.is_empty() { "0".into() } else { r.plus.clone() }),
                        mode: Some(r.mode.clone()),
                        fixed_annual_percent: None,
                    }
                };
                InterestRequest {
                    on: r.on.clone(),
                    from: r.from.clone(),
                    until: if r.until.is_empty() { "paid".into() } else { r.until.clone() },
                    rate,
                    day_basis: r.basis.parse().ok(),
                }
            })
            .collect();
        let payments = self
            .payments
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.1.is_empty())
            .map(|(i, p)| {
                rows[2].push(i);
                PaymentRequest { on: p.0.clone(), amount: p.1.clone() }
            })
            .collect();
        let excluded_periods = self
            .excluded
            .iter()
            .enumerate()
            .filter(|(_, x)| !x.0.is_empty() || !x.1.is_empty())
            .map(|(i, x)| {
                rows[3].push(i);
                PeriodRequest { from: x.0.clone(), to: x.1.clone() }
            })
            .collect();
        let request = StatementRequest {
            document_effective_on: self.effective_on.clone(),
            as_of: self.as_of.clone(),
            currency: Some(if self.currency.is_empty() { "CNY".into() } else { self.currency.clone() }),
            conversion: None,
            obligations,
            ordinary_interest,
            payments,
            excluded_periods,
            policy: Some(PolicyRequest {
                allocation: Some(self.allocation.clone()),
                lpr_after_last_fixing: Some(if self.carry_forward { "carry_forward" } else { "refuse" }.into()),
            }),
        };
        (request, rows)
    }
}

/// `obligations[1].amount` → `第2项义务·amount` (form row numbers).
fn describe_field(field: &str, rows: &[Vec<usize>; 4]) -> String {
    let lists = [
        ("obligations", "项义务", 0),
        ("ordinary_interest", "项一般债务利息", 1),
        ("payments", "笔付款", 2),
        ("excluded_periods", "段不计息期间", 3),
    ];
    for (name, label, index) in lists {
        if let Some(rest) = field.strip_prefix(name).and_then(|r| r.strip_prefix('[')) {
            let (n, tail) = rest.split_once(']').unwrap_or((rest, ""));
            let row = n.parse::<usize>().ok().and_then(|k| rows[index].get(k).copied()).map_or(0, |r| r + 1);
            return format!("第{row}{label}{}", tail.replace('.', "·"));
        }
    }
    match field {
        "document_effective_on" => "法律文书生效日".into(),
        "as_of" => "计算截止日".into(),
        "currency" => "币种".into(),
        other => other.into(),
    }
}

fn lines(s: &StatementResponse) -> Vec<Line> {
    s.steps
        .iter()
        .map(|step| match step {
            StepResponse::Accrual { component, obligation, from, to, days, base, rate, amount, rule } => Line {
                class: "accrual",
                when: format!("{from} 至 {to}"),
                what: format!(
                    "{}（义务{obligation}）",
                    if component == "delay_interest" { "加倍部分债务利息" } else { "一般债务利息" }
                ),
                base: base.clone(),
                rate: rate.clone(),
                days: days.to_string(),
                amount: amount.clone(),
                rule: rule.clone(),
            },
            StepResponse::Excluded { obligation, from, to, days, rule } => Line {
                class: "excluded",
                when: format!("{from} 至 {to}"),
                what: format!("不计加倍部分债务利息（义务{obligation}）"),
                base: String::new(),
                rate: String::new(),
                days: days.to_string(),
                amount: "0.00".into(),
                rule: rule.clone(),
            },
            StepResponse::Payment { on, amount, allocations, overpaid, rule } => {
                let parts: Vec<String> = allocations
                    .iter()
                    .map(|a| {
                        let to = match a.to.as_str() {
                            "ordinary_interest" => "一般债务利息".to_string(),
                            "delay_interest" => "加倍部分债务利息".to_string(),
                            other => format!("义务{}", other.trim_start_matches("obligation:")),
                        };
                        format!("{to} {}", a.amount)
                    })
                    .collect();
                let over = if overpaid == "0.00" { String::new() } else { format!("；多付 {overpaid}") };
                Line {
                    class: "payment",
                    when: on.clone(),
                    what: format!("付款，依次清偿：{}{over}", parts.join("；")),
                    base: String::new(),
                    rate: String::new(),
                    days: String::new(),
                    amount: amount.clone(),
                    rule: rule.clone(),
                }
            }
        })
        .collect()
}

pub async fn calc_page(State(state): State<Arc<AppState>>, UiUser(user): UiUser, Path(id): Path<String>) -> Response {
    match load(&state, &user, &id).await {
        Ok((case, _)) => html(StatusCode::OK, &CalcPage::for_case(&state, &user, &case)),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

pub async fn calc_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (data, case, _) = match posted_case(&state, &user, &id, pairs).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let mut page = CalcPage::for_case(&state, &user, &case);
    page.read(&data);
    match data.get("action") {
        "add_obligation" => page.obligations.push((
            format!("{}", page.obligations.len() + 1),
            "other".into(),
            String::new(),
            String::new(),
        )),
        "add_rate" => page.rates.push(blank_rate()),
        "add_payment" => page.payments.push((String::new(), String::new())),
        "add_excluded" => page.excluded.push((String::new(), String::new())),
        _ => {
            let (request, rows) = page.request();
            match calc::statement(&request, &state.lpr()) {
                Ok(statement) => {
                    page.lines = lines(&statement);
                    page.statement = Some(statement);
                }
                Err(errors) => {
                    page.errors =
                        errors.iter().map(|e| format!("{}：{}", describe_field(&e.field, &rows), e.message)).collect();
                    return html(StatusCode::UNPROCESSABLE_ENTITY, &page);
                }
            }
        }
    }
    html(StatusCode::OK, &page)
}
