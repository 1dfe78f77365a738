//! The case register: filing with gap-free 案号, reading, searching,
//! optimistic-concurrency updates, soft deletion and the change log.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use time::Date;
use zhixing_core::calendar::iso_date;
use zhixing_core::case::{
    BasisDraft, CaseDraft, CaseStatus, Change, ClaimDraft, ClaimKind, DocumentType, PartyDraft, PartyId, PartyKind,
    PartyRole, RawBasis, RawCase, RawClaim, RawParty, diff, number_search_terms, party_search_terms, search_terms,
};
use zhixing_core::case_number::{CaseNumber, EnforcementType};
use zhixing_core::citizen_id::CitizenId;
use zhixing_core::court::CourtCode;
use zhixing_core::credit_code::CreditCode;
use zhixing_core::error::FieldError;
use zhixing_core::money::Money;
use zhixing_core::text::search_key;

use crate::rows::{corrupt, date, int, opt_date, opt_int, opt_text, parsed, text};
use crate::sql::{bucketed_insert, buckets, placeholders};
use crate::users::UserRef;
use tokio::sync::{mpsc, oneshot};

use crate::{Result, Store, StoreError, is_unique_violation};

/// Cases per page of a list or search.
pub const PAGE_SIZE: i64 = 20;

/// Who accepted a credit code that failed its check, when, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideRecord {
    pub reason: String,
    pub by: Option<UserRef>,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredParty {
    pub id: i64,
    pub draft: PartyDraft,
    pub id_override: Option<OverrideRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCase {
    pub id: i64,
    /// The court that registered the case (立案法院) — also the shard key.
    pub court: CourtCode,
    pub case_number: CaseNumber,
    pub case_type: EnforcementType,
    pub filed_on: Date,
    pub status: CaseStatus,
    pub handling_judge: Option<UserRef>,
    pub basis: BasisDraft,
    pub parties: Vec<StoredParty>,
    pub claims: Vec<ClaimDraft>,
    /// 申请执行标的
    pub amount_applied: Money,
    pub version: i64,
    pub created_at: i64,
    pub created_by: UserRef,
    pub updated_at: i64,
    pub updated_by: UserRef,
    /// Filed with its handling judge named: enforcement started at filing.
    pub started_at_filing: bool,
}

impl StoredCase {
    pub fn draft(&self) -> CaseDraft {
        CaseDraft {
            case_type: self.case_type,
            filed_on: self.filed_on,
            handling_judge: self.handling_judge.as_ref().map(|u| u.username.clone()),
            basis: self.basis.clone(),
            parties: self.parties.iter().map(|p| p.draft.clone()).collect(),
            claims: self.claims.clone(),
        }
    }

    /// The case as untrusted-input text, for edits that change some fields
    /// and must re-validate the whole case.
    pub fn to_raw(&self) -> RawCase {
        RawCase {
            case_type: Some(self.case_type.code().to_string()),
            filed_on: Some(iso_date(self.filed_on)),
            handling_judge: self.handling_judge.as_ref().map(|u| u.username.clone()),
            basis: RawBasis {
                issuing_body: Some(self.basis.issuing_body.clone()),
                document_number: Some(self.basis.document_number.clone()),
                document_type: Some(self.basis.document_type.as_str().to_string()),
                effective_on: Some(iso_date(self.basis.effective_on)),
                performance_due_on: self.basis.performance_due_on.map(iso_date),
                operative_text: Some(self.basis.operative_text.clone()),
            },
            parties: self.parties.iter().map(StoredParty::to_raw).collect(),
            claims: self
                .claims
                .iter()
                .map(|c| RawClaim {
                    kind: Some(c.kind.as_str().to_string()),
                    amount: Some(c.amount.to_string()),
                    description: c.description.clone(),
                })
                .collect(),
        }
    }
}

impl StoredParty {
    pub fn to_raw(&self) -> RawParty {
        let d = &self.draft;
        RawParty {
            id: Some(self.id),
            role: Some(d.role.as_str().to_string()),
            kind: Some(d.kind.as_str().to_string()),
            name: Some(d.name.clone()),
            id_number: Some(d.id_number.as_str().to_string()),
            legal_representative: d.legal_representative.clone(),
            address: d.address.clone(),
            id_check_override_reason: d.id_check_override_reason.clone(),
            override_already_recorded: self.id_override.is_some(),
        }
    }
}

/// One line of a case list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: i64,
    pub court: CourtCode,
    pub case_number: CaseNumber,
    pub case_type: EnforcementType,
    pub filed_on: Date,
    pub status: CaseStatus,
    pub handling_judge: Option<String>,
    pub applicants: Vec<String>,
    pub respondents: Vec<String>,
    pub amount_applied: Money,
}

#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// 案号 (whole or a prefix such as `执12`), party name (any part of
    /// two or more characters), identity number or 法定代表人.
    pub text: Option<String>,
    pub status: Option<CaseStatus>,
    /// 1-based.
    pub page: u32,
}

#[derive(Clone, Debug)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    pub page: u32,
    pub has_more: bool,
    /// The search text matched more than [`MAX_MATCHES`] cases (or term
    /// rows beyond four times that); only some of them are listed.
    pub truncated: bool,
}

/// Most cases a search text is matched against; a text that matches more
/// is too broad to be useful and the user is told so.
pub const MAX_MATCHES: i64 = 5_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub version: i64,
    pub at: i64,
    pub actor: UserRef,
    pub action: String,
    pub changes: Vec<Change>,
}

const CASE_COLUMNS: &str = "c.court_code, c.id, c.case_type, c.year, c.serial, c.case_number, c.filed_on, c.status,
    c.handling_judge_id, c.basis_issuing_body, c.basis_document_number, c.basis_document_type, c.basis_effective_on,
    c.basis_performance_due_on, c.basis_operative_text, c.amount_applied_fen, c.version, c.created_at, c.created_by,
    c.updated_at, c.updated_by, c.started_at_filing";

/// One filing waiting for the writer.
pub(crate) struct FilingJob {
    pub(crate) court: CourtCode,
    pub(crate) draft: CaseDraft,
    pub(crate) handling_judge: Option<UserRef>,
    pub(crate) actor: UserRef,
    pub(crate) now: i64,
    pub(crate) reply: oneshot::Sender<Result<StoredCase>>,
}

/// The case that carries on an original one — the 执恢 case of a restore,
/// the receiving court's case of a 交叉执行 move: same 执行依据 and parties
/// (re-registered), the unpaid balance as its one claim.
pub(crate) struct Successor<'a> {
    pub(crate) original: &'a StoredCase,
    pub(crate) court: CourtCode,
    pub(crate) case_type: EnforcementType,
    pub(crate) filed_on: Date,
    pub(crate) handling_judge: Option<UserRef>,
    pub(crate) balance: Money,
    /// Describes the balance claim, e.g. "恢复执行：原案…未履行部分".
    pub(crate) claim_description: String,
}

impl Store {
    /// Files a [`Successor`] inside the caller's transaction.
    pub(crate) async fn file_successor_in(
        &self,
        tx: &mut AnyConnection,
        successor: Successor<'_>,
        actor: &UserRef,
        now: i64,
        deltas: &mut crate::dashboard::CounterDeltas,
    ) -> Result<StoredCase> {
        let mut draft = successor.original.draft();
        draft.case_type = successor.case_type;
        draft.filed_on = successor.filed_on;
        draft.handling_judge = successor.handling_judge.as_ref().map(|u| u.username.clone());
        for party in &mut draft.parties {
            party.existing_id = None;
        }
        draft.claims = if successor.balance.is_zero() {
            Vec::new()
        } else {
            vec![ClaimDraft {
                kind: ClaimKind::Principal,
                amount: successor.balance,
                description: Some(successor.claim_description),
            }]
        };
        let (reply, _unused) = oneshot::channel();
        let job = FilingJob {
            court: successor.court,
            draft,
            handling_judge: successor.handling_judge,
            actor: actor.clone(),
            now,
            reply,
        };
        self.file_batch_in(tx, std::slice::from_ref(&job), deltas)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("successor case not filed".into()))
    }
}

/// Most filings committed in one transaction.
const MAX_BATCH: usize = 64;

/// How long the writer waits for more filings once it has one. Adds at most
/// this much latency to a lone filing; under load it makes batches larger
/// and the statements per filing fewer.
const GATHER_WINDOW: std::time::Duration = std::time::Duration::from_millis(2);

/// The filing writer: takes every filing waiting at that moment and commits
/// them in one transaction (group commit) — one counter update per
/// court/year/type and one multi-row INSERT per table, however many cases.
/// Under light load a batch holds one filing. If a batch fails, each of its
/// filings is retried alone, so one bad filing never fails the others. A
/// caller is answered only after the transaction that holds its case has
/// committed.
pub(crate) fn spawn_filing_writer(store: Store, writers: usize) -> mpsc::Sender<FilingJob> {
    let (sender, receiver) = mpsc::channel::<FilingJob>(1024);
    let receiver = std::sync::Arc::new(tokio::sync::Mutex::new(receiver));
    for _ in 0..writers.max(1) {
        let (store, receiver) = (store.clone(), receiver.clone());
        tokio::spawn(async move {
            loop {
                let mut jobs = {
                    let mut receiver = receiver.lock().await;
                    let Some(first) = receiver.recv().await else { return };
                    let mut jobs = vec![first];
                    // Group commit: gather what is queued, and what arrives
                    // within a short window, into one transaction.
                    let window = tokio::time::Instant::now() + GATHER_WINDOW;
                    while jobs.len() < MAX_BATCH {
                        match receiver.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => match tokio::time::timeout_at(window, receiver.recv()).await {
                                Ok(Some(job)) => jobs.push(job),
                                _ => break,
                            },
                        }
                    }
                    jobs
                };
                if jobs.len() > 1 {
                    match store.file_batch(&jobs).await {
                        Ok(cases) => {
                            for (job, case) in jobs.drain(..).zip(cases) {
                                let _ = job.reply.send(Ok(case));
                            }
                            continue;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, size = jobs.len(), "filing batch failed; filing one by one")
                        }
                    }
                }
                for job in jobs {
                    let result = store.file_one(&job).await;
                    let _ = job.reply.send(result);
                }
            }
        });
    }
    sender
}

/// A filing with its ids decided, ready to insert.
struct Prepared<'a> {
    job: &'a FilingJob,
    id: i64,
    status: CaseStatus,
    parties: Vec<StoredParty>,
}

impl Store {
    /// Files a new case at `court` and issues its 案号.
    ///
    /// The number is taken from the court/year/type counter *inside* the
    /// filing transaction (AH arts 9–10: natural numbers in order of
    /// receipt): a failed filing rolls the counter back, so numbers have no
    /// gaps and no duplicates, also under concurrent filing. Concurrent
    /// filings are committed together by the filing writer
    /// ([`spawn_filing_writer`]).
    pub async fn file_case(
        &self,
        court: &CourtCode,
        draft: &CaseDraft,
        handling_judge: Option<&UserRef>,
        actor: &UserRef,
        now: i64,
    ) -> Result<StoredCase> {
        let (reply, answer) = oneshot::channel();
        let job = FilingJob {
            court: court.clone(),
            draft: draft.clone(),
            handling_judge: handling_judge.cloned(),
            actor: actor.clone(),
            now,
            reply,
        };
        match &self.filings {
            Some(writer) => {
                writer.send(job).await.map_err(|_| StoreError::WriterGone)?;
                answer.await.map_err(|_| StoreError::WriterGone)?
            }
            None => self.file_one(&job).await,
        }
    }

    /// Files one case on its own, retrying with a fresh id if the generated
    /// one is taken (ids are unique per process, random across processes).
    async fn file_one(&self, job: &FilingJob) -> Result<StoredCase> {
        let mut attempt = 0;
        loop {
            match self.file_batch(std::slice::from_ref(job)).await {
                Err(StoreError::Database(e)) if is_unique_violation(&e) && attempt < 3 => attempt += 1,
                Err(e) => return Err(e),
                Ok(mut cases) => return cases.pop().ok_or(StoreError::WriterGone),
            }
        }
    }

    /// Files `jobs` in one transaction: all or none.
    ///
    /// Everything that does not need the 案号 (parties, claims, the change
    /// log, name terms) is written first; then the counters are taken (in a
    /// fixed order, so concurrent writers cannot deadlock) and the case rows
    /// written with their numbers. The counters' row locks — the one point
    /// where filings of a court wait for each other — are held only for the
    /// last statements, and no row is written twice.
    async fn file_batch(&self, jobs: &[FilingJob]) -> Result<Vec<StoredCase>> {
        let mut tx = self.write.begin().await?;
        let mut deltas = crate::dashboard::CounterDeltas::new();
        let cases = self.file_batch_in(&mut tx, jobs, &mut deltas).await?;
        crate::dashboard::flush(&mut tx, &deltas).await?;
        tx.commit().await?;
        Ok(cases)
    }

    /// [`Store::file_batch`] inside the caller's transaction (恢复执行 files
    /// the 执恢 case in the transaction that records the restore).
    pub(crate) async fn file_batch_in(
        &self,
        tx: &mut AnyConnection,
        jobs: &[FilingJob],
        deltas: &mut crate::dashboard::CounterDeltas,
    ) -> Result<Vec<StoredCase>> {
        let rules = self.workflow_rules();
        let prepared: Vec<Prepared> = jobs
            .iter()
            .map(|job| Prepared {
                job,
                id: self.ids.next(job.now),
                status: CaseStatus::Filed.with_handling_judge(job.handling_judge.is_some()),
                parties: self.party_ids(&job.draft, &[], &job.actor, job.now),
            })
            .collect();
        let parties: Vec<(&CourtCode, i64, &StoredParty)> =
            prepared.iter().flat_map(|p| p.parties.iter().map(move |party| (&p.job.court, p.id, party))).collect();
        insert_parties(&mut *tx, &parties).await?;
        let claims: Vec<(&CourtCode, i64, &ClaimDraft)> =
            prepared.iter().flat_map(|p| p.job.draft.claims.iter().map(move |c| (&p.job.court, p.id, c))).collect();
        insert_claims(&mut *tx, &claims).await?;
        let mut deadlines: Vec<crate::workflow::DeadlineRow> = Vec::new();
        let mut contributions = Vec::with_capacity(prepared.len());
        for p in &prepared {
            let open = crate::workflow::new_case_deadlines(&rules, &p.job.draft, p.job.handling_judge.as_ref());
            deadlines.extend(
                open.iter()
                    .map(|d| crate::workflow::DeadlineRow::new(&p.job.court, p.id, d, p.job.handling_judge.as_ref())),
            );
            // The dashboard's counters: a new, open case.
            let facts = zhixing_core::dashboard::CaseFacts {
                case_type: p.job.draft.case_type,
                filed_on: p.job.draft.filed_on,
                live: true,
                closing: None,
                applied: p.job.draft.amount_applied(),
                paid: Money::ZERO,
                open_deadlines: open.iter().filter_map(|d| d.due_on).collect(),
            };
            contributions.push((p.job.court.clone(), p.id, zhixing_core::dashboard::counters::contribution(&facts)));
        }
        crate::workflow::insert_deadlines(&mut *tx, &deadlines).await?;
        crate::dashboard::replace_contributions(&mut *tx, contributions, true, deltas).await?;
        let audits: Vec<AuditRow> = prepared
            .iter()
            .map(|p| (&p.job.court, p.id, 1, p.job.now, p.job.actor.id, "created", Vec::new()))
            .collect();
        insert_audits(&mut *tx, &audits).await?;
        let mut terms: Vec<(&CourtCode, String, i64)> = prepared
            .iter()
            .flat_map(|p| party_search_terms(&p.job.draft).into_iter().map(move |t| (&p.job.court, t, p.id)))
            .collect();

        // Issue numbers: one counter step of k per court/year/type.
        let mut groups: Vec<((String, i64, EnforcementType), Vec<usize>)> = Vec::new();
        for (i, job) in jobs.iter().enumerate() {
            let key = (job.court.as_str().to_string(), i64::from(job.draft.filed_on.year()), job.draft.case_type);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(i),
                None => groups.push((key, vec![i])),
            }
        }
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        let mut numbers: Vec<Option<CaseNumber>> = vec![None; jobs.len()];
        for ((court_code, year, case_type), members) in &groups {
            let k = members.len() as i64;
            let row = sqlx::query(
                "INSERT INTO case_number_counters (court_code, year, case_type, last_serial) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (court_code, year, case_type) DO UPDATE SET last_serial = case_number_counters.last_serial + $4
                 RETURNING last_serial",
            )
            .bind(court_code.clone())
            .bind(*year)
            .bind(case_type.code())
            .bind(k)
            .fetch_one(&mut *tx)
            .await?;
            let last = int(&row, "last_serial")?;
            let year_u16 = u16::try_from(*year).map_err(|_| corrupt("year", &year.to_string()))?;
            for (offset, index) in members.iter().enumerate() {
                let serial = last - k + 1 + offset as i64;
                let serial_u32 = u32::try_from(serial).map_err(|_| corrupt("last_serial", &serial.to_string()))?;
                numbers[*index] = Some(CaseNumber::new(year_u16, jobs[*index].court.clone(), *case_type, serial_u32));
            }
        }
        let numbers: Vec<CaseNumber> = numbers
            .into_iter()
            .map(|n| n.ok_or_else(|| corrupt("case_number", "not issued")))
            .collect::<Result<_>>()?;
        insert_cases(&mut *tx, &prepared, &numbers).await?;
        for (p, number) in prepared.iter().zip(&numbers) {
            terms.extend(number_search_terms(number).into_iter().map(|t| (&p.job.court, t, p.id)));
        }
        insert_terms(&mut *tx, &terms).await?;

        Ok(prepared
            .into_iter()
            .zip(numbers)
            .map(|(p, case_number)| {
                let d = &p.job.draft;
                StoredCase {
                    id: p.id,
                    court: p.job.court.clone(),
                    case_number,
                    case_type: d.case_type,
                    filed_on: d.filed_on,
                    status: p.status,
                    handling_judge: p.job.handling_judge.clone(),
                    basis: d.basis.clone(),
                    parties: p.parties,
                    claims: d.claims.clone(),
                    amount_applied: d.amount_applied(),
                    version: 1,
                    created_at: p.job.now,
                    created_by: p.job.actor.clone(),
                    updated_at: p.job.now,
                    updated_by: p.job.actor.clone(),
                    started_at_filing: p.job.handling_judge.is_some(),
                }
            })
            .collect())
    }

    /// Gives each party of `draft` its id: existing parties keep theirs, new
    /// ones get a fresh one. An override keeps its author when unchanged.
    fn party_ids(&self, draft: &CaseDraft, previous: &[StoredParty], actor: &UserRef, now: i64) -> Vec<StoredParty> {
        draft
            .parties
            .iter()
            .map(|party| {
                let id = match party.existing_id {
                    Some(id) if previous.iter().any(|p| p.id == id) => id,
                    _ => self.ids.next(now),
                };
                let id_override = party.id_check_override_reason.as_ref().map(|reason| {
                    previous
                        .iter()
                        .find(|p| p.id == id && p.draft.id_number == party.id_number)
                        .and_then(|p| p.id_override.clone())
                        .filter(|o| &o.reason == reason)
                        .unwrap_or_else(|| OverrideRecord { reason: reason.clone(), by: Some(actor.clone()), at: now })
                });
                let mut draft = party.clone();
                draft.existing_id = Some(id);
                StoredParty { id, draft, id_override }
            })
            .collect()
    }

    /// A case visible in one of `courts`; deleted cases are not visible.
    pub async fn case(&self, courts: &[CourtCode], id: i64) -> Result<Option<StoredCase>> {
        if courts.is_empty() {
            return Ok(None);
        }
        let mut conn = self.read.acquire().await?;
        self.load_case(&mut conn, courts, id).await
    }

    pub(crate) async fn load_case(
        &self,
        conn: &mut AnyConnection,
        courts: &[CourtCode],
        id: i64,
    ) -> Result<Option<StoredCase>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND c.deleted_at IS NULL AND c.court_code IN ({})",
            placeholders(2, courts.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(id);
        for court in courts {
            query = query.bind(court.as_str().to_string());
        }
        let Some(row) = query.fetch_optional(&mut *conn).await? else {
            return Ok(None);
        };
        let court: CourtCode = parsed(&row, "court_code", |s| CourtCode::parse(s).ok())?;

        let party_rows = sqlx::query(
            "SELECT id, role, kind, name, id_number, legal_representative, address, id_override_reason, id_override_by, id_override_at
             FROM case_parties WHERE court_code = $1 AND case_id = $2 ORDER BY position",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let claim_rows = sqlx::query(
            "SELECT kind, amount_fen, description FROM case_claims WHERE court_code = $1 AND case_id = $2 ORDER BY position",
        )
        .bind(court.as_str().to_string())
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;

        let mut user_ids = vec![int(&row, "created_by")?, int(&row, "updated_by")?];
        user_ids.extend(opt_int(&row, "handling_judge_id")?);
        for p in &party_rows {
            user_ids.extend(opt_int(p, "id_override_by")?);
        }
        let users = self.user_refs(conn, &user_ids).await?;
        let user = |id: i64| -> Result<UserRef> {
            users.iter().find(|u| u.id == id).cloned().ok_or_else(|| corrupt("user", &id.to_string()))
        };

        let parties = party_rows
            .iter()
            .map(|p| {
                let id_override = match opt_text(p, "id_override_reason")? {
                    None => None,
                    Some(reason) => Some(OverrideRecord {
                        reason,
                        by: opt_int(p, "id_override_by")?.map(&user).transpose()?,
                        at: opt_int(p, "id_override_at")?.unwrap_or_default(),
                    }),
                };
                party_from_row(p, id_override)
            })
            .collect::<Result<Vec<_>>>()?;
        let claims = claim_rows
            .iter()
            .map(|c| {
                Ok(ClaimDraft {
                    kind: parsed(c, "kind", ClaimKind::parse)?,
                    amount: Money::from_fen(int(c, "amount_fen")?)
                        .map_err(|e| corrupt("amount_fen", &e.to_string()))?,
                    description: opt_text(c, "description")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        Ok(Some(StoredCase {
            id,
            case_number: parsed(&row, "case_number", |s| CaseNumber::parse(s).ok())?,
            case_type: parsed(&row, "case_type", EnforcementType::from_code)?,
            filed_on: date(&row, "filed_on")?,
            status: parsed(&row, "status", CaseStatus::parse)?,
            handling_judge: opt_int(&row, "handling_judge_id")?.map(&user).transpose()?,
            basis: BasisDraft {
                issuing_body: text(&row, "basis_issuing_body")?,
                document_number: text(&row, "basis_document_number")?,
                document_type: parsed(&row, "basis_document_type", DocumentType::parse)?,
                effective_on: date(&row, "basis_effective_on")?,
                performance_due_on: opt_date(&row, "basis_performance_due_on")?,
                operative_text: text(&row, "basis_operative_text")?,
            },
            parties,
            claims,
            amount_applied: Money::from_fen(int(&row, "amount_applied_fen")?)
                .map_err(|e| corrupt("amount_applied_fen", &e.to_string()))?,
            version: int(&row, "version")?,
            created_at: int(&row, "created_at")?,
            created_by: user(int(&row, "created_by")?)?,
            updated_at: int(&row, "updated_at")?,
            updated_by: user(int(&row, "updated_by")?)?,
            started_at_filing: int(&row, "started_at_filing")? == 1,
            court,
        }))
    }

    /// Replaces the editable content of a case if `expected_version` is
    /// still current; otherwise nothing is written and the current version
    /// is reported.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_case(
        &self,
        court: &CourtCode,
        id: i64,
        expected_version: i64,
        draft: &CaseDraft,
        handling_judge: Option<&UserRef>,
        actor: &UserRef,
        now: i64,
    ) -> Result<StoredCase> {
        let mut tx = self.write.begin().await?;
        let old = self.load_case(&mut tx, std::slice::from_ref(court), id).await?.ok_or(StoreError::NotFound)?;
        if old.version != expected_version {
            return Err(StoreError::VersionConflict { current: old.version });
        }
        if draft.case_type != old.case_type {
            return Err(StoreError::Rejected(FieldError::new(
                "case_type",
                "immutable_field",
                "案件类型决定案号，立案后不能修改",
            )));
        }
        if draft.filed_on.year() != old.filed_on.year() {
            // The 收案年度 is part of the issued 案号 (AH art 3).
            return Err(StoreError::Rejected(FieldError::new(
                "filed_on",
                "filing_year_change",
                format!(
                    "案号{}已按{}年收案编号，立案日期不能改到其他年份（《关于人民法院案件案号的若干规定》第三条）",
                    old.case_number,
                    old.filed_on.year()
                ),
            )));
        }
        // Naming the first handling judge of a filed case starts enforcement
        // (recorded as a `start` event below); clearing the judge later
        // does not undo it — the state follows the events.
        let starts = old.status == CaseStatus::Filed && handling_judge.is_some();
        let status = if starts { CaseStatus::Enforcing } else { old.status };
        let amount = draft.amount_applied();
        let done = sqlx::query(
            "UPDATE cases SET filed_on = $1, status = $2, handling_judge_id = $3, basis_issuing_body = $4,
                 basis_document_number = $5, basis_document_type = $6, basis_effective_on = $7, basis_performance_due_on = $8,
                 basis_operative_text = $9, amount_applied_fen = $10, version = version + 1, updated_at = $11, updated_by = $12
             WHERE court_code = $13 AND id = $14 AND version = $15 AND deleted_at IS NULL",
        )
        .bind(iso_date(draft.filed_on))
        .bind(status.as_str())
        .bind(handling_judge.map(|u| u.id))
        .bind(draft.basis.issuing_body.clone())
        .bind(draft.basis.document_number.clone())
        .bind(draft.basis.document_type.as_str())
        .bind(iso_date(draft.basis.effective_on))
        .bind(draft.basis.performance_due_on.map(iso_date))
        .bind(draft.basis.operative_text.clone())
        .bind(amount.fen())
        .bind(now)
        .bind(actor.id)
        .bind(court.as_str().to_string())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::VersionConflict { current: expected_version + 1 });
        }
        for table in ["case_parties", "case_claims", "case_search_terms"] {
            let sql = format!("DELETE FROM {table} WHERE court_code = $1 AND case_id = $2");
            sqlx::query(AssertSqlSafe(sql)).bind(court.as_str().to_string()).bind(id).execute(&mut *tx).await?;
        }
        let parties = self.party_ids(draft, &old.parties, actor, now);
        insert_parties(&mut tx, &parties.iter().map(|p| (court, id, p)).collect::<Vec<_>>()).await?;
        insert_claims(&mut tx, &draft.claims.iter().map(|c| (court, id, c)).collect::<Vec<_>>()).await?;
        let mut new_draft = draft.clone();
        new_draft.parties = parties.iter().map(|p| p.draft.clone()).collect();
        let terms: Vec<(&CourtCode, String, i64)> =
            search_terms(&new_draft, &old.case_number).into_iter().map(|t| (court, t, id)).collect();
        insert_terms(&mut tx, &terms).await?;
        let version = expected_version + 1;
        insert_audits(&mut tx, &[(court, id, version, now, actor.id, "updated", diff(&old.draft(), &new_draft))])
            .await?;
        if starts {
            crate::workflow::record_judge_assignment(&mut tx, self, court, id, actor, now).await?;
        }
        let mut deltas = crate::dashboard::CounterDeltas::new();
        self.refresh_deadlines(&mut tx, court, id, &mut deltas).await?;
        crate::dashboard::flush(&mut tx, &deltas).await?;
        tx.commit().await?;

        Ok(StoredCase {
            status,
            filed_on: draft.filed_on,
            handling_judge: handling_judge.cloned(),
            basis: draft.basis.clone(),
            parties,
            claims: draft.claims.clone(),
            amount_applied: amount,
            version,
            updated_at: now,
            updated_by: actor.clone(),
            ..old
        })
    }

    /// Soft-deletes a case (撤销登记): it disappears from lists and look-ups
    /// but stays in the database with its change log; its 案号 stays used.
    pub async fn delete_case(
        &self,
        court: &CourtCode,
        id: i64,
        expected_version: i64,
        reason: &str,
        actor: &UserRef,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query("SELECT version FROM cases WHERE court_code = $1 AND id = $2 AND deleted_at IS NULL")
            .bind(court.as_str().to_string())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let current = int(&row, "version")?;
        if current != expected_version {
            return Err(StoreError::VersionConflict { current });
        }
        let done = sqlx::query(
            "UPDATE cases SET deleted_at = $1, deleted_by = $2, deleted_reason = $3, version = version + 1, updated_at = $1, updated_by = $2
             WHERE court_code = $4 AND id = $5 AND version = $6 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(actor.id)
        .bind(reason.to_string())
        .bind(court.as_str().to_string())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::VersionConflict { current: expected_version + 1 });
        }
        sqlx::query("DELETE FROM case_deadlines WHERE court_code = $1 AND case_id = $2")
            .bind(court.as_str().to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // A deleted case leaves the dashboard's counters.
        let mut deltas = crate::dashboard::CounterDeltas::new();
        crate::dashboard::replace_contributions(
            &mut tx,
            vec![(court.clone(), id, zhixing_core::dashboard::Contribution::new())],
            false,
            &mut deltas,
        )
        .await?;
        crate::dashboard::flush(&mut tx, &deltas).await?;
        let change = Change { field: "deleted".into(), before: None, after: Some(reason.to_string()) };
        insert_audits(&mut tx, &[(court, id, expected_version + 1, now, actor.id, "deleted", vec![change])]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The change log of a case visible in `courts`, oldest first.
    pub async fn case_history(&self, courts: &[CourtCode], id: i64) -> Result<Vec<AuditEntry>> {
        if courts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT a.version, a.at, a.actor_id, a.action, a.changes FROM case_audit a
             WHERE a.case_id = $1 AND a.court_code IN ({}) ORDER BY a.version",
            placeholders(2, courts.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(id);
        for court in courts {
            query = query.bind(court.as_str().to_string());
        }
        let mut conn = self.read.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        let actor_ids = rows.iter().map(|r| int(r, "actor_id")).collect::<Result<Vec<_>>>()?;
        let users = self.user_refs(&mut conn, &actor_ids).await?;
        rows.iter()
            .map(|r| {
                let actor_id = int(r, "actor_id")?;
                Ok(AuditEntry {
                    version: int(r, "version")?,
                    at: int(r, "at")?,
                    actor: users
                        .iter()
                        .find(|u| u.id == actor_id)
                        .cloned()
                        .ok_or_else(|| corrupt("actor_id", &actor_id.to_string()))?,
                    action: text(r, "action")?,
                    changes: changes_from_json(&text(r, "changes")?)?,
                })
            })
            .collect()
    }

    /// Lists cases of `courts`, newest first, optionally filtered by status
    /// and by a search text (see [`CaseQuery::text`]).
    pub async fn search_cases(&self, courts: &[CourtCode], query: &CaseQuery) -> Result<CasePage> {
        let page = query.page.max(1);
        let empty = |truncated| CasePage { items: Vec::new(), page, has_more: false, truncated };
        if courts.is_empty() {
            return Ok(empty(false));
        }
        let mut conn = self.read.acquire().await?;
        let courts_sql = placeholders(1, courts.len());

        // Step 1, when there is a search text: the matching case ids, newest
        // first, from the term index alone. Done as its own query so the
        // planner never walks the whole register looking for rare matches.
        let key = query.text.as_deref().map(search_key).filter(|k| !k.is_empty());
        let mut matches = None;
        let mut truncated = false;
        if let Some(key) = &key {
            // Plain rows, deduplicated and ordered here: cheaper than asking
            // the database for DISTINCT … ORDER BY over a broad match.
            let sql = format!(
                "SELECT t.case_id FROM case_search_terms t
                 WHERE t.court_code IN ({courts_sql}) AND t.term >= ${} AND t.term < ${} LIMIT ${}",
                courts.len() + 1,
                courts.len() + 2,
                courts.len() + 3
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for court in courts {
                q = q.bind(court.as_str().to_string());
            }
            let row_limit = MAX_MATCHES * 4;
            let rows =
                q.bind(key.clone()).bind(format!("{key}\u{10FFFF}")).bind(row_limit + 1).fetch_all(&mut *conn).await?;
            let mut ids = rows.iter().map(|r| int(r, "case_id")).collect::<Result<Vec<_>>>()?;
            truncated = ids.len() as i64 > row_limit;
            ids.sort_unstable_by(|a, b| b.cmp(a));
            ids.dedup();
            truncated |= ids.len() as i64 > MAX_MATCHES;
            ids.truncate(MAX_MATCHES as usize);
            if ids.is_empty() {
                return Ok(empty(false));
            }
            matches = Some(ids);
        }

        // Step 2: the page of cases. With a search text, only the newest
        // matches that can fill this page are looked up (ids are time-ordered),
        // widening when the status filter or withdrawn cases leave too few.
        let offset = (i64::from(page) - 1) * PAGE_SIZE;
        let rows = match &matches {
            None => page_rows(&mut conn, courts, query.status, None, offset).await?,
            Some(ids) => {
                let mut window = ((offset + PAGE_SIZE + 1 + 32) as usize).min(ids.len());
                loop {
                    let rows = page_rows(&mut conn, courts, query.status, Some(&ids[..window]), offset).await?;
                    if rows.len() as i64 > PAGE_SIZE || window == ids.len() {
                        break rows;
                    }
                    window = (window * 4).min(ids.len());
                }
            }
        };
        let has_more = rows.len() as i64 > PAGE_SIZE;
        let rows = &rows[..rows.len().min(PAGE_SIZE as usize)];
        let mut items = rows.iter().map(summary_from_row).collect::<Result<Vec<_>>>()?;

        if !items.is_empty() {
            let sql = format!(
                "SELECT case_id, role, name FROM case_parties WHERE court_code IN ({}) AND case_id IN ({}) ORDER BY case_id, position",
                placeholders(1, courts.len()),
                placeholders(courts.len() + 1, items.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for court in courts {
                q = q.bind(court.as_str().to_string());
            }
            for item in &items {
                q = q.bind(item.id);
            }
            for row in q.fetch_all(&mut *conn).await? {
                let case_id = int(&row, "case_id")?;
                let role = parsed(&row, "role", PartyRole::parse)?;
                let name = text(&row, "name")?;
                if let Some(item) = items.iter_mut().find(|i| i.id == case_id) {
                    match role {
                        PartyRole::Applicant => item.applicants.push(name),
                        PartyRole::Respondent => item.respondents.push(name),
                        PartyRole::ThirdParty => {}
                    }
                }
            }
        }
        Ok(CasePage { items, page, has_more, truncated })
    }

    /// Number of live cases per court (for dashboards and checks).
    pub async fn count_cases(&self, court: &CourtCode) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE court_code = $1 AND deleted_at IS NULL")
            .bind(court.as_str().to_string())
            .fetch_one(&self.read)
            .await?;
        int(&row, "n")
    }

    /// Serials issued for one counter, ascending, deleted cases included —
    /// what the "no gaps, no duplicates" invariant is checked against.
    pub async fn issued_serials(&self, court: &CourtCode, year: i32, case_type: EnforcementType) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT serial FROM cases WHERE court_code = $1 AND year = $2 AND case_type = $3 AND serial IS NOT NULL ORDER BY serial",
        )
        .bind(court.as_str().to_string())
        .bind(i64::from(year))
        .bind(case_type.code())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| int(r, "serial")).collect()
    }

    /// Cases that exist but never got their number (must always be empty:
    /// numbering happens in the filing transaction).
    pub async fn count_unnumbered_cases(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE serial IS NULL OR case_number IS NULL")
            .fetch_one(&self.read)
            .await?;
        int(&row, "n")
    }
}

fn party_from_row(row: &AnyRow, id_override: Option<OverrideRecord>) -> Result<StoredParty> {
    let kind = parsed(row, "kind", PartyKind::parse)?;
    let id_text = text(row, "id_number")?;
    let id_number = match kind {
        PartyKind::Person => {
            PartyId::Citizen(CitizenId::parse(&id_text).map_err(|_| corrupt("id_number", "(citizen id)"))?)
        }
        PartyKind::Organization => {
            let code = if id_override.is_some() {
                CreditCode::parse_overriding_checks(&id_text)
            } else {
                CreditCode::parse(&id_text)
            };
            PartyId::Credit(code.map_err(|_| corrupt("id_number", &id_text))?)
        }
    };
    let id = int(row, "id")?;
    Ok(StoredParty {
        id,
        draft: PartyDraft {
            existing_id: Some(id),
            role: parsed(row, "role", PartyRole::parse)?,
            kind,
            name: text(row, "name")?,
            id_number,
            legal_representative: opt_text(row, "legal_representative")?,
            address: opt_text(row, "address")?,
            id_check_override_reason: id_override.as_ref().map(|o| o.reason.clone()),
        },
        id_override,
    })
}

/// One page (and one row more, to tell whether there is a next page) of
/// live cases of `courts`, newest first, optionally limited to `ids`.
async fn page_rows(
    conn: &mut AnyConnection,
    courts: &[CourtCode],
    status: Option<CaseStatus>,
    ids: Option<&[i64]>,
    offset: i64,
) -> Result<Vec<AnyRow>> {
    let mut next = courts.len() + 1;
    let mut sql = format!(
        "SELECT c.id, c.court_code, c.case_number, c.case_type, c.filed_on, c.status, c.amount_applied_fen, j.display_name AS judge_name
         FROM cases c LEFT JOIN users j ON j.id = c.handling_judge_id
         WHERE c.court_code IN ({}) AND c.deleted_at IS NULL",
        placeholders(1, courts.len())
    );
    if status.is_some() {
        sql.push_str(&format!(" AND c.status = ${next}"));
        next += 1;
    }
    if let Some(ids) = ids {
        sql.push_str(&format!(" AND c.id IN ({})", placeholders(next, ids.len())));
        next += ids.len();
    }
    sql.push_str(&format!(" ORDER BY c.id DESC LIMIT ${} OFFSET ${}", next, next + 1));
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for court in courts {
        q = q.bind(court.as_str().to_string());
    }
    if let Some(status) = status {
        q = q.bind(status.as_str());
    }
    for id in ids.into_iter().flatten() {
        q = q.bind(*id);
    }
    Ok(q.bind(PAGE_SIZE + 1).bind(offset).fetch_all(&mut *conn).await?)
}

fn summary_from_row(row: &AnyRow) -> Result<CaseSummary> {
    Ok(CaseSummary {
        id: int(row, "id")?,
        court: parsed(row, "court_code", |s| CourtCode::parse(s).ok())?,
        case_number: parsed(row, "case_number", |s| CaseNumber::parse(s).ok())?,
        case_type: parsed(row, "case_type", EnforcementType::from_code)?,
        filed_on: date(row, "filed_on")?,
        status: parsed(row, "status", CaseStatus::parse)?,
        handling_judge: row.try_get::<Option<String>, _>("judge_name")?,
        applicants: Vec::new(),
        respondents: Vec::new(),
        amount_applied: Money::from_fen(int(row, "amount_applied_fen")?)
            .map_err(|e| corrupt("amount_applied_fen", &e.to_string()))?,
    })
}

/// New case rows with their issued numbers.
async fn insert_cases(conn: &mut AnyConnection, prepared: &[Prepared<'_>], numbers: &[CaseNumber]) -> Result<()> {
    for (start, len, bucket) in buckets(prepared.len()) {
        let sql = bucketed_insert(
            "cases (court_code, id, case_type, year, serial, case_number, filed_on, status, handling_judge_id,
                 basis_issuing_body, basis_document_number, basis_document_type, basis_effective_on,
                 basis_performance_due_on, basis_operative_text, amount_applied_fen, version, created_at, created_by,
                 updated_at, updated_by, started_at_filing)",
            22,
            bucket,
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for i in 0..bucket {
            let p = prepared[start..start + len].get(i);
            let n = numbers[start..start + len].get(i);
            let d = p.map(|p| &p.job.draft);
            query = query
                .bind(p.map(|p| p.job.court.as_str().to_string()))
                .bind(p.map(|p| p.id))
                .bind(d.map(|d| d.case_type.code().to_string()))
                .bind(d.map(|d| i64::from(d.filed_on.year())))
                .bind(n.map(|n| i64::from(n.serial())))
                .bind(n.map(|n| n.to_string()))
                .bind(d.map(|d| iso_date(d.filed_on)))
                .bind(p.map(|p| p.status.as_str().to_string()))
                .bind(p.and_then(|p| p.job.handling_judge.as_ref().map(|u| u.id)))
                .bind(d.map(|d| d.basis.issuing_body.clone()))
                .bind(d.map(|d| d.basis.document_number.clone()))
                .bind(d.map(|d| d.basis.document_type.as_str().to_string()))
                .bind(d.map(|d| iso_date(d.basis.effective_on)))
                .bind(d.and_then(|d| d.basis.performance_due_on.map(iso_date)))
                .bind(d.map(|d| d.basis.operative_text.clone()))
                .bind(d.map(|d| d.amount_applied().fen()))
                .bind(p.map(|_| 1_i64))
                .bind(p.map(|p| p.job.now))
                .bind(p.map(|p| p.job.actor.id))
                .bind(p.map(|p| p.job.now))
                .bind(p.map(|p| p.job.actor.id))
                .bind(p.map(|p| i64::from(p.job.handling_judge.is_some())));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Numbers rows by position within their case, in the given order.
fn positioned<'a, T>(rows: &'a [(&'a CourtCode, i64, T)]) -> Vec<(&'a CourtCode, i64, i64, &'a T)> {
    let mut position = 0_i64;
    let mut last_case = None;
    rows.iter()
        .map(|(court, case_id, item)| {
            if last_case != Some(*case_id) {
                position = 0;
                last_case = Some(*case_id);
            }
            position += 1;
            (*court, *case_id, position - 1, item)
        })
        .collect()
}

/// Rows of parties: (court, case id, party) — positions follow the order.
async fn insert_parties(conn: &mut AnyConnection, rows: &[(&CourtCode, i64, &StoredParty)]) -> Result<()> {
    let rows = positioned(rows);
    for (start, len, bucket) in buckets(rows.len()) {
        let sql = bucketed_insert(
            "case_parties (court_code, case_id, id, position, role, kind, name, id_number, legal_representative,
                 address, id_override_reason, id_override_by, id_override_at)",
            13,
            bucket,
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for i in 0..bucket {
            let row = rows[start..start + len].get(i);
            let p = row.map(|r| *r.3);
            query = query
                .bind(row.map(|r| r.0.as_str().to_string()))
                .bind(row.map(|r| r.1))
                .bind(p.map(|p| p.id))
                .bind(row.map(|r| r.2))
                .bind(p.map(|p| p.draft.role.as_str().to_string()))
                .bind(p.map(|p| p.draft.kind.as_str().to_string()))
                .bind(p.map(|p| p.draft.name.clone()))
                .bind(p.map(|p| p.draft.id_number.as_str().to_string()))
                .bind(p.and_then(|p| p.draft.legal_representative.clone()))
                .bind(p.and_then(|p| p.draft.address.clone()))
                .bind(p.and_then(|p| p.id_override.as_ref().map(|o| o.reason.clone())))
                .bind(p.and_then(|p| p.id_override.as_ref().and_then(|o| o.by.as_ref().map(|u| u.id))))
                .bind(p.and_then(|p| p.id_override.as_ref().map(|o| o.at)));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rows of claims: (court, case id, claim) — positions follow the order.
async fn insert_claims(conn: &mut AnyConnection, rows: &[(&CourtCode, i64, &ClaimDraft)]) -> Result<()> {
    let rows = positioned(rows);
    for (start, len, bucket) in buckets(rows.len()) {
        let sql =
            bucketed_insert("case_claims (court_code, case_id, position, kind, amount_fen, description)", 6, bucket);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for i in 0..bucket {
            let row = rows[start..start + len].get(i);
            let c = row.map(|r| *r.3);
            query = query
                .bind(row.map(|r| r.0.as_str().to_string()))
                .bind(row.map(|r| r.1))
                .bind(row.map(|r| r.2))
                .bind(c.map(|c| c.kind.as_str().to_string()))
                .bind(c.map(|c| c.amount.fen()))
                .bind(c.and_then(|c| c.description.clone()));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rows of search terms: (court, term, case id).
async fn insert_terms(conn: &mut AnyConnection, rows: &[(&CourtCode, String, i64)]) -> Result<()> {
    for (start, len, bucket) in buckets(rows.len()) {
        let sql = bucketed_insert("case_search_terms (court_code, term, case_id)", 3, bucket);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for i in 0..bucket {
            let row = rows[start..start + len].get(i);
            query =
                query.bind(row.map(|r| r.0.as_str().to_string())).bind(row.map(|r| r.1.clone())).bind(row.map(|r| r.2));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rows of the change log: (court, case id, version, at, actor id, action, changes).
type AuditRow<'a> = (&'a CourtCode, i64, i64, i64, i64, &'a str, Vec<Change>);

async fn insert_audits(conn: &mut AnyConnection, rows: &[AuditRow<'_>]) -> Result<()> {
    for (start, len, bucket) in buckets(rows.len()) {
        let sql =
            bucketed_insert("case_audit (court_code, case_id, version, at, actor_id, action, changes)", 7, bucket);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for i in 0..bucket {
            let row = rows[start..start + len].get(i);
            let json = row.map(|r| {
                serde_json::Value::Array(
                    r.6.iter().map(|c| json!({"field": c.field, "before": c.before, "after": c.after})).collect(),
                )
                .to_string()
            });
            query = query
                .bind(row.map(|r| r.0.as_str().to_string()))
                .bind(row.map(|r| r.1))
                .bind(row.map(|r| r.2))
                .bind(row.map(|r| r.3))
                .bind(row.map(|r| r.4))
                .bind(row.map(|r| r.5.to_string()))
                .bind(json);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

fn changes_from_json(text: &str) -> Result<Vec<Change>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| corrupt("changes", text))?;
    let items = value.as_array().ok_or_else(|| corrupt("changes", text))?;
    items
        .iter()
        .map(|item| {
            let field = item.get("field").and_then(|v| v.as_str()).ok_or_else(|| corrupt("changes", text))?;
            let get = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_string);
            Ok(Change { field: field.to_string(), before: get("before"), after: get("after") })
        })
        .collect()
}
