//! `zhixing-bench province`: a generated province (100 courts, N cases, a
//! fiftieth of them cross-enforced by default) bulk-loaded by SQL, then the
//! command dashboard and the 交叉执行 statistics measured over HTTP.
//!
//! The load writes what the measured requests read: courts, officers,
//! cases, decisions, outcomes, reviews, and each case's dashboard
//! contribution through the store's own bulk path (`Store::add_case_facts`,
//! the same `contribution` function every change goes through). It does
//! not write parties, deadlines or events row by row: the dashboard never
//! reads them (it reads counters), and loading them would only lengthen
//! the setup.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::AnyPool;
use time::Date;
use time::macros::date;
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::CourtCode;
use zhixing_core::dashboard::{CaseFacts, Closing};
use zhixing_core::money::Money;
use zhixing_core::workflow::ClosingMode;

pub const TODAY: Date = date!(2026 - 11 - 27);

/// The 65 generated basic courts that, with the 35 shipped 浙 courts, make 100.
pub fn synthetic_courts() -> Vec<(String, String, String)> {
    let cities = ["03", "04", "05", "06", "07", "08", "09", "10", "11"];
    (0..65)
        .map(|k| {
            let city = cities[k % cities.len()];
            let code = format!("浙{city}{:02}", 60 + k / cities.len());
            (code.clone(), format!("基准测试第{}基层人民法院", k + 1), format!("浙{city}"))
        })
        .collect()
}

struct GeneratedCase {
    court: String,
    id: i64,
    facts: CaseFacts,
}

fn random_date(rng: &mut StdRng, from: Date, to: Date) -> Date {
    let span = (to - from).whole_days().max(1);
    from + time::Duration::days(rng.random_range(0..span))
}

/// Loads the province; returns (load seconds, counter rows).
pub async fn load(url: &str, cases: usize, cross: usize, command_user: i64) -> Result<(f64, i64)> {
    sqlx::any::install_default_drivers();
    let started = Instant::now();
    let pool = AnyPool::connect(url).await?;
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        sqlx::query("PRAGMA synchronous = OFF").execute(&pool).await?;
    }
    let mut rng = StdRng::seed_from_u64(2026);
    for (code, name, parent) in synthetic_courts() {
        sqlx::query("INSERT INTO courts (code, name, level, parent_code, updated_at) VALUES ($1, $2, 'basic', $3, 0)")
            .bind(code)
            .bind(name)
            .bind(parent)
            .execute(&pool)
            .await?;
    }
    let mut all_courts: Vec<(String, String)> = Vec::new();
    for row in sqlx::query("SELECT code, level FROM courts WHERE code LIKE '浙%'").fetch_all(&pool).await? {
        use sqlx::Row;
        all_courts.push((row.try_get("code")?, row.try_get("level")?));
    }
    let basic: Vec<String> = all_courts.iter().filter(|(_, l)| l == "basic").map(|(c, _)| c.clone()).collect();
    let upper: Vec<String> = all_courts.iter().filter(|(_, l)| l != "basic").map(|(c, _)| c.clone()).collect();
    eprintln!("{} courts ({} basic)", all_courts.len(), basic.len());

    // Officers: 15–40 per basic court, 8 per upper court; a few clerks.
    let mut user_id = 50_000_000i64;
    for (code, level) in &all_courts {
        let n = if level == "basic" { rng.random_range(15..=40) } else { 8 };
        let mut values = Vec::new();
        for k in 0..n + 3 {
            user_id += 1;
            let role = if k >= n {
                "clerk"
            } else if k % 3 == 2 {
                "assistant"
            } else {
                "judge"
            };
            values.push(format!("({user_id}, 'u{user_id}', '官{user_id}', '{role}', '{code}', 'x', 1, 0, 0, 0)"));
        }
        let sql = format!(
            "INSERT INTO users (id, username, display_name, role, court_code, password_hash, active, failed_logins, created_at, updated_at) VALUES {}",
            values.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await?;
    }

    // Cases.
    let mut generated: Vec<GeneratedCase> = Vec::with_capacity(cases);
    let mut serials: std::collections::HashMap<(String, i32, &'static str), i64> = std::collections::HashMap::new();
    let first = date!(2022 - 01 - 01);
    let mut batch: Vec<String> = Vec::new();
    let mut deadline_rows: Vec<String> = Vec::new();
    let mut event_rows: Vec<String> = Vec::new();
    let mut tx = pool.begin().await?;
    for i in 0..cases {
        let court = if rng.random_bool(0.97) {
            basic[rng.random_range(0..basic.len())].clone()
        } else {
            upper[rng.random_range(0..upper.len())].clone()
        };
        let case_type = match rng.random_range(0..100) {
            0..80 => EnforcementType::First,
            80..92 => EnforcementType::Resumed,
            _ => EnforcementType::Preservation,
        };
        let filed_on = random_date(&mut rng, first, TODAY);
        let age = (TODAY - filed_on).whole_days();
        let closing = if rng.random_bool(if age > 180 { 0.85 } else { 0.35 }) {
            let mode = match rng.random_range(0..100) {
                0..45 => ClosingMode::Completed,
                45..80 => ClosingMode::TerminatedThisRound,
                80..90 => ClosingMode::Terminated,
                90..95 => ClosingMode::Cancelled,
                _ => ClosingMode::NotEnforced,
            };
            let on = (filed_on + time::Duration::days(rng.random_range(5..420))).min(TODAY);
            Some(Closing { on, mode, transferred: false })
        } else {
            None
        };
        let applied = rng.random_range(100_000i64..100_000_000);
        let paid = match closing.map(|c| c.mode) {
            Some(ClosingMode::Completed) => applied,
            Some(ClosingMode::TerminatedThisRound) => applied * rng.random_range(0..30) / 100,
            None => applied * rng.random_range(0..50) / 100,
            _ => 0,
        };
        let open_deadlines = if closing.is_none() {
            vec![
                filed_on + time::Duration::days(183),
                filed_on + time::Duration::days(rng.random_range(7..60)),
                TODAY + time::Duration::days(rng.random_range(-30..60)),
            ]
        } else {
            Vec::new()
        };
        for (k, (kind, due)) in ["closing_limit", "notice", "lead_verification"].iter().zip(&open_deadlines).enumerate()
        {
            deadline_rows.push(format!(
                "('{court}', {id}, '{kind}', {k}, '{}', NULL)",
                zhixing_core::calendar::iso_date(*due),
                id = i as i64 + 1
            ));
        }
        if let Some(c) = closing {
            event_rows.push(format!(
                "('{court}', {id}, 1, 'close', '{}', '{}', NULL, NULL, NULL, '', NULL, 'closed', 0, {command_user})",
                zhixing_core::calendar::iso_date(c.on),
                c.mode.code(),
                id = i as i64 + 1
            ));
        }
        let year = filed_on.year();
        let serial = serials.entry((court.clone(), year, case_type.code())).or_insert(0);
        *serial += 1;
        let id = i as i64 + 1;
        let status = if closing.is_some() { "closed" } else { "enforcing" };
        batch.push(format!(
            "('{court}', {id}, '{t}', {year}, {serial}, '（{year}）{court}{t}{serial}号', '{filed}', '{status}', '某区人民法院', '（{year}）民初{id}号', '判决书', '{filed}', NULL, '被告支付原告款项。', {applied}, 1, 0, {command_user}, 0, {command_user})",
            t = case_type.code(),
            filed = zhixing_core::calendar::iso_date(filed_on),
        ));
        generated.push(GeneratedCase {
            court,
            id,
            facts: CaseFacts {
                case_type,
                filed_on,
                live: true,
                closing,
                applied: Money::from_fen(applied).unwrap_or(Money::ZERO),
                paid: Money::from_fen(paid).unwrap_or(Money::ZERO),
                open_deadlines,
            },
        });
        if batch.len() == 500 || i + 1 == cases {
            let sql = format!(
                "INSERT INTO cases (court_code, id, case_type, year, serial, case_number, filed_on, status, basis_issuing_body, basis_document_number, basis_document_type, basis_effective_on, basis_performance_due_on, basis_operative_text, amount_applied_fen, version, created_at, created_by, updated_at, updated_by) VALUES {}",
                batch.join(", ")
            );
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
            batch.clear();
            if !deadline_rows.is_empty() {
                let sql = format!(
                    "INSERT INTO case_deadlines (court_code, case_id, kind, seq, due_on, judge_id) VALUES {}",
                    deadline_rows.join(", ")
                );
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
                deadline_rows.clear();
            }
            if !event_rows.is_empty() {
                let sql = format!(
                    "INSERT INTO case_events (court_code, case_id, seq, action, on_date, mode, ground, until_date, security_until, note, document_ref, state_after, recorded_at, recorded_by) VALUES {}",
                    event_rows.join(", ")
                );
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
                event_rows.clear();
            }
        }
        if (i + 1) % 100_000 == 0 {
            tx.commit().await?;
            tx = pool.begin().await?;
            eprintln!("  {} cases …", i + 1);
        }
    }
    tx.commit().await?;

    // 交叉执行 decisions over open or 终本 cases, with outcomes and reviews.
    let forms = [
        ("designate", 40),
        ("elevate", 15),
        ("concentrate", 8),
        ("coordinate", 5),
        ("supervise", 17),
        ("internal", 10),
        ("task", 5),
    ];
    let mut decision_rows = Vec::new();
    let mut outcome_rows = Vec::new();
    let mut review_rows = Vec::new();
    let candidates: Vec<&GeneratedCase> = generated
        .iter()
        .filter(|c| {
            basic.contains(&c.court) && c.facts.closing.is_none_or(|cl| cl.mode == ClosingMode::TerminatedThisRound)
        })
        .collect();
    let mut next_id = 900_000_000i64;
    for k in 0..cross.min(candidates.len()) {
        let case = candidates[rng.random_range(0..candidates.len())];
        let parent = format!("浙{}", &case.court.chars().skip(1).take(2).collect::<String>());
        let deciding = if rng.random_bool(0.3) { "浙".to_string() } else { parent.clone() };
        let mut pick = rng.random_range(0..100);
        let form = forms
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map_or("designate", |(f, _)| f);
        let receiving = match form {
            "designate" | "concentrate" | "coordinate" => {
                let same_city: Vec<&String> =
                    basic.iter().filter(|b| b.starts_with(&parent) && **b != case.court).collect();
                same_city.get(rng.random_range(0..same_city.len().max(1))).map(|c| format!("'{c}'"))
            }
            "elevate" => Some(format!("'{deciding}'")),
            _ => None,
        }
        .unwrap_or_else(|| "NULL".into());
        let decided_on = random_date(&mut rng, date!(2025 - 01 - 01), TODAY);
        next_id += 1;
        let id = next_id;
        let balance = case.facts.applied.fen() - case.facts.paid.fen();
        let roll = rng.random_range(0..100);
        let (mut progressed, mut recovered) = (0, 0i64);
        if roll < 55 {
            let kind = ["property_found", "partial_payment", "settlement", "completed"][rng.random_range(0..4)];
            let on = (decided_on + time::Duration::days(rng.random_range(10..120))).min(TODAY);
            let amount = if kind == "partial_payment" || kind == "completed" { balance.max(0) / 3 } else { 0 };
            progressed = 1;
            recovered = amount;
            next_id += 1;
            outcome_rows.push(format!(
                "('{deciding}', {id}, {next_id}, '{kind}', '{}', {amount}, '', 0, {command_user})",
                zhixing_core::calendar::iso_date(on)
            ));
            if form != "internal" {
                next_id += 1;
                let open = rng.random_bool(0.3);
                review_rows.push(format!(
                    "('{deciding}', {next_id}, {id}, '{}', '{}', '{}', '{}', '{}', {}, {})",
                    case.court,
                    zhixing_core::calendar::iso_date(on),
                    zhixing_core::calendar::iso_date(on + time::Duration::days(30)),
                    if open { "open" } else { "closed" },
                    if open { "" } else { "no_fault" },
                    if open { "NULL".to_string() } else { "'约谈'".to_string() },
                    if open {
                        "NULL".to_string()
                    } else {
                        format!("'{}'", zhixing_core::calendar::iso_date(on + time::Duration::days(20)))
                    },
                ));
            }
        } else if roll < 65 {
            next_id += 1;
            outcome_rows.push(format!(
                "('{deciding}', {id}, {next_id}, 'no_prospect_zhongben', '{}', 0, '无财产', 0, {command_user})",
                zhixing_core::calendar::iso_date((decided_on + time::Duration::days(60)).min(TODAY))
            ));
        }
        decision_rows.push(format!(
            "('{deciding}', {id}, '{form}', '（{y}）{deciding}执他{k}号', '{d}', '{oc}', {ocid}, '（{fy}）{oc}执{ocid}号', {receiving}, NULL, NULL, NULL, {balance}, '', 0, {command_user}, {progressed}, {recovered}, {id})",
            y = decided_on.year(),
            d = zhixing_core::calendar::iso_date(decided_on),
            oc = case.court,
            ocid = case.id,
            fy = case.facts.filed_on.year(),
        ));
    }
    for chunk in decision_rows.chunks(500) {
        let sql = format!(
            "INSERT INTO cross_decisions (court_code, id, form, decision_ref, decided_on, original_court, original_case_id, original_case_number, receiving_court, new_case_id, new_case_number, report_by, balance_fen, note, created_at, created_by, progressed, recovered_fen, group_id) VALUES {}",
            chunk.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await?;
    }
    for chunk in outcome_rows.chunks(500) {
        let sql = format!(
            "INSERT INTO cross_outcomes (court_code, decision_id, id, kind, on_date, amount_fen, basis, created_at, created_by) VALUES {}",
            chunk.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await?;
    }
    for chunk in review_rows.chunks(500) {
        let sql = format!(
            "INSERT INTO cross_reviews (court_code, id, decision_id, original_court, opened_on, due_on, status, findings, measures, closed_on) VALUES {}",
            chunk.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await?;
    }
    eprintln!("{} decisions, {} outcomes, {} reviews", decision_rows.len(), outcome_rows.len(), review_rows.len());
    if sqlite {
        sqlx::query("PRAGMA synchronous = FULL").execute(&pool).await?;
    }
    pool.close().await;

    // The counters, through the store's bulk path and its recount.
    let store = zhixing_store::Store::open(url).await?;
    let facts: Vec<(CourtCode, i64, CaseFacts)> = generated
        .into_iter()
        .map(|g| Ok((CourtCode::parse(&g.court).map_err(|_| anyhow::anyhow!("court {}", g.court))?, g.id, g.facts)))
        .collect::<Result<_>>()?;
    for chunk in facts.chunks(100_000) {
        store.add_case_facts(chunk).await?;
    }
    store.recount_cross_counters().await?;
    store.analyze().await?;
    let counters = store.counter_rows().await?;
    store.close().await;
    Ok((started.elapsed().as_secs_f64(), counters))
}

/// p50 / p95 / p99 in ms of `requests` GETs with `concurrency` clients.
pub async fn measure(
    url: String,
    token: Option<String>,
    cookie: Option<String>,
    requests: usize,
    concurrency: usize,
) -> Result<(f64, f64, f64)> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (url, token, cookie, next) = (url.clone(), token.clone(), cookie.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
            let mut latencies = Vec::new();
            let mut first = true;
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let mut request = client.get(&url);
                if let Some(t) = &token {
                    request = request.bearer_auth(t);
                }
                if let Some(c) = &cookie {
                    request = request.header("cookie", c);
                }
                let started = Instant::now();
                let response = request.send().await?;
                let status = response.status();
                let body = response.bytes().await?;
                let elapsed = started.elapsed().as_secs_f64() * 1000.0;
                anyhow::ensure!(status.is_success(), "{url}: {status} {}", String::from_utf8_lossy(&body));
                if !first {
                    latencies.push(elapsed);
                }
                first = false;
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.context("join")??);
    }
    all.sort_by(f64::total_cmp);
    let p = |q: f64| all.get(((all.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    Ok((p(0.5), p(0.95), p(0.99)))
}
