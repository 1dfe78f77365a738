//! The command dashboards' storage: counters maintained in the transaction
//! that changes a case (see `zhixing_core::dashboard::counters`), indicator
//! definitions with their versions, and the posts of each court.
//!
//! A case's last contribution is kept in `case_aggregates`; a change writes
//! only the difference into `court_counters` (an upsert that adds). The
//! dashboard reads counters, never cases, so its cost follows the number of
//! courts and months, not the number of cases.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;
use time::Date;
use zhixing_core::calendar::iso_date;
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::{CourtCode, CourtDirectory};
use zhixing_core::dashboard::counters::{self, ANY_TYPE, GAUGE, month_key};
use zhixing_core::dashboard::indicators::{self, Expression, default_indicators, period_months};
use zhixing_core::dashboard::{
    CaseFacts, Closing, Contribution, CounterKey, IndicatorDefinition, Metric, PeriodKind, Post, PostRecord,
    PostStatus, Unit, post_statuses,
};
use zhixing_core::workflow::{Action, CaseState, Ground, TerminationGround, derive_state, unpaid_balance};

use crate::cases::StoredCase;
use crate::rows::{int, opt_date, opt_text, parsed, text};
use crate::sql::{bucketed_insert, buckets, placeholders};
use crate::users::UserRef;
use crate::workflow::CaseWorkflow;
use crate::{Result, Store, StoreError};

/// What the counters read about a stored case and its workflow.
pub(crate) fn case_facts(case: &StoredCase, workflow: &CaseWorkflow, open_deadlines: Vec<Date>) -> CaseFacts {
    let file = workflow.file(case);
    let closing = match derive_state(&file) {
        CaseState::Closed { on, mode, .. } => {
            let ground = workflow.events.iter().rev().find_map(|e| match &e.action {
                Action::Close { ground, .. } => Some(*ground),
                _ => None,
            });
            let transferred = matches!(
                ground.flatten(),
                Some(Ground::Termination(
                    TerminationGround::ElevatedByHigherCourt | TerminationGround::DesignatedToOtherCourt
                ))
            );
            Some(Closing { on, mode, transferred })
        }
        _ => None,
    };
    let paid = case.amount_applied.saturating_sub(unpaid_balance(case.amount_applied, &workflow.nodes));
    CaseFacts {
        case_type: case.case_type,
        filed_on: case.filed_on,
        live: true,
        closing,
        applied: case.amount_applied,
        paid,
        open_deadlines,
    }
}

/// Adds `delta` to the counters (one upsert per ≤ 256 keys, keys in order so
/// concurrent writers lock counter rows in the same order).
pub(crate) async fn add_to_counters(tx: &mut AnyConnection, delta: &BTreeMap<(String, CounterKey), i64>) -> Result<()> {
    let rows: Vec<(&(String, CounterKey), &i64)> = delta.iter().filter(|(_, v)| **v != 0).collect();
    for (start, len, bucket) in buckets(rows.len()) {
        let sql = format!(
            "{} ON CONFLICT (court_code, metric, period, split) DO UPDATE SET value = court_counters.value + excluded.value",
            bucketed_insert("court_counters (court_code, metric, period, split, value)", 5, bucket)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for ((court, key), value) in &rows[start..start + len] {
            q = q
                .bind(court.clone())
                .bind(key.metric.code())
                .bind(key.period.clone())
                .bind(key.split.clone())
                .bind(**value);
        }
        for _ in len..bucket {
            q = q.bind(None::<String>).bind(None::<String>).bind(None::<String>).bind(None::<String>).bind(None::<i64>);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Counter changes collected during one transaction and written by
/// [`flush`] as its last statement: one upsert, keys in order, after every
/// other lock the transaction takes — so two transactions never wait on
/// each other's counter rows in opposite orders (a 交叉执行 move writes two
/// courts' counters; the filing writer may be filing in both).
pub(crate) type CounterDeltas = BTreeMap<(String, CounterKey), i64>;

/// One counter change outside a case's contribution (petitions, decisions,
/// reviews).
pub(crate) fn bump(deltas: &mut CounterDeltas, court: &CourtCode, metric: Metric, period: &str, split: &str, by: i64) {
    *deltas.entry((court.as_str().to_string(), CounterKey::new(metric, period, split))).or_insert(0) += by;
}

/// Writes the collected changes; call it right before the commit.
pub(crate) async fn flush(tx: &mut AnyConnection, deltas: &CounterDeltas) -> Result<()> {
    add_to_counters(tx, deltas).await
}

/// Replaces the stored contributions of `cases` by `new` and adds the
/// difference to `total` (written by [`flush`] before the commit). `fresh`: the cases were filed in this
/// transaction (nothing stored yet).
pub(crate) async fn replace_contributions(
    tx: &mut AnyConnection,
    cases: Vec<(CourtCode, i64, Contribution)>,
    fresh: bool,
    total: &mut CounterDeltas,
) -> Result<()> {
    for (court, id, new) in &cases {
        let old = if fresh {
            Contribution::new()
        } else {
            let row = sqlx::query("SELECT contribution FROM case_aggregates WHERE court_code = $1 AND case_id = $2")
                .bind(court.as_str().to_string())
                .bind(*id)
                .fetch_optional(&mut *tx)
                .await?;
            match row {
                Some(r) => {
                    let stored = text(&r, "contribution")?;
                    counters::decode(&stored).ok_or_else(|| crate::rows::corrupt("contribution", &stored))?
                }
                None => Contribution::new(),
            }
        };
        for (key, v) in counters::delta(&old, new) {
            *total.entry((court.as_str().to_string(), key)).or_insert(0) += v;
        }
    }
    if !fresh {
        for (court, id, _) in &cases {
            sqlx::query("DELETE FROM case_aggregates WHERE court_code = $1 AND case_id = $2")
                .bind(court.as_str().to_string())
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
    }
    let stored: Vec<&(CourtCode, i64, Contribution)> = cases.iter().filter(|(_, _, c)| !c.is_empty()).collect();
    for (start, len, bucket) in buckets(stored.len()) {
        let mut q = sqlx::query(AssertSqlSafe(bucketed_insert(
            "case_aggregates (court_code, case_id, contribution)",
            3,
            bucket,
        )));
        for (court, id, c) in &stored[start..start + len] {
            q = q.bind(court.as_str().to_string()).bind(*id).bind(counters::encode(c));
        }
        for _ in len..bucket {
            q = q.bind(None::<String>).bind(None::<i64>).bind(None::<String>);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// One court's line on a dashboard (the court and every court beneath it).
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardRow {
    pub court: CourtCode,
    pub name: String,
    /// Courts summed into the line (the court and those beneath it).
    pub courts: usize,
    pub open_cases: i64,
    pub overdue_deadlines: i64,
    /// Per indicator, parallel to [`Dashboard::indicators`]; `None` = no
    /// denominator in the period.
    pub indicators: Vec<Option<Decimal>>,
    pub filed_this_year: i64,
    pub closed_this_year: i64,
    pub petitions_open: i64,
    pub cross_in: i64,
    pub cross_out: i64,
    pub reviews_open: i64,
    /// Enforcement officers: active 执行法官 and 法官助理 accounts.
    pub officers: i64,
    pub open_per_officer: Option<Decimal>,
    /// The court's own posts (required ones included, vacant if unrecorded).
    pub posts: Vec<PostStatus>,
    /// Courts in the line with a required post vacant.
    pub courts_with_vacancy: usize,
}

/// An accountability review still open, for the higher court's dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenReview {
    pub deciding_court: CourtCode,
    pub review_id: i64,
    pub decision_id: i64,
    pub original_court: String,
    pub original_case_number: String,
    pub opened_on: Date,
    pub due_on: Date,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    pub court: CourtCode,
    pub name: String,
    pub as_of: Date,
    pub indicators: Vec<IndicatorDefinition>,
    /// The months each indicator covers, parallel to `indicators`.
    pub periods: Vec<(String, String)>,
    pub total: DashboardRow,
    /// The court's own line (its own cases only) when it has courts beneath.
    pub own: Option<DashboardRow>,
    /// One line per court one level down.
    pub rows: Vec<DashboardRow>,
    pub open_reviews: Vec<OpenReview>,
}

/// Counter values of the courts in scope, by court.
#[derive(Default)]
struct Sums {
    /// (metric, split) → value, gauges.
    gauges: HashMap<(Metric, String), i64>,
    overdue: i64,
    /// (metric, period summed, split, value).
    monthly: Vec<(Metric, (String, String), String, i64)>,
    officers: i64,
}

impl Store {
    /// The dashboard of `court`: its total, its own line and one line per
    /// court one level down, from the maintained counters.
    pub async fn dashboard(&self, courts: &CourtDirectory, court: &CourtCode, today: Date) -> Result<Dashboard> {
        let top = courts.get(court).ok_or(StoreError::NotFound)?;
        let scope = courts.subtree(court);
        let list = placeholders(1, scope.len());
        let bind_all = |sql: String| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in &scope {
                q = q.bind(c.as_str().to_string());
            }
            q
        };
        let mut sums: HashMap<String, Sums> = HashMap::new();
        let n = scope.len();
        let gauges = [Metric::OpenCases, Metric::PetitionsOpen, Metric::ReviewsOpen];
        let mut q = bind_all(format!(
            "SELECT court_code, metric, split, CAST(SUM(value) AS BIGINT) AS v FROM court_counters
             WHERE court_code IN ({list}) AND metric IN ({}) AND period = '{GAUGE}' GROUP BY court_code, metric, split",
            placeholders(n + 1, gauges.len())
        ));
        for m in gauges {
            q = q.bind(m.code());
        }
        for r in q.fetch_all(&self.read).await? {
            let Some(metric) = Metric::parse(&text(&r, "metric")?) else { continue };
            sums.entry(text(&r, "court_code")?).or_default().gauges.insert((metric, text(&r, "split")?), int(&r, "v")?);
        }
        // Overdue: whole months before this one, then the days of this month before today.
        let this_month = month_key(today);
        for (metric, from, to) in [
            (Metric::DeadlineDueMonth, String::new(), this_month.clone()),
            (Metric::DeadlineDue, format!("{this_month}-01"), iso_date(today)),
        ] {
            for r in bind_all(format!(
                "SELECT court_code, CAST(SUM(value) AS BIGINT) AS v FROM court_counters
                 WHERE court_code IN ({list}) AND metric = ${} AND period >= ${} AND period < ${} GROUP BY court_code",
                n + 1,
                n + 2,
                n + 3
            ))
            .bind(metric.code())
            .bind(from)
            .bind(to)
            .fetch_all(&self.read)
            .await?
            {
                sums.entry(text(&r, "court_code")?).or_default().overdue += int(&r, "v")?;
            }
        }
        let definitions = self.indicator_definitions().await?;
        let periods: Vec<(String, String)> = definitions.iter().map(|d| period_months(d.period, today)).collect();
        let year = period_months(PeriodKind::YearToDate, today);
        let mut metrics: Vec<Metric> = definitions
            .iter()
            .flat_map(|d| {
                d.numerator.metrics().chain(d.denominator.iter().flat_map(|e| e.metrics())).collect::<Vec<_>>()
            })
            .chain([Metric::Filed, Metric::Closed, Metric::ClosedTransferred, Metric::CrossIn, Metric::CrossOut])
            .collect();
        metrics.sort();
        metrics.dedup();
        // One summing query per distinct period (usually one: 本年度累计).
        let mut distinct: Vec<(String, String)> = periods.iter().cloned().chain([year.clone()]).collect();
        distinct.sort();
        distinct.dedup();
        let metric_list = placeholders(n + 1, metrics.len());
        let this_month = month_key(today);
        for (from, to) in &distinct {
            // Whole years as one row each (every monthly counter is also kept by year).
            let keys = counters::period_keys(from, to, &this_month);
            if keys.is_empty() {
                continue;
            }
            let mut q = bind_all(format!(
                "SELECT court_code, metric, split, CAST(SUM(value) AS BIGINT) AS v FROM court_counters
                 WHERE court_code IN ({list}) AND metric IN ({metric_list}) AND period IN ({})
                 GROUP BY court_code, metric, split",
                placeholders(n + metrics.len() + 1, keys.len())
            ));
            for m in &metrics {
                q = q.bind(m.code());
            }
            for k in keys {
                q = q.bind(k);
            }
            for r in q.fetch_all(&self.read).await? {
                let Some(metric) = Metric::parse(&text(&r, "metric")?) else { continue };
                sums.entry(text(&r, "court_code")?).or_default().monthly.push((
                    metric,
                    (from.clone(), to.clone()),
                    text(&r, "split")?,
                    int(&r, "v")?,
                ));
            }
        }
        for r in bind_all(format!(
            "SELECT court_code, COUNT(*) AS n FROM users
             WHERE court_code IN ({list}) AND active = 1 AND role IN ('judge', 'assistant') GROUP BY court_code"
        ))
        .fetch_all(&self.read)
        .await?
        {
            sums.entry(text(&r, "court_code")?).or_default().officers = int(&r, "n")?;
        }
        let mut posts: HashMap<String, Vec<PostRecord>> = HashMap::new();
        for r in
            bind_all(format!("SELECT court_code, post, holder, since FROM court_posts WHERE court_code IN ({list})"))
                .fetch_all(&self.read)
                .await?
        {
            posts.entry(text(&r, "court_code")?).or_default().push(PostRecord {
                post: parsed(&r, "post", Post::parse)?,
                holder: opt_text(&r, "holder")?,
                since: opt_date(&r, "since")?,
            });
        }
        let mut open_reviews = Vec::new();
        for r in bind_all(format!(
            "SELECT r.court_code, r.id, r.decision_id, r.original_court, r.opened_on, r.due_on, d.original_case_number
             FROM cross_reviews r JOIN cross_decisions d ON d.court_code = r.court_code AND d.id = r.decision_id
             WHERE r.court_code IN ({list}) AND r.status = 'open' ORDER BY r.due_on, r.id LIMIT 200"
        ))
        .fetch_all(&self.read)
        .await?
        {
            open_reviews.push(OpenReview {
                deciding_court: parsed(&r, "court_code", |s| CourtCode::parse(s).ok())?,
                review_id: int(&r, "id")?,
                decision_id: int(&r, "decision_id")?,
                original_court: text(&r, "original_court")?,
                original_case_number: text(&r, "original_case_number")?,
                opened_on: crate::rows::date(&r, "opened_on")?,
                due_on: crate::rows::date(&r, "due_on")?,
            });
        }

        let line = |code: &CourtCode, members: &[CourtCode]| -> DashboardRow {
            let parts: Vec<&Sums> = members.iter().filter_map(|c| sums.get(c.as_str())).collect();
            let gauge = |metric: Metric| -> i64 {
                parts.iter().flat_map(|s| s.gauges.iter()).filter(|((m, _), _)| *m == metric).map(|(_, v)| *v).sum()
            };
            let monthly = |metric: Metric, types: &[EnforcementType], (from, to): &(String, String)| -> i64 {
                parts
                    .iter()
                    .flat_map(|s| s.monthly.iter())
                    .filter(|(m, period, split, _)| {
                        *m == metric
                            && period.0 == *from
                            && period.1 == *to
                            && (types.is_empty() || types.iter().any(|t| t.code() == split))
                    })
                    .map(|(_, _, _, v)| *v)
                    .sum()
            };
            let counted_forms = |metric: Metric| -> i64 {
                parts
                    .iter()
                    .flat_map(|s| s.monthly.iter())
                    .filter(|(m, period, split, _)| {
                        *m == metric
                            && *period == year
                            && zhixing_core::cross::CrossForm::parse(split)
                                .is_some_and(|f| f.counts_as_cross_enforced())
                    })
                    .map(|(_, _, _, v)| *v)
                    .sum()
            };
            let open_cases = gauge(Metric::OpenCases);
            let officers: i64 = parts.iter().map(|s| s.officers).sum();
            let today_posts = |c: &CourtCode| post_statuses(posts.get(c.as_str()).map_or(&[][..], |v| v), today);
            DashboardRow {
                court: code.clone(),
                name: courts.get(code).map_or_else(|| code.as_str().to_string(), |c| c.name.clone()),
                courts: members.len(),
                open_cases,
                overdue_deadlines: parts.iter().map(|s| s.overdue).sum(),
                indicators: definitions
                    .iter()
                    .zip(&periods)
                    .map(|(d, p)| indicators::evaluate(d, |m| monthly(m, &d.case_types, p)))
                    .collect(),
                filed_this_year: monthly(Metric::Filed, &[], &year),
                closed_this_year: monthly(Metric::Closed, &[], &year) - monthly(Metric::ClosedTransferred, &[], &year),
                petitions_open: gauge(Metric::PetitionsOpen),
                cross_in: counted_forms(Metric::CrossIn),
                cross_out: counted_forms(Metric::CrossOut),
                reviews_open: gauge(Metric::ReviewsOpen),
                officers,
                open_per_officer: (officers > 0).then(|| {
                    let mut v = (Decimal::from(open_cases) / Decimal::from(officers))
                        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                    v.rescale(1);
                    v
                }),
                posts: today_posts(code),
                courts_with_vacancy: members.iter().filter(|c| today_posts(c).iter().any(|p| p.vacant)).count(),
            }
        };
        let children = courts.children(court);
        let rows: Vec<DashboardRow> = children.iter().map(|c| line(c, &courts.subtree(c))).collect();
        Ok(Dashboard {
            court: court.clone(),
            name: top.name.clone(),
            as_of: today,
            total: line(court, &scope),
            own: (!children.is_empty()).then(|| line(court, std::slice::from_ref(court))),
            rows,
            indicators: definitions,
            periods,
            open_reviews,
        })
    }

    /// The current version of every indicator: the newest stored version,
    /// or the shipped default when none is stored.
    pub async fn indicator_definitions(&self) -> Result<Vec<IndicatorDefinition>> {
        let mut out = default_indicators();
        for def in self.indicator_versions().await? {
            match out.iter_mut().find(|d| d.code == def.code) {
                Some(existing) if existing.version < def.version => *existing = def,
                Some(_) => {}
                None => out.push(def),
            }
        }
        Ok(out)
    }

    /// Every stored version, oldest first.
    pub async fn indicator_versions(&self) -> Result<Vec<IndicatorDefinition>> {
        let rows = sqlx::query(
            "SELECT code, version, name, numerator, denominator, case_types, period, unit, note
             FROM indicator_definitions ORDER BY code, version",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let numerator = text(r, "numerator")?;
                let denominator = opt_text(r, "denominator")?;
                Ok(IndicatorDefinition {
                    code: text(r, "code")?,
                    version: int(r, "version")?,
                    name: text(r, "name")?,
                    numerator: Expression::parse("numerator", &numerator)
                        .map_err(|_| crate::rows::corrupt("numerator", &numerator))?,
                    denominator: match denominator {
                        Some(d) => Some(
                            Expression::parse("denominator", &d)
                                .map_err(|_| crate::rows::corrupt("denominator", &d))?,
                        ),
                        None => None,
                    },
                    case_types: text(r, "case_types")?
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(|s| EnforcementType::from_code(s).ok_or_else(|| crate::rows::corrupt("case_types", s)))
                        .collect::<Result<_>>()?,
                    period: parsed(r, "period", PeriodKind::parse)?,
                    unit: parsed(r, "unit", Unit::parse)?,
                    note: text(r, "note")?,
                })
            })
            .collect()
    }

    /// Stores a new version of an indicator (the next number after the
    /// current one, shipped defaults being version 1).
    pub async fn add_indicator_version(
        &self,
        mut def: IndicatorDefinition,
        actor: Option<&UserRef>,
        now: i64,
    ) -> Result<IndicatorDefinition> {
        indicators::validate(&def).map_err(StoreError::Rejected)?;
        let current = self.indicator_definitions().await?;
        def.version = current.iter().find(|d| d.code == def.code).map_or(1, |d| d.version + 1);
        sqlx::query(
            "INSERT INTO indicator_definitions (code, version, name, numerator, denominator, case_types, period, unit, note, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(def.code.clone())
        .bind(def.version)
        .bind(def.name.clone())
        .bind(def.numerator.text())
        .bind(def.denominator.as_ref().map(Expression::text))
        .bind(def.case_types.iter().map(|t| t.code()).collect::<Vec<_>>().join(","))
        .bind(def.period.code())
        .bind(def.unit.code())
        .bind(def.note.clone())
        .bind(now)
        .bind(actor.map(|a| a.id))
        .execute(&self.write)
        .await?;
        Ok(def)
    }

    /// Records who holds a post of a court (`holder: None` = vacant since `since`).
    pub async fn set_post(
        &self,
        court: &CourtCode,
        post: Post,
        holder: Option<&str>,
        since: Option<Date>,
        actor: Option<&UserRef>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM court_posts WHERE court_code = $1 AND post = $2")
            .bind(court.as_str().to_string())
            .bind(post.code())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO court_posts (court_code, post, holder, since, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(court.as_str().to_string())
        .bind(post.code())
        .bind(holder.map(str::to_string))
        .bind(since.map(iso_date))
        .bind(now)
        .bind(actor.map(|a| a.id))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the counters were never built for existing cases (a database
    /// from before the dashboard migration).
    pub async fn aggregates_missing(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM case_aggregates LIMIT 1) AS x) AS a,
                    (SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE deleted_at IS NULL LIMIT 1) AS y) AS c",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(int(&row, "a")? == 0 && int(&row, "c")? > 0)
    }

    /// Rebuilds every counter from the records: the counters of petitions,
    /// decisions and reviews by counting, then each live case's
    /// contribution (through [`Store::rebuild_deadlines`], which rewrites
    /// a case's deadlines and its contribution together). Returns the
    /// number of cases.
    pub async fn rebuild_aggregates(&self) -> Result<u64> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM court_counters").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM case_aggregates").execute(&mut *tx).await?;
        recount_records(&mut tx).await?;
        tx.commit().await?;
        self.rebuild_deadlines().await
    }

    /// Bulk path for generated data (the benchmark): stores the
    /// contributions of cases that have none yet, computed by the same
    /// function as every change, without loading each case.
    pub async fn add_case_facts(&self, facts: &[(CourtCode, i64, CaseFacts)]) -> Result<()> {
        let mut tx = self.write.begin().await?;
        for chunk in facts.chunks(20_000) {
            let cases = chunk.iter().map(|(c, id, f)| (c.clone(), *id, counters::contribution(f))).collect();
            let mut deltas = CounterDeltas::new();
            replace_contributions(&mut tx, cases, true, &mut deltas).await?;
            flush(&mut tx, &deltas).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Refreshes the planner's statistics after a bulk load (`ANALYZE`, the
    /// same statement on both backends).
    pub async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.write).await?;
        Ok(())
    }

    /// Rows in the counter table (the benchmark reports how it grows).
    pub async fn counter_rows(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM court_counters").fetch_one(&self.read).await?;
        int(&row, "n")
    }

    /// Recounts the counters kept from petitions, decisions and reviews
    /// (after a bulk load); the case contributions are left alone.
    pub async fn recount_cross_counters(&self) -> Result<()> {
        let mut tx = self.write.begin().await?;
        for m in [Metric::PetitionsOpen, Metric::CrossIn, Metric::CrossOut, Metric::ReviewsOpen] {
            sqlx::query("DELETE FROM court_counters WHERE metric = $1").bind(m.code()).execute(&mut *tx).await?;
        }
        recount_records(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Counts open petitions, decisions in/out by month and form, and open
/// reviews into the counters.
async fn recount_records(tx: &mut AnyConnection) -> Result<()> {
    let mut delta: BTreeMap<(String, CounterKey), i64> = BTreeMap::new();
    for r in sqlx::query("SELECT court_code, COUNT(*) AS n FROM petitions WHERE status = 'open' GROUP BY court_code")
        .fetch_all(&mut *tx)
        .await?
    {
        delta.insert((text(&r, "court_code")?, CounterKey::new(Metric::PetitionsOpen, GAUGE, ANY_TYPE)), int(&r, "n")?);
    }
    for r in sqlx::query(
        "SELECT original_court, COUNT(*) AS n FROM cross_reviews WHERE status = 'open' GROUP BY original_court",
    )
    .fetch_all(&mut *tx)
    .await?
    {
        delta.insert(
            (text(&r, "original_court")?, CounterKey::new(Metric::ReviewsOpen, GAUGE, ANY_TYPE)),
            int(&r, "n")?,
        );
    }
    for r in sqlx::query("SELECT original_court, receiving_court, form, decided_on FROM cross_decisions")
        .fetch_all(&mut *tx)
        .await?
    {
        let decided_on = crate::rows::date(&r, "decided_on")?;
        let form = text(&r, "form")?;
        for period in counters::month_and_year(decided_on) {
            let original =
                (text(&r, "original_court")?, CounterKey::new(Metric::CrossOut, period.clone(), form.clone()));
            *delta.entry(original).or_insert(0) += 1;
            if let Some(receiving) = opt_text(&r, "receiving_court")? {
                *delta.entry((receiving, CounterKey::new(Metric::CrossIn, period, form.clone()))).or_insert(0) += 1;
            }
        }
    }
    add_to_counters(tx, &delta).await
}
