//! The enforcement case as filed: 执行依据, parties, money claims.
//!
//! [`parse_case`] is the single place where untrusted text (from the JSON
//! API, the web form, the CLI or an import) becomes a [`CaseDraft`]. It
//! collects every problem at once, each tied to its field path, so a form can
//! show all errors together and the API can name the offending field.

use std::collections::HashSet;

use time::Date;

use crate::calendar::parse_iso_date;
use crate::case_number::{CaseReference, EnforcementType, FIRST_YEAR_OF_CURRENT_FORMAT};
use crate::citizen_id::CitizenId;
use crate::court::CourtLevel;
use crate::credit_code::CreditCode;
use crate::error::{Errors, FieldError};
use crate::money::{Money, MoneyError};
use crate::text::{normalize_block, normalize_line};

/// Status of a case in the register. The full enforcement workflow (closing
/// modes, suspension grounds, events) builds on this; the register itself
/// moves a case from 已立案 to 执行中 when a handling judge is assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    /// 已立案 — filed, no handling judge yet.
    Filed,
    /// 执行中 — a handling judge is working on it.
    Enforcing,
    /// 中止执行 (CPL art 267).
    Suspended,
    /// 暂缓执行 (JS art 467).
    Deferred,
    /// 已结案 (LJ arts 14–20).
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] =
        [CaseStatus::Filed, CaseStatus::Enforcing, CaseStatus::Suspended, CaseStatus::Deferred, CaseStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Filed => "filed",
            CaseStatus::Enforcing => "enforcing",
            CaseStatus::Suspended => "suspended",
            CaseStatus::Deferred => "deferred",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseStatus::Filed => "已立案",
            CaseStatus::Enforcing => "执行中",
            CaseStatus::Suspended => "中止执行",
            CaseStatus::Deferred => "暂缓执行",
            CaseStatus::Closed => "已结案",
        }
    }

    /// The status after the handling judge is set or cleared.
    pub fn with_handling_judge(self, assigned: bool) -> CaseStatus {
        match (self, assigned) {
            (CaseStatus::Filed, true) => CaseStatus::Enforcing,
            (CaseStatus::Enforcing, false) => CaseStatus::Filed,
            (other, _) => other,
        }
    }
}

/// Kind of the legal document enforced (执行依据): CPL arts 247–249 (court
/// judgments and rulings, arbitral awards, notarised debt instruments) and
/// JS art 460 (the documents the court enforces).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentType {
    Judgment,
    Ruling,
    Mediation,
    ArbitralAward,
    ArbitralMediation,
    NotarizedDebt,
    PaymentOrder,
    Other,
}

impl DocumentType {
    pub const ALL: [DocumentType; 8] = [
        DocumentType::Judgment,
        DocumentType::Ruling,
        DocumentType::Mediation,
        DocumentType::ArbitralAward,
        DocumentType::ArbitralMediation,
        DocumentType::NotarizedDebt,
        DocumentType::PaymentOrder,
        DocumentType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Judgment => "判决书",
            DocumentType::Ruling => "裁定书",
            DocumentType::Mediation => "调解书",
            DocumentType::ArbitralAward => "仲裁裁决书",
            DocumentType::ArbitralMediation => "仲裁调解书",
            DocumentType::NotarizedDebt => "公证债权文书",
            DocumentType::PaymentOrder => "支付令",
            DocumentType::Other => "其他",
        }
    }

    /// Accepts the Chinese name (canonical) or the English identifier.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|t| t.as_str() == s || t.identifier() == s)
    }

    pub fn identifier(self) -> &'static str {
        match self {
            DocumentType::Judgment => "judgment",
            DocumentType::Ruling => "ruling",
            DocumentType::Mediation => "mediation",
            DocumentType::ArbitralAward => "arbitral_award",
            DocumentType::ArbitralMediation => "arbitral_mediation",
            DocumentType::NotarizedDebt => "notarized_debt",
            DocumentType::PaymentOrder => "payment_order",
            DocumentType::Other => "other",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartyRole {
    /// 申请执行人
    Applicant,
    /// 被执行人
    Respondent,
    /// 第三人
    ThirdParty,
}

impl PartyRole {
    pub const ALL: [PartyRole; 3] = [PartyRole::Applicant, PartyRole::Respondent, PartyRole::ThirdParty];

    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Applicant => "applicant",
            PartyRole::Respondent => "respondent",
            PartyRole::ThirdParty => "third_party",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PartyRole::Applicant => "申请执行人",
            PartyRole::Respondent => "被执行人",
            PartyRole::ThirdParty => "第三人",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartyKind {
    /// 自然人
    Person,
    /// 法人或非法人组织
    Organization,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "person" => Some(PartyKind::Person),
            "organization" => Some(PartyKind::Organization),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PartyKind::Person => "自然人",
            PartyKind::Organization => "法人或非法人组织",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimKind {
    /// 本金
    Principal,
    /// 诉讼费用等
    Costs,
    /// 其他（利息、违约金…）
    Other,
}

impl ClaimKind {
    pub const ALL: [ClaimKind; 3] = [ClaimKind::Principal, ClaimKind::Costs, ClaimKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Principal => "principal",
            ClaimKind::Costs => "costs",
            ClaimKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ClaimKind::Principal => "本金",
            ClaimKind::Costs => "费用",
            ClaimKind::Other => "其他",
        }
    }
}

/// A party's identity number, typed by the party's kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PartyId {
    Citizen(CitizenId),
    Credit(CreditCode),
}

impl PartyId {
    pub fn as_str(&self) -> &str {
        match self {
            PartyId::Citizen(id) => id.as_str(),
            PartyId::Credit(code) => code.as_str(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasisDraft {
    /// 作出机关, e.g. 宁波市海曙区人民法院, 宁波仲裁委员会.
    pub issuing_body: String,
    /// 文书编号 — normalised to the standard form when it is a 案号.
    pub document_number: String,
    pub document_type: DocumentType,
    /// 生效日期
    pub effective_on: Date,
    /// 履行期限届满日 (None: the document sets no period).
    pub performance_due_on: Option<Date>,
    /// 判项 (operative part) as written.
    pub operative_text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyDraft {
    /// Set when the party already exists on the case (edits keep its id).
    pub existing_id: Option<i64>,
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: String,
    pub id_number: PartyId,
    /// 法定代表人或主要负责人 (organisations only).
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    /// Reason recorded when a credit code failing its check was accepted.
    pub id_check_override_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimDraft {
    pub kind: ClaimKind,
    pub amount: Money,
    pub description: Option<String>,
}

/// A valid case as entered, before the register gives it a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDraft {
    pub case_type: EnforcementType,
    pub filed_on: Date,
    /// Username of the handling judge (承办法官); resolved by the caller.
    pub handling_judge: Option<String>,
    pub basis: BasisDraft,
    pub parties: Vec<PartyDraft>,
    pub claims: Vec<ClaimDraft>,
}

impl CaseDraft {
    /// 申请执行标的: the sum of the money claims.
    pub fn amount_applied(&self) -> Money {
        let total: Option<Money> = self.claims.iter().map(|c| &c.amount).sum();
        // Bounded in `parse_case`.
        total.unwrap_or(Money::ZERO)
    }
}

/// Untrusted input: every field as text, exactly as received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawCase {
    pub case_type: Option<String>,
    pub filed_on: Option<String>,
    pub handling_judge: Option<String>,
    pub basis: RawBasis,
    pub parties: Vec<RawParty>,
    pub claims: Vec<RawClaim>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawBasis {
    pub issuing_body: Option<String>,
    pub document_number: Option<String>,
    pub document_type: Option<String>,
    pub effective_on: Option<String>,
    pub performance_due_on: Option<String>,
    pub operative_text: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawParty {
    pub id: Option<i64>,
    pub role: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub id_check_override_reason: Option<String>,
    /// True when the override was recorded earlier and is merely carried
    /// over by an edit (no new authorisation needed).
    pub override_already_recorded: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawClaim {
    pub kind: Option<String>,
    pub amount: Option<String>,
    pub description: Option<String>,
}

/// What the rules need to know besides the input.
#[derive(Clone, Copy, Debug)]
pub struct FilingContext {
    pub today: Date,
    pub court_level: CourtLevel,
    pub may_override_id_checks: bool,
}

pub const MAX_PARTIES: usize = 200;
pub const MAX_CLAIMS: usize = 100;

/// Parses and validates a whole case.
pub fn parse_case(raw: &RawCase, ctx: &FilingContext) -> Result<CaseDraft, Vec<FieldError>> {
    let mut errors = Errors::new();

    let case_type = errors.take(parse_case_type(raw.case_type.as_deref(), ctx.court_level));
    let filed_on = errors.take(parse_filed_on(raw.filed_on.as_deref(), ctx.today));
    let handling_judge = optional_line(raw.handling_judge.as_deref());
    let basis = parse_basis(&raw.basis, filed_on, &mut errors);

    if raw.parties.len() > MAX_PARTIES {
        errors.push(FieldError::new("parties", "too_many", format!("当事人最多{MAX_PARTIES}个")));
    }
    let mut parties = Vec::new();
    for (i, p) in raw.parties.iter().enumerate() {
        match parse_party(p, ctx) {
            Ok(party) => parties.push(party),
            Err(errs) => errs.into_iter().for_each(|e| errors.push(e.under(&format!("parties[{i}]")))),
        }
    }
    check_party_roles(&raw.parties, &parties, &mut errors);

    if raw.claims.len() > MAX_CLAIMS {
        errors.push(FieldError::new("claims", "too_many", format!("请求事项最多{MAX_CLAIMS}项")));
    }
    let mut claims = Vec::new();
    for (i, c) in raw.claims.iter().enumerate() {
        match parse_claim(c) {
            Ok(claim) => claims.push(claim),
            Err(errs) => errs.into_iter().for_each(|e| errors.push(e.under(&format!("claims[{i}]")))),
        }
    }
    let total: Option<Money> = claims.iter().map(|c| &c.amount).sum();
    if total.is_none() {
        errors.push(FieldError::new("claims", "amount_too_large", "申请执行标的合计超出上限"));
    }

    match (case_type, filed_on, basis) {
        (Some(case_type), Some(filed_on), Some(basis)) if errors.is_empty() => {
            Ok(CaseDraft { case_type, filed_on, handling_judge, basis, parties, claims })
        }
        _ => Err(errors.into_vec()),
    }
}

fn parse_case_type(text: Option<&str>, court_level: CourtLevel) -> Result<EnforcementType, FieldError> {
    let code = required_line(text, "case_type", "案件类型")?;
    let case_type = EnforcementType::from_code(&code).ok_or_else(|| {
        FieldError::new(
            "case_type",
            "invalid_case_type",
            format!("“{code}”不是执行类案件类型代字；应为执、执恢、执保、执异、执复、执监、执协或执他"),
        )
    })?;
    let (lowest, rule) = case_type.lowest_court_level();
    if court_level > lowest {
        return Err(FieldError::new(
            "case_type",
            "case_type_not_allowed_at_court",
            format!("{}不能由{}立案（{rule}）", case_type.name_zh(), court_level.label_zh()),
        ));
    }
    Ok(case_type)
}

fn parse_filed_on(text: Option<&str>, today: Date) -> Result<Date, FieldError> {
    let date = match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => return Ok(today),
        Some(s) => parse_date(s, "filed_on", "立案日期")?,
    };
    if date > today {
        return Err(FieldError::new("filed_on", "date_in_future", "立案日期不能晚于今天"));
    }
    if date.year() < i32::from(FIRST_YEAR_OF_CURRENT_FORMAT) {
        return Err(FieldError::new(
            "filed_on",
            "filed_before_current_numbering",
            "2016年1月1日以前受理的案件使用旧式案号，不能在本系统新立案（《关于人民法院案件案号的若干规定》自2016年1月1日起施行）",
        ));
    }
    Ok(date)
}

fn parse_basis(raw: &RawBasis, filed_on: Option<Date>, errors: &mut Errors) -> Option<BasisDraft> {
    let at = |e: FieldError| e.under("basis");
    let issuing_body = errors.take(
        required_line(raw.issuing_body.as_deref(), "issuing_body", "作出执行依据的机关")
            .and_then(|s| max_len(s, 100, "issuing_body", "作出机关"))
            .map_err(at),
    );
    let document_number = errors.take(
        required_line(raw.document_number.as_deref(), "document_number", "执行依据文书编号")
            .and_then(|s| max_len(s, 100, "document_number", "文书编号"))
            .map(|s| CaseReference::parse(&s).map_or(s, |r| r.to_string()))
            .map_err(at),
    );
    let document_type = errors.take(
        required_line(raw.document_type.as_deref(), "document_type", "执行依据种类")
            .and_then(|s| {
                DocumentType::parse(&s).ok_or_else(|| {
                    FieldError::new(
                        "document_type",
                        "invalid_document_type",
                        "执行依据种类应为判决书、裁定书、调解书、仲裁裁决书、仲裁调解书、公证债权文书、支付令或其他",
                    )
                })
            })
            .map_err(at),
    );
    let effective_on = errors.take(
        required_line(raw.effective_on.as_deref(), "effective_on", "生效日期")
            .and_then(|s| parse_date(&s, "effective_on", "生效日期"))
            .map_err(at),
    );
    let performance_due_on = match optional_line(raw.performance_due_on.as_deref()) {
        None => Some(None),
        Some(s) => errors.take(parse_date(&s, "performance_due_on", "履行期限届满日").map(Some).map_err(at)),
    };
    let operative_text = errors.take(
        raw.operative_text
            .as_deref()
            .map(normalize_block)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                // JS art 461: the document must state what is to be performed.
                FieldError::new(
                    "operative_text",
                    "required",
                    "请照录执行依据的判项（《民事诉讼法解释》第四百六十一条：给付内容明确）",
                )
            })
            .and_then(|s| max_len(s, 20_000, "operative_text", "判项"))
            .map_err(at),
    );

    if let (Some(effective), Some(filed)) = (effective_on, filed_on)
        && effective > filed
    {
        // CPL art 247: only documents that have taken legal effect are enforced.
        errors.push(FieldError::new(
            "basis.effective_on",
            "effective_after_filing",
            "执行依据的生效日期晚于立案日期：只有发生法律效力的法律文书才能申请执行（《民事诉讼法》第二百四十七条）",
        ));
    }

    Some(BasisDraft {
        issuing_body: issuing_body?,
        document_number: document_number?,
        document_type: document_type?,
        effective_on: effective_on?,
        performance_due_on: performance_due_on?,
        operative_text: operative_text?,
    })
}

fn parse_party(raw: &RawParty, ctx: &FilingContext) -> Result<PartyDraft, Vec<FieldError>> {
    let mut errors = Errors::new();
    let role = errors.take(required_line(raw.role.as_deref(), "role", "当事人地位").and_then(|s| {
        PartyRole::parse(&s).ok_or_else(|| {
            FieldError::new(
                "role",
                "invalid_party_role",
                "当事人地位应为 applicant（申请执行人）、respondent（被执行人）或 third_party（第三人）",
            )
        })
    }));
    let kind = errors.take(required_line(raw.kind.as_deref(), "kind", "当事人类型").and_then(|s| {
        PartyKind::parse(&s).ok_or_else(|| {
            FieldError::new(
                "kind",
                "invalid_party_kind",
                "当事人类型应为 person（自然人）或 organization（法人或非法人组织）",
            )
        })
    }));
    let name = errors
        .take(required_line(raw.name.as_deref(), "name", "当事人名称").and_then(|s| max_len(s, 100, "name", "名称")));
    let legal_representative = optional_line(raw.legal_representative.as_deref());
    let address = match optional_line(raw.address.as_deref()) {
        Some(a) => errors.take(max_len(a, 200, "address", "住所").map(Some)),
        None => Some(None),
    };
    let override_reason = optional_line(raw.id_check_override_reason.as_deref());

    let id_number = kind.and_then(|kind| {
        let text = match required_line(raw.id_number.as_deref(), "id_number", "证件号码") {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                return None;
            }
        };
        match kind {
            PartyKind::Person => match CitizenId::parse(&text) {
                Ok(id) if id.birth_date() > ctx.today => {
                    errors.push(FieldError::new("id_number", "invalid_citizen_id", "身份证号码中的出生日期晚于今天"));
                    None
                }
                Ok(id) => Some(PartyId::Citizen(id)),
                Err(e) => {
                    errors.push(FieldError::new("id_number", "invalid_citizen_id", format!("{e}（GB 11643-1999）")));
                    None
                }
            },
            PartyKind::Organization => {
                parse_credit_code(&text, override_reason.as_deref(), raw, ctx, &mut errors).map(PartyId::Credit)
            }
        }
    });

    match kind {
        Some(PartyKind::Organization) => match &legal_representative {
            None => errors.push(FieldError::new(
                "legal_representative",
                "required",
                "请填写法定代表人或主要负责人（《民事诉讼法》第五十一条）",
            )),
            Some(rep) if rep.chars().count() > 50 => {
                errors.push(FieldError::new("legal_representative", "too_long", "法定代表人姓名不能超过50个字"))
            }
            Some(_) => {}
        },
        Some(PartyKind::Person) if legal_representative.is_some() => errors.push(FieldError::new(
            "legal_representative",
            "legal_representative_not_allowed",
            "自然人没有法定代表人；请删除此项",
        )),
        _ => {}
    }
    if override_reason.is_some() && kind == Some(PartyKind::Person) {
        errors.push(FieldError::new(
            "id_check_override_reason",
            "override_not_applicable",
            "只有统一社会信用代码的校验错误可以经授权放行",
        ));
    }

    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    match (role, kind, name, id_number, address) {
        (Some(role), Some(kind), Some(name), Some(id_number), Some(address)) => {
            let keeps_override = matches!(&id_number, PartyId::Credit(code) if !code.checks_pass());
            Ok(PartyDraft {
                existing_id: raw.id,
                role,
                kind,
                name,
                id_number,
                legal_representative: if kind == PartyKind::Organization { legal_representative } else { None },
                address,
                id_check_override_reason: if keeps_override { override_reason } else { None },
            })
        }
        _ => Err(vec![FieldError::new("", "invalid_party", "当事人信息不完整")]),
    }
}

fn parse_credit_code(
    text: &str,
    override_reason: Option<&str>,
    raw: &RawParty,
    ctx: &FilingContext,
    errors: &mut Errors,
) -> Option<CreditCode> {
    match CreditCode::parse(text) {
        Ok(code) => Some(code),
        Err(_) if CitizenId::parse(text).is_ok() => {
            errors.push(FieldError::new(
                "id_number",
                "invalid_credit_code",
                "这是身份证号码；组织应填写统一社会信用代码，自然人请将当事人类型选为“自然人”",
            ));
            None
        }
        Err(e) if e.is_check_failure() => {
            let Some(reason) = override_reason else {
                errors.push(FieldError::new(
                    "id_number",
                    "credit_code_check_failed",
                    format!("{e}。如确认该代码与营业执照一致，可由执行法官或执行局长填写放行理由后登记"),
                ));
                return None;
            };
            if !ctx.may_override_id_checks && !raw.override_already_recorded {
                errors.push(FieldError::new(
                    "id_check_override_reason",
                    "override_not_permitted",
                    "只有执行法官或执行局长可以放行校验未通过的统一社会信用代码",
                ));
                return None;
            }
            if reason.chars().count() < 4 || reason.chars().count() > 500 {
                errors.push(FieldError::new(
                    "id_check_override_reason",
                    "invalid_override_reason",
                    "放行理由应为4至500个字，写明核对的依据（如营业执照原件）",
                ));
                return None;
            }
            CreditCode::parse_overriding_checks(text).ok()
        }
        Err(e) => {
            errors.push(FieldError::new("id_number", "invalid_credit_code", format!("{e}（GB 32100-2015）")));
            None
        }
    }
}

/// JS art 461: the parties whose rights and duties are enforced must be
/// clear — a case needs at least one 申请执行人 and one 被执行人, and one
/// person cannot stand on both sides.
fn check_party_roles(raw: &[RawParty], parties: &[PartyDraft], errors: &mut Errors) {
    let has_role = |role: PartyRole| raw.iter().any(|p| p.role.as_deref().and_then(PartyRole::parse) == Some(role));
    if !has_role(PartyRole::Applicant) {
        errors.push(FieldError::new(
            "parties",
            "missing_applicant",
            "至少应有一名申请执行人（《民事诉讼法解释》第四百六十一条：权利义务主体明确）",
        ));
    }
    if !has_role(PartyRole::Respondent) {
        errors.push(FieldError::new(
            "parties",
            "missing_respondent",
            "至少应有一名被执行人（《民事诉讼法解释》第四百六十一条：权利义务主体明确）",
        ));
    }
    let mut seen = HashSet::new();
    for (i, party) in parties.iter().enumerate() {
        if !seen.insert(party.id_number.as_str().to_string()) {
            errors.push(FieldError::new(
                format!("parties[{i}].id_number"),
                "duplicate_party",
                "同一证件号码在本案中重复出现；同一当事人只能登记一次",
            ));
        }
    }
}

fn parse_claim(raw: &RawClaim) -> Result<ClaimDraft, Vec<FieldError>> {
    let mut errors = Errors::new();
    let kind = errors.take(required_line(raw.kind.as_deref(), "kind", "请求类型").and_then(|s| {
        ClaimKind::parse(&s).ok_or_else(|| {
            FieldError::new(
                "kind",
                "invalid_claim_kind",
                "请求类型应为 principal（本金）、costs（费用）或 other（其他）",
            )
        })
    }));
    let amount = errors.take(match raw.amount.as_deref() {
        None => Err(FieldError::required("amount", "金额")),
        Some(text) => match Money::parse(text) {
            Ok(m) if m.is_zero() => Err(FieldError::new("amount", "amount_not_positive", "金额应大于零")),
            Ok(m) => Ok(m),
            Err(MoneyError::Empty) => Err(FieldError::required("amount", "金额")),
            Err(e) => Err(FieldError::new("amount", "invalid_amount", e.to_string())),
        },
    });
    let description = match optional_line(raw.description.as_deref()) {
        Some(d) => errors.take(max_len(d, 200, "description", "说明").map(Some)),
        None => Some(None),
    };
    match (kind, amount, description) {
        (Some(kind), Some(amount), Some(description)) if errors.is_empty() => {
            Ok(ClaimDraft { kind, amount, description })
        }
        _ => Err(errors.into_vec()),
    }
}

fn optional_line(text: Option<&str>) -> Option<String> {
    text.map(normalize_line).filter(|s| !s.is_empty())
}

fn required_line(text: Option<&str>, field: &str, label: &str) -> Result<String, FieldError> {
    optional_line(text).ok_or_else(|| FieldError::required(field, label))
}

fn max_len(text: String, max: usize, field: &str, label: &str) -> Result<String, FieldError> {
    if text.chars().count() > max {
        Err(FieldError::new(field, "too_long", format!("{label}不能超过{max}个字")))
    } else {
        Ok(text)
    }
}

fn parse_date(text: &str, field: &str, label: &str) -> Result<Date, FieldError> {
    parse_iso_date(text)
        .ok_or_else(|| FieldError::new(field, "invalid_date", format!("{label}“{text}”不是有效日期，应为YYYY-MM-DD")))
}

/// One changed field of a case, as recorded in the change log (who, when
/// and *what*). Values are display text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl PartyDraft {
    /// One-line description used in the change log.
    pub fn summary(&self) -> String {
        let mut s = format!("{} {}（{}）", self.role.label_zh(), self.name, self.id_number.as_str());
        if let Some(rep) = &self.legal_representative {
            s.push_str(&format!("，法定代表人{rep}"));
        }
        if let Some(address) = &self.address {
            s.push_str(&format!("，住所{address}"));
        }
        if let Some(reason) = &self.id_check_override_reason {
            s.push_str(&format!("，代码校验放行：{reason}"));
        }
        s
    }
}

impl ClaimDraft {
    pub fn summary(&self) -> String {
        match &self.description {
            Some(d) => format!("{} {}元（{d}）", self.kind.label_zh(), self.amount),
            None => format!("{} {}元", self.kind.label_zh(), self.amount),
        }
    }
}

/// The field-level differences between two versions of a case. Parties are
/// matched by their stored id; new parties have none.
pub fn diff(old: &CaseDraft, new: &CaseDraft) -> Vec<Change> {
    use crate::calendar::iso_date;
    let mut changes = Vec::new();
    let mut push = |field: String, before: Option<String>, after: Option<String>| {
        if before != after {
            changes.push(Change { field, before, after });
        }
    };
    push("filed_on".into(), Some(iso_date(old.filed_on)), Some(iso_date(new.filed_on)));
    push("handling_judge".into(), old.handling_judge.clone(), new.handling_judge.clone());
    let (ob, nb) = (&old.basis, &new.basis);
    push("basis.issuing_body".into(), Some(ob.issuing_body.clone()), Some(nb.issuing_body.clone()));
    push("basis.document_number".into(), Some(ob.document_number.clone()), Some(nb.document_number.clone()));
    push("basis.document_type".into(), Some(ob.document_type.as_str().into()), Some(nb.document_type.as_str().into()));
    push("basis.effective_on".into(), Some(iso_date(ob.effective_on)), Some(iso_date(nb.effective_on)));
    push("basis.performance_due_on".into(), ob.performance_due_on.map(iso_date), nb.performance_due_on.map(iso_date));
    push("basis.operative_text".into(), Some(ob.operative_text.clone()), Some(nb.operative_text.clone()));

    for party in &old.parties {
        let counterpart = new.parties.iter().find(|p| p.existing_id.is_some() && p.existing_id == party.existing_id);
        let field = format!("parties[id={}]", party.existing_id.unwrap_or_default());
        push(field, Some(party.summary()), counterpart.map(PartyDraft::summary));
    }
    for party in new
        .parties
        .iter()
        .filter(|p| p.existing_id.is_none() || !old.parties.iter().any(|o| o.existing_id == p.existing_id))
    {
        push("parties[new]".into(), None, Some(party.summary()));
    }
    let claims = |c: &CaseDraft| c.claims.iter().map(ClaimDraft::summary).collect::<Vec<_>>().join("；");
    push("claims".into(), Some(claims(old)), Some(claims(new)));
    changes
}

/// Terms under which the register finds a case: [`number_search_terms`]
/// and [`party_search_terms`] together.
pub fn search_terms(draft: &CaseDraft, case_number: &crate::case_number::CaseNumber) -> Vec<String> {
    let mut terms: std::collections::BTreeSet<String> = party_search_terms(draft).into_iter().collect();
    terms.extend(number_search_terms(case_number));
    terms.into_iter().collect()
}

/// The 案号 as search terms: whole, without the year, and from the type code
/// on — so `（2025）浙0203执12号`, `浙0203执12号` and `执12` all find it.
pub fn number_search_terms(case_number: &crate::case_number::CaseNumber) -> Vec<String> {
    use crate::text::search_key;
    let number = case_number.to_string();
    let mut terms = vec![search_key(&number)];
    if let Some((_, after_year)) = number.split_once('）') {
        terms.push(search_key(after_year));
        let type_code = case_number.case_type().code();
        if let Some(pos) = after_year.find(type_code) {
            terms.push(search_key(&after_year[pos..]));
        }
    }
    terms.dedup();
    terms
}

/// Legal-form tails shared by most organisation names; suffixes that are
/// only part of such a tail (`有限公司`, `公司` …) would match every company
/// and are not indexed.
const GENERIC_NAME_TAILS: [&str; 3] = ["股份有限公司", "有限责任公司", "合伙企业"];

/// Each identity number, each 法定代表人, and every suffix of two or more
/// characters of each party name — so a prefix search over terms is a
/// substring search over names.
pub fn party_search_terms(draft: &CaseDraft) -> Vec<String> {
    use crate::text::search_key;
    let mut terms = std::collections::BTreeSet::new();
    for party in &draft.parties {
        terms.insert(search_key(party.id_number.as_str()));
        if let Some(rep) = &party.legal_representative {
            terms.insert(search_key(rep));
        }
        let name: Vec<char> = search_key(&party.name).chars().collect();
        terms.insert(name.iter().collect());
        for start in 1..name.len().saturating_sub(1) {
            let suffix: String = name[start..].iter().collect();
            if !GENERIC_NAME_TAILS.iter().any(|tail| tail.ends_with(suffix.as_str())) {
                terms.insert(suffix);
            }
        }
    }
    terms.into_iter().filter(|t| !t.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ctx() -> FilingContext {
        FilingContext { today: date!(2026 - 11 - 27), court_level: CourtLevel::Basic, may_override_id_checks: false }
    }

    pub(crate) fn valid_raw() -> RawCase {
        RawCase {
            case_type: Some("执".into()),
            filed_on: Some("2026-11-20".into()),
            handling_judge: None,
            basis: RawBasis {
                issuing_body: Some("宁波市海曙区人民法院".into()),
                document_number: Some("(2026)浙0203民初1234号".into()),
                document_type: Some("判决书".into()),
                effective_on: Some("2026-09-01".into()),
                performance_due_on: Some("2026-09-11".into()),
                operative_text: Some(
                    "一、被告于本判决生效之日起十日内支付原告货款100000元；\n二、案件受理费2300元由被告负担。".into(),
                ),
            },
            parties: vec![
                RawParty {
                    role: Some("applicant".into()),
                    kind: Some("person".into()),
                    name: Some("张三".into()),
                    id_number: Some("110105199003071239".into()),
                    ..Default::default()
                },
                RawParty {
                    role: Some("respondent".into()),
                    kind: Some("organization".into()),
                    name: Some("宁波某某贸易有限公司".into()),
                    id_number: Some("91110105MA01B2C34Q".into()),
                    legal_representative: Some("李四".into()),
                    ..Default::default()
                },
            ],
            claims: vec![
                RawClaim {
                    kind: Some("principal".into()),
                    amount: Some("100000".into()),
                    description: Some("货款".into()),
                },
                RawClaim { kind: Some("costs".into()), amount: Some("2300.00".into()), description: None },
            ],
        }
    }

    fn codes(result: Result<CaseDraft, Vec<FieldError>>) -> Vec<(String, &'static str)> {
        result.unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_valid_case_parses_and_normalizes() {
        let draft = parse_case(&valid_raw(), &ctx()).unwrap();
        assert_eq!(draft.case_type, EnforcementType::First);
        assert_eq!(draft.basis.document_number, "（2026）浙0203民初1234号");
        assert_eq!(draft.amount_applied().to_string(), "102300.00");
        assert_eq!(draft.parties.len(), 2);
    }

    #[test]
    fn every_error_is_reported_with_its_path() {
        let mut raw = valid_raw();
        raw.parties[0].id_number = Some("110105199003071238".into());
        raw.parties[1].legal_representative = None;
        raw.claims[0].amount = Some("12.345".into());
        raw.basis.effective_on = Some("2026-13-01".into());
        let got = codes(parse_case(&raw, &ctx()));
        assert_eq!(
            got,
            vec![
                ("basis.effective_on".to_string(), "invalid_date"),
                ("parties[0].id_number".to_string(), "invalid_citizen_id"),
                ("parties[1].legal_representative".to_string(), "required"),
                ("claims[0].amount".to_string(), "invalid_amount"),
            ]
        );
    }

    #[test]
    fn needs_both_sides_and_no_duplicates() {
        let mut raw = valid_raw();
        raw.parties.remove(1);
        assert!(codes(parse_case(&raw, &ctx())).contains(&("parties".to_string(), "missing_respondent")));
        let mut raw = valid_raw();
        let mut dup = raw.parties[0].clone();
        dup.role = Some("respondent".into());
        raw.parties.push(dup);
        assert!(codes(parse_case(&raw, &ctx())).contains(&("parties[2].id_number".to_string(), "duplicate_party")));
    }

    #[test]
    fn dates_follow_the_rules() {
        let mut raw = valid_raw();
        raw.filed_on = Some("2026-11-28".into());
        assert_eq!(codes(parse_case(&raw, &ctx())), vec![("filed_on".to_string(), "date_in_future")]);
        let mut raw = valid_raw();
        raw.basis.effective_on = Some("2026-11-21".into());
        assert_eq!(codes(parse_case(&raw, &ctx())), vec![("basis.effective_on".to_string(), "effective_after_filing")]);
        let mut raw = valid_raw();
        raw.filed_on = None;
        assert_eq!(parse_case(&raw, &ctx()).unwrap().filed_on, date!(2026 - 11 - 27));
    }

    #[test]
    fn review_case_types_need_a_higher_court() {
        let mut raw = valid_raw();
        raw.case_type = Some("执复".into());
        assert_eq!(codes(parse_case(&raw, &ctx())), vec![("case_type".to_string(), "case_type_not_allowed_at_court")]);
        let higher = FilingContext { court_level: CourtLevel::Intermediate, ..ctx() };
        assert!(parse_case(&raw, &higher).is_ok());
        raw.case_type = Some("民初".into());
        assert_eq!(codes(parse_case(&raw, &higher)), vec![("case_type".to_string(), "invalid_case_type")]);
    }

    #[test]
    fn credit_code_override_needs_authority_and_a_reason() {
        let mut raw = valid_raw();
        raw.parties[1].id_number = Some("91350211M0000XUF46".into());
        assert_eq!(
            codes(parse_case(&raw, &ctx())),
            vec![("parties[1].id_number".to_string(), "credit_code_check_failed")]
        );
        raw.parties[1].id_check_override_reason = Some("已核对营业执照原件，代码一致".into());
        assert_eq!(
            codes(parse_case(&raw, &ctx())),
            vec![("parties[1].id_check_override_reason".to_string(), "override_not_permitted")]
        );
        let judge = FilingContext { may_override_id_checks: true, ..ctx() };
        let draft = parse_case(&raw, &judge).unwrap();
        let PartyId::Credit(code) = &draft.parties[1].id_number else { panic!() };
        assert!(!code.checks_pass());
        assert!(draft.parties[1].id_check_override_reason.is_some());
        // A format error can never be overridden.
        raw.parties[1].id_number = Some("91350211M0000XUF4".into());
        assert_eq!(codes(parse_case(&raw, &judge)), vec![("parties[1].id_number".to_string(), "invalid_credit_code")]);
    }

    #[test]
    fn a_person_id_in_the_organization_slot_gets_a_hint() {
        let mut raw = valid_raw();
        raw.parties[1].id_number = Some("110105199003071239".into());
        let errors = parse_case(&raw, &ctx()).unwrap_err();
        assert!(errors[0].message.contains("这是身份证号码"));
    }

    #[test]
    fn status_moves_with_the_handling_judge() {
        assert_eq!(CaseStatus::Filed.with_handling_judge(true), CaseStatus::Enforcing);
        assert_eq!(CaseStatus::Enforcing.with_handling_judge(false), CaseStatus::Filed);
        assert_eq!(CaseStatus::Suspended.with_handling_judge(false), CaseStatus::Suspended);
    }

    #[test]
    fn search_terms_cover_numbers_ids_and_name_substrings() {
        let draft = parse_case(&valid_raw(), &ctx()).unwrap();
        let number = crate::case_number::CaseNumber::parse("（2026）浙0203执7号").unwrap();
        let terms = search_terms(&draft, &number);
        for expected in [
            "（2026）浙0203执7号",
            "浙0203执7号",
            "执7号",
            "110105199003071239",
            "91110105ma01b2c34q",
            "张三",
            "宁波某某贸易有限公司",
            "某某贸易有限公司",
            "贸易有限公司",
            "易有限公司",
            "李四",
        ] {
            assert!(terms.contains(&expected.to_string()), "{expected} missing from {terms:?}");
        }
        for generic in ["司", "公司", "有限公司", "限公司"] {
            assert!(!terms.contains(&generic.to_string()), "{generic} indexed");
        }
    }

    #[test]
    fn diff_lists_what_changed() {
        let old = parse_case(&valid_raw(), &ctx()).unwrap();
        let mut old = old;
        old.parties[0].existing_id = Some(1);
        old.parties[1].existing_id = Some(2);
        let mut new = old.clone();
        new.basis.operative_text = "一、被告支付原告货款90000元。".into();
        new.parties[0].name = "张三丰".into();
        new.parties.remove(1);
        let changes = diff(&old, &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["basis.operative_text", "parties[id=1]", "parties[id=2]"]);
        assert_eq!(changes[2].after, None);
        assert!(diff(&old, &old).is_empty());
    }
}
