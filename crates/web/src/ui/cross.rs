//! 交叉执行 pages: the command centre (`/cross`: statistics with breakdowns
//! and export, candidates, decisions), the decision page (outcomes, review,
//! the other cases of the same decision), the receiving court's list
//! (`/cross/received`), the court's petitions (`/petitions`) and the
//! 执行信访 section of the case page.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zhixing_core::access::{CaseAccess, Permission, Role};
use zhixing_core::court::CourtCode;
use zhixing_core::cross::{CrossForm, Finding, OutcomeKind};
use zhixing_store::{CrossDecision, StoredCase};

use super::form::FormData;
use super::workflow::{Choice, PanelForm, Problem, choices};
use super::{Nav, SectionPost, UiUser, check_csrf, error_page, html};
use crate::AppState;
use crate::api::cross::{
    self as api, CandidateDto, DecisionDto, DecisionInput, OutcomeInput, PetitionCloseInput, PetitionDto,
    PetitionInput, PetitionListParams, ReviewCloseInput, StatsParams, StatsRowDto,
};
use crate::auth::{ApiUser, CurrentUser};
use crate::error::ApiError;
use crate::json::ApiJson;

fn court_name(state: &AppState, code: &CourtCode) -> String {
    state.courts().get(code).map_or_else(|| code.as_str().to_string(), |c| c.name.clone())
}

/// A breakdown table of the command page.
pub struct Breakdown {
    pub title: &'static str,
    pub rows: Vec<StatsRowDto>,
}

#[derive(Template)]
#[template(path = "cross.html")]
struct CrossPage {
    nav: Option<Nav>,
    csrf: String,
    today: String,
    stats: api::StatsDto,
    breakdowns: Vec<Breakdown>,
    candidates: Vec<CandidateDto>,
    decisions: Vec<DecisionDto>,
    forms: Vec<Choice>,
    courts: Vec<Choice>,
    /// Receiving courts per candidate case, best first (便利性).
    suggestions: std::collections::HashMap<i64, Vec<crate::api::seizures::SuggestionDto>>,
    /// The court whose candidates are listed, if one was chosen.
    chosen: Option<String>,
    /// The area is too large to list every court's candidates at once.
    pick_court: bool,
}

impl CrossPage {
    fn top_suggestions(&self, case_id: &i64) -> &[crate::api::seizures::SuggestionDto] {
        self.suggestions.get(case_id).map_or(&[], |s| &s[..s.len().min(3)])
    }

    fn first_suggestion(&self, case_id: &i64) -> &str {
        self.top_suggestions(case_id).first().map_or("", |s| s.court.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    /// Candidates of this court only (required for large areas).
    court: Option<String>,
}

fn stats_params(q: &PeriodQuery) -> StatsParams {
    StatsParams { from: q.from.clone(), to: q.to.clone(), group: None, format: None }
}

/// Above this many courts beneath, the page lists one chosen court's
/// candidates: the whole area's list reads every case of a province
/// (seconds at a million cases; the API still offers it for exports).
const CANDIDATE_AREA_LIMIT: usize = 12;

fn candidate_court(state: &AppState, user: &crate::auth::CurrentUser, q: &PeriodQuery) -> (Option<String>, bool) {
    let chosen = q.court.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    let large = state.courts().subtree(&user.user.court).len() > CANDIDATE_AREA_LIMIT + 1;
    (chosen, large)
}

/// `GET /cross`: statistics with breakdowns (period from the query), ranked
/// candidates with a decision form each, decisions.
pub async fn cross_page(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Query(period): Query<PeriodQuery>,
) -> Response {
    let (chosen, large) = candidate_court(&state, &user, &period);
    let candidates = if large && chosen.is_none() {
        Vec::new()
    } else {
        match api::candidates(&state, &user, chosen.as_deref(), None, 100).await {
            Ok(c) => c,
            Err(e) => return error_page(&state, Some(&user), &e),
        }
    };
    let mut stats = match api::stats(&state, &user, &stats_params(&period)).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let breakdowns = vec![
        Breakdown { title: "按原执行法院", rows: stats.by_original_court.take().unwrap_or_default() },
        Breakdown { title: "按受理法院", rows: stats.by_receiving_court.take().unwrap_or_default() },
        Breakdown { title: "按交叉执行形式", rows: stats.by_form.take().unwrap_or_default() },
        Breakdown { title: "按月份（决定日期）", rows: stats.by_month.take().unwrap_or_default() },
    ];
    let directory = state.courts();
    let subtree = directory.subtree(&user.user.court);
    let decisions = match state.store.cross_decisions(&subtree, 50).await {
        Ok(d) => d.iter().map(api::decision_dto).collect(),
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let courts =
        subtree.iter().map(|c| Choice { code: c.as_str().to_string(), label: court_name(&state, c) }).collect();
    let suggestions = match receiving_suggestions(&state, &user, &candidates).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let page = CrossPage {
        nav: Some(Nav::new(&state, &user)),
        csrf: user.csrf_token.clone(),
        today: zhixing_core::calendar::iso_date(state.clock.today()),
        stats,
        breakdowns,
        candidates,
        decisions,
        forms: choices(CrossForm::ALL, CrossForm::code, CrossForm::label_zh),
        courts,
        suggestions,
        pick_court: large && chosen.is_none(),
        chosen,
    };
    html(StatusCode::OK, &page)
}

/// The ranked receiving courts of every candidate, from one read of the
/// courts' loads and one of the candidates' seizures and addresses.
async fn receiving_suggestions(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    candidates: &[CandidateDto],
) -> Result<std::collections::HashMap<i64, Vec<crate::api::seizures::SuggestionDto>>, zhixing_store::StoreError> {
    use zhixing_core::court::CourtCode;
    let directory = state.courts();
    let deciding = &user.user.court;
    let keys: Vec<(CourtCode, i64)> =
        candidates.iter().filter_map(|c| Some((CourtCode::parse(&c.court).ok()?, c.case_id))).collect();
    let locations = state.store.case_locations(&keys, state.clock.today()).await?;
    let loads = state.store.court_loads(&directory.subtree(deciding)).await?;
    Ok(keys
        .iter()
        .map(|key| {
            let location = locations.get(key).cloned().unwrap_or_default();
            let ranked = zhixing_core::cross::suggest::suggest(&directory, deciding, &key.0, &location, |c| {
                loads.get(c).copied().unwrap_or_default()
            });
            (key.1, crate::api::seizures::suggestion_dtos(&ranked))
        })
        .collect())
}

/// `GET /cross/stats.csv`: the statistics export for a browser session.
pub async fn stats_csv(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Query(period): Query<PeriodQuery>,
) -> Response {
    match api::stats(&state, &user, &stats_params(&period)).await {
        Ok(s) => api::csv_response(&format!("cross-stats-{}-{}.csv", s.from, s.to), api::stats_csv(&s)),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

/// `POST /cross/decisions`
pub async fn decision_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    let opt = |k: &str| Some(data.get(k).to_string()).filter(|v| !v.trim().is_empty());
    let body = DecisionInput {
        form: data.get("form").to_string(),
        case_id: Some(data.get("case_id").parse().unwrap_or(0)),
        cases: None,
        receiving_court: opt("receiving_court"),
        decision_ref: opt("decision_ref"),
        decided_on: opt("decided_on"),
        report_by: opt("report_by"),
        note: opt("note"),
    };
    match api::decide(&state, &user, body).await {
        Ok(_) => Redirect::to("/cross?notice=decided").into_response(),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

/// Another case of the same decision, as the decision page lists it.
pub struct GroupRow {
    pub id: i64,
    pub original: String,
    pub original_case_number: String,
    pub new_case_number: String,
    pub balance: String,
}

#[derive(Template)]
#[template(path = "cross_decision.html")]
struct DecisionPage {
    nav: Option<Nav>,
    csrf: String,
    today: String,
    d: DecisionDto,
    deciding: String,
    original: String,
    receiving: String,
    /// The receiving court's new case, linked when the user may open it.
    new_case_link: Option<i64>,
    others: Vec<GroupRow>,
    kinds: Vec<Choice>,
    findings: Vec<Choice>,
    can_review: bool,
    /// The original court's handling, for reviewers once a review is open.
    handling: Option<api::HandlingDto>,
}

/// `GET /cross/decisions/{id}`
pub async fn decision_page(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let decision = match crate::cases::parse_id(&id) {
        Ok(id) => api::readable_decision(&state, &user, id).await,
        Err(e) => Err(e),
    };
    let d = match decision {
        Ok(d) => d,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let group = match state.store.cross_decision_group(&d.court, d.group_id).await {
        Ok(g) => g,
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let others = group
        .iter()
        .filter(|o| o.id != d.id)
        .map(|o| GroupRow {
            id: o.id,
            original: court_name(&state, &o.original_court),
            original_case_number: o.original_case_number.clone(),
            new_case_number: o.new_case_number.clone().unwrap_or_default(),
            balance: o.balance.to_string(),
        })
        .collect();
    let readable = |court: &CourtCode| {
        zhixing_core::access::case_access(user.user.role, &user.user.court, court, &state.courts()) != CaseAccess::None
    };
    let new_case_link = match (&d.receiving_court, d.new_case_id) {
        (Some(r), Some(id)) if readable(r) => Some(id),
        _ => None,
    };
    let can_review = matches!(user.user.role, Role::Command | Role::Chief)
        && (d.court == user.user.court || state.courts().is_ancestor(&user.user.court, &d.court));
    let handling = if can_review && !d.reviews.is_empty() {
        match api::handling(&state, &user, &d).await {
            Ok(h) => Some(h),
            Err(e) => return error_page(&state, Some(&user), &e),
        }
    } else {
        None
    };
    let page = DecisionPage {
        handling,
        nav: Some(Nav::new(&state, &user)),
        csrf: user.csrf_token.clone(),
        today: zhixing_core::calendar::iso_date(state.clock.today()),
        deciding: court_name(&state, &d.court),
        original: court_name(&state, &d.original_court),
        receiving: d.receiving_court.as_ref().map(|r| court_name(&state, r)).unwrap_or_default(),
        new_case_link,
        others,
        d: api::decision_dto(&d),
        kinds: choices(OutcomeKind::ALL, OutcomeKind::code, OutcomeKind::label_zh),
        findings: choices(Finding::ALL, Finding::code, Finding::label_zh),
        can_review,
    };
    html(StatusCode::OK, &page)
}

/// `POST /cross/decisions/{id}/outcomes`
pub async fn outcome_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    let body = OutcomeInput {
        kind: data.get("kind").to_string(),
        on: Some(data.get("on").to_string()),
        amount: Some(data.get("amount").to_string()),
        basis: Some(data.get("basis").to_string()),
    };
    match api::post_outcome(State(state.clone()), ApiUser(user.clone()), Path(id.clone()), ApiJson(body)).await {
        Ok(_) => Redirect::to(&format!("/cross/decisions/{id}")).into_response(),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

/// `POST /cross/decisions/{id}/reviews/{review_id}`
pub async fn review_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path((id, rid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    let body = ReviewCloseInput {
        findings: data.all("findings"),
        measures: Some(data.get("measures").to_string()),
        on: Some(data.get("on").to_string()),
    };
    match api::post_review(State(state.clone()), ApiUser(user.clone()), Path((id.clone(), rid)), ApiJson(body)).await {
        Ok(_) => Redirect::to(&format!("/cross/decisions/{id}")).into_response(),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

// ---------------------------------------------------------------- received

/// A case moved to the user's court.
pub struct ReceivedRow {
    pub decision_id: i64,
    pub decision_ref: String,
    pub decided_on: String,
    pub form: String,
    pub deciding: String,
    pub receiving: String,
    pub original: String,
    pub original_case_number: String,
    pub new_case_id: i64,
    pub new_case_number: String,
    pub balance: String,
    pub report_by: String,
    pub outcomes: Vec<String>,
}

#[derive(Template)]
#[template(path = "cross_received.html")]
struct ReceivedPage {
    nav: Option<Nav>,
    court_name: String,
    rows: Vec<ReceivedRow>,
}

fn received_row(state: &AppState, d: &CrossDecision) -> Option<ReceivedRow> {
    let receiving = d.receiving_court.as_ref()?;
    Some(ReceivedRow {
        decision_id: d.id,
        decision_ref: d.decision_ref.clone(),
        decided_on: zhixing_core::calendar::iso_date(d.decided_on),
        form: d.form.label_zh().to_string(),
        deciding: court_name(state, &d.court),
        receiving: court_name(state, receiving),
        original: court_name(state, &d.original_court),
        original_case_number: d.original_case_number.clone(),
        new_case_id: d.new_case_id?,
        new_case_number: d.new_case_number.clone().unwrap_or_default(),
        balance: d.balance.grouped(),
        report_by: d.report_by.map(zhixing_core::calendar::iso_date).unwrap_or_else(|| "—".into()),
        outcomes: d
            .outcomes
            .iter()
            .map(|o| format!("{} {}（{} 元）", zhixing_core::calendar::iso_date(o.on), o.kind.label_zh(), o.amount))
            .collect(),
    })
}

/// `GET /cross/received`: the cases moved to the user's court.
pub async fn received_page(State(state): State<Arc<AppState>>, UiUser(user): UiUser) -> Response {
    match api::received(&state, &user, 500).await {
        Ok(list) => {
            let page = ReceivedPage {
                nav: Some(Nav::new(&state, &user)),
                court_name: court_name(&state, &user.user.court),
                rows: list.iter().filter_map(|d| received_row(&state, d)).collect(),
            };
            html(StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

// ---------------------------------------------------------------- petitions

#[derive(Template)]
#[template(path = "petitions.html")]
struct PetitionsPage {
    nav: Option<Nav>,
    court_name: String,
    status: String,
    court: String,
    courts: Vec<Choice>,
    rows: Vec<PetitionDto>,
    court_names: std::collections::HashMap<String, String>,
    overdue: usize,
}

impl PetitionsPage {
    fn court_of(&self, code: &str) -> String {
        self.court_names.get(code).cloned().unwrap_or_else(|| code.to_string())
    }
}

#[derive(Deserialize, Default)]
pub struct PetitionQuery {
    status: Option<String>,
    court: Option<String>,
}

/// `GET /petitions`: the court's petitions (a higher court: of its courts).
pub async fn petitions_page(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Query(q): Query<PetitionQuery>,
) -> Response {
    let status = q.status.clone().unwrap_or_else(|| "open".into());
    let params = PetitionListParams { court: q.court.clone(), status: Some(status.clone()), limit: Some(1000) };
    let rows = match api::court_petitions(&state, &user, &params).await {
        Ok(rows) => rows,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let visible = crate::cases::visible_courts(&state, &user);
    let courts: Vec<Choice> =
        visible.iter().map(|c| Choice { code: c.as_str().to_string(), label: court_name(&state, c) }).collect();
    let page = PetitionsPage {
        nav: Some(Nav::new(&state, &user)),
        court_name: court_name(&state, &user.user.court),
        status,
        court: q.court.unwrap_or_default(),
        court_names: courts.iter().map(|c| (c.code.clone(), c.label.clone())).collect(),
        courts: if visible.len() > 1 { courts } else { Vec::new() },
        overdue: rows.iter().filter(|r| r.overdue && r.open).count(),
        rows,
    };
    html(StatusCode::OK, &page)
}

/// The 执行信访 section of the case page.
pub struct PetitionPanel {
    pub rows: Vec<PetitionDto>,
    /// Record a petition: anyone who sees the case and is not an administrator.
    pub can_record: bool,
    /// Close one: the case's own court, with a writing role.
    pub can_close: bool,
    pub today: String,
}

impl PetitionPanel {
    pub async fn load(
        state: &AppState,
        user: &CurrentUser,
        case: &StoredCase,
        access: CaseAccess,
    ) -> Result<PetitionPanel, ApiError> {
        let today = state.clock.today();
        let number = case.case_number.to_string();
        let list = state.store.petitions_of_case(&case.court, case.id).await?;
        Ok(PetitionPanel {
            rows: list.iter().map(|p| api::petition_dto(p, &number, today)).collect(),
            can_record: user.user.role.allows(Permission::ReadCases),
            can_close: access == CaseAccess::Write,
            today: zhixing_core::calendar::iso_date(today),
        })
    }
}

/// `POST /cases/{id}/petitions` and `POST /cases/{id}/petitions/{petition_id}/close`
pub async fn petition_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Path(path): Path<Vec<(String, String)>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let post = match SectionPost::read(&state, &user, path, pairs) {
        Ok(post) => post,
        Err(page) => return page,
    };
    let (data, case_id) = (&post.data, post.case_id);
    let get = |k: &str| post.path(k);
    let result = match get("petition_id") {
        "" => {
            let body = PetitionInput {
                petitioner: data.get("petitioner").to_string(),
                received_on: Some(data.get("received_on").to_string()),
                complaint: data.get("complaint").to_string(),
                leads: data.get("leads").to_string(),
            };
            api::file_petition(&state, &user, case_id, &body).await.map(|_| ())
        }
        pid => match pid.parse::<i64>() {
            Err(_) => Err(ApiError::not_found()),
            Ok(pid) => {
                let body = PetitionCloseInput {
                    result: data.get("result").to_string(),
                    closed_on: Some(data.get("closed_on").to_string()),
                };
                api::close_petition(&state, &user, case_id, pid, &body).await.map(|_| ())
            }
        },
    };
    match result {
        Ok(()) => Redirect::to(&format!("/cases/{case_id}?notice=petition#petitions")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let values = ["petitioner", "received_on", "complaint", "leads", "result", "closed_on"]
                .iter()
                .map(|k| (k.to_string(), data.get(k).to_string()))
                .collect();
            let form = PanelForm { which: "petition", values };
            let problem = Problem {
                message: e.message.clone(),
                missing: e
                    .field
                    .iter()
                    .map(|f| (e.message.clone(), format!("字段：{f}")))
                    .chain(e.missing.iter().map(|m| (m.item.clone(), m.rule.clone())))
                    .collect(),
            };
            super::case_page(&state, &user, case_id, None, Some((problem, form))).await
        }
        Err(e) => error_page(&state, Some(&user), &e),
    }
}
