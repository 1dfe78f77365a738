//! Seizure endpoints (查封、扣押、冻结 on a case: list, record, renew,
//! release) and the 交叉执行 receiving-court suggestions built on them.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhixing_core::calendar::iso_date;
use zhixing_core::court::CourtDirectory;
use zhixing_core::cross::suggest::{Suggestion, load_per_officer};
use zhixing_core::error::FieldError;
use zhixing_core::seizure::{RawSeizure, days_left, under_one_month};
use zhixing_store::Seizure;

use crate::AppState;
use crate::auth::ApiUser;
use crate::cases::parse_id;
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::seizures as ops;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeizureInput {
    /// bank_deposit 冻结银行存款 (≤ 1 year) | movables 查封、扣押动产 (≤ 2 years) | real_estate 查封不动产 (≤ 3 years) | other_rights 冻结其他财产权 (≤ 3 years) — JS art 485
    pub kind: Option<String>,
    /// What is seized: account, certificate number, plate …
    pub property: Option<String>,
    /// 登记机关 / 协助执行单位
    pub holder: Option<String>,
    /// 法院代字 of the court in whose district the property lies.
    pub location_court: Option<String>,
    /// Bank deposits only (and required for them): 元, decimal string.
    pub amount: Option<String>,
    /// `YYYY-MM-DD`, not in the future (may predate the case: a preservation seizure runs on, JS art 168).
    pub seized_on: Option<String>,
    /// `YYYY-MM-DD`: after `seized_on`, within the kind's maximum term.
    pub expires_on: Option<String>,
    /// 1 = 首封 (default); 2, 3 … = 轮候 in order of registration (CK art 26).
    pub priority: Option<u32>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalInput {
    /// The day of the renewal, before the current expiry.
    pub on: Option<String>,
    /// The new expiry: at most the kind's maximum term after the current expiry.
    pub expires_on: Option<String>,
    /// E.g. the ruling's number.
    pub note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseInput {
    pub on: Option<String>,
    /// The reason, e.g. the ruling's number.
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MovedFromDto {
    pub court: String,
    pub case_id: i64,
    pub case_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct SeizureEventDto {
    /// recorded | renewed | released | moved_out | moved_in
    pub action: String,
    pub label: String,
    pub on: String,
    pub expires_on: String,
    pub note: String,
    pub recorded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct SeizureDto {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub kind_label: String,
    pub property: String,
    pub holder: String,
    pub location_court: Option<String>,
    pub location_court_name: Option<String>,
    /// 元, decimal string (bank deposits).
    pub amount: Option<String>,
    pub seized_on: String,
    pub expires_on: String,
    /// 1 = 首封.
    pub priority: u32,
    /// 首封 | 轮候第n顺位
    pub priority_label: String,
    /// active | released | transferred
    pub status: String,
    pub status_label: String,
    pub released_on: Option<String>,
    /// Active and not past its expiry today (CK art 27).
    pub in_force: bool,
    /// Days from today to the expiry (negative once lapsed).
    pub days_left: i64,
    /// In force with less than one month left: renew now; a whole-case move is refused until then (WT art 6).
    pub renewal_due: bool,
    /// The latest expiry a renewal may set (the kind's maximum after the current expiry, JS art 485).
    pub latest_renewal: String,
    /// Set when the seizure passed over with a transferred case.
    pub moved_from: Option<MovedFromDto>,
    /// The day the property was first seized (kept through moves).
    pub original_seized_on: String,
    pub history: Vec<SeizureEventDto>,
}

pub fn seizure_dto(s: &Seizure, today: time::Date, courts: &CourtDirectory) -> SeizureDto {
    let in_force = s.in_force(today);
    SeizureDto {
        id: s.id,
        case_id: s.case_id,
        kind: s.kind.code().to_string(),
        kind_label: s.kind.label_zh().to_string(),
        property: s.property.clone(),
        holder: s.holder.clone(),
        location_court: s.location_court.as_ref().map(|c| c.as_str().to_string()),
        location_court_name: s.location_court.as_ref().and_then(|c| courts.get(c)).map(|c| c.name.clone()),
        amount: s.amount.map(|a| a.to_string()),
        seized_on: iso_date(s.seized_on),
        expires_on: iso_date(s.expires_on),
        priority: s.priority.get(),
        priority_label: s.priority.label_zh(),
        status: s.status.code().to_string(),
        status_label: if s.status == zhixing_core::seizure::SeizureStatus::Active && !in_force {
            "已届满失效".to_string()
        } else {
            s.status.label_zh().to_string()
        },
        released_on: s.released_on.map(iso_date),
        in_force,
        days_left: days_left(s.expires_on, today),
        renewal_due: in_force && under_one_month(s.expires_on, today),
        latest_renewal: iso_date(s.kind.latest_expiry(s.expires_on)),
        moved_from: s.moved_from.as_ref().map(|m| MovedFromDto {
            court: m.court.as_str().to_string(),
            case_id: m.case_id,
            case_number: m.case_number.clone(),
        }),
        original_seized_on: iso_date(s.original_seized_on),
        history: s
            .history
            .iter()
            .map(|e| SeizureEventDto {
                action: e.action.code().to_string(),
                label: e.action.label_zh().to_string(),
                on: iso_date(e.on),
                expires_on: iso_date(e.expires_on),
                note: e.note.clone(),
                recorded_at: crate::rfc3339(e.at),
            })
            .collect(),
    }
}

impl From<SeizureInput> for RawSeizure {
    fn from(b: SeizureInput) -> RawSeizure {
        RawSeizure {
            kind: b.kind,
            property: b.property,
            holder: b.holder,
            location_court: b.location_court,
            amount: b.amount,
            seized_on: b.seized_on,
            expires_on: b.expires_on,
            priority: b.priority.map(|p| p.to_string()),
        }
    }
}

/// The case's seizures (查封、扣押、冻结), oldest first, each with its days left and history.
#[utoipa::path(get, path = "/api/v1/cases/{id}/seizures", tag = "seizures", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<SeizureDto>), (status = 404, body = ErrorBody)))]
pub async fn get_seizures(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<SeizureDto>>, ApiError> {
    let (_, seizures) = ops::list(&state, &user, parse_id(&id)?).await?;
    let (today, courts) = (state.clock.today(), state.courts());
    Ok(Json(seizures.iter().map(|s| seizure_dto(s, today, &courts)).collect()))
}

/// Records a seizure on a case of the user's court. The term is checked against the kind's maximum (JS art 485); a closed case takes no new seizure.
#[utoipa::path(post, path = "/api/v1/cases/{id}/seizures", tag = "seizures", params(("id" = i64, Path)), request_body = SeizureInput, security(("bearer" = [])),
    responses(
        (status = 201, body = SeizureDto),
        (status = 403, description = "read-only access", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "an invalid field (e.g. `term_too_long`), or `seizure_refused` with `missing[]`", body = ErrorBody),
    ))]
pub async fn post_seizure(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SeizureInput>,
) -> Result<Response, ApiError> {
    let s = ops::record(&state, &user, parse_id(&id)?, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(seizure_dto(&s, state.clock.today(), &state.courts()))).into_response())
}

/// Renews (续行) an active seizure before its expiry; the new expiry is at most the kind's maximum term after the current one (JS art 485).
#[utoipa::path(post, path = "/api/v1/cases/{id}/seizures/{seizure_id}/renewal", tag = "seizures", params(("id" = i64, Path), ("seizure_id" = i64, Path)), request_body = RenewalInput, security(("bearer" = [])),
    responses((status = 200, body = SeizureDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`seizure_refused` with `missing[]` (lapsed, released, transferred, too long) or an invalid field", body = ErrorBody)))]
pub async fn post_renewal(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, sid)): Path<(String, String)>,
    ApiJson(body): ApiJson<RenewalInput>,
) -> Result<Json<SeizureDto>, ApiError> {
    let (case_id, seizure_id) = (parse_id(&id)?, parse_id(&sid)?);
    let s = ops::renew(
        &state,
        &user,
        case_id,
        seizure_id,
        body.on.as_deref(),
        body.expires_on.as_deref(),
        body.note.as_deref(),
    )
    .await?;
    Ok(Json(seizure_dto(&s, state.clock.today(), &state.courts())))
}

/// Releases (解除) an active seizure.
#[utoipa::path(post, path = "/api/v1/cases/{id}/seizures/{seizure_id}/release", tag = "seizures", params(("id" = i64, Path), ("seizure_id" = i64, Path)), request_body = ReleaseInput, security(("bearer" = [])),
    responses((status = 200, body = SeizureDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`seizure_refused` (already released or transferred) or an invalid field", body = ErrorBody)))]
pub async fn post_release(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, sid)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReleaseInput>,
) -> Result<Json<SeizureDto>, ApiError> {
    let (case_id, seizure_id) = (parse_id(&id)?, parse_id(&sid)?);
    let s = ops::release(&state, &user, case_id, seizure_id, body.on.as_deref(), body.note.as_deref()).await?;
    Ok(Json(seizure_dto(&s, state.clock.today(), &state.courts())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionParams {
    /// The deciding court (法院代字; default the user's court): the user's court or one beneath it.
    pub court: Option<String>,
    /// The case to move (a case of a court beneath the deciding court).
    pub case_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionDto {
    /// 1 = best.
    pub rank: u32,
    pub court: String,
    pub court_name: String,
    /// A seizure in force lies in the court's district.
    pub assets_here: bool,
    /// A respondent's address names the court's place (e.g. 北仑区).
    pub debtor_here: bool,
    pub seizures_here: u32,
    /// Live cases not closed.
    pub open_cases: u32,
    /// Active judges and assistants.
    pub officers: u32,
    /// Open cases per officer, decimal string.
    pub load_per_officer: String,
    pub reason: String,
}

pub fn suggestion_dtos(ranked: &[Suggestion]) -> Vec<SuggestionDto> {
    ranked
        .iter()
        .zip(1..)
        .map(|(s, rank)| SuggestionDto {
            rank,
            court: s.receiver.court.clone(),
            court_name: s.court_name.clone(),
            assets_here: s.receiver.assets_here,
            debtor_here: s.receiver.debtor_here,
            seizures_here: s.seizures_here,
            open_cases: s.receiver.open_cases,
            officers: s.receiver.officers,
            load_per_officer: load_per_officer(&s.receiver).to_string(),
            reason: s.reason.clone(),
        })
        .collect()
}

/// Receiving courts for a whole-case move (指令、集中执行), best first by 便利性: seized property there, then the debtor there, then the lowest open cases per officer; each with its reason. The case's own court is never suggested.
#[utoipa::path(get, path = "/api/v1/cross-enforcement/suggestions", tag = "cross", params(SuggestionParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<SuggestionDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_suggestions(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<SuggestionParams>,
) -> Result<Json<Vec<SuggestionDto>>, ApiError> {
    crate::api::cross::commander(&state, &user)?;
    let deciding = ops::deciding_court(&state, &user, q.court.as_deref())?;
    let case_id = match q.case_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => return Err(FieldError::required("case_id", "案件").into()),
        Some(c) => parse_id(c)?,
    };
    let (_, ranked) = ops::suggestions(&state, &user, &deciding, case_id).await?;
    Ok(Json(suggestion_dtos(&ranked)))
}
