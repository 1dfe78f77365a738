//! 交叉执行 in storage: petitions on a case (with their deadline, closing,
//! and a court's list), decisions of a higher court (a whole-case move
//! closes the original by transfer and files the receiving court's case in
//! the same transaction; 集中执行 moves several cases against one debtor in
//! one transaction), outcomes, the accountability reviews they open, the
//! seed's statistics by GROUP BY, and the receiving court's list.

use std::collections::{BTreeMap, HashMap};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};
use time::Date;
use zhixing_core::calendar::iso_date;
use zhixing_core::case::PartyRole;
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::{CourtCode, CourtDirectory};
use zhixing_core::cross::{self, CrossForm, CrossPolicy, DecisionGroup, Finding, OutcomeKind, SeedStatistics};
use zhixing_core::dashboard::Metric;
use zhixing_core::dashboard::counters::{ANY_TYPE, GAUGE};
use zhixing_core::error::FieldError;
use zhixing_core::money::Money;
use zhixing_core::workflow::{
    Action, ClosingMode, Event, Ground, Missing, Refusal, TerminationGround, decide, unpaid_balance,
};

use crate::cases::StoredCase;
use crate::rows::{date, int, opt_date, opt_int, opt_text, parsed, text};
use crate::sql::placeholders;
use crate::users::UserRef;
use crate::workflow::CaseWorkflow;
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
    pub closed_on: Option<Date>,
    pub result: Option<String>,
}

/// A petition in a court's list, with its case's number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PetitionListItem {
    pub petition: Petition,
    pub case_number: String,
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
    /// The id of the first row of the same decision (集中执行 of several
    /// cases: one row per case); a single-case decision is its own group.
    pub group_id: i64,
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

/// The seed's statistics over a period, in total and broken down. Each row
/// is [`cross::group_statistics`] over its groups, so every figure is
/// counted exactly as the seed counts (the exclusions included).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrossStatistics {
    pub total: SeedStatistics,
    /// By the court the case was taken from.
    pub by_original_court: Vec<(CourtCode, SeedStatistics)>,
    /// By the court the case went to; `None` for decisions that move nothing
    /// and name no court (督促执行, 内部交叉 …).
    pub by_receiving_court: Vec<(Option<CourtCode>, SeedStatistics)>,
    pub by_form: Vec<(CrossForm, SeedStatistics)>,
    /// By `YYYY-MM` of the decision date.
    pub by_month: Vec<(String, SeedStatistics)>,
}

fn refused(message: &str, item: String, rule: &str) -> StoreError {
    StoreError::Refused(Refusal { message: message.into(), missing: vec![Missing::new(item, rule)] })
}

const DECISION_COLUMNS: &str =
    "court_code, id, form, decision_ref, decided_on, original_court, original_case_id, original_case_number,
    receiving_court, new_case_id, new_case_number, report_by, balance_fen, note";

const PETITION_COLUMNS: &str = "p.court_code, p.id, p.case_id, p.petitioner, p.received_on, p.complaint, p.leads, p.status, p.due_on, p.closed_on, p.result";

const JC: &str = "《关于交叉执行工作的指导意见》";

fn decision_from_row(r: &AnyRow) -> Result<CrossDecision> {
    Ok(CrossDecision {
        court: parsed(r, "court_code", |s| CourtCode::parse(s).ok())?,
        id: int(r, "id")?,
        group_id: int(r, "group_id")?,
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

fn petition_from_row(r: &AnyRow) -> Result<Petition> {
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
        closed_on: opt_date(r, "closed_on")?,
        result: opt_text(r, "result")?,
    })
}

fn money_of(fen: i64, column: &str) -> Result<Money> {
    Money::from_fen(fen).map_err(|_| crate::rows::corrupt(column, &fen.to_string()))
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
        let mut deltas = crate::dashboard::CounterDeltas::new();
        crate::dashboard::bump(&mut deltas, court, Metric::PetitionsOpen, GAUGE, ANY_TYPE, 1);
        crate::dashboard::flush(&mut tx, &deltas).await?;
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
            closed_on: None,
            result: None,
        })
    }

    pub async fn petitions_of_case(&self, court: &CourtCode, case_id: i64) -> Result<Vec<Petition>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PETITION_COLUMNS} FROM petitions p WHERE p.court_code = $1 AND p.case_id = $2 ORDER BY p.received_on, p.id"
        )))
        .bind(court.as_str().to_string())
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(petition_from_row).collect()
    }

    /// Closes (办结) an open petition with its result. The closing date may
    /// not precede the receipt (the caller checks it is not in the future).
    #[allow(clippy::too_many_arguments)]
    pub async fn close_petition(
        &self,
        court: &CourtCode,
        case_id: i64,
        petition_id: i64,
        result: &str,
        closed_on: Date,
    ) -> Result<Petition> {
        let mut tx = self.write.begin().await?;
        // Lock the petition's row first, then read it.
        let locked =
            sqlx::query("UPDATE petitions SET status = status WHERE court_code = $1 AND case_id = $2 AND id = $3")
                .bind(court.as_str().to_string())
                .bind(case_id)
                .bind(petition_id)
                .execute(&mut *tx)
                .await?;
        if locked.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PETITION_COLUMNS} FROM petitions p WHERE p.court_code = $1 AND p.id = $2"
        )))
        .bind(court.as_str().to_string())
        .bind(petition_id)
        .fetch_one(&mut *tx)
        .await?;
        let petition = petition_from_row(&row)?;
        if !petition.open {
            return Err(StoreError::Rejected(FieldError::new(
                "closed_on",
                "petition_closed",
                format!("该信访已于{}办结", petition.closed_on.map(iso_date).unwrap_or_default()),
            )));
        }
        if closed_on < petition.received_on {
            return Err(StoreError::Rejected(FieldError::new(
                "closed_on",
                "before_receipt",
                format!("办结日期不能早于收到信访的日期（{}）", iso_date(petition.received_on)),
            )));
        }
        sqlx::query(
            "UPDATE petitions SET status = 'closed', closed_on = $1, result = $2 WHERE court_code = $3 AND id = $4",
        )
        .bind(iso_date(closed_on))
        .bind(result.to_string())
        .bind(court.as_str().to_string())
        .bind(petition_id)
        .execute(&mut *tx)
        .await?;
        let mut deltas = crate::dashboard::CounterDeltas::new();
        crate::dashboard::bump(&mut deltas, court, Metric::PetitionsOpen, GAUGE, ANY_TYPE, -1);
        crate::dashboard::flush(&mut tx, &deltas).await?;
        tx.commit().await?;
        Ok(Petition { open: false, closed_on: Some(closed_on), result: Some(result.to_string()), ..petition })
    }

    /// The petitions of `courts` (open ones only if `open_only`), earliest
    /// deadline first, at most `limit`.
    pub async fn petitions_of_courts(
        &self,
        courts: &[CourtCode],
        open_only: Option<bool>,
        limit: i64,
    ) -> Result<Vec<PetitionListItem>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let status = match open_only {
            None => String::new(),
            Some(true) => " AND p.status = 'open'".to_string(),
            Some(false) => " AND p.status = 'closed'".to_string(),
        };
        let sql = format!(
            "SELECT {PETITION_COLUMNS}, c.case_number FROM petitions p
             JOIN cases c ON c.court_code = p.court_code AND c.id = p.case_id
             WHERE p.court_code IN ({}){status} AND c.deleted_at IS NULL
             ORDER BY p.due_on, p.id LIMIT {}",
            placeholders(1, courts.len()),
            limit.clamp(1, 10_000)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in courts {
            q = q.bind(c.as_str().to_string());
        }
        q.fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| Ok(PetitionListItem { petition: petition_from_row(r)?, case_number: text(r, "case_number")? }))
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
        let mut all = self.decide_cross_cases(deciding, courts, new, &[], actor, now, today).await?;
        if all.is_empty() { Err(StoreError::NotFound) } else { Ok(all.swap_remove(0)) }
    }

    /// [`Store::decide_cross`] over `new`'s case and the `more` cases of a
    /// 集中执行 decision (JC 第三部分: several cases against one debtor,
    /// possibly in several courts, to one court). Every case must share a
    /// respondent (the same identity number); every case is moved in one
    /// transaction, one decision row per case with the same decision number,
    /// and nothing is written if any case is refused. The rows come back in
    /// the order of the request.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_cross_cases(
        &self,
        deciding: &CourtCode,
        courts: &CourtDirectory,
        new: &NewDecision,
        more: &[(CourtCode, i64)],
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Vec<CrossDecision>> {
        crate::with_retries(|| self.decide_cross_cases_once(deciding, courts, new, more, actor, now, today)).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn decide_cross_cases_once(
        &self,
        deciding: &CourtCode,
        courts: &CourtDirectory,
        new: &NewDecision,
        more: &[(CourtCode, i64)],
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Vec<CrossDecision>> {
        let mut keys = vec![(new.original_court.clone(), new.case_id)];
        keys.extend(more.iter().cloned());
        if keys.len() > 1 && new.form != CrossForm::Concentrate {
            return Err(refused(
                "只有集中执行可以在一个决定中移送多个案件",
                format!("{}只涉及一个案件", new.form.label_zh()),
                cross::CONCENTRATION_RULE,
            ));
        }
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != keys.len() {
            return Err(refused("同一案件在决定中列出了两次", "案件列表".into(), cross::CONCENTRATION_RULE));
        }
        for (court, _) in &keys {
            if !courts.is_ancestor(deciding, court) {
                return Err(refused(
                    "只能对本院辖区内下级法院的案件作出交叉执行决定",
                    format!("原执行法院{}不在辖区内", court.as_str()),
                    JC,
                ));
            }
        }
        let receiving = match new.form {
            CrossForm::Elevate => Some(deciding.clone()),
            CrossForm::Designate | CrossForm::Concentrate => {
                let r = new.receiving_court.clone().ok_or_else(|| {
                    refused("指令执行、集中执行须指定受理法院", "受理法院".into(), "《民事诉讼法》第二百三十七条")
                })?;
                if keys.iter().any(|(original, _)| original == &r)
                    || !(courts.is_ancestor(deciding, &r) || &r == deciding)
                {
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
            return Err(refused("交叉执行决定须有文号", "决定文号".into(), JC));
        }
        let mut tx = self.write.begin().await?;
        // Lock every case in one fixed order, so two decisions over
        // overlapping cases wait for each other instead of deadlocking.
        let mut locked: HashMap<(CourtCode, i64), (StoredCase, CaseWorkflow)> = HashMap::new();
        for (court, id) in &sorted {
            let found = self.lock_case(&mut tx, court, *id).await?;
            locked.insert((court.clone(), *id), found);
        }
        if keys.len() > 1 {
            let respondents: Vec<Vec<String>> = keys
                .iter()
                .filter_map(|k| locked.get(k))
                .map(|(case, _)| {
                    case.parties
                        .iter()
                        .filter(|p| p.draft.role == PartyRole::Respondent)
                        .map(|p| p.draft.id_number.as_str().to_string())
                        .collect()
                })
                .collect();
            if cross::common_respondents(&respondents).is_empty() {
                let numbers: Vec<String> =
                    keys.iter().filter_map(|k| locked.get(k)).map(|(c, _)| c.case_number.to_string()).collect();
                return Err(refused(
                    "集中执行的案件须有同一被执行人（证件号码相同）",
                    format!("{}没有共同的被执行人", numbers.join("、")),
                    cross::CONCENTRATION_RULE,
                ));
            }
        }
        let group_id = self.ids.next(now);
        let mut ids = Vec::with_capacity(keys.len());
        let mut deltas = crate::dashboard::CounterDeltas::new();
        for (i, key) in keys.iter().enumerate() {
            let (case, workflow) = locked.remove(key).ok_or(StoreError::NotFound)?;
            let per_case = NewDecision { original_court: key.0.clone(), case_id: key.1, ..new.clone() };
            let id = if i == 0 { group_id } else { self.ids.next(now) };
            let row = DecisionRow { deciding, receiving: receiving.as_ref(), id, group_id };
            self.decide_case_in(&mut tx, &row, &per_case, case, workflow, actor, now, today, &mut deltas).await?;
            ids.push(id);
        }
        crate::dashboard::flush(&mut tx, &deltas).await?;
        tx.commit().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.cross_decision(deciding, id).await?);
        }
        Ok(out)
    }

    /// One case's part of a decision, inside the decision's transaction,
    /// with the case locked: a whole-case move closes the original by
    /// transfer and files the receiving court's 执 case with the unpaid
    /// balance; then the decision's row for this case.
    #[allow(clippy::too_many_arguments)]
    async fn decide_case_in(
        &self,
        tx: &mut AnyConnection,
        row: &DecisionRow<'_>,
        new: &NewDecision,
        case: StoredCase,
        workflow: CaseWorkflow,
        actor: &UserRef,
        now: i64,
        today: Date,
        deltas: &mut crate::dashboard::CounterDeltas,
    ) -> Result<()> {
        let balance = unpaid_balance(case.amount_applied, &workflow.nodes);
        let mut new_case: Option<StoredCase> = None;
        if new.form.moves_case() {
            // Seizures (WT art 6): refuse before anything is written while a
            // seizure in force has less than one month left.
            self.refuse_expiring_seizures(&mut *tx, &case.court, case.id, new.decided_on).await?;
            let ground = if new.form == CrossForm::Elevate {
                TerminationGround::ElevatedByHigherCourt
            } else {
                TerminationGround::DesignatedToOtherCourt
            };
            let action = Action::Close { mode: ClosingMode::Terminated, ground: Some(Ground::Termination(ground)) };
            let rules = self.workflow_rules();
            let file = workflow.file(&case);
            let state = decide(&file, &action, new.decided_on, today, Some(&new.decision_ref), "", &rules.policy)
                .map_err(|r| with_case(r, &case))?;
            let seq = workflow.events.last().map_or(0, |e| e.seq) + 1;
            let event = Event {
                seq,
                on: new.decided_on,
                action,
                note: format!("{}（{}）", new.form.label_zh(), new.decision_ref),
                document_ref: Some(new.decision_ref.clone()),
            };
            crate::workflow::insert_event(&mut *tx, &case.court, case.id, &event, state.status(), actor, now).await?;
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
            self.write_deadlines(&mut *tx, &closed, &after, deltas).await?;
            // The receiving court's 执 case: same 执行依据 and parties, the
            // unpaid balance as its amount (JQ 法明传〔2018〕335号).
            let receiving = row.receiving.cloned().ok_or_else(|| StoreError::Corrupt("receiving court".into()))?;
            let successor = crate::cases::Successor {
                original: &case,
                court: receiving,
                case_type: EnforcementType::First,
                filed_on: new.decided_on,
                handling_judge: None,
                balance,
                claim_description: format!("{}：原案{}未执行到位部分", new.form.label_zh(), case.case_number),
            };
            let filed = self.file_successor_in(&mut *tx, successor, actor, now, deltas).await?;
            // ── The receiving court's case is filed (still inside the
            // decision's transaction, `case` locked). Whatever else passes
            // over with a whole-case move goes here, from `case` (the
            // original) to `filed` (the receiving court's new case).
            // Seizures (WT art 6): they pass over with the case, same priority and dates.
            self.move_seizures_in(&mut *tx, &case.court, case.id, &filed.court, filed.id, new.decided_on, actor, now)
                .await?;
            new_case = Some(filed);
        }
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO cross_decisions ({DECISION_COLUMNS}, group_id, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        )))
        .bind(row.deciding.as_str().to_string())
        .bind(row.id)
        .bind(new.form.code())
        .bind(new.decision_ref.clone())
        .bind(iso_date(new.decided_on))
        .bind(case.court.as_str().to_string())
        .bind(case.id)
        .bind(case.case_number.to_string())
        .bind(row.receiving.map(|c| c.as_str().to_string()))
        .bind(new_case.as_ref().map(|c| c.id))
        .bind(new_case.as_ref().map(|c| c.case_number.to_string()))
        .bind(new.report_by.map(iso_date))
        .bind(balance.fen())
        .bind(new.note.clone())
        .bind(row.group_id)
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        // The dashboard's 交叉执行 in/out, by month and form.
        for period in zhixing_core::dashboard::counters::month_and_year(new.decided_on) {
            crate::dashboard::bump(deltas, &case.court, Metric::CrossOut, &period, new.form.code(), 1);
            if let Some(receiving) = row.receiving {
                crate::dashboard::bump(deltas, receiving, Metric::CrossIn, &period, new.form.code(), 1);
            }
        }
        Ok(())
    }

    pub async fn cross_decision(&self, court: &CourtCode, id: i64) -> Result<CrossDecision> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DECISION_COLUMNS}, group_id FROM cross_decisions WHERE court_code = $1 AND id = $2"
        )))
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut d = [decision_from_row(&row)?];
        self.load_outcomes_and_reviews(&mut d).await?;
        let [d] = d;
        Ok(d)
    }

    /// Every row of the decision `group_id` of `court` (the cases of one
    /// 集中执行 decision), in the order they were decided.
    pub async fn cross_decision_group(&self, court: &CourtCode, group_id: i64) -> Result<Vec<CrossDecision>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DECISION_COLUMNS}, group_id FROM cross_decisions WHERE court_code = $1 AND group_id = $2 ORDER BY id"
        )))
        .bind(court.as_str().to_string())
        .bind(group_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = rows.iter().map(decision_from_row).collect::<Result<Vec<_>>>()?;
        self.load_outcomes_and_reviews(&mut out).await?;
        Ok(out)
    }

    /// Outcomes and reviews of `decisions`: two queries whatever their number.
    async fn load_outcomes_and_reviews(&self, decisions: &mut [CrossDecision]) -> Result<()> {
        if decisions.is_empty() {
            return Ok(());
        }
        let mut courts: Vec<String> = decisions.iter().map(|d| d.court.as_str().to_string()).collect();
        courts.sort();
        courts.dedup();
        let ids: Vec<i64> = decisions.iter().map(|d| d.id).collect();
        let filter = format!(
            "court_code IN ({}) AND decision_id IN ({})",
            placeholders(1, courts.len()),
            placeholders(courts.len() + 1, ids.len())
        );
        let bind_all = |sql: String| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in &courts {
                q = q.bind(c.clone());
            }
            for id in &ids {
                q = q.bind(*id);
            }
            q
        };
        let index: HashMap<(String, i64), usize> =
            decisions.iter().enumerate().map(|(i, d)| ((d.court.as_str().to_string(), d.id), i)).collect();
        for r in bind_all(format!(
            "SELECT court_code, decision_id, id, kind, on_date, amount_fen, basis FROM cross_outcomes
             WHERE {filter} ORDER BY on_date, id"
        ))
        .fetch_all(&self.read)
        .await?
        {
            if let Some(i) = index.get(&(text(&r, "court_code")?, int(&r, "decision_id")?)) {
                decisions[*i].outcomes.push(Outcome {
                    id: int(&r, "id")?,
                    kind: parsed(&r, "kind", OutcomeKind::parse)?,
                    on: date(&r, "on_date")?,
                    amount: money_of(int(&r, "amount_fen")?, "amount_fen")?,
                    basis: text(&r, "basis")?,
                });
            }
        }
        for r in bind_all(format!(
            "SELECT court_code, id, decision_id, original_court, opened_on, due_on, status, findings, measures
             FROM cross_reviews WHERE {filter} ORDER BY id"
        ))
        .fetch_all(&self.read)
        .await?
        {
            if let Some(i) = index.get(&(text(&r, "court_code")?, int(&r, "decision_id")?)) {
                decisions[*i].reviews.push(review_from_row(&r)?);
            }
        }
        Ok(())
    }

    /// Reports an outcome; real progress or recovered money opens a review
    /// of the original court's handling (one per decision). The decision's
    /// `progressed` and `recovered_fen`, which the statistics read, are
    /// updated in the same transaction.
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
            return Err(refused("成效日期不能早于交叉执行决定", "成效日期".into(), JC));
        }
        let mut tx = self.write.begin().await?;
        // Updating the decision's row first locks it: two outcomes reported
        // at once are serialised, and at most one opens a review.
        let updated = sqlx::query(
            "UPDATE cross_decisions SET recovered_fen = recovered_fen + $1,
                 progressed = CASE WHEN $2 = 1 THEN 1 ELSE progressed END
             WHERE court_code = $3 AND id = $4",
        )
        .bind(amount.fen())
        .bind(i64::from(kind.progress_or_resolution()))
        .bind(court.as_str().to_string())
        .bind(decision_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
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
        let reviews = sqlx::query("SELECT COUNT(*) AS n FROM cross_reviews WHERE court_code = $1 AND decision_id = $2")
            .bind(court.as_str().to_string())
            .bind(decision_id)
            .fetch_one(&mut *tx)
            .await?;
        if kind.opens_review(amount) && int(&reviews, "n")? == 0 && decision.form != CrossForm::Internal {
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
            let mut deltas = crate::dashboard::CounterDeltas::new();
            crate::dashboard::bump(&mut deltas, &decision.original_court, Metric::ReviewsOpen, GAUGE, ANY_TYPE, 1);
            crate::dashboard::flush(&mut tx, &deltas).await?;
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
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE cross_reviews SET status = 'closed', findings = $1, measures = $2, closed_on = $3
             WHERE court_code = $4 AND id = $5 AND status = 'open'",
        )
        .bind(codes.join(","))
        .bind(measures.to_string())
        .bind(iso_date(on))
        .bind(court.as_str().to_string())
        .bind(review_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query("SELECT original_court FROM cross_reviews WHERE court_code = $1 AND id = $2")
            .bind(court.as_str().to_string())
            .bind(review_id)
            .fetch_one(&mut *tx)
            .await?;
        let original: CourtCode = parsed(&row, "original_court", |s| CourtCode::parse(s).ok())?;
        let mut deltas = crate::dashboard::CounterDeltas::new();
        crate::dashboard::bump(&mut deltas, &original, Metric::ReviewsOpen, GAUGE, ANY_TYPE, -1);
        crate::dashboard::flush(&mut tx, &deltas).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Decisions taken by `courts`, newest first.
    pub async fn cross_decisions(&self, courts: &[CourtCode], limit: i64) -> Result<Vec<CrossDecision>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DECISION_COLUMNS}, group_id FROM cross_decisions WHERE court_code IN ({})
             ORDER BY decided_on DESC, id DESC LIMIT {}",
            placeholders(1, courts.len()),
            limit.clamp(1, 10_000)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in courts {
            q = q.bind(c.as_str().to_string());
        }
        let mut out = q.fetch_all(&self.read).await?.iter().map(decision_from_row).collect::<Result<Vec<_>>>()?;
        self.load_outcomes_and_reviews(&mut out).await?;
        Ok(out)
    }

    /// Whole-case moves received by `courts` (the cases moved to them),
    /// newest first, with their outcomes so far.
    pub async fn cross_received(&self, courts: &[CourtCode], limit: i64) -> Result<Vec<CrossDecision>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DECISION_COLUMNS}, group_id FROM cross_decisions
             WHERE receiving_court IN ({}) AND new_case_id IS NOT NULL
             ORDER BY decided_on DESC, id DESC LIMIT {}",
            placeholders(1, courts.len()),
            limit.clamp(1, 10_000)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in courts {
            q = q.bind(c.as_str().to_string());
        }
        let mut out = q.fetch_all(&self.read).await?.iter().map(decision_from_row).collect::<Result<Vec<_>>>()?;
        self.load_outcomes_and_reviews(&mut out).await?;
        Ok(out)
    }

    /// The seed's statistics over the decisions taken by `courts` in
    /// `[from, to]` (a court passes its own court and every court beneath
    /// it: decisions of intermediate courts count in the province's
    /// figures), with breakdowns by original court, receiving court, form
    /// and month. One statement of three GROUP BYs (each by one dimension
    /// and the form) over the maintained `progressed` and `recovered_fen`
    /// columns and a covering index; no outcome is read. The form
    /// breakdown and the total fold the month groups.
    pub async fn cross_statistics(&self, courts: &[CourtCode], from: Date, to: Date) -> Result<CrossStatistics> {
        if courts.is_empty() {
            return Ok(CrossStatistics::default());
        }
        let n = courts.len();
        let filter =
            format!("court_code IN ({}) AND decided_on >= ${} AND decided_on <= ${}", placeholders(1, n), n + 1, n + 2);
        let figures = "form, COUNT(*) AS decisions, CAST(SUM(progressed) AS BIGINT) AS progressed,
                       CAST(SUM(recovered_fen) AS BIGINT) AS recovered_fen FROM cross_decisions";
        let sql = format!(
            "SELECT 'original' AS dim, original_court AS k, {figures} WHERE {filter} GROUP BY original_court, form
             UNION ALL
             SELECT 'receiving' AS dim, receiving_court AS k, {figures} WHERE {filter} GROUP BY receiving_court, form
             UNION ALL
             SELECT 'month' AS dim, SUBSTR(decided_on, 1, 7) AS k, {figures} WHERE {filter}
             GROUP BY SUBSTR(decided_on, 1, 7), form"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in courts {
            q = q.bind(c.as_str().to_string());
        }
        let rows = q.bind(iso_date(from)).bind(iso_date(to)).fetch_all(&self.read).await?;
        let mut all = Vec::new();
        let mut by_original: BTreeMap<CourtCode, Vec<DecisionGroup>> = BTreeMap::new();
        let mut by_receiving: BTreeMap<Option<CourtCode>, Vec<DecisionGroup>> = BTreeMap::new();
        let mut by_form: BTreeMap<CrossForm, Vec<DecisionGroup>> = BTreeMap::new();
        let mut by_month: BTreeMap<String, Vec<DecisionGroup>> = BTreeMap::new();
        let court_of = |k: Option<String>| -> Result<Option<CourtCode>> {
            k.map(|k| CourtCode::parse(&k).map_err(|_| crate::rows::corrupt("court", &k))).transpose()
        };
        for r in &rows {
            let group = DecisionGroup {
                form: parsed(r, "form", CrossForm::parse)?,
                decisions: u64::try_from(int(r, "decisions")?).unwrap_or(0),
                progressed: u64::try_from(int(r, "progressed")?).unwrap_or(0),
                recovered: money_of(int(r, "recovered_fen")?, "recovered_fen")?,
            };
            let key = opt_text(r, "k")?;
            match text(r, "dim")?.as_str() {
                "original" => {
                    let court = court_of(key)?.ok_or_else(|| crate::rows::corrupt("original_court", "NULL"))?;
                    by_original.entry(court).or_default().push(group);
                }
                "receiving" => by_receiving.entry(court_of(key)?).or_default().push(group),
                _ => {
                    by_form.entry(group.form).or_default().push(group.clone());
                    all.push(group.clone());
                    by_month.entry(key.unwrap_or_default()).or_default().push(group);
                }
            }
        }
        let fold = |groups: &Vec<DecisionGroup>| cross::group_statistics(groups);
        Ok(CrossStatistics {
            total: cross::group_statistics(&all),
            by_original_court: by_original.iter().map(|(k, g)| (k.clone(), fold(g))).collect(),
            by_receiving_court: by_receiving.iter().map(|(k, g)| (k.clone(), fold(g))).collect(),
            by_form: by_form.iter().map(|(k, g)| (*k, fold(g))).collect(),
            by_month: by_month.iter().map(|(k, g)| (k.clone(), fold(g))).collect(),
        })
    }
}

/// Where a decision's row goes: the deciding court, the receiving court,
/// the row's id and its decision's group.
struct DecisionRow<'a> {
    deciding: &'a CourtCode,
    receiving: Option<&'a CourtCode>,
    id: i64,
    group_id: i64,
}

/// A refusal of one case of a decision names the case.
fn with_case(mut refusal: Refusal, case: &StoredCase) -> StoreError {
    refusal.message = format!("{}：{}", case.case_number, refusal.message);
    StoreError::Refused(refusal)
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
