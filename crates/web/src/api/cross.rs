//! 交叉执行 endpoints (names as the issue fixes them): candidates, decisions
//! (集中执行 of several cases in one), outcomes, statistics with breakdowns
//! and CSV export, the receiving court's list, petitions (record, list,
//! close).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhixing_core::access::{CaseAccess, Role};
use zhixing_core::calendar::{iso_date, parse_iso_date};
use zhixing_core::court::CourtCode;
use zhixing_core::cross::{self, CrossForm, CrossPolicy, Finding, Flag, OutcomeKind, SeedStatistics};
use zhixing_core::error::FieldError;
use zhixing_core::money::Money;
use zhixing_store::{CrossDecision, NewDecision, Petition, StoreError, StoredCase};

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser};
use crate::cases::{parse_id, visible_case, visible_courts};
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;

fn refused(e: StoreError) -> ApiError {
    match e {
        StoreError::Refused(r) => ApiError::refused("cross_refused", r),
        other => other.into(),
    }
}

/// Only a 指挥中心 or 执行局长 of a court with courts beneath it decides.
pub(crate) fn commander(state: &AppState, user: &CurrentUser) -> Result<(), ApiError> {
    if !matches!(user.user.role, Role::Command | Role::Chief) {
        return Err(ApiError::forbidden("交叉执行由上级法院指挥中心或执行局长决定"));
    }
    if state.courts().subtree(&user.user.court).len() < 2 {
        return Err(ApiError::forbidden("基层法院没有下级法院，不能作出交叉执行决定"));
    }
    Ok(())
}

fn date_field(field: &str, value: Option<&str>) -> Result<time::Date, FieldError> {
    let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| FieldError::required(field, "日期"))?;
    parse_iso_date(v).ok_or_else(|| FieldError::new(field, "invalid_date", "日期格式应为 YYYY-MM-DD"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateParams {
    /// Only this court beneath (法院代字).
    court: Option<String>,
    /// Only cases with this flag (petition_with_leads, zhongben_new_lead, long_zhongben, livelihood, past_six_months, open_over_a_year, local_debtor).
    flag: Option<String>,
    /// `csv` for an export.
    format: Option<String>,
    /// Most rows (default 200).
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct FlagDto {
    pub flag: String,
    pub label: String,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct CandidateDto {
    pub court: String,
    pub case_id: i64,
    pub case_number: String,
    pub filed_on: String,
    pub amount_applied: String,
    pub score: u32,
    pub flags: Vec<FlagDto>,
}

/// Cases of the courts beneath the user's court that the rules flag, ranked by the weighted flags, each with its reasons.
#[utoipa::path(get, path = "/api/v1/cross-enforcement/candidates", tag = "cross", params(CandidateParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<CandidateDto>), (status = 403, body = ErrorBody)))]
pub async fn get_candidates(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<CandidateParams>,
) -> Result<Response, ApiError> {
    let out = candidates(&state, &user, q.court.as_deref(), q.flag.as_deref(), q.limit.unwrap_or(200)).await?;
    if q.format.as_deref() == Some("csv") {
        let mut csv = String::from("\u{feff}法院,案号,立案日期,申请执行标的,分值,标记\n");
        for c in &out {
            let flags: Vec<String> = c.flags.iter().map(|f| format!("{}：{}", f.label, f.reason)).collect();
            csv.push_str(&format!(
                "{},{},{},{},{},\"{}\"\n",
                c.court,
                c.case_number,
                c.filed_on,
                c.amount_applied,
                c.score,
                flags.join("；").replace('"', "'")
            ));
        }
        return Ok(csv_response("candidates.csv", csv));
    }
    Ok(Json(out).into_response())
}

/// The ranked candidates (shared by the API and the command page).
pub async fn candidates(
    state: &AppState,
    user: &CurrentUser,
    court: Option<&str>,
    flag: Option<&str>,
    limit: u32,
) -> Result<Vec<CandidateDto>, ApiError> {
    commander(state, user)?;
    let policy = CrossPolicy::default();
    let today = state.clock.today();
    let mut courts: Vec<CourtCode> =
        visible_courts(state, user).into_iter().filter(|c| c != &user.user.court).collect();
    if let Some(code) = court.map(str::trim).filter(|c| !c.is_empty()) {
        courts.retain(|c| c.as_str() == code);
    }
    let flag_filter = match flag.map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(f) => Some(Flag::parse(f).ok_or_else(|| FieldError::new("flag", "invalid_flag", "未知的筛选条件"))?),
    };
    let rows = state.store.candidate_rows(&courts).await?;
    let mut out: Vec<CandidateDto> = rows
        .iter()
        .filter_map(|r| {
            let facts = cross::CandidateFacts {
                filed_on: r.filed_on,
                closed: r.closed,
                petitions: &r.petitions,
                leads: &r.leads,
                operative_text: &r.operative_text,
                organisation_debtors: &r.organisation_debtors,
            };
            let flags = cross::flags(&facts, today, &policy);
            if flags.is_empty() || flag_filter.is_some_and(|f| !flags.iter().any(|(k, _)| *k == f)) {
                return None;
            }
            Some(CandidateDto {
                court: r.court.as_str().to_string(),
                case_id: r.case_id,
                case_number: r.case_number.clone(),
                filed_on: iso_date(r.filed_on),
                amount_applied: r.amount_applied.to_string(),
                score: cross::score(&flags, &policy),
                flags: flags
                    .into_iter()
                    .map(|(f, reason)| FlagDto { flag: f.code().into(), label: f.label_zh().into(), reason })
                    .collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.filed_on.cmp(&b.filed_on)).then(a.case_id.cmp(&b.case_id)));
    out.truncate(limit.clamp(1, 10_000) as usize);
    Ok(out)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRefInput {
    /// The court that registered the case (法院代字).
    pub court: String,
    pub case_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// supervise 督促执行 | designate 指令执行 | elevate 提级执行 | concentrate 集中执行 | coordinate 协同执行 | internal 内部交叉 | task 事项交叉
    pub form: String,
    /// The case of a single-case decision.
    pub case_id: Option<i64>,
    /// For concentrate, instead of `case_id`: several cases against the same
    /// debtor (a respondent with the same identity number in every case),
    /// possibly in several courts, all moved to `receiving_court` in one
    /// transaction.
    pub cases: Option<Vec<CaseRefInput>>,
    /// For designate / concentrate: the receiving court.
    pub receiving_court: Option<String>,
    pub decision_ref: Option<String>,
    pub decided_on: Option<String>,
    /// For supervise: the day the original court reports by.
    pub report_by: Option<String>,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OutcomeDto {
    pub kind: String,
    pub label: String,
    pub on: String,
    pub amount: String,
    pub basis: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewDto {
    pub id: i64,
    pub opened_on: String,
    pub due_on: String,
    pub open: bool,
    pub findings: Vec<String>,
    pub measures: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDto {
    pub id: i64,
    /// Rows of one decision over several cases (集中执行) share the id of the first.
    pub group_id: i64,
    /// The deciding court.
    pub court: String,
    pub form: String,
    pub form_label: String,
    pub decision_ref: String,
    pub decided_on: String,
    pub original_court: String,
    pub original_case_id: i64,
    pub original_case_number: String,
    pub receiving_court: Option<String>,
    pub new_case_id: Option<i64>,
    pub new_case_number: Option<String>,
    pub report_by: Option<String>,
    /// The unpaid balance carried over.
    pub balance: String,
    pub outcomes: Vec<OutcomeDto>,
    pub reviews: Vec<ReviewDto>,
}

pub fn decision_dto(d: &CrossDecision) -> DecisionDto {
    DecisionDto {
        id: d.id,
        group_id: d.group_id,
        court: d.court.as_str().to_string(),
        form: d.form.code().to_string(),
        form_label: d.form.label_zh().to_string(),
        decision_ref: d.decision_ref.clone(),
        decided_on: iso_date(d.decided_on),
        original_court: d.original_court.as_str().to_string(),
        original_case_id: d.original_case_id,
        original_case_number: d.original_case_number.clone(),
        receiving_court: d.receiving_court.as_ref().map(|c| c.as_str().to_string()),
        new_case_id: d.new_case_id,
        new_case_number: d.new_case_number.clone(),
        report_by: d.report_by.map(iso_date),
        balance: d.balance.to_string(),
        outcomes: d
            .outcomes
            .iter()
            .map(|o| OutcomeDto {
                kind: o.kind.code().into(),
                label: o.kind.label_zh().into(),
                on: iso_date(o.on),
                amount: o.amount.to_string(),
                basis: o.basis.clone(),
            })
            .collect(),
        reviews: d
            .reviews
            .iter()
            .map(|r| ReviewDto {
                id: r.id,
                opened_on: iso_date(r.opened_on),
                due_on: iso_date(r.due_on),
                open: r.open,
                findings: r.findings.iter().map(|f| f.code().to_string()).collect(),
                measures: r.measures.clone(),
            })
            .collect(),
    }
}

/// The decisions of a multi-case request.
#[derive(Serialize, ToSchema)]
pub struct DecisionsDto {
    pub decisions: Vec<DecisionDto>,
}

/// A single-case request is answered with its decision; a `cases` request
/// with every decision, in the order of the request.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum DecisionResponse {
    One(Box<DecisionDto>),
    Several(DecisionsDto),
}

/// Takes a 交叉执行 decision over a case of a court beneath, or (集中执行, `cases`) over several cases against one debtor. A whole-case move closes each original by transfer and files the receiving court's case with its unpaid balance; several cases move in one transaction, and nothing is written if any is refused.
#[utoipa::path(post, path = "/api/v1/cross-enforcement/decisions", tag = "cross", request_body = DecisionInput, security(("bearer" = [])),
    responses((status = 201, body = DecisionResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_decision(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<DecisionInput>,
) -> Result<Response, ApiError> {
    let several = body.cases.is_some();
    let decisions = decide(&state, &user, body).await?;
    let body = if several {
        DecisionResponse::Several(DecisionsDto { decisions: decisions.iter().map(decision_dto).collect() })
    } else {
        let first = decisions.first().ok_or_else(ApiError::internal)?;
        DecisionResponse::One(Box::new(decision_dto(first)))
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A case of a court beneath the user's court, as a decision names it; 404
/// for anything the user does not see (and for the user's own court's cases).
async fn decidable_case(
    state: &AppState,
    user: &CurrentUser,
    court: Option<&CourtCode>,
    id: i64,
) -> Result<StoredCase, ApiError> {
    let case = match court {
        None => visible_case(state, user, id).await?.0,
        Some(court) => {
            if !visible_courts(state, user).contains(court) {
                return Err(ApiError::not_found());
            }
            state.store.case(std::slice::from_ref(court), id).await?.ok_or_else(ApiError::not_found)?
        }
    };
    let access = zhixing_core::access::case_access(user.user.role, &user.user.court, &case.court, &state.courts());
    if access == CaseAccess::None || case.court == user.user.court {
        return Err(ApiError::not_found());
    }
    Ok(case)
}

/// Checks a decision request and takes it (shared by the API and the command page).
pub async fn decide(state: &AppState, user: &CurrentUser, body: DecisionInput) -> Result<Vec<CrossDecision>, ApiError> {
    commander(state, user)?;
    let form = CrossForm::parse(&body.form).ok_or_else(|| {
        FieldError::new(
            "form",
            "invalid_form",
            "交叉执行形式应为 supervise、designate、elevate、concentrate、coordinate、internal 或 task",
        )
    })?;
    let mut cases: Vec<StoredCase> = Vec::new();
    match (body.case_id, &body.cases) {
        (Some(_), Some(_)) => {
            return Err(FieldError::new("cases", "ambiguous_cases", "case_id 与 cases 只能提供其一").into());
        }
        (None, None) => return Err(FieldError::required("case_id", "案件").into()),
        (Some(id), None) => cases.push(decidable_case(state, user, None, id).await?),
        (None, Some(list)) => {
            if list.is_empty() {
                return Err(FieldError::required("cases", "案件").into());
            }
            if list.len() > 1 && form != CrossForm::Concentrate {
                return Err(FieldError::new(
                    "cases",
                    "several_cases_need_concentration",
                    format!("只有集中执行可以在一个决定中列出多个案件（{}）", cross::CONCENTRATION_RULE),
                )
                .into());
            }
            if list.len() > 200 {
                return Err(FieldError::new("cases", "too_many_cases", "一个决定最多列出200个案件").into());
            }
            for (i, item) in list.iter().enumerate() {
                let court = CourtCode::parse(item.court.trim())
                    .map_err(|_| FieldError::new(format!("cases[{i}].court"), "invalid_court", "法院代字无效"))?;
                cases.push(decidable_case(state, user, Some(&court), item.case_id).await?);
            }
        }
    }
    let receiving_court = match body.receiving_court.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            Some(CourtCode::parse(c).map_err(|_| FieldError::new("receiving_court", "invalid_court", "法院代字无效"))?)
        }
    };
    let decided_on = date_field("decided_on", body.decided_on.as_deref())?;
    if decided_on > state.clock.today() {
        return Err(FieldError::new("decided_on", "date_in_future", "日期不能晚于今天").into());
    }
    let report_by = match body.report_by.as_deref() {
        None | Some("") => None,
        Some(v) => Some(date_field("report_by", Some(v))?),
    };
    let (first, rest) = cases.split_first().ok_or_else(|| FieldError::required("case_id", "案件"))?;
    let new = NewDecision {
        form,
        original_court: first.court.clone(),
        case_id: first.id,
        receiving_court,
        decision_ref: body.decision_ref.unwrap_or_default().trim().to_string(),
        decided_on,
        report_by,
        note: body.note.unwrap_or_default(),
    };
    let more: Vec<(CourtCode, i64)> = rest.iter().map(|c| (c.court.clone(), c.id)).collect();
    state
        .store
        .decide_cross_cases(
            &user.user.court,
            &state.courts(),
            &new,
            &more,
            &user.user.as_ref(),
            state.clock.now_ms(),
            state.clock.today(),
        )
        .await
        .map_err(refused)
}

/// Decisions are read by the deciding court and the courts above it, and by the original and receiving courts.
pub async fn readable_decision(state: &AppState, user: &CurrentUser, id: i64) -> Result<CrossDecision, ApiError> {
    let courts = state.courts();
    // A readable decision was taken by the user's court, a court beneath it,
    // or (the user's court being the original or receiving court) a court above.
    let mut deciding_courts = courts.subtree(&user.user.court);
    let mut above = courts.get(&user.user.court).and_then(|c| c.parent.clone());
    while let Some(parent) = above {
        above = courts.get(&parent).and_then(|c| c.parent.clone());
        deciding_courts.push(parent);
    }
    for deciding in deciding_courts {
        if let Ok(d) = state.store.cross_decision(&deciding, id).await {
            let mine = &user.user.court;
            let ok = courts.subtree(mine).contains(&d.court)
                || &d.original_court == mine
                || d.receiving_court.as_ref() == Some(mine);
            return if ok { Ok(d) } else { Err(ApiError::not_found()) };
        }
    }
    Err(ApiError::not_found())
}

/// One decision with its outcomes and reviews.
#[utoipa::path(get, path = "/api/v1/cross-enforcement/decisions/{id}", tag = "cross", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = DecisionDto), (status = 404, body = ErrorBody)))]
pub async fn get_decision(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<DecisionDto>, ApiError> {
    Ok(Json(decision_dto(&readable_decision(&state, &user, parse_id(&id)?).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// property_found | property_controlled | partial_payment | settlement | completed | settlement_performed | petition_withdrawn | no_prospect_zhongben | no_prospect_bankruptcy
    pub kind: String,
    pub on: Option<String>,
    /// 元 recovered.
    pub amount: Option<String>,
    pub basis: Option<String>,
}

/// Reports an outcome (实质进展, 化解, or no prospect with the basis for 终本 or 执转破); real progress or money opens the review of the original court.
#[utoipa::path(post, path = "/api/v1/cross-enforcement/decisions/{id}/outcomes", tag = "cross", params(("id" = i64, Path)), request_body = OutcomeInput, security(("bearer" = [])),
    responses((status = 201, body = DecisionDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_outcome(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OutcomeInput>,
) -> Result<Response, ApiError> {
    let decision = readable_decision(&state, &user, parse_id(&id)?).await?;
    let acting = &user.user.court;
    if !(courts_above_or_equal(&state, acting, &decision.court)
        || decision.receiving_court.as_ref() == Some(acting)
        || &decision.original_court == acting)
        || matches!(user.user.role, Role::Admin)
    {
        return Err(ApiError::forbidden("只有决定法院、受理法院或原执行法院可以报告成效"));
    }
    let kind = OutcomeKind::parse(&body.kind).ok_or_else(|| FieldError::new("kind", "invalid_kind", "成效类型无效"))?;
    let on = date_field("on", body.on.as_deref())?;
    let amount = match body.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Money::ZERO,
        Some(a) => {
            Money::parse(a).map_err(|e| FieldError::new("amount", "invalid_amount", format!("金额无效：{e}")))?
        }
    };
    let basis = body.basis.unwrap_or_default();
    if matches!(kind, OutcomeKind::NoProspectZhongben | OutcomeKind::NoProspectBankruptcy) && basis.trim().is_empty() {
        return Err(FieldError::new("basis", "required", "无实质进展的，须写明终本或执转破的依据").into());
    }
    let d = state
        .store
        .record_cross_outcome(
            &decision.court,
            decision.id,
            kind,
            on,
            amount,
            &basis,
            &user.user.as_ref(),
            state.clock.now_ms(),
        )
        .await
        .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(decision_dto(&d))).into_response())
}

fn courts_above_or_equal(state: &AppState, user_court: &CourtCode, court: &CourtCode) -> bool {
    user_court == court || state.courts().is_ancestor(user_court, court)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewCloseInput {
    /// favour 人情案 | relationship 关系案 | money 金钱案 | neglect 疏于职守 | passive 消极执行 | no_fault
    pub findings: Vec<String>,
    pub measures: Option<String>,
    pub on: Option<String>,
}

/// Closes the accountability review of a decision with the reviewer's findings and measures.
#[utoipa::path(post, path = "/api/v1/cross-enforcement/decisions/{id}/reviews/{review_id}", tag = "cross", params(("id" = i64, Path), ("review_id" = i64, Path)), request_body = ReviewCloseInput, security(("bearer" = [])),
    responses((status = 200, body = DecisionDto), (status = 422, body = ErrorBody)))]
pub async fn post_review(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, rid)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReviewCloseInput>,
) -> Result<Json<DecisionDto>, ApiError> {
    commander(&state, &user)?;
    let decision = readable_decision(&state, &user, parse_id(&id)?).await?;
    let findings = body
        .findings
        .iter()
        .map(|f| {
            Finding::parse(f).ok_or_else(|| FieldError::new("findings", "invalid_finding", format!("未知的结论“{f}”")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let on = date_field("on", body.on.as_deref())?;
    state
        .store
        .close_review(&decision.court, parse_id(&rid)?, &findings, body.measures.as_deref().unwrap_or(""), on)
        .await
        .map_err(refused)?;
    Ok(Json(decision_dto(&state.store.cross_decision(&decision.court, decision.id).await?)))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day (default: 1 January of this year).
    pub from: Option<String>,
    /// Last day (default: today).
    pub to: Option<String>,
    /// Only this breakdown: `court` (by original and by receiving court), `form` or `month`; all when absent.
    pub group: Option<String>,
    /// `csv` for an export (UTF-8 with BOM, Chinese headers).
    pub format: Option<String>,
}

/// One row of a breakdown: the seed's figures over the decisions of one court, form or month.
#[derive(Serialize, ToSchema)]
pub struct StatsRowDto {
    /// 法院代字, form code or `YYYY-MM` (empty for decisions that name no receiving court).
    pub key: String,
    pub label: String,
    /// Every decision of the row, whatever its form.
    pub decisions: u64,
    pub cross_enforced: u64,
    pub progressed_or_resolved: u64,
    pub share_percent: String,
    pub recovered: String,
    pub supervised_recovered: String,
    pub internal_or_task: u64,
}

#[derive(Serialize, ToSchema)]
pub struct StatsDto {
    pub from: String,
    pub to: String,
    /// Cases cross-enforced, excluding 内部交叉, 事项交叉 and 督促执行.
    pub cross_enforced: u64,
    /// Of them, with 实质进展 or 化解.
    pub progressed_or_resolved: u64,
    /// Percent, one decimal (the seed's 44.1 %).
    pub share_percent: String,
    pub recovered: String,
    /// 督促执行's recovered amount, reported separately.
    pub supervised_recovered: String,
    pub internal_or_task: u64,
    /// Every decision of the period, whatever its form.
    pub decisions: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_original_court: Option<Vec<StatsRowDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_receiving_court: Option<Vec<StatsRowDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_form: Option<Vec<StatsRowDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_month: Option<Vec<StatsRowDto>>,
}

fn stats_row(key: String, label: String, s: &SeedStatistics) -> StatsRowDto {
    StatsRowDto {
        key,
        label,
        decisions: s.decisions,
        cross_enforced: s.cross_enforced,
        progressed_or_resolved: s.progressed_or_resolved,
        share_percent: s.share_percent.to_string(),
        recovered: s.recovered.to_string(),
        supervised_recovered: s.supervised_recovered.to_string(),
        internal_or_task: s.internal_or_task,
    }
}

/// The statistics of the user's court and the courts beneath it (shared by the API and the command page).
pub async fn stats(state: &AppState, user: &CurrentUser, q: &StatsParams) -> Result<StatsDto, ApiError> {
    let today = state.clock.today();
    let from = match q.from.as_deref().map(str::trim) {
        None | Some("") => time::Date::from_calendar_date(today.year(), time::Month::January, 1).unwrap_or(today),
        Some(v) => date_field("from", Some(v))?,
    };
    let to = match q.to.as_deref().map(str::trim) {
        None | Some("") => today,
        Some(v) => date_field("to", Some(v))?,
    };
    if from > to {
        return Err(FieldError::new("to", "period_reversed", "统计期间的结束日期不能早于开始日期").into());
    }
    let group = match q.group.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(g @ ("court" | "form" | "month")) => Some(g),
        Some(_) => {
            return Err(FieldError::new(
                "group",
                "invalid_group",
                "分组应为 court（法院）、form（形式）或 month（月份）",
            )
            .into());
        }
    };
    let wants = |g: &str| group.is_none_or(|chosen| chosen == g);
    let directory = state.courts();
    let court_name = |c: &CourtCode| directory.get(c).map_or_else(|| c.as_str().to_string(), |x| x.name.clone());
    let courts = directory.subtree(&user.user.court);
    let s = state.store.cross_statistics(&courts, from, to).await?;
    let t = &s.total;
    Ok(StatsDto {
        from: iso_date(from),
        to: iso_date(to),
        cross_enforced: t.cross_enforced,
        progressed_or_resolved: t.progressed_or_resolved,
        share_percent: t.share_percent.to_string(),
        recovered: t.recovered.to_string(),
        supervised_recovered: t.supervised_recovered.to_string(),
        internal_or_task: t.internal_or_task,
        decisions: t.decisions,
        by_original_court: wants("court").then(|| {
            s.by_original_court.iter().map(|(c, r)| stats_row(c.as_str().to_string(), court_name(c), r)).collect()
        }),
        by_receiving_court: wants("court").then(|| {
            s.by_receiving_court
                .iter()
                .map(|(c, r)| match c {
                    Some(c) => stats_row(c.as_str().to_string(), court_name(c), r),
                    None => stats_row(String::new(), "（未移送案件）".into(), r),
                })
                .collect()
        }),
        by_form: wants("form")
            .then(|| s.by_form.iter().map(|(f, r)| stats_row(f.code().into(), f.label_zh().into(), r)).collect()),
        by_month: wants("month").then(|| {
            s.by_month
                .iter()
                .map(|(m, r)| {
                    let label = match m.split_once('-') {
                        Some((y, mm)) => format!("{y}年{}月", mm.trim_start_matches('0')),
                        None => m.clone(),
                    };
                    stats_row(m.clone(), label, r)
                })
                .collect()
        }),
    })
}

/// A CSV field, quoted when it holds a separator, a quote or a line break;
/// a leading formula character is neutralised (spreadsheets would run it).
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// The statistics as CSV: UTF-8 with BOM (Excel reads it as UTF-8), Chinese
/// headers, the total first and then each requested breakdown.
pub fn stats_csv(s: &StatsDto) -> String {
    let mut csv = String::from(
        "\u{feff}分组,代码,名称,决定件数,交叉执行件数,取得实质进展或化解件数,占比(%),执行到位金额(元),督促执行到位金额(元),内部交叉及事项交叉件数\n",
    );
    let mut line = |group: &str, key: &str, label: &str, r: (u64, u64, u64, &str, &str, &str, u64)| {
        let cells = [
            group.to_string(),
            key.to_string(),
            label.to_string(),
            r.0.to_string(),
            r.1.to_string(),
            r.2.to_string(),
            r.3.to_string(),
            r.4.to_string(),
            r.5.to_string(),
            r.6.to_string(),
        ];
        csv.push_str(&cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        csv.push('\n');
    };
    line(
        "合计",
        "",
        &format!("{}至{}（不含内部交叉、事项交叉和督促执行）", s.from, s.to),
        (
            s.decisions,
            s.cross_enforced,
            s.progressed_or_resolved,
            &s.share_percent,
            &s.recovered,
            &s.supervised_recovered,
            s.internal_or_task,
        ),
    );
    let groups = [
        ("原执行法院", &s.by_original_court),
        ("受理法院", &s.by_receiving_court),
        ("交叉执行形式", &s.by_form),
        ("月份", &s.by_month),
    ];
    for (name, rows) in groups {
        for r in rows.iter().flatten() {
            line(
                name,
                &r.key,
                &r.label,
                (
                    r.decisions,
                    r.cross_enforced,
                    r.progressed_or_resolved,
                    &r.share_percent,
                    &r.recovered,
                    &r.supervised_recovered,
                    r.internal_or_task,
                ),
            );
        }
    }
    csv
}

/// A CSV download.
pub fn csv_response(filename: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// The statistics exactly as the SPC counts them (excluding 内部交叉, 事项交叉 and 督促执行, whose money is reported apart), over the decisions of the user's court and the courts beneath it, with breakdowns by original court, receiving court, form and month (`group` picks one; `format=csv` exports).
#[utoipa::path(get, path = "/api/v1/cross-enforcement/stats", tag = "cross", params(StatsParams), security(("bearer" = [])),
    responses((status = 200, body = StatsDto, description = "JSON, or CSV with `format=csv`"), (status = 422, body = ErrorBody)))]
pub async fn get_stats(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let csv = match q.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => return Err(FieldError::new("format", "invalid_format", "导出格式应为 csv").into()),
    };
    let s = stats(&state, &user, &q).await?;
    if csv {
        let name = format!("cross-stats-{}-{}.csv", s.from, s.to);
        return Ok(csv_response(&name, stats_csv(&s)));
    }
    Ok(Json(s).into_response())
}

// ---------------------------------------------------------------- received

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ReceivedParams {
    /// Most rows (default 200).
    pub limit: Option<u32>,
}

/// The cases moved to the user's court (and, for a higher court, to the courts beneath it) by 指令、提级 or 集中执行 (shared by the API and the page).
pub async fn received(state: &AppState, user: &CurrentUser, limit: u32) -> Result<Vec<CrossDecision>, ApiError> {
    let courts = visible_courts(state, user);
    if courts.is_empty() {
        return Err(ApiError::forbidden(format!("{}不能查看案件内容", user.user.role.label_zh())));
    }
    Ok(state.store.cross_received(&courts, i64::from(limit.clamp(1, 1000))).await?)
}

/// Cases moved to the user's court by a 交叉执行 decision (a basic court sees only the cases moved to it), newest first, each with the receiving court's new case, the balance carried over, the report-by date and the outcomes so far.
#[utoipa::path(get, path = "/api/v1/cross-enforcement/received", tag = "cross", params(ReceivedParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<DecisionDto>), (status = 403, body = ErrorBody)))]
pub async fn get_received(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<ReceivedParams>,
) -> Result<Json<Vec<DecisionDto>>, ApiError> {
    let list = received(&state, &user, q.limit.unwrap_or(200)).await?;
    Ok(Json(list.iter().map(decision_dto).collect()))
}

// ---------------------------------------------------------------- petitions

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PetitionInput {
    pub petitioner: String,
    pub received_on: Option<String>,
    pub complaint: String,
    /// Property leads offered (empty when none).
    #[serde(default)]
    pub leads: String,
}

#[derive(Serialize, ToSchema)]
pub struct PetitionDto {
    pub id: i64,
    pub court: String,
    pub case_id: i64,
    pub case_number: String,
    pub petitioner: String,
    pub received_on: String,
    pub complaint: String,
    pub leads: String,
    pub open: bool,
    /// 30 working days by default (JW 2021 item 30; JF 2021 said 30 days — policy).
    pub due_on: String,
    /// Open after its last day, or closed after it.
    pub overdue: bool,
    pub closed_on: Option<String>,
    pub result: Option<String>,
}

pub fn petition_dto(p: &Petition, case_number: &str, today: time::Date) -> PetitionDto {
    PetitionDto {
        id: p.id,
        court: p.court.as_str().to_string(),
        case_id: p.case_id,
        case_number: case_number.to_string(),
        petitioner: p.petitioner.clone(),
        received_on: iso_date(p.received_on),
        complaint: p.complaint.clone(),
        leads: p.leads.clone(),
        open: p.open,
        due_on: iso_date(p.due_on),
        overdue: cross::petition_overdue(p.due_on, p.closed_on, today),
        closed_on: p.closed_on.map(iso_date),
        result: p.result.clone(),
    }
}

/// Records an 执行信访 (shared by the API and the case page).
pub async fn file_petition(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    body: &PetitionInput,
) -> Result<PetitionDto, ApiError> {
    let (case, _) = visible_case(state, user, case_id).await?;
    if matches!(user.user.role, Role::Admin) {
        return Err(ApiError::forbidden("系统管理员不能登记信访"));
    }
    let received = zhixing_core::workflow::parse_event_date(
        "received_on",
        body.received_on.as_deref(),
        case.filed_on,
        state.clock.today(),
    )?;
    if body.petitioner.trim().is_empty() {
        return Err(FieldError::required("petitioner", "信访人").into());
    }
    if body.complaint.trim().is_empty() {
        return Err(FieldError::required("complaint", "信访事项").into());
    }
    let p = state
        .store
        .file_petition(
            &case.court,
            case.id,
            body.petitioner.trim(),
            received,
            body.complaint.trim(),
            body.leads.trim(),
            &user.user.as_ref(),
            state.clock.now_ms(),
        )
        .await?;
    Ok(petition_dto(&p, &case.case_number.to_string(), state.clock.today()))
}

/// Records an 执行信访 on a case (the court's own, or a court beneath).
#[utoipa::path(post, path = "/api/v1/cases/{id}/petitions", tag = "cross", params(("id" = i64, Path)), request_body = PetitionInput, security(("bearer" = [])),
    responses((status = 201, body = PetitionDto), (status = 422, body = ErrorBody)))]
pub async fn post_petition(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PetitionInput>,
) -> Result<Response, ApiError> {
    let dto = file_petition(&state, &user, parse_id(&id)?, &body).await?;
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// The petitions of a case, oldest first, each with its deadline and whether it is overdue.
#[utoipa::path(get, path = "/api/v1/cases/{id}/petitions", tag = "cross", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<PetitionDto>), (status = 404, body = ErrorBody)))]
pub async fn get_case_petitions(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<PetitionDto>>, ApiError> {
    let (case, _) = visible_case(&state, &user, parse_id(&id)?).await?;
    let today = state.clock.today();
    let number = case.case_number.to_string();
    let list = state.store.petitions_of_case(&case.court, case.id).await?;
    Ok(Json(list.iter().map(|p| petition_dto(p, &number, today)).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PetitionCloseInput {
    /// What was done and answered (办理结果).
    pub result: String,
    /// Not before the receipt, not in the future.
    pub closed_on: Option<String>,
}

/// Closes a petition (shared by the API and the case page).
pub async fn close_petition(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    petition_id: i64,
    body: &PetitionCloseInput,
) -> Result<PetitionDto, ApiError> {
    let (case, access) = visible_case(state, user, case_id).await?;
    if access != CaseAccess::Write {
        return Err(ApiError::forbidden("信访由案件所在法院办结；上级法院只能查看"));
    }
    let closed_on = date_field("closed_on", body.closed_on.as_deref())?;
    if closed_on > state.clock.today() {
        return Err(FieldError::new("closed_on", "date_in_future", "日期不能晚于今天").into());
    }
    let result = body.result.trim();
    if result.is_empty() {
        return Err(FieldError::required("result", "办理结果").into());
    }
    let p = match state.store.close_petition(&case.court, case.id, petition_id, result, closed_on).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "信访记录不存在")),
        Err(e) => return Err(e.into()),
    };
    Ok(petition_dto(&p, &case.case_number.to_string(), state.clock.today()))
}

/// Closes (办结) a petition with its result; the closing date may be neither before the receipt nor in the future. Only the case's own court closes it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/petitions/{petition_id}/close", tag = "cross", params(("id" = i64, Path), ("petition_id" = i64, Path)), request_body = PetitionCloseInput, security(("bearer" = [])),
    responses((status = 200, body = PetitionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_close_petition(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, pid)): Path<(String, String)>,
    ApiJson(body): ApiJson<PetitionCloseInput>,
) -> Result<Json<PetitionDto>, ApiError> {
    let pid = pid.parse::<i64>().map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "not_found", "信访记录不存在"))?;
    Ok(Json(close_petition(&state, &user, parse_id(&id)?, pid, &body).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PetitionListParams {
    /// Only this court (法院代字): the user's own or one beneath it.
    pub court: Option<String>,
    /// `open` or `closed`; both when absent.
    pub status: Option<String>,
    /// Most rows (default 500).
    pub limit: Option<u32>,
}

/// A court's petitions (shared by the API and the page).
pub async fn court_petitions(
    state: &AppState,
    user: &CurrentUser,
    q: &PetitionListParams,
) -> Result<Vec<PetitionDto>, ApiError> {
    let mut courts = visible_courts(state, user);
    if courts.is_empty() {
        return Err(ApiError::forbidden(format!("{}不能查看案件内容", user.user.role.label_zh())));
    }
    if let Some(code) = q.court.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let code = CourtCode::parse(code).map_err(|_| FieldError::new("court", "invalid_court", "法院代字无效"))?;
        if !courts.contains(&code) {
            return Err(ApiError::forbidden("只能查看本院及辖区法院的信访"));
        }
        courts = vec![code];
    }
    let open_only = match q.status.as_deref().map(str::trim) {
        None | Some("" | "all") => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => {
            return Err(
                FieldError::new("status", "invalid_status", "状态应为 open（未办结）或 closed（已办结）").into()
            );
        }
    };
    let today = state.clock.today();
    let list =
        state.store.petitions_of_courts(&courts, open_only, i64::from(q.limit.unwrap_or(500).clamp(1, 5000))).await?;
    Ok(list.iter().map(|i| petition_dto(&i.petition, &i.case_number, today)).collect())
}

/// The petitions of the user's court (a higher court: of its courts), earliest deadline first, each with its deadline (30 working days by policy) and whether it is overdue.
#[utoipa::path(get, path = "/api/v1/petitions", tag = "cross", params(PetitionListParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<PetitionDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_petitions(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<PetitionListParams>,
) -> Result<Json<Vec<PetitionDto>>, ApiError> {
    Ok(Json(court_petitions(&state, &user, &q).await?))
}

#[derive(Serialize, ToSchema)]
pub struct HandlingStepDto {
    pub on: String,
    pub label: String,
    pub note: String,
    pub document_ref: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MissedStepDto {
    pub label: String,
    pub rule: String,
    pub due_on: String,
    /// Done late on this date; `null` = not done before the decision.
    pub met_on: Option<String>,
}

/// What the original court did and did not do with the case, for the accountability review.
#[derive(Serialize, ToSchema)]
pub struct HandlingDto {
    pub original_court: String,
    pub original_case_number: String,
    pub filed_on: String,
    pub decided_on: String,
    /// Nodes and transitions recorded by the original court, in date order.
    pub done: Vec<HandlingStepDto>,
    /// Statutory steps met late or not met before the decision.
    pub missed: Vec<MissedStepDto>,
}

/// The original court's handling — recorded nodes and transitions, and the statutory steps it met late or not at all — for reviewers (the deciding court and the courts above).
#[utoipa::path(get, path = "/api/v1/cross-enforcement/decisions/{id}/handling", tag = "cross", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = HandlingDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_handling(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<HandlingDto>, ApiError> {
    let decision = readable_decision(&state, &user, parse_id(&id)?).await?;
    Ok(Json(handling(&state, &user, &decision).await?))
}

/// The original court's handling of a decision's case (reviewers only).
pub async fn handling(state: &AppState, user: &CurrentUser, d: &CrossDecision) -> Result<HandlingDto, ApiError> {
    commander(state, user)?;
    if !courts_above_or_equal(state, &user.user.court, &d.court) {
        return Err(ApiError::forbidden("问责审查由作出交叉执行决定的法院或其上级法院进行"));
    }
    let (case, workflow) = state
        .store
        .case_workflow(std::slice::from_ref(&d.original_court), d.original_case_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rules = state.store.workflow_rules();
    let deadlines =
        zhixing_core::workflow::deadlines::compute_deadlines(&workflow.file(&case), &rules.calendar, &rules.policy);
    let local = state.store.node_kinds(Some(&d.original_court)).await.unwrap_or_default();
    let mut done: Vec<(time::Date, HandlingStepDto)> = workflow
        .nodes
        .iter()
        .map(|n| {
            (
                n.on,
                HandlingStepDto {
                    on: iso_date(n.on),
                    label: crate::workflow::node_label(&n.kind, &local),
                    note: n.note.clone(),
                    document_ref: n.document_ref.clone(),
                },
            )
        })
        .chain(workflow.events.iter().map(|e| {
            (
                e.on,
                HandlingStepDto {
                    on: iso_date(e.on),
                    label: e.action.label_zh().to_string(),
                    note: e.note.clone(),
                    document_ref: e.document_ref.clone(),
                },
            )
        }))
        .collect();
    done.sort_by_key(|(on, _)| *on);
    Ok(HandlingDto {
        original_court: d.original_court.as_str().to_string(),
        original_case_number: d.original_case_number.clone(),
        filed_on: iso_date(case.filed_on),
        decided_on: iso_date(d.decided_on),
        done: done.into_iter().map(|(_, s)| s).collect(),
        missed: cross::missed_steps(&deadlines, d.decided_on)
            .into_iter()
            .map(|m| MissedStepDto {
                label: m.label,
                rule: m.rule,
                due_on: iso_date(m.due_on),
                met_on: m.met_on.map(iso_date),
            })
            .collect(),
    })
}
