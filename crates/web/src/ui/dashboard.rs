//! The command dashboard page: one line per court one level down, drilling
//! down level by level (`/dashboard?court=…`), with the posts of the court.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zhixing_core::dashboard::Post;

use super::form::FormData;
use super::workflow::{Choice, choices};
use super::{Nav, UiUser, check_csrf, error_page, html};
use crate::AppState;
use crate::api::dashboard::{self as api, DashboardDto, PostInput};
use crate::auth::ApiUser;
use crate::json::ApiJson;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    csrf: String,
    today: String,
    d: DashboardDto,
    /// The court above the shown one, when the user may go up to it.
    up: Option<String>,
    posts: Vec<Choice>,
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    court: Option<String>,
}

/// `GET /dashboard?court=`
pub async fn dashboard_page(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let court = match api::dashboard_court(&state, &user, q.court.as_deref()) {
        Ok(c) => c,
        Err(e) => return error_page(&state, Some(&user), &e),
    };
    let d = match state.store.dashboard(&state.courts(), &court, state.clock.today()).await {
        Ok(d) => d,
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let directory = state.courts();
    let up = directory
        .get(&court)
        .and_then(|c| c.parent.clone())
        .filter(|p| *p == user.user.court || directory.is_ancestor(&user.user.court, p))
        .map(|p| p.as_str().to_string());
    let page = DashboardPage {
        nav: Some(Nav::new(&state, &user)),
        csrf: user.csrf_token.clone(),
        today: zhixing_core::calendar::iso_date(state.clock.today()),
        d: api::dashboard_dto(&d),
        up,
        posts: choices(Post::ALL, Post::code, Post::label_zh),
    };
    html(StatusCode::OK, &page)
}

/// `POST /dashboard/posts`: records a post of the shown court.
pub async fn post_submit(
    State(state): State<Arc<AppState>>,
    UiUser(user): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let data = FormData::new(pairs);
    if let Err(e) = check_csrf(&user, &data) {
        return error_page(&state, Some(&user), &e);
    }
    let court = data.get("court").to_string();
    let body = PostInput { holder: Some(data.get("holder").to_string()), since: Some(data.get("since").to_string()) };
    let path = axum::extract::Path((court.clone(), data.get("post").to_string()));
    match api::put_post(State(state.clone()), ApiUser(user.clone()), path, ApiJson(body)).await {
        Ok(_) => Redirect::to(&format!("/dashboard?court={}", urlencoding(&court))).into_response(),
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
