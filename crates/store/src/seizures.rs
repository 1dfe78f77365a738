//! Seizures (查封、扣押、冻结) on a case: recording, renewal (续行), release,
//! the move to the receiving court's case when 交叉执行 moves the whole case
//! (WT art 6: same priority, same dates), and the facts the receiving-court
//! suggestion reads. Every write locks the case row first, like the workflow.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};
use time::Date;
use zhixing_core::calendar::{chinese_date, iso_date};
use zhixing_core::case::CaseStatus;
use zhixing_core::court::{CourtCode, CourtDirectory};
use zhixing_core::cross::suggest::{CaseLocation, Load, Suggestion, suggest};
use zhixing_core::error::FieldError;
use zhixing_core::money::Money;
use zhixing_core::seizure::{
    NewSeizure, Priority, SeizureFacts, SeizureKind, SeizureStatus, check_renewal, in_force, transfer_refusal,
};
use zhixing_core::workflow::{Missing, Refusal};

use crate::rows::{corrupt, date, int, opt_date, opt_int, opt_text, parsed, text};
use crate::sql::placeholders;
use crate::users::UserRef;
use crate::{Result, Store, StoreError};

/// Where a seizure came from when it passed over with a transferred case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovedFrom {
    pub court: CourtCode,
    pub case_id: i64,
    pub case_number: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeizureAction {
    Recorded,
    Renewed,
    Released,
    MovedOut,
    MovedIn,
}

impl SeizureAction {
    const ALL: [SeizureAction; 5] = [
        SeizureAction::Recorded,
        SeizureAction::Renewed,
        SeizureAction::Released,
        SeizureAction::MovedOut,
        SeizureAction::MovedIn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SeizureAction::Recorded => "recorded",
            SeizureAction::Renewed => "renewed",
            SeizureAction::Released => "released",
            SeizureAction::MovedOut => "moved_out",
            SeizureAction::MovedIn => "moved_in",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SeizureAction::Recorded => "登记查封",
            SeizureAction::Renewed => "续行",
            SeizureAction::Released => "解除",
            SeizureAction::MovedOut => "随案移交",
            SeizureAction::MovedIn => "随案移入",
        }
    }

    fn parse(s: &str) -> Option<SeizureAction> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// One entry of a seizure's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeizureEvent {
    pub action: SeizureAction,
    pub on: Date,
    /// The expiry after this event.
    pub expires_on: Date,
    pub note: String,
    pub at: i64,
    pub by: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seizure {
    pub court: CourtCode,
    pub case_id: i64,
    pub id: i64,
    pub kind: SeizureKind,
    pub property: String,
    /// 登记机关 / 协助执行单位.
    pub holder: String,
    /// The court in whose district the property lies.
    pub location_court: Option<CourtCode>,
    pub amount: Option<Money>,
    pub seized_on: Date,
    pub expires_on: Date,
    pub priority: Priority,
    pub status: SeizureStatus,
    pub released_on: Option<Date>,
    pub moved_from: Option<MovedFrom>,
    /// The day the property was first seized, kept through every move.
    pub original_seized_on: Date,
    pub created_at: i64,
    pub created_by: i64,
    /// Oldest first.
    pub history: Vec<SeizureEvent>,
}

impl Seizure {
    pub fn in_force(&self, on: Date) -> bool {
        in_force(self.status, self.expires_on, on)
    }

    fn facts(&self) -> SeizureFacts<'_> {
        SeizureFacts { kind: self.kind, property: &self.property, status: self.status, expires_on: self.expires_on }
    }
}

const COLUMNS: &str =
    "court_code, case_id, id, kind, property, holder, location_court, amount_fen, seized_on, expires_on,
    priority, status, released_on, moved_from_court, moved_from_case, moved_from_case_number, original_seized_on,
    created_at, created_by";

fn court_code(r: &AnyRow, column: &str) -> Result<CourtCode> {
    parsed(r, column, |s| CourtCode::parse(s).ok())
}

fn seizure_from_row(r: &AnyRow) -> Result<Seizure> {
    let moved_from = match (opt_text(r, "moved_from_court")?, opt_int(r, "moved_from_case")?) {
        (Some(court), Some(case_id)) => Some(MovedFrom {
            court: CourtCode::parse(&court).map_err(|_| corrupt("moved_from_court", &court))?,
            case_id,
            case_number: opt_text(r, "moved_from_case_number")?.unwrap_or_default(),
        }),
        _ => None,
    };
    let priority = int(r, "priority")?;
    Ok(Seizure {
        court: court_code(r, "court_code")?,
        case_id: int(r, "case_id")?,
        id: int(r, "id")?,
        kind: parsed(r, "kind", SeizureKind::parse)?,
        property: text(r, "property")?,
        holder: text(r, "holder")?,
        location_court: match opt_text(r, "location_court")? {
            None => None,
            Some(c) => Some(CourtCode::parse(&c).map_err(|_| corrupt("location_court", &c))?),
        },
        amount: opt_int(r, "amount_fen")?
            .map(|f| Money::from_fen(f).map_err(|e| corrupt("amount_fen", &e.to_string())))
            .transpose()?,
        seized_on: date(r, "seized_on")?,
        expires_on: date(r, "expires_on")?,
        priority: u32::try_from(priority)
            .ok()
            .and_then(Priority::new)
            .ok_or_else(|| corrupt("priority", &priority.to_string()))?,
        status: parsed(r, "status", SeizureStatus::parse)?,
        released_on: opt_date(r, "released_on")?,
        moved_from,
        original_seized_on: date(r, "original_seized_on")?,
        created_at: int(r, "created_at")?,
        created_by: int(r, "created_by")?,
        history: Vec::new(),
    })
}

fn refused(message: impl Into<String>, item: impl Into<String>, rule: &str) -> StoreError {
    StoreError::Refused(Refusal { message: message.into(), missing: vec![Missing::new(item, rule)] })
}

/// A seizure's history row.
struct EventRow<'a> {
    court: &'a CourtCode,
    case_id: i64,
    seizure_id: i64,
    action: SeizureAction,
    on: Date,
    expires_on: Date,
    note: &'a str,
}

/// Reads the seizures of one case (without history), oldest first.
async fn load_seizures(tx: &mut AnyConnection, court: &CourtCode, case_id: i64) -> Result<Vec<Seizure>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM case_seizures WHERE court_code = $1 AND case_id = $2 ORDER BY seized_on, id"
    )))
    .bind(court.as_str().to_string())
    .bind(case_id)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter().map(seizure_from_row).collect()
}

impl Store {
    async fn insert_seizure_event(
        &self,
        tx: &mut AnyConnection,
        e: &EventRow<'_>,
        actor: &UserRef,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO case_seizure_events (court_code, case_id, seizure_id, id, action, on_date, expires_on, note, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(e.court.as_str().to_string())
        .bind(e.case_id)
        .bind(e.seizure_id)
        .bind(self.ids.next(now))
        .bind(e.action.code())
        .bind(iso_date(e.on))
        .bind(iso_date(e.expires_on))
        .bind(e.note.to_string())
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_seizure_row(
        &self,
        tx: &mut AnyConnection,
        court: &CourtCode,
        case_id: i64,
        id: i64,
        s: &NewSeizure,
        moved_from: Option<&MovedFrom>,
        original_seized_on: Date,
        actor: &UserRef,
        now: i64,
    ) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO case_seizures ({COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', NULL, $12, $13, $14, $15, $16, $17)"
        )))
        .bind(court.as_str().to_string())
        .bind(case_id)
        .bind(id)
        .bind(s.kind.code())
        .bind(s.property.clone())
        .bind(s.holder.clone())
        .bind(s.location_court.as_ref().map(|c| c.as_str().to_string()))
        .bind(s.amount.map(|a| a.fen()))
        .bind(iso_date(s.seized_on))
        .bind(iso_date(s.expires_on))
        .bind(i64::from(s.priority.get()))
        .bind(moved_from.map(|m| m.court.as_str().to_string()))
        .bind(moved_from.map(|m| m.case_id))
        .bind(moved_from.map(|m| m.case_number.clone()))
        .bind(iso_date(original_seized_on))
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Records a seizure on a case of `court`. A closed case takes no new
    /// measure: property found later is enforced by restoring the case
    /// (恢复执行, LJ art 6), and a transferred case's successor takes it.
    pub async fn record_seizure(
        &self,
        court: &CourtCode,
        case_id: i64,
        new: &NewSeizure,
        actor: &UserRef,
        now: i64,
    ) -> Result<Seizure> {
        let mut tx = self.write.begin().await?;
        let (case, _) = self.lock_case(&mut tx, court, case_id).await?;
        if case.status == CaseStatus::Closed {
            return Err(refused(
                "案件已结案，不能再登记查封、扣押、冻结",
                "已结案；终本后发现财产的，应恢复执行后在新案中采取措施",
                "《最高人民法院关于执行案件立案、结案若干问题的意见》第六条",
            ));
        }
        if let Some(location) = &new.location_court {
            let known = sqlx::query("SELECT code FROM courts WHERE code = $1")
                .bind(location.as_str().to_string())
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(StoreError::Rejected(FieldError::new(
                    "location_court",
                    "unknown_court",
                    format!("法院表中没有代字为“{location}”的法院"),
                )));
            }
        }
        let id = self.ids.next(now);
        self.insert_seizure_row(&mut tx, court, case_id, id, new, None, new.seized_on, actor, now).await?;
        let event = EventRow {
            court,
            case_id,
            seizure_id: id,
            action: SeizureAction::Recorded,
            on: new.seized_on,
            expires_on: new.expires_on,
            note: "",
        };
        self.insert_seizure_event(&mut tx, &event, actor, now).await?;
        tx.commit().await?;
        self.seizure(court, case_id, id).await
    }

    /// Renews (续行) an active seizure on `on` to `new_expiry` (JS art 485:
    /// before expiry, each renewal within the kind's maximum).
    #[allow(clippy::too_many_arguments)]
    pub async fn renew_seizure(
        &self,
        court: &CourtCode,
        case_id: i64,
        seizure_id: i64,
        on: Date,
        new_expiry: Date,
        note: &str,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Seizure> {
        let mut tx = self.write.begin().await?;
        let current = self.locked_seizure(&mut tx, court, case_id, seizure_id).await?;
        check_renewal(current.kind, current.status, current.seized_on, current.expires_on, on, new_expiry, today)
            .map_err(StoreError::Refused)?;
        sqlx::query(
            "UPDATE case_seizures SET expires_on = $1 WHERE court_code = $2 AND case_id = $3 AND id = $4 AND status = 'active'",
        )
        .bind(iso_date(new_expiry))
        .bind(court.as_str().to_string())
        .bind(case_id)
        .bind(seizure_id)
        .execute(&mut *tx)
        .await?;
        let event =
            EventRow { court, case_id, seizure_id, action: SeizureAction::Renewed, on, expires_on: new_expiry, note };
        self.insert_seizure_event(&mut tx, &event, actor, now).await?;
        tx.commit().await?;
        self.seizure(court, case_id, seizure_id).await
    }

    /// Locks the seizure's case for this transaction and reads the seizure.
    async fn locked_seizure(
        &self,
        tx: &mut AnyConnection,
        court: &CourtCode,
        case_id: i64,
        seizure_id: i64,
    ) -> Result<Seizure> {
        self.lock_case(tx, court, case_id).await?;
        load_seizures(tx, court, case_id).await?.into_iter().find(|s| s.id == seizure_id).ok_or(StoreError::NotFound)
    }

    /// Releases (解除) an active seizure on `on`. The next queued seizure of
    /// another court then takes effect by itself (CK art 26); that is the
    /// registry's business, not this record's.
    #[allow(clippy::too_many_arguments)]
    pub async fn release_seizure(
        &self,
        court: &CourtCode,
        case_id: i64,
        seizure_id: i64,
        on: Date,
        note: &str,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Seizure> {
        let mut tx = self.write.begin().await?;
        let current = self.locked_seizure(&mut tx, court, case_id, seizure_id).await?;
        let mut missing = Vec::new();
        match current.status {
            SeizureStatus::Active => {}
            SeizureStatus::Released => missing.push(Missing::new(
                format!("该查封已于{}解除", current.released_on.map(chinese_date).unwrap_or_default()),
                "《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》",
            )),
            SeizureStatus::Transferred => missing.push(Missing::new(
                "该查封已随案移交，视为受理法院的查封，由受理法院解除",
                zhixing_core::seizure::HANDOVER_RULE,
            )),
        }
        if !missing.is_empty() {
            return Err(StoreError::Refused(Refusal { message: "不能解除查封".into(), missing }));
        }
        if on > today {
            return Err(StoreError::Rejected(FieldError::new("on", "date_in_future", "解除日期不能晚于今天")));
        }
        if on < current.seized_on {
            return Err(StoreError::Rejected(FieldError::new(
                "on",
                "date_before_seizure",
                format!("解除日期不能早于查封日期{}", chinese_date(current.seized_on)),
            )));
        }
        sqlx::query(
            "UPDATE case_seizures SET status = 'released', released_on = $1
             WHERE court_code = $2 AND case_id = $3 AND id = $4 AND status = 'active'",
        )
        .bind(iso_date(on))
        .bind(court.as_str().to_string())
        .bind(case_id)
        .bind(seizure_id)
        .execute(&mut *tx)
        .await?;
        let event = EventRow {
            court,
            case_id,
            seizure_id,
            action: SeizureAction::Released,
            on,
            expires_on: current.expires_on,
            note,
        };
        self.insert_seizure_event(&mut tx, &event, actor, now).await?;
        tx.commit().await?;
        self.seizure(court, case_id, seizure_id).await
    }

    /// One seizure with its history.
    pub async fn seizure(&self, court: &CourtCode, case_id: i64, id: i64) -> Result<Seizure> {
        self.case_seizures(court, case_id).await?.into_iter().find(|s| s.id == id).ok_or(StoreError::NotFound)
    }

    /// The seizures of a case with their history, oldest first.
    pub async fn case_seizures(&self, court: &CourtCode, case_id: i64) -> Result<Vec<Seizure>> {
        let mut conn = self.read.acquire().await?;
        let mut seizures = load_seizures(&mut conn, court, case_id).await?;
        let events = sqlx::query(
            "SELECT seizure_id, action, on_date, expires_on, note, created_at, created_by FROM case_seizure_events
             WHERE court_code = $1 AND case_id = $2 ORDER BY on_date, id",
        )
        .bind(court.as_str().to_string())
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?;
        for r in &events {
            let seizure_id = int(r, "seizure_id")?;
            if let Some(s) = seizures.iter_mut().find(|s| s.id == seizure_id) {
                s.history.push(SeizureEvent {
                    action: parsed(r, "action", SeizureAction::parse)?,
                    on: date(r, "on_date")?,
                    expires_on: date(r, "expires_on")?,
                    note: text(r, "note")?,
                    at: int(r, "created_at")?,
                    by: int(r, "created_by")?,
                });
            }
        }
        Ok(seizures)
    }

    /// WT art 6: before a whole case is handed over on `on`, every seizure
    /// in force with less than one month left must have been renewed.
    /// Refuses (writing nothing) with one entry per such seizure.
    pub(crate) async fn refuse_expiring_seizures(
        &self,
        tx: &mut AnyConnection,
        court: &CourtCode,
        case_id: i64,
        on: Date,
    ) -> Result<()> {
        let seizures = load_seizures(tx, court, case_id).await?;
        let facts: Vec<SeizureFacts> = seizures.iter().map(Seizure::facts).collect();
        match transfer_refusal(&facts, on) {
            Some(refusal) => Err(StoreError::Refused(refusal)),
            None => Ok(()),
        }
    }

    /// Inside the caller's transaction: the original case's seizures in
    /// force on `on` pass over to the new case with the same priority,
    /// seized_on and expiry (WT art 6: they count as the receiving court's
    /// and keep their original order); the originals are marked
    /// `transferred`. Returns how many moved.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn move_seizures_in(
        &self,
        tx: &mut AnyConnection,
        from_court: &CourtCode,
        from_case_id: i64,
        to_court: &CourtCode,
        to_case_id: i64,
        on: Date,
        actor: &UserRef,
        now: i64,
    ) -> Result<usize> {
        let seizures = load_seizures(tx, from_court, from_case_id).await?;
        let moving: Vec<&Seizure> = seizures.iter().filter(|s| s.in_force(on)).collect();
        if moving.is_empty() {
            return Ok(0);
        }
        let number = sqlx::query("SELECT case_number FROM cases WHERE court_code = $1 AND id = $2")
            .bind(from_court.as_str().to_string())
            .bind(from_case_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| opt_text(&r, "case_number"))
            .transpose()?
            .flatten()
            .unwrap_or_default();
        let from = MovedFrom { court: from_court.clone(), case_id: from_case_id, case_number: number };
        for s in &moving {
            sqlx::query(
                "UPDATE case_seizures SET status = 'transferred' WHERE court_code = $1 AND case_id = $2 AND id = $3",
            )
            .bind(from_court.as_str().to_string())
            .bind(from_case_id)
            .bind(s.id)
            .execute(&mut *tx)
            .await?;
            let out = EventRow {
                court: from_court,
                case_id: from_case_id,
                seizure_id: s.id,
                action: SeizureAction::MovedOut,
                on,
                expires_on: s.expires_on,
                note: "",
            };
            self.insert_seizure_event(tx, &out, actor, now).await?;
            let id = self.ids.next(now);
            let copy = NewSeizure {
                kind: s.kind,
                property: s.property.clone(),
                holder: s.holder.clone(),
                location_court: s.location_court.clone(),
                amount: s.amount,
                seized_on: s.seized_on,
                expires_on: s.expires_on,
                priority: s.priority,
            };
            self.insert_seizure_row(tx, to_court, to_case_id, id, &copy, Some(&from), s.original_seized_on, actor, now)
                .await?;
            let note = format!("随案移交自{}", from.case_number);
            let moved_in = EventRow {
                court: to_court,
                case_id: to_case_id,
                seizure_id: id,
                action: SeizureAction::MovedIn,
                on,
                expires_on: s.expires_on,
                note: &note,
            };
            self.insert_seizure_event(tx, &moved_in, actor, now).await?;
        }
        Ok(moving.len())
    }

    /// Where each case's seizures in force on `today` lie, and its
    /// respondents' addresses.
    pub async fn case_locations(
        &self,
        cases: &[(CourtCode, i64)],
        today: Date,
    ) -> Result<HashMap<(CourtCode, i64), CaseLocation>> {
        let mut out: HashMap<(CourtCode, i64), CaseLocation> = HashMap::new();
        if cases.is_empty() {
            return Ok(out);
        }
        for key in cases {
            out.insert(key.clone(), CaseLocation::default());
        }
        let mut courts: Vec<&CourtCode> = cases.iter().map(|(c, _)| c).collect();
        courts.sort();
        courts.dedup();
        let ids: Vec<i64> = cases.iter().map(|(_, id)| *id).collect();
        let (court_list, id_list) = (placeholders(1, courts.len()), placeholders(courts.len() + 1, ids.len()));
        let query = |sql: String| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in &courts {
                q = q.bind(c.as_str().to_string());
            }
            for id in &ids {
                q = q.bind(*id);
            }
            q
        };
        for r in query(format!(
            "SELECT court_code, case_id, location_court, status, expires_on FROM case_seizures
             WHERE court_code IN ({court_list}) AND case_id IN ({id_list}) AND location_court IS NOT NULL"
        ))
        .fetch_all(&self.read)
        .await?
        {
            let key = (court_code(&r, "court_code")?, int(&r, "case_id")?);
            let status = parsed(&r, "status", SeizureStatus::parse)?;
            if let Some(location) = out.get_mut(&key)
                && in_force(status, date(&r, "expires_on")?, today)
            {
                location.seized_in.push(court_code(&r, "location_court")?);
            }
        }
        for r in query(format!(
            "SELECT court_code, case_id, address FROM case_parties
             WHERE court_code IN ({court_list}) AND case_id IN ({id_list}) AND role = 'respondent' AND address IS NOT NULL"
        ))
        .fetch_all(&self.read)
        .await?
        {
            let key = (court_code(&r, "court_code")?, int(&r, "case_id")?);
            if let Some(location) = out.get_mut(&key) {
                location.respondent_addresses.push(text(&r, "address")?);
            }
        }
        Ok(out)
    }

    /// Each court's load: live cases not closed, and active judges and
    /// assistants (the enforcement officers who carry cases).
    pub async fn court_loads(&self, courts: &[CourtCode]) -> Result<HashMap<CourtCode, Load>> {
        let mut out: HashMap<CourtCode, Load> = HashMap::new();
        if courts.is_empty() {
            return Ok(out);
        }
        let list = placeholders(1, courts.len());
        let counts = |sql: String| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in courts {
                q = q.bind(c.as_str().to_string());
            }
            q
        };
        for r in counts(format!(
            "SELECT court_code, COUNT(*) AS n FROM cases
             WHERE court_code IN ({list}) AND deleted_at IS NULL AND status <> 'closed' GROUP BY court_code"
        ))
        .fetch_all(&self.read)
        .await?
        {
            let n = u32::try_from(int(&r, "n")?).unwrap_or(u32::MAX);
            out.entry(court_code(&r, "court_code")?).or_default().open_cases = n;
        }
        for r in counts(format!(
            "SELECT court_code, COUNT(*) AS n FROM users
             WHERE court_code IN ({list}) AND active = 1 AND role IN ('judge', 'assistant') GROUP BY court_code"
        ))
        .fetch_all(&self.read)
        .await?
        {
            let n = u32::try_from(int(&r, "n")?).unwrap_or(u32::MAX);
            out.entry(court_code(&r, "court_code")?).or_default().officers = n;
        }
        Ok(out)
    }

    /// The receiving courts for a case of `case_court`, among the courts
    /// beneath `deciding` and `deciding` itself, ranked by 便利性 (assets
    /// there, debtor there, load per officer) with a reason each.
    pub async fn receiver_suggestions(
        &self,
        courts: &CourtDirectory,
        deciding: &CourtCode,
        case_court: &CourtCode,
        case_id: i64,
        today: Date,
    ) -> Result<Vec<Suggestion>> {
        let key = (case_court.clone(), case_id);
        let location = self.case_locations(std::slice::from_ref(&key), today).await?.remove(&key).unwrap_or_default();
        let loads = self.court_loads(&courts.subtree(deciding)).await?;
        Ok(suggest(courts, deciding, case_court, &location, |c| loads.get(c).copied().unwrap_or_default()))
    }
}
