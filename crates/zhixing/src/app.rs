//! Wiring: where the data lives, opening the store, reference data.

use std::path::Path;

use anyhow::{Context, Result, bail};
use zhixing_core::calc::lpr::LprTable;
use zhixing_core::calendar::WorkCalendar;
use zhixing_core::court::CourtDirectory;
use zhixing_store::{Store, redact};

/// The national court table shipped with the binary (`data/courts.csv`).
pub const COURTS_CSV: &str = include_str!("../../../data/courts.csv");
/// The working-day calendar shipped with the binary (`data/calendar.csv`).
pub const CALENDAR_CSV: &str = include_str!("../../../data/calendar.csv");
/// The LPR history shipped with the binary (`data/lpr.csv`).
pub const LPR_CSV: &str = include_str!("../../../data/lpr.csv");

pub struct Location {
    pub database_url: String,
}

/// The database URL: `--database-url` if given, else an SQLite file in the
/// data directory (created if needed).
pub fn locate(data_dir: &Path, database_url: Option<&str>) -> Result<Location> {
    let database_url = match database_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => url.to_string(),
        None => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("无法创建数据目录 {}", data_dir.display()))?;
            let file = data_dir.join("zhixing.sqlite3");
            let absolute = std::path::absolute(&file).unwrap_or(file);
            format!("sqlite:{}", absolute.display())
        }
    };
    if !(database_url.starts_with("sqlite:")
        || database_url.starts_with("postgres://")
        || database_url.starts_with("postgresql://"))
    {
        bail!("不支持的数据库地址 {}：应以 sqlite: 或 postgres:// 开头", redact(&database_url));
    }
    Ok(Location { database_url })
}

/// Opens the store (running migrations) and makes sure the shipped
/// reference data is present: courts missing from the table are added
/// (existing rows, possibly corrected by an administrator, are kept),
/// calendar years the database does not cover yet are added, and LPR
/// fixings not yet in the table are added.
pub async fn open(location: &Location, now_ms: i64) -> Result<Store> {
    let store = Store::open(&location.database_url)
        .await
        .with_context(|| format!("无法打开数据库 {}", redact(&location.database_url)))?;
    seed_reference_data(&store, now_ms).await?;
    Ok(store)
}

pub async fn seed_reference_data(store: &Store, now_ms: i64) -> Result<()> {
    let shipped = CourtDirectory::parse_csv(COURTS_CSV)?;
    let existing = store.courts().await?;
    let missing: Vec<_> = shipped.into_iter().filter(|c| !existing.iter().any(|e| e.code == c.code)).collect();
    if !missing.is_empty() {
        let mut all = existing.clone();
        all.extend(missing.iter().cloned());
        CourtDirectory::new(all).context("内置法院表与数据库中的法院表不一致")?;
        store.upsert_courts(&missing, now_ms).await?;
    }
    let calendar = WorkCalendar::new(store.calendar().await?)?;
    let new_years: Vec<_> =
        WorkCalendar::parse_csv(CALENDAR_CSV)?.into_iter().filter(|e| !calendar.covers(e.date.year())).collect();
    if !new_years.is_empty() {
        store.upsert_calendar(&new_years).await?;
    }
    let known: Vec<_> = store.lpr().await?.into_iter().map(|f| f.published_on).collect();
    let new_fixings: Vec<_> =
        LprTable::parse_csv(LPR_CSV)?.into_iter().filter(|f| !known.contains(&f.published_on)).collect();
    if !new_fixings.is_empty() {
        store.upsert_lpr(&new_fixings, now_ms).await?;
    }
    Ok(())
}

pub fn now_ms() -> i64 {
    use zhixing_web::Clock;
    zhixing_web::SystemClock.now_ms()
}
