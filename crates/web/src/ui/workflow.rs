//! The workflow on the case page (state, deadlines, the 终本 checklist,
//! the timeline, the node and transition forms) and the deadline list page.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zhixing_core::access::{CaseAccess, Permission};
use zhixing_core::calendar::chinese_date;
use zhixing_core::workflow::{
    BuiltinNode, CancellationGround, ClosingMode, DeferralGround, RestoreGround, SuspensionGround, TerminationGround,
    Urgency,
};

use super::form::FormData;
use super::{Nav, UiUser, check_csrf, error_page, html};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::workflow::{self as wf, RawNode, RawTransition, WorkflowView};

pub struct Choice {
    pub code: String,
    pub label: String,
}

pub struct ChoiceGroup {
    pub label: &'static str,
    pub choices: Vec<Choice>,
}

pub struct DeadlineRow {
    pub label: String,
    pub rule: String,
    pub due: String,
    pub met: String,
    pub urgency: &'static str,
    pub urgency_label: &'static str,
    pub remaining: String,
    pub note: String,
}

pub struct ChecklistRow {
    pub label: String,
    pub rule: String,
    pub met: bool,
    pub evidence: String,
}

pub struct TimelineRow {
    pub on: String,
    pub what: String,
    pub kind: &'static str,
    pub detail: String,
    pub document_ref: String,
    pub rule: String,
    pub by: String,
}

pub struct LinkRow {
    pub label: &'static str,
    pub case_id: i64,
    pub case_number: String,
}

/// A refused or invalid submission, shown above the forms.
#[derive(Default)]
pub struct Problem {
    pub message: String,
    pub missing: Vec<(String, String)>,
}

/// What the forms held when a submission failed (shown again).
#[derive(Default)]
pub struct PanelForm {
    pub which: &'static str,
    pub values: std::collections::HashMap<String, String>,
}

impl PanelForm {
    pub fn get(&self, which: &str, key: &str) -> &str {
        if self.which == which { self.values.get(key).map(String::as_str).unwrap_or("") } else { "" }
    }
}

pub struct WorkflowPanel {
    pub state_label: String,
    /// Closed by 终本: the record page is offered.
    pub zhongben: bool,
    pub status: &'static str,
    pub closed: bool,
    pub deadlines: Vec<DeadlineRow>,
    pub checklist: Vec<ChecklistRow>,
    pub checklist_met: usize,
    pub timeline: Vec<TimelineRow>,
    pub links: Vec<LinkRow>,
    pub node_groups: Vec<ChoiceGroup>,
    pub ground_groups: Vec<ChoiceGroup>,
    pub modes: Vec<Choice>,
    pub can_record: bool,
    pub can_close: bool,
    pub today: String,
    pub problem: Option<Problem>,
    pub form: PanelForm,
}

/// Options of a select from a coded enum (code, Chinese label).
pub fn choices<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<Choice> {
    all.iter().map(|g| Choice { code: code(*g).to_string(), label: label(*g).to_string() }).collect()
}

impl WorkflowPanel {
    pub fn new(view: &WorkflowView, user: &CurrentUser, today: time::Date) -> WorkflowPanel {
        let deadlines = view
            .deadlines
            .iter()
            .map(|d| DeadlineRow {
                label: if d.deadline.seq > 0
                    && d.deadline.kind != zhixing_core::workflow::DeadlineKind::ExtensionRequest
                {
                    format!("{}（{}）", d.deadline.label, d.deadline.seq)
                } else {
                    d.deadline.label.clone()
                },
                rule: d.deadline.rule.clone(),
                due: match d.deadline.due_on {
                    Some(due) if d.deadline.provisional => format!("{}（暂按周末计算）", chinese_date(due)),
                    Some(due) => chinese_date(due),
                    None => "中止计算".to_string(),
                },
                met: d.deadline.met_on.map(chinese_date).unwrap_or_default(),
                urgency: d.urgency.code(),
                urgency_label: d.urgency.label_zh(),
                remaining: d.remaining.clone(),
                note: d.deadline.note.clone(),
            })
            .collect();
        let checklist: Vec<ChecklistRow> = view
            .checklist
            .iter()
            .map(|i| ChecklistRow {
                label: i.label.clone(),
                rule: i.rule.to_string(),
                met: i.met,
                evidence: i.evidence.join("；"),
            })
            .collect();
        let checklist_met = checklist.iter().filter(|c| c.met).count();
        let mut timeline: Vec<(time::Date, i64, TimelineRow)> = Vec::new();
        for (n, r) in view.workflow.nodes.iter().zip(&view.workflow.node_records) {
            let mut detail = n.note.clone();
            if let Some(amount) = n.amount {
                detail = format!("{} 元{}{}", amount.grouped(), if detail.is_empty() { "" } else { "；" }, detail);
            }
            timeline.push((
                n.on,
                r.at,
                TimelineRow {
                    on: chinese_date(n.on),
                    what: view.node_label(&n.kind),
                    kind: "node",
                    detail,
                    document_ref: n.document_ref.clone().unwrap_or_default(),
                    rule: n.kind.builtin().map(|b| b.rule().to_string()).unwrap_or_default(),
                    by: r.by.display_name.clone(),
                },
            ));
        }
        for (e, (r, _)) in view.workflow.events.iter().zip(&view.workflow.event_records) {
            let what = match e.action {
                zhixing_core::workflow::Action::Close { mode, .. } => format!("结案：{}", mode.label_zh()),
                other => other.label_zh().to_string(),
            };
            let mut detail = e.action.ground().map(|g| g.label_zh().to_string()).unwrap_or_default();
            if !e.note.is_empty() {
                detail = if detail.is_empty() { e.note.clone() } else { format!("{detail}；{}", e.note) };
            }
            timeline.push((
                e.on,
                r.at,
                TimelineRow {
                    on: chinese_date(e.on),
                    what,
                    kind: "event",
                    detail,
                    document_ref: e.document_ref.clone().unwrap_or_default(),
                    rule: match e.action {
                        zhixing_core::workflow::Action::Close { mode, .. } => mode.rule().to_string(),
                        _ => String::new(),
                    },
                    by: r.by.display_name.clone(),
                },
            ));
        }
        timeline.sort_by_key(|(on, at, _)| (*on, *at));
        let mut node_groups = vec![ChoiceGroup {
            label: "法定流程节点",
            choices: BuiltinNode::ALL
                .iter()
                .filter(|k| **k != BuiltinNode::JudgeAssigned)
                .map(|k| Choice { code: k.code().to_string(), label: k.label_zh().to_string() })
                .collect(),
        }];
        if !view.local_kinds.is_empty() {
            node_groups.push(ChoiceGroup {
                label: "本院节点",
                choices: view
                    .local_kinds
                    .iter()
                    .map(|k| Choice { code: k.code.clone(), label: k.label.clone() })
                    .collect(),
            });
        }
        let ground_groups = vec![
            ChoiceGroup {
                label: "中止执行事由",
                choices: choices(SuspensionGround::ALL, SuspensionGround::code, SuspensionGround::label_zh),
            },
            ChoiceGroup {
                label: "暂缓执行事由",
                choices: choices(DeferralGround::ALL, DeferralGround::code, DeferralGround::label_zh),
            },
            ChoiceGroup {
                label: "终结执行事由",
                choices: choices(TerminationGround::ALL, TerminationGround::code, TerminationGround::label_zh),
            },
            ChoiceGroup {
                label: "销案事由",
                choices: choices(CancellationGround::ALL, CancellationGround::code, CancellationGround::label_zh),
            },
            ChoiceGroup {
                label: "恢复执行事由",
                choices: choices(RestoreGround::ALL, RestoreGround::code, RestoreGround::label_zh),
            },
        ];
        let writable = view.access == CaseAccess::Write && user.user.role.allows(Permission::WriteCases);
        WorkflowPanel {
            state_label: view.state.label_zh(),
            zhongben: matches!(
                view.state,
                zhixing_core::workflow::CaseState::Closed { mode: ClosingMode::TerminatedThisRound, .. }
            ),
            status: view.state.status().as_str(),
            closed: view.state.status() == zhixing_core::case::CaseStatus::Closed,
            deadlines,
            checklist,
            checklist_met,
            timeline: timeline.into_iter().map(|(_, _, row)| row).collect(),
            links: view
                .workflow
                .links
                .iter()
                .map(|l| LinkRow { label: l.kind.label_zh(), case_id: l.case_id, case_number: l.case_number.clone() })
                .collect(),
            node_groups,
            ground_groups,
            modes: choices(ClosingMode::ALL, ClosingMode::code, ClosingMode::label_zh),
            can_record: writable,
            can_close: writable && user.user.role.allows(Permission::HandleCases),
            today: zhixing_core::calendar::iso_date(today),
            problem: None,
            form: PanelForm::default(),
        }
    }

    /// The refusal to show in a section: `workflow`, `credit` or `petition`.
    pub fn problem_for(&self, section: &str) -> Option<&Problem> {
        let mine = match section {
            "credit" | "seizures" | "petition" => self.form.which == section,
            _ => !matches!(self.form.which, "credit" | "seizures" | "petition"),
        };
        if mine { self.problem.as_ref() } else { None }
    }

    /// A value of the form that failed in `section`, shown again.
    pub fn kept(&self, section: &str, key: &str) -> &str {
        self.form.get(section, key)
    }

    pub fn overdue_count(&self) -> usize {
        self.deadlines.iter().filter(|d| d.urgency == Urgency::Overdue.code()).count()
    }
}

fn problem_from(error: &ApiError) -> Problem {
    let mut missing: Vec<(String, String)> = error.missing.iter().map(|m| (m.item.clone(), m.rule.clone())).collect();
    if missing.is_empty() {
        if error.details.is_empty() {
            if let Some(field) = &error.field {
                missing.push((error.message.clone(), format!("字段：{field}")));
            }
        } else {
            missing = error.details.iter().map(|d| (d.message.clone(), format!("字段：{}", d.field))).collect();
        }
    }
    Problem { message: error.message.clone(), missing }
}

/// `POST /cases/{id}/nodes`
pub async fn node_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    let Ok(case_id) = crate::cases::parse_id(&id) else {
        return error_page(&state, Some(&user), &ApiError::not_found());
    };
    let raw = RawNode {
        kind: Some(data.get("kind").to_string()),
        on: Some(data.get("on").to_string()),
        note: Some(data.get("note").to_string()),
        document_ref: Some(data.get("document_ref").to_string()),
        amount: Some(data.get("amount").to_string()),
    };
    match wf::record_node(&state, &user, case_id, &raw).await {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}?notice=node#workflow")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            super::case_page(&state, &user, case_id, None, Some((problem_from(&e), form_of("node", &data)))).await
        }
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

/// `POST /cases/{id}/transitions`
pub async fn transition_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    let Ok(case_id) = crate::cases::parse_id(&id) else {
        return error_page(&state, Some(&user), &ApiError::not_found());
    };
    let text = |k: &str| Some(data.get(k).to_string());
    let raw = RawTransition {
        action: text("action"),
        on: text("on"),
        mode: text("mode"),
        ground: text("ground"),
        note: text("note"),
        document_ref: text("document_ref"),
        until: text("until"),
        security_until: text("security_until"),
    };
    match wf::apply_transition(&state, &user, case_id, &raw).await {
        Ok((outcome, _)) => match outcome.new_case {
            Some(new_case) => Redirect::to(&format!("/cases/{}?notice=restored", new_case.id)).into_response(),
            None => Redirect::to(&format!("/cases/{case_id}?notice=transition#workflow")).into_response(),
        },
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            super::case_page(&state, &user, case_id, None, Some((problem_from(&e), form_of("transition", &data)))).await
        }
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

fn form_of(which: &'static str, data: &FormData) -> PanelForm {
    let keys = ["kind", "on", "note", "document_ref", "amount", "action", "mode", "ground", "until", "security_until"];
    PanelForm { which, values: keys.iter().map(|k| (k.to_string(), data.get(k).to_string())).collect() }
}

// ---------------------------------------------------------------- deadline list

pub struct CountRow {
    pub court: String,
    pub court_name: String,
    pub overdue: i64,
    pub due_soon: i64,
    pub due_later: i64,
}

pub struct ItemRow {
    pub case_id: i64,
    pub case_number: String,
    pub label: String,
    pub rule: String,
    pub due: String,
    pub urgency: &'static str,
    pub urgency_label: &'static str,
    pub judge: String,
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    nav: Option<Nav>,
    court: String,
    court_name: String,
    judge: String,
    judge_param: String,
    me: String,
    due_within_days: u32,
    today: String,
    until: String,
    totals: CountRow,
    courts: Vec<CountRow>,
    items: Vec<ItemRow>,
    page: u32,
    has_more: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct DeadlineQuery {
    court: Option<String>,
    judge: Option<String>,
    due_within_days: Option<String>,
    page: Option<String>,
}

/// `GET /deadlines`
pub async fn deadlines_page(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Query(q): Query<DeadlineQuery>,
) -> Response {
    let scope = match wf::deadline_scope(
        &state,
        &user,
        q.court.as_deref(),
        q.judge.as_deref(),
        q.due_within_days.as_deref(),
        q.page.as_deref(),
    )
    .await
    {
        Ok(scope) => scope,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let judge_param = q.judge.clone().unwrap_or_default();
    let overview = match wf::deadline_overview(&state, &user, scope).await {
        Ok(o) => o,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let courts = state.courts();
    let name = |code: &str| courts.find(code).map(|c| c.name.clone()).unwrap_or_else(|| code.to_string());
    let count_row = |c: &zhixing_store::DeadlineCounts| CountRow {
        court: c.court.clone(),
        court_name: name(&c.court),
        overdue: c.overdue,
        due_soon: c.due_soon,
        due_later: c.due_later,
    };
    let page = DeadlinesPage {
        nav: Some(Nav::new(&state, &user)),
        court: overview.scope.court.as_str().to_string(),
        court_name: name(overview.scope.court.as_str()),
        judge: overview.scope.judge.as_ref().map(|j| j.1.clone()).unwrap_or_default(),
        judge_param,
        me: user.user.username.clone(),
        due_within_days: overview.scope.due_within_days,
        today: chinese_date(overview.today),
        until: chinese_date(overview.until),
        totals: count_row(&overview.totals),
        courts: overview.courts.iter().map(count_row).collect(),
        items: overview
            .items
            .iter()
            .map(|(d, u)| ItemRow {
                case_id: d.case_id,
                case_number: d.case_number.clone(),
                label: d.kind.label_zh().to_string(),
                rule: d.kind.rule().to_string(),
                due: chinese_date(d.due_on),
                urgency: u.code(),
                urgency_label: u.label_zh(),
                judge: d.judge_name.clone().unwrap_or_else(|| "未指定".to_string()),
            })
            .collect(),
        page: overview.scope.page,
        has_more: overview.has_more,
        error: None,
    };
    html(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "zhongben_record.html")]
struct ZhongbenRecordPage {
    nav: Option<Nav>,
    case_id: i64,
    r: wf::ZhongbenRecord,
}

/// `GET /cases/{id}/zhongben-record`: the 终本 record, printable.
pub async fn zhongben_record_page(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let view = match crate::cases::parse_id(&id) {
        Ok(id) => wf::workflow_view(&state, &user, id).await,
        Err(e) => Err(e),
    };
    let view = match view {
        Ok(view) => view,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    match wf::zhongben_record(&state, &view) {
        Some(r) => {
            html(StatusCode::OK, &ZhongbenRecordPage { nav: Some(Nav::new(&state, &user)), case_id: view.case.id, r })
        }
        None => error_page(
            &state,
            Some(&user),
            &ApiError::new(
                StatusCode::CONFLICT,
                "not_closed_by_zhongben",
                "本案未以终结本次执行程序结案，没有终本案件信息",
            ),
        ),
    }
}
