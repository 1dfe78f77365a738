//! 失信/限消 endpoints: the case's measures and decisions (judges), the
//! court list and statistics, the public look-up (no login, rate-limited)
//! and the partner check and breach report (partner credentials).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhixing_core::calendar::iso_date;
use zhixing_core::credit::index::identity_key;
use zhixing_core::credit::listing::ListingStatus;
use zhixing_store::{CaseCredit, Listing, PublicEntry, Restriction, day_number};

use crate::AppState;
use crate::auth::{ApiUser, RemoteAddr};
use crate::cases::{parse_id, visible_case};
use crate::credit::{self as cr, PartnerClient, RawDecision, RawProposal};
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;

#[derive(Serialize, ToSchema)]
pub struct ListingDto {
    pub id: i64,
    pub case_id: i64,
    pub party_id: i64,
    pub subject_name: String,
    /// Masked for citizens in every answer but the case's own page.
    pub id_number: String,
    pub grounds: Vec<String>,
    pub ground_labels: Vec<String>,
    pub capacity: String,
    /// minor | general | serious
    pub severity: String,
    pub source: String,
    /// proposed | rejected | grace | published | deleted | withdrawn
    pub status: String,
    pub status_label: String,
    /// Effective today (published, or grace over).
    pub effective: bool,
    pub proposed_on: String,
    pub decided_on: Option<String>,
    pub decision_ref: Option<String>,
    pub grace_until: Option<String>,
    pub effective_on: Option<String>,
    pub term_until: Option<String>,
    pub deletion_trigger: Option<String>,
    pub trigger_on: Option<String>,
    /// SX arts 9–10: delete within 3 working days of the trigger.
    pub repair_due: Option<String>,
    pub ended_on: Option<String>,
    pub relist_block_until: Option<String>,
}

impl ListingDto {
    pub fn new(l: &Listing, today: time::Date) -> Self {
        ListingDto {
            id: l.id,
            case_id: l.case_id,
            party_id: l.party_id,
            subject_name: l.subject_name.clone(),
            id_number: l.id_number.clone(),
            grounds: l.grounds.iter().map(|g| g.code().to_string()).collect(),
            ground_labels: l.grounds.iter().map(|g| g.label_zh().to_string()).collect(),
            capacity: l.capacity.code().to_string(),
            severity: l.severity.code().to_string(),
            source: if l.on_application { "application" } else { "ex_officio" }.to_string(),
            status: if l.status == ListingStatus::Grace && l.effective(today) { "published" } else { l.status.code() }
                .to_string(),
            status_label: if l.status == ListingStatus::Grace && l.effective(today) {
                ListingStatus::Published.label_zh()
            } else {
                l.status.label_zh()
            }
            .to_string(),
            effective: l.effective(today),
            proposed_on: iso_date(l.proposed_on),
            decided_on: l.decided_on.map(iso_date),
            decision_ref: l.decision_ref.clone(),
            grace_until: l.grace_until.map(iso_date),
            effective_on: l.effective_on.map(iso_date),
            term_until: l.term_until.map(iso_date),
            deletion_trigger: l.trigger.map(|t| t.code().to_string()),
            trigger_on: l.trigger_on.map(iso_date),
            repair_due: l.repair_due.map(iso_date),
            ended_on: l.ended_on.map(iso_date),
            relist_block_until: l.relist_block_until.map(iso_date),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RestrictionDto {
    pub id: i64,
    pub order_id: i64,
    pub role: String,
    pub role_label: String,
    pub subject_name: String,
    pub id_number: String,
    pub active: bool,
    pub effective: bool,
    pub issued_on: String,
    pub order_ref: String,
    pub grace_until: Option<String>,
    pub lifted_on: Option<String>,
    pub lift_ground: Option<String>,
}

impl RestrictionDto {
    pub fn new(r: &Restriction, today: time::Date) -> Self {
        RestrictionDto {
            id: r.id,
            order_id: r.order_id,
            role: r.role.code().to_string(),
            role_label: r.role.label_zh().to_string(),
            subject_name: r.subject_name.clone(),
            id_number: r.id_number.clone(),
            active: r.active,
            effective: r.effective(today),
            issued_on: iso_date(r.issued_on),
            order_ref: r.order_ref.clone(),
            grace_until: r.grace_until.map(iso_date),
            lifted_on: r.lifted_on.map(iso_date),
            lift_ground: r.lift_ground.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreditEventDto {
    pub subject: String,
    pub subject_id: i64,
    pub action: String,
    pub on: String,
    pub detail: String,
    pub actor: String,
}

#[derive(Serialize, ToSchema)]
pub struct BreachDto {
    pub id: i64,
    pub id_number: String,
    pub reporter: String,
    pub occurred_at: String,
    pub place: String,
    pub conduct: String,
    /// fine_or_detention | list_s5 | criminal_referral
    pub advice: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseCreditDto {
    pub listings: Vec<ListingDto>,
    pub restrictions: Vec<RestrictionDto>,
    pub breaches: Vec<BreachDto>,
    pub events: Vec<CreditEventDto>,
}

pub fn case_credit_dto(c: &CaseCredit, today: time::Date) -> CaseCreditDto {
    CaseCreditDto {
        listings: c.listings.iter().map(|l| ListingDto::new(l, today)).collect(),
        restrictions: c.restrictions.iter().map(|r| RestrictionDto::new(r, today)).collect(),
        breaches: c
            .breaches
            .iter()
            .map(|b| BreachDto {
                id: b.id,
                id_number: b.id_number.clone(),
                reporter: b.reporter.clone(),
                occurred_at: b.occurred_at.clone(),
                place: b.place.clone(),
                conduct: b.conduct.clone(),
                advice: b.advice_step.clone(),
            })
            .collect(),
        events: c
            .events
            .iter()
            .map(|e| CreditEventDto {
                subject: e.subject.clone(),
                subject_id: e.subject_id,
                action: e.action.clone(),
                on: iso_date(e.on),
                detail: e.detail.clone(),
                actor: e.actor.clone(),
            })
            .collect(),
    }
}

/// The case's 失信 listings, 限制消费令, breaches and the audit record.
#[utoipa::path(get, path = "/api/v1/cases/{id}/credit", tag = "credit", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = CaseCreditDto), (status = 404, body = ErrorBody)))]
pub async fn get_case_credit(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CaseCreditDto>, ApiError> {
    let (case, _) = visible_case(&state, &user, parse_id(&id)?).await?;
    let credit = state.store.case_credit(&case.court, case.id).await?;
    Ok(Json(case_credit_dto(&credit, state.clock.today())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    /// The respondent (a party id of the case).
    pub party_id: Option<i64>,
    /// s1 … s6 (SX art 1).
    #[serde(default)]
    pub grounds: Vec<String>,
    /// Circumstances found that may bar the listing (security_given, minor, property_controlled …).
    #[serde(default)]
    pub bars: Vec<String>,
    /// able | unable (失能)
    pub capacity: Option<String>,
    /// minor | general | serious; default: suggested by the configured criteria.
    pub severity: Option<String>,
    /// application | ex_officio
    pub source: Option<String>,
    pub evidence: Option<String>,
    pub on: Option<String>,
}

/// Proposes a 失信 listing; grounds are checked against the bars and the capacity assessment first.
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/listings", tag = "credit", params(("id" = i64, Path)), request_body = ProposalInput, security(("bearer" = [])),
    responses((status = 201, body = ListingDto), (status = 403, body = ErrorBody), (status = 422, description = "credit_refused with missing[] (a bar, 失能 and S1, minor …) or an invalid field", body = ErrorBody)))]
pub async fn post_listing(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProposalInput>,
) -> Result<Response, ApiError> {
    let raw = RawProposal {
        party_id: body.party_id.map(|p| p.to_string()),
        grounds: body.grounds,
        bars: body.bars,
        capacity: body.capacity,
        severity: body.severity,
        source: body.source,
        evidence: body.evidence,
        on: body.on,
    };
    let listing = cr::propose(&state, &user, parse_id(&id)?, &raw).await?;
    Ok((StatusCode::CREATED, Json(ListingDto::new(&listing, state.clock.today()))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// approve | reject
    pub decision: Option<String>,
    /// The 决定书 is signed by the president (SX art 5).
    #[serde(default)]
    pub president_approved: bool,
    pub decision_ref: Option<String>,
    /// 1–3 months (SW art 15); nothing is published or pushed meanwhile.
    pub grace_months: Option<u32>,
    pub note: Option<String>,
    pub on: Option<String>,
}

/// Decides a proposal: approve (with an optional grace period; a 限制消费令 for the debtor comes with it) or reject.
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/listings/{listing_id}/decision", tag = "credit", params(("id" = i64, Path), ("listing_id" = i64, Path)), request_body = DecisionInput, security(("bearer" = [])),
    responses((status = 200, body = ListingDto), (status = 422, body = ErrorBody)))]
pub async fn post_decision(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, listing_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> Result<Json<ListingDto>, ApiError> {
    let raw = RawDecision {
        decision: body.decision,
        president_approved: body.president_approved,
        decision_ref: body.decision_ref,
        grace_months: body.grace_months.map(|g| g.to_string()),
        note: body.note,
        on: body.on,
    };
    let listing = cr::decide(&state, &user, parse_id(&id)?, parse_id(&listing_id)?, &raw).await?;
    Ok(Json(ListingDto::new(&listing, state.clock.today())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletionInput {
    /// performed | settlement_performed | applicant_request | zhongben_no_property | suspended_retrial_or_bankruptcy | not_enforced | terminated | term_expired | early_deletion
    pub trigger: Option<String>,
    pub on: Option<String>,
    pub note: Option<String>,
}

/// Deletes a listing (信用修复, SX art 10): it leaves the public list and the partner index at once and stays in the audit record.
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/listings/{listing_id}/deletion", tag = "credit", params(("id" = i64, Path), ("listing_id" = i64, Path)), request_body = DeletionInput, security(("bearer" = [])),
    responses((status = 200, body = ListingDto), (status = 422, body = ErrorBody)))]
pub async fn post_deletion(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, listing_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DeletionInput>,
) -> Result<Json<ListingDto>, ApiError> {
    let listing = cr::delete(
        &state,
        &user,
        parse_id(&id)?,
        parse_id(&listing_id)?,
        body.trigger.as_deref(),
        body.on.as_deref(),
        body.note.as_deref(),
    )
    .await?;
    Ok(Json(ListingDto::new(&listing, state.clock.today())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalInput {
    pub on: Option<String>,
    pub reason: Option<String>,
}

/// Withdraws a listing that should not have been made (SX art 9).
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/listings/{listing_id}/withdrawal", tag = "credit", params(("id" = i64, Path), ("listing_id" = i64, Path)), request_body = WithdrawalInput, security(("bearer" = [])),
    responses((status = 200, body = ListingDto), (status = 422, body = ErrorBody)))]
pub async fn post_withdrawal(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, listing_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<WithdrawalInput>,
) -> Result<Json<ListingDto>, ApiError> {
    let listing =
        cr::withdraw(&state, &user, parse_id(&id)?, parse_id(&listing_id)?, body.on.as_deref(), body.reason.as_deref())
            .await?;
    Ok(Json(ListingDto::new(&listing, state.clock.today())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionInput {
    pub years: Option<u32>,
    /// violence_serious | multiple_conducts (SX art 2 ¶1)
    pub basis: Option<String>,
    pub on: Option<String>,
}

/// Extends a termed listing by 1–3 years (SX art 2 ¶1).
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/listings/{listing_id}/extension", tag = "credit", params(("id" = i64, Path), ("listing_id" = i64, Path)), request_body = ExtensionInput, security(("bearer" = [])),
    responses((status = 200, body = ListingDto), (status = 422, body = ErrorBody)))]
pub async fn post_extension(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, listing_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ExtensionInput>,
) -> Result<Json<ListingDto>, ApiError> {
    let years = body.years.map(|y| y.to_string());
    let listing = cr::extend(
        &state,
        &user,
        parse_id(&id)?,
        parse_id(&listing_id)?,
        years.as_deref(),
        body.basis.as_deref(),
        body.on.as_deref(),
    )
    .await?;
    Ok(Json(ListingDto::new(&listing, state.clock.today())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// should_not_be_listed | inaccurate | should_have_been_deleted
    pub ground: Option<String>,
    pub applicant: Option<String>,
    pub received_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionDto {
    pub id: i64,
    pub listing_id: i64,
    pub ground: String,
    pub received_on: String,
    /// 15 days to examine (SX art 12).
    pub examine_by: String,
}

/// Receives a written application to correct (SX arts 11–12).
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/listings/{listing_id}/corrections", tag = "credit", params(("id" = i64, Path), ("listing_id" = i64, Path)), request_body = CorrectionInput, security(("bearer" = [])),
    responses((status = 201, body = CorrectionDto), (status = 422, body = ErrorBody)))]
pub async fn post_correction(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, listing_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<CorrectionInput>,
) -> Result<Response, ApiError> {
    let c = cr::file_correction(
        &state,
        &user,
        parse_id(&id)?,
        parse_id(&listing_id)?,
        body.ground.as_deref(),
        body.applicant.as_deref(),
        body.received_on.as_deref(),
    )
    .await?;
    let dto = CorrectionDto {
        id: c.id,
        listing_id: c.listing_id,
        ground: c.ground.code().to_string(),
        received_on: iso_date(c.received_on),
        examine_by: iso_date(c.examine_by),
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionDecisionInput {
    pub upheld: bool,
    pub on: Option<String>,
    pub note: Option<String>,
}

/// Decides a correction application (upheld: withdraw, correct or delete within 3 working days; rejected: review at the upper court within 10 days).
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/corrections/{correction_id}/decision", tag = "credit", params(("id" = i64, Path), ("correction_id" = i64, Path)), request_body = CorrectionDecisionInput, security(("bearer" = [])),
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn post_correction_decision(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<CorrectionDecisionInput>,
) -> Result<StatusCode, ApiError> {
    cr::decide_correction(
        &state,
        &user,
        parse_id(&id)?,
        parse_id(&cid)?,
        body.upheld,
        body.on.as_deref(),
        body.note.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// The day the rejection was served on the applicant.
    pub rejection_served_on: Option<String>,
    /// The day the review application was received.
    pub received_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewDto {
    pub correction_id: i64,
    pub review_received_on: Option<String>,
    /// The upper court decides within 15 days (SX art 12).
    pub review_decide_by: Option<String>,
}

/// Records a review application to the upper court against a rejected correction (within 10 days of service; decided within 15 days; SX art 12).
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/corrections/{correction_id}/review", tag = "credit", params(("id" = i64, Path), ("correction_id" = i64, Path)), request_body = ReviewInput, security(("bearer" = [])),
    responses((status = 200, body = ReviewDto), (status = 422, body = ErrorBody)))]
pub async fn post_correction_review(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReviewInput>,
) -> Result<Json<ReviewDto>, ApiError> {
    let case = cr::actionable_case(&state, &user, parse_id(&id)?, zhixing_core::access::Permission::WriteCases).await?;
    let today = state.clock.today();
    let served = zhixing_core::workflow::parse_event_date(
        "rejection_served_on",
        body.rejection_served_on.as_deref(),
        case.filed_on,
        today,
    )?;
    let received =
        zhixing_core::workflow::parse_event_date("received_on", body.received_on.as_deref(), case.filed_on, today)?;
    let c = state
        .store
        .record_correction_review(
            &case.court,
            parse_id(&cid)?,
            served,
            received,
            &user.user.as_ref(),
            state.clock.now_ms(),
        )
        .await
        .map_err(|e| match e {
            zhixing_store::StoreError::Refused(r) => ApiError::refused("credit_refused", r),
            other => other.into(),
        })?;
    Ok(Json(ReviewDto {
        correction_id: c.id,
        review_received_on: c.review_received_on.map(iso_date),
        review_decide_by: c.review_decide_by.map(iso_date),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// debtor | legal_representative | principal_officer | responsible_person | actual_controller
    pub role: String,
    pub name: String,
    /// Not needed for the debtor (taken from the case).
    #[serde(default)]
    pub id_number: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictionInput {
    pub persons: Vec<PersonInput>,
    pub on: Option<String>,
    pub order_ref: Option<String>,
    #[serde(default)]
    pub president_approved: bool,
}

/// Issues a 限制消费令 for the debtor and, for an organisation, the persons of XX art 3 ¶2.
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/restrictions", tag = "credit", params(("id" = i64, Path)), request_body = RestrictionInput, security(("bearer" = [])),
    responses((status = 201, body = Vec<RestrictionDto>), (status = 422, body = ErrorBody)))]
pub async fn post_restriction(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RestrictionInput>,
) -> Result<Response, ApiError> {
    let persons: Vec<(String, String, String)> =
        body.persons.into_iter().map(|p| (p.role, p.name, p.id_number)).collect();
    let issued = cr::issue_restriction(
        &state,
        &user,
        parse_id(&id)?,
        &persons,
        body.on.as_deref(),
        body.order_ref.as_deref(),
        body.president_approved,
    )
    .await?;
    let today = state.clock.today();
    Ok((StatusCode::CREATED, Json(issued.iter().map(|r| RestrictionDto::new(r, today)).collect::<Vec<_>>()))
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiftInput {
    /// full_performance | security_given | applicant_consents | representative_changed | case_ended
    pub ground: Option<String>,
    pub lift_ref: Option<String>,
    pub on: Option<String>,
}

/// Lifts a restriction by its own decision (XX art 9).
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/restrictions/{restriction_id}/lift", tag = "credit", params(("id" = i64, Path), ("restriction_id" = i64, Path)), request_body = LiftInput, security(("bearer" = [])),
    responses((status = 200, body = RestrictionDto), (status = 422, body = ErrorBody)))]
pub async fn post_lift(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, rid)): Path<(String, String)>,
    ApiJson(body): ApiJson<LiftInput>,
) -> Result<Json<RestrictionDto>, ApiError> {
    let r = cr::lift(
        &state,
        &user,
        parse_id(&id)?,
        parse_id(&rid)?,
        body.ground.as_deref(),
        body.lift_ref.as_deref(),
        body.on.as_deref(),
    )
    .await?;
    Ok(Json(RestrictionDto::new(&r, state.clock.today())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemporaryLiftInput {
    pub from: Option<String>,
    pub to: Option<String>,
    /// medical_treatment | funeral | official_duty | foreign_affairs | examination
    pub ground: Option<String>,
    pub approval_ref: Option<String>,
    #[serde(default)]
    pub president_approved: bool,
}

/// Temporarily lifts the flight and high-speed-rail ban (≤ 1 month, president's approval; SW art 17(3)).
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/restrictions/{restriction_id}/temporary-lifts", tag = "credit", params(("id" = i64, Path), ("restriction_id" = i64, Path)), request_body = TemporaryLiftInput, security(("bearer" = [])),
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn post_temporary_lift(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((id, rid)): Path<(String, String)>,
    ApiJson(body): ApiJson<TemporaryLiftInput>,
) -> Result<StatusCode, ApiError> {
    cr::temporary_lift(
        &state,
        &user,
        parse_id(&id)?,
        parse_id(&rid)?,
        body.from.as_deref(),
        body.to.as_deref(),
        body.ground.as_deref(),
        body.approval_ref.as_deref(),
        body.president_approved,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreachInput {
    pub id_number: String,
    /// When it happened (date or date-time as reported).
    pub occurred_at: String,
    pub place: String,
    /// What was done (e.g. 乘坐G字头列车二等座).
    pub conduct: String,
    /// The reporter's own reference; the same reference reported twice is recorded once.
    pub report_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct BreachReceipt {
    pub receipt_id: i64,
    /// true when this report had been received before.
    pub duplicate: bool,
    pub case_number: String,
    /// fine_or_detention | list_s5 | criminal_referral
    pub suggested_step: String,
    pub suggestion: String,
    pub rule: String,
}

pub async fn report(
    state: &AppState,
    reporter: &str,
    body: &BreachInput,
    actor: Option<&zhixing_store::UserRef>,
) -> Result<BreachReceipt, ApiError> {
    use zhixing_core::error::FieldError;
    let id_number = zhixing_core::text::normalize_identifier(&body.id_number);
    if identity_key(&id_number).is_none() {
        return Err(FieldError::new("id_number", "invalid_id_number", "身份证号码或统一社会信用代码格式不正确").into());
    }
    let occurred_on = zhixing_core::calendar::parse_iso_date(body.occurred_at.get(..10).unwrap_or(""))
        .ok_or_else(|| FieldError::new("occurred_at", "invalid_date", "发生时间应以 YYYY-MM-DD 开头"))?;
    let today = state.clock.today();
    if occurred_on > today {
        return Err(FieldError::new("occurred_at", "date_in_future", "发生时间不能晚于今天").into());
    }
    for (field, value, max) in
        [("place", &body.place, 200), ("conduct", &body.conduct, 500), ("report_id", &body.report_id, 100)]
    {
        if value.trim().is_empty() || value.chars().count() > max {
            return Err(FieldError::new(field, "invalid_text", format!("请填写（至多{max}个字）")).into());
        }
    }
    let (breach, advice, new) = state
        .store
        .report_breach(
            &id_number,
            reporter,
            body.report_id.trim(),
            body.occurred_at.trim(),
            occurred_on,
            body.place.trim(),
            body.conduct.trim(),
            actor,
            state.clock.now_ms(),
            today,
        )
        .await
        .map_err(|e| match e {
            zhixing_store::StoreError::Refused(r) => ApiError::refused("not_restricted", r),
            other => other.into(),
        })?;
    let case_number = state
        .store
        .case(std::slice::from_ref(&breach.court), breach.case_id)
        .await?
        .map(|c| c.case_number.to_string())
        .unwrap_or_default();
    Ok(BreachReceipt {
        receipt_id: breach.id,
        duplicate: !new,
        case_number,
        suggested_step: advice.step.to_string(),
        suggestion: advice.text,
        rule: advice.rule.to_string(),
    })
}

/// A judge reports a breach of a 限制消费令 on a case; it becomes a case node with the sanctions path it calls for.
#[utoipa::path(post, path = "/api/v1/cases/{id}/credit/breaches", tag = "credit", params(("id" = i64, Path)), request_body = BreachInput, security(("bearer" = [])),
    responses((status = 201, body = BreachReceipt), (status = 422, body = ErrorBody)))]
pub async fn post_case_breach(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BreachInput>,
) -> Result<Response, ApiError> {
    let case = cr::actionable_case(&state, &user, parse_id(&id)?, zhixing_core::access::Permission::WriteCases).await?;
    let receipt = report(
        &state,
        &format!("{}（{}）", user.user.display_name, case.case_number),
        &body,
        Some(&user.user.as_ref()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourtParam {
    /// 法院代字 (default: the user's court; a higher court may name a court beneath it).
    court: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsDto {
    pub court: String,
    pub court_name: String,
    pub by_ground: Vec<(String, i64)>,
    pub by_severity: Vec<(String, i64)>,
    pub in_grace: i64,
    pub published: i64,
    pub deleted_by_trigger: Vec<(String, i64)>,
    pub withdrawn: i64,
    /// [quarter, new listings, deletions (repairs)]
    pub quarters: Vec<(String, i64, i64)>,
    pub restrictions_active: i64,
    pub breaches: i64,
}

fn scope_courts(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    court: Option<&str>,
) -> Result<Vec<zhixing_core::court::CourtCode>, ApiError> {
    let visible = crate::cases::visible_courts(state, user);
    let root = match court.map(str::trim).filter(|c| !c.is_empty()) {
        None => user.user.court.clone(),
        Some(code) => {
            let code = zhixing_core::court::CourtCode::parse(code)
                .map_err(|_| zhixing_core::error::FieldError::new("court", "invalid_court", "法院代字无效"))?;
            if !visible.contains(&code) {
                return Err(ApiError::forbidden("只能查看本院及下级法院的数据"));
            }
            code
        }
    };
    Ok(state.courts().subtree(&root).into_iter().filter(|c| visible.contains(c)).collect())
}

/// 失信/限消 statistics for a court and each court beneath it: by ground and grade, in grace, published, deleted by trigger, repairs vs new listings per quarter, breaches.
#[utoipa::path(get, path = "/api/v1/credit/stats", tag = "credit", params(CourtParam), security(("bearer" = [])),
    responses((status = 200, body = Vec<StatsDto>)))]
pub async fn get_stats(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<CourtParam>,
) -> Result<Json<Vec<StatsDto>>, ApiError> {
    let courts = scope_courts(&state, &user, q.court.as_deref())?;
    let stats = state.store.credit_stats(&courts, state.clock.today()).await?;
    let directory = state.courts();
    Ok(Json(
        stats
            .into_iter()
            .map(|s| StatsDto {
                court_name: directory.find(&s.court).map(|c| c.name.clone()).unwrap_or_default(),
                court: s.court,
                by_ground: s.by_ground,
                by_severity: s.by_severity,
                in_grace: s.in_grace,
                published: s.published,
                deleted_by_trigger: s.deleted_by_trigger,
                withdrawn: s.withdrawn,
                quarters: s.quarters,
                restrictions_active: s.restrictions_active,
                breaches: s.breaches,
            })
            .collect(),
    ))
}

/// The court's listings, newest first, with their deadlines (grace end, deletion due).
#[utoipa::path(get, path = "/api/v1/credit/listings", tag = "credit", params(CourtParam), security(("bearer" = [])),
    responses((status = 200, body = Vec<ListingDto>)))]
pub async fn get_court_listings(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Query(q): Query<CourtParam>,
) -> Result<Json<Vec<ListingDto>>, ApiError> {
    let courts = scope_courts(&state, &user, q.court.as_deref())?;
    let today = state.clock.today();
    let listings = state.store.court_listings(&courts, 500).await?;
    Ok(Json(listings.iter().map(|l| ListingDto::new(l, today)).collect()))
}

// ------------------------------------------------------------ public

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicParams {
    /// 姓名或单位名称 (exact).
    pub name: Option<String>,
    /// 身份证号码或统一社会信用代码 (optional).
    pub id_number: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicEntryDto {
    /// dishonest (失信被执行人) | restriction (限制消费)
    pub measure: String,
    pub name: String,
    /// Birth-date digits hidden.
    pub id_number: String,
    pub sex: Option<String>,
    pub age: Option<i32>,
    pub legal_representative: Option<String>,
    pub court: String,
    pub case_number: String,
    pub filed_on: String,
    pub basis_issuing_body: String,
    pub basis_document_number: String,
    pub obligations: String,
    pub performance: String,
    pub conduct: String,
    pub published_on: String,
}

impl From<&PublicEntry> for PublicEntryDto {
    fn from(e: &PublicEntry) -> Self {
        PublicEntryDto {
            measure: e.measure.to_string(),
            name: e.name.clone(),
            id_number: e.id_number_masked.clone(),
            sex: e.sex.clone(),
            age: e.age,
            legal_representative: e.legal_representative.clone(),
            court: e.court.clone(),
            case_number: e.case_number.clone(),
            filed_on: iso_date(e.filed_on),
            basis_issuing_body: e.basis_issuing_body.clone(),
            basis_document_number: e.basis_document_number.clone(),
            obligations: e.obligations.clone(),
            performance: e.performance.clone(),
            conduct: e.conduct.clone(),
            published_on: iso_date(e.published_on),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PublicResultDto {
    pub items: Vec<PublicEntryDto>,
}

/// Runs a public look-up after the rate limit; shared with the page.
pub async fn public_lookup(
    state: &AppState,
    remote: Option<&str>,
    name: Option<&str>,
    id_number: Option<&str>,
) -> Result<Vec<PublicEntry>, ApiError> {
    use zhixing_core::error::FieldError;
    let policy = state.store.credit_policy();
    state
        .public_limiter
        .check(remote.unwrap_or("unknown"), policy.public_lookups_per_minute)
        .map_err(cr::rate_limited)?;
    let name = name.map(str::trim).unwrap_or("");
    if name.chars().count() < 2 || name.chars().count() > 100 {
        return Err(FieldError::new("name", "required", "请输入被执行人姓名或名称（至少两个字）").into());
    }
    let id_number = id_number.map(zhixing_core::text::normalize_identifier).filter(|i| !i.is_empty());
    if let Some(id) = &id_number
        && identity_key(id).is_none()
    {
        return Err(FieldError::new("id_number", "invalid_id_number", "身份证号码或统一社会信用代码应为18位").into());
    }
    Ok(state.store.public_lookup(name, id_number.as_deref(), state.clock.today(), 50).await?)
}

/// Public look-up of the published 失信被执行人 and 限制消费 entries (no login; rate-limited per client address). ID numbers are masked; deleted entries never appear.
#[utoipa::path(get, path = "/api/v1/public/restrictions", tag = "public", params(PublicParams),
    responses((status = 200, body = PublicResultDto), (status = 422, body = ErrorBody), (status = 429, description = "rate_limited", body = ErrorBody)))]
pub async fn get_public(
    State(state): State<Arc<AppState>>,
    RemoteAddr(remote): RemoteAddr,
    Query(q): Query<PublicParams>,
) -> Response {
    match public_lookup(&state, remote.as_deref(), q.name.as_deref(), q.id_number.as_deref()).await {
        Ok(items) => Json(PublicResultDto { items: items.iter().map(PublicEntryDto::from).collect() }).into_response(),
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            let mut response = e.into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            response
        }
        Err(e) => e.into_response(),
    }
}

// ------------------------------------------------------------ partners

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Up to 1,000 身份证号码 / 统一社会信用代码.
    pub id_numbers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckResult {
    pub id_number: String,
    pub restricted: bool,
    /// dishonest_list (失信被执行人) | consumption_restriction (限制消费)
    pub measures: Vec<&'static str>,
    /// The flight / high-speed-rail ban is temporarily lifted through this day (SW art 17(3)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travel_ban_lifted_until: Option<String>,
    /// The input is not a valid identity number.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CheckResponse {
    pub as_of: String,
    pub results: Vec<CheckResult>,
}

pub const MAX_CHECK: usize = 1000;

/// Checks up to 1,000 identity numbers against the effective 失信 and 限制消费 measures. Answers only whether each is restricted and which measures apply — no other personal data. Every call is logged.
#[utoipa::path(post, path = "/api/v1/partner/restrictions/check", tag = "partner", request_body = CheckRequest, security(("partner" = [])),
    responses((status = 200, body = CheckResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn partner_check(
    State(state): State<Arc<AppState>>,
    PartnerClient(partner): PartnerClient,
    ApiJson(body): ApiJson<CheckRequest>,
) -> Result<Json<CheckResponse>, ApiError> {
    let now = state.clock.now_ms();
    if body.id_numbers.len() > MAX_CHECK {
        state.partner_log.record(partner.id, "check", body.id_numbers.len() as i64, 422, now);
        return Err(zhixing_core::error::FieldError::new(
            "id_numbers",
            "too_many",
            format!("每次最多查询{MAX_CHECK}个号码"),
        )
        .into());
    }
    let today = state.clock.today();
    let today_n = day_number(today);
    let results = state.store.with_credit_index(|index| {
        body.id_numbers
            .iter()
            .map(|raw| {
                let id = raw.trim().to_ascii_uppercase();
                let Some(key) = identity_key(&id) else {
                    return CheckResult {
                        id_number: raw.clone(),
                        restricted: false,
                        measures: Vec::new(),
                        travel_ban_lifted_until: None,
                        invalid: true,
                    };
                };
                let entry = index.get(key).unwrap_or_default();
                let mut measures = Vec::new();
                if entry.dishonest > 0 {
                    measures.push("dishonest_list");
                }
                if entry.restricted > 0 {
                    measures.push("consumption_restriction");
                }
                let lifted = (entry.travel_lift_until >= today_n && entry.restricted > 0).then(|| {
                    iso_date(time::Date::from_julian_day(entry.travel_lift_until as i32 + 2_440_588).unwrap_or(today))
                });
                CheckResult {
                    id_number: raw.clone(),
                    restricted: !measures.is_empty(),
                    measures,
                    travel_ban_lifted_until: lifted,
                    invalid: false,
                }
            })
            .collect::<Vec<_>>()
    });
    state.partner_log.record(partner.id, "check", results.len() as i64, 200, now);
    Ok(Json(CheckResponse { as_of: iso_date(today), results }))
}

/// A partner reports a breach of a 限制消费令 (who, what, when, where); answers with a receipt. The same report (same `report_id`) is recorded once.
#[utoipa::path(post, path = "/api/v1/partner/restrictions/breaches", tag = "partner", request_body = BreachInput, security(("partner" = [])),
    responses((status = 201, body = BreachReceipt), (status = 200, description = "the same report again: the first receipt", body = BreachReceipt), (status = 422, body = ErrorBody)))]
pub async fn partner_breach(
    State(state): State<Arc<AppState>>,
    PartnerClient(partner): PartnerClient,
    ApiJson(body): ApiJson<BreachInput>,
) -> Result<Response, ApiError> {
    let result = report(&state, &partner.name, &body, None).await;
    let now = state.clock.now_ms();
    match result {
        Ok(receipt) => {
            let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
            state.partner_log.record(partner.id, "breach", 1, status.as_u16(), now);
            Ok((status, Json(receipt)).into_response())
        }
        Err(e) => {
            state.partner_log.record(partner.id, "breach", 1, e.status.as_u16(), now);
            Err(e)
        }
    }
}
