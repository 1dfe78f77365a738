//! Case operations shared by the JSON API and the web UI: permission
//! checks, parsing with the rules of `zhixing_core`, and storage.

use std::sync::Arc;

use axum::http::StatusCode;
use zhixing_core::access::{CaseAccess, Permission, case_access, readable_courts};
use zhixing_core::case::RawParty;
use zhixing_core::case::{CaseDraft, FilingContext, RawCase, parse_case};
use zhixing_core::court::CourtCode;
use zhixing_core::error::FieldError;
use zhixing_store::{StoredCase, StoredParty, UserRef};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

/// Why a case operation did not happen. Nothing was written in either case.
#[derive(Debug)]
pub enum CaseOpError {
    /// The input breaks a rule; every problem with its field.
    Invalid(Vec<FieldError>),
    Refused(ApiError),
}

impl From<ApiError> for CaseOpError {
    fn from(e: ApiError) -> Self {
        CaseOpError::Refused(e)
    }
}

impl From<zhixing_store::StoreError> for CaseOpError {
    fn from(e: zhixing_store::StoreError) -> Self {
        match e {
            zhixing_store::StoreError::Rejected(field_error) => CaseOpError::Invalid(vec![field_error]),
            other => CaseOpError::Refused(other.into()),
        }
    }
}

impl From<CaseOpError> for ApiError {
    fn from(e: CaseOpError) -> Self {
        match e {
            CaseOpError::Invalid(errors) => ApiError::validation(errors),
            CaseOpError::Refused(e) => e,
        }
    }
}

pub fn may_write_cases(user: &CurrentUser) -> bool {
    user.user.role.allows(Permission::WriteCases)
}

pub fn visible_courts(state: &AppState, user: &CurrentUser) -> Vec<CourtCode> {
    readable_courts(user.user.role, &user.user.court, &state.courts())
}

/// A case the user may see, with what they may do to it; 404 otherwise.
pub async fn visible_case(state: &AppState, user: &CurrentUser, id: i64) -> Result<(StoredCase, CaseAccess), ApiError> {
    let case = state.store.case(&visible_courts(state, user), id).await?.ok_or_else(ApiError::not_found)?;
    let access = case_access(user.user.role, &user.user.court, &case.court, &state.courts());
    if access == CaseAccess::None {
        return Err(ApiError::not_found());
    }
    Ok((case, access))
}

fn context(state: &AppState, user: &CurrentUser) -> Result<FilingContext, ApiError> {
    let courts = state.courts();
    let court = courts.get(&user.user.court).ok_or_else(|| {
        tracing::error!(court = %user.user.court, "user's court is not in the court table");
        ApiError::internal()
    })?;
    Ok(FilingContext {
        today: state.clock.today(),
        court_level: court.level,
        may_override_id_checks: user.user.role.allows(Permission::OverrideIdChecks),
    })
}

/// The handling judge must be an active judge or chief of the case's court.
async fn resolve_judge(state: &AppState, draft: &CaseDraft, court: &CourtCode) -> Result<Option<UserRef>, CaseOpError> {
    let Some(username) = &draft.handling_judge else {
        return Ok(None);
    };
    let user = state.store.user_by_username(username).await.map_err(ApiError::from)?;
    match user {
        Some(u) if u.active && &u.court == court && u.role.allows(Permission::HandleCases) => Ok(Some(u.as_ref())),
        _ => Err(CaseOpError::Invalid(vec![FieldError::new(
            "handling_judge",
            "invalid_handling_judge",
            format!("“{username}”不是本院在职的执行法官或执行局长，不能担任承办法官"),
        )])),
    }
}

/// Files a case at the user's own court.
pub async fn file_case(state: &Arc<AppState>, user: &CurrentUser, raw: &RawCase) -> Result<StoredCase, CaseOpError> {
    if !may_write_cases(user) {
        return Err(ApiError::forbidden(format!("{}不能登记案件", user.user.role.label_zh())).into());
    }
    let draft = parse_case(raw, &context(state, user)?).map_err(CaseOpError::Invalid)?;
    let judge = resolve_judge(state, &draft, &user.user.court).await?;
    let case = state
        .store
        .file_case(&user.user.court, &draft, judge.as_ref(), &user.user.as_ref(), state.clock.now_ms())
        .await?;
    Ok(case)
}

/// Replaces the editable content of a case the user may change.
pub async fn update_case(
    state: &Arc<AppState>,
    user: &CurrentUser,
    current: &StoredCase,
    access: CaseAccess,
    version: i64,
    raw: &RawCase,
) -> Result<StoredCase, CaseOpError> {
    if access != CaseAccess::Write {
        return Err(ApiError::forbidden("只能修改本院的案件；上级法院对下级法院案件只有查看权限").into());
    }
    if version != current.version {
        return Err(ApiError::conflict(current.version).into());
    }
    let draft = parse_case(raw, &context(state, user)?).map_err(CaseOpError::Invalid)?;
    let judge = resolve_judge(state, &draft, &current.court).await?;
    let case = state
        .store
        .update_case(
            &current.court,
            current.id,
            version,
            &draft,
            judge.as_ref(),
            &user.user.as_ref(),
            state.clock.now_ms(),
        )
        .await?;
    Ok(case)
}

pub async fn delete_case(
    state: &Arc<AppState>,
    user: &CurrentUser,
    current: &StoredCase,
    access: CaseAccess,
    version: i64,
    reason: &str,
) -> Result<(), CaseOpError> {
    if access != CaseAccess::Write || !user.user.role.allows(Permission::DeleteCases) {
        return Err(ApiError::forbidden("只有本院的执行法官或执行局长可以撤销案件登记").into());
    }
    let reason = zhixing_core::text::normalize_line(reason);
    if reason.chars().count() < 2 || reason.chars().count() > 500 {
        return Err(CaseOpError::Invalid(vec![FieldError::new(
            "reason",
            "invalid_reason",
            "请填写撤销登记的理由（2至500字）",
        )]));
    }
    state
        .store
        .delete_case(&current.court, current.id, version, &reason, &user.user.as_ref(), state.clock.now_ms())
        .await?;
    Ok(())
}

/// Parses a path id; anything else is a plain 404.
pub fn parse_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "案件不存在或无权查看"))
}

/// An edit that keeps a party and its credit code keeps the override that
/// was recorded for it; no new authorisation is needed for that.
pub fn carry_override(mut party: RawParty, stored: &[StoredParty]) -> RawParty {
    let Some(existing) = party.id.and_then(|id| stored.iter().find(|p| p.id == id)) else {
        return party;
    };
    let Some(recorded) = &existing.id_override else {
        return party;
    };
    let same_code = party
        .id_number
        .as_deref()
        .map(|n| zhixing_core::text::normalize_identifier(n).eq_ignore_ascii_case(existing.draft.id_number.as_str()))
        .unwrap_or(false);
    if same_code {
        if party.id_check_override_reason.is_none() {
            party.id_check_override_reason = Some(recorded.reason.clone());
        }
        party.override_already_recorded = party.id_check_override_reason.as_deref() == Some(recorded.reason.as_str());
    }
    party
}
