//! 交叉执行 pages for the command centre and the receiving court.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use zhixing_core::cross::{CrossForm, Finding, OutcomeKind};

use super::form::FormData;
use super::workflow::{Choice, choices};
use super::{Nav, UiUser, check_csrf, error_page, html};
use crate::AppState;
use crate::api::cross::{self as api, CandidateDto, DecisionDto, DecisionInput, OutcomeInput, ReviewCloseInput};
use crate::auth::ApiUser;
use crate::json::ApiJson;

#[derive(Template)]
#[template(path = "cross.html")]
struct CrossPage {
    nav: Option<Nav>,
    csrf: String,
    today: String,
    stats: api::StatsDto,
    candidates: Vec<CandidateDto>,
    decisions: Vec<DecisionDto>,
    forms: Vec<Choice>,
    courts: Vec<Choice>,
    /// Receiving courts per candidate case, best first (便利性).
    suggestions: std::collections::HashMap<i64, Vec<crate::api::seizures::SuggestionDto>>,
}

impl CrossPage {
    fn top_suggestions(&self, case_id: &i64) -> &[crate::api::seizures::SuggestionDto] {
        self.suggestions.get(case_id).map_or(&[], |s| &s[..s.len().min(3)])
    }

    fn first_suggestion(&self, case_id: &i64) -> &str {
        self.top_suggestions(case_id).first().map_or("", |s| s.court.as_str())
    }
}

/// `GET /cross`: stats, ranked candidates with a decision form each, decisions.
pub async fn cross_page(State(state): State<Arc<AppState>>, UiUser(user): UiUser) -> Response {
    let candidates = match api::candidates(&state, &user, None, None, 100).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let stats = match api::get_stats(
        State(state.clone()),
        ApiUser(user.clone()),
        axum::extract::Query(api::StatsParams::default()),
    )
    .await
    {
        Ok(s) => s.0,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let directory = state.courts();
    let subtree = directory.subtree(&user.user.court);
    let decisions = match state.store.cross_decisions(&subtree, 50).await {
        Ok(d) => d.iter().map(api::decision_dto).collect(),
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let courts = subtree
        .iter()
        .map(|c| Choice {
            code: c.as_str().to_string(),
            label: directory.get(c).map(|x| x.name.clone()).unwrap_or_default(),
        })
        .collect();
    let suggestions = match receiving_suggestions(&state, &user, &candidates).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let page = CrossPage {
        nav: Some(Nav::new(&state, &user)),
        csrf: user.csrf_token.clone(),
        today: zhixing_core::calendar::iso_date(state.clock.today()),
        stats,
        candidates,
        decisions,
        forms: choices(CrossForm::ALL, CrossForm::code, CrossForm::label_zh),
        courts,
        suggestions,
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
        case_id: data.get("case_id").parse().unwrap_or(0),
        receiving_court: opt("receiving_court"),
        decision_ref: opt("decision_ref"),
        decided_on: opt("decided_on"),
        report_by: opt("report_by"),
        note: opt("note"),
    };
    match api::post_decision(State(state.clone()), ApiUser(user.clone()), ApiJson(body)).await {
        Ok(_) => Redirect::to("/cross?notice=decided").into_response(),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

#[derive(Template)]
#[template(path = "cross_decision.html")]
struct DecisionPage {
    nav: Option<Nav>,
    csrf: String,
    today: String,
    d: DecisionDto,
    kinds: Vec<Choice>,
    findings: Vec<Choice>,
    can_review: bool,
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
    match decision {
        Ok(d) => {
            let can_review =
                matches!(user.user.role, zhixing_core::access::Role::Command | zhixing_core::access::Role::Chief)
                    && (d.court == user.user.court || state.courts().is_ancestor(&user.user.court, &d.court));
            let page = DecisionPage {
                nav: Some(Nav::new(&state, &user)),
                csrf: user.csrf_token.clone(),
                today: zhixing_core::calendar::iso_date(state.clock.today()),
                d: api::decision_dto(&d),
                kinds: choices(OutcomeKind::ALL, OutcomeKind::code, OutcomeKind::label_zh),
                findings: choices(Finding::ALL, Finding::code, Finding::label_zh),
                can_review,
            };
            html(StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, Some(&user), &e),
    }
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
