//! zhixing-store: persistence of the register, in domain words.
//!
//! One portable SQL implementation runs on both backends through sqlx's
//! runtime-generic `Any` driver: SQLite (embedded, the default) and
//! PostgreSQL (production), chosen by the database URL. What differs per
//! backend lives in [`backend`]: connection set-up and the embedded,
//! append-only migrations (`migrations/sqlite`, `migrations/postgres`). The
//! same test bodies run on both (`tests/`), which is what keeps the SQL
//! portable.
//!
//! Conventions (ARCHITECTURE.md, "portable SQL"): placeholders are `$1…`
//! (both drivers read them positionally); money is integer 分; dates are
//! `YYYY-MM-DD` text; instants are unix milliseconds; ids are generated here,
//! not by the database; every court-owned table starts its key with
//! `court_code`.

mod backend;
mod cases;
mod credit;
mod cross;
mod dashboard;
mod ids;
mod reference;
mod rows;
mod seizures;
mod sql;
mod users;
mod workflow;

#[cfg(feature = "test-support")]
pub mod testing;

pub use backend::redact;
pub use backend::{Backend, StoreOptions};
pub use cases::{
    AuditEntry, CasePage, CaseQuery, CaseSummary, MAX_MATCHES, OverrideRecord, PAGE_SIZE, StoredCase, StoredParty,
};
pub use credit::{
    Breach, CaseCredit, Correction, CreditEvent, CreditIndex, CreditStats, IndexEntry, Listing, ListingDecision,
    NewListing, Partner, PublicEntry, RestrictedPerson, Restriction, TemporaryLift, day_number, mask_id,
};
pub use cross::{
    CandidateRow, CrossDecision, CrossStatistics, NewDecision, Outcome, Petition, PetitionListItem, Review,
};
pub use dashboard::{Dashboard, DashboardRow, OpenReview};
pub use seizures::{MovedFrom, Seizure, SeizureAction, SeizureEvent};
pub use users::{AuthOutcome, Credentials, NewUser, SessionKind, SessionRecord, User, UserRef};
pub use workflow::{
    CaseLink, CaseWorkflow, DeadlineCounts, DeadlineListItem, LinkKind, Recorded, TransitionOutcome, TransitionRequest,
    WorkflowRules, china_date,
};

use sqlx::AnyPool;

/// Errors of the storage layer. Validation happens before storage; what
/// reaches here is either an expected race (conflict, not found) or a fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("不支持的数据库地址“{0}”：应以 sqlite: 或 postgres:// 开头")]
    UnsupportedUrl(String),
    #[error("数据库中的数据不符合约束：{0}")]
    Corrupt(String),
    #[error("用户名已被使用")]
    UsernameTaken,
    #[error("记录不存在")]
    NotFound,
    #[error("记录已被他人修改（当前版本{current}）")]
    VersionConflict { current: i64 },
    #[error("立案写入任务已停止")]
    WriterGone,
    #[error("未知法院：{0}")]
    UnknownCourt(String),
    /// A rule that can only be checked against the stored state.
    #[error("{0}")]
    Rejected(zhixing_core::error::FieldError),
    /// A workflow rule refused a node or a transition.
    #[error("{}", .0.message)]
    Refused(zhixing_core::workflow::Refusal),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The storage handle. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Pool for writes. On SQLite it holds exactly one connection: SQLite has
    /// one writer at a time, and queuing here instead of inside SQLite
    /// avoids `SQLITE_BUSY` upgrades.
    write: AnyPool,
    /// Pool for reads (the same pool as `write` on PostgreSQL).
    read: AnyPool,
    ids: std::sync::Arc<ids::IdGenerator>,
    /// Calendar and policy of the workflow rules (see [`WorkflowRules`]).
    rules: workflow::SharedRules,
    /// Policy of the 失信/限消 rules.
    credit_policy: std::sync::Arc<std::sync::RwLock<zhixing_core::credit::CreditPolicy>>,
    /// The partner check index (rebuilt when the store opens).
    credit_index: credit::SharedIndex,
    /// The filing writer (group commit); `None` inside the writer itself.
    filings: Option<tokio::sync::mpsc::Sender<cases::FilingJob>>,
}

impl Store {
    /// Connects, then applies the embedded migrations of the backend.
    pub async fn open(url: &str) -> Result<Store> {
        Self::open_with(url, StoreOptions::default()).await
    }

    pub async fn open_with(url: &str, options: StoreOptions) -> Result<Store> {
        let store = backend::connect(url, &options).await?;
        store.migrate().await?;
        store.reload_workflow_calendar().await?;
        Ok(store)
    }

    /// Applies pending migrations (idempotent).
    pub async fn migrate(&self) -> Result<()> {
        backend::migrator(self.backend).run(&self.write).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Liveness check used by `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Refreshes the query planner's statistics (PostgreSQL `ANALYZE`,
    /// SQLite `PRAGMA optimize`). PostgreSQL's autovacuum normally does this;
    /// where it is off, plans go wrong as tables grow (a search that takes
    /// 1 ms with statistics took 60 ms without). The server runs it hourly
    /// and after bulk loads.
    pub async fn refresh_statistics(&self) -> Result<()> {
        match self.backend {
            Backend::Postgres => sqlx::query("ANALYZE").execute(&self.write).await?,
            Backend::Sqlite => sqlx::query("PRAGMA optimize").execute(&self.write).await?,
        };
        Ok(())
    }

    /// Closes both pools, waiting for checked-out connections.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// True for a unique-constraint violation (any backend).
/// PostgreSQL aborts one of two transactions that wait on each other
/// (deadlock, 40P01) or cannot be serialised (40001). Transactions that
/// write the counters of two courts in separate statements (a 交叉执行
/// move, a 恢复执行) can meet that way; they are run again, whole.
pub(crate) fn is_retryable(error: &StoreError) -> bool {
    matches!(error, StoreError::Database(sqlx::Error::Database(db))
        if matches!(db.code().as_deref(), Some("40P01") | Some("40001")))
}

/// Attempts of a retryable transaction.
const ATTEMPTS: u32 = 8;

/// Runs `transaction` (the whole of it, from `begin`) again while it fails
/// as [`is_retryable`], pausing longer each time and with jitter so that the
/// transactions of a deadlock do not meet again in the same order.
pub(crate) async fn with_retries<T, F, Fut>(mut transaction: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        match transaction().await {
            Err(e) if is_retryable(&e) && attempt < ATTEMPTS => {
                let jitter = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| u64::from(d.subsec_nanos()) % 20);
                tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 10 + jitter)).await;
                attempt += 1;
            }
            done => return done,
        }
    }
}

pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
