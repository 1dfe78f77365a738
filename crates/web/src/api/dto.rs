//! Request and response bodies of the JSON API.
//!
//! Requests carry every domain value as a string — amounts as decimal
//! strings (`"100000.00"`), dates as `YYYY-MM-DD` — and are parsed by
//! `zhixing_core` into typed values once. Responses are built from stored,
//! already-valid values.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use zhixing_core::calendar::iso_date;
use zhixing_core::case::{RawBasis, RawCase, RawClaim, RawParty};
use zhixing_core::court::{Court, CourtDirectory};
use zhixing_store::{AuditEntry, CasePage, CaseSummary, StoredCase, User, UserRef};

use crate::rfc3339;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    pub expires_at: String,
    pub user: UserDto,
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub username: String,
    pub display_name: String,
    /// admin | judge | assistant | clerk | chief | command
    pub role: String,
    pub role_label: String,
    pub court: CourtRefDto,
}

impl UserDto {
    pub fn new(user: &User, courts: &CourtDirectory) -> Self {
        Self {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().to_string(),
            role_label: user.role.label_zh().to_string(),
            court: CourtRefDto::new(user.court.as_str(), courts),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CourtRefDto {
    /// 法院代字, e.g. `浙0203`.
    pub code: String,
    pub name: String,
}

impl CourtRefDto {
    pub fn new(code: &str, courts: &CourtDirectory) -> Self {
        Self { code: code.to_string(), name: courts.find(code).map(|c| c.name.clone()).unwrap_or_default() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CourtDto {
    pub code: String,
    pub name: String,
    /// supreme | high | intermediate | basic
    pub level: String,
    pub parent: Option<String>,
}

impl From<&Court> for CourtDto {
    fn from(c: &Court) -> Self {
        Self {
            code: c.code.to_string(),
            name: c.name.clone(),
            level: c.level.as_str().to_string(),
            parent: c.parent.as_ref().map(|p| p.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserRefDto {
    pub username: String,
    pub display_name: String,
}

impl From<&UserRef> for UserRefDto {
    fn from(u: &UserRef) -> Self {
        Self { username: u.username.clone(), display_name: u.display_name.clone() }
    }
}

/// Body of `POST /api/v1/cases`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// 类型代字: 执, 执恢, 执保, 执异, 执复, 执监, 执协 or 执他.
    #[schema(example = "执")]
    pub case_type: Option<String>,
    /// 立案日期 `YYYY-MM-DD`; today when omitted.
    pub filed_on: Option<String>,
    /// Username of the handling judge (承办法官), a judge or chief of the court.
    pub handling_judge: Option<String>,
    pub basis: Option<BasisInput>,
    pub parties: Option<Vec<PartyInput>>,
    pub claims: Option<Vec<ClaimInput>>,
}

/// 执行依据.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct BasisInput {
    #[schema(example = "宁波市海曙区人民法院")]
    pub issuing_body: Option<String>,
    #[schema(example = "（2026）浙0203民初1234号")]
    pub document_number: Option<String>,
    /// 判决书, 裁定书, 调解书, 仲裁裁决书, 仲裁调解书, 公证债权文书, 支付令 or 其他.
    #[schema(example = "判决书")]
    pub document_type: Option<String>,
    #[schema(example = "2026-09-01")]
    pub effective_on: Option<String>,
    /// 履行期限届满日; `null` when the document sets no period.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "2026-09-11")]
    pub performance_due_on: Option<Option<String>>,
    /// 判项, as written in the document.
    pub operative_text: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    /// Id of an existing party (edits only); omit for a new party.
    pub id: Option<i64>,
    /// applicant (申请执行人) | respondent (被执行人) | third_party (第三人)
    pub role: Option<String>,
    /// person (自然人) | organization (法人或非法人组织)
    pub kind: Option<String>,
    pub name: Option<String>,
    /// 公民身份号码 for a person, 统一社会信用代码 for an organisation.
    pub id_number: Option<String>,
    /// 法定代表人或主要负责人 (organisations).
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    /// Reason for accepting a credit code that fails its check (judge or chief only).
    pub id_check_override_reason: Option<String>,
    /// Read-only fields of a party as returned by GET; accepted and ignored
    /// so a client can send back what it read.
    #[schema(value_type = Option<String>)]
    pub role_label: Option<serde::de::IgnoredAny>,
    #[schema(value_type = Option<Object>)]
    pub id_check_override: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    /// principal (本金) | costs (费用) | other (其他)
    pub kind: Option<String>,
    /// Decimal string in 元, at most two decimals.
    #[schema(example = "100000.00")]
    pub amount: Option<String>,
    pub description: Option<String>,
    /// Read-only (as returned by GET); ignored.
    #[schema(value_type = Option<String>)]
    pub kind_label: Option<serde::de::IgnoredAny>,
}

/// Body of `PATCH /api/v1/cases/{id}`: `version` plus any fields to change.
/// `basis` fields are merged one by one; `parties` and `claims` replace the
/// whole list (send party `id`s to keep existing parties).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    /// The version the change is based on; a stale version gets 409.
    pub version: i64,
    /// Not changeable — present only to answer with a clear error.
    #[schema(value_type = Option<String>)]
    pub case_type: Option<serde::de::IgnoredAny>,
    pub filed_on: Option<String>,
    /// `null` removes the handling judge.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub handling_judge: Option<Option<String>>,
    pub basis: Option<BasisInput>,
    pub parties: Option<Vec<PartyInput>>,
    pub claims: Option<Vec<ClaimInput>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub version: i64,
    /// Why the registration is withdrawn (recorded in the change log).
    pub reason: String,
}

fn double_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

impl PartyInput {
    pub fn into_raw(self) -> RawParty {
        RawParty {
            id: self.id,
            role: self.role,
            kind: self.kind,
            name: self.name,
            id_number: self.id_number,
            legal_representative: self.legal_representative,
            address: self.address,
            id_check_override_reason: self.id_check_override_reason,
            override_already_recorded: false,
        }
    }
}

impl ClaimInput {
    pub fn into_raw(self) -> RawClaim {
        RawClaim { kind: self.kind, amount: self.amount, description: self.description }
    }
}

impl CaseInput {
    pub fn into_raw(self) -> RawCase {
        let basis = self.basis.unwrap_or_default();
        RawCase {
            case_type: self.case_type,
            filed_on: self.filed_on,
            handling_judge: self.handling_judge,
            basis: RawBasis {
                issuing_body: basis.issuing_body,
                document_number: basis.document_number,
                document_type: basis.document_type,
                effective_on: basis.effective_on,
                performance_due_on: basis.performance_due_on.flatten(),
                operative_text: basis.operative_text,
            },
            parties: self.parties.unwrap_or_default().into_iter().map(PartyInput::into_raw).collect(),
            claims: self.claims.unwrap_or_default().into_iter().map(ClaimInput::into_raw).collect(),
        }
    }
}

impl CasePatch {
    /// Applies the patch to the current case's raw form.
    pub fn apply(self, current: &StoredCase) -> RawCase {
        let mut raw = current.to_raw();
        if let Some(filed_on) = self.filed_on {
            raw.filed_on = Some(filed_on);
        }
        if let Some(judge) = self.handling_judge {
            raw.handling_judge = judge;
        }
        if let Some(basis) = self.basis {
            let b = &mut raw.basis;
            if basis.issuing_body.is_some() {
                b.issuing_body = basis.issuing_body;
            }
            if basis.document_number.is_some() {
                b.document_number = basis.document_number;
            }
            if basis.document_type.is_some() {
                b.document_type = basis.document_type;
            }
            if basis.effective_on.is_some() {
                b.effective_on = basis.effective_on;
            }
            if let Some(due) = basis.performance_due_on {
                b.performance_due_on = due;
            }
            if basis.operative_text.is_some() {
                b.operative_text = basis.operative_text;
            }
        }
        if let Some(parties) = self.parties {
            raw.parties =
                parties.into_iter().map(|p| crate::cases::carry_override(p.into_raw(), &current.parties)).collect();
        }
        if let Some(claims) = self.claims {
            raw.claims = claims.into_iter().map(ClaimInput::into_raw).collect();
        }
        raw
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    pub id: i64,
    /// 立案法院.
    pub court: CourtRefDto,
    #[schema(example = "（2026）浙0203执123号")]
    pub case_number: String,
    pub case_type: String,
    pub case_type_name: String,
    pub filed_on: String,
    /// filed | enforcing | suspended | deferred | closed
    pub status: String,
    pub status_label: String,
    pub handling_judge: Option<UserRefDto>,
    pub basis: BasisDto,
    pub parties: Vec<PartyDto>,
    pub claims: Vec<ClaimDto>,
    /// 申请执行标的, decimal string in 元.
    pub amount_applied: String,
    /// Send this back with changes (optimistic concurrency).
    pub version: i64,
    pub created_at: String,
    pub created_by: UserRefDto,
    pub updated_at: String,
    pub updated_by: UserRefDto,
}

#[derive(Serialize, ToSchema)]
pub struct BasisDto {
    pub issuing_body: String,
    pub document_number: String,
    pub document_type: String,
    pub effective_on: String,
    pub performance_due_on: Option<String>,
    pub operative_text: String,
}

#[derive(Serialize, ToSchema)]
pub struct PartyDto {
    pub id: i64,
    pub role: String,
    pub role_label: String,
    pub kind: String,
    pub name: String,
    pub id_number: String,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub id_check_override: Option<OverrideDto>,
}

#[derive(Serialize, ToSchema)]
pub struct OverrideDto {
    pub reason: String,
    pub by: Option<UserRefDto>,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimDto {
    pub kind: String,
    pub kind_label: String,
    pub amount: String,
    pub description: Option<String>,
}

impl CaseDto {
    pub fn new(case: &StoredCase, courts: &CourtDirectory) -> Self {
        Self {
            id: case.id,
            court: CourtRefDto::new(case.court.as_str(), courts),
            case_number: case.case_number.to_string(),
            case_type: case.case_type.code().to_string(),
            case_type_name: case.case_type.name_zh().to_string(),
            filed_on: iso_date(case.filed_on),
            status: case.status.as_str().to_string(),
            status_label: case.status.label_zh().to_string(),
            handling_judge: case.handling_judge.as_ref().map(UserRefDto::from),
            basis: BasisDto {
                issuing_body: case.basis.issuing_body.clone(),
                document_number: case.basis.document_number.clone(),
                document_type: case.basis.document_type.as_str().to_string(),
                effective_on: iso_date(case.basis.effective_on),
                performance_due_on: case.basis.performance_due_on.map(iso_date),
                operative_text: case.basis.operative_text.clone(),
            },
            parties: case
                .parties
                .iter()
                .map(|p| PartyDto {
                    id: p.id,
                    role: p.draft.role.as_str().to_string(),
                    role_label: p.draft.role.label_zh().to_string(),
                    kind: p.draft.kind.as_str().to_string(),
                    name: p.draft.name.clone(),
                    id_number: p.draft.id_number.as_str().to_string(),
                    legal_representative: p.draft.legal_representative.clone(),
                    address: p.draft.address.clone(),
                    id_check_override: p.id_override.as_ref().map(|o| OverrideDto {
                        reason: o.reason.clone(),
                        by: o.by.as_ref().map(UserRefDto::from),
                        at: rfc3339(o.at),
                    }),
                })
                .collect(),
            claims: case
                .claims
                .iter()
                .map(|c| ClaimDto {
                    kind: c.kind.as_str().to_string(),
                    kind_label: c.kind.label_zh().to_string(),
                    amount: c.amount.to_string(),
                    description: c.description.clone(),
                })
                .collect(),
            amount_applied: case.amount_applied.to_string(),
            version: case.version,
            created_at: rfc3339(case.created_at),
            created_by: (&case.created_by).into(),
            updated_at: rfc3339(case.updated_at),
            updated_by: (&case.updated_by).into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseSummaryDto {
    pub id: i64,
    pub court: String,
    pub case_number: String,
    pub case_type: String,
    pub filed_on: String,
    pub status: String,
    pub status_label: String,
    pub handling_judge: Option<String>,
    pub applicants: Vec<String>,
    pub respondents: Vec<String>,
    pub amount_applied: String,
}

impl From<&CaseSummary> for CaseSummaryDto {
    fn from(s: &CaseSummary) -> Self {
        Self {
            id: s.id,
            court: s.court.to_string(),
            case_number: s.case_number.to_string(),
            case_type: s.case_type.code().to_string(),
            filed_on: iso_date(s.filed_on),
            status: s.status.as_str().to_string(),
            status_label: s.status.label_zh().to_string(),
            handling_judge: s.handling_judge.clone(),
            applicants: s.applicants.clone(),
            respondents: s.respondents.clone(),
            amount_applied: s.amount_applied.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseListDto {
    pub items: Vec<CaseSummaryDto>,
    pub page: u32,
    pub page_size: i64,
    pub has_more: bool,
    /// True when the search text matched too many cases (more than 5,000)
    /// and only some of them are listed; refine the text.
    pub truncated: bool,
}

impl From<&CasePage> for CaseListDto {
    fn from(p: &CasePage) -> Self {
        Self {
            items: p.items.iter().map(CaseSummaryDto::from).collect(),
            page: p.page,
            page_size: zhixing_store::PAGE_SIZE,
            has_more: p.has_more,
            truncated: p.truncated,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub version: i64,
    pub at: String,
    pub actor: UserRefDto,
    /// created | updated | deleted
    pub action: String,
    pub changes: Vec<ChangeDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeDto {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<&AuditEntry> for AuditEntryDto {
    fn from(a: &AuditEntry) -> Self {
        Self {
            version: a.version,
            at: rfc3339(a.at),
            actor: (&a.actor).into(),
            action: a.action.clone(),
            changes: a
                .changes
                .iter()
                .map(|c| ChangeDto { field: c.field.clone(), before: c.before.clone(), after: c.after.clone() })
                .collect(),
        }
    }
}
