//! Workflow endpoints: process nodes, transitions, the 终本 checklist and
//! deadlines.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhixing_core::calendar::iso_date;
use zhixing_core::workflow::{
    BuiltinNode, CancellationGround, ClosingMode, DeferralGround, Event, RestoreGround, SuspensionGround,
    TerminationGround,
};
use zhixing_store::Recorded;

use super::dto::CaseDto;
use crate::AppState;
use crate::auth::ApiUser;
use crate::cases::parse_id;
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::workflow::{self as wf, DeadlineView, RawNode, RawTransition, WorkflowView};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeRequest {
    /// A node kind code, e.g. `notice_served` (see `GET /api/v1/node-kinds`).
    pub kind: Option<String>,
    /// `YYYY-MM-DD`: not in the future, not before the filing date.
    pub on: Option<String>,
    /// Free text; for `applicant_interviewed` the applicant's opinion (required).
    pub note: Option<String>,
    /// The document's number, e.g. `（2026）浙0203执1号之一`.
    pub document_ref: Option<String>,
    /// For `payment_received` only: 元, decimal string.
    pub amount: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NodeDto {
    pub id: i64,
    pub kind: String,
    pub label: String,
    pub on: String,
    pub note: String,
    pub document_ref: Option<String>,
    pub amount: Option<String>,
    /// The rule behind a built-in node.
    pub rule: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// start | suspend | defer | resume | close | restore
    pub action: Option<String>,
    /// `YYYY-MM-DD`: not in the future, not before the filing date.
    pub on: Option<String>,
    /// For `close`: completed | terminated_this_round | terminated | cancelled | not_enforced | rejected
    pub mode: Option<String>,
    /// For suspend, defer, close (terminated / cancelled) and restore: a ground code (see `GET /api/v1/workflow/catalogue`).
    pub ground: Option<String>,
    pub note: Option<String>,
    /// The ruling's or decision's number.
    pub document_ref: Option<String>,
    /// For `defer`: last day of the deferral (≤ 1 year, JS art 467).
    pub until: Option<String>,
    /// For `defer` on security: last day of the security's term.
    pub security_until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub seq: i64,
    pub action: String,
    pub action_label: String,
    pub on: String,
    pub mode: Option<String>,
    pub ground: Option<String>,
    pub ground_label: Option<String>,
    pub note: String,
    pub document_ref: Option<String>,
    /// filed | enforcing | suspended | deferred | closed
    pub state_after: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct TransitionResponse {
    /// filed | enforcing | suspended | deferred | closed
    pub status: String,
    pub state_label: String,
    /// For `restore`: the new 执恢 case.
    pub new_case: Option<CaseDto>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineDto {
    pub kind: String,
    pub seq: u32,
    pub label: String,
    pub rule: String,
    pub started_on: String,
    /// Null while the clock is stopped (suspension, 暂缓, valuation, auction …).
    pub due_on: Option<String>,
    pub met_on: Option<String>,
    /// overdue | due_soon | due_within_10 | later | paused | met | moot
    pub urgency: String,
    pub urgency_label: String,
    /// The year's holiday arrangement is not loaded yet: weekends only were assumed.
    pub provisional: bool,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistItemDto {
    pub key: String,
    pub label: String,
    pub rule: String,
    pub met: bool,
    pub evidence: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkflowDto {
    pub case_id: i64,
    pub case_number: String,
    pub status: String,
    pub state_label: String,
    /// The 终本 checklist as of today.
    pub zhongben_checklist: Vec<ChecklistItemDto>,
    pub deadlines: Vec<DeadlineDto>,
    pub links: Vec<LinkDto>,
}

#[derive(Serialize, ToSchema)]
pub struct LinkDto {
    /// restored_as | restored_from
    pub kind: String,
    pub case_id: i64,
    pub case_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogueEntry {
    pub code: String,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct NodeKindDto {
    pub code: String,
    pub label: String,
    pub rule: Option<String>,
    /// false for the court's own (local) kinds, which no rule reads.
    pub builtin: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogueDto {
    pub node_kinds: Vec<NodeKindDto>,
    pub closing_modes: Vec<CatalogueEntry>,
    pub suspension_grounds: Vec<CatalogueEntry>,
    pub deferral_grounds: Vec<CatalogueEntry>,
    pub termination_grounds: Vec<CatalogueEntry>,
    pub cancellation_grounds: Vec<CatalogueEntry>,
    pub restore_grounds: Vec<CatalogueEntry>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineParams {
    /// 法院代字 (default: the user's court). A higher court may name a court beneath it.
    court: Option<String>,
    /// Username of a judge, or `all`. Default: a judge sees their own cases, everybody else the whole court.
    judge: Option<String>,
    /// Working days ahead (default 10). Overdue deadlines are always included.
    due_within_days: Option<String>,
    /// 1-based page (100 per page).
    page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineCountsDto {
    pub court: String,
    pub court_name: String,
    pub overdue: i64,
    /// Due within 3 working days.
    pub due_soon: i64,
    /// Due after that, within `due_within_days` working days.
    pub due_later: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineItemDto {
    pub case_id: i64,
    pub case_number: String,
    pub court: String,
    pub kind: String,
    pub label: String,
    pub rule: String,
    pub due_on: String,
    pub urgency: String,
    pub judge: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineListDto {
    pub as_of: String,
    pub until: String,
    pub court: String,
    pub judge: Option<String>,
    pub due_within_days: u32,
    pub totals: DeadlineCountsDto,
    /// For a higher court: one line per court beneath (its own first).
    pub courts: Vec<DeadlineCountsDto>,
    pub items: Vec<DeadlineItemDto>,
    pub page: u32,
    pub has_more: bool,
}

fn recorded_at(r: &Recorded) -> (String, String) {
    (crate::rfc3339(r.at), r.by.display_name.clone())
}

pub fn node_dtos(view: &WorkflowView) -> Vec<NodeDto> {
    view.workflow
        .nodes
        .iter()
        .zip(&view.workflow.node_records)
        .map(|(n, r)| {
            let (at, by) = recorded_at(r);
            NodeDto {
                id: n.id,
                kind: n.kind.code().to_string(),
                label: view.node_label(&n.kind),
                on: iso_date(n.on),
                note: n.note.clone(),
                document_ref: n.document_ref.clone(),
                amount: n.amount.map(|a| a.to_string()),
                rule: n.kind.builtin().map(|b| b.rule().to_string()),
                recorded_at: at,
                recorded_by: by,
            }
        })
        .collect()
}

fn event_dto(e: &Event, r: &Recorded, status: zhixing_core::case::CaseStatus) -> EventDto {
    let (at, by) = recorded_at(r);
    EventDto {
        seq: e.seq,
        action: e.action.code().to_string(),
        action_label: e.action.label_zh().to_string(),
        on: iso_date(e.on),
        mode: match e.action {
            zhixing_core::workflow::Action::Close { mode, .. } => Some(mode.code().to_string()),
            _ => None,
        },
        ground: e.action.ground().map(|g| g.code().to_string()),
        ground_label: e.action.ground().map(|g| g.label_zh().to_string()),
        note: e.note.clone(),
        document_ref: e.document_ref.clone(),
        state_after: status.as_str().to_string(),
        recorded_at: at,
        recorded_by: by,
    }
}

pub fn deadline_dto(d: &DeadlineView) -> DeadlineDto {
    DeadlineDto {
        kind: d.deadline.kind.code().to_string(),
        seq: d.deadline.seq,
        label: d.deadline.label.clone(),
        rule: d.deadline.rule.clone(),
        started_on: iso_date(d.deadline.started_on),
        due_on: d.deadline.due_on.map(iso_date),
        met_on: d.deadline.met_on.map(iso_date),
        urgency: d.urgency.code().to_string(),
        urgency_label: d.urgency.label_zh().to_string(),
        provisional: d.deadline.provisional,
        note: d.deadline.note.clone(),
    }
}

/// Records a process node (流程节点) on a case of the user's court.
#[utoipa::path(post, path = "/api/v1/cases/{id}/nodes", tag = "workflow", params(("id" = i64, Path)), request_body = NodeRequest, security(("bearer" = [])),
    responses(
        (status = 201, body = NodeDto),
        (status = 403, description = "read-only access", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "a field is invalid, or `node_refused` with `missing[]` (e.g. 约谈 without the applicant's opinion, an extension requested less than 5 days before expiry)", body = ErrorBody),
    ))]
pub async fn post_node(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NodeRequest>,
) -> Result<Response, ApiError> {
    let raw =
        RawNode { kind: body.kind, on: body.on, note: body.note, document_ref: body.document_ref, amount: body.amount };
    let (node, case, workflow) = wf::record_node(&state, &user, parse_id(&id)?, &raw).await?;
    let local = state.store.node_kinds(Some(&case.court)).await?;
    let index = workflow.nodes.iter().position(|n| n.id == node.id).unwrap_or(0);
    let record = workflow.node_records.get(index).cloned();
    let (at, by) = record.map(|r| recorded_at(&r)).unwrap_or_default();
    let dto = NodeDto {
        id: node.id,
        kind: node.kind.code().to_string(),
        label: wf::node_label(&node.kind, &local),
        on: iso_date(node.on),
        note: node.note.clone(),
        document_ref: node.document_ref.clone(),
        amount: node.amount.map(|a| a.to_string()),
        rule: node.kind.builtin().map(|b| b.rule().to_string()),
        recorded_at: at,
        recorded_by: by,
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// The case's process nodes (its timeline), by date.
#[utoipa::path(get, path = "/api/v1/cases/{id}/nodes", tag = "workflow", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<NodeDto>), (status = 404, body = ErrorBody)))]
pub async fn get_nodes(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<NodeDto>>, ApiError> {
    let view = wf::workflow_view(&state, &user, parse_id(&id)?).await?;
    Ok(Json(node_dtos(&view)))
}

/// Tries a state transition. A refusal is 422 `transition_refused` with one `missing[]` entry per unmet condition, each citing its article. `restore` answers 201 with the new 执恢 case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "workflow", params(("id" = i64, Path)), request_body = TransitionInput, security(("bearer" = [])),
    responses(
        (status = 200, body = TransitionResponse),
        (status = 201, description = "restore: the new 执恢 case is in `new_case`", body = TransitionResponse),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "transition_refused (with missing[]) or an invalid field", body = ErrorBody),
    ))]
pub async fn post_transition(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TransitionInput>,
) -> Result<Response, ApiError> {
    let raw = RawTransition {
        action: body.action,
        on: body.on,
        mode: body.mode,
        ground: body.ground,
        note: body.note,
        document_ref: body.document_ref,
        until: body.until,
        security_until: body.security_until,
    };
    let (outcome, _) = wf::apply_transition(&state, &user, parse_id(&id)?, &raw).await?;
    let courts = state.courts();
    let status = if outcome.new_case.is_some() { StatusCode::CREATED } else { StatusCode::OK };
    let body = TransitionResponse {
        status: outcome.state.status().as_str().to_string(),
        state_label: outcome.state.label_zh(),
        new_case: outcome.new_case.as_ref().map(|c| CaseDto::new(c, &courts)),
    };
    Ok((status, Json(body)).into_response())
}

/// The case's transitions, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/transitions", tag = "workflow", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<EventDto>), (status = 404, body = ErrorBody)))]
pub async fn get_transitions(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<EventDto>>, ApiError> {
    let view = wf::workflow_view(&state, &user, parse_id(&id)?).await?;
    let events =
        view.workflow.events.iter().zip(&view.workflow.event_records).map(|(e, (r, s))| event_dto(e, r, *s)).collect();
    Ok(Json(events))
}

/// The case's deadlines (met, open, paused), each with its rule and urgency today.
#[utoipa::path(get, path = "/api/v1/cases/{id}/deadlines", tag = "workflow", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<DeadlineDto>), (status = 404, body = ErrorBody)))]
pub async fn get_case_deadlines(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeadlineDto>>, ApiError> {
    let view = wf::workflow_view(&state, &user, parse_id(&id)?).await?;
    Ok(Json(view.deadlines.iter().map(deadline_dto).collect()))
}

/// State, 终本 checklist (as of today), deadlines and linked cases in one answer.
#[utoipa::path(get, path = "/api/v1/cases/{id}/workflow", tag = "workflow", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = WorkflowDto), (status = 404, body = ErrorBody)))]
pub async fn get_workflow(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<WorkflowDto>, ApiError> {
    let view = wf::workflow_view(&state, &user, parse_id(&id)?).await?;
    Ok(Json(WorkflowDto {
        case_id: view.case.id,
        case_number: view.case.case_number.to_string(),
        status: view.state.status().as_str().to_string(),
        state_label: view.state.label_zh(),
        zhongben_checklist: view
            .checklist
            .iter()
            .map(|i| ChecklistItemDto {
                key: i.key.to_string(),
                label: i.label.clone(),
                rule: i.rule.to_string(),
                met: i.met,
                evidence: i.evidence.clone(),
            })
            .collect(),
        deadlines: view.deadlines.iter().map(deadline_dto).collect(),
        links: view
            .workflow
            .links
            .iter()
            .map(|l| LinkDto {
                kind: l.kind.as_str().to_string(),
                case_id: l.case_id,
                case_number: l.case_number.clone(),
            })
            .collect(),
    }))
}

/// Deadline list of a court (or one judge): overdue and due within N working days, earliest first, with counts; a higher court also gets the counts of each court beneath it.
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "workflow", params(DeadlineParams), security(("bearer" = [])),
    responses((status = 200, body = DeadlineListDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_deadlines(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(params): Query<DeadlineParams>,
) -> Result<Json<DeadlineListDto>, ApiError> {
    let scope = wf::deadline_scope(
        &state,
        &user,
        params.court.as_deref(),
        params.judge.as_deref(),
        params.due_within_days.as_deref(),
        params.page.as_deref(),
    )
    .await?;
    let overview = wf::deadline_overview(&state, &user, scope).await?;
    Ok(Json(deadline_list_dto(&state, &overview)))
}

pub fn deadline_list_dto(state: &AppState, o: &wf::DeadlineOverview) -> DeadlineListDto {
    let courts = state.courts();
    let counts = |c: &zhixing_store::DeadlineCounts| DeadlineCountsDto {
        court: c.court.clone(),
        court_name: courts.find(&c.court).map(|x| x.name.clone()).unwrap_or_default(),
        overdue: c.overdue,
        due_soon: c.due_soon,
        due_later: c.due_later,
    };
    DeadlineListDto {
        as_of: iso_date(o.today),
        until: iso_date(o.until),
        court: o.scope.court.as_str().to_string(),
        judge: o.scope.judge.as_ref().map(|j| j.1.clone()),
        due_within_days: o.scope.due_within_days,
        totals: counts(&o.totals),
        courts: o.courts.iter().map(counts).collect(),
        items: o
            .items
            .iter()
            .map(|(d, u)| DeadlineItemDto {
                case_id: d.case_id,
                case_number: d.case_number.clone(),
                court: d.court.as_str().to_string(),
                kind: d.kind.code().to_string(),
                label: d.kind.label_zh().to_string(),
                rule: d.kind.rule().to_string(),
                due_on: iso_date(d.due_on),
                urgency: u.code().to_string(),
                judge: d.judge_name.clone(),
            })
            .collect(),
        page: o.scope.page,
        has_more: o.has_more,
    }
}

fn entries<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<CatalogueEntry> {
    all.iter().map(|g| CatalogueEntry { code: code(*g).to_string(), label: label(*g).to_string() }).collect()
}

/// Node kinds (built-in and the user's court's own), closing modes and the grounds of each transition.
#[utoipa::path(get, path = "/api/v1/workflow/catalogue", tag = "workflow", security(("bearer" = [])),
    responses((status = 200, body = CatalogueDto)))]
pub async fn get_catalogue(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
) -> Result<Json<CatalogueDto>, ApiError> {
    let mut node_kinds: Vec<NodeKindDto> = BuiltinNode::ALL
        .iter()
        .map(|k| NodeKindDto {
            code: k.code().to_string(),
            label: k.label_zh().to_string(),
            rule: Some(k.rule().to_string()),
            builtin: true,
        })
        .collect();
    for local in state.store.node_kinds(Some(&user.user.court)).await? {
        node_kinds.push(NodeKindDto { code: local.code, label: local.label, rule: None, builtin: false });
    }
    Ok(Json(CatalogueDto {
        node_kinds,
        closing_modes: entries(ClosingMode::ALL, ClosingMode::code, ClosingMode::label_zh),
        suspension_grounds: entries(SuspensionGround::ALL, SuspensionGround::code, SuspensionGround::label_zh),
        deferral_grounds: entries(DeferralGround::ALL, DeferralGround::code, DeferralGround::label_zh),
        termination_grounds: entries(TerminationGround::ALL, TerminationGround::code, TerminationGround::label_zh),
        cancellation_grounds: entries(CancellationGround::ALL, CancellationGround::code, CancellationGround::label_zh),
        restore_grounds: entries(RestoreGround::ALL, RestoreGround::code, RestoreGround::label_zh),
    }))
}

/// Same as the catalogue's `node_kinds`.
#[utoipa::path(get, path = "/api/v1/node-kinds", tag = "workflow", security(("bearer" = [])),
    responses((status = 200, body = Vec<NodeKindDto>)))]
pub async fn get_node_kinds(state: State<Arc<AppState>>, user: ApiUser) -> Result<Json<Vec<NodeKindDto>>, ApiError> {
    Ok(Json(get_catalogue(state, user).await?.0.node_kinds))
}

/// The 终本 record (ZB arts 12–13) of a case closed by 终结本次执行程序: what goes into the 终本案件库 within 7 days.
#[utoipa::path(get, path = "/api/v1/cases/{id}/zhongben-record", tag = "workflow", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = wf::ZhongbenRecord), (status = 404, body = ErrorBody), (status = 409, description = "not_closed_by_zhongben", body = ErrorBody)))]
pub async fn get_zhongben_record(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<wf::ZhongbenRecord>, ApiError> {
    let view = wf::workflow_view(&state, &user, parse_id(&id)?).await?;
    wf::zhongben_record(&state, &view).map(Json).ok_or_else(|| {
        ApiError::new(StatusCode::CONFLICT, "not_closed_by_zhongben", "本案未以终结本次执行程序结案，没有终本案件信息")
    })
}
