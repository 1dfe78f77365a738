//! 交叉执行 in storage: petitions on a case, decisions of a higher court
//! (a whole-case move closes the original by transfer and files the
//! receiving court's case in the same transaction), outcomes, and the
//! accountability reviews they open.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use time::Date;
use tokio::sync::oneshot;
use zhixing_core::calendar::iso_date;
use zhixing_core::case::{ClaimDraft, ClaimKind};
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::{CourtCode, CourtDirectory};
use zhixing_core::cross::{self, CrossForm, CrossPolicy, DecisionFacts, Finding, OutcomeKind, SeedStatistics};
use zhixing_core::dashboard::Metric;
use zhixing_core::dashboard::counters::{ANY_TYPE, GAUGE};
use zhixing_core::money::Money;
use zhixing_core::workflow::{
    Action, ClosingMode, Event, Ground, Missing, Refusal, TerminationGround, decide, unpaid_balance,
};

use crate::cases::{FilingJob, StoredCase};
use crate::rows::{date, int, opt_date, opt_int, opt_text, parsed, text};
use crate::sql::placeholders;
use crate::users::UserRef;
use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Petition {
    pub court: CourtCode,
    pub id: i64,
    pub case_id: i64,
    pub petitioner: String,
    pub received_on: Date,
    pub complaint: String,
    pub leads: String,
    pub open: bool,
    pub due_on: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub id: i64,
    pub kind: OutcomeKind,
    pub on: Date,
    pub amount: Money,
    pub basis: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub decision_id: i64,
    pub original_court: String,
    pub opened_on: Date,
    pub due_on: Date,
    pub open: bool,
    pub findings: Vec<Finding>,
    pub measures: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossDecision {
    pub court: CourtCode,
    pub id: i64,
    pub form: CrossForm,
    pub decision_ref: String,
    pub decided_on: Date,
    pub original_court: CourtCode,
    pub original_case_id: i64,
    pub original_case_number: String,
    pub receiving_court: Option<CourtCode>,
    pub new_case_id: Option<i64>,
    pub new_case_number: Option<String>,
    pub report_by: Option<Date>,
    pub balance: Money,
    pub note: String,
    pub outcomes: Vec<Outcome>,
    pub reviews: Vec<Review>,
}

/// A decision as requested.
#[derive(Clone, Debug)]
pub struct NewDecision {
    pub form: CrossForm,
    pub original_court: CourtCode,
    pub case_id: i64,
    pub receiving_court: Option<CourtCode>,
    pub decision_ref: String,
    pub decided_on: Date,
    pub report_by: Option<Date>,
    pub note: String,
}

fn refused(message: &str, item: String, rule: &str) -> StoreError {
    StoreError::Refused(Refusal { message: message.into(), missing: vec![Missing::new(item, rule)] })
}

const DECISION_COLUMNS: &str =
    "court_code, id, form, decision_ref, decided_on, original_court, original_case_id, original_case_number,
    receiving_court, new_case_id, new_case_number, report_by, balance_fen, note";

fn decision_from_row(r: &AnyRow) -> Result<CrossDecision> {
    Ok(CrossDecision {
        court: parsed(r, "court_code", |s| CourtCode::parse(s).ok())?,
        id: int(r, "id")?,
        form: parsed(r, "form", CrossForm::parse)?,
        decision_ref: text(r, "decision_ref")?,
        decided_on: date(r, "decided_on")?,
        original_court: parsed(r, "original_court", |s| CourtCode::parse(s).ok())?,
        original_case_id: int(r, "original_case_id")?,
        original_case_number: text(r, "original_case_number")?,
        receiving_court: opt_text(r, "receiving_court")?.and_then(|s| CourtCode::parse(&s).ok()),
        new_case_id: opt_int(r, "new_case_id")?,
        new_case_number: opt_text(r, "new_case_number")?,
        report_by: opt_date(r, "report_by")?,
        balance: Money::from_fen(int(r, "balance_fen")?).unwrap_or(Money::ZERO),
        note: text(r, "note")?,
        outcomes: Vec::new(),
        reviews: Vec::new(),
    })
}

impl Store {
    /// Records an 执行信访 on a case, with its handling deadline.
    #[allow(clippy::too_many_arguments)]
    pub async fn file_petition(
        &self,
        court: &CourtCode,
        case_id: i64,
        petitioner: &str,
        received_on: Date,
        complaint: &str,
        leads: &str,
        actor: &UserRef,
        now: i64,
    ) -> Result<Petition> {
        let rules = self.workflow_rules();
        let due = cross::petition_due(received_on, &rules.calendar, &CrossPolicy::default());
        let mut tx = self.write.begin().await?;
        self.lock_case(&mut tx, court, case_id).await?;
        let id = self.ids.next(now);
        sqlx::query(
            "INSERT INTO petitions (court_code, id, case_id, petitioner, received_on, complaint, leads, status, due_on, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10)",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .bind(case_id)
        .bind(petitioner.to_string())
        .bind(iso_date(received_on))
        .bind(complaint.to_string())
        .bind(leads.to_string())
        .bind(iso_date(due))
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        crate::dashboard::bump(&mut tx, court, Metric::PetitionsOpen, GAUGE, ANY_TYPE, 1).await?;
        tx.commit().await?;
        Ok(Petition {
            court: court.clone(),
            id,
            case_id,
            petitioner: petitioner.to_string(),
            received_on,
            complaint: complaint.to_string(),
            leads: leads.to_string(),
            open: true,
            due_on: due,
        })
    }

    pub async fn petitions_of_case(&self, court: &CourtCode, case_id: i64) -> Result<Vec<Petition>> {
        let rows = sqlx::query(
            "SELECT court_code, id, case_id, petitioner, received_on, complaint, leads, status, due_on FROM petitions
             WHERE court_code = $1 AND case_id = $2 ORDER BY received_on",
        )
        .bind(court.as_str().to_string())
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Petition {
                    court: parsed(r, "court_code", |s| CourtCode::parse(s).ok())?,
                    id: int(r, "id")?,
                    case_id: int(r, "case_id")?,
                    petitioner: text(r, "petitioner")?,
                    received_on: date(r, "received_on")?,
                    complaint: text(r, "complaint")?,
                    leads: text(r, "leads")?,
                    open: text(r, "status")? == "open",
                    due_on: date(r, "due_on")?,
                })
            })
            .collect()
    }

    /// Takes a 交叉执行 decision at `deciding` over a case of a court beneath
    /// it. A whole-case move (指令, 提级, 集中) closes the original case by
    /// transfer (终结执行 without a ruling, LJ art 17) and files the
    /// receiving court's 执 case with the unpaid balance, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_cross(
        &self,
        deciding: &CourtCode,
        courts: &CourtDirectory,
        new: &NewDecision,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<CrossDecision> {
        if !courts.is_ancestor(deciding, &new.original_court) {
            return Err(refused(
                "只能对本院辖区内下级法院的案件作出交叉执行决定",
                "原执行法院不在辖区内".into(),
                "《关于交叉执行工作的指导意见》",
            ));
        }
        let receiving = match new.form {
            CrossForm::Elevate => Some(deciding.clone()),
            CrossForm::Designate | CrossForm::Concentrate => {
                let r = new.receiving_court.clone().ok_or_else(|| {
                    refused("指令执行、集中执行须指定受理法院", "受理法院".into(), "《民事诉讼法》第二百三十七条")
                })?;
                if r == new.original_court || !(courts.is_ancestor(deciding, &r) || &r == deciding) {
                    return Err(refused(
                        "受理法院应为本院或辖区内原执行法院以外的法院",
                        "受理法院".into(),
                        "《民事诉讼法》第二百三十七条",
                    ));
                }
                Some(r)
            }
            _ => new.receiving_court.clone(),
        };
        if new.decision_ref.trim().is_empty() {
            return Err(refused("交叉执行决定须有文号", "决定文号".into(), "《关于交叉执行工作的指导意见》"));
        }
        let mut tx = self.write.begin().await?;
        let (case, workflow) = self.lock_case(&mut tx, &new.original_court, new.case_id).await?;
        let balance = unpaid_balance(case.amount_applied, &workflow.nodes);
        let mut new_case: Option<StoredCase> = None;
        if new.form.moves_case() {
            // Seizures (WT art 6): refuse before anything is written while a
            // seizure in force has less than one month left.
            self.refuse_expiring_seizures(&mut tx, &case.court, case.id, new.decided_on).await?;
            let ground = if new.form == CrossForm::Elevate {
                TerminationGround::ElevatedByHigherCourt
            } else {
                TerminationGround::DesignatedToOtherCourt
            };
            let action = Action::Close { mode: ClosingMode::Terminated, ground: Some(Ground::Termination(ground)) };
            let rules = self.workflow_rules();
            let file = workflow.file(&case);
            let state = decide(&file, &action, new.decided_on, today, Some(&new.decision_ref), "", &rules.policy)
                .map_err(StoreError::Refused)?;
            let seq = workflow.events.last().map_or(0, |e| e.seq) + 1;
            let event = Event {
                seq,
                on: new.decided_on,
                action,
                note: format!("{}（{}）", new.form.label_zh(), new.decision_ref),
                document_ref: Some(new.decision_ref.clone()),
            };
            crate::workflow::insert_event(&mut tx, &case.court, case.id, &event, state.status(), actor, now).await?;
            sqlx::query("UPDATE cases SET status = $1 WHERE court_code = $2 AND id = $3")
                .bind(state.status().as_str())
                .bind(case.court.as_str().to_string())
                .bind(case.id)
                .execute(&mut *tx)
                .await?;
            let mut after = workflow.clone();
            after.events.push(event);
            let mut closed = case.clone();
            closed.status = state.status();
            self.write_deadlines(&mut tx, &closed, &after).await?;
            // The receiving court's 执 case: same 执行依据 and parties, the
            // unpaid balance as its amount (JQ 法明传〔2018〕335号).
            let receiving = receiving.clone().ok_or_else(|| StoreError::Corrupt("receiving court".into()))?;
            let mut draft = case.draft();
            draft.case_type = EnforcementType::First;
            draft.filed_on = new.decided_on;
            draft.handling_judge = None;
            for party in &mut draft.parties {
                party.existing_id = None;
            }
            draft.claims = if balance.is_zero() {
                Vec::new()
            } else {
                vec![ClaimDraft {
                    kind: ClaimKind::Principal,
                    amount: balance,
                    description: Some(format!("{}：原案{}未执行到位部分", new.form.label_zh(), case.case_number)),
                }]
            };
            let (reply, _unused) = oneshot::channel();
            let job = FilingJob { court: receiving, draft, handling_judge: None, actor: actor.clone(), now, reply };
            new_case = self.file_batch_in(&mut tx, std::slice::from_ref(&job)).await?.pop();
            // Seizures (WT art 6): they pass over with the case, same priority and dates.
            if let Some(moved) = &new_case {
                self.move_seizures_in(
                    &mut tx,
                    &case.court,
                    case.id,
                    &moved.court,
                    moved.id,
                    new.decided_on,
                    actor,
                    now,
                )
                .await?;
            }
        }
        let id = self.ids.next(now);
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO cross_decisions ({DECISION_COLUMNS}, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        )))
        .bind(deciding.as_str().to_string())
        .bind(id)
        .bind(new.form.code())
        .bind(new.decision_ref.clone())
        .bind(iso_date(new.decided_on))
        .bind(case.court.as_str().to_string())
        .bind(case.id)
        .bind(case.case_number.to_string())
        .bind(receiving.as_ref().map(|c| c.as_str().to_string()))
        .bind(new_case.as_ref().map(|c| c.id))
        .bind(new_case.as_ref().map(|c| c.case_number.to_string()))
        .bind(new.report_by.map(iso_date))
        .bind(balance.fen())
        .bind(new.note.clone())
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.cross_decision(deciding, id).await
    }

    pub async fn cross_decision(&self, court: &CourtCode, id: i64) -> Result<CrossDecision> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DECISION_COLUMNS} FROM cross_decisions WHERE court_code = $1 AND id = $2"
        )))
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut d = decision_from_row(&row)?;
        self.load_outcomes_and_reviews(&mut d).await?;
        Ok(d)
    }

    async fn load_outcomes_and_reviews(&self, d: &mut CrossDecision) -> Result<()> {
        for r in sqlx::query(
            "SELECT id, kind, on_date, amount_fen, basis FROM cross_outcomes WHERE court_code = $1 AND decision_id = $2 ORDER BY on_date, id",
        )
        .bind(d.court.as_str().to_string())
        .bind(d.id)
        .fetch_all(&self.read)
        .await?
        {
            d.outcomes.push(Outcome {
                id: int(&r, "id")?,
                kind: parsed(&r, "kind", OutcomeKind::parse)?,
                on: date(&r, "on_date")?,
                amount: Money::from_fen(int(&r, "amount_fen")?).unwrap_or(Money::ZERO),
                basis: text(&r, "basis")?,
            });
        }
        for r in sqlx::query(
            "SELECT id, decision_id, original_court, opened_on, due_on, status, findings, measures FROM cross_reviews
             WHERE court_code = $1 AND decision_id = $2 ORDER BY id",
        )
        .bind(d.court.as_str().to_string())
        .bind(d.id)
        .fetch_all(&self.read)
        .await?
        {
            d.reviews.push(review_from_row(&r)?);
        }
        Ok(())
    }

    /// Reports an outcome; real progress or recovered money opens a review
    /// of the original court's handling (one per decision).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_cross_outcome(
        &self,
        court: &CourtCode,
        decision_id: i64,
        kind: OutcomeKind,
        on: Date,
        amount: Money,
        basis: &str,
        actor: &UserRef,
        now: i64,
    ) -> Result<CrossDecision> {
        let decision = self.cross_decision(court, decision_id).await?;
        if on < decision.decided_on {
            return Err(refused("成效日期不能早于交叉执行决定", "成效日期".into(), "《关于交叉执行工作的指导意见》"));
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO cross_outcomes (court_code, decision_id, id, kind, on_date, amount_fen, basis, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(court.as_str().to_string())
        .bind(decision_id)
        .bind(self.ids.next(now))
        .bind(kind.code())
        .bind(iso_date(on))
        .bind(amount.fen())
        .bind(basis.to_string())
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        if kind.opens_review(amount) && decision.reviews.is_empty() && decision.form != CrossForm::Internal {
            let due = on + time::Duration::days(i64::from(CrossPolicy::default().review_days));
            sqlx::query(
                "INSERT INTO cross_reviews (court_code, id, decision_id, original_court, opened_on, due_on, status, findings)
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', '')",
            )
            .bind(court.as_str().to_string())
            .bind(self.ids.next(now))
            .bind(decision_id)
            .bind(decision.original_court.as_str().to_string())
            .bind(iso_date(on))
            .bind(iso_date(due))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.cross_decision(court, decision_id).await
    }

    /// Closes an accountability review with its findings and measures.
    pub async fn close_review(
        &self,
        court: &CourtCode,
        review_id: i64,
        findings: &[Finding],
        measures: &str,
        on: Date,
    ) -> Result<()> {
        if findings.is_empty() {
            return Err(refused(
                "请选择审查结论（含“未发现过错”）",
                "审查结论".into(),
                "《关于交叉执行工作的指导意见》第五部分",
            ));
        }
        let codes: Vec<&str> = findings.iter().map(|f| f.code()).collect();
        let done = sqlx::query(
            "UPDATE cross_reviews SET status = 'closed', findings = $1, measures = $2, closed_on = $3
             WHERE court_code = $4 AND id = $5 AND status = 'open'",
        )
        .bind(codes.join(","))
        .bind(measures.to_string())
        .bind(iso_date(on))
        .bind(court.as_str().to_string())
        .bind(review_id)
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Decisions taken by `courts`, newest first.
    pub async fn cross_decisions(&self, courts: &[CourtCode], limit: i64) -> Result<Vec<CrossDecision>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM cross_decisions WHERE court_code IN ({}) ORDER BY decided_on DESC, id DESC LIMIT {limit}",
            placeholders(1, courts.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in courts {
            q = q.bind(c.as_str().to_string());
        }
        let mut out = Vec::new();
        for r in q.fetch_all(&self.read).await? {
            let mut d = decision_from_row(&r)?;
            self.load_outcomes_and_reviews(&mut d).await?;
            out.push(d);
        }
        Ok(out)
    }

    /// The seed's statistics over the decisions of `courts` in `[from, to]`.
    pub async fn cross_statistics(&self, courts: &[CourtCode], from: Date, to: Date) -> Result<SeedStatistics> {
        let decisions = self.cross_decisions(courts, 1_000_000).await?;
        let facts: Vec<DecisionFacts> = decisions
            .iter()
            .map(|d| DecisionFacts {
                form: d.form,
                decided_on: d.decided_on,
                outcomes: d.outcomes.iter().map(|o| o.kind).collect(),
                recovered: d.outcomes.iter().fold(Money::ZERO, |sum, o| sum.checked_add(o.amount).unwrap_or(sum)),
            })
            .collect();
        Ok(cross::seed_statistics(&facts, from, to))
    }
}

fn review_from_row(r: &AnyRow) -> Result<Review> {
    let findings_text = text(r, "findings")?;
    Ok(Review {
        id: int(r, "id")?,
        decision_id: int(r, "decision_id")?,
        original_court: text(r, "original_court")?,
        opened_on: date(r, "opened_on")?,
        due_on: date(r, "due_on")?,
        open: text(r, "status")? == "open",
        findings: findings_text.split(',').filter_map(Finding::parse).collect(),
        measures: opt_text(r, "measures")?,
    })
}

/// What the candidate rules need about one case.
#[derive(Clone, Debug)]
pub struct CandidateRow {
    pub court: CourtCode,
    pub case_id: i64,
    pub case_number: String,
    pub filed_on: Date,
    pub closed: Option<(Date, bool)>,
    pub petitions: Vec<(Date, bool)>,
    pub leads: Vec<Date>,
    pub operative_text: String,
    pub organisation_debtors: Vec<(String, String)>,
    pub amount_applied: Money,
}

impl Store {
    /// The facts of every live case of `courts` that is open or closed by
    /// 终本 (a case already moved by 交叉执行 is closed by transfer and drops out).
    pub async fn candidate_rows(&self, courts: &[CourtCode]) -> Result<Vec<CandidateRow>> {
        use std::collections::HashMap;
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(1, courts.len());
        let bind_all = |sql: String| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in courts {
                q = q.bind(c.as_str().to_string());
            }
            q
        };
        let mut rows: HashMap<(String, i64), CandidateRow> = HashMap::new();
        for r in bind_all(format!(
            "SELECT court_code, id, case_number, filed_on, status, basis_operative_text, amount_applied_fen FROM cases
             WHERE court_code IN ({list}) AND deleted_at IS NULL AND case_type IN ('执', '执恢')"
        ))
        .fetch_all(&self.read)
        .await?
        {
            let court = text(&r, "court_code")?;
            let id = int(&r, "id")?;
            rows.insert(
                (court.clone(), id),
                CandidateRow {
                    court: CourtCode::parse(&court).map_err(|_| crate::rows::corrupt("court_code", &court))?,
                    case_id: id,
                    case_number: text(&r, "case_number")?,
                    filed_on: date(&r, "filed_on")?,
                    closed: if text(&r, "status")? == "closed" { Some((Date::MIN, false)) } else { None },
                    petitions: Vec::new(),
                    leads: Vec::new(),
                    operative_text: text(&r, "basis_operative_text")?,
                    organisation_debtors: Vec::new(),
                    amount_applied: Money::from_fen(int(&r, "amount_applied_fen")?).unwrap_or(Money::ZERO),
                },
            );
        }
        for r in bind_all(format!(
            "SELECT court_code, case_id, on_date, mode FROM case_events WHERE court_code IN ({list}) AND action = 'close'"
        ))
        .fetch_all(&self.read)
        .await?
        {
            if let Some(row) = rows.get_mut(&(text(&r, "court_code")?, int(&r, "case_id")?)) {
                row.closed = Some((date(&r, "on_date")?, opt_text(&r, "mode")?.as_deref() == Some("terminated_this_round")));
            }
        }
        for r in bind_all(format!(
            "SELECT court_code, case_id, on_date FROM case_nodes WHERE court_code IN ({list}) AND kind = 'lead_received'"
        ))
        .fetch_all(&self.read)
        .await?
        {
            if let Some(row) = rows.get_mut(&(text(&r, "court_code")?, int(&r, "case_id")?)) {
                row.leads.push(date(&r, "on_date")?);
            }
        }
        for r in bind_all(format!(
            "SELECT court_code, case_id, received_on, leads FROM petitions WHERE court_code IN ({list}) AND status = 'open'"
        ))
        .fetch_all(&self.read)
        .await?
        {
            if let Some(row) = rows.get_mut(&(text(&r, "court_code")?, int(&r, "case_id")?)) {
                row.petitions.push((date(&r, "received_on")?, !text(&r, "leads")?.trim().is_empty()));
            }
        }
        for r in bind_all(format!(
            "SELECT court_code, case_id, name, id_number FROM case_parties
             WHERE court_code IN ({list}) AND role = 'respondent' AND kind = 'organization'"
        ))
        .fetch_all(&self.read)
        .await?
        {
            if let Some(row) = rows.get_mut(&(text(&r, "court_code")?, int(&r, "case_id")?)) {
                row.organisation_debtors.push((text(&r, "name")?, text(&r, "id_number")?));
            }
        }
        // Closed other than by 终本 (completed, transferred …) drop out.
        Ok(rows.into_values().filter(|r| r.closed.is_none_or(|(_, zhongben)| zhongben)).collect())
    }
}
