//! The web UI: server-rendered pages in simplified Chinese, no JavaScript.
//!
//! Every page that shows case data needs a browser session; every form that
//! changes something carries the session's CSRF token. All user-supplied
//! text goes through askama's HTML escaping.

pub mod calc;
pub mod credit;
pub mod cross;
pub mod dashboard;
pub mod form;
pub mod seizures;
pub mod workflow;

use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use zhixing_core::access::{CaseAccess, Permission};
use zhixing_core::calendar::iso_date;
use zhixing_core::case::{CaseStatus, DocumentType};
use zhixing_core::case_number::EnforcementType;
use zhixing_store::{AuditEntry, SessionKind, StoredCase};

use crate::auth::{self, CurrentUser, RemoteAddr, cookie, tokens_equal};
use crate::cases::{self, CaseOpError, carry_override};
use crate::error::ApiError;
use crate::{AppState, format_china_time};
use form::{CaseForm, FormData};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/cases") }))
        .route("/static/app.css", get(stylesheet))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/cases", get(case_list))
        .route("/cases/new", get(new_case_page).post(new_case_submit))
        .route("/cases/{id}", get(case_detail))
        .route("/cases/{id}/edit", get(edit_case_page).post(edit_case_submit))
        .route("/cases/{id}/delete", post(delete_case_submit))
        .route("/cases/{id}/print", get(case_print))
        .route("/cases/{id}/calc", get(calc::calc_page).post(calc::calc_submit))
        .route("/cases/{id}/nodes", post(workflow::node_submit))
        .route("/cases/{id}/transitions", post(workflow::transition_submit))
        .route("/cases/{id}/zhongben-record", get(workflow::zhongben_record_page))
        .route("/deadlines", get(workflow::deadlines_page))
        .route("/cases/{id}/seizures", post(seizures::seizure_submit))
        .route("/cases/{id}/seizures/{seizure_id}/{action}", post(seizures::seizure_submit))
        .route("/cases/{id}/credit/{action}", post(credit::credit_submit))
        .route("/cases/{id}/credit/{action}/{item}", post(credit::credit_submit))
        .route("/credit", get(credit::credit_list))
        .route("/dashboard", get(dashboard::dashboard_page))
        .route("/dashboard/posts", post(dashboard::post_submit))
        .route("/cross", get(cross::cross_page))
        .route("/cross/stats.csv", get(cross::stats_csv))
        .route("/cross/received", get(cross::received_page))
        .route("/petitions", get(cross::petitions_page))
        .route("/cases/{id}/petitions", post(cross::petition_submit))
        .route("/cases/{id}/petitions/{petition_id}/close", post(cross::petition_submit))
        .route("/cross/decisions", post(cross::decision_submit))
        .route("/cross/decisions/{id}", get(cross::decision_page))
        .route("/cross/decisions/{id}/outcomes", post(cross::outcome_submit))
        .route("/cross/decisions/{id}/reviews/{review_id}", post(cross::review_submit))
        .route("/public/restrictions", get(credit::public_page))
        .route("/api/docs", get(api_docs))
        .fallback(not_found_page)
}

const STYLESHEET: &str = include_str!("../../static/app.css");

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
        .into_response()
}

/// Header bar of a logged-in page.
pub struct Nav {
    pub display_name: String,
    pub role_label: String,
    pub court_name: String,
    pub csrf: String,
    pub can_file: bool,
    /// A 指挥中心 or 执行局长 of a court with courts beneath: the 交叉执行 page.
    pub can_command: bool,
    /// 执行局长, 指挥中心 and administrators: the command dashboard.
    pub can_dashboard: bool,
    /// A role that reads cases: the court's 执行信访 list and, unless it
    /// commands, the cases moved to its court (交叉执行收案).
    pub can_read_cases: bool,
}

impl Nav {
    fn new(state: &AppState, user: &CurrentUser) -> Self {
        Self {
            display_name: user.user.display_name.clone(),
            role_label: user.user.role.label_zh().to_string(),
            court_name: state.courts().get(&user.user.court).map(|c| c.name.clone()).unwrap_or_default(),
            csrf: user.csrf_token.clone(),
            can_file: cases::may_write_cases(user),
            can_command: matches!(
                user.user.role,
                zhixing_core::access::Role::Command | zhixing_core::access::Role::Chief
            ) && state.courts().subtree(&user.user.court).len() > 1,
            can_dashboard: matches!(
                user.user.role,
                zhixing_core::access::Role::Command
                    | zhixing_core::access::Role::Chief
                    | zhixing_core::access::Role::Admin
            ),
            can_read_cases: user.user.role.allows(Permission::ReadCases),
        }
    }
}

/// A form posted to a section of a case page (失信与限消, 查封, 信访): the
/// CSRF token checked and the path's `{id}` parsed; other path parts by name.
pub(crate) struct SectionPost {
    pub data: FormData,
    pub case_id: i64,
    path: Vec<(String, String)>,
}

impl SectionPost {
    /// The error page to answer with when the token or the case id is wrong.
    #[allow(clippy::result_large_err)]
    pub(crate) fn read(
        state: &AppState,
        user: &CurrentUser,
        path: Vec<(String, String)>,
        pairs: Vec<(String, String)>,
    ) -> Result<SectionPost, Response> {
        let data = FormData::new(pairs);
        check_csrf(user, &data).map_err(|e| error_page(state, Some(user), &e))?;
        let id = path.iter().find(|(key, _)| key == "id").map_or("", |(_, v)| v.as_str());
        let case_id = crate::cases::parse_id(id).map_err(|_| error_page(state, Some(user), &ApiError::not_found()))?;
        Ok(SectionPost { data, case_id, path })
    }

    /// A named part of the path, or "" when absent.
    pub(crate) fn path(&self, name: &str) -> &str {
        self.path.iter().find(|(key, _)| key == name).map_or("", |(_, v)| v.as_str())
    }
}

/// Renders a page; pages that show case data are never cached.
fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Option<Nav>,
    heading: String,
    message: String,
}

fn error_page(state: &AppState, user: Option<&CurrentUser>, error: &ApiError) -> Response {
    let heading = match error.status {
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::FORBIDDEN => "无权操作",
        StatusCode::CONFLICT => "修改冲突",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "请求无效",
        _ => "出错了",
    };
    let page = ErrorPage {
        nav: user.map(|u| Nav::new(state, u)),
        heading: heading.to_string(),
        message: error.message.clone(),
    };
    html(error.status, &page)
}

async fn not_found_page(State(state): State<Arc<AppState>>, user: Option<UiUser>) -> Response {
    let error = ApiError::new(StatusCode::NOT_FOUND, "not_found", "页面不存在");
    error_page(&state, user.as_ref().map(|u| &u.0), &error)
}

/// A logged-in browser user; otherwise a redirect to the login page.
pub struct UiUser(pub CurrentUser);

impl FromRequestParts<Arc<AppState>> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/cases");
            Redirect::to(&format!("/login?next={}", percent_encode(target))).into_response()
        };
        let Some(token) = cookie(parts, state.config.session_cookie()) else {
            return Err(to_login());
        };
        match auth::authenticate(state, token, SessionKind::Browser).await {
            Ok(Some(user)) => Ok(UiUser(user)),
            Ok(None) => Err(to_login()),
            Err(e) => Err(error_page(state, None, &e)),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<Arc<AppState>> for UiUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Option<Self>, Self::Rejection> {
        Ok(<UiUser as FromRequestParts<Arc<AppState>>>::from_request_parts(parts, state).await.ok())
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") { next } else { "/cases" }
}

fn cookie_header(state: &AppState, name: &str, value: &str, max_age_s: i64, same_site: &str) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_s}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn check_csrf(user: &CurrentUser, data: &FormData) -> Result<(), ApiError> {
    if tokens_equal(data.get("csrf"), &user.csrf_token) {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "csrf_failed", "表单已过期或来源无效，请刷新页面后重试"))
    }
}

// ---------------------------------------------------------------- login

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    error: Option<String>,
    username: String,
    csrf: String,
    next: String,
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

fn login_form(state: &AppState, status: StatusCode, error: Option<String>, username: String, next: &str) -> Response {
    let csrf = auth::new_token();
    let page = LoginPage { nav: None, error, username, csrf: csrf.clone(), next: safe_next(next).to_string() };
    let mut response = html(status, &page);
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie_header(state, state.config.login_cookie(), &csrf, 3600, "Strict"));
    response
}

async fn login_page(
    State(state): State<Arc<AppState>>,
    user: Option<UiUser>,
    Query(params): Query<NextParam>,
) -> Response {
    let next = params.next.unwrap_or_default();
    if user.is_some() {
        return Redirect::to(safe_next(&next)).into_response();
    }
    login_form(&state, StatusCode::OK, None, String::new(), &next)
}

async fn login_submit(
    State(state): State<Arc<AppState>>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    let username = data.get("username").trim().to_string();
    let next = data.get("next").to_string();
    // Double-submit check: the hidden field must match the login cookie.
    let cookie_value = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == state.config.login_cookie())
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    if cookie_value.is_empty() || !tokens_equal(&cookie_value, data.get("csrf")) {
        return login_form(&state, StatusCode::FORBIDDEN, Some("登录页面已过期，请重新输入".into()), username, &next);
    }
    match auth::login(&state, &username, data.get("password"), SessionKind::Browser, remote.as_deref()).await {
        Ok(login) => {
            let mut response = Redirect::to(safe_next(&next)).into_response();
            let max_age = state.config.browser_absolute_ms / 1000;
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                cookie_header(&state, state.config.session_cookie(), &login.token, max_age, "Lax"),
            );
            headers.append(header::SET_COOKIE, cookie_header(&state, state.config.login_cookie(), "", 0, "Strict"));
            response
        }
        Err(e) => {
            let message = e.message(&state);
            login_form(&state, StatusCode::UNAUTHORIZED, Some(message), username, &next)
        }
    }
}

async fn logout(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    if let Err(e) = state.store.delete_session(&user.token_hash).await {
        return error_page(&state, Some(&user), &e.into());
    }
    state.sessions.forget(&user.token_hash);
    let now = state.clock.now_ms();
    if let Err(e) = state
        .store
        .record_auth_event(now, &user.user.username, Some(user.user.id), zhixing_store::AuthOutcome::Logout, None)
        .await
    {
        tracing::error!(error = %e, "could not record logout");
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie_header(&state, state.config.session_cookie(), "", 0, "Lax"));
    response
}

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "cases.html")]
struct CaseListPage {
    nav: Option<Nav>,
    scope_note: String,
    q: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    items: Vec<ListRow>,
    page: u32,
    prev_link: Option<String>,
    next_link: Option<String>,
}

struct ListRow {
    id: i64,
    case_number: String,
    applicants: String,
    respondents: String,
    amount: String,
    filed_on: String,
    judge: String,
    status: &'static str,
    status_label: &'static str,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

async fn case_list(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Query(params): Query<ListQuery>,
) -> Response {
    let q = params.q.clone().unwrap_or_default();
    let status = params.status.clone().unwrap_or_default();
    let courts = cases::visible_courts(&state, &user);
    let scope_note = match courts.len() {
        0 => "您的角色不能查看案件内容。".to_string(),
        1 => "显示本院案件。".to_string(),
        n => format!("显示本院及辖区{}个法院的案件；辖区法院的案件只可查看。", n - 1),
    };
    let mut page_data = CaseListPage {
        nav: Some(Nav::new(&state, &user)),
        scope_note,
        q: q.clone(),
        status: status.clone(),
        statuses: CaseStatus::ALL.iter().map(|s| (s.as_str(), s.label_zh())).collect(),
        error: None,
        items: Vec::new(),
        page: 1,
        prev_link: None,
        next_link: None,
    };
    let query = match crate::api::case_query(params.q, params.status, params.page) {
        Ok(query) => query,
        Err(e) => {
            page_data.error = Some(e.message);
            return html(StatusCode::UNPROCESSABLE_ENTITY, &page_data);
        }
    };
    let result = match state.store.search_cases(&courts, &query).await {
        Ok(result) => result,
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let link = |page: u32| format!("/cases?q={}&status={}&page={page}", percent_encode(&q), percent_encode(&status));
    if result.truncated {
        page_data.error = Some(format!(
            "与“{q}”相符的案件过多（超过{}件），以下只列出其中一部分；请输入更具体的条件（如完整名称、证件号码或案号）。",
            zhixing_store::MAX_MATCHES
        ));
    }
    page_data.page = result.page;
    page_data.prev_link = (result.page > 1).then(|| link(result.page - 1));
    page_data.next_link = result.has_more.then(|| link(result.page + 1));
    page_data.items = result
        .items
        .iter()
        .map(|i| ListRow {
            id: i.id,
            case_number: i.case_number.to_string(),
            applicants: i.applicants.join("、"),
            respondents: i.respondents.join("、"),
            amount: i.amount_applied.grouped(),
            filed_on: iso_date(i.filed_on),
            judge: i.handling_judge.clone().unwrap_or_else(|| "—".into()),
            status: i.status.as_str(),
            status_label: i.status.label_zh(),
        })
        .collect();
    html(StatusCode::OK, &page_data)
}

// ---------------------------------------------------------------- detail & print

pub struct CaseView {
    pub id: i64,
    pub case_number: String,
    pub case_type: String,
    pub case_type_name: String,
    pub court_name: String,
    pub filed_on: String,
    pub judge: String,
    pub status: String,
    pub status_label: String,
    pub amount_applied: String,
    pub basis_issuing_body: String,
    pub basis_document_number: String,
    pub basis_document_type: String,
    pub basis_effective_on: String,
    pub basis_performance_due_on: String,
    pub basis_operative_text: String,
    pub parties: Vec<PartyView>,
    pub claims: Vec<ClaimView>,
    pub version: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
}

pub struct PartyView {
    pub role: String,
    pub name: String,
    pub id_number: String,
    pub legal_representative: String,
    pub address: String,
    pub override_note: String,
}

pub struct ClaimView {
    pub kind: String,
    pub amount: String,
    pub description: String,
}

impl CaseView {
    fn new(state: &AppState, case: &StoredCase) -> Self {
        let dash = || "—".to_string();
        Self {
            id: case.id,
            case_number: case.case_number.to_string(),
            case_type: case.case_type.code().to_string(),
            case_type_name: case.case_type.name_zh().to_string(),
            court_name: state
                .courts()
                .get(&case.court)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| case.court.to_string()),
            filed_on: iso_date(case.filed_on),
            judge: case.handling_judge.as_ref().map_or_else(dash, |j| j.display_name.clone()),
            status: case.status.as_str().to_string(),
            status_label: case.status.label_zh().to_string(),
            amount_applied: case.amount_applied.grouped(),
            basis_issuing_body: case.basis.issuing_body.clone(),
            basis_document_number: case.basis.document_number.clone(),
            basis_document_type: case.basis.document_type.as_str().to_string(),
            basis_effective_on: iso_date(case.basis.effective_on),
            basis_performance_due_on: case
                .basis
                .performance_due_on
                .map_or_else(|| "未确定履行期间".to_string(), iso_date),
            basis_operative_text: case.basis.operative_text.clone(),
            parties: case
                .parties
                .iter()
                .map(|p| PartyView {
                    role: p.draft.role.label_zh().to_string(),
                    name: p.draft.name.clone(),
                    id_number: p.draft.id_number.as_str().to_string(),
                    legal_representative: p.draft.legal_representative.clone().unwrap_or_else(dash),
                    address: p.draft.address.clone().unwrap_or_else(dash),
                    override_note: p.id_override.as_ref().map_or_else(String::new, |o| {
                        format!(
                            "代码校验未通过，经{}于{}放行：{}",
                            o.by.as_ref().map_or("—", |u| u.display_name.as_str()),
                            format_china_time(o.at),
                            o.reason
                        )
                    }),
                })
                .collect(),
            claims: case
                .claims
                .iter()
                .map(|c| ClaimView {
                    kind: c.kind.label_zh().to_string(),
                    amount: c.amount.grouped(),
                    description: c.description.clone().unwrap_or_default(),
                })
                .collect(),
            version: case.version,
            created_by: case.created_by.display_name.clone(),
            created_at: format_china_time(case.created_at),
            updated_by: case.updated_by.display_name.clone(),
            updated_at: format_china_time(case.updated_at),
        }
    }
}

struct HistoryRow {
    version: i64,
    at: String,
    actor: String,
    action: &'static str,
    changes: Vec<ChangeRow>,
}

struct ChangeRow {
    field: String,
    before: String,
    after: String,
}

fn field_label(field: &str) -> String {
    let label = match field {
        "filed_on" => "立案日期",
        "handling_judge" => "承办法官",
        "basis.issuing_body" => "执行依据作出机关",
        "basis.document_number" => "执行依据文书编号",
        "basis.document_type" => "执行依据种类",
        "basis.effective_on" => "生效日期",
        "basis.performance_due_on" => "履行期限届满日",
        "basis.operative_text" => "判项",
        "claims" => "请求事项",
        "deleted" => "撤销登记",
        f if f.starts_with("parties") => "当事人",
        f => f,
    };
    label.to_string()
}

fn history_rows(history: &[AuditEntry]) -> Vec<HistoryRow> {
    history
        .iter()
        .map(|h| HistoryRow {
            version: h.version,
            at: format_china_time(h.at),
            actor: h.actor.display_name.clone(),
            action: match h.action.as_str() {
                "created" => "立案登记",
                "updated" => "修改",
                "deleted" => "撤销登记",
                _ => "其他",
            },
            changes: h
                .changes
                .iter()
                .map(|c| ChangeRow {
                    field: field_label(&c.field),
                    before: c.before.clone().unwrap_or_else(|| "（无）".into()),
                    after: c.after.clone().unwrap_or_else(|| "（无）".into()),
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "case_detail.html")]
struct CaseDetailPage {
    nav: Option<Nav>,
    case: CaseView,
    history: Vec<HistoryRow>,
    notice: Option<String>,
    can_edit: bool,
    can_delete: bool,
    csrf: String,
    workflow: workflow::WorkflowPanel,
    credit: credit::CreditPanel,
    seizures: seizures::SeizurePanel,
    petitions: cross::PetitionPanel,
}

#[derive(Deserialize)]
struct NoticeParam {
    notice: Option<String>,
}

async fn case_detail(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Query(params): Query<NoticeParam>,
) -> Response {
    match cases::parse_id(&id) {
        Ok(id) => case_page(&state, &user, id, params.notice.as_deref(), None).await,
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

/// The case page; after a refused node or transition, with the refusal
/// and the submitted form (status 422).
pub(crate) async fn case_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<&str>,
    problem: Option<(workflow::Problem, workflow::PanelForm)>,
) -> Response {
    let view = match crate::workflow::workflow_view(state, user, id).await {
        Ok(view) => view,
        Err(e) => return error_page(state, Some(user), &e),
    };
    let case = &view.case;
    let history = match state.store.case_history(std::slice::from_ref(&case.court), case.id).await {
        Ok(h) => h,
        Err(e) => return error_page(state, Some(user), &e.into()),
    };
    let notice = match notice {
        Some("created") => Some(format!("已立案，案号为{}。", case.case_number)),
        Some("updated") => Some("修改已保存。".to_string()),
        Some("node") => Some("流程节点已记录，期限已重新计算。".to_string()),
        Some("transition") => Some(format!("案件状态已变更为“{}”。", view.state.label_zh())),
        Some("restored") => Some(format!("已恢复执行，立案为{}。", case.case_number)),
        Some("credit") => Some("失信与限消记录已更新。".to_string()),
        Some("seizure") => Some("查封、扣押、冻结记录已更新。".to_string()),
        Some("petition") => Some("执行信访记录已更新。".to_string()),
        _ => None,
    };
    let mut panel = workflow::WorkflowPanel::new(&view, user, state.clock.today());
    let credit = match state.store.case_credit(&case.court, case.id).await {
        Ok(c) => credit::CreditPanel::new(case, &c, view.access, user, state.clock.today()),
        Err(e) => return error_page(state, Some(user), &e.into()),
    };
    let seizures = match state.store.case_seizures(&case.court, case.id).await {
        Ok(s) => seizures::SeizurePanel::new(case, &s, view.access, user, &state.courts(), state.clock.today()),
        Err(e) => return error_page(state, Some(user), &e.into()),
    };
    let petitions = match cross::PetitionPanel::load(state, user, case, view.access).await {
        Ok(p) => p,
        Err(e) => return error_page(state, Some(user), &e),
    };
    let status = match problem {
        Some((problem, form)) => {
            panel.problem = Some(problem);
            panel.form = form;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let page = CaseDetailPage {
        nav: Some(Nav::new(state, user)),
        history: history_rows(&history),
        notice,
        can_edit: view.access == CaseAccess::Write,
        can_delete: view.access == CaseAccess::Write && user.user.role.allows(Permission::DeleteCases),
        csrf: user.csrf_token.clone(),
        case: CaseView::new(state, case),
        workflow: panel,
        credit,
        seizures,
        petitions,
    };
    html(status, &page)
}

#[derive(Template)]
#[template(path = "case_print.html")]
struct CasePrintPage {
    case: CaseView,
    printed_by: String,
    printed_at: String,
}

async fn case_print(State(state): State<Arc<AppState>>, UiUser(user): UiUser, Path(id): Path<String>) -> Response {
    match load(&state, &user, &id).await {
        Ok((case, _)) => html(
            StatusCode::OK,
            &CasePrintPage {
                case: CaseView::new(&state, &case),
                printed_by: user.user.display_name.clone(),
                printed_at: format_china_time(state.clock.now_ms()),
            },
        ),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

/// The common start of a form POST on one case: the CSRF check, then the
/// case as the user may see it; an error page otherwise.
pub(crate) async fn posted_case(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    pairs: Vec<(String, String)>,
) -> Result<(FormData, StoredCase, CaseAccess), Response> {
    let data = FormData::new(pairs);
    check_csrf(user, &data).map_err(|e| error_page(state, Some(user), &e))?;
    let (case, access) = load(state, user, id).await.map_err(|e| error_page(state, Some(user), &e))?;
    Ok((data, case, access))
}

pub(crate) async fn load(state: &AppState, user: &CurrentUser, id: &str) -> Result<(StoredCase, CaseAccess), ApiError> {
    cases::visible_case(state, user, cases::parse_id(id)?).await
}

// ---------------------------------------------------------------- forms

#[derive(Template)]
#[template(path = "case_form.html")]
struct CaseFormPage {
    nav: Option<Nav>,
    heading: String,
    action: String,
    submit_label: &'static str,
    cancel_link: String,
    editing: bool,
    csrf: String,
    version: String,
    banner: Option<String>,
    conflict_changes: Vec<String>,
    error_count: usize,
    case_types: Vec<(&'static str, &'static str)>,
    document_types: Vec<(&'static str, &'static str)>,
    judges: Vec<(String, String)>,
    case_type: String,
    filed_on: String,
    handling_judge: String,
    basis_issuing_body: String,
    basis_document_number: String,
    basis_document_type: String,
    basis_effective_on: String,
    basis_performance_due_on: String,
    basis_operative_text: String,
    party_rows: Vec<form::PartyRow>,
    claim_rows: Vec<form::ClaimRow>,
    errors: std::collections::HashMap<String, String>,
}

impl CaseFormPage {
    fn err(&self, key: &str) -> &str {
        self.errors.get(key).map(String::as_str).unwrap_or("")
    }
}

struct FormSetup<'a> {
    heading: String,
    action: String,
    cancel_link: String,
    editing: bool,
    version: i64,
    user: &'a CurrentUser,
}

async fn form_page(
    state: &AppState,
    setup: FormSetup<'_>,
    form: CaseForm,
    error_count: usize,
    banner: Option<String>,
    conflict_changes: Vec<String>,
) -> Response {
    let judges = match state.store.users_of_court(&setup.user.user.court).await {
        Ok(users) => users
            .into_iter()
            .filter(|u| u.active && u.role.allows(Permission::HandleCases))
            .map(|u| (u.username.clone(), format!("{}（{}）", u.display_name, u.role.label_zh())))
            .collect(),
        Err(e) => return error_page(state, Some(setup.user), &e.into()),
    };
    let status = if error_count > 0 || banner.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = CaseFormPage {
        nav: Some(Nav::new(state, setup.user)),
        heading: setup.heading,
        action: setup.action,
        submit_label: if setup.editing { "保存修改" } else { "立案登记" },
        cancel_link: setup.cancel_link,
        editing: setup.editing,
        csrf: setup.user.csrf_token.clone(),
        version: setup.version.to_string(),
        banner,
        conflict_changes,
        error_count,
        case_types: EnforcementType::ALL.iter().map(|t| (t.code(), t.name_zh())).collect(),
        document_types: DocumentType::ALL.iter().map(|t| (t.as_str(), t.identifier())).collect(),
        judges,
        case_type: form.case_type,
        filed_on: form.filed_on,
        handling_judge: form.handling_judge,
        basis_issuing_body: form.basis_issuing_body,
        basis_document_number: form.basis_document_number,
        basis_document_type: form.basis_document_type,
        basis_effective_on: form.basis_effective_on,
        basis_performance_due_on: form.basis_performance_due_on,
        basis_operative_text: form.basis_operative_text,
        party_rows: form.party_rows,
        claim_rows: form.claim_rows,
        errors: form.errors,
    };
    html(status, &page)
}

fn new_setup(user: &CurrentUser) -> FormSetup<'_> {
    FormSetup {
        heading: "新立案".into(),
        action: "/cases/new".into(),
        cancel_link: "/cases".into(),
        editing: false,
        version: 0,
        user,
    }
}

async fn new_case_page(State(state): State<Arc<AppState>>, UiUser(user): UiUser) -> Response {
    if !cases::may_write_cases(&user) {
        return error_page(
            &state,
            Some(&user),
            &ApiError::forbidden(format!("{}不能登记案件", user.user.role.label_zh())),
        );
    }
    let form = CaseForm::blank(&iso_date(state.clock.today()));
    form_page(&state, new_setup(&user), form, 0, None, Vec::new()).await
}

async fn new_case_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    let mut form = CaseForm::from_data(&data);
    match data.get("action") {
        "add_party" => {
            form.add_party();
            return form_page(&state, new_setup(&user), form, 0, None, Vec::new()).await;
        }
        "add_claim" => {
            form.add_claim();
            return form_page(&state, new_setup(&user), form, 0, None, Vec::new()).await;
        }
        _ => {}
    }
    let (raw, party_rows, claim_rows) = form.to_raw();
    match cases::file_case(&state, &user, &raw).await {
        Ok(case) => Redirect::to(&format!("/cases/{}?notice=created", case.id)).into_response(),
        Err(CaseOpError::Invalid(errors)) => {
            let count = form.place_errors(&errors, &party_rows, &claim_rows);
            form_page(&state, new_setup(&user), form, count, None, Vec::new()).await
        }
        Err(CaseOpError::Refused(e)) => error_page(&state, Some(&user), &e),
    }
}

fn edit_setup<'a>(user: &'a CurrentUser, case: &StoredCase, version: i64) -> FormSetup<'a> {
    FormSetup {
        heading: format!("修改 {}", case.case_number),
        action: format!("/cases/{}/edit", case.id),
        cancel_link: format!("/cases/{}", case.id),
        editing: true,
        version,
        user,
    }
}

fn form_from_case(case: &StoredCase) -> CaseForm {
    let raw = case.to_raw();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    CaseForm {
        case_type: text(&raw.case_type),
        filed_on: text(&raw.filed_on),
        handling_judge: text(&raw.handling_judge),
        basis_issuing_body: text(&raw.basis.issuing_body),
        basis_document_number: text(&raw.basis.document_number),
        basis_document_type: text(&raw.basis.document_type),
        basis_effective_on: text(&raw.basis.effective_on),
        basis_performance_due_on: text(&raw.basis.performance_due_on),
        basis_operative_text: text(&raw.basis.operative_text),
        party_rows: raw
            .parties
            .iter()
            .enumerate()
            .map(|(index, p)| form::PartyRow {
                index,
                id: p.id.map(|id| id.to_string()).unwrap_or_default(),
                role: text(&p.role),
                kind: text(&p.kind),
                name: text(&p.name),
                id_number: text(&p.id_number),
                legal_representative: text(&p.legal_representative),
                address: text(&p.address),
                override_reason: text(&p.id_check_override_reason),
                errors: Default::default(),
            })
            .collect(),
        claim_rows: raw
            .claims
            .iter()
            .enumerate()
            .map(|(index, c)| form::ClaimRow {
                index,
                kind: text(&c.kind),
                amount: text(&c.amount),
                description: text(&c.description),
                errors: Default::default(),
            })
            .collect(),
        errors: Default::default(),
    }
}

async fn edit_case_page(State(state): State<Arc<AppState>>, UiUser(user): UiUser, Path(id): Path<String>) -> Response {
    let (case, access) = match load(&state, &user, &id).await {
        Ok(found) => found,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    if access != CaseAccess::Write {
        return error_page(
            &state,
            Some(&user),
            &ApiError::forbidden("只能修改本院的案件；上级法院对下级法院案件只有查看权限"),
        );
    }
    let mut form = form_from_case(&case);
    if form.claim_rows.is_empty() {
        form.add_claim();
    }
    form_page(&state, edit_setup(&user, &case, case.version), form, 0, None, Vec::new()).await
}

async fn edit_case_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (data, case, access) = match posted_case(&state, &user, &id, pairs).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let version: i64 = data.get("version").parse().unwrap_or(0);
    let mut form = CaseForm::from_data(&data);
    match data.get("action") {
        "add_party" => {
            form.add_party();
            return form_page(&state, edit_setup(&user, &case, version), form, 0, None, Vec::new()).await;
        }
        "add_claim" => {
            form.add_claim();
            return form_page(&state, edit_setup(&user, &case, version), form, 0, None, Vec::new()).await;
        }
        _ => {}
    }
    let (mut raw, party_rows, claim_rows) = form.to_raw();
    raw.parties = raw.parties.into_iter().map(|p| carry_override(p, &case.parties)).collect();
    match cases::update_case(&state, &user, &case, access, version, &raw).await {
        Ok(updated) => Redirect::to(&format!("/cases/{}?notice=updated", updated.id)).into_response(),
        Err(CaseOpError::Invalid(errors)) => {
            let count = form.place_errors(&errors, &party_rows, &claim_rows);
            form_page(&state, edit_setup(&user, &case, version), form, count, None, Vec::new()).await
        }
        Err(CaseOpError::Refused(e)) if e.code == "version_conflict" => {
            // Show what others changed since the version this form was based on,
            // keep the user's input, and base a resubmission on the current version.
            let history =
                state.store.case_history(std::slice::from_ref(&case.court), case.id).await.unwrap_or_default();
            let changes = history
                .iter()
                .filter(|h| h.version > version)
                .map(|h| {
                    let fields: Vec<String> = h.changes.iter().map(|c| field_label(&c.field)).collect();
                    format!(
                        "第{}版：{}于{}修改了{}",
                        h.version,
                        h.actor.display_name,
                        format_china_time(h.at),
                        fields.join("、")
                    )
                })
                .collect();
            let banner = format!(
                "在您编辑期间，本案已被他人修改（当前为第{}版）。您的修改尚未保存；请核对下列变更后再次提交。",
                case.version
            );
            form_page(&state, edit_setup(&user, &case, case.version), form, 0, Some(banner), changes).await
        }
        Err(CaseOpError::Refused(e)) => error_page(&state, Some(&user), &e),
    }
}

async fn delete_case_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (data, case, access) = match posted_case(&state, &user, &id, pairs).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let version: i64 = data.get("version").parse().unwrap_or(0);
    match cases::delete_case(&state, &user, &case, access, version, data.get("reason")).await {
        Ok(()) => Redirect::to("/cases").into_response(),
        Err(e) => error_page(&state, Some(&user), &ApiError::from(e)),
    }
}

// ---------------------------------------------------------------- API docs

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    nav: Option<Nav>,
    title: String,
    description: String,
    operations: Vec<Operation>,
}

struct Operation {
    method: String,
    method_upper: String,
    path: String,
    summary: String,
    responses: String,
}

/// A readable rendering of the OpenAPI document, served from the binary
/// (no external Swagger assets: court networks have no internet).
async fn api_docs(State(state): State<Arc<AppState>>, user: Option<UiUser>) -> Response {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(crate::api::ApiDoc::openapi()).unwrap_or_default();
    let mut operations = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            for method in ["get", "post", "patch", "delete"] {
                if let Some(op) = item.get(method) {
                    let summary =
                        op.get("summary").or_else(|| op.get("description")).and_then(|s| s.as_str()).unwrap_or("");
                    let responses = op
                        .get("responses")
                        .and_then(|r| r.as_object())
                        .map(|r| r.keys().cloned().collect::<Vec<_>>().join(" "))
                        .unwrap_or_default();
                    operations.push(Operation {
                        method: method.to_string(),
                        method_upper: method.to_uppercase(),
                        path: path.clone(),
                        summary: summary.to_string(),
                        responses,
                    });
                }
            }
        }
    }
    let info = doc.get("info");
    let text = |key: &str| info.and_then(|i| i.get(key)).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let page = ApiDocsPage {
        nav: user.map(|u| Nav::new(&state, &u.0)),
        title: text("title"),
        description: text("description"),
        operations,
    };
    html(StatusCode::OK, &page)
}
