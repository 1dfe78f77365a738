//! The JSON API under `/api/v1`, and its OpenAPI 3 document.

pub mod calc;
pub mod credit;
pub mod cross;
pub mod dashboard;
pub mod dto;
pub mod seizures;
pub mod workflow;

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use zhixing_core::case::CaseStatus;
use zhixing_store::{CaseQuery, SessionKind};

use crate::AppState;
use crate::auth::{ApiUser, RemoteAddr, login};
use crate::cases::{self, parse_id};
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use dto::*;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/auth/login", post(login_handler))
        .route("/api/v1/auth/logout", post(logout_handler))
        .route("/api/v1/me", get(me))
        .route("/api/v1/courts", get(list_courts))
        .route("/api/v1/cases", get(list_cases).post(create_case))
        .route("/api/v1/cases/{id}", get(get_case).patch(patch_case).delete(delete_case))
        .route("/api/v1/cases/{id}/history", get(case_history))
        .route("/api/v1/cases/{id}/nodes", get(workflow::get_nodes).post(workflow::post_node))
        .route("/api/v1/cases/{id}/transitions", get(workflow::get_transitions).post(workflow::post_transition))
        .route("/api/v1/cases/{id}/deadlines", get(workflow::get_case_deadlines))
        .route("/api/v1/cases/{id}/workflow", get(workflow::get_workflow))
        .route("/api/v1/cases/{id}/zhongben-record", get(workflow::get_zhongben_record))
        .route("/api/v1/deadlines", get(workflow::get_deadlines))
        .route("/api/v1/workflow/catalogue", get(workflow::get_catalogue))
        .route("/api/v1/node-kinds", get(workflow::get_node_kinds))
        .route("/api/v1/cases/{id}/credit", get(credit::get_case_credit))
        .route("/api/v1/cases/{id}/credit/listings", post(credit::post_listing))
        .route("/api/v1/cases/{id}/credit/listings/{listing_id}/decision", post(credit::post_decision))
        .route("/api/v1/cases/{id}/credit/listings/{listing_id}/deletion", post(credit::post_deletion))
        .route("/api/v1/cases/{id}/credit/listings/{listing_id}/withdrawal", post(credit::post_withdrawal))
        .route("/api/v1/cases/{id}/credit/listings/{listing_id}/extension", post(credit::post_extension))
        .route("/api/v1/cases/{id}/credit/listings/{listing_id}/corrections", post(credit::post_correction))
        .route("/api/v1/cases/{id}/credit/corrections/{correction_id}/decision", post(credit::post_correction_decision))
        .route("/api/v1/cases/{id}/credit/corrections/{correction_id}/review", post(credit::post_correction_review))
        .route("/api/v1/cases/{id}/credit/restrictions", post(credit::post_restriction))
        .route("/api/v1/cases/{id}/credit/restrictions/{restriction_id}/lift", post(credit::post_lift))
        .route(
            "/api/v1/cases/{id}/credit/restrictions/{restriction_id}/temporary-lifts",
            post(credit::post_temporary_lift),
        )
        .route("/api/v1/cases/{id}/credit/breaches", post(credit::post_case_breach))
        .route("/api/v1/credit/listings", get(credit::get_court_listings))
        .route("/api/v1/credit/stats", get(credit::get_stats))
        .route("/api/v1/public/restrictions", get(credit::get_public))
        .route("/api/v1/partner/restrictions/check", post(credit::partner_check))
        .route("/api/v1/partner/restrictions/breaches", post(credit::partner_breach))
        .route("/api/v1/cross-enforcement/candidates", get(cross::get_candidates))
        .route("/api/v1/cross-enforcement/decisions", post(cross::post_decision))
        .route("/api/v1/cross-enforcement/decisions/{id}", get(cross::get_decision))
        .route("/api/v1/cross-enforcement/decisions/{id}/outcomes", post(cross::post_outcome))
        .route("/api/v1/cross-enforcement/decisions/{id}/handling", get(cross::get_handling))
        .route("/api/v1/cross-enforcement/decisions/{id}/reviews/{review_id}", post(cross::post_review))
        .route("/api/v1/cross-enforcement/stats", get(cross::get_stats))
        .route("/api/v1/cross-enforcement/received", get(cross::get_received))
        .route("/api/v1/cases/{id}/petitions", get(cross::get_case_petitions).post(cross::post_petition))
        .route("/api/v1/cases/{id}/petitions/{petition_id}/close", post(cross::post_close_petition))
        .route("/api/v1/petitions", get(cross::get_petitions))
        .route("/api/v1/dashboard", get(dashboard::get_dashboard))
        .route("/api/v1/indicators", get(dashboard::get_indicators).post(dashboard::post_indicator))
        .route("/api/v1/courts/{code}/posts/{post}", put(dashboard::put_post))
        .route("/api/v1/cases/{id}/seizures", get(seizures::get_seizures).post(seizures::post_seizure))
        .route("/api/v1/cases/{id}/seizures/{seizure_id}/renewal", post(seizures::post_renewal))
        .route("/api/v1/cases/{id}/seizures/{seizure_id}/release", post(seizures::post_release))
        .route("/api/v1/cross-enforcement/suggestions", get(seizures::get_suggestions))
        .route("/api/v1/calc/statement", post(calc_statement))
        .route("/api/v1/calc/fee", get(calc_fee))
        .route("/api/{*rest}", any(api_not_found))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhixing 执行 API",
        description = "人民法院执行案件登记与办理平台的 JSON API。所有接口（登录除外）需要 `Authorization: Bearer <token>`。\n\n错误统一为 `{\"error\": {\"code\", \"message\", \"field\"}}`：`code` 稳定可供程序判断，`message` 为中文说明，`field` 指出出错的字段路径。金额一律以字符串表示（元，最多两位小数），日期为 `YYYY-MM-DD`。",
        version = "1"
    ),
    paths(login_handler, logout_handler, me, list_courts, list_cases, create_case, get_case, patch_case, delete_case, case_history,
        workflow::post_node, workflow::get_nodes, workflow::post_transition, workflow::get_transitions,
        workflow::get_case_deadlines, workflow::get_workflow, workflow::get_deadlines, workflow::get_catalogue,
        workflow::get_node_kinds, workflow::get_zhongben_record,
        credit::get_case_credit, credit::post_listing, credit::post_decision, credit::post_deletion, credit::post_withdrawal,
        credit::post_extension, credit::post_correction, credit::post_correction_decision, credit::post_correction_review, credit::post_restriction,
        credit::post_lift, credit::post_temporary_lift, credit::post_case_breach, credit::get_court_listings, credit::get_stats,
        credit::get_public, credit::partner_check, credit::partner_breach,
        cross::get_candidates, cross::post_decision, cross::get_decision, cross::post_outcome, cross::post_review, cross::get_stats,
        cross::get_received, cross::get_handling, cross::post_petition, cross::get_case_petitions, cross::post_close_petition, cross::get_petitions,
        dashboard::get_dashboard, dashboard::get_indicators, dashboard::post_indicator, dashboard::put_post,
        seizures::get_suggestions, seizures::get_seizures, seizures::post_seizure, seizures::post_renewal, seizures::post_release,
        calc_statement, calc_fee),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "登录与会话"), (name = "courts", description = "法院"), (name = "cases", description = "执行案件登记"), (name = "cross", description = "交叉执行：候选案件、决定（含集中执行多案）、成效、问责审查、统计与导出、受理法院收案；执行信访"), (name = "dashboard", description = "统一指挥看板：各级法院指标（版本化定义）、人员配备"), (name = "seizures", description = "查封、扣押、冻结：登记、续行、解除，随案移交"), (name = "credit", description = "失信被执行人名单、限制消费令、信用修复与统计"), (name = "public", description = "公开查询（无需登录）"), (name = "partner", description = "协助单位（航空、铁路、酒店、银行）核查与违规报告，使用协助单位凭证"), (name = "workflow", description = "流程节点、状态变更（中止、暂缓、结案、恢复执行）、终本核查与法定期限"), (name = "calc", description = "迟延履行期间的债务利息、一般债务利息、清偿顺序与诉讼费用计算"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
            components.add_security_scheme(
                "partner",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("协助单位凭证（zhixing partner add 创建，只能用于核查与报告）"))
                        .build(),
                ),
            );
        }
    }
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_such_endpoint", "没有这个接口")
}

/// Logs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 403, description = "account_locked / account_disabled", body = ErrorBody),
    ))]
async fn login_handler(
    State(state): State<Arc<AppState>>,
    RemoteAddr(remote): RemoteAddr,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let login = login(&state, &body.username, &body.password, SessionKind::Api, remote.as_deref()).await?;
    Ok(Json(LoginResponse {
        token: login.token,
        expires_at: crate::rfc3339(login.expires_at),
        user: UserDto::new(&login.user, &state.courts()),
    }))
}

/// Ends the session of the presented token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout_handler(State(state): State<Arc<AppState>>, ApiUser(user): ApiUser) -> Result<StatusCode, ApiError> {
    state.store.delete_session(&user.token_hash).await?;
    state.sessions.forget(&user.token_hash);
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserDto), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<Arc<AppState>>, ApiUser(user): ApiUser) -> Json<UserDto> {
    Json(UserDto::new(&user.user, &state.courts()))
}

/// All courts with their 法院代字 and hierarchy.
#[utoipa::path(get, path = "/api/v1/courts", tag = "courts", security(("bearer" = [])),
    responses((status = 200, body = Vec<CourtDto>), (status = 401, body = ErrorBody)))]
async fn list_courts(State(state): State<Arc<AppState>>, ApiUser(_user): ApiUser) -> Json<Vec<CourtDto>> {
    Json(state.courts().all().map(CourtDto::from).collect())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 案号 (or its beginning, e.g. `执12`), party name or any part of it, identity number.
    q: Option<String>,
    /// filed | enforcing | suspended | deferred | closed
    status: Option<String>,
    /// 1-based page number (20 per page).
    page: Option<String>,
}

/// Lists and searches the cases the user may see (own court and, for higher courts, the courts beneath), newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = CaseListDto), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_cases(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(params): Query<ListParams>,
) -> Result<Json<CaseListDto>, ApiError> {
    let query = case_query(params.q, params.status, params.page).map_err(ApiError::from)?;
    let page = state.store.search_cases(&cases::visible_courts(&state, &user), &query).await?;
    Ok(Json(CaseListDto::from(&page)))
}

/// Parses list parameters shared by the API and the UI.
pub fn case_query(
    q: Option<String>,
    status: Option<String>,
    page: Option<String>,
) -> Result<CaseQuery, zhixing_core::error::FieldError> {
    use zhixing_core::error::FieldError;
    let text = q.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(FieldError::new("q", "too_long", "搜索内容不能超过100个字"));
    }
    let status = match status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(CaseStatus::parse(s).ok_or_else(|| {
            FieldError::new("status", "invalid_status", "状态应为 filed、enforcing、suspended、deferred 或 closed")
        })?),
    };
    let page = match page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 1,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .ok_or_else(|| FieldError::new("page", "invalid_page", "页码应为1至10000的整数"))?,
    };
    Ok(CaseQuery { text, status, page })
}

/// Files a new enforcement case at the user's court and issues its 案号.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseInput, security(("bearer" = [])),
    responses(
        (status = 201, body = CaseDto),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "a field breaks a rule; `field` names it", body = ErrorBody),
    ))]
async fn create_case(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<Response, ApiError> {
    let case = cases::file_case(&state, &user, &body.into_raw()).await?;
    let location = format!("/api/v1/cases/{}", case.id);
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, location)], Json(CaseDto::new(&case, &state.courts())))
        .into_response())
}

/// One case.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = CaseDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_case(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CaseDto>, ApiError> {
    let (case, _) = cases::visible_case(&state, &user, parse_id(&id)?).await?;
    Ok(Json(CaseDto::new(&case, &state.courts())))
}

/// Changes a case. `version` must be the current version (else 409 and nothing is changed).
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), request_body = CasePatch, security(("bearer" = [])),
    responses(
        (status = 200, body = CaseDto),
        (status = 401, body = ErrorBody),
        (status = 403, description = "read-only access (higher court) or role", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "version_conflict", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
async fn patch_case(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<CasePatch>,
) -> Result<Json<CaseDto>, ApiError> {
    let (current, access) = cases::visible_case(&state, &user, parse_id(&id)?).await?;
    if patch.case_type.is_some() {
        return Err(ApiError::validation(vec![zhixing_core::error::FieldError::new(
            "case_type",
            "immutable_field",
            "案件类型决定案号，立案后不能修改",
        )]));
    }
    let version = patch.version;
    let raw = patch.apply(&current);
    let case = cases::update_case(&state, &user, &current, access, version, &raw).await?;
    Ok(Json(CaseDto::new(&case, &state.courts())))
}

/// Withdraws a case's registration (soft delete: the record, its 案号 and its log are kept).
#[utoipa::path(delete, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), request_body = DeleteRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_case(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeleteRequest>,
) -> Result<StatusCode, ApiError> {
    let (current, access) = cases::visible_case(&state, &user, parse_id(&id)?).await?;
    cases::delete_case(&state, &user, &current, access, body.version, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who changed what and when, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/history", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditEntryDto>), (status = 404, body = ErrorBody)))]
async fn case_history(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<AuditEntryDto>>, ApiError> {
    let (case, _) = cases::visible_case(&state, &user, parse_id(&id)?).await?;
    let history = state.store.case_history(std::slice::from_ref(&case.court), case.id).await?;
    Ok(Json(history.iter().map(AuditEntryDto::from).collect()))
}

/// Computes an amount-owed statement: doubled delay interest (LX 2014), ordinary interest as the document awards it, the allocation of each payment — every step with its rule.
#[utoipa::path(post, path = "/api/v1/calc/statement", tag = "calc", request_body = calc::StatementRequest, security(("bearer" = [])),
    responses(
        (status = 200, body = calc::StatementResponse),
        (status = 401, body = ErrorBody),
        (status = 422, description = "unknown obligation id, payment after as_of, negative amount, unknown policy, a date with no LPR fixing …", body = ErrorBody),
    ))]
async fn calc_statement(
    State(state): State<Arc<AppState>>,
    ApiUser(_user): ApiUser,
    ApiJson(request): ApiJson<calc::StatementRequest>,
) -> Result<Json<calc::StatementResponse>, ApiError> {
    calc::statement(&request, &state.lpr()).map(Json).map_err(ApiError::validation)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeeParams {
    /// execution (申请执行费) | preservation (申请保全费)
    kind: Option<String>,
    /// 执行金额或价额 / 保全财产数额, 元; omit when there is none.
    amount: Option<String>,
}

/// 申请执行费 or 申请保全费 under 《诉讼费用交纳办法》第十四条, with the tiers used.
#[utoipa::path(get, path = "/api/v1/calc/fee", tag = "calc", params(FeeParams), security(("bearer" = [])),
    responses((status = 200, body = calc::FeeResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn calc_fee(
    ApiUser(_user): ApiUser,
    Query(params): Query<FeeParams>,
) -> Result<Json<calc::FeeResponse>, ApiError> {
    calc::fee(params.kind.as_deref().unwrap_or(""), params.amount.as_deref()).map(Json).map_err(ApiError::from)
}
