//! 失信与限消 on the case page, the court list (`/credit`) and the public
//! look-up page (`/public/restrictions`, no login).

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zhixing_core::access::{CaseAccess, Permission};
use zhixing_core::calendar::iso_date;
use zhixing_core::case::PartyRole;
use zhixing_core::credit::listing::{Bar, DishonestGround, ListingStatus};
use zhixing_core::credit::repair::DeletionTrigger;
use zhixing_core::credit::restriction::{LiftGround, RestrictedRole, TemporaryLiftGround};
use zhixing_store::{CaseCredit, StoredCase};

use super::workflow::{Choice, PanelForm, Problem, choices};
use super::{Nav, SectionPost, UiUser, error_page, html};
use crate::AppState;
use crate::auth::{CurrentUser, RemoteAddr};
use crate::credit as cr;
use crate::error::ApiError;

pub struct ListingRow {
    pub id: i64,
    pub subject: String,
    pub grounds: String,
    pub severity: String,
    pub status: String,
    pub status_code: String,
    pub proposed_on: String,
    pub decision: String,
    pub grace_until: String,
    pub term_until: String,
    pub trigger: String,
    pub repair_due: String,
    pub proposed: bool,
    pub effective_or_grace: bool,
}

pub struct RestrictionRow {
    pub id: i64,
    pub subject: String,
    pub role: String,
    pub issued_on: String,
    pub order_ref: String,
    pub status: String,
    pub active: bool,
    pub lifts: String,
}

pub struct CreditPanel {
    pub listings: Vec<ListingRow>,
    /// Correction applications: (listing's debtor, ground, received, examine by, decision).
    pub corrections: Vec<(String, String, String, String, String)>,
    pub restrictions: Vec<RestrictionRow>,
    pub breaches: Vec<(String, String, String)>,
    pub events: Vec<(String, String, String)>,
    pub respondents: Vec<Choice>,
    pub grounds: Vec<Choice>,
    pub bars: Vec<Choice>,
    pub triggers: Vec<Choice>,
    pub lift_grounds: Vec<Choice>,
    pub temporary_grounds: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub can_propose: bool,
    pub can_decide: bool,
    pub today: String,
}

impl CreditPanel {
    pub fn new(
        case: &StoredCase,
        credit: &CaseCredit,
        access: CaseAccess,
        user: &CurrentUser,
        today: time::Date,
    ) -> CreditPanel {
        let writable = access == CaseAccess::Write;
        let listings = credit
            .listings
            .iter()
            .map(|l| {
                let shown = if l.status == ListingStatus::Grace && l.effective(today) {
                    ListingStatus::Published
                } else {
                    l.status
                };
                ListingRow {
                    id: l.id,
                    subject: l.subject_name.clone(),
                    grounds: l.grounds.iter().map(|g| g.code().to_uppercase()).collect::<Vec<_>>().join("、"),
                    severity: l.severity.label_zh().to_string(),
                    status: shown.label_zh().to_string(),
                    status_code: shown.code().to_string(),
                    proposed_on: iso_date(l.proposed_on),
                    decision: match (&l.decided_on, &l.decision_ref) {
                        (Some(d), Some(r)) => format!("{} {r}", iso_date(*d)),
                        (Some(d), None) => iso_date(*d),
                        _ => String::new(),
                    },
                    grace_until: l.grace_until.map(iso_date).unwrap_or_default(),
                    term_until: match (l.term_until, l.status) {
                        (Some(t), _) => iso_date(t),
                        (None, ListingStatus::Grace | ListingStatus::Published) => "不设期限".into(),
                        _ => String::new(),
                    },
                    trigger: l.trigger.map(|t| t.label_zh().to_string()).unwrap_or_default(),
                    repair_due: l.repair_due.map(iso_date).unwrap_or_default(),
                    proposed: l.status == ListingStatus::Proposed,
                    effective_or_grace: matches!(l.status, ListingStatus::Grace | ListingStatus::Published),
                }
            })
            .collect();
        let restrictions = credit
            .restrictions
            .iter()
            .map(|r| RestrictionRow {
                id: r.id,
                subject: r.subject_name.clone(),
                role: r.role.label_zh().to_string(),
                issued_on: iso_date(r.issued_on),
                order_ref: r.order_ref.clone(),
                status: if !r.active {
                    format!("已解除（{}）", r.lifted_on.map(iso_date).unwrap_or_default())
                } else if r.effective(today) {
                    "生效中".into()
                } else {
                    format!("宽限期至{}", r.grace_until.map(iso_date).unwrap_or_default())
                },
                active: r.active,
                lifts: credit
                    .lifts
                    .iter()
                    .filter(|l| l.restriction_id == r.id)
                    .map(|l| format!("{}至{}", iso_date(l.from), iso_date(l.to)))
                    .collect::<Vec<_>>()
                    .join("；"),
            })
            .collect();
        let corrections = credit
            .corrections
            .iter()
            .map(|c| {
                let debtor = credit
                    .listings
                    .iter()
                    .find(|l| l.id == c.listing_id)
                    .map(|l| l.subject_name.clone())
                    .unwrap_or_default();
                let decision = match (c.decided_on, c.upheld) {
                    (Some(d), Some(true)) => format!("{} 理由成立，3个工作日内纠正", iso_date(d)),
                    (Some(d), Some(false)) => format!("{} 驳回（可于10日内向上一级法院申请复议）", iso_date(d)),
                    _ => "待审查".to_string(),
                };
                (debtor, c.ground.label_zh().to_string(), iso_date(c.received_on), iso_date(c.examine_by), decision)
            })
            .collect();
        CreditPanel {
            listings,
            corrections,
            restrictions,
            breaches: credit
                .breaches
                .iter()
                .map(|b| (b.occurred_at.clone(), format!("{}：{}", b.place, b.conduct), b.reporter.clone()))
                .collect(),
            events: credit.events.iter().map(|e| (iso_date(e.on), e.detail.clone(), e.actor.clone())).collect(),
            respondents: case
                .parties
                .iter()
                .filter(|p| p.draft.role == PartyRole::Respondent)
                .map(|p| Choice { code: p.id.to_string(), label: p.draft.name.clone() })
                .collect(),
            grounds: choices(DishonestGround::ALL, DishonestGround::code, DishonestGround::label_zh),
            bars: choices(Bar::ALL, Bar::code, Bar::label_zh),
            triggers: choices(DeletionTrigger::ALL, DeletionTrigger::code, DeletionTrigger::label_zh),
            lift_grounds: choices(LiftGround::ALL, LiftGround::code, LiftGround::label_zh),
            temporary_grounds: choices(
                TemporaryLiftGround::ALL,
                TemporaryLiftGround::code,
                TemporaryLiftGround::label_zh,
            ),
            roles: choices(&RestrictedRole::ALL[1..], RestrictedRole::code, RestrictedRole::label_zh),
            can_propose: writable && user.user.role.allows(Permission::WriteCases),
            can_decide: writable && user.user.role.allows(Permission::HandleCases),
            today: iso_date(today),
        }
    }
}

fn problem_from(e: &ApiError) -> Problem {
    let mut missing: Vec<(String, String)> = e.missing.iter().map(|m| (m.item.clone(), m.rule.clone())).collect();
    if missing.is_empty()
        && let Some(field) = &e.field
    {
        missing.push((e.message.clone(), format!("字段：{field}")));
    }
    Problem { message: e.message.clone(), missing }
}

/// `POST /cases/{id}/credit/{action}` and `/cases/{id}/credit/{action}/{item}`.
pub async fn credit_submit(
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
    let item = crate::cases::parse_id(get("item")).ok();
    let text = |k: &str| Some(data.get(k).to_string());
    let result: Result<(), ApiError> = match (get("action"), item) {
        ("propose", _) => {
            let raw = cr::RawProposal {
                party_id: text("party_id"),
                grounds: data.all("grounds"),
                bars: data.all("bars"),
                capacity: text("capacity"),
                severity: text("severity"),
                source: text("source"),
                evidence: text("evidence"),
                on: text("on"),
            };
            cr::propose(&state, &user, case_id, &raw).await.map(|_| ())
        }
        ("decide", Some(listing)) => {
            let raw = cr::RawDecision {
                decision: text("decision"),
                president_approved: data.get("president_approved") == "on",
                decision_ref: text("decision_ref"),
                grace_months: text("grace_months"),
                note: text("note"),
                on: text("on"),
            };
            cr::decide(&state, &user, case_id, listing, &raw).await.map(|_| ())
        }
        ("delete", Some(listing)) => cr::delete(
            &state,
            &user,
            case_id,
            listing,
            text("trigger").as_deref(),
            text("on").as_deref(),
            text("note").as_deref(),
        )
        .await
        .map(|_| ()),
        ("withdraw", Some(listing)) => {
            cr::withdraw(&state, &user, case_id, listing, text("on").as_deref(), text("reason").as_deref())
                .await
                .map(|_| ())
        }
        ("restrict", _) => {
            let mut persons = vec![("debtor".to_string(), data.get("debtor").to_string(), String::new())];
            for i in 0..3 {
                persons.push((
                    data.get(&format!("role{i}")).to_string(),
                    data.get(&format!("name{i}")).to_string(),
                    data.get(&format!("id{i}")).to_string(),
                ));
            }
            cr::issue_restriction(
                &state,
                &user,
                case_id,
                &persons,
                text("on").as_deref(),
                text("order_ref").as_deref(),
                data.get("president_approved") == "on",
            )
            .await
            .map(|_| ())
        }
        ("lift", Some(r)) => cr::lift(
            &state,
            &user,
            case_id,
            r,
            text("ground").as_deref(),
            text("lift_ref").as_deref(),
            text("on").as_deref(),
        )
        .await
        .map(|_| ()),
        ("temporary", Some(r)) => {
            cr::temporary_lift(
                &state,
                &user,
                case_id,
                r,
                text("from").as_deref(),
                text("to").as_deref(),
                text("ground").as_deref(),
                text("approval_ref").as_deref(),
                data.get("president_approved") == "on",
            )
            .await
        }
        ("breach", _) => {
            // A judge's own report: the restricted person chosen on the page.
            match cr::actionable_case(&state, &user, case_id, Permission::WriteCases).await {
                Err(e) => Err(e),
                Ok(case) => {
                    let credit = state.store.case_credit(&case.court, case.id).await;
                    match credit {
                        Err(e) => Err(e.into()),
                        Ok(credit) => {
                            let person = data.get("person").parse::<i64>().ok();
                            match credit.restrictions.iter().find(|r| Some(r.id) == person && r.active) {
                                None => Err(zhixing_core::error::FieldError::new(
                                    "person",
                                    "required",
                                    "请选择被限制消费的人员",
                                )
                                .into()),
                                Some(r) => {
                                    let body = crate::api::credit::BreachInput {
                                        id_number: r.id_number.clone(),
                                        occurred_at: data.get("occurred_on").to_string(),
                                        place: data.get("place").to_string(),
                                        conduct: data.get("conduct").to_string(),
                                        report_id: format!("ui-{}-{}", user.user.id, state.clock.now_ms()),
                                    };
                                    crate::api::credit::report(
                                        &state,
                                        &format!("{}（{}）", user.user.display_name, case.case_number),
                                        &body,
                                        Some(&user.user.as_ref()),
                                    )
                                    .await
                                    .map(|_| ())
                                }
                            }
                        }
                    }
                }
            }
        }
        _ => Err(ApiError::not_found()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/cases/{case_id}?notice=credit#credit")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let form = PanelForm { which: "credit", values: Default::default() };
            super::case_page(&state, &user, case_id, None, Some((problem_from(&e), form))).await
        }
        Err(e) => error_page(&state, Some(&user), &e),
    }
}

// ---------------------------------------------------------------- court list

/// (case id, debtor, grounds, grade, status, decided on, deadline, court)
type CourtListingRow = (i64, String, String, String, String, String, String, String);

#[derive(Template)]
#[template(path = "credit_list.html")]
struct CreditListPage {
    nav: Option<Nav>,
    court_name: String,
    rows: Vec<CourtListingRow>,
    stats: Vec<StatsRow>,
}

pub struct StatsRow {
    pub court: String,
    pub published: i64,
    pub in_grace: i64,
    pub deleted: i64,
    pub withdrawn: i64,
    pub restrictions: i64,
    pub breaches: i64,
    pub quarters: String,
}

/// `GET /credit`: the court's listings with their deadlines, and the statistics.
pub async fn credit_list(State(state): State<Arc<AppState>>, UiUser(user): UiUser) -> Response {
    let courts = state.courts().subtree(&user.user.court);
    let visible = crate::cases::visible_courts(&state, &user);
    let courts: Vec<_> = courts.into_iter().filter(|c| visible.contains(c)).collect();
    let today = state.clock.today();
    let listings = match state.store.court_listings(&courts, 500).await {
        Ok(l) => l,
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let stats = match state.store.credit_stats(&courts, today).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, Some(&user), &e.into()),
    };
    let directory = state.courts();
    let rows = listings
        .iter()
        .map(|l| {
            let status = if l.status == ListingStatus::Grace && l.effective(today) {
                ListingStatus::Published
            } else {
                l.status
            };
            let deadline = match (l.status, l.repair_due, l.grace_until) {
                (ListingStatus::Grace | ListingStatus::Published, Some(due), _) => {
                    format!("应于{}前删除（{}）", iso_date(due), l.trigger.map(|t| t.code()).unwrap_or(""))
                }
                (ListingStatus::Grace, None, Some(g)) if !l.effective(today) => format!("宽限期至{}", iso_date(g)),
                _ => String::new(),
            };
            (
                l.case_id,
                l.subject_name.clone(),
                l.grounds.iter().map(|g| g.code().to_uppercase()).collect::<Vec<_>>().join("、"),
                l.severity.label_zh().to_string(),
                status.label_zh().to_string(),
                l.decided_on.map(iso_date).unwrap_or_default(),
                deadline,
                directory.find(l.court.as_str()).map(|c| c.name.clone()).unwrap_or_default(),
            )
        })
        .collect();
    let stats = stats
        .iter()
        .map(|s| StatsRow {
            court: directory.find(&s.court).map(|c| c.name.clone()).unwrap_or_else(|| s.court.clone()),
            published: s.published,
            in_grace: s.in_grace,
            deleted: s.deleted_by_trigger.iter().map(|(_, n)| n).sum(),
            withdrawn: s.withdrawn,
            restrictions: s.restrictions_active,
            breaches: s.breaches,
            quarters: s
                .quarters
                .iter()
                .map(|(q, n, d)| format!("{q}：新纳入{n}，修复{d}"))
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    let page = CreditListPage {
        nav: Some(Nav::new(&state, &user)),
        court_name: directory.get(&user.user.court).map(|c| c.name.clone()).unwrap_or_default(),
        rows,
        stats,
    };
    html(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- public

#[derive(Template)]
#[template(path = "public_lookup.html")]
struct PublicPage {
    name: String,
    id_number: String,
    searched: bool,
    items: Vec<crate::api::credit::PublicEntryDto>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct PublicQuery {
    name: Option<String>,
    id_number: Option<String>,
}

/// `GET /public/restrictions`: the public look-up page (no login).
pub async fn public_page(
    State(state): State<Arc<AppState>>,
    RemoteAddr(remote): RemoteAddr,
    Query(q): Query<PublicQuery>,
) -> Response {
    let name = q.name.clone().unwrap_or_default();
    let id_number = q.id_number.clone().unwrap_or_default();
    let searched = !name.trim().is_empty();
    let (status, items, error) = if searched {
        match crate::api::credit::public_lookup(&state, remote.as_deref(), q.name.as_deref(), q.id_number.as_deref())
            .await
        {
            Ok(items) => (StatusCode::OK, items.iter().map(crate::api::credit::PublicEntryDto::from).collect(), None),
            Err(e) => (e.status, Vec::new(), Some(e.message)),
        }
    } else {
        (StatusCode::OK, Vec::new(), None)
    };
    html(status, &PublicPage { name, id_number, searched, items, error })
}
