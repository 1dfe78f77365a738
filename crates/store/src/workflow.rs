//! The workflow of a case in storage: process nodes, state transitions
//! (events), links between cases and the open deadlines.
//!
//! Every write locks the case row first (a no-op `UPDATE`, the portable
//! `SELECT … FOR UPDATE`), then reads the case file, lets `core` decide, and
//! writes the node or event, the cached `cases.status` and the case's open
//! deadlines in the same transaction. Two writers on one case therefore see
//! each other's work; nothing is decided on a stale file.

use std::sync::{Arc, RwLock};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use time::{Date, OffsetDateTime, UtcOffset};
use zhixing_core::calendar::{WorkCalendar, iso_date};
use zhixing_core::case::{CaseDraft, CaseStatus};
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::CourtCode;
use zhixing_core::money::Money;
use zhixing_core::workflow::{
    Action, BuiltinNode, CaseFile, CaseState, ClosingMode, Deadline, DeadlineKind, DeferralGround, Event, Ground,
    LocalNodeKind, Missing, Node, NodeInput, NodeKind, Refusal, RestoreGround, SuspensionGround, TerminationGround,
    WorkflowPolicy, compute_deadlines, decide, unpaid_balance, validate_node,
};

use crate::cases::StoredCase;
use crate::rows::{corrupt, date, int, opt_date, opt_int, opt_text, parsed, text};
use crate::sql::{bucketed_insert, buckets, placeholders};
use crate::users::UserRef;
use crate::{Result, Store, StoreError, is_unique_violation};

/// The calendar and policy the workflow rules run with.
#[derive(Clone, Debug, Default)]
pub struct WorkflowRules {
    pub calendar: WorkCalendar,
    pub policy: WorkflowPolicy,
}

pub(crate) type SharedRules = Arc<RwLock<Arc<WorkflowRules>>>;

/// Who recorded something, and when (unix ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub at: i64,
    pub by: UserRef,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// This case was restored as the linked 执恢 case.
    RestoredAs,
    /// This 执恢 case restores the linked original.
    RestoredFrom,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::RestoredAs => "restored_as",
            LinkKind::RestoredFrom => "restored_from",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LinkKind::RestoredAs => "已恢复执行，新案",
            LinkKind::RestoredFrom => "恢复执行，原案",
        }
    }

    fn parse(s: &str) -> Option<LinkKind> {
        [LinkKind::RestoredAs, LinkKind::RestoredFrom].into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLink {
    pub kind: LinkKind,
    pub court: CourtCode,
    pub case_id: i64,
    pub case_number: String,
}

/// A case's workflow records, oldest first.
#[derive(Clone, Debug, Default)]
pub struct CaseWorkflow {
    pub nodes: Vec<Node>,
    /// Parallel to `nodes`.
    pub node_records: Vec<Recorded>,
    pub events: Vec<Event>,
    /// Parallel to `events`: the record and the state after the event.
    pub event_records: Vec<(Recorded, CaseStatus)>,
    pub links: Vec<CaseLink>,
}

impl CaseWorkflow {
    /// What the rules read.
    pub fn file<'a>(&'a self, case: &StoredCase) -> CaseFile<'a> {
        CaseFile {
            case_type: case.case_type,
            filed_on: case.filed_on,
            has_judge: case.handling_judge.is_some(),
            started_at_filing: case.started_at_filing,
            document_type: case.basis.document_type,
            nodes: &self.nodes,
            events: &self.events,
        }
    }
}

/// A transition as requested.
#[derive(Clone, Debug)]
pub struct TransitionRequest {
    pub action: Action,
    pub on: Date,
    pub note: String,
    pub document_ref: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TransitionOutcome {
    pub state: CaseState,
    /// The 执恢 case opened by `restore`.
    pub new_case: Option<StoredCase>,
}

/// One open deadline as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeadlineRow {
    court: String,
    case_id: i64,
    kind: &'static str,
    seq: i64,
    due_on: String,
    judge_id: Option<i64>,
}

impl DeadlineRow {
    pub(crate) fn new(court: &CourtCode, case_id: i64, d: &Deadline, judge: Option<&UserRef>) -> DeadlineRow {
        DeadlineRow {
            court: court.as_str().to_string(),
            case_id,
            kind: d.kind.code(),
            seq: i64::from(d.seq),
            due_on: d.due_on.map(iso_date).unwrap_or_default(),
            judge_id: judge.map(|u| u.id),
        }
    }
}

/// A line of a deadline list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineListItem {
    pub court: CourtCode,
    pub case_id: i64,
    pub case_number: String,
    pub kind: DeadlineKind,
    pub seq: i64,
    pub due_on: Date,
    pub judge_name: Option<String>,
}

/// Counts of open deadlines of one court.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeadlineCounts {
    pub court: String,
    pub overdue: i64,
    pub due_soon: i64,
    pub due_later: i64,
}

/// Open deadlines of a case being filed (no nodes, no events yet).
pub(crate) fn new_case_deadlines(rules: &WorkflowRules, draft: &CaseDraft, judge: Option<&UserRef>) -> Vec<Deadline> {
    let file = CaseFile {
        case_type: draft.case_type,
        filed_on: draft.filed_on,
        has_judge: judge.is_some(),
        started_at_filing: judge.is_some(),
        document_type: draft.basis.document_type,
        nodes: &[],
        events: &[],
    };
    compute_deadlines(&file, &rules.calendar, &rules.policy).into_iter().filter(Deadline::is_open).collect()
}

pub(crate) async fn insert_deadlines(conn: &mut AnyConnection, rows: &[DeadlineRow]) -> Result<()> {
    for (start, len, bucket) in buckets(rows.len()) {
        let sql = bucketed_insert("case_deadlines (court_code, case_id, kind, seq, due_on, judge_id)", 6, bucket);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for i in 0..bucket {
            let row = rows[start..start + len].get(i);
            query = query
                .bind(row.map(|r| r.court.clone()))
                .bind(row.map(|r| r.case_id))
                .bind(row.map(|r| r.kind.to_string()))
                .bind(row.map(|r| r.seq))
                .bind(row.map(|r| r.due_on.clone()))
                .bind(row.and_then(|r| r.judge_id));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The calendar date in China (UTC+8) of a unix-millisecond instant.
pub fn china_date(now_ms: i64) -> Date {
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .map(|t| t.to_offset(offset).date())
        .unwrap_or(Date::MIN)
}

/// Naming the first judge of a filed case (register edit): a
/// `judge_assigned` node and a `start` event dated today.
pub(crate) async fn record_judge_assignment(
    tx: &mut AnyConnection,
    store: &Store,
    court: &CourtCode,
    case_id: i64,
    actor: &UserRef,
    now: i64,
) -> Result<()> {
    let today = china_date(now);
    let node = Node {
        id: store.ids.next(now),
        kind: NodeKind::Builtin(BuiltinNode::JudgeAssigned),
        on: today,
        note: String::new(),
        document_ref: None,
        amount: None,
    };
    insert_node(tx, court, case_id, &node, actor, now).await?;
    let seq = next_event_seq(tx, court, case_id).await?;
    let event = Event { seq, on: today, action: Action::Start, note: "指定承办人".into(), document_ref: None };
    insert_event(tx, court, case_id, &event, CaseStatus::Enforcing, actor, now).await
}

async fn next_event_seq(tx: &mut AnyConnection, court: &CourtCode, case_id: i64) -> Result<i64> {
    let row =
        sqlx::query("SELECT COALESCE(MAX(seq), 0) AS last FROM case_events WHERE court_code = $1 AND case_id = $2")
            .bind(court.as_str().to_string())
            .bind(case_id)
            .fetch_one(&mut *tx)
            .await?;
    Ok(int(&row, "last")? + 1)
}

pub(crate) async fn insert_node(
    tx: &mut AnyConnection,
    court: &CourtCode,
    case_id: i64,
    node: &Node,
    actor: &UserRef,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_nodes (court_code, case_id, id, kind, on_date, note, document_ref, amount_fen, recorded_at, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(court.as_str().to_string())
    .bind(case_id)
    .bind(node.id)
    .bind(node.kind.code().to_string())
    .bind(iso_date(node.on))
    .bind(node.note.clone())
    .bind(node.document_ref.clone())
    .bind(node.amount.map(Money::fen))
    .bind(now)
    .bind(actor.id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_event(
    tx: &mut AnyConnection,
    court: &CourtCode,
    case_id: i64,
    event: &Event,
    state_after: CaseStatus,
    actor: &UserRef,
    now: i64,
) -> Result<()> {
    let (mode, until, security_until) = match event.action {
        Action::Close { mode, .. } => (Some(mode.code()), None, None),
        Action::Defer { until, security_until, .. } => (None, Some(iso_date(until)), security_until.map(iso_date)),
        _ => (None, None, None),
    };
    let done = sqlx::query(
        "INSERT INTO case_events (court_code, case_id, seq, action, on_date, mode, ground, until_date, security_until,
             note, document_ref, state_after, recorded_at, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(court.as_str().to_string())
    .bind(case_id)
    .bind(event.seq)
    .bind(event.action.code())
    .bind(iso_date(event.on))
    .bind(mode)
    .bind(event.action.ground().map(|g| g.code()))
    .bind(until)
    .bind(security_until)
    .bind(event.note.clone())
    .bind(event.document_ref.clone())
    .bind(state_after.as_str())
    .bind(now)
    .bind(actor.id)
    .execute(&mut *tx)
    .await;
    match done {
        Ok(_) => Ok(()),
        // Two transitions of one case raced past the row lock (cannot
        // happen with it, but the key is the last line of defence).
        Err(e) if is_unique_violation(&e) => Err(StoreError::VersionConflict { current: event.seq }),
        Err(e) => Err(e.into()),
    }
}

fn action_from_row(row: &AnyRow) -> Result<Action> {
    let action = text(row, "action")?;
    let ground = opt_text(row, "ground")?;
    let g = ground.as_deref().unwrap_or("");
    let bad = || corrupt("case_events", &format!("{action}/{g}"));
    Ok(match action.as_str() {
        "start" => Action::Start,
        "resume" => Action::Resume,
        "suspend" => Action::Suspend(SuspensionGround::parse(g).ok_or_else(bad)?),
        "defer" => Action::Defer {
            ground: DeferralGround::parse(g).ok_or_else(bad)?,
            until: opt_date(row, "until_date")?.ok_or_else(bad)?,
            security_until: opt_date(row, "security_until")?,
        },
        "close" => {
            let mode = parsed(row, "mode", ClosingMode::parse)?;
            let ground = match (mode, ground.as_deref()) {
                (ClosingMode::Terminated, Some(g)) => {
                    Some(Ground::Termination(TerminationGround::parse(g).ok_or_else(bad)?))
                }
                (ClosingMode::Cancelled, Some(g)) => {
                    Some(Ground::Cancellation(zhixing_core::workflow::CancellationGround::parse(g).ok_or_else(bad)?))
                }
                _ => None,
            };
            Action::Close { mode, ground }
        }
        "restore" => Action::Restore(RestoreGround::parse(g).ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

impl Store {
    /// The rules in force (calendar and policy).
    pub fn workflow_rules(&self) -> Arc<WorkflowRules> {
        self.rules.read().map(|r| r.clone()).unwrap_or_default()
    }

    /// Sets the workflow policy (configuration).
    pub fn set_workflow_policy(&self, policy: WorkflowPolicy) {
        if let Ok(mut slot) = self.rules.write() {
            let calendar = slot.calendar.clone();
            *slot = Arc::new(WorkflowRules { calendar, policy });
        }
    }

    /// Re-reads the working-day calendar from the database.
    pub async fn reload_workflow_calendar(&self) -> Result<()> {
        let calendar = WorkCalendar::new(self.calendar().await?)
            .map_err(|e| StoreError::Corrupt(format!("calendar_days: {e}")))?;
        if let Ok(mut slot) = self.rules.write() {
            let policy = slot.policy.clone();
            *slot = Arc::new(WorkflowRules { calendar, policy });
        }
        Ok(())
    }

    /// A case visible in `courts` with its workflow records.
    pub async fn case_workflow(&self, courts: &[CourtCode], id: i64) -> Result<Option<(StoredCase, CaseWorkflow)>> {
        if courts.is_empty() {
            return Ok(None);
        }
        let mut conn = self.read.acquire().await?;
        let Some(case) = self.load_case(&mut conn, courts, id).await? else { return Ok(None) };
        let workflow = self.load_workflow(&mut conn, &case.court, id).await?;
        Ok(Some((case, workflow)))
    }

    async fn load_workflow(&self, conn: &mut AnyConnection, court: &CourtCode, id: i64) -> Result<CaseWorkflow> {
        let node_rows = sqlx::query(
            "SELECT id, kind, on_date, note, document_ref, amount_fen, recorded_at, recorded_by FROM case_nodes
             WHERE court_code = $1 AND case_id = $2 ORDER BY on_date, recorded_at, id",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let event_rows = sqlx::query(
            "SELECT seq, action, on_date, mode, ground, until_date, security_until, note, document_ref, state_after,
                 recorded_at, recorded_by FROM case_events WHERE court_code = $1 AND case_id = $2 ORDER BY seq",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let link_rows = sqlx::query(
            "SELECT kind, linked_court_code, linked_case_id, linked_case_number FROM case_links
             WHERE court_code = $1 AND case_id = $2 ORDER BY created_at",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut user_ids = Vec::new();
        for row in node_rows.iter().chain(&event_rows) {
            user_ids.push(int(row, "recorded_by")?);
        }
        let users = self.user_refs(conn, &user_ids).await?;
        let recorded = |row: &AnyRow| -> Result<Recorded> {
            let by = int(row, "recorded_by")?;
            Ok(Recorded {
                at: int(row, "recorded_at")?,
                by: users
                    .iter()
                    .find(|u| u.id == by)
                    .cloned()
                    .ok_or_else(|| corrupt("recorded_by", &by.to_string()))?,
            })
        };
        let mut workflow = CaseWorkflow::default();
        for row in &node_rows {
            let kind_code = text(row, "kind")?;
            workflow.nodes.push(Node {
                id: int(row, "id")?,
                kind: NodeKind::from_code(&kind_code).ok_or_else(|| corrupt("kind", &kind_code))?,
                on: date(row, "on_date")?,
                note: text(row, "note")?,
                document_ref: opt_text(row, "document_ref")?,
                amount: opt_int(row, "amount_fen")?
                    .map(|f| Money::from_fen(f).map_err(|e| corrupt("amount_fen", &e.to_string())))
                    .transpose()?,
            });
            workflow.node_records.push(recorded(row)?);
        }
        for row in &event_rows {
            workflow.events.push(Event {
                seq: int(row, "seq")?,
                on: date(row, "on_date")?,
                action: action_from_row(row)?,
                note: text(row, "note")?,
                document_ref: opt_text(row, "document_ref")?,
            });
            workflow.event_records.push((recorded(row)?, parsed(row, "state_after", CaseStatus::parse)?));
        }
        for row in &link_rows {
            workflow.links.push(CaseLink {
                kind: parsed(row, "kind", LinkKind::parse)?,
                court: parsed(row, "linked_court_code", |s| CourtCode::parse(s).ok())?,
                case_id: int(row, "linked_case_id")?,
                case_number: text(row, "linked_case_number")?,
            });
        }
        Ok(workflow)
    }

    /// Locks the case row for this transaction (PostgreSQL row lock; SQLite
    /// has one writer anyway) and reads the case and its workflow.
    pub(crate) async fn lock_case(
        &self,
        tx: &mut AnyConnection,
        court: &CourtCode,
        id: i64,
    ) -> Result<(StoredCase, CaseWorkflow)> {
        let locked =
            sqlx::query("UPDATE cases SET status = status WHERE court_code = $1 AND id = $2 AND deleted_at IS NULL")
                .bind(court.as_str().to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if locked.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let case = self.load_case(tx, std::slice::from_ref(court), id).await?.ok_or(StoreError::NotFound)?;
        let workflow = self.load_workflow(tx, court, id).await?;
        Ok((case, workflow))
    }

    /// Rewrites the open deadlines of one case from its current file.
    pub(crate) async fn refresh_deadlines(
        &self,
        tx: &mut AnyConnection,
        court: &CourtCode,
        id: i64,
        deltas: &mut crate::dashboard::CounterDeltas,
    ) -> Result<()> {
        let case = self.load_case(tx, std::slice::from_ref(court), id).await?.ok_or(StoreError::NotFound)?;
        let workflow = self.load_workflow(tx, court, id).await?;
        self.write_deadlines(tx, &case, &workflow, deltas).await
    }

    pub(crate) async fn write_deadlines(
        &self,
        tx: &mut AnyConnection,
        case: &StoredCase,
        workflow: &CaseWorkflow,
        deltas: &mut crate::dashboard::CounterDeltas,
    ) -> Result<()> {
        let rules = self.workflow_rules();
        let open: Vec<Deadline> = compute_deadlines(&workflow.file(case), &rules.calendar, &rules.policy)
            .into_iter()
            .filter(|d| d.is_open())
            .collect();
        let rows: Vec<DeadlineRow> =
            open.iter().map(|d| DeadlineRow::new(&case.court, case.id, d, case.handling_judge.as_ref())).collect();
        sqlx::query("DELETE FROM case_deadlines WHERE court_code = $1 AND case_id = $2")
            .bind(case.court.as_str().to_string())
            .bind(case.id)
            .execute(&mut *tx)
            .await?;
        insert_deadlines(tx, &rows).await?;
        // The dashboard's counters change with the case, in this transaction.
        let facts = crate::dashboard::case_facts(case, workflow, open.iter().filter_map(|d| d.due_on).collect());
        let contribution = zhixing_core::dashboard::counters::contribution(&facts);
        crate::dashboard::replace_contributions(tx, vec![(case.court.clone(), case.id, contribution)], false, deltas)
            .await
    }

    /// Recomputes the stored deadlines of every live case (after a calendar
    /// or policy change, or on first start after the workflow migration).
    /// Returns the number of cases.
    pub async fn rebuild_deadlines(&self) -> Result<u64> {
        let ids = sqlx::query("SELECT court_code, id FROM cases WHERE deleted_at IS NULL ORDER BY court_code, id")
            .fetch_all(&self.read)
            .await?;
        let mut count = 0;
        for chunk in ids.chunks(200) {
            let mut tx = self.write.begin().await?;
            let mut deltas = crate::dashboard::CounterDeltas::new();
            for row in chunk {
                let court: CourtCode = parsed(row, "court_code", |s| CourtCode::parse(s).ok())?;
                self.refresh_deadlines(&mut tx, &court, int(row, "id")?, &mut deltas).await?;
                count += 1;
            }
            crate::dashboard::flush(&mut tx, &deltas).await?;
            tx.commit().await?;
        }
        Ok(count)
    }

    /// Live cases in all courts.
    pub async fn count_cases_all(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE deleted_at IS NULL").fetch_one(&self.read).await?;
        int(&row, "n")
    }

    /// True when cases exist but no deadline was ever stored (a database
    /// from before the workflow migration).
    pub async fn deadlines_missing(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM case_deadlines) AS d, (SELECT COUNT(*) FROM cases WHERE deleted_at IS NULL) AS c",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(int(&row, "d")? == 0 && int(&row, "c")? > 0)
    }

    /// Records a process node after checking its rules; refreshes deadlines.
    pub async fn record_node(
        &self,
        court: &CourtCode,
        id: i64,
        input: &NodeInput,
        actor: &UserRef,
        now: i64,
    ) -> Result<(Node, StoredCase, CaseWorkflow)> {
        let rules = self.workflow_rules();
        let mut tx = self.write.begin().await?;
        let (case, mut workflow) = self.lock_case(&mut tx, court, id).await?;
        if input.on < case.filed_on {
            return Err(StoreError::Refused(Refusal {
                message: "节点日期不能早于立案日期".into(),
                missing: vec![Missing::new("节点日期早于立案日期", "《执行立结案意见》第三条")],
            }));
        }
        if let NodeKind::Local(code) = &input.kind {
            let known =
                sqlx::query("SELECT code FROM node_kinds WHERE code = $1 AND (court_code IS NULL OR court_code = $2)")
                    .bind(code.clone())
                    .bind(court.as_str().to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(StoreError::Rejected(zhixing_core::error::FieldError::new(
                    "kind",
                    "unknown_node_kind",
                    format!("本院未设置节点类型“{code}”"),
                )));
            }
        }
        validate_node(&workflow.file(&case), input, &rules.calendar, &rules.policy).map_err(StoreError::Refused)?;
        let node = Node {
            id: self.ids.next(now),
            kind: input.kind.clone(),
            on: input.on,
            note: input.note.clone(),
            document_ref: input.document_ref.clone(),
            amount: input.amount,
        };
        insert_node(&mut tx, court, id, &node, actor, now).await?;
        workflow.nodes.push(node.clone());
        workflow.nodes.sort_by_key(|n| n.on);
        let mut deltas = crate::dashboard::CounterDeltas::new();
        self.write_deadlines(&mut tx, &case, &workflow, &mut deltas).await?;
        crate::dashboard::flush(&mut tx, &deltas).await?;
        tx.commit().await?;
        let (case, workflow) =
            self.case_workflow(std::slice::from_ref(court), id).await?.ok_or(StoreError::NotFound)?;
        Ok((node, case, workflow))
    }

    /// Applies a transition if the rules allow it (see
    /// [`zhixing_core::workflow::decide`]); `restore` also files the linked
    /// 执恢 case with a new 案号 and the unpaid balance (LJ art 6), in the
    /// same transaction.
    pub async fn apply_transition(
        &self,
        court: &CourtCode,
        id: i64,
        request: &TransitionRequest,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<TransitionOutcome> {
        crate::with_retries(|| self.apply_transition_once(court, id, request, actor, now, today)).await
    }

    async fn apply_transition_once(
        &self,
        court: &CourtCode,
        id: i64,
        request: &TransitionRequest,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<TransitionOutcome> {
        let rules = self.workflow_rules();
        let mut tx = self.write.begin().await?;
        let mut deltas = crate::dashboard::CounterDeltas::new();
        let (case, workflow) = self.lock_case(&mut tx, court, id).await?;
        let file = workflow.file(&case);
        let state = decide(
            &file,
            &request.action,
            request.on,
            today,
            request.document_ref.as_deref(),
            &request.note,
            &rules.policy,
        )
        .map_err(StoreError::Refused)?;
        let seq = workflow.events.last().map_or(0, |e| e.seq) + 1;
        let event = Event {
            seq,
            on: request.on,
            action: request.action,
            note: request.note.clone(),
            document_ref: request.document_ref.clone(),
        };
        insert_event(&mut tx, court, id, &event, state.status(), actor, now).await?;
        sqlx::query("UPDATE cases SET status = $1 WHERE court_code = $2 AND id = $3")
            .bind(state.status().as_str())
            .bind(court.as_str().to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mut new_case = None;
        if let Action::Restore(_) = request.action {
            let filed = self.file_restored_case(&mut tx, &case, &workflow, request.on, actor, now, &mut deltas).await?;
            for (from_court, from_id, kind, to) in [
                (&case.court, case.id, LinkKind::RestoredAs, &filed),
                (&filed.court, filed.id, LinkKind::RestoredFrom, &case),
            ] {
                sqlx::query(
                    "INSERT INTO case_links (court_code, case_id, kind, linked_court_code, linked_case_id, linked_case_number, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(from_court.as_str().to_string())
                .bind(from_id)
                .bind(kind.as_str())
                .bind(to.court.as_str().to_string())
                .bind(to.id)
                .bind(to.case_number.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            new_case = Some(filed);
        }
        let mut after = workflow.clone();
        after.events.push(event);
        let mut case_after = case.clone();
        case_after.status = state.status();
        self.write_deadlines(&mut tx, &case_after, &after, &mut deltas).await?;
        crate::dashboard::flush(&mut tx, &deltas).await?;
        tx.commit().await?;
        Ok(TransitionOutcome { state, new_case })
    }

    /// Files the 执恢 case of a restore: same 执行依据 and parties, the
    /// unpaid balance as its claim, the same handling judge.
    #[allow(clippy::too_many_arguments)]
    async fn file_restored_case(
        &self,
        tx: &mut AnyConnection,
        original: &StoredCase,
        workflow: &CaseWorkflow,
        on: Date,
        actor: &UserRef,
        now: i64,
        deltas: &mut crate::dashboard::CounterDeltas,
    ) -> Result<StoredCase> {
        let balance = unpaid_balance(original.amount_applied, &workflow.nodes);
        if !original.amount_applied.is_zero() && balance.is_zero() {
            return Err(StoreError::Refused(Refusal {
                message: "原案已无未履行金额，无需恢复执行".into(),
                missing: vec![Missing::new("未履行金额", "《执行立结案意见》第六条")],
            }));
        }
        let successor = crate::cases::Successor {
            original,
            court: original.court.clone(),
            case_type: EnforcementType::Resumed,
            filed_on: on,
            handling_judge: original.handling_judge.clone(),
            balance,
            claim_description: format!("恢复执行：原案{}未履行部分", original.case_number),
        };
        self.file_successor_in(tx, successor, actor, now, deltas).await
    }

    /// Open deadlines due on or before `until` in `courts` (of one judge if
    /// given), earliest first.
    pub async fn deadline_list(
        &self,
        courts: &[CourtCode],
        judge: Option<i64>,
        until: Date,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DeadlineListItem>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let mut next = courts.len() + 1;
        let mut sql = format!(
            "SELECT d.court_code, d.case_id, d.kind, d.seq, d.due_on, c.case_number, j.display_name AS judge_name
             FROM case_deadlines d JOIN cases c ON c.court_code = d.court_code AND c.id = d.case_id
             LEFT JOIN users j ON j.id = d.judge_id
             WHERE d.court_code IN ({}) AND d.due_on <= ${next}",
            placeholders(1, courts.len())
        );
        next += 1;
        if judge.is_some() {
            sql.push_str(&format!(" AND d.judge_id = ${next}"));
            next += 1;
        }
        sql.push_str(&format!(" ORDER BY d.due_on, d.case_id, d.kind, d.seq LIMIT ${next} OFFSET ${}", next + 1));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for court in courts {
            q = q.bind(court.as_str().to_string());
        }
        q = q.bind(iso_date(until));
        if let Some(judge) = judge {
            q = q.bind(judge);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(DeadlineListItem {
                    court: parsed(r, "court_code", |s| CourtCode::parse(s).ok())?,
                    case_id: int(r, "case_id")?,
                    case_number: text(r, "case_number")?,
                    kind: parsed(r, "kind", DeadlineKind::parse)?,
                    seq: int(r, "seq")?,
                    due_on: date(r, "due_on")?,
                    judge_name: r.try_get::<Option<String>, _>("judge_name")?,
                })
            })
            .collect()
    }

    /// Per court: open deadlines overdue (before `today`), due by `soon`,
    /// due after `soon` and by `later`.
    pub async fn deadline_counts(
        &self,
        courts: &[CourtCode],
        judge: Option<i64>,
        today: Date,
        soon: Date,
        later: Date,
    ) -> Result<Vec<DeadlineCounts>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let n = courts.len();
        let mut sql = format!(
            "SELECT court_code,
                 SUM(CASE WHEN due_on < ${a} THEN 1 ELSE 0 END) AS overdue,
                 SUM(CASE WHEN due_on >= ${a} AND due_on <= ${b} THEN 1 ELSE 0 END) AS due_soon,
                 SUM(CASE WHEN due_on > ${b} THEN 1 ELSE 0 END) AS due_later
             FROM case_deadlines WHERE court_code IN ({}) AND due_on <= ${c}",
            placeholders(1, n),
            a = n + 1,
            b = n + 2,
            c = n + 3
        );
        if judge.is_some() {
            sql.push_str(&format!(" AND judge_id = ${}", n + 4));
        }
        sql.push_str(" GROUP BY court_code ORDER BY court_code");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for court in courts {
            q = q.bind(court.as_str().to_string());
        }
        q = q.bind(iso_date(today)).bind(iso_date(soon)).bind(iso_date(later));
        if let Some(judge) = judge {
            q = q.bind(judge);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(DeadlineCounts {
                    court: text(r, "court_code")?,
                    overdue: int(r, "overdue")?,
                    due_soon: int(r, "due_soon")?,
                    due_later: int(r, "due_later")?,
                })
            })
            .collect()
    }

    /// Adds a local node kind (admin).
    pub async fn add_node_kind(&self, kind: &LocalNodeKind, now: i64) -> Result<()> {
        let done = sqlx::query("INSERT INTO node_kinds (code, label, court_code, created_at) VALUES ($1, $2, $3, $4)")
            .bind(kind.code.clone())
            .bind(kind.label.clone())
            .bind(kind.court.clone())
            .bind(now)
            .execute(&self.write)
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Rejected(zhixing_core::error::FieldError::new(
                "code",
                "node_kind_taken",
                format!("节点代码“{}”已存在", kind.code),
            ))),
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                Err(StoreError::UnknownCourt(kind.court.clone().unwrap_or_default()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Local node kinds offered to `court` (all of them when `None`).
    pub async fn node_kinds(&self, court: Option<&CourtCode>) -> Result<Vec<LocalNodeKind>> {
        let rows = match court {
            Some(court) => {
                sqlx::query("SELECT code, label, court_code FROM node_kinds WHERE court_code IS NULL OR court_code = $1 ORDER BY code")
                    .bind(court.as_str().to_string())
                    .fetch_all(&self.read)
                    .await?
            }
            None => sqlx::query("SELECT code, label, court_code FROM node_kinds ORDER BY code").fetch_all(&self.read).await?,
        };
        rows.iter()
            .map(|r| {
                Ok(LocalNodeKind {
                    code: text(r, "code")?,
                    label: text(r, "label")?,
                    court: opt_text(r, "court_code")?,
                })
            })
            .collect()
    }
}
