//! What differs between SQLite and PostgreSQL: connecting and migrations.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AssertSqlSafe, Executor};

use crate::{Result, Store, StoreError};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Recognises the backend from the URL scheme; anything else is refused
    /// loudly rather than guessed.
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct StoreOptions {
    /// PostgreSQL only: work inside this schema (created if missing). Tests
    /// use it to run in isolation on one database.
    pub postgres_schema: Option<String>,
    /// Upper bound of pooled connections (reads on SQLite; all on PostgreSQL).
    pub max_connections: Option<u32>,
}

pub(crate) fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    }
}

/// SQLite settings of every connection:
/// - WAL: readers never block the writer;
/// - synchronous=FULL: a committed transaction survives power loss, not only
///   a process crash (court records; the cost is one fsync per commit);
/// - foreign keys on; wait up to 5 s for another process's lock.
const SQLITE_PRAGMAS: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

pub(crate) async fn connect(url: &str, options: &StoreOptions) -> Result<Store> {
    sqlx::any::install_default_drivers();
    let backend = Backend::from_url(url)?;
    let (write, read) = match backend {
        Backend::Sqlite => {
            let url = with_create_mode(url);
            let configure = || {
                AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30)).after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute(SQLITE_PRAGMAS).await?;
                        Ok(())
                    })
                })
            };
            let write = configure().max_connections(1).connect(&url).await?;
            let read = configure().max_connections(options.max_connections.unwrap_or(4)).connect(&url).await?;
            (write, read)
        }
        Backend::Postgres => {
            let schema = match &options.postgres_schema {
                Some(schema) => Some(validated_schema(schema)?),
                None => None,
            };
            if let Some(schema) = &schema {
                let setup = AnyPoolOptions::new().max_connections(1).connect(url).await?;
                setup.execute(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}"))).await?;
                setup.close().await;
            }
            let pool = AnyPoolOptions::new()
                .max_connections(options.max_connections.unwrap_or(16))
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _meta| {
                    let schema = schema.clone();
                    Box::pin(async move {
                        if let Some(schema) = schema {
                            conn.execute(AssertSqlSafe(format!("SET search_path TO {schema}"))).await?;
                        }
                        // Statements are prepared once and reused; a generic plan
                        // (chosen without the values) walks the whole register for
                        // a rare search term. Plan each execution with its values.
                        conn.execute("SET plan_cache_mode = force_custom_plan").await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?;
            (pool.clone(), pool)
        }
    };
    let mut store = Store {
        backend,
        write,
        read,
        ids: Default::default(),
        rules: Default::default(),
        credit_policy: Default::default(),
        credit_index: Default::default(),
        filings: None,
    };
    // SQLite has one writer; PostgreSQL writers overlap everything but the
    // short numbering step at the end of each batch.
    let writers = match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 2,
    };
    store.filings = Some(crate::cases::spawn_filing_writer(store.clone(), writers));
    Ok(store)
}

/// `sqlite:path` opens read-write but does not create; add `mode=rwc`.
fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Schema names go into SQL text, so only `[a-z_][a-z0-9_]*` is allowed.
fn validated_schema(schema: &str) -> Result<String> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok { Ok(schema.to_string()) } else { Err(StoreError::UnsupportedUrl(format!("schema {schema}"))) }
}

/// Hides a password in a URL before it is shown anywhere.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_backends_and_refuses_others() {
        assert_eq!(Backend::from_url("sqlite:/tmp/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres);
        assert!(Backend::from_url("mysql://u:secret@h/db").is_err());
        assert!(!Backend::from_url("mysql://u:secret@h/db").unwrap_err().to_string().contains("secret"));
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://zx:hunter2@db:5432/zx"), "postgres://zx:***@db:5432/zx");
        assert_eq!(redact("postgres://zx@db/zx"), "postgres://zx@db/zx");
    }

    #[test]
    fn schema_names_are_checked() {
        assert!(validated_schema("zt_abc123").is_ok());
        assert!(validated_schema("x; DROP TABLE users").is_err());
    }
}
