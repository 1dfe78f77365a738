//! 查封、扣押、冻结 on the case page: the list with days left and the
//! renewal warning, the form to add one, renewal and release per row.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use zhixing_core::access::{CaseAccess, Permission};
use zhixing_core::calendar::iso_date;
use zhixing_core::court::CourtDirectory;
use zhixing_core::seizure::{RawSeizure, SeizureKind};
use zhixing_store::{Seizure, StoredCase};

use super::workflow::{Choice, PanelForm, Problem, choices};
use super::{SectionPost, UiUser, error_page};
use crate::AppState;
use crate::api::seizures::{SeizureDto, seizure_dto};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::seizures as ops;

pub struct SeizureRow {
    pub s: SeizureDto,
    /// `剩余N天`, `今日届满` or `已于…届满`.
    pub remaining: String,
    pub can_act: bool,
}

pub struct SeizurePanel {
    pub rows: Vec<SeizureRow>,
    pub kinds: Vec<Choice>,
    /// Courts offered for the property's location (the case's province).
    pub courts: Vec<Choice>,
    pub can_record: bool,
    pub today: String,
}

impl SeizurePanel {
    pub fn new(
        case: &StoredCase,
        seizures: &[Seizure],
        access: CaseAccess,
        user: &CurrentUser,
        courts: &CourtDirectory,
        today: time::Date,
    ) -> SeizurePanel {
        let writable = access == CaseAccess::Write && user.user.role.allows(Permission::WriteCases);
        let rows = seizures
            .iter()
            .map(|s| {
                let s = seizure_dto(s, today, courts);
                let remaining = match s.days_left {
                    d if d > 0 => format!("剩余{d}天"),
                    0 => "今日届满".to_string(),
                    _ => format!("已于{}届满", s.expires_on),
                };
                let can_act = writable && s.status == "active";
                SeizureRow { remaining: if s.status == "active" { remaining } else { String::new() }, can_act, s }
            })
            .collect();
        let province = case.court.province();
        SeizurePanel {
            rows,
            kinds: choices(SeizureKind::ALL, SeizureKind::code, SeizureKind::label_zh),
            courts: courts
                .all()
                .filter(|c| c.code.province() == province && c.parent.is_some())
                .map(|c| Choice { code: c.code.as_str().to_string(), label: c.name.clone() })
                .collect(),
            can_record: writable && case.status != zhixing_core::case::CaseStatus::Closed,
            today: iso_date(today),
        }
    }

    pub fn due_count(&self) -> usize {
        self.rows.iter().filter(|r| r.s.renewal_due).count()
    }
}

fn problem_from(e: &ApiError) -> Problem {
    let mut missing: Vec<(String, String)> = e.missing.iter().map(|m| (m.item.clone(), m.rule.clone())).collect();
    if missing.is_empty() {
        if e.details.is_empty() {
            if let Some(field) = &e.field {
                missing.push((e.message.clone(), format!("字段：{field}")));
            }
        } else {
            missing = e.details.iter().map(|d| (d.message.clone(), format!("字段：{}", d.field))).collect();
        }
    }
    Problem { message: e.message.clone(), missing }
}

const FIELDS: [&str; 8] =
    ["kind", "property", "holder", "location_court", "amount", "seized_on", "expires_on", "priority"];

/// `POST /cases/{id}/seizures`, `/cases/{id}/seizures/{seizure_id}/{renewal|release}`.
pub async fn seizure_submit(
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
    let text = |k: &str| Some(data.get(k).to_string());
    let result = match (get("action"), crate::cases::parse_id(get("seizure_id")).ok()) {
        ("", _) => {
            let raw = RawSeizure {
                kind: text("kind"),
                property: text("property"),
                holder: text("holder"),
                location_court: text("location_court"),
                amount: text("amount"),
                seized_on: text("seized_on"),
                expires_on: text("expires_on"),
                priority: text("priority"),
            };
            ops::record(&state, &user, case_id, &raw).await
        }
        ("renewal", Some(sid)) => {
            ops::renew(
                &state,
                &user,
                case_id,
                sid,
                Some(data.get("on")),
                Some(data.get("expires_on")),
                Some(data.get("note")),
            )
            .await
        }
        ("release", Some(sid)) => {
            ops::release(&state, &user, case_id, sid, Some(data.get("on")), Some(data.get("note"))).await
        }
        _ => Err(ApiError::not_found()),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}?notice=seizure#seizures")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let values = if get("action").is_empty() {
                FIELDS.iter().map(|k| (k.to_string(), data.get(k).to_string())).collect()
            } else {
                Default::default()
            };
            let form = PanelForm { which: "seizures", values };
            super::case_page(&state, &user, case_id, None, Some((problem_from(&e), form))).await
        }
        Err(e) => error_page(&state, Some(&user), &e),
    }
}
