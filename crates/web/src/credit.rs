//! 失信/限消 operations shared by the API and the UI, the public look-up's
//! rate limiter, and partner authentication with its call log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use time::Date;
use zhixing_core::access::{CaseAccess, Permission};
use zhixing_core::calendar::parse_iso_date;
use zhixing_core::credit::listing::{Bar, Capacity, DishonestGround, Severity, TermExtension};
use zhixing_core::credit::repair::{CorrectionGround, DeletionTrigger};
use zhixing_core::credit::restriction::{LiftGround, RestrictedRole, TemporaryLiftGround};
use zhixing_core::error::FieldError;
use zhixing_core::workflow::clean_text;
use zhixing_store::{Listing, ListingDecision, NewListing, Partner, RestrictedPerson, StoreError, StoredCase};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::cases::visible_case;
use crate::error::ApiError;

fn required_date(field: &str, value: Option<&str>, filed_on: Date, today: Date) -> Result<Date, FieldError> {
    zhixing_core::workflow::parse_event_date(field, value, filed_on, today)
}

fn any_date(field: &str, value: Option<&str>) -> Result<Date, FieldError> {
    let text = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| FieldError::required(field, "日期"))?;
    parse_iso_date(text).ok_or_else(|| FieldError::new(field, "invalid_date", "日期格式应为 YYYY-MM-DD"))
}

fn refused(error: StoreError) -> ApiError {
    match error {
        StoreError::Refused(r) => ApiError::refused("credit_refused", r),
        other => other.into(),
    }
}

/// A case of the user's court that the user may act on with `permission`.
pub async fn actionable_case(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    permission: Permission,
) -> Result<StoredCase, ApiError> {
    let (case, access) = visible_case(state, user, id).await?;
    if access != CaseAccess::Write {
        return Err(ApiError::forbidden("只能办理本院的案件；上级法院对下级法院案件只有查看权限"));
    }
    if !user.user.role.allows(permission) {
        return Err(ApiError::forbidden(format!(
            "{}不能作出此项决定（须由执行法官或执行局长办理）",
            user.user.role.label_zh()
        )));
    }
    Ok(case)
}

fn list_of<T>(
    field: &str,
    codes: &[String],
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<Vec<T>, FieldError> {
    codes
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| parse(c).ok_or_else(|| FieldError::new(field, "invalid_code", format!("{what}“{c}”无效"))))
        .collect()
}

/// A proposal as submitted.
#[derive(Clone, Debug, Default)]
pub struct RawProposal {
    pub party_id: Option<String>,
    pub grounds: Vec<String>,
    pub bars: Vec<String>,
    pub capacity: Option<String>,
    pub severity: Option<String>,
    pub source: Option<String>,
    pub evidence: Option<String>,
    pub on: Option<String>,
}

pub async fn propose(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    raw: &RawProposal,
) -> Result<Listing, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::WriteCases).await?;
    let today = state.clock.today();
    let party_id = raw
        .party_id
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .ok_or_else(|| FieldError::new("party_id", "required", "请选择被执行人"))?;
    let grounds = list_of("grounds", &raw.grounds, DishonestGround::parse, "纳入事由")?;
    let bars = list_of("bars", &raw.bars, Bar::parse, "不得纳入情形")?;
    let capacity = Capacity::parse(raw.capacity.as_deref().unwrap_or("")).ok_or_else(|| {
        FieldError::new("capacity", "required", "请记录履行能力评估：able（有履行能力）或 unable（失能）")
    })?;
    let severity = match raw.severity.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Severity::parse(s)
                .ok_or_else(|| FieldError::new("severity", "invalid_code", "等级应为 minor、general 或 serious"))?,
        ),
    };
    let on_application = match raw.source.as_deref().map(str::trim) {
        Some("application") => true,
        Some("ex_officio") | None | Some("") => false,
        Some(_) => {
            return Err(FieldError::new(
                "source",
                "invalid_code",
                "来源应为 application（依申请）或 ex_officio（依职权）",
            )
            .into());
        }
    };
    let evidence = clean_text("evidence", raw.evidence.as_deref(), 2000)?;
    let on = required_date("on", raw.on.as_deref(), case.filed_on, today)?;
    let new = NewListing { party_id, grounds, bars_found: bars, capacity, severity, on_application, evidence, on };
    state
        .store
        .propose_listing(&case.court, case.id, &new, &user.user.as_ref(), state.clock.now_ms())
        .await
        .map_err(refused)
}

#[derive(Clone, Debug, Default)]
pub struct RawDecision {
    pub decision: Option<String>,
    pub president_approved: bool,
    pub decision_ref: Option<String>,
    pub grace_months: Option<String>,
    pub note: Option<String>,
    pub on: Option<String>,
}

pub async fn decide(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    listing_id: i64,
    raw: &RawDecision,
) -> Result<Listing, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let today = state.clock.today();
    let on = required_date("on", raw.on.as_deref(), case.filed_on, today)?;
    let decision = match raw.decision.as_deref().map(str::trim) {
        Some("approve") => ListingDecision::Approve {
            president_approved: raw.president_approved,
            decision_ref: clean_text("decision_ref", raw.decision_ref.as_deref(), 100)?,
            grace_months: match raw.grace_months.as_deref().map(str::trim).filter(|g| !g.is_empty() && *g != "0") {
                None => None,
                Some(g) => Some(
                    g.parse::<u32>()
                        .map_err(|_| FieldError::new("grace_months", "invalid_number", "宽限期应为月数"))?,
                ),
            },
        },
        Some("reject") => ListingDecision::Reject { note: clean_text("note", raw.note.as_deref(), 2000)? },
        _ => {
            return Err(
                FieldError::new("decision", "required", "请选择 approve（决定纳入）或 reject（不予纳入）").into()
            );
        }
    };
    ensure_listing_of_case(state, &case, listing_id).await?;
    state
        .store
        .decide_listing(&case.court, listing_id, &decision, on, &user.user.as_ref(), state.clock.now_ms(), today)
        .await
        .map_err(refused)
}

async fn ensure_listing_of_case(state: &AppState, case: &StoredCase, listing_id: i64) -> Result<Listing, ApiError> {
    let listing = state.store.listing_by_id(&case.court, listing_id).await?;
    if listing.case_id != case.id {
        return Err(ApiError::not_found());
    }
    Ok(listing)
}

pub async fn delete(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    listing_id: i64,
    trigger: Option<&str>,
    on: Option<&str>,
    note: Option<&str>,
) -> Result<Listing, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let today = state.clock.today();
    let trigger = DeletionTrigger::parse(trigger.unwrap_or(""))
        .ok_or_else(|| FieldError::new("trigger", "required", "请选择删除情形（失信规定第十条）"))?;
    let on = required_date("on", on, case.filed_on, today)?;
    let note = clean_text("note", note, 2000)?;
    ensure_listing_of_case(state, &case, listing_id).await?;
    state
        .store
        .delete_listing(&case.court, listing_id, trigger, on, &note, &user.user.as_ref(), state.clock.now_ms(), today)
        .await
        .map_err(refused)
}

pub async fn withdraw(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    listing_id: i64,
    on: Option<&str>,
    reason: Option<&str>,
) -> Result<Listing, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let today = state.clock.today();
    let on = required_date("on", on, case.filed_on, today)?;
    let reason = clean_text("reason", reason, 2000)?;
    ensure_listing_of_case(state, &case, listing_id).await?;
    state
        .store
        .withdraw_listing(&case.court, listing_id, on, &reason, &user.user.as_ref(), state.clock.now_ms(), today)
        .await
        .map_err(refused)
}

pub async fn extend(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    listing_id: i64,
    years: Option<&str>,
    basis: Option<&str>,
    on: Option<&str>,
) -> Result<Listing, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let on = required_date("on", on, case.filed_on, state.clock.today())?;
    let years = years
        .and_then(|y| y.trim().parse::<u32>().ok())
        .ok_or_else(|| FieldError::new("years", "required", "请填写延长年数（1至3年）"))?;
    let basis = basis.and_then(TermExtension::parse);
    ensure_listing_of_case(state, &case, listing_id).await?;
    state
        .store
        .extend_listing(&case.court, listing_id, years, basis, on, &user.user.as_ref(), state.clock.now_ms())
        .await
        .map_err(refused)
}

pub async fn file_correction(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    listing_id: i64,
    ground: Option<&str>,
    applicant: Option<&str>,
    received_on: Option<&str>,
) -> Result<zhixing_store::Correction, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::WriteCases).await?;
    let ground = CorrectionGround::parse(ground.unwrap_or(""))
        .ok_or_else(|| FieldError::new("ground", "required", "请选择纠正理由（失信规定第十一条）"))?;
    let applicant = clean_text("applicant", applicant, 100)?;
    if applicant.is_empty() {
        return Err(FieldError::new("applicant", "required", "请填写申请人").into());
    }
    let received = required_date("received_on", received_on, case.filed_on, state.clock.today())?;
    ensure_listing_of_case(state, &case, listing_id).await?;
    state
        .store
        .file_correction(
            &case.court,
            listing_id,
            ground,
            &applicant,
            received,
            &user.user.as_ref(),
            state.clock.now_ms(),
        )
        .await
        .map_err(refused)
}

pub async fn decide_correction(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    correction_id: i64,
    upheld: bool,
    on: Option<&str>,
    note: Option<&str>,
) -> Result<(), ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let on = required_date("on", on, case.filed_on, state.clock.today())?;
    let note = clean_text("note", note, 2000)?;
    state
        .store
        .decide_correction(&case.court, correction_id, upheld, on, &note, &user.user.as_ref(), state.clock.now_ms())
        .await
        .map_err(refused)
}

/// Persons of a restriction order as submitted: (role, name, id number).
pub async fn issue_restriction(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    persons: &[(String, String, String)],
    on: Option<&str>,
    order_ref: Option<&str>,
    president_approved: bool,
) -> Result<Vec<zhixing_store::Restriction>, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let today = state.clock.today();
    let on = required_date("on", on, case.filed_on, today)?;
    let order_ref = clean_text("order_ref", order_ref, 100)?;
    let mut parsed = Vec::new();
    for (i, (role, name, id_number)) in persons.iter().enumerate() {
        if role.trim().is_empty() && name.trim().is_empty() && id_number.trim().is_empty() {
            continue;
        }
        let field = format!("persons[{i}]");
        let role = RestrictedRole::parse(role).ok_or_else(|| {
            FieldError::new(
                format!("{field}.role"),
                "invalid_code",
                "身份应为 debtor、legal_representative、principal_officer、responsible_person 或 actual_controller",
            )
        })?;
        let name = clean_text(&format!("{field}.name"), Some(name), 100)?;
        if name.is_empty() {
            return Err(FieldError::new(format!("{field}.name"), "required", "请填写姓名或名称").into());
        }
        let id_text = zhixing_core::text::normalize_identifier(id_number);
        let id_number = if role == RestrictedRole::Debtor {
            // The debtor must be the case's respondent, with its stored number.
            case.parties
                .iter()
                .find(|p| p.draft.name == name)
                .map(|p| p.draft.id_number.as_str().to_string())
                .ok_or_else(|| {
                    FieldError::new(format!("{field}.name"), "not_a_respondent", "被限制的被执行人须为本案被执行人")
                })?
        } else {
            zhixing_core::citizen_id::CitizenId::parse(&id_text)
                .map(|id| id.as_str().to_string())
                .map_err(|e| FieldError::new(format!("{field}.id_number"), "invalid_citizen_id", e.to_string()))?
        };
        parsed.push(RestrictedPerson { role, name, id_number });
    }
    state
        .store
        .issue_restriction(
            &case.court,
            case.id,
            &parsed,
            on,
            &order_ref,
            president_approved,
            &user.user.as_ref(),
            state.clock.now_ms(),
            today,
        )
        .await
        .map_err(refused)
}

pub async fn lift(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    restriction_id: i64,
    ground: Option<&str>,
    lift_ref: Option<&str>,
    on: Option<&str>,
) -> Result<zhixing_store::Restriction, ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let today = state.clock.today();
    let ground = LiftGround::parse(ground.unwrap_or(""))
        .ok_or_else(|| FieldError::new("ground", "required", "请选择解除事由（限制消费规定第九条）"))?;
    let on = required_date("on", on, case.filed_on, today)?;
    let lift_ref = clean_text("lift_ref", lift_ref, 100)?;
    state
        .store
        .lift_restriction(
            &case.court,
            restriction_id,
            ground,
            &lift_ref,
            on,
            &user.user.as_ref(),
            state.clock.now_ms(),
            today,
        )
        .await
        .map_err(refused)
}

#[allow(clippy::too_many_arguments)]
pub async fn temporary_lift(
    state: &Arc<AppState>,
    user: &CurrentUser,
    case_id: i64,
    restriction_id: i64,
    from: Option<&str>,
    to: Option<&str>,
    ground: Option<&str>,
    approval_ref: Option<&str>,
    president_approved: bool,
) -> Result<(), ApiError> {
    let case = actionable_case(state, user, case_id, Permission::HandleCases).await?;
    let ground = TemporaryLiftGround::parse(ground.unwrap_or(""))
        .ok_or_else(|| FieldError::new("ground", "required", "请选择紧急事由（善意文明执行意见第十七条第三项）"))?;
    let from = any_date("from", from)?;
    let to = any_date("to", to)?;
    let approval_ref = clean_text("approval_ref", approval_ref, 100)?;
    state
        .store
        .temporary_lift(
            &case.court,
            restriction_id,
            from,
            to,
            ground,
            &approval_ref,
            president_approved,
            &user.user.as_ref(),
            state.clock.now_ms(),
            state.clock.today(),
        )
        .await
        .map_err(refused)
}

// ------------------------------------------------------------ rate limiting

/// A fixed-window limiter per client address (the public look-up).
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// `Ok` or the seconds until the window resets.
    pub fn check(&self, client: &str, per_minute: u32) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else { return Ok(()) };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let slot = windows.entry(client.to_string()).or_insert((now, 0));
        if now.duration_since(slot.0) >= Duration::from_secs(60) {
            *slot = (now, 0);
        }
        if slot.1 >= per_minute {
            return Err(60u64.saturating_sub(now.duration_since(slot.0).as_secs()).max(1));
        }
        slot.1 += 1;
        Ok(())
    }
}

pub fn rate_limited(retry_after: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("查询过于频繁，请{retry_after}秒后再试（每个地址每分钟限定次数，以防批量抓取个人信息）"),
    )
}

// ------------------------------------------------------------ partners

/// A partner institution authenticated by its check-only credential.
pub struct PartnerClient(pub Partner);

impl FromRequestParts<Arc<AppState>> for PartnerClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(partner_unauthenticated)?;
        let hash = crate::auth::token_hash(token);
        if let Some(p) = state.partners.get(&hash) {
            return Ok(PartnerClient(p));
        }
        let partner = state.store.partner_by_token(&hash).await?.ok_or_else(partner_unauthenticated)?;
        state.partners.put(hash, partner.clone());
        Ok(PartnerClient(partner))
    }
}

fn partner_unauthenticated() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "缺少或无效的协助单位凭证（Authorization: Bearer …）")
}

/// Partner credentials validated in the last few seconds (a revocation
/// takes effect within that time).
#[derive(Default)]
pub struct PartnerCache {
    entries: Mutex<HashMap<String, (Instant, Partner)>>,
}

impl PartnerCache {
    const TTL: Duration = Duration::from_secs(5);

    fn get(&self, hash: &str) -> Option<Partner> {
        let entries = self.entries.lock().ok()?;
        entries.get(hash).filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, p)| p.clone())
    }

    fn put(&self, hash: String, partner: Partner) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(hash, (Instant::now(), partner));
        }
    }
}

/// Partner calls are logged in batches by a background task, so a burst of
/// checks costs one write per batch, not one per call.
pub struct PartnerLog {
    sender: tokio::sync::mpsc::UnboundedSender<(i64, String, i64, i64, i64)>,
}

impl PartnerLog {
    pub fn spawn(store: zhixing_store::Store) -> PartnerLog {
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(i64, String, i64, i64, i64)>();
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = vec![first];
                tokio::time::sleep(Duration::from_millis(50)).await;
                while let Ok(more) = receiver.try_recv() {
                    batch.push(more);
                }
                if let Err(e) = store.log_partner_calls(&batch).await {
                    tracing::error!(error = %e, calls = batch.len(), "partner call log failed");
                }
            }
        });
        PartnerLog { sender }
    }

    pub fn record(&self, client: i64, endpoint: &str, items: i64, status: u16, at: i64) {
        let _ = self.sender.send((client, endpoint.to_string(), items, i64::from(status), at));
    }
}
