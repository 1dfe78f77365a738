//! 失信被执行人名单 and 限制消费令 in storage, the breach reports, the
//! partner institutions, and the in-memory index partner checks answer from.
//!
//! Every decision locks the case row (as the workflow does), checks the
//! rules of `zhixing_core::credit`, writes the listing or restriction and an
//! audit event, commits, and only then applies the change to the in-memory
//! [`CreditIndex`] — so a deletion takes effect on the next check. The index
//! is rebuilt from the tables when the store opens.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};
use time::Date;
use zhixing_core::calendar::iso_date;
use zhixing_core::case::{PartyId, PartyKind, PartyRole};
use zhixing_core::court::CourtCode;
use zhixing_core::credit::CreditPolicy;
use zhixing_core::credit::index::identity_key;
use zhixing_core::credit::listing::{
    self, Bar, Capacity, DishonestGround, ListingStatus, Proposal, Severity, TermExtension,
};
use zhixing_core::credit::repair::{self, CorrectionGround, DeletionTrigger};
use zhixing_core::credit::restriction::{self, BreachAdvice, LiftGround, RestrictedRole, TemporaryLiftGround};
use zhixing_core::workflow::nodes::nodes_of;
use zhixing_core::workflow::{BuiltinNode, Missing, Node, NodeKind, Refusal};

use crate::rows::{corrupt, date, int, opt_date, opt_int, opt_text, parsed, text};
use crate::sql::placeholders;
use crate::users::UserRef;
use crate::{Result, Store, StoreError, is_unique_violation};

/// What the partner check answers per identity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexEntry {
    /// Effective 失信 listings.
    pub dishonest: u16,
    /// Effective consumption restrictions.
    pub restricted: u16,
    /// A temporary lifting of the travel ban runs through this day
    /// (days since 1970-01-01; 0: none).
    pub travel_lift_until: u32,
}

/// Identity key → what applies. About 40 bytes per person with the table's
/// overhead: ten million people in well under 1 GiB.
#[derive(Default)]
pub struct CreditIndex {
    entries: HashMap<u128, IndexEntry>,
}

impl CreditIndex {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: u128) -> Option<IndexEntry> {
        self.entries.get(&key).copied()
    }

    /// Bytes the table holds (keys, values, control bytes), for reports.
    pub fn approximate_bytes(&self) -> usize {
        self.entries.capacity() * (std::mem::size_of::<(u128, IndexEntry)>() + 1)
    }

    fn apply(&mut self, id_number: &str, dishonest: i32, restricted: i32) {
        if let Some(key) = identity_key(id_number) {
            self.apply_key(key, dishonest, restricted);
        }
    }

    fn apply_key(&mut self, key: u128, dishonest: i32, restricted: i32) {
        let entry = self.entries.entry(key).or_default();
        entry.dishonest = (i32::from(entry.dishonest) + dishonest).clamp(0, i32::from(u16::MAX)) as u16;
        entry.restricted = (i32::from(entry.restricted) + restricted).clamp(0, i32::from(u16::MAX)) as u16;
        if entry.dishonest == 0 && entry.restricted == 0 {
            self.entries.remove(&key);
        }
    }

    fn set_lift(&mut self, id_number: &str, until: u32) {
        if let Some(key) = identity_key(id_number)
            && let Some(entry) = self.entries.get_mut(&key)
        {
            entry.travel_lift_until = entry.travel_lift_until.max(until);
        }
    }
}

pub(crate) type SharedIndex = Arc<RwLock<CreditIndex>>;

pub fn day_number(date: Date) -> u32 {
    (date.to_julian_day() - 2_440_588).max(0) as u32
}

/// A listing as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub court: CourtCode,
    pub id: i64,
    pub case_id: i64,
    pub party_id: i64,
    pub subject_kind: PartyKind,
    pub subject_name: String,
    pub id_number: String,
    pub legal_representative: Option<String>,
    pub grounds: Vec<DishonestGround>,
    pub evidence: String,
    pub capacity: Capacity,
    pub severity: Severity,
    pub on_application: bool,
    pub status: ListingStatus,
    pub proposed_on: Date,
    pub decided_on: Option<Date>,
    pub decision_ref: Option<String>,
    pub grace_until: Option<Date>,
    pub effective_on: Option<Date>,
    pub term_until: Option<Date>,
    pub extension_years: i64,
    pub trigger: Option<DeletionTrigger>,
    pub trigger_on: Option<Date>,
    pub repair_due: Option<Date>,
    pub ended_on: Option<Date>,
    pub relist_block_until: Option<Date>,
    pub version: i64,
}

impl Listing {
    /// Effective today (published, or in grace with the grace period over).
    pub fn effective(&self, today: Date) -> bool {
        self.status.effective(self.grace_until, today)
    }
}

/// One person under a 限制消费令.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restriction {
    pub court: CourtCode,
    pub id: i64,
    pub case_id: i64,
    pub order_id: i64,
    pub role: RestrictedRole,
    pub subject_kind: PartyKind,
    pub subject_name: String,
    pub id_number: String,
    pub debtor_name: String,
    pub active: bool,
    pub issued_on: Date,
    pub order_ref: String,
    pub grace_until: Option<Date>,
    pub listing_id: Option<i64>,
    pub lifted_on: Option<Date>,
    pub lift_ground: Option<String>,
    pub lift_ref: Option<String>,
    /// Stored as active (counted in the partner index).
    pub counted: bool,
}

impl Restriction {
    pub fn effective(&self, today: Date) -> bool {
        self.active && self.grace_until.is_none_or(|g| g < today)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemporaryLift {
    pub restriction_id: i64,
    pub from: Date,
    pub to: Date,
    pub ground: String,
    pub approval_ref: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correction {
    pub id: i64,
    pub listing_id: i64,
    pub ground: CorrectionGround,
    pub applicant: String,
    pub received_on: Date,
    pub examine_by: Date,
    pub decided_on: Option<Date>,
    pub upheld: Option<bool>,
    pub decision_note: Option<String>,
    pub review_received_on: Option<Date>,
    pub review_decide_by: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditEvent {
    pub subject: String,
    pub subject_id: i64,
    pub action: String,
    pub on: Date,
    pub detail: String,
    pub at: i64,
    pub actor: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    pub court: CourtCode,
    pub id: i64,
    pub case_id: i64,
    pub restriction_id: i64,
    pub id_number: String,
    pub reporter: String,
    pub occurred_at: String,
    pub place: String,
    pub conduct: String,
    pub advice_step: String,
    pub received_at: i64,
}

/// Everything about credit measures on one case.
#[derive(Clone, Debug, Default)]
pub struct CaseCredit {
    pub listings: Vec<Listing>,
    pub restrictions: Vec<Restriction>,
    pub lifts: Vec<TemporaryLift>,
    pub corrections: Vec<Correction>,
    pub breaches: Vec<Breach>,
    pub events: Vec<CreditEvent>,
}

/// A proposal as the caller parsed it.
#[derive(Clone, Debug)]
pub struct NewListing {
    pub party_id: i64,
    pub grounds: Vec<DishonestGround>,
    pub bars_found: Vec<Bar>,
    pub capacity: Capacity,
    pub severity: Option<Severity>,
    pub on_application: bool,
    pub evidence: String,
    pub on: Date,
}

#[derive(Clone, Debug)]
pub enum ListingDecision {
    Approve { president_approved: bool, decision_ref: String, grace_months: Option<u32> },
    Reject { note: String },
}

/// A person named in a 限制消费令.
#[derive(Clone, Debug)]
pub struct RestrictedPerson {
    pub role: RestrictedRole,
    pub name: String,
    pub id_number: String,
}

/// A public look-up hit (SX art 6 fields; ID masked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicEntry {
    /// dishonest | restriction
    pub measure: &'static str,
    pub name: String,
    pub id_number_masked: String,
    pub sex: Option<String>,
    pub age: Option<i32>,
    pub legal_representative: Option<String>,
    pub court: String,
    pub case_number: String,
    pub filed_on: Date,
    pub basis_issuing_body: String,
    pub basis_document_number: String,
    pub obligations: String,
    pub performance: String,
    pub conduct: String,
    pub published_on: Date,
}

/// Partner credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

/// Counts for the statistics page and API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreditStats {
    pub court: String,
    pub by_ground: Vec<(String, i64)>,
    pub by_severity: Vec<(String, i64)>,
    pub in_grace: i64,
    pub published: i64,
    pub deleted_by_trigger: Vec<(String, i64)>,
    pub withdrawn: i64,
    /// (quarter like `2026Q3`, new listings, deletions)
    pub quarters: Vec<(String, i64, i64)>,
    pub restrictions_active: i64,
    pub breaches: i64,
}

/// Masks the birth-date digits of a citizen id; credit codes are public.
pub fn mask_id(id_number: &str) -> String {
    if id_number.len() == 18 && id_number.as_bytes()[..17].iter().all(u8::is_ascii_digit) {
        format!("{}********{}", &id_number[..6], &id_number[14..])
    } else {
        id_number.to_string()
    }
}

fn refused(message: impl Into<String>, item: impl Into<String>, rule: impl Into<String>) -> StoreError {
    StoreError::Refused(Refusal { message: message.into(), missing: vec![Missing::new(item, rule)] })
}

const LISTING_COLUMNS: &str = "court_code, id, case_id, party_id, subject_kind, subject_name, id_number, legal_representative,
    grounds, evidence, capacity, severity, source, status, proposed_on, decided_on, decision_ref, grace_until, effective_on,
    term_until, extension_years, trigger_code, trigger_on, repair_due, ended_on, relist_block_until, version";

fn listing_from_row(r: &AnyRow) -> Result<Listing> {
    let grounds_text = text(r, "grounds")?;
    let grounds = grounds_text
        .split(',')
        .map(|g| DishonestGround::parse(g).ok_or_else(|| corrupt("grounds", &grounds_text)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing {
        court: parsed(r, "court_code", |s| CourtCode::parse(s).ok())?,
        id: int(r, "id")?,
        case_id: int(r, "case_id")?,
        party_id: int(r, "party_id")?,
        subject_kind: parsed(r, "subject_kind", PartyKind::parse)?,
        subject_name: text(r, "subject_name")?,
        id_number: text(r, "id_number")?,
        legal_representative: opt_text(r, "legal_representative")?,
        grounds,
        evidence: text(r, "evidence")?,
        capacity: parsed(r, "capacity", Capacity::parse)?,
        severity: parsed(r, "severity", Severity::parse)?,
        on_application: text(r, "source")? == "application",
        status: parsed(r, "status", ListingStatus::parse)?,
        proposed_on: date(r, "proposed_on")?,
        decided_on: opt_date(r, "decided_on")?,
        decision_ref: opt_text(r, "decision_ref")?,
        grace_until: opt_date(r, "grace_until")?,
        effective_on: opt_date(r, "effective_on")?,
        term_until: opt_date(r, "term_until")?,
        extension_years: int(r, "extension_years")?,
        trigger: match opt_text(r, "trigger_code")? {
            None => None,
            Some(t) => Some(DeletionTrigger::parse(&t).ok_or_else(|| corrupt("trigger_code", &t))?),
        },
        trigger_on: opt_date(r, "trigger_on")?,
        repair_due: opt_date(r, "repair_due")?,
        ended_on: opt_date(r, "ended_on")?,
        relist_block_until: opt_date(r, "relist_block_until")?,
        version: int(r, "version")?,
    })
}

const RESTRICTION_COLUMNS: &str =
    "court_code, id, case_id, order_id, role, subject_kind, subject_name, id_number, debtor_name,
    status, issued_on, order_ref, grace_until, listing_id, lifted_on, lift_ground, lift_ref";

fn restriction_from_row(r: &AnyRow) -> Result<Restriction> {
    let status = text(r, "status")?;
    Ok(Restriction {
        court: parsed(r, "court_code", |s| CourtCode::parse(s).ok())?,
        id: int(r, "id")?,
        case_id: int(r, "case_id")?,
        order_id: int(r, "order_id")?,
        role: parsed(r, "role", RestrictedRole::parse)?,
        subject_kind: parsed(r, "subject_kind", PartyKind::parse)?,
        subject_name: text(r, "subject_name")?,
        id_number: text(r, "id_number")?,
        debtor_name: text(r, "debtor_name")?,
        active: status != "lifted",
        issued_on: date(r, "issued_on")?,
        order_ref: text(r, "order_ref")?,
        grace_until: opt_date(r, "grace_until")?,
        listing_id: opt_int(r, "listing_id")?,
        lifted_on: opt_date(r, "lifted_on")?,
        lift_ground: opt_text(r, "lift_ground")?,
        lift_ref: opt_text(r, "lift_ref")?,
        counted: status == "active",
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut AnyConnection,
    store: &Store,
    court: &CourtCode,
    case_id: i64,
    subject: &str,
    subject_id: i64,
    action: &str,
    on: Date,
    detail: &str,
    actor: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO credit_events (court_code, id, case_id, subject, subject_id, action, on_date, detail, at, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(court.as_str().to_string())
    .bind(store.ids.next(now))
    .bind(case_id)
    .bind(subject.to_string())
    .bind(subject_id)
    .bind(action.to_string())
    .bind(iso_date(on))
    .bind(detail.to_string())
    .bind(now)
    .bind(actor.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    pub fn credit_policy(&self) -> CreditPolicy {
        self.credit_policy.read().map(|p| p.clone()).unwrap_or_default()
    }

    pub fn set_credit_policy(&self, policy: CreditPolicy) {
        if let Ok(mut slot) = self.credit_policy.write() {
            *slot = policy;
        }
    }

    /// Reads the index (for partner checks).
    pub fn with_credit_index<T>(&self, f: impl FnOnce(&CreditIndex) -> T) -> T {
        match self.credit_index.read() {
            Ok(index) => f(&index),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn index_apply(&self, id_number: &str, dishonest: i32, restricted: i32) {
        if let Ok(mut index) = self.credit_index.write() {
            index.apply(id_number, dishonest, restricted);
        }
    }

    /// Rebuilds the in-memory index from the tables: every published
    /// listing and active restriction (grace periods that ended are
    /// published first, [`Store::publish_due`]). Returns the entries.
    /// The index counts exactly the rows whose stored status is published /
    /// active; every status change applies its delta after its commit.
    pub async fn rebuild_credit_index(&self, today: Date) -> Result<usize> {
        let mut index = CreditIndex::default();
        let today_text = iso_date(today);
        // Keyset pages (ten million rows never sit in memory at once), each
        // court's id range split over two readers that decode in parallel.
        for (table, status, dishonest, restricted) in
            [("credit_listings", "published", 1, 0), ("credit_restrictions", "active", 0, 1)]
        {
            let courts = sqlx::query(AssertSqlSafe(format!(
                "SELECT court_code, MIN(id) AS lo, MAX(id) AS hi FROM {table} WHERE status = '{status}' GROUP BY court_code"
            )))
            .fetch_all(&self.read)
            .await?;
            for c in &courts {
                let court = text(c, "court_code")?;
                let (lo, hi) = (int(c, "lo")?, int(c, "hi")?);
                let mid = lo + (hi - lo) / 2;
                let mut readers = Vec::new();
                for (from, to) in [(lo - 1, mid), (mid, hi)] {
                    let (store, court) = (self.clone(), court.clone());
                    readers.push(tokio::spawn(async move { store.index_keys(table, status, &court, from, to).await }));
                }
                for reader in readers {
                    let keys = reader.await.map_err(|e| StoreError::Corrupt(format!("index reader: {e}")))??;
                    index.entries.reserve(keys.len());
                    for key in keys {
                        index.apply_key(key, dishonest, restricted);
                    }
                }
            }
        }
        let lifts = sqlx::query(
            "SELECT r.id_number, l.to_date FROM credit_temporary_lifts l
             JOIN credit_restrictions r ON r.court_code = l.court_code AND r.id = l.restriction_id
             WHERE l.from_date <= $1 AND l.to_date >= $1",
        )
        .bind(today_text)
        .fetch_all(&self.read)
        .await?;
        for r in &lifts {
            index.set_lift(&text(r, "id_number")?, day_number(date(r, "to_date")?));
        }
        index.entries.shrink_to_fit();
        let n = index.len();
        if let Ok(mut slot) = self.credit_index.write() {
            *slot = index;
        }
        Ok(n)
    }

    /// Identity keys of `table` rows with `status` in `court`, ids in (from, to].
    async fn index_keys(&self, table: &str, status: &str, court: &str, from: i64, to: i64) -> Result<Vec<u128>> {
        let mut keys = Vec::new();
        let mut after = from;
        loop {
            let sql = format!(
                "SELECT id, id_number FROM {table}
                 WHERE status = '{status}' AND court_code = $1 AND id > $2 AND id <= $3 ORDER BY id LIMIT 50000"
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(court.to_string())
                .bind(after)
                .bind(to)
                .fetch_all(&self.read)
                .await?;
            let Some(last) = rows.last() else { break };
            after = int(last, "id")?;
            for r in &rows {
                if let Some(key) = identity_key(&text(r, "id_number")?) {
                    keys.push(key);
                }
            }
            if rows.len() < 50_000 {
                break;
            }
        }
        Ok(keys)
    }

    /// Marks in the index the temporary liftings that run today (the
    /// housekeeping loop calls it; a lifting approved for a later start is
    /// picked up on its first day).
    pub async fn refresh_temporary_lifts(&self, today: Date) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT r.id_number, l.to_date FROM credit_temporary_lifts l
             JOIN credit_restrictions r ON r.court_code = l.court_code AND r.id = l.restriction_id
             WHERE l.from_date <= $1 AND l.to_date >= $1 AND r.status = 'active'",
        )
        .bind(iso_date(today))
        .fetch_all(&self.read)
        .await?;
        if let Ok(mut index) = self.credit_index.write() {
            for r in &rows {
                index.set_lift(&text(r, "id_number")?, day_number(date(r, "to_date")?));
            }
        }
        Ok(rows.len())
    }

    /// Everything about credit measures on a case.
    pub async fn case_credit(&self, court: &CourtCode, case_id: i64) -> Result<CaseCredit> {
        let c = court.as_str().to_string();
        let mut credit = CaseCredit::default();
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE court_code = $1 AND case_id = $2 ORDER BY id"
        )))
        .bind(c.clone())
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        credit.listings = rows.iter().map(listing_from_row).collect::<Result<_>>()?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RESTRICTION_COLUMNS} FROM credit_restrictions WHERE court_code = $1 AND case_id = $2 ORDER BY id"
        )))
        .bind(c.clone())
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        credit.restrictions = rows.iter().map(restriction_from_row).collect::<Result<_>>()?;
        let ids: Vec<i64> = credit.restrictions.iter().map(|r| r.id).collect();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT restriction_id, from_date, to_date, ground, approval_ref FROM credit_temporary_lifts
                 WHERE court_code = $1 AND restriction_id IN ({}) ORDER BY from_date",
                placeholders(2, ids.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(c.clone());
            for id in &ids {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.read).await? {
                credit.lifts.push(TemporaryLift {
                    restriction_id: int(&r, "restriction_id")?,
                    from: date(&r, "from_date")?,
                    to: date(&r, "to_date")?,
                    ground: text(&r, "ground")?,
                    approval_ref: text(&r, "approval_ref")?,
                });
            }
        }
        let listing_ids: Vec<i64> = credit.listings.iter().map(|l| l.id).collect();
        if !listing_ids.is_empty() {
            let sql = format!(
                "SELECT id, listing_id, ground, applicant, received_on, examine_by, decided_on, upheld, decision_note,
                     review_received_on, review_decide_by FROM credit_corrections
                 WHERE court_code = $1 AND listing_id IN ({}) ORDER BY id",
                placeholders(2, listing_ids.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(c.clone());
            for id in &listing_ids {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.read).await? {
                credit.corrections.push(Correction {
                    id: int(&r, "id")?,
                    listing_id: int(&r, "listing_id")?,
                    ground: parsed(&r, "ground", CorrectionGround::parse)?,
                    applicant: text(&r, "applicant")?,
                    received_on: date(&r, "received_on")?,
                    examine_by: date(&r, "examine_by")?,
                    decided_on: opt_date(&r, "decided_on")?,
                    upheld: opt_int(&r, "upheld")?.map(|u| u == 1),
                    decision_note: opt_text(&r, "decision_note")?,
                    review_received_on: opt_date(&r, "review_received_on")?,
                    review_decide_by: opt_date(&r, "review_decide_by")?,
                });
            }
        }
        for r in sqlx::query(
            "SELECT id, case_id, restriction_id, id_number, reporter, occurred_at, place, conduct, advice_step, received_at
             FROM credit_breaches WHERE court_code = $1 AND case_id = $2 ORDER BY received_at",
        )
        .bind(c.clone())
        .bind(case_id)
        .fetch_all(&self.read)
        .await?
        {
            credit.breaches.push(Breach {
                court: court.clone(),
                id: int(&r, "id")?,
                case_id: int(&r, "case_id")?,
                restriction_id: int(&r, "restriction_id")?,
                id_number: text(&r, "id_number")?,
                reporter: text(&r, "reporter")?,
                occurred_at: text(&r, "occurred_at")?,
                place: text(&r, "place")?,
                conduct: text(&r, "conduct")?,
                advice_step: text(&r, "advice_step")?,
                received_at: int(&r, "received_at")?,
            });
        }
        for r in sqlx::query(
            "SELECT subject, subject_id, action, on_date, detail, at, actor FROM credit_events
             WHERE court_code = $1 AND case_id = $2 ORDER BY at, id",
        )
        .bind(c)
        .bind(case_id)
        .fetch_all(&self.read)
        .await?
        {
            credit.events.push(CreditEvent {
                subject: text(&r, "subject")?,
                subject_id: int(&r, "subject_id")?,
                action: text(&r, "action")?,
                on: date(&r, "on_date")?,
                detail: text(&r, "detail")?,
                at: int(&r, "at")?,
                actor: text(&r, "actor")?,
            });
        }
        Ok(credit)
    }

    async fn listing_locked(&self, tx: &mut AnyConnection, court: &CourtCode, id: i64) -> Result<Listing> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE court_code = $1 AND id = $2"
        )))
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let listing = listing_from_row(&row)?;
        // Serialise decisions on the case.
        self.lock_case(tx, court, listing.case_id).await?;
        Ok(listing)
    }

    /// Proposes a listing (SX art 5: on application or ex officio) after
    /// checking the grounds against the bars and the capacity assessment.
    pub async fn propose_listing(
        &self,
        court: &CourtCode,
        case_id: i64,
        new: &NewListing,
        actor: &UserRef,
        now: i64,
    ) -> Result<Listing> {
        let policy = self.credit_policy();
        let mut tx = self.write.begin().await?;
        let (case, workflow) = self.lock_case(&mut tx, court, case_id).await?;
        let party =
            case.parties.iter().find(|p| p.id == new.party_id && p.draft.role == PartyRole::Respondent).ok_or_else(
                || {
                    StoreError::Rejected(zhixing_core::error::FieldError::new(
                        "party_id",
                        "not_a_respondent",
                        "只能将本案的被执行人纳入失信名单",
                    ))
                },
            )?;
        if new.on < case.filed_on {
            return Err(refused("日期不能早于立案日期", "日期早于立案日期", "《执行立结案意见》第三条"));
        }
        let existing = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE court_code = $1 AND case_id = $2 AND party_id = $3"
        )))
        .bind(court.as_str().to_string())
        .bind(case_id)
        .bind(new.party_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(listing_from_row)
        .collect::<Result<Vec<_>>>()?;
        if existing
            .iter()
            .any(|l| matches!(l.status, ListingStatus::Proposed | ListingStatus::Grace | ListingStatus::Published))
        {
            return Err(refused("该被执行人在本案已有待决定或有效的失信名单", "重复纳入", "《失信规定》第一条"));
        }
        if new.on_application
            && let Some(until) = existing.iter().filter_map(|l| l.relist_block_until).max()
            && new.on <= until
        {
            return Err(refused(
                "申请执行人申请删除后六个月内再次申请纳入的，不予支持",
                format!("删除后六个月内（至{}）", iso_date(until)),
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第十条第四款",
            ));
        }
        let age = match &party.draft.id_number {
            PartyId::Citizen(id) => Some(id.age_on(new.on)),
            PartyId::Credit(_) => None,
        };
        let proposal = Proposal {
            grounds: new.grounds.clone(),
            bars_found: new.bars_found.clone(),
            capacity: new.capacity,
            debtor_age: age,
            evidence: new.evidence.clone(),
        };
        listing::check_proposal(&proposal).map_err(StoreError::Refused)?;
        // 执行通知 must have carried the 失信 risk warning (SX art 5 ¶1).
        if nodes_of(&workflow.nodes, BuiltinNode::NoticeServed, new.on).next().is_none() {
            return Err(refused(
                "纳入失信名单前应已送达载明失信风险提示的执行通知",
                "执行通知（含失信风险提示）未记录",
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第五条第一款",
            ));
        }
        let unpaid = zhixing_core::workflow::unpaid_balance(case.amount_applied, &workflow.nodes);
        let severity = new.severity.unwrap_or_else(|| listing::suggest_severity(&new.grounds, unpaid, &policy));
        let id = self.ids.next(now);
        let grounds: Vec<&str> = new.grounds.iter().map(|g| g.code()).collect();
        sqlx::query(
            "INSERT INTO credit_listings (court_code, id, case_id, party_id, subject_kind, subject_name, id_number,
                 legal_representative, grounds, evidence, capacity, severity, source, status, proposed_on, extension_years,
                 version, created_at, created_by, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'proposed', $14, 0, 1, $15, $16, $15, $16)",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .bind(case_id)
        .bind(party.id)
        .bind(party.draft.kind.as_str())
        .bind(party.draft.name.clone())
        .bind(party.draft.id_number.as_str().to_string())
        .bind(party.draft.legal_representative.clone())
        .bind(grounds.join(","))
        .bind(new.evidence.clone())
        .bind(new.capacity.code())
        .bind(severity.code())
        .bind(if new.on_application { "application" } else { "ex_officio" })
        .bind(iso_date(new.on))
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "{}提出：{}；履行能力：{}；等级：{}",
            if new.on_application { "依申请" } else { "依职权" },
            new.grounds.iter().map(|g| g.label_zh()).collect::<Vec<_>>().join("；"),
            new.capacity.label_zh(),
            severity.label_zh()
        );
        insert_event(
            &mut tx,
            self,
            court,
            case_id,
            "listing",
            id,
            "proposed",
            new.on,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        let listing = self.listing_in(&mut tx, court, id).await?;
        tx.commit().await?;
        Ok(listing)
    }

    /// A restriction, with its case locked for this transaction.
    async fn restriction_locked(&self, tx: &mut AnyConnection, court: &CourtCode, id: i64) -> Result<Restriction> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RESTRICTION_COLUMNS} FROM credit_restrictions WHERE court_code = $1 AND id = $2"
        )))
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let r = restriction_from_row(&row)?;
        self.lock_case(tx, court, r.case_id).await?;
        Ok(r)
    }

    async fn listing_in(&self, tx: &mut AnyConnection, court: &CourtCode, id: i64) -> Result<Listing> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE court_code = $1 AND id = $2"
        )))
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        listing_from_row(&row)
    }

    /// Decides a proposal: approve (决定书 signed by the president, with an
    /// optional grace period; a 限制消费令 for the debtor is issued with it
    /// unless one is in force, XX art 1 ¶2) or reject.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_listing(
        &self,
        court: &CourtCode,
        id: i64,
        decision: &ListingDecision,
        on: Date,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Listing> {
        let policy = self.credit_policy();
        let mut tx = self.write.begin().await?;
        let listing = self.listing_locked(&mut tx, court, id).await?;
        if listing.status != ListingStatus::Proposed {
            return Err(refused(
                format!("该名单当前为“{}”，不能再作决定", listing.status.label_zh()),
                "名单状态",
                "《失信规定》第五条",
            ));
        }
        if on < listing.proposed_on || on > today {
            return Err(refused("决定日期应在提出之后、今天之前", "决定日期", "《失信规定》第五条"));
        }
        let mut effective_now = false;
        match decision {
            ListingDecision::Reject { note } => {
                sqlx::query(
                    "UPDATE credit_listings SET status = 'rejected', decided_on = $1, ended_on = $1, version = version + 1,
                         updated_at = $2, updated_by = $3 WHERE court_code = $4 AND id = $5",
                )
                .bind(iso_date(on))
                .bind(now)
                .bind(actor.id)
                .bind(court.as_str().to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                insert_event(
                    &mut tx,
                    self,
                    court,
                    listing.case_id,
                    "listing",
                    id,
                    "rejected",
                    on,
                    note,
                    &actor.display_name,
                    now,
                )
                .await?;
            }
            ListingDecision::Approve { president_approved, decision_ref, grace_months } => {
                let (status, grace_until) =
                    listing::decide_listing(on, *president_approved, Some(decision_ref), *grace_months, &policy)
                        .map_err(StoreError::Refused)?;
                let effective = listing::effective_from(on, grace_until);
                let term = listing::term_until(&listing.grounds, effective, 0);
                sqlx::query(
                    "UPDATE credit_listings SET status = $1, decided_on = $2, decision_ref = $3, grace_until = $4,
                         effective_on = $5, term_until = $6, version = version + 1, updated_at = $7, updated_by = $8
                     WHERE court_code = $9 AND id = $10",
                )
                .bind(status.code())
                .bind(iso_date(on))
                .bind(decision_ref.clone())
                .bind(grace_until.map(iso_date))
                .bind(iso_date(effective))
                .bind(term.map(iso_date))
                .bind(now)
                .bind(actor.id)
                .bind(court.as_str().to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let detail = format!(
                    "决定纳入（{decision_ref}，院长批准）{}{}",
                    grace_until.map(|g| format!("；宽限期至{}，期间不公布", iso_date(g))).unwrap_or_default(),
                    term.map(|t| format!("；纳入期限至{}", iso_date(t))).unwrap_or_else(|| "；不设期限".into())
                );
                insert_event(
                    &mut tx,
                    self,
                    court,
                    listing.case_id,
                    "listing",
                    id,
                    "decided",
                    on,
                    &detail,
                    &actor.display_name,
                    now,
                )
                .await?;
                // XX art 1 ¶2: a listed debtor is restricted.
                let active = sqlx::query(
                    "SELECT COUNT(*) AS n FROM credit_restrictions WHERE court_code = $1 AND case_id = $2 AND id_number = $3
                         AND status <> 'lifted'",
                )
                .bind(court.as_str().to_string())
                .bind(listing.case_id)
                .bind(listing.id_number.clone())
                .fetch_one(&mut *tx)
                .await?;
                let mut added_restriction = false;
                if int(&active, "n")? == 0 {
                    let person = RestrictedPerson {
                        role: RestrictedRole::Debtor,
                        name: listing.subject_name.clone(),
                        id_number: listing.id_number.clone(),
                    };
                    self.insert_restrictions(
                        &mut tx,
                        court,
                        listing.case_id,
                        &listing.subject_name,
                        listing.subject_kind,
                        &[person],
                        on,
                        &format!("{decision_ref}（随失信决定）"),
                        grace_until,
                        Some(id),
                        actor,
                        now,
                    )
                    .await?;
                    added_restriction = true;
                }
                effective_now = status == ListingStatus::Published;
                let _ = today;
                if effective_now && added_restriction {
                    tx.commit().await?;
                    self.index_apply(&listing.id_number, 1, 1);
                    return self.listing_by_id(court, id).await;
                }
            }
        }
        tx.commit().await?;
        if effective_now {
            self.index_apply(&listing.id_number, 1, 0);
        }
        self.listing_by_id(court, id).await
    }

    pub async fn listing_by_id(&self, court: &CourtCode, id: i64) -> Result<Listing> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE court_code = $1 AND id = $2"
        )))
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        listing_from_row(&row)
    }

    /// SW art 15: listings and restrictions whose grace period ended before
    /// `today` are published — no one has to remember. Returns how many.
    pub async fn publish_due(&self, today: Date, now: i64) -> Result<usize> {
        let t = iso_date(today);
        let listings = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE status = 'grace' AND grace_until < $1"
        )))
        .bind(t.clone())
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(listing_from_row)
        .collect::<Result<Vec<_>>>()?;
        let restrictions = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RESTRICTION_COLUMNS} FROM credit_restrictions WHERE status = 'grace' AND grace_until < $1"
        )))
        .bind(t.clone())
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(restriction_from_row)
        .collect::<Result<Vec<_>>>()?;
        if listings.is_empty() && restrictions.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write.begin().await?;
        let mut published = Vec::new();
        for l in &listings {
            let done = sqlx::query(
                "UPDATE credit_listings SET status = 'published', version = version + 1, updated_at = $1
                 WHERE court_code = $2 AND id = $3 AND status = 'grace'",
            )
            .bind(now)
            .bind(l.court.as_str().to_string())
            .bind(l.id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                let on = l.effective_on.unwrap_or(today);
                insert_event(
                    &mut tx,
                    self,
                    &l.court,
                    l.case_id,
                    "listing",
                    l.id,
                    "published",
                    on,
                    "宽限期届满未履行，自动公布",
                    "系统",
                    now,
                )
                .await?;
                published.push((l.id_number.clone(), 1, 0));
            }
        }
        for r in &restrictions {
            let done = sqlx::query(
                "UPDATE credit_restrictions SET status = 'active' WHERE court_code = $1 AND id = $2 AND status = 'grace'",
            )
            .bind(r.court.as_str().to_string())
            .bind(r.id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                published.push((r.id_number.clone(), 0, 1));
            }
        }
        tx.commit().await?;
        for (id_number, d, r) in &published {
            self.index_apply(id_number, *d, *r);
        }
        Ok(published.len())
    }

    /// Deletes a listing (信用修复) on a trigger of SX art 10 (or term
    /// expiry, or early deletion under art 2 ¶2). Leaves the public list at
    /// once; stays in the audit record.
    #[allow(clippy::too_many_arguments)]
    pub async fn delete_listing(
        &self,
        court: &CourtCode,
        id: i64,
        trigger: DeletionTrigger,
        on: Date,
        note: &str,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Listing> {
        let policy = self.credit_policy();
        let mut tx = self.write.begin().await?;
        let listing = self.listing_locked(&mut tx, court, id).await?;
        if !matches!(listing.status, ListingStatus::Grace | ListingStatus::Published) {
            return Err(refused(
                format!("该名单当前为“{}”，不能删除", listing.status.label_zh()),
                "名单状态",
                trigger.rule(),
            ));
        }
        if !trigger.applies(&listing.grounds) {
            let item = if listing.term_until.is_some() {
                "有期限的失信名单（第一条第二至六项）在期限届满时删除，或经决定提前删除"
            } else {
                "未设期限的失信名单（第一条第一项）按第十条第一款所列情形删除"
            };
            return Err(refused(format!("“{}”不适用于本名单", trigger.label_zh()), item, trigger.rule()));
        }
        if trigger == DeletionTrigger::TermExpired && listing.term_until.is_some_and(|t| on < t) {
            return Err(refused(
                "纳入期限尚未届满",
                format!("期限至{}", listing.term_until.map(iso_date).unwrap_or_default()),
                trigger.rule(),
            ));
        }
        if on > today || listing.decided_on.is_some_and(|d| on < d) {
            return Err(refused("删除日期应在纳入决定之后、今天之前", "删除日期", trigger.rule()));
        }
        let block = repair::relist_blocked_until(trigger, on, &policy);
        sqlx::query(
            "UPDATE credit_listings SET status = 'deleted', trigger_code = $1, trigger_on = COALESCE(trigger_on, $2), ended_on = $2,
                 relist_block_until = $3, version = version + 1, updated_at = $4, updated_by = $5
             WHERE court_code = $6 AND id = $7",
        )
        .bind(trigger.code())
        .bind(iso_date(on))
        .bind(block.map(iso_date))
        .bind(now)
        .bind(actor.id)
        .bind(court.as_str().to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let mut detail = format!("删除：{}", trigger.label_zh());
        if !note.is_empty() {
            detail.push_str(&format!("；{note}"));
        }
        if let Some(due) = listing.repair_due {
            detail.push_str(&format!("（应于{}前删除，{}）", iso_date(due), if on <= due { "按期" } else { "已逾期" }));
        }
        insert_event(
            &mut tx,
            self,
            court,
            listing.case_id,
            "listing",
            id,
            "deleted",
            on,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        if listing.status == ListingStatus::Published {
            self.index_apply(&listing.id_number, -1, 0);
        }
        self.listing_by_id(court, id).await
    }

    /// SX art 9: withdraws a listing that should not have been made.
    #[allow(clippy::too_many_arguments)]
    pub async fn withdraw_listing(
        &self,
        court: &CourtCode,
        id: i64,
        on: Date,
        reason: &str,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Listing> {
        let mut tx = self.write.begin().await?;
        let listing = self.listing_locked(&mut tx, court, id).await?;
        if !matches!(listing.status, ListingStatus::Grace | ListingStatus::Published) {
            return Err(refused("只能撤销已决定纳入的名单", "名单状态", "《失信规定》第九条"));
        }
        if reason.trim().is_empty() {
            return Err(refused("撤销须写明不应纳入的理由", "撤销理由", "《失信规定》第九条"));
        }
        sqlx::query(
            "UPDATE credit_listings SET status = 'withdrawn', ended_on = $1, version = version + 1, updated_at = $2, updated_by = $3
             WHERE court_code = $4 AND id = $5",
        )
        .bind(iso_date(on))
        .bind(now)
        .bind(actor.id)
        .bind(court.as_str().to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            self,
            court,
            listing.case_id,
            "listing",
            id,
            "withdrawn",
            on,
            &format!("撤销：{reason}"),
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        let _ = today;
        if listing.status == ListingStatus::Published {
            self.index_apply(&listing.id_number, -1, 0);
        }
        self.listing_by_id(court, id).await
    }

    /// SX art 2 ¶1: extends a termed listing by 1–3 years.
    #[allow(clippy::too_many_arguments)]
    pub async fn extend_listing(
        &self,
        court: &CourtCode,
        id: i64,
        years: u32,
        basis: Option<TermExtension>,
        on: Date,
        actor: &UserRef,
        now: i64,
    ) -> Result<Listing> {
        let mut tx = self.write.begin().await?;
        let listing = self.listing_locked(&mut tx, court, id).await?;
        if !matches!(listing.status, ListingStatus::Grace | ListingStatus::Published) || listing.extension_years > 0 {
            return Err(refused("只能对有效且未延长过的名单延长期限", "名单状态", "《失信规定》第二条第一款"));
        }
        listing::check_extension(&listing.grounds, years, basis).map_err(StoreError::Refused)?;
        let effective = listing.effective_on.unwrap_or(on);
        let term = listing::term_until(&listing.grounds, effective, years);
        sqlx::query(
            "UPDATE credit_listings SET term_until = $1, extension_years = $2, version = version + 1, updated_at = $3, updated_by = $4
             WHERE court_code = $5 AND id = $6",
        )
        .bind(term.map(iso_date))
        .bind(i64::from(years))
        .bind(now)
        .bind(actor.id)
        .bind(court.as_str().to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "延长{years}年（{}），期限至{}",
            basis.map(|b| b.label_zh()).unwrap_or_default(),
            term.map(iso_date).unwrap_or_default()
        );
        insert_event(
            &mut tx,
            self,
            court,
            listing.case_id,
            "listing",
            id,
            "extended",
            on,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        self.listing_by_id(court, id).await
    }

    /// Records the deletion triggers the case's workflow shows for its
    /// effective listings (with the 3-working-day deadline), and the term
    /// expiry of termed ones. Called after every workflow change and daily.
    pub async fn detect_credit_triggers(
        &self,
        court: &CourtCode,
        case_id: i64,
        today: Date,
        now: i64,
    ) -> Result<usize> {
        let policy = self.credit_policy();
        let rules = self.workflow_rules();
        let Some((case, workflow)) = self.case_workflow(std::slice::from_ref(court), case_id).await? else {
            return Ok(0);
        };
        let listings = self.case_credit(court, case_id).await?.listings;
        let file = workflow.file(&case);
        let mut marked = 0;
        for l in listings
            .iter()
            .filter(|l| matches!(l.status, ListingStatus::Grace | ListingStatus::Published) && l.trigger.is_none())
        {
            let since = l.decided_on.unwrap_or(l.proposed_on);
            let mut found: Vec<(DeletionTrigger, Date)> =
                repair::detect_triggers(&file, since).into_iter().filter(|(t, _)| t.applies(&l.grounds)).collect();
            if let Some(term) = l.term_until
                && term <= today
            {
                found.push((DeletionTrigger::TermExpired, term));
            }
            let Some((trigger, on)) = found.into_iter().min_by_key(|(_, d)| *d) else { continue };
            let due = repair::repair_due(on, &rules.calendar, &policy);
            let mut tx = self.write.begin().await?;
            let done = sqlx::query(
                "UPDATE credit_listings SET trigger_code = $1, trigger_on = $2, repair_due = $3, updated_at = $4
                 WHERE court_code = $5 AND id = $6 AND trigger_code IS NULL",
            )
            .bind(trigger.code())
            .bind(iso_date(on))
            .bind(iso_date(due))
            .bind(now)
            .bind(court.as_str().to_string())
            .bind(l.id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                let detail = format!("发现删除情形：{}，应于{}前删除", trigger.label_zh(), iso_date(due));
                insert_event(
                    &mut tx,
                    self,
                    court,
                    case_id,
                    "listing",
                    l.id,
                    "trigger_detected",
                    on,
                    &detail,
                    "系统",
                    now,
                )
                .await?;
                marked += 1;
            }
            tx.commit().await?;
        }
        Ok(marked)
    }

    /// SX arts 11–12: receives a written correction application.
    #[allow(clippy::too_many_arguments)]
    pub async fn file_correction(
        &self,
        court: &CourtCode,
        listing_id: i64,
        ground: CorrectionGround,
        applicant: &str,
        received_on: Date,
        actor: &UserRef,
        now: i64,
    ) -> Result<Correction> {
        let policy = self.credit_policy();
        let rules = self.workflow_rules();
        let mut tx = self.write.begin().await?;
        let listing = self.listing_locked(&mut tx, court, listing_id).await?;
        let deadlines = repair::correction_deadlines(received_on, None, None, None, &rules.calendar, &policy);
        let id = self.ids.next(now);
        sqlx::query(
            "INSERT INTO credit_corrections (court_code, id, listing_id, ground, applicant, received_on, examine_by, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .bind(listing_id)
        .bind(ground.code())
        .bind(applicant.to_string())
        .bind(iso_date(received_on))
        .bind(iso_date(deadlines.examine_by))
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        let detail =
            format!("{applicant}申请纠正：{}；应于{}前审查决定", ground.label_zh(), iso_date(deadlines.examine_by));
        insert_event(
            &mut tx,
            self,
            court,
            listing.case_id,
            "correction",
            id,
            "filed",
            received_on,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        let credit = self.case_credit(court, listing.case_id).await?;
        credit.corrections.into_iter().find(|c| c.id == id).ok_or(StoreError::NotFound)
    }

    /// Decides a correction application (upheld → withdraw, correct or delete
    /// within 3 working days; rejected → the applicant may ask the upper
    /// court within 10 days), or records a review application.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_correction(
        &self,
        court: &CourtCode,
        correction_id: i64,
        upheld: bool,
        on: Date,
        note: &str,
        actor: &UserRef,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let row =
            sqlx::query("SELECT listing_id, decided_on FROM credit_corrections WHERE court_code = $1 AND id = $2")
                .bind(court.as_str().to_string())
                .bind(correction_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        if opt_text(&row, "decided_on")?.is_some() {
            return Err(refused("该纠正申请已作决定", "纠正申请状态", "《失信规定》第十二条"));
        }
        let listing = self.listing_locked(&mut tx, court, int(&row, "listing_id")?).await?;
        sqlx::query(
            "UPDATE credit_corrections SET decided_on = $1, upheld = $2, decision_note = $3 WHERE court_code = $4 AND id = $5",
        )
        .bind(iso_date(on))
        .bind(i64::from(upheld))
        .bind(note.to_string())
        .bind(court.as_str().to_string())
        .bind(correction_id)
        .execute(&mut *tx)
        .await?;
        let detail = if upheld {
            format!("纠正理由成立：{note}（应于3个工作日内撤销、更正或删除）")
        } else {
            format!("决定驳回：{note}（申请人可自送达之日起10日内向上一级法院申请复议）")
        };
        insert_event(
            &mut tx,
            self,
            court,
            listing.case_id,
            "correction",
            correction_id,
            "decided",
            on,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// SX art 12: records the applicant's review application to the upper
    /// court (within 10 days of service of the rejection); the upper court
    /// decides within 15 days of receipt. The review does not suspend the decision.
    pub async fn record_correction_review(
        &self,
        court: &CourtCode,
        correction_id: i64,
        rejection_served_on: Date,
        received_on: Date,
        actor: &UserRef,
        now: i64,
    ) -> Result<Correction> {
        let policy = self.credit_policy();
        let rules = self.workflow_rules();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "SELECT listing_id, received_on, upheld FROM credit_corrections WHERE court_code = $1 AND id = $2",
        )
        .bind(court.as_str().to_string())
        .bind(correction_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if opt_int(&row, "upheld")? != Some(0) {
            return Err(refused("只有被驳回的纠正申请才能申请复议", "纠正申请已被驳回", "《失信规定》第十二条"));
        }
        let listing = self.listing_locked(&mut tx, court, int(&row, "listing_id")?).await?;
        let deadlines = repair::correction_deadlines(
            date(&row, "received_on")?,
            None,
            Some(rejection_served_on),
            Some(received_on),
            &rules.calendar,
            &policy,
        );
        if deadlines.review_apply_by.is_some_and(|last| received_on > last) {
            return Err(refused(
                "复议申请应自驳回决定送达之日起十日内提出",
                format!("最迟{}", deadlines.review_apply_by.map(iso_date).unwrap_or_default()),
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第十二条",
            ));
        }
        sqlx::query("UPDATE credit_corrections SET review_received_on = $1, review_decide_by = $2 WHERE court_code = $3 AND id = $4")
            .bind(iso_date(received_on))
            .bind(deadlines.review_decide_by.map(iso_date))
            .bind(court.as_str().to_string())
            .bind(correction_id)
            .execute(&mut *tx)
            .await?;
        let detail = format!(
            "申请人向上一级法院申请复议；上一级法院应于{}前作出决定（复议期间不停止原决定的执行）",
            deadlines.review_decide_by.map(iso_date).unwrap_or_default()
        );
        insert_event(
            &mut tx,
            self,
            court,
            listing.case_id,
            "correction",
            correction_id,
            "review_filed",
            received_on,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        let credit = self.case_credit(court, listing.case_id).await?;
        credit.corrections.into_iter().find(|c| c.id == correction_id).ok_or(StoreError::NotFound)
    }

    /// Issues a 限制消费令 for the listed persons (XX arts 1, 3, 5).
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_restriction(
        &self,
        court: &CourtCode,
        case_id: i64,
        persons: &[RestrictedPerson],
        on: Date,
        order_ref: &str,
        president_approved: bool,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Vec<Restriction>> {
        let mut tx = self.write.begin().await?;
        let (case, _) = self.lock_case(&mut tx, court, case_id).await?;
        let mut missing = Vec::new();
        if !president_approved {
            missing.push(Missing::new("院长签发", "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第五条"));
        }
        if order_ref.trim().is_empty() {
            missing.push(Missing::new("限制消费令文号", "《限制消费规定》第五条"));
        }
        if persons.is_empty() || !persons.iter().any(|p| p.role == RestrictedRole::Debtor) {
            missing.push(Missing::new("被限制的被执行人", "《限制消费规定》第一条"));
        }
        if on < case.filed_on || on > today {
            missing.push(Missing::new("日期应在立案之后、今天之前", "《限制消费规定》第一条"));
        }
        if !missing.is_empty() {
            return Err(StoreError::Refused(Refusal { message: "不能发出限制消费令".into(), missing }));
        }
        let debtor =
            persons.iter().find(|p| p.role == RestrictedRole::Debtor).map(|p| p.name.clone()).unwrap_or_default();
        let debtor_party =
            case.parties.iter().find(|p| p.draft.role == PartyRole::Respondent && p.draft.name == debtor);
        let Some(debtor_party) = debtor_party else {
            return Err(refused("限制消费令的被执行人须为本案被执行人", "被执行人", "《限制消费规定》第一条"));
        };
        if persons.iter().any(|p| p.role != RestrictedRole::Debtor)
            && debtor_party.draft.kind != PartyKind::Organization
        {
            return Err(refused(
                "只有单位被执行人才同时限制其法定代表人、主要负责人、直接责任人员、实际控制人",
                "被限制人员的身份",
                "《限制消费规定》第三条第二款",
            ));
        }
        let ids = self
            .insert_restrictions(
                &mut tx,
                court,
                case_id,
                &debtor,
                debtor_party.draft.kind,
                persons,
                on,
                order_ref,
                None,
                None,
                actor,
                now,
            )
            .await?;
        tx.commit().await?;
        for p in persons {
            self.index_apply(&p.id_number, 0, 1);
        }
        let all = self.case_credit(court, case_id).await?.restrictions;
        Ok(all.into_iter().filter(|r| ids.contains(&r.id)).collect())
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_restrictions(
        &self,
        tx: &mut AnyConnection,
        court: &CourtCode,
        case_id: i64,
        debtor_name: &str,
        debtor_kind: PartyKind,
        persons: &[RestrictedPerson],
        on: Date,
        order_ref: &str,
        grace_until: Option<Date>,
        listing_id: Option<i64>,
        actor: &UserRef,
        now: i64,
    ) -> Result<Vec<i64>> {
        let order_id = self.ids.next(now);
        let mut ids = Vec::new();
        for p in persons {
            let id = self.ids.next(now);
            let kind = if p.role == RestrictedRole::Debtor { debtor_kind } else { PartyKind::Person };
            sqlx::query(
                "INSERT INTO credit_restrictions (court_code, id, case_id, order_id, role, subject_kind, subject_name, id_number,
                     debtor_name, status, issued_on, order_ref, grace_until, listing_id, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(court.as_str().to_string())
            .bind(id)
            .bind(case_id)
            .bind(order_id)
            .bind(p.role.code())
            .bind(kind.as_str())
            .bind(p.name.clone())
            .bind(p.id_number.clone())
            .bind(debtor_name.to_string())
            .bind(if grace_until.is_some() { "grace" } else { "active" })
            .bind(iso_date(on))
            .bind(order_ref.to_string())
            .bind(grace_until.map(iso_date))
            .bind(listing_id)
            .bind(now)
            .bind(actor.id)
            .execute(&mut *tx)
            .await?;
            let detail = format!("限制消费令（{order_ref}）：{}（{}）", p.name, p.role.label_zh());
            insert_event(tx, self, court, case_id, "restriction", id, "issued", on, &detail, &actor.display_name, now)
                .await?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Lifts a restriction by its own decision (XX art 9; deleting a 失信
    /// listing does not lift it).
    #[allow(clippy::too_many_arguments)]
    pub async fn lift_restriction(
        &self,
        court: &CourtCode,
        restriction_id: i64,
        ground: LiftGround,
        lift_ref: &str,
        on: Date,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<Restriction> {
        let mut tx = self.write.begin().await?;
        let r = self.restriction_locked(&mut tx, court, restriction_id).await?;
        if !r.active {
            return Err(refused("该限制消费令已解除", "限制状态", "《限制消费规定》第九条"));
        }
        if lift_ref.trim().is_empty() {
            return Err(refused("解除限制消费须有解除决定（文号）", "解除决定文号", "《限制消费规定》第九条"));
        }
        sqlx::query(
            "UPDATE credit_restrictions SET status = 'lifted', lifted_on = $1, lift_ground = $2, lift_ref = $3
             WHERE court_code = $4 AND id = $5",
        )
        .bind(iso_date(on))
        .bind(ground.code())
        .bind(lift_ref.to_string())
        .bind(court.as_str().to_string())
        .bind(restriction_id)
        .execute(&mut *tx)
        .await?;
        let detail = format!("解除限制消费（{lift_ref}）：{}", ground.label_zh());
        insert_event(
            &mut tx,
            self,
            court,
            r.case_id,
            "restriction",
            restriction_id,
            "lifted",
            on,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        let _ = today;
        if r.counted {
            self.index_apply(&r.id_number, 0, -1);
        }
        let all = self.case_credit(court, r.case_id).await?.restrictions;
        all.into_iter().find(|x| x.id == restriction_id).ok_or(StoreError::NotFound)
    }

    /// SW art 17(3): temporary lifting of the travel ban.
    #[allow(clippy::too_many_arguments)]
    pub async fn temporary_lift(
        &self,
        court: &CourtCode,
        restriction_id: i64,
        from: Date,
        to: Date,
        ground: TemporaryLiftGround,
        approval_ref: &str,
        president_approved: bool,
        actor: &UserRef,
        now: i64,
        today: Date,
    ) -> Result<()> {
        let policy = self.credit_policy();
        restriction::check_temporary_lift(from, to, president_approved, &policy).map_err(StoreError::Refused)?;
        let mut tx = self.write.begin().await?;
        let r = self.restriction_locked(&mut tx, court, restriction_id).await?;
        if !r.active {
            return Err(refused("该限制消费令已解除，无需临时解除", "限制状态", "《善意文明执行意见》第十七条"));
        }
        let overlapping = sqlx::query(
            "SELECT COUNT(*) AS n FROM credit_temporary_lifts WHERE court_code = $1 AND restriction_id = $2
                 AND from_date <= $3 AND to_date >= $4",
        )
        .bind(court.as_str().to_string())
        .bind(restriction_id)
        .bind(iso_date(to))
        .bind(iso_date(from))
        .fetch_one(&mut *tx)
        .await?;
        if int(&overlapping, "n")? > 0 {
            return Err(refused(
                "与已批准的临时解除期间重叠（单次解禁）",
                "临时解除期间",
                "《善意文明执行意见》第十七条第三项",
            ));
        }
        sqlx::query(
            "INSERT INTO credit_temporary_lifts (court_code, id, restriction_id, from_date, to_date, ground, approval_ref, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(court.as_str().to_string())
        .bind(self.ids.next(now))
        .bind(restriction_id)
        .bind(iso_date(from))
        .bind(iso_date(to))
        .bind(ground.code())
        .bind(approval_ref.to_string())
        .bind(now)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "临时解除乘坐飞机、高铁限制 {}至{}（{}，院长批准 {approval_ref}）",
            iso_date(from),
            iso_date(to),
            ground.label_zh()
        );
        insert_event(
            &mut tx,
            self,
            court,
            r.case_id,
            "restriction",
            restriction_id,
            "temporarily_lifted",
            from,
            &detail,
            &actor.display_name,
            now,
        )
        .await?;
        tx.commit().await?;
        if from <= today
            && today <= to
            && let Ok(mut index) = self.credit_index.write()
        {
            index.set_lift(&r.id_number, day_number(to));
        }
        Ok(())
    }

    /// A breach of a 限制消费令 reported by a partner or a judge: recorded
    /// once per reporter and key, as a case node, with the sanctions path it
    /// calls for. Returns the breach and whether it was new.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_breach(
        &self,
        id_number: &str,
        reporter: &str,
        report_key: &str,
        occurred_at: &str,
        occurred_on: Date,
        place: &str,
        conduct: &str,
        actor: Option<&UserRef>,
        now: i64,
        today: Date,
    ) -> Result<(Breach, BreachAdvice, bool)> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RESTRICTION_COLUMNS} FROM credit_restrictions WHERE id_number = $1 AND status <> 'lifted' ORDER BY issued_on"
        )))
        .bind(id_number.to_string())
        .fetch_all(&self.read)
        .await?;
        let restrictions: Vec<Restriction> = rows.iter().map(restriction_from_row).collect::<Result<_>>()?;
        let Some(r) = restrictions.into_iter().find(|r| r.effective(today)) else {
            return Err(refused("该身份号码没有有效的限制消费令", "有效的限制消费令", "《限制消费规定》第十一条"));
        };
        let mut tx = self.write.begin().await?;
        let (_, workflow) = self.lock_case(&mut tx, &r.court, r.case_id).await?;
        let existing =
            sqlx::query("SELECT id FROM credit_breaches WHERE court_code = $1 AND reporter = $2 AND report_key = $3")
                .bind(r.court.as_str().to_string())
                .bind(reporter.to_string())
                .bind(report_key.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let prior_sanctions = nodes_of(&workflow.nodes, BuiltinNode::SanctionImposed, today).count();
        let listed_s5 = sqlx::query(
            "SELECT COUNT(*) AS n FROM credit_listings WHERE court_code = $1 AND case_id = $2 AND id_number = $3
                 AND status IN ('grace', 'published') AND grounds LIKE '%s5%'",
        )
        .bind(r.court.as_str().to_string())
        .bind(r.case_id)
        .bind(r.id_number.clone())
        .fetch_one(&mut *tx)
        .await?;
        let advice = restriction::breach_advice(prior_sanctions, int(&listed_s5, "n")? > 0);
        if let Some(row) = existing {
            let id = int(&row, "id")?;
            tx.commit().await?;
            let credit = self.case_credit(&r.court, r.case_id).await?;
            let breach = credit.breaches.into_iter().find(|b| b.id == id).ok_or(StoreError::NotFound)?;
            return Ok((breach, advice, false));
        }
        let id = self.ids.next(now);
        let inserted = sqlx::query(
            "INSERT INTO credit_breaches (court_code, id, case_id, restriction_id, id_number, reporter, report_key, occurred_at,
                 place, conduct, advice_step, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(r.court.as_str().to_string())
        .bind(id)
        .bind(r.case_id)
        .bind(r.id)
        .bind(r.id_number.clone())
        .bind(reporter.to_string())
        .bind(report_key.to_string())
        .bind(occurred_at.to_string())
        .bind(place.to_string())
        .bind(conduct.to_string())
        .bind(advice.step)
        .bind(now)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            return Err(if is_unique_violation(&e) { StoreError::VersionConflict { current: 0 } } else { e.into() });
        }
        // The breach becomes a node of the case's timeline.
        let node = Node {
            id: self.ids.next(now),
            kind: NodeKind::Builtin(BuiltinNode::RestrictionBreached),
            on: occurred_on.max(r.issued_on),
            note: format!("{}：{}，{}（{}报告）。建议：{}", r.subject_name, conduct, place, reporter, advice.text),
            document_ref: Some(r.order_ref.clone()),
            amount: None,
        };
        let recorder = match actor {
            Some(a) => a.clone(),
            None => self.system_user(&mut tx, &r.court).await?,
        };
        crate::workflow::insert_node(&mut tx, &r.court, r.case_id, &node, &recorder, now).await?;
        insert_event(
            &mut tx,
            self,
            &r.court,
            r.case_id,
            "breach",
            id,
            "reported",
            occurred_on,
            &node.note,
            reporter,
            now,
        )
        .await?;
        tx.commit().await?;
        let credit = self.case_credit(&r.court, r.case_id).await?;
        let breach = credit.breaches.into_iter().find(|b| b.id == id).ok_or(StoreError::NotFound)?;
        Ok((breach, advice, true))
    }

    /// Nodes need a recording user; a partner's report is recorded as the
    /// court's first chief or judge (the one who will act on it).
    async fn system_user(&self, tx: &mut AnyConnection, court: &CourtCode) -> Result<UserRef> {
        let row = sqlx::query(
            "SELECT id FROM users WHERE court_code = $1 AND role IN ('chief', 'judge') AND active = 1 ORDER BY role, id LIMIT 1",
        )
        .bind(court.as_str().to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| corrupt("users", "no judge in court"))?;
        let users = self.user_refs(tx, &[int(&row, "id")?]).await?;
        users.into_iter().next().ok_or_else(|| corrupt("users", "missing"))
    }

    /// The public look-up: currently effective 失信 and 限消 entries by name
    /// (exact) and, if given, identity number. Deleted, withdrawn, lifted and
    /// in-grace entries never appear; ID numbers are masked.
    pub async fn public_lookup(
        &self,
        name: &str,
        id_number: Option<&str>,
        today: Date,
        limit: i64,
    ) -> Result<Vec<PublicEntry>> {
        let t = iso_date(today);
        let mut out = Vec::new();
        let id_filter = if id_number.is_some() { " AND l.id_number = $3" } else { "" };
        let sql = format!(
            "SELECT l.court_code, l.case_id, l.subject_kind, l.subject_name, l.id_number, l.legal_representative, l.grounds,
                 l.effective_on, c.case_number, c.filed_on, c.basis_issuing_body, c.basis_document_number, c.basis_operative_text,
                 c.amount_applied_fen
             FROM credit_listings l JOIN cases c ON c.court_code = l.court_code AND c.id = l.case_id
             WHERE l.subject_name = $1 AND (l.status = 'published' OR (l.status = 'grace' AND l.grace_until < $2)){id_filter}
             ORDER BY l.effective_on DESC LIMIT {limit}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(name.to_string()).bind(t.clone());
        if let Some(id) = id_number {
            q = q.bind(id.to_string());
        }
        for r in q.fetch_all(&self.read).await? {
            let grounds_text = text(&r, "grounds")?;
            let conduct = grounds_text
                .split(',')
                .filter_map(DishonestGround::parse)
                .map(|g| g.label_zh())
                .collect::<Vec<_>>()
                .join("；");
            out.push(
                self.public_entry(&r, "dishonest", conduct, opt_date(&r, "effective_on")?.unwrap_or(today), today)
                    .await?,
            );
        }
        let id_filter = if id_number.is_some() { " AND r.id_number = $3" } else { "" };
        let sql = format!(
            "SELECT r.court_code, r.case_id, r.subject_kind, r.subject_name, r.id_number, r.role, r.debtor_name, r.issued_on,
                 r.grace_until, c.case_number, c.filed_on, c.basis_issuing_body, c.basis_document_number, c.basis_operative_text,
                 c.amount_applied_fen
             FROM credit_restrictions r JOIN cases c ON c.court_code = r.court_code AND c.id = r.case_id
             WHERE r.subject_name = $1 AND (r.status = 'active' OR (r.status = 'grace' AND r.grace_until < $2)){id_filter}
             ORDER BY r.issued_on DESC LIMIT {limit}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(name.to_string()).bind(t);
        if let Some(id) = id_number {
            q = q.bind(id.to_string());
        }
        for r in q.fetch_all(&self.read).await? {
            let role = parsed(&r, "role", RestrictedRole::parse)?;
            let conduct = if role == RestrictedRole::Debtor {
                "被限制高消费及非生活和工作必需的消费".to_string()
            } else {
                format!("作为被执行人{}的{}被限制消费", text(&r, "debtor_name")?, role.label_zh())
            };
            let published = opt_date(&r, "grace_until")?.and_then(|g| g.next_day()).unwrap_or(date(&r, "issued_on")?);
            out.push(self.public_entry(&r, "restriction", conduct, published, today).await?);
        }
        Ok(out)
    }

    async fn public_entry(
        &self,
        r: &AnyRow,
        measure: &'static str,
        conduct: String,
        published_on: Date,
        today: Date,
    ) -> Result<PublicEntry> {
        let court: CourtCode = parsed(r, "court_code", |s| CourtCode::parse(s).ok())?;
        let id_number = text(r, "id_number")?;
        let (sex, age) = match zhixing_core::citizen_id::CitizenId::parse(&id_number) {
            Ok(id) if id.as_str() == id_number => (Some(id.sex().label_zh().to_string()), Some(id.age_on(today))),
            _ => (None, None),
        };
        let applied = int(r, "amount_applied_fen")?;
        let case_id = int(r, "case_id")?;
        let paid: i64 = sqlx::query(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS paid FROM case_nodes WHERE court_code = $1 AND case_id = $2 AND kind = 'payment_received'",
        )
        .bind(court.as_str().to_string())
        .bind(case_id)
        .fetch_one(&self.read)
        .await
        .and_then(|row| sqlx::Row::try_get::<i64, _>(&row, "paid"))?;
        let money =
            |fen: i64| zhixing_core::money::Money::from_fen(fen.max(0)).map(|m| m.to_string()).unwrap_or_default();
        let performance = if paid == 0 {
            "全部未履行".to_string()
        } else {
            format!("已履行{}元，未履行{}元", money(paid), money(applied - paid))
        };
        Ok(PublicEntry {
            measure,
            name: text(r, "subject_name")?,
            id_number_masked: mask_id(&id_number),
            sex,
            age,
            legal_representative: r.try_get_unchecked_opt("legal_representative"),
            court: self.court_name(&court).await.unwrap_or_else(|| court.as_str().to_string()),
            case_number: text(r, "case_number")?,
            filed_on: date(r, "filed_on")?,
            basis_issuing_body: text(r, "basis_issuing_body")?,
            basis_document_number: text(r, "basis_document_number")?,
            obligations: text(r, "basis_operative_text")?,
            performance,
            conduct,
            published_on,
        })
    }

    async fn court_name(&self, court: &CourtCode) -> Option<String> {
        let row = sqlx::query("SELECT name FROM courts WHERE code = $1")
            .bind(court.as_str().to_string())
            .fetch_optional(&self.read)
            .await
            .ok()??;
        text(&row, "name").ok()
    }

    /// Cases with a termed listing past its term and no deletion trigger yet.
    pub async fn cases_with_expired_terms(&self, today: Date) -> Result<Vec<(CourtCode, i64)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT court_code, case_id FROM credit_listings
             WHERE status IN ('grace', 'published') AND trigger_code IS NULL AND term_until IS NOT NULL AND term_until <= $1",
        )
        .bind(iso_date(today))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((parsed(r, "court_code", |s| CourtCode::parse(s).ok())?, int(r, "case_id")?))).collect()
    }

    /// Listings of `courts` (a court-wide list), newest first, with their deadlines.
    pub async fn court_listings(&self, courts: &[CourtCode], limit: i64) -> Result<Vec<Listing>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE court_code IN ({}) ORDER BY id DESC LIMIT {limit}",
            placeholders(1, courts.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in courts {
            q = q.bind(c.as_str().to_string());
        }
        q.fetch_all(&self.read).await?.iter().map(listing_from_row).collect()
    }

    /// Statistics per court of `courts`.
    pub async fn credit_stats(&self, courts: &[CourtCode], today: Date) -> Result<Vec<CreditStats>> {
        let mut out = Vec::new();
        for court in courts {
            let c = court.as_str().to_string();
            let mut s = CreditStats { court: c.clone(), ..Default::default() };
            let listings = sqlx::query(AssertSqlSafe(format!(
                "SELECT {LISTING_COLUMNS} FROM credit_listings WHERE court_code = $1"
            )))
            .bind(c.clone())
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(listing_from_row)
            .collect::<Result<Vec<_>>>()?;
            let mut by_ground: HashMap<&'static str, i64> = HashMap::new();
            let mut by_severity: HashMap<&'static str, i64> = HashMap::new();
            let mut by_trigger: HashMap<&'static str, i64> = HashMap::new();
            let mut quarters: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
            let quarter = |d: Date| format!("{}Q{}", d.year(), (u8::from(d.month()) - 1) / 3 + 1);
            for l in &listings {
                if matches!(l.status, ListingStatus::Proposed | ListingStatus::Rejected) {
                    continue;
                }
                for g in &l.grounds {
                    *by_ground.entry(g.code()).or_default() += 1;
                }
                *by_severity.entry(l.severity.code()).or_default() += 1;
                match l.status {
                    ListingStatus::Grace if !l.effective(today) => s.in_grace += 1,
                    ListingStatus::Grace | ListingStatus::Published => s.published += 1,
                    ListingStatus::Deleted => {
                        *by_trigger.entry(l.trigger.map_or("unknown", |t| t.code())).or_default() += 1
                    }
                    ListingStatus::Withdrawn => s.withdrawn += 1,
                    _ => {}
                }
                if let Some(d) = l.decided_on {
                    quarters.entry(quarter(d)).or_default().0 += 1;
                }
                if l.status == ListingStatus::Deleted
                    && let Some(d) = l.ended_on
                {
                    quarters.entry(quarter(d)).or_default().1 += 1;
                }
            }
            let sorted = |m: HashMap<&'static str, i64>| {
                let mut v: Vec<(String, i64)> = m.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
                v.sort();
                v
            };
            s.by_ground = sorted(by_ground);
            s.by_severity = sorted(by_severity);
            s.deleted_by_trigger = sorted(by_trigger);
            s.quarters = quarters.into_iter().map(|(q, (n, d))| (q, n, d)).collect();
            let row = sqlx::query(
                "SELECT COUNT(*) AS n FROM credit_restrictions WHERE court_code = $1 AND status = 'active'",
            )
            .bind(c.clone())
            .fetch_one(&self.read)
            .await?;
            s.restrictions_active = int(&row, "n")?;
            let row = sqlx::query("SELECT COUNT(*) AS n FROM credit_breaches WHERE court_code = $1")
                .bind(c)
                .fetch_one(&self.read)
                .await?;
            s.breaches = int(&row, "n")?;
            out.push(s);
        }
        Ok(out)
    }

    // ------------------------------------------------------------ partners

    pub async fn create_partner(&self, name: &str, token_hash: &str, now: i64) -> Result<Partner> {
        let id = self.ids.next(now);
        let done = sqlx::query(
            "INSERT INTO partner_clients (id, name, token_hash, active, created_at) VALUES ($1, $2, $3, 1, $4)",
        )
        .bind(id)
        .bind(name.to_string())
        .bind(token_hash.to_string())
        .bind(now)
        .execute(&self.write)
        .await;
        match done {
            Ok(_) => Ok(Partner { id, name: name.to_string(), active: true }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::UsernameTaken),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn revoke_partner(&self, name: &str, now: i64) -> Result<()> {
        let done = sqlx::query("UPDATE partner_clients SET active = 0, revoked_at = $1 WHERE name = $2")
            .bind(now)
            .bind(name.to_string())
            .execute(&self.write)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn partners(&self) -> Result<Vec<Partner>> {
        sqlx::query("SELECT id, name, active FROM partner_clients ORDER BY name")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| Ok(Partner { id: int(r, "id")?, name: text(r, "name")?, active: int(r, "active")? == 1 }))
            .collect()
    }

    pub async fn partner_by_token(&self, token_hash: &str) -> Result<Option<Partner>> {
        let row = sqlx::query("SELECT id, name, active FROM partner_clients WHERE token_hash = $1 AND active = 1")
            .bind(token_hash.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok(Partner { id: int(&r, "id")?, name: text(&r, "name")?, active: true })).transpose()
    }

    /// Logs a batch of partner calls: (client id, endpoint, items, status, at).
    pub async fn log_partner_calls(&self, calls: &[(i64, String, i64, i64, i64)]) -> Result<()> {
        if calls.is_empty() {
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        for chunk in calls.chunks(200) {
            let sql = format!(
                "INSERT INTO partner_calls (id, client_id, at, endpoint, items, status) VALUES {}",
                crate::sql::value_rows(1, chunk.len(), 6)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (client, endpoint, items, status, at) in chunk {
                q = q
                    .bind(self.ids.next(*at))
                    .bind(*client)
                    .bind(*at)
                    .bind(endpoint.clone())
                    .bind(*items)
                    .bind(*status);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Logs a partner call (every call is logged).
    pub async fn log_partner_call(
        &self,
        client_id: i64,
        endpoint: &str,
        items: i64,
        status: i64,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO partner_calls (id, client_id, at, endpoint, items, status) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.ids.next(now))
        .bind(client_id)
        .bind(now)
        .bind(endpoint.to_string())
        .bind(items)
        .bind(status)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn partner_call_count(&self, client_id: i64) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM partner_calls WHERE client_id = $1")
            .bind(client_id)
            .fetch_one(&self.read)
            .await?;
        int(&row, "n")
    }
}

trait OptText {
    fn try_get_unchecked_opt(&self, column: &str) -> Option<String>;
}

impl OptText for AnyRow {
    fn try_get_unchecked_opt(&self, column: &str) -> Option<String> {
        sqlx::Row::try_get::<Option<String>, _>(self, column).ok().flatten()
    }
}
