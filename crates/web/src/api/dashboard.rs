//! The unified command dashboard (统一管理、统一指挥、统一协调): one line
//! per court one level down, from counters maintained as cases change;
//! indicator definitions with versions; posts of each court.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhixing_core::access::Role;
use zhixing_core::calendar::{iso_date, parse_iso_date};
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::CourtCode;
use zhixing_core::dashboard::indicators::Expression;
use zhixing_core::dashboard::{IndicatorDefinition, PeriodKind, Post, PostStatus, Unit};
use zhixing_core::error::FieldError;
use zhixing_store::{Dashboard, DashboardRow};

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;

/// The dashboard is for a court's 执行局长, 指挥中心 and administrators;
/// they see their court and every court beneath it.
pub fn dashboard_court(state: &AppState, user: &CurrentUser, court: Option<&str>) -> Result<CourtCode, ApiError> {
    if !matches!(user.user.role, Role::Command | Role::Chief | Role::Admin) {
        return Err(ApiError::forbidden("指挥看板供执行局长、执行指挥中心和系统管理员使用"));
    }
    let code = match court.map(str::trim).filter(|c| !c.is_empty()) {
        None => user.user.court.clone(),
        Some(c) => CourtCode::parse(c)
            .ok()
            .filter(|c| state.courts().get(c).is_some())
            .ok_or_else(|| FieldError::new("court", "unknown_court", format!("未知法院“{c}”")))?,
    };
    if code != user.user.court && !state.courts().is_ancestor(&user.user.court, &code) {
        return Err(ApiError::forbidden("只能查看本院及下级法院的看板"));
    }
    Ok(code)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// 法院代字 (default: the user's court); the user's court or one beneath it.
    court: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorDto {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub numerator: String,
    pub denominator: Option<String>,
    /// Case types counted (empty = all).
    pub case_types: Vec<String>,
    pub period: String,
    pub period_label: String,
    pub unit: String,
    pub note: String,
}

pub fn indicator_dto(d: &IndicatorDefinition) -> IndicatorDto {
    IndicatorDto {
        code: d.code.clone(),
        version: d.version,
        name: d.name.clone(),
        numerator: d.numerator.text(),
        denominator: d.denominator.as_ref().map(Expression::text),
        case_types: d.case_types.iter().map(|t| t.code().to_string()).collect(),
        period: d.period.code().into(),
        period_label: d.period.label_zh().into(),
        unit: d.unit.code().into(),
        note: d.note.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct PostDto {
    pub post: String,
    pub label: String,
    pub holder: Option<String>,
    pub since: Option<String>,
    pub vacant: bool,
    pub vacant_months: Option<i64>,
    /// A required post with no record at all.
    pub unrecorded: bool,
}

fn post_dto(p: &PostStatus) -> PostDto {
    PostDto {
        post: p.post.code().into(),
        label: p.post.label_zh().into(),
        holder: p.holder.clone(),
        since: p.since.map(iso_date),
        vacant: p.vacant,
        vacant_months: p.vacant_months,
        unrecorded: p.unrecorded,
    }
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorValueDto {
    pub code: String,
    pub version: i64,
    /// Decimal string; `null` when the denominator is zero in the period.
    pub value: Option<String>,
    pub unit: String,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardRowDto {
    pub court: String,
    pub name: String,
    /// Courts summed into this line (the court and those beneath it).
    pub courts: usize,
    pub open_cases: i64,
    pub overdue_deadlines: i64,
    pub indicators: Vec<IndicatorValueDto>,
    pub filed_this_year: i64,
    pub closed_this_year: i64,
    pub petitions_open: i64,
    /// Cases cross-enforced into / out of the line's courts this year (forms the seed counts).
    pub cross_in: i64,
    pub cross_out: i64,
    pub reviews_open: i64,
    pub officers: i64,
    pub open_cases_per_officer: Option<String>,
    pub posts: Vec<PostDto>,
    pub courts_with_vacancy: usize,
}

#[derive(Serialize, ToSchema)]
pub struct OpenReviewDto {
    pub deciding_court: String,
    pub review_id: i64,
    pub decision_id: i64,
    pub original_court: String,
    pub original_case_number: String,
    pub opened_on: String,
    pub due_on: String,
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardDto {
    pub court: String,
    pub name: String,
    pub as_of: String,
    pub indicators: Vec<IndicatorDto>,
    pub total: DashboardRowDto,
    /// The court's own cases, when it has courts beneath.
    pub own: Option<DashboardRowDto>,
    /// One line per court one level down (each with the courts beneath it).
    pub rows: Vec<DashboardRowDto>,
    pub open_reviews: Vec<OpenReviewDto>,
}

fn row_dto(d: &Dashboard, r: &DashboardRow) -> DashboardRowDto {
    DashboardRowDto {
        court: r.court.as_str().into(),
        name: r.name.clone(),
        courts: r.courts,
        open_cases: r.open_cases,
        overdue_deadlines: r.overdue_deadlines,
        indicators: d
            .indicators
            .iter()
            .zip(&r.indicators)
            .map(|(def, v)| IndicatorValueDto {
                code: def.code.clone(),
                version: def.version,
                value: v.map(|v| v.to_string()),
                unit: def.unit.code().into(),
            })
            .collect(),
        filed_this_year: r.filed_this_year,
        closed_this_year: r.closed_this_year,
        petitions_open: r.petitions_open,
        cross_in: r.cross_in,
        cross_out: r.cross_out,
        reviews_open: r.reviews_open,
        officers: r.officers,
        open_cases_per_officer: r.open_per_officer.map(|v| v.to_string()),
        posts: r.posts.iter().map(post_dto).collect(),
        courts_with_vacancy: r.courts_with_vacancy,
    }
}

pub fn dashboard_dto(d: &Dashboard) -> DashboardDto {
    DashboardDto {
        court: d.court.as_str().into(),
        name: d.name.clone(),
        as_of: iso_date(d.as_of),
        indicators: d.indicators.iter().map(indicator_dto).collect(),
        total: row_dto(d, &d.total),
        own: d.own.as_ref().map(|r| row_dto(d, r)),
        rows: d.rows.iter().map(|r| row_dto(d, r)).collect(),
        open_reviews: d
            .open_reviews
            .iter()
            .map(|r| OpenReviewDto {
                deciding_court: r.deciding_court.as_str().into(),
                review_id: r.review_id,
                decision_id: r.decision_id,
                original_court: r.original_court.clone(),
                original_case_number: r.original_case_number.clone(),
                opened_on: iso_date(r.opened_on),
                due_on: iso_date(r.due_on),
                overdue: r.due_on < d.as_of,
            })
            .collect(),
    }
}

/// The command dashboard of a court: its total, its own line and one line per court one level down — open cases, overdue deadlines, the indicators (versioned definitions), petitions, 交叉执行 in/out, open reviews, staffing.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", params(DashboardParams), security(("bearer" = [])),
    responses((status = 200, body = DashboardDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_dashboard(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<DashboardParams>,
) -> Result<Json<DashboardDto>, ApiError> {
    let court = dashboard_court(&state, &user, q.court.as_deref())?;
    let d = state.store.dashboard(&state.courts(), &court, state.clock.today()).await?;
    Ok(Json(dashboard_dto(&d)))
}

/// The current definition of every indicator and all stored versions.
#[derive(Serialize, ToSchema)]
pub struct IndicatorsDto {
    pub current: Vec<IndicatorDto>,
    pub versions: Vec<IndicatorDto>,
}

/// Indicator definitions: the current version of each (shipped defaults are version 1) and every stored version.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, body = IndicatorsDto)))]
pub async fn get_indicators(
    State(state): State<Arc<AppState>>,
    ApiUser(_user): ApiUser,
) -> Result<Json<IndicatorsDto>, ApiError> {
    Ok(Json(IndicatorsDto {
        current: state.store.indicator_definitions().await?.iter().map(indicator_dto).collect(),
        versions: state.store.indicator_versions().await?.iter().map(indicator_dto).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    pub code: String,
    pub name: String,
    /// Counters joined by + and -, e.g. `closed_completed`.
    pub numerator: String,
    /// e.g. `closed - closed_transferred`; omitted for a count.
    pub denominator: Option<String>,
    /// Case type codes (执, 执恢, 执保 …); empty = all.
    #[serde(default)]
    pub case_types: Vec<String>,
    /// year_to_date, rolling_12_months, this_month, all_time
    pub period: String,
    /// percent, days, count
    pub unit: String,
    #[serde(default)]
    pub note: String,
}

pub fn parse_indicator(input: &IndicatorInput) -> Result<IndicatorDefinition, FieldError> {
    let numerator = Expression::parse("numerator", &input.numerator)?;
    let denominator = match input.denominator.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(Expression::parse("denominator", d)?),
        None => None,
    };
    let case_types = input
        .case_types
        .iter()
        .map(|t| {
            EnforcementType::from_code(t.trim()).ok_or_else(|| {
                FieldError::new("case_types", "invalid_case_type", format!("未知的执行案件类型代字“{t}”"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let period = PeriodKind::parse(&input.period).ok_or_else(|| {
        FieldError::new(
            "period",
            "invalid_period",
            "统计期间应为 year_to_date、rolling_12_months、this_month 或 all_time",
        )
    })?;
    let unit = Unit::parse(&input.unit)
        .ok_or_else(|| FieldError::new("unit", "invalid_unit", "单位应为 percent、days 或 count"))?;
    let def = IndicatorDefinition {
        code: input.code.trim().to_string(),
        version: 0,
        name: input.name.trim().to_string(),
        numerator,
        denominator,
        case_types,
        period,
        unit,
        note: input.note.trim().chars().take(500).collect(),
    };
    zhixing_core::dashboard::indicators::validate(&def)?;
    Ok(def)
}

/// Adds a new version of an indicator definition (administrators only); the dashboard uses it from now on and names its version.
#[utoipa::path(post, path = "/api/v1/indicators", tag = "dashboard", request_body = IndicatorInput, security(("bearer" = [])),
    responses((status = 201, body = IndicatorDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_indicator(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<IndicatorInput>,
) -> Result<(StatusCode, Json<IndicatorDto>), ApiError> {
    if user.user.role != Role::Admin {
        return Err(ApiError::forbidden("指标定义由系统管理员维护"));
    }
    let def = parse_indicator(&input)?;
    let stored = state.store.add_indicator_version(def, Some(&user.user.as_ref()), state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(indicator_dto(&stored))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    /// The holder's name; omitted or empty = vacant.
    pub holder: Option<String>,
    /// Holder since, or vacant since (YYYY-MM-DD).
    pub since: Option<String>,
}

/// Records who holds a post of a court, or that it is vacant (administrators, 执行局长 and 指挥中心 of the court or a court above it).
#[utoipa::path(put, path = "/api/v1/courts/{code}/posts/{post}", tag = "dashboard",
    params(("code" = String, Path), ("post" = String, Path, description = "chief, deputy, command_director, adjudication_head, implementation_head")),
    request_body = PostInput, security(("bearer" = [])),
    responses((status = 200, body = PostDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_post(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((code, post)): Path<(String, String)>,
    ApiJson(input): ApiJson<PostInput>,
) -> Result<Json<PostDto>, ApiError> {
    let court = dashboard_court(&state, &user, Some(&code))?;
    let post = Post::parse(&post).ok_or_else(|| {
        FieldError::new(
            "post",
            "invalid_post",
            "职务应为 chief、deputy、command_director、adjudication_head 或 implementation_head",
        )
    })?;
    let holder = input.holder.as_deref().map(str::trim).filter(|h| !h.is_empty());
    if holder.is_some_and(|h| h.chars().count() > 40) {
        return Err(FieldError::new("holder", "too_long", "姓名不超过40个字").into());
    }
    let since = match input.since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            parse_iso_date(s)
                .filter(|d| *d <= state.clock.today())
                .ok_or_else(|| FieldError::new("since", "invalid_date", "日期格式应为 YYYY-MM-DD，且不能晚于今天"))?,
        ),
        None => None,
    };
    state.store.set_post(&court, post, holder, since, Some(&user.user.as_ref()), state.clock.now_ms()).await?;
    let statuses = zhixing_core::dashboard::post_statuses(
        &[zhixing_core::dashboard::PostRecord { post, holder: holder.map(str::to_string), since }],
        state.clock.today(),
    );
    let status = statuses.iter().find(|p| p.post == post).ok_or_else(ApiError::not_found)?;
    Ok(Json(post_dto(status)))
}
