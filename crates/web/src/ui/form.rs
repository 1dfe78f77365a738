//! The case form: HTML field names ⇄ `RawCase`, and field errors placed
//! next to the row they belong to.
//!
//! Field names are flat (`basis_issuing_body`, `p2_name`, `c0_amount`) so the
//! form works without JavaScript; blank party and claim rows are skipped.

use std::collections::HashMap;

use zhixing_core::case::{RawBasis, RawCase, RawClaim, RawParty};
use zhixing_core::error::FieldError;

/// A submitted form, last value wins per name ([`FormData::all`] gives
/// every value of a repeated name, e.g. a group of checkboxes).
pub struct FormData(HashMap<String, String>, Vec<(String, String)>);

impl FormData {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs.iter().cloned().collect(), pairs)
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.1.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    fn count(&self, name: &str, default: usize) -> usize {
        self.get(name).parse::<usize>().ok().map_or(default, |n| n.min(200))
    }
}

#[derive(Clone, Debug, Default)]
pub struct PartyRow {
    pub index: usize,
    pub id: String,
    pub role: String,
    pub kind: String,
    pub name: String,
    pub id_number: String,
    pub legal_representative: String,
    pub address: String,
    pub override_reason: String,
    pub errors: HashMap<String, String>,
}

impl PartyRow {
    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    fn is_blank(&self) -> bool {
        [&self.name, &self.id_number, &self.legal_representative, &self.address, &self.override_reason]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

#[derive(Clone, Debug, Default)]
pub struct ClaimRow {
    pub index: usize,
    pub kind: String,
    pub amount: String,
    pub description: String,
    pub errors: HashMap<String, String>,
}

impl ClaimRow {
    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    fn is_blank(&self) -> bool {
        self.amount.trim().is_empty() && self.description.trim().is_empty()
    }
}

/// Everything the form shows, as text.
#[derive(Clone, Debug, Default)]
pub struct CaseForm {
    pub case_type: String,
    pub filed_on: String,
    pub handling_judge: String,
    pub basis_issuing_body: String,
    pub basis_document_number: String,
    pub basis_document_type: String,
    pub basis_effective_on: String,
    pub basis_performance_due_on: String,
    pub basis_operative_text: String,
    pub party_rows: Vec<PartyRow>,
    pub claim_rows: Vec<ClaimRow>,
    /// Errors of top-level fields, keyed by form field name.
    pub errors: HashMap<String, String>,
}

impl CaseForm {
    /// An empty form: one applicant, one respondent, one claim.
    pub fn blank(today: &str) -> Self {
        Self {
            case_type: "执".into(),
            filed_on: today.into(),
            basis_document_type: "判决书".into(),
            party_rows: vec![
                PartyRow { index: 0, role: "applicant".into(), kind: "person".into(), ..Default::default() },
                PartyRow { index: 1, role: "respondent".into(), kind: "organization".into(), ..Default::default() },
            ],
            claim_rows: vec![ClaimRow { index: 0, kind: "principal".into(), ..Default::default() }],
            ..Default::default()
        }
    }

    pub fn from_data(data: &FormData) -> Self {
        let party_rows = (0..data.count("party_count", 2))
            .map(|i| PartyRow {
                index: i,
                id: data.get(&format!("p{i}_id")).to_string(),
                role: data.get(&format!("p{i}_role")).to_string(),
                kind: data.get(&format!("p{i}_kind")).to_string(),
                name: data.get(&format!("p{i}_name")).to_string(),
                id_number: data.get(&format!("p{i}_id_number")).to_string(),
                legal_representative: data.get(&format!("p{i}_legal_representative")).to_string(),
                address: data.get(&format!("p{i}_address")).to_string(),
                override_reason: data.get(&format!("p{i}_override")).to_string(),
                errors: HashMap::new(),
            })
            .collect();
        let claim_rows = (0..data.count("claim_count", 1))
            .map(|i| ClaimRow {
                index: i,
                kind: data.get(&format!("c{i}_kind")).to_string(),
                amount: data.get(&format!("c{i}_amount")).to_string(),
                description: data.get(&format!("c{i}_description")).to_string(),
                errors: HashMap::new(),
            })
            .collect();
        Self {
            case_type: data.get("case_type").to_string(),
            filed_on: data.get("filed_on").to_string(),
            handling_judge: data.get("handling_judge").to_string(),
            basis_issuing_body: data.get("basis_issuing_body").to_string(),
            basis_document_number: data.get("basis_document_number").to_string(),
            basis_document_type: data.get("basis_document_type").to_string(),
            basis_effective_on: data.get("basis_effective_on").to_string(),
            basis_performance_due_on: data.get("basis_performance_due_on").to_string(),
            basis_operative_text: data.get("basis_operative_text").to_string(),
            party_rows,
            claim_rows,
            errors: HashMap::new(),
        }
    }

    pub fn add_party(&mut self) {
        let index = self.party_rows.len();
        self.party_rows.push(PartyRow {
            index,
            role: "respondent".into(),
            kind: "person".into(),
            ..Default::default()
        });
    }

    pub fn add_claim(&mut self) {
        let index = self.claim_rows.len();
        self.claim_rows.push(ClaimRow { index, kind: "costs".into(), ..Default::default() });
    }

    /// The non-blank rows as untrusted input, with the form row of each
    /// party and claim so errors can be placed back.
    pub fn to_raw(&self) -> (RawCase, Vec<usize>, Vec<usize>) {
        let opt = |s: &str| {
            let t = s.trim();
            if t.is_empty() { None } else { Some(t.to_string()) }
        };
        let parties: Vec<&PartyRow> = self.party_rows.iter().filter(|r| !r.is_blank()).collect();
        let claims: Vec<&ClaimRow> = self.claim_rows.iter().filter(|r| !r.is_blank()).collect();
        let raw = RawCase {
            case_type: opt(&self.case_type),
            filed_on: opt(&self.filed_on),
            handling_judge: opt(&self.handling_judge),
            basis: RawBasis {
                issuing_body: opt(&self.basis_issuing_body),
                document_number: opt(&self.basis_document_number),
                document_type: opt(&self.basis_document_type),
                effective_on: opt(&self.basis_effective_on),
                performance_due_on: opt(&self.basis_performance_due_on),
                operative_text: opt(&self.basis_operative_text),
            },
            parties: parties
                .iter()
                .map(|r| RawParty {
                    id: r.id.trim().parse().ok(),
                    role: opt(&r.role),
                    kind: opt(&r.kind),
                    name: opt(&r.name),
                    id_number: opt(&r.id_number),
                    legal_representative: opt(&r.legal_representative),
                    address: opt(&r.address),
                    id_check_override_reason: opt(&r.override_reason),
                    override_already_recorded: false,
                })
                .collect(),
            claims: claims
                .iter()
                .map(|r| RawClaim { kind: opt(&r.kind), amount: opt(&r.amount), description: opt(&r.description) })
                .collect(),
        };
        (raw, parties.iter().map(|r| r.index).collect(), claims.iter().map(|r| r.index).collect())
    }

    /// Puts each error next to its field; returns how many there are.
    pub fn place_errors(&mut self, errors: &[FieldError], party_rows: &[usize], claim_rows: &[usize]) -> usize {
        for error in errors {
            let path = error.field.as_str();
            if let Some((index, field)) = indexed(path, "parties")
                && let Some(row) = party_rows.get(index).and_then(|r| self.party_rows.get_mut(*r))
            {
                row.errors.entry(field.to_string()).or_insert_with(|| error.message.clone());
                continue;
            }
            if let Some((index, field)) = indexed(path, "claims")
                && let Some(row) = claim_rows.get(index).and_then(|r| self.claim_rows.get_mut(*r))
            {
                row.errors.entry(field.to_string()).or_insert_with(|| error.message.clone());
                continue;
            }
            let key = path.replace("basis.", "basis_");
            let key = if key.starts_with("parties") {
                "parties".to_string()
            } else if key.starts_with("claims") {
                "claims".to_string()
            } else {
                key
            };
            self.errors.entry(key).or_insert_with(|| error.message.clone());
        }
        errors.len()
    }
}

/// `parties[3].name` → `(3, "name")`.
fn indexed<'a>(path: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = path.strip_prefix(list)?.strip_prefix('[')?;
    let (index, rest) = rest.split_once(']')?;
    let field = rest.strip_prefix('.').unwrap_or("");
    Some((index.parse().ok()?, field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_rows_are_skipped_and_errors_land_on_their_rows() {
        let data = FormData::new(vec![
            ("party_count".into(), "3".into()),
            ("p0_role".into(), "applicant".into()),
            ("p0_name".into(), "张三".into()),
            ("p1_role".into(), "respondent".into()),
            ("p2_role".into(), "respondent".into()),
            ("p2_name".into(), "某公司".into()),
            ("claim_count".into(), "1".into()),
        ]);
        let mut form = CaseForm::from_data(&data);
        let (raw, party_rows, claim_rows) = form.to_raw();
        assert_eq!(raw.parties.len(), 2);
        assert_eq!(party_rows, [0, 2]);
        assert!(raw.claims.is_empty());
        let errors = vec![
            FieldError::new("parties[1].id_number", "required", "请填写证件号码"),
            FieldError::new("basis.issuing_body", "required", "请填写作出机关"),
            FieldError::new("parties", "missing_applicant", "至少应有一名申请执行人"),
        ];
        assert_eq!(form.place_errors(&errors, &party_rows, &claim_rows), 3);
        assert_eq!(form.party_rows[2].err("id_number"), "请填写证件号码");
        assert_eq!(form.party_rows[0].err("id_number"), "");
        assert_eq!(form.errors["basis_issuing_body"], "请填写作出机关");
        assert_eq!(form.errors["parties"], "至少应有一名申请执行人");
    }
}
