//! 交叉执行 endpoints (names as the issue fixes them): candidates, decisions,
//! outcomes, statistics, petitions and the command dashboard.

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
use zhixing_core::cross::{self, CrossForm, CrossPolicy, Finding, Flag, OutcomeKind};
use zhixing_core::error::FieldError;
use zhixing_core::money::Money;
use zhixing_store::{CrossDecision, NewDecision, StoreError};

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
fn commander(state: &AppState, user: &CurrentUser) -> Result<(), ApiError> {
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
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"candidates.csv\""),
            ],
            csv,
        )
            .into_response());
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
pub struct DecisionInput {
    /// supervise 督促执行 | designate 指令执行 | elevate 提级执行 | concentrate 集中执行 | coordinate 协同执行 | internal 内部交叉 | task 事项交叉
    pub form: String,
    pub case_id: i64,
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

/// Takes a 交叉执行 decision over a case of a court beneath. A whole-case move closes the original by transfer and files the receiving court's case with the unpaid balance.
#[utoipa::path(post, path = "/api/v1/cross-enforcement/decisions", tag = "cross", request_body = DecisionInput, security(("bearer" = [])),
    responses((status = 201, body = DecisionDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_decision(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<DecisionInput>,
) -> Result<Response, ApiError> {
    commander(&state, &user)?;
    let form = CrossForm::parse(&body.form).ok_or_else(|| {
        FieldError::new(
            "form",
            "invalid_form",
            "交叉执行形式应为 supervise、designate、elevate、concentrate、coordinate、internal 或 task",
        )
    })?;
    let (case, access) = visible_case(&state, &user, body.case_id).await?;
    if access == CaseAccess::None || case.court == user.user.court {
        return Err(ApiError::not_found());
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
    let new = NewDecision {
        form,
        original_court: case.court.clone(),
        case_id: case.id,
        receiving_court,
        decision_ref: body.decision_ref.unwrap_or_default().trim().to_string(),
        decided_on,
        report_by,
        note: body.note.unwrap_or_default(),
    };
    let decision = state
        .store
        .decide_cross(
            &user.user.court,
            &state.courts(),
            &new,
            &user.user.as_ref(),
            state.clock.now_ms(),
            state.clock.today(),
        )
        .await
        .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(decision_dto(&decision))).into_response())
}

/// Decisions are read by the deciding court and the courts above it, and by the original and receiving courts.
pub async fn readable_decision(state: &AppState, user: &CurrentUser, id: i64) -> Result<CrossDecision, ApiError> {
    let courts = state.courts();
    for deciding in courts.all().map(|c| c.code.clone()) {
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
    from: Option<String>,
    to: Option<String>,
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
}

/// The statistics exactly as the SPC counts them, over the decisions of the user's court and the courts beneath it.
#[utoipa::path(get, path = "/api/v1/cross-enforcement/stats", tag = "cross", params(StatsParams), security(("bearer" = [])),
    responses((status = 200, body = StatsDto), (status = 422, body = ErrorBody)))]
pub async fn get_stats(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<StatsParams>,
) -> Result<Json<StatsDto>, ApiError> {
    let today = state.clock.today();
    let from = match q.from.as_deref() {
        None | Some("") => time::Date::from_calendar_date(today.year(), time::Month::January, 1).unwrap_or(today),
        Some(v) => date_field("from", Some(v))?,
    };
    let to = match q.to.as_deref() {
        None | Some("") => today,
        Some(v) => date_field("to", Some(v))?,
    };
    let courts = state.courts().subtree(&user.user.court);
    let s = state.store.cross_statistics(&courts, from, to).await?.total;
    Ok(Json(StatsDto {
        from: iso_date(from),
        to: iso_date(to),
        cross_enforced: s.cross_enforced,
        progressed_or_resolved: s.progressed_or_resolved,
        share_percent: s.share_percent.to_string(),
        recovered: s.recovered.to_string(),
        supervised_recovered: s.supervised_recovered.to_string(),
        internal_or_task: s.internal_or_task,
    }))
}

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
    pub petitioner: String,
    pub received_on: String,
    pub complaint: String,
    pub leads: String,
    pub open: bool,
    /// 30 working days by default (JW 2021 item 30; JF 2021 said 30 days — policy).
    pub due_on: String,
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
    let (case, _) = visible_case(&state, &user, parse_id(&id)?).await?;
    if matches!(user.user.role, Role::Admin) {
        return Err(ApiError::forbidden("系统管理员不能登记信访"));
    }
    let received = zhixing_core::workflow::parse_event_date(
        "received_on",
        body.received_on.as_deref(),
        case.filed_on,
        state.clock.today(),
    )?;
    if body.petitioner.trim().is_empty() || body.complaint.trim().is_empty() {
        return Err(FieldError::new("complaint", "required", "请填写信访人和信访事项").into());
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
    let dto = PetitionDto {
        id: p.id,
        petitioner: p.petitioner,
        received_on: iso_date(p.received_on),
        complaint: p.complaint,
        leads: p.leads,
        open: p.open,
        due_on: iso_date(p.due_on),
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}
