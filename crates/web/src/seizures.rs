//! Seizure operations shared by the JSON API and the web UI: recording,
//! renewing and releasing a seizure on a case, and the receiving-court
//! suggestions of 交叉执行.

use zhixing_core::access::{CaseAccess, Permission};
use zhixing_core::calendar::parse_iso_date;
use zhixing_core::court::CourtCode;
use zhixing_core::cross::suggest::Suggestion;
use zhixing_core::error::FieldError;
use zhixing_core::seizure::{RawSeizure, parse_seizure};
use zhixing_core::workflow::clean_text;
use zhixing_store::{Seizure, StoreError, StoredCase};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::cases::visible_case;
use crate::error::ApiError;

fn refused(error: StoreError) -> ApiError {
    match error {
        StoreError::Refused(refusal) => ApiError::refused("seizure_refused", refusal),
        other => other.into(),
    }
}

/// A case the user may act on: own court, a role that writes cases (like
/// process nodes); 403 for read-only access, 404 for other courts' cases.
async fn writable_case(state: &AppState, user: &CurrentUser, id: i64) -> Result<StoredCase, ApiError> {
    let (case, access) = visible_case(state, user, id).await?;
    if access != CaseAccess::Write || !user.user.role.allows(Permission::WriteCases) {
        return Err(ApiError::forbidden("只能办理本院的案件；上级法院对下级法院案件只有查看权限"));
    }
    Ok(case)
}

/// Date field of a renewal or release: required, ISO, not in the future.
fn action_date(field: &str, label: &str, value: Option<&str>, today: time::Date) -> Result<time::Date, FieldError> {
    let text = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| FieldError::required(field, label))?;
    let date = parse_iso_date(text).ok_or_else(|| FieldError::new(field, "invalid_date", "日期格式应为 YYYY-MM-DD"))?;
    if date > today {
        return Err(FieldError::new(field, "date_in_future", format!("{label}不能晚于今天")));
    }
    Ok(date)
}

/// The seizures of a case the user may see.
pub async fn list(state: &AppState, user: &CurrentUser, case_id: i64) -> Result<(StoredCase, Vec<Seizure>), ApiError> {
    let (case, _) = visible_case(state, user, case_id).await?;
    let seizures = state.store.case_seizures(&case.court, case.id).await?;
    Ok((case, seizures))
}

/// Parses and records a seizure on a case of the user's court.
pub async fn record(state: &AppState, user: &CurrentUser, case_id: i64, raw: &RawSeizure) -> Result<Seizure, ApiError> {
    let case = writable_case(state, user, case_id).await?;
    let new = parse_seizure(raw, state.clock.today()).map_err(ApiError::validation)?;
    if let Some(location) = &new.location_court
        && state.courts().get(location).is_none()
    {
        return Err(FieldError::new(
            "location_court",
            "unknown_court",
            format!("法院表中没有代字为“{location}”的法院"),
        )
        .into());
    }
    state
        .store
        .record_seizure(&case.court, case.id, &new, &user.user.as_ref(), state.clock.now_ms())
        .await
        .map_err(refused)
}

/// Renews (续行) a seizure to `expires_on`, decided on `on`.
pub async fn renew(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    seizure_id: i64,
    on: Option<&str>,
    expires_on: Option<&str>,
    note: Option<&str>,
) -> Result<Seizure, ApiError> {
    let case = writable_case(state, user, case_id).await?;
    let today = state.clock.today();
    let mut errors = Vec::new();
    let on = action_date("on", "续行日期", on, today).map_err(|e| errors.push(e)).ok();
    let expires = match expires_on.map(str::trim).filter(|v| !v.is_empty()) {
        None => Err(FieldError::required("expires_on", "续行后的届满日")),
        Some(v) => {
            parse_iso_date(v).ok_or_else(|| FieldError::new("expires_on", "invalid_date", "日期格式应为 YYYY-MM-DD"))
        }
    }
    .map_err(|e| errors.push(e))
    .ok();
    let note = clean_text("note", note, 500).map_err(|e| errors.push(e)).ok();
    let (Some(on), Some(expires), Some(note)) = (on, expires, note) else {
        return Err(ApiError::validation(errors));
    };
    state
        .store
        .renew_seizure(
            &case.court,
            case.id,
            seizure_id,
            on,
            expires,
            &note,
            &user.user.as_ref(),
            state.clock.now_ms(),
            today,
        )
        .await
        .map_err(refused)
}

/// Releases (解除) a seizure on `on`.
pub async fn release(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    seizure_id: i64,
    on: Option<&str>,
    note: Option<&str>,
) -> Result<Seizure, ApiError> {
    let case = writable_case(state, user, case_id).await?;
    let today = state.clock.today();
    let mut errors = Vec::new();
    let on = action_date("on", "解除日期", on, today).map_err(|e| errors.push(e)).ok();
    let note = clean_text("note", note, 500).map_err(|e| errors.push(e)).ok();
    let (Some(on), Some(note)) = (on, note) else {
        return Err(ApiError::validation(errors));
    };
    state
        .store
        .release_seizure(&case.court, case.id, seizure_id, on, &note, &user.user.as_ref(), state.clock.now_ms(), today)
        .await
        .map_err(refused)
}

/// The deciding court of a suggestion: the user's court or one beneath it,
/// with courts beneath it of its own.
pub fn deciding_court(state: &AppState, user: &CurrentUser, court: Option<&str>) -> Result<CourtCode, ApiError> {
    let courts = state.courts();
    let deciding = match court.map(str::trim).filter(|c| !c.is_empty()) {
        None => user.user.court.clone(),
        Some(c) => CourtCode::parse(c).map_err(|e| FieldError::new("court", "invalid_court", e.to_string()))?,
    };
    if deciding != user.user.court && !courts.is_ancestor(&user.user.court, &deciding) {
        return Err(ApiError::forbidden("只能以本院或辖区内法院为决定法院"));
    }
    if courts.subtree(&deciding).len() < 2 {
        return Err(FieldError::new("court", "no_courts_beneath", "该法院没有下级法院，不能作出交叉执行决定").into());
    }
    Ok(deciding)
}

/// Receiving courts for a case beneath `deciding`, best first, with reasons
/// (便利性: seized property there, debtor there, load per officer).
pub async fn suggestions(
    state: &AppState,
    user: &CurrentUser,
    deciding: &CourtCode,
    case_id: i64,
) -> Result<(StoredCase, Vec<Suggestion>), ApiError> {
    let (case, _) = visible_case(state, user, case_id).await?;
    let courts = state.courts();
    if !courts.is_ancestor(deciding, &case.court) {
        return Err(FieldError::new(
            "case_id",
            "case_outside_court",
            "案件不在决定法院辖区内的下级法院（《民事诉讼法》第二百三十七条）",
        )
        .into());
    }
    let ranked = state.store.receiver_suggestions(&courts, deciding, &case.court, case.id, state.clock.today()).await?;
    Ok((case, ranked))
}
