//! Test support: a fresh database per test on each backend.
//!
//! SQLite runs always (a temporary file). PostgreSQL runs when
//! `ZHIXING_TEST_POSTGRES_URL` is set — `.ci/run` always sets it — in a
//! schema of its own that is dropped at the end; if the variable is set and
//! the server cannot be reached, the test fails instead of skipping.
//!
//! [`backend_tests!`](crate::backend_tests) turns one async test body
//! `async fn(Store)` into a `sqlite` and a `postgres` test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand::Rng;
use zhixing_core::access::{Role, Username};
use zhixing_core::court::{CourtCode, CourtDirectory};

use crate::{NewUser, Store, StoreOptions, User};

pub const POSTGRES_URL_VAR: &str = "ZHIXING_TEST_POSTGRES_URL";

/// Courts used by tests: part of the 浙江 hierarchy.
pub const TEST_COURTS: &str = "code,name,level,parent
最高法,最高人民法院,supreme,
浙,浙江省高级人民法院,high,最高法
浙01,浙江省杭州市中级人民法院,intermediate,浙
浙0106,杭州市西湖区人民法院,basic,浙01
浙02,浙江省宁波市中级人民法院,intermediate,浙
浙0203,宁波市海曙区人民法院,basic,浙02
浙0212,宁波市鄞州区人民法院,basic,浙02
";

pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite:{}", dir.path().join("test.sqlite3").display());
        let store = Store::open(&url).await.expect("open SQLite store");
        TestDb { store, url, _dir: Some(dir), postgres: None }
    }

    /// `None` when no PostgreSQL URL is configured.
    pub async fn postgres() -> Option<TestDb> {
        let url = std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.is_empty())?;
        let schema = format!("zt_{:016x}", rand::rng().random::<u64>());
        let options = StoreOptions { postgres_schema: Some(schema.clone()), max_connections: Some(12) };
        let store = Store::open_with(&url, options)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is not usable: {e}"));
        Some(TestDb { store, url: url.clone(), _dir: None, postgres: Some((url, schema)) })
    }

    /// Options to open a second handle on the same database (e.g. to
    /// simulate a restart).
    pub fn options(&self) -> StoreOptions {
        StoreOptions { postgres_schema: self.postgres.as_ref().map(|(_, s)| s.clone()), max_connections: None }
    }

    /// Closes the store and drops the PostgreSQL schema.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((url, schema)) = &self.postgres {
            let admin = Store::connect_only(url).await.expect("reconnect to drop the test schema");
            admin.execute_for_tests(&format!("DROP SCHEMA {schema} CASCADE")).await.expect("drop schema");
            admin.close().await;
        }
    }
}

/// Loads [`TEST_COURTS`] and returns the directory.
pub async fn seed_courts(store: &Store) -> CourtDirectory {
    let courts = CourtDirectory::parse_csv(TEST_COURTS).unwrap();
    let directory = CourtDirectory::new(courts.clone()).unwrap();
    store.upsert_courts(&courts, 0).await.unwrap();
    directory
}

/// Creates a user with a placeholder hash (storage tests do not log in).
pub async fn seed_user(store: &Store, username: &str, role: Role, court: &str) -> User {
    store
        .create_user(
            &NewUser {
                username: Username::parse(username).unwrap(),
                display_name: format!("测试{username}"),
                role,
                court: CourtCode::parse(court).unwrap(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
            },
            1_700_000_000_000,
        )
        .await
        .unwrap()
}

impl Store {
    /// Connects without migrating (used to drop test schemas).
    pub async fn connect_only(url: &str) -> crate::Result<Store> {
        crate::backend::connect(url, &StoreOptions::default()).await
    }

    /// Runs one SQL statement as-is. Tests use it to break invariants on
    /// purpose and to inspect raw rows.
    pub async fn execute_for_tests(&self, sql: &str) -> crate::Result<u64> {
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&self.write).await?;
        Ok(done.rows_affected())
    }

    /// Reads one text value with a raw SQL query (e.g. `PRAGMA integrity_check`).
    pub async fn text_for_tests(&self, sql: &str) -> crate::Result<String> {
        use sqlx::Row;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&self.read).await?;
        Ok(row.try_get::<String, _>(0)?)
    }

    /// Reads one integer with a raw SQL query.
    pub async fn scalar_for_tests(&self, sql: &str) -> crate::Result<i64> {
        use sqlx::Row;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&self.read).await?;
        Ok(row.try_get::<i64, _>(0)?)
    }
}

/// Generates a `sqlite` and a `postgres` test for each async body
/// `async fn(Store)`: `backend_tests! { files_cases, reads_cases }` makes
/// `files_cases::sqlite`, `files_cases::postgres`, ….
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::testing::TestDb::sqlite().await;
                    super::$name(db.store.clone()).await;
                    db.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::testing::TestDb::postgres().await {
                        super::$name(db.store.clone()).await;
                        db.finish().await;
                    }
                }
            }
        )*
    };
}

/// A valid citizen id number derived from `n` (distinct for distinct `n`).
pub fn citizen_id(n: u32) -> String {
    let body = format!("330203{:04}{:02}{:02}{:03}", 1960 + n % 40, 1 + n % 12, 1 + n % 28, n % 1000);
    format!("{body}{}", zhixing_core::citizen_id::check_char(&body))
}

/// A valid unified social credit code derived from `n`.
pub fn credit_code(n: u32) -> String {
    const SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut m = n;
    let mut org = String::from("MA");
    for _ in 0..6 {
        org.push(char::from(SET[(m % 31) as usize]));
        m /= 31;
    }
    loop {
        let Some(org_check) = zhixing_core::credit_code::organization_check_char(&org) else { unreachable!() };
        let body = format!("91330203{org}{org_check}");
        if let Some(check) = zhixing_core::credit_code::check_char(&body) {
            return format!("{body}{check}");
        }
        // An org check outside the 31-char set cannot occur (0-9, X), but keep the loop honest.
        org.replace_range(7..8, "1");
    }
}

/// Raw input of a valid first-enforcement case, distinct per `n`.
pub fn sample_raw_case(n: u32, filed_on: &str) -> zhixing_core::case::RawCase {
    use zhixing_core::case::{RawBasis, RawCase, RawClaim, RawParty};
    RawCase {
        case_type: Some("执".into()),
        filed_on: Some(filed_on.into()),
        handling_judge: None,
        basis: RawBasis {
            issuing_body: Some("宁波市海曙区人民法院".into()),
            document_number: Some(format!("（2026）浙0203民初{}号", 1000 + n)),
            document_type: Some("判决书".into()),
            effective_on: Some("2026-01-05".into()),
            performance_due_on: Some("2026-01-15".into()),
            operative_text: Some(format!("一、被告于本判决生效之日起十日内支付原告货款{}元。", 10_000 + n)),
        },
        parties: vec![
            RawParty {
                role: Some("applicant".into()),
                kind: Some("person".into()),
                name: Some(format!("申请人{n}号")),
                id_number: Some(citizen_id(n)),
                ..Default::default()
            },
            RawParty {
                role: Some("respondent".into()),
                kind: Some("organization".into()),
                name: Some(format!("宁波第{n}贸易有限公司")),
                id_number: Some(credit_code(n)),
                legal_representative: Some("王五".into()),
                ..Default::default()
            },
        ],
        claims: vec![RawClaim {
            kind: Some("principal".into()),
            amount: Some(format!("{}.50", 10_000 + n)),
            description: None,
        }],
    }
}

/// [`sample_raw_case`] parsed for a basic court on 2026-11-27.
pub fn sample_draft(n: u32, filed_on: &str) -> zhixing_core::case::CaseDraft {
    use zhixing_core::case::{FilingContext, parse_case};
    let ctx = FilingContext {
        today: time::macros::date!(2026 - 11 - 27),
        court_level: zhixing_core::court::CourtLevel::Basic,
        may_override_id_checks: true,
    };
    parse_case(&sample_raw_case(n, filed_on), &ctx).unwrap_or_else(|e| panic!("sample case {n} invalid: {e:?}"))
}
