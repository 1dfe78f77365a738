//! Workflow operations shared by the JSON API and the web UI: recording
//! nodes, trying transitions, the case's workflow view (timeline, state,
//! checklist, deadlines) and the deadline lists.

use std::sync::Arc;

use axum::http::StatusCode;
use zhixing_core::access::{CaseAccess, Permission, Role};
use zhixing_core::calendar::parse_iso_date;
use zhixing_core::court::CourtCode;
use zhixing_core::error::FieldError;
use zhixing_core::money::Money;
use zhixing_core::workflow::deadlines::{classify_due, working_day_horizon};
use zhixing_core::workflow::{
    Action, BuiltinNode, CaseState, ChecklistItem, Deadline, LocalNodeKind, NodeInput, NodeKind, Urgency, clean_text,
    compute_deadlines, derive_state, parse_action, parse_event_date, urgency, zhongben_checklist,
};
use zhixing_store::{
    CaseWorkflow, DeadlineCounts, DeadlineListItem, StoreError, StoredCase, TransitionOutcome, TransitionRequest,
};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::cases::visible_case;
use crate::error::ApiError;

/// A node as submitted (API body or form), all text.
#[derive(Clone, Debug, Default)]
pub struct RawNode {
    pub kind: Option<String>,
    pub on: Option<String>,
    pub note: Option<String>,
    pub document_ref: Option<String>,
    pub amount: Option<String>,
}

/// A transition as submitted.
#[derive(Clone, Debug, Default)]
pub struct RawTransition {
    pub action: Option<String>,
    pub on: Option<String>,
    pub mode: Option<String>,
    pub ground: Option<String>,
    pub note: Option<String>,
    pub document_ref: Option<String>,
    pub until: Option<String>,
    pub security_until: Option<String>,
}

fn optional_date(field: &str, value: Option<&str>) -> Result<Option<time::Date>, FieldError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => parse_iso_date(text)
            .map(Some)
            .ok_or_else(|| FieldError::new(field, "invalid_date", "日期格式应为 YYYY-MM-DD")),
    }
}

fn document_ref(value: Option<&str>) -> Result<Option<String>, FieldError> {
    let text = clean_text("document_ref", value, 100)?;
    Ok(if text.is_empty() { None } else { Some(text) })
}

/// A case the user may change; 403 for read-only access.
async fn writable_case(state: &AppState, user: &CurrentUser, id: i64) -> Result<StoredCase, ApiError> {
    let (case, access) = visible_case(state, user, id).await?;
    if access != CaseAccess::Write || !user.user.role.allows(Permission::WriteCases) {
        return Err(ApiError::forbidden("只能办理本院的案件；上级法院对下级法院案件只有查看权限"));
    }
    Ok(case)
}

fn refused(error: StoreError, code: &'static str) -> ApiError {
    match error {
        StoreError::Refused(refusal) => ApiError::refused(code, refusal),
        other => other.into(),
    }
}

/// Parses and records a node on a case of the user's court.
pub async fn record_node(
    state: &Arc<AppState>,
    user: &CurrentUser,
    id: i64,
    raw: &RawNode,
) -> Result<(zhixing_core::workflow::Node, StoredCase, CaseWorkflow), ApiError> {
    let case = writable_case(state, user, id).await?;
    let kind_code = raw.kind.as_deref().map(str::trim).filter(|k| !k.is_empty());
    let kind_code = kind_code.ok_or_else(|| FieldError::new("kind", "required", "请选择节点类型"))?;
    let kind = NodeKind::from_code(kind_code).ok_or_else(|| {
        FieldError::new("kind", "invalid_node_kind", format!("没有节点类型“{kind_code}”（见 GET /api/v1/node-kinds）"))
    })?;
    let today = state.clock.today();
    let mut errors = Vec::new();
    let on = parse_event_date("on", raw.on.as_deref(), case.filed_on, today).map_err(|e| errors.push(e)).ok();
    let note = clean_text("note", raw.note.as_deref(), 2000).map_err(|e| errors.push(e)).ok();
    let doc = document_ref(raw.document_ref.as_deref()).map_err(|e| errors.push(e)).ok();
    let amount = match raw.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => match Money::parse(text) {
            Ok(m) => Some(m),
            Err(e) => {
                errors.push(FieldError::new("amount", "invalid_amount", format!("金额无效：{e}")));
                None
            }
        },
    };
    if amount.is_some() && kind.builtin().is_none_or(|k| !k.carries_amount()) {
        errors.push(FieldError::new("amount", "amount_not_allowed", "只有“执行款到账”节点填写金额"));
    }
    let (Some(on), Some(note), Some(document_ref)) = (on, note, doc) else {
        return Err(ApiError::validation(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let input = NodeInput { kind, on, note, document_ref, amount };
    let recorded = state
        .store
        .record_node(&case.court, case.id, &input, &user.user.as_ref(), state.clock.now_ms())
        .await
        .map_err(|e| refused(e, "node_refused"))?;
    // A node may be a 失信 deletion trigger (performance, settlement …).
    state.store.detect_credit_triggers(&case.court, case.id, today, state.clock.now_ms()).await?;
    Ok(recorded)
}

/// Parses and tries a transition; a refusal lists every unmet condition.
pub async fn apply_transition(
    state: &Arc<AppState>,
    user: &CurrentUser,
    id: i64,
    raw: &RawTransition,
) -> Result<(TransitionOutcome, StoredCase), ApiError> {
    let case = writable_case(state, user, id).await?;
    let today = state.clock.today();
    let action_text = raw.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let action_text = action_text.ok_or_else(|| FieldError::new("action", "required", "请选择操作"))?;
    let until = optional_date("until", raw.until.as_deref())?;
    let security_until = optional_date("security_until", raw.security_until.as_deref())?;
    let action = parse_action(action_text, raw.mode.as_deref(), raw.ground.as_deref(), until, security_until)?;
    if matches!(action, Action::Close { .. } | Action::Restore(_)) && !user.user.role.allows(Permission::HandleCases) {
        return Err(ApiError::forbidden("结案和恢复执行须由执行法官或执行局长办理"));
    }
    let on = parse_event_date("on", raw.on.as_deref(), case.filed_on, today)?;
    let note = clean_text("note", raw.note.as_deref(), 2000)?;
    let document_ref = document_ref(raw.document_ref.as_deref())?;
    let request = TransitionRequest { action, on, note, document_ref };
    let outcome = state
        .store
        .apply_transition(&case.court, case.id, &request, &user.user.as_ref(), state.clock.now_ms(), today)
        .await
        .map_err(|e| refused(e, "transition_refused"))?;
    state.store.detect_credit_triggers(&case.court, case.id, today, state.clock.now_ms()).await?;
    Ok((outcome, case))
}

/// A deadline with its urgency today.
#[derive(Clone, Debug)]
pub struct DeadlineView {
    pub deadline: Deadline,
    pub urgency: Urgency,
    pub remaining: String,
}

/// Everything the case page and the workflow endpoints show.
pub struct WorkflowView {
    pub case: StoredCase,
    pub access: CaseAccess,
    pub workflow: CaseWorkflow,
    pub state: CaseState,
    pub deadlines: Vec<DeadlineView>,
    /// The 终本 checklist as of today (shown while the case is open).
    pub checklist: Vec<ChecklistItem>,
    pub local_kinds: Vec<LocalNodeKind>,
}

impl WorkflowView {
    pub fn node_label(&self, kind: &NodeKind) -> String {
        node_label(kind, &self.local_kinds)
    }
}

pub fn node_label(kind: &NodeKind, local: &[LocalNodeKind]) -> String {
    match kind {
        NodeKind::Builtin(b) => b.label_zh().to_string(),
        NodeKind::Local(code) => {
            local.iter().find(|k| &k.code == code).map_or_else(|| code.clone(), |k| format!("{}（本院节点）", k.label))
        }
    }
}

pub async fn workflow_view(state: &AppState, user: &CurrentUser, id: i64) -> Result<WorkflowView, ApiError> {
    let (_, access) = visible_case(state, user, id).await?;
    let (case, workflow) = state
        .store
        .case_workflow(&crate::cases::visible_courts(state, user), id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rules = state.store.workflow_rules();
    let today = state.clock.today();
    let file = workflow.file(&case);
    let case_state = derive_state(&file);
    let deadlines = compute_deadlines(&file, &rules.calendar, &rules.policy)
        .into_iter()
        .map(|d| {
            let u = urgency(&d, today, &rules.calendar, &rules.policy);
            let remaining = match (u, d.due_on) {
                (Urgency::Met | Urgency::Moot | Urgency::Paused, _) | (_, None) => String::new(),
                (_, Some(due)) => zhixing_core::workflow::deadlines::remaining_text(due, today, &rules.calendar),
            };
            DeadlineView { deadline: d, urgency: u, remaining }
        })
        .collect();
    let checklist = zhongben_checklist(&file, today, &rules.policy);
    let local_kinds = state.store.node_kinds(Some(&case.court)).await?;
    Ok(WorkflowView { case, access, workflow, state: case_state, deadlines, checklist, local_kinds })
}

/// Which deadlines a list shows.
#[derive(Clone, Debug)]
pub struct DeadlineScope {
    pub court: CourtCode,
    /// Only this judge's cases.
    pub judge: Option<(i64, String)>,
    /// Working days ahead.
    pub due_within_days: u32,
    pub page: u32,
}

pub struct DeadlineOverview {
    pub scope: DeadlineScope,
    pub today: time::Date,
    pub until: time::Date,
    /// Totals for the scope.
    pub totals: DeadlineCounts,
    /// Per court beneath (for a higher court), the scope's court first.
    pub courts: Vec<DeadlineCounts>,
    pub items: Vec<(DeadlineListItem, Urgency)>,
    pub has_more: bool,
}

pub const DEADLINE_PAGE: i64 = 100;

/// Parses the list parameters: `court` (default the user's own), `judge`
/// (username; default the user for judges, nobody otherwise; `all` for the
/// whole court), `due_within_days` (working days, default 10, 0–250).
pub async fn deadline_scope(
    state: &AppState,
    user: &CurrentUser,
    court: Option<&str>,
    judge: Option<&str>,
    due_within_days: Option<&str>,
    page: Option<&str>,
) -> Result<DeadlineScope, ApiError> {
    let visible = crate::cases::visible_courts(state, user);
    let court = match court.map(str::trim).filter(|c| !c.is_empty()) {
        None => user.user.court.clone(),
        Some(code) => {
            let code = CourtCode::parse(code).map_err(|_| FieldError::new("court", "invalid_court", "法院代字无效"))?;
            if !visible.contains(&code) {
                return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "只能查看本院及下级法院的期限"));
            }
            code
        }
    };
    let judge = match judge.map(str::trim).filter(|j| !j.is_empty()) {
        Some("all") => None,
        None if user.user.role == Role::Judge && court == user.user.court => {
            Some((user.user.id, user.user.display_name.clone()))
        }
        None => None,
        Some(username) => {
            let found = state.store.user_by_username(username).await?;
            match found {
                Some(u) if u.court == court => Some((u.id, u.display_name)),
                _ => {
                    return Err(FieldError::new("judge", "invalid_judge", format!("“{username}”不是该院的用户")).into());
                }
            }
        }
    };
    let due_within_days = match due_within_days.map(str::trim).filter(|d| !d.is_empty()) {
        None => state.store.workflow_rules().policy.due_later_working_days,
        Some(text) => text.parse::<u32>().ok().filter(|d| *d <= 250).ok_or_else(|| {
            FieldError::new("due_within_days", "invalid_due_within_days", "due_within_days 应为0至250的整数（工作日）")
        })?,
    };
    let page = match page.map(str::trim).filter(|p| !p.is_empty()) {
        None => 1,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .ok_or_else(|| FieldError::new("page", "invalid_page", "页码应为1至10000的整数"))?,
    };
    Ok(DeadlineScope { court, judge, due_within_days, page })
}

pub async fn deadline_overview(
    state: &AppState,
    user: &CurrentUser,
    scope: DeadlineScope,
) -> Result<DeadlineOverview, ApiError> {
    let rules = state.store.workflow_rules();
    let today = state.clock.today();
    let until = working_day_horizon(&rules.calendar, today, scope.due_within_days);
    let soon =
        working_day_horizon(&rules.calendar, today, rules.policy.due_soon_working_days.min(scope.due_within_days));
    let judge = scope.judge.as_ref().map(|j| j.0);
    let one = std::slice::from_ref(&scope.court);
    let offset = i64::from(scope.page - 1) * DEADLINE_PAGE;
    let mut rows = state.store.deadline_list(one, judge, until, DEADLINE_PAGE + 1, offset).await?;
    let has_more = rows.len() as i64 > DEADLINE_PAGE;
    rows.truncate(DEADLINE_PAGE as usize);
    let items = rows
        .into_iter()
        .map(|r| {
            let u = classify_due(r.due_on, today, &rules.calendar, &rules.policy);
            (r, u)
        })
        .collect();
    let totals = state
        .store
        .deadline_counts(one, judge, today, soon, until)
        .await?
        .into_iter()
        .next()
        .unwrap_or(DeadlineCounts { court: scope.court.as_str().to_string(), ..Default::default() });
    // A higher court sees the counts of every court beneath the scope's court.
    let courts = if judge.is_none() {
        let beneath: Vec<CourtCode> = state.courts().subtree(&scope.court);
        if beneath.len() > 1 {
            let visible = crate::cases::visible_courts(state, user);
            let beneath: Vec<CourtCode> = beneath.into_iter().filter(|c| visible.contains(c)).collect();
            let mut counts = state.store.deadline_counts(&beneath, None, today, soon, until).await?;
            for code in &beneath {
                if !counts.iter().any(|c| c.court == code.as_str()) {
                    counts.push(DeadlineCounts { court: code.as_str().to_string(), ..Default::default() });
                }
            }
            counts.sort_by(|a, b| {
                (a.court != scope.court.as_str(), &a.court).cmp(&(b.court != scope.court.as_str(), &b.court))
            });
            counts
        } else {
            Vec::new()
        }
    } else {
        Vec::new()
    };
    Ok(DeadlineOverview { scope, today, until, totals, courts, items, has_more })
}

/// The node kinds a user of `court` may record: built-in, then local.
pub fn builtin_kinds() -> &'static [BuiltinNode] {
    BuiltinNode::ALL
}

/// One debtor as the 终本 record lists it (ZB art 13).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RecordDebtor {
    /// person | organization
    pub kind: String,
    pub name: String,
    /// Citizen ids with the birth-date digits masked; credit codes in full.
    pub id_number: String,
    pub sex: Option<String>,
    /// Age on the closing date.
    pub age: Option<i32>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
}

/// The record of a case closed by 终本, as it goes into the SPC's
/// 终结本次执行程序案件信息库 (ZB arts 12–13, read only from memory in the
/// digest): debtor, 执行依据, 案号, filing date, court, obligations and
/// performance.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ZhongbenRecord {
    pub case_number: String,
    pub court: String,
    pub filed_on: String,
    pub closed_on: String,
    /// 终本裁定书文号.
    pub ruling: Option<String>,
    pub debtors: Vec<RecordDebtor>,
    pub basis_issuing_body: String,
    pub basis_document_number: String,
    /// 执行依据确定的义务 (the operative part as written).
    pub obligations: String,
    pub amount_applied: String,
    /// Recorded payments (执行款到账).
    pub amount_paid: String,
    pub amount_unpaid: String,
    /// Last day to enter it into the 终本案件库 (7 days, ZB art 12).
    pub publish_by: Option<String>,
    pub published_on: Option<String>,
    pub rule: String,
}

/// The 终本 record of a case closed by 终本; `None` otherwise.
pub fn zhongben_record(state: &AppState, view: &WorkflowView) -> Option<ZhongbenRecord> {
    use zhixing_core::calendar::iso_date;
    use zhixing_core::case::{PartyId, PartyRole};
    use zhixing_core::workflow::{ClosingMode, DeadlineKind};
    let CaseState::Closed { on, mode: ClosingMode::TerminatedThisRound, .. } = view.state else { return None };
    let case = &view.case;
    let ruling = view
        .workflow
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.action, Action::Close { .. }))
        .and_then(|e| e.document_ref.clone());
    let debtors = case
        .parties
        .iter()
        .filter(|p| p.draft.role == PartyRole::Respondent)
        .map(|p| {
            let d = &p.draft;
            let (id_number, sex, age) = match &d.id_number {
                PartyId::Citizen(id) => (id.masked(), Some(id.sex().label_zh().to_string()), Some(id.age_on(on))),
                PartyId::Credit(code) => (code.as_str().to_string(), None, None),
            };
            RecordDebtor {
                kind: d.kind.as_str().to_string(),
                name: d.name.clone(),
                id_number,
                sex,
                age,
                legal_representative: d.legal_representative.clone(),
                address: d.address.clone(),
            }
        })
        .collect();
    let unpaid = zhixing_core::workflow::unpaid_balance(case.amount_applied, &view.workflow.nodes);
    let paid = Money::from_fen(case.amount_applied.fen() - unpaid.fen()).unwrap_or(Money::ZERO);
    let publication = view.deadlines.iter().find(|d| d.deadline.kind == DeadlineKind::ZhongbenPublication);
    Some(ZhongbenRecord {
        case_number: case.case_number.to_string(),
        court: state.courts().get(&case.court).map(|c| c.name.clone()).unwrap_or_default(),
        filed_on: iso_date(case.filed_on),
        closed_on: iso_date(on),
        ruling,
        debtors,
        basis_issuing_body: case.basis.issuing_body.clone(),
        basis_document_number: case.basis.document_number.clone(),
        obligations: case.basis.operative_text.clone(),
        amount_applied: case.amount_applied.to_string(),
        amount_paid: paid.to_string(),
        amount_unpaid: unpaid.to_string(),
        publish_by: publication.and_then(|d| d.deadline.due_on).map(iso_date),
        published_on: publication.and_then(|d| d.deadline.met_on).map(iso_date),
        rule: "《最高人民法院关于严格规范终结本次执行程序的规定（试行）》第十二条、第十三条".to_string(),
    })
}
