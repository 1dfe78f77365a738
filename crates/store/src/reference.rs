//! Reference data: courts and the working-day calendar. Small tables,
//! replicated to every node in a distributed deployment, loaded into memory
//! by the server.

use zhixing_core::calc::lpr::Fixing;
use zhixing_core::calendar::{CalendarEntry, DayKind, iso_date};
use zhixing_core::court::{Court, CourtCode, CourtLevel};

use crate::rows::{date, opt_text, parsed, text};
use crate::{Result, Store};

impl Store {
    /// Inserts or updates courts. Parents go first so the foreign key holds;
    /// the caller validates the whole table with `CourtDirectory::new` first.
    pub async fn upsert_courts(&self, courts: &[Court], now: i64) -> Result<usize> {
        let mut ordered: Vec<&Court> = courts.iter().collect();
        ordered.sort_by_key(|c| c.level);
        let mut tx = self.write.begin().await?;
        for court in &ordered {
            sqlx::query(
                "INSERT INTO courts (code, name, level, parent_code, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
                     parent_code = excluded.parent_code, updated_at = excluded.updated_at",
            )
            .bind(court.code.as_str().to_string())
            .bind(court.name.clone())
            .bind(court.level.as_str())
            .bind(court.parent.as_ref().map(|p| p.as_str().to_string()))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ordered.len())
    }

    pub async fn courts(&self) -> Result<Vec<Court>> {
        let rows = sqlx::query("SELECT code, name, level, parent_code FROM courts ORDER BY code")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Court {
                    code: parsed(row, "code", |s| CourtCode::parse(s).ok())?,
                    name: text(row, "name")?,
                    level: parsed(row, "level", CourtLevel::parse)?,
                    parent: match opt_text(row, "parent_code")? {
                        None => None,
                        Some(p) => Some(CourtCode::parse(&p).map_err(|_| crate::rows::corrupt("parent_code", &p))?),
                    },
                })
            })
            .collect()
    }

    pub(crate) async fn court_exists(&self, code: &CourtCode) -> Result<bool> {
        let row = sqlx::query("SELECT code FROM courts WHERE code = $1")
            .bind(code.as_str().to_string())
            .fetch_optional(&self.read)
            .await?;
        Ok(row.is_some())
    }

    /// Inserts or replaces calendar days.
    pub async fn upsert_calendar(&self, entries: &[CalendarEntry]) -> Result<usize> {
        let mut tx = self.write.begin().await?;
        for entry in entries {
            sqlx::query(
                "INSERT INTO calendar_days (day, kind, source) VALUES ($1, $2, $3)
                 ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, source = excluded.source",
            )
            .bind(iso_date(entry.date))
            .bind(entry.kind.as_str())
            .bind(entry.source.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(entries.len())
    }

    pub async fn calendar(&self) -> Result<Vec<CalendarEntry>> {
        let rows =
            sqlx::query("SELECT day, kind, source FROM calendar_days ORDER BY day").fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                Ok(CalendarEntry {
                    date: date(row, "day")?,
                    kind: parsed(row, "kind", DayKind::parse)?,
                    source: text(row, "source")?,
                })
            })
            .collect()
    }

    /// Inserts or replaces LPR fixings (same publication date: replaced).
    pub async fn upsert_lpr(&self, fixings: &[Fixing], now: i64) -> Result<usize> {
        let mut tx = self.write.begin().await?;
        for f in fixings {
            sqlx::query(
                "INSERT INTO lpr_fixings (published_on, one_year, five_year, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (published_on) DO UPDATE SET one_year = excluded.one_year, five_year = excluded.five_year,
                     updated_at = excluded.updated_at",
            )
            .bind(iso_date(f.published_on))
            .bind(f.one_year.to_string())
            .bind(f.five_year.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(fixings.len())
    }

    pub async fn lpr(&self) -> Result<Vec<Fixing>> {
        let rows = sqlx::query("SELECT published_on, one_year, five_year FROM lpr_fixings ORDER BY published_on")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Fixing {
                    published_on: date(row, "published_on")?,
                    one_year: parsed(row, "one_year", |s| s.parse().ok())?,
                    five_year: parsed(row, "five_year", |s| s.parse().ok())?,
                })
            })
            .collect()
    }
}
