//! Load generator for the performance targets of the case register.
//!
//! It starts the real `zhixing serve` (the binary next to this one) on a
//! fresh database and drives it over HTTP from this process:
//!
//! - `filing`: case filings per second through `POST /api/v1/cases` with N
//!   concurrent clients (each its own session), several timed runs, median;
//! - `search`: fills the register to M cases through the same API, then
//!   measures the latency of `GET /api/v1/cases?q=` for realistic queries
//!   (full 案号, partial 案号, person name, company-name fragment, identity
//!   number) with N concurrent clients: p50 / p95 / p99.
//!
//! ```text
//! cargo build --release
//! target/release/zhixing-bench filing --backend sqlite
//! target/release/zhixing-bench filing --backend postgres --postgres-url postgres://postgres@127.0.0.1/test
//! target/release/zhixing-bench search --backend sqlite --cases 100000
//! ```
//! For PostgreSQL a throw-away database is created and dropped.
//!
//! - `cross-stats`: loads N 交叉执行 decisions of a province (bulk SQL; the
//!   statistics read only `cross_decisions`, so the size of the register
//!   does not enter) and measures `GET /api/v1/cross-enforcement/stats` for
//!   the high court with every breakdown, JSON and CSV.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};
use sqlx::Executor;
use time::Date;
use zhixing::demo::{CaseGenerator, demo_case};
use zhixing_core::case::RawCase;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Bench,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum BackendArg {
    Sqlite,
    Postgres,
}

#[derive(clap::Args, Clone)]
struct Common {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: BackendArg,
    /// Server to create the throw-away database on (PostgreSQL only).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres_url: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
}

#[derive(Subcommand)]
enum Bench {
    /// Filings per second.
    Filing {
        #[command(flatten)]
        common: Common,
        /// Seconds per timed run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// The amount-owed engine: 10 obligations, 1,000 payments, floating LPR over 5 years; against the day-by-day oracle.
    Calc {
        /// Timed runs of the engine (the median is reported).
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Timed runs of the day-by-day oracle.
        #[arg(long, default_value_t = 5)]
        oracle_runs: usize,
    },
    /// Deadline lists (API and page) over a court with N open cases.
    Deadlines {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// Timed requests per list kind.
        #[arg(long, default_value_t = 400)]
        requests: usize,
    },
    /// Partner checks against N restricted persons (SQLite), and Redis SMISMEMBER on the same batches.
    Partner {
        /// Restricted persons loaded.
        #[arg(long, default_value_t = 10_000_000)]
        persons: usize,
        /// Concurrent clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Identities per batch.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Seconds per throughput run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Redis to compare with (skipped when unreachable).
        #[arg(long, default_value = "127.0.0.1:6379")]
        redis: String,
    },
    /// 交叉执行 statistics (all breakdowns) over N decisions of the province.
    CrossStats {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 20_000)]
        decisions: usize,
        /// Timed requests per variant.
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    /// Search latency over a filled register.
    /// A generated province: 100 courts, `--cases` cases, `--cross` cross-enforced; dashboard and statistics latency.
    Province {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 1_000_000)]
        cases: usize,
        /// Default: a fiftieth of the cases (20,000 at 1,000,000).
        #[arg(long)]
        cross: Option<usize>,
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    Search {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// Timed search requests per query kind.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
    },
}

const PASSWORD: &str = "bench password 2026";

struct Server {
    child: Child,
    base: String,
    url: String,
    drop_database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn zhixing_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("zhixing");
    if !path.exists() {
        bail!("{} not found: build with `cargo build --release` first", path.display());
    }
    Ok(path)
}

async fn start_server(common: &Common) -> Result<Server> {
    serve(create_database(common).await?).await
}

/// A fresh database: migrated, with `common.clients` judges of 浙0203.
struct Database {
    url: String,
    drop_database: Option<(String, String)>,
    dir: tempfile::TempDir,
}

async fn create_database(common: &Common) -> Result<Database> {
    let dir = tempfile::tempdir()?;
    let (url, drop_database) = match common.backend {
        BackendArg::Sqlite => (format!("sqlite:{}", dir.path().join("bench.sqlite3").display()), None),
        BackendArg::Postgres => {
            let name = format!("zx_bench_{}", std::process::id());
            let admin = sqlx::PgPool::connect(&common.postgres_url).await?;
            admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await?;
            admin.close().await;
            let base = common.postgres_url.rsplit_once('/').map(|(b, _)| b.to_string()).context("postgres url")?;
            (format!("{base}/{name}"), Some((common.postgres_url.clone(), name)))
        }
    };
    let bin = zhixing_binary()?;
    let run = |args: &[&str], stdin: Option<&str>| -> Result<()> {
        let mut child = Command::new(&bin)
            .args(["--database-url", &url])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().context("stdin")?.write_all(input.as_bytes())?;
        }
        if !child.wait()?.success() {
            bail!("zhixing {args:?} failed");
        }
        Ok(())
    };
    run(&["migrate"], None)?;
    for i in 0..common.clients.max(1) {
        let name = format!("bench{i}");
        run(
            &["user", "add", "--username", &name, "--role", "judge", "--court", "浙0203", "--password-stdin"],
            Some(&format!("{PASSWORD}\n")),
        )?;
    }
    Ok(Database { url, drop_database, dir })
}

/// Runs a user-management command of the binary on the database.
fn zhixing_user(url: &str, username: &str, role: &str, court: &str) -> Result<()> {
    let mut child = Command::new(zhixing_binary()?)
        .args(["--database-url", url, "user", "add", "--username", username, "--role", role, "--court", court])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    {
        use std::io::Write;
        child.stdin.take().context("stdin")?.write_all(format!("{PASSWORD}\n").as_bytes())?;
    }
    if !child.wait()?.success() {
        bail!("zhixing user add {username} failed");
    }
    Ok(())
}

async fn serve(db: Database) -> Result<Server> {
    let Database { url, drop_database, dir } = db;
    let bin = zhixing_binary()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(&bin)
        .args(["--database-url", &url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let server = Server { child, base: format!("http://127.0.0.1:{port}"), url: url.clone(), drop_database, _dir: dir };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{}/healthz", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("server did not start")
}

async fn finish(mut server: Server) -> Result<()> {
    let _ = server.child.kill();
    let _ = server.child.wait();
    if server.drop_database.is_none() && std::env::var("BENCH_KEEP_DATABASE").is_ok() {
        let kept = std::env::temp_dir().join("zhixing-bench-kept.sqlite3");
        std::fs::copy(server._dir.path().join("bench.sqlite3"), &kept)?;
        eprintln!("kept database {}", kept.display());
    }
    if let Some((admin_url, name)) = server.drop_database.take() {
        if std::env::var("BENCH_KEEP_DATABASE").is_ok() {
            eprintln!("kept database {name}");
            return Ok(());
        }
        let admin = sqlx::PgPool::connect(&admin_url).await?;
        admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await?;
        admin.close().await;
    }
    Ok(())
}

async fn tokens(base: &str, n: usize) -> Result<Vec<String>> {
    let client = reqwest::Client::new();
    let mut out = Vec::new();
    for i in 0..n.max(1) {
        let v: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": format!("bench{i}"), "password": PASSWORD}))
            .send()
            .await?
            .json()
            .await?;
        out.push(v["token"].as_str().context("token")?.to_string());
    }
    Ok(out)
}

fn to_json(raw: &RawCase) -> Value {
    json!({
        "case_type": raw.case_type,
        "filed_on": raw.filed_on,
        "basis": {
            "issuing_body": raw.basis.issuing_body, "document_number": raw.basis.document_number,
            "document_type": raw.basis.document_type, "effective_on": raw.basis.effective_on,
            "performance_due_on": raw.basis.performance_due_on, "operative_text": raw.basis.operative_text,
        },
        "parties": raw.parties.iter().map(|p| json!({
            "role": p.role, "kind": p.kind, "name": p.name, "id_number": p.id_number,
            "legal_representative": p.legal_representative, "address": p.address,
        })).collect::<Vec<_>>(),
        "claims": raw.claims.iter().map(|c| json!({"kind": c.kind, "amount": c.amount, "description": c.description})).collect::<Vec<_>>(),
    })
}

/// Pre-generated request bodies (generation is not part of what is timed).
fn bodies(n: usize, seed: u64) -> Vec<Value> {
    let mut generator = CaseGenerator::new(seed);
    let filed_on = Date::from_calendar_date(2026, time::Month::November, 20).unwrap();
    (0..n)
        .map(|i| {
            let mut raw = demo_case(
                &mut generator,
                "宁波市海曙区人民法院",
                "浙0203",
                &["330203", "330212", "330205"],
                filed_on,
                i,
            );
            raw.case_type = Some("执".into());
            to_json(&raw)
        })
        .collect()
}

/// Runs `clients` loops posting `bodies` until `stop`; returns (ok count, latencies µs).
async fn file_until(
    base: &str,
    tokens: &[String],
    bodies: Arc<Vec<Value>>,
    stop: Arc<AtomicBool>,
    limit: Option<u64>,
) -> (u64, Vec<u64>) {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for token in tokens {
        let (base, token, bodies, stop, next) =
            (base.to_string(), token.clone(), bodies.clone(), stop.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut ok = 0u64;
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if limit.is_some_and(|l| i >= l) {
                    break;
                }
                let body = &bodies[(i as usize) % bodies.len()];
                let started = Instant::now();
                let response = client.post(format!("{base}/api/v1/cases")).bearer_auth(&token).json(body).send().await;
                match response {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        let _ = r.bytes().await;
                        ok += 1;
                        latencies.push(started.elapsed().as_micros() as u64);
                    }
                    Ok(r) => eprintln!("filing failed: {} {}", r.status(), r.text().await.unwrap_or_default()),
                    Err(e) => eprintln!("filing failed: {e}"),
                }
            }
            (ok, latencies)
        }));
    }
    let mut total = 0;
    let mut all = Vec::new();
    for task in tasks {
        let (ok, latencies) = task.await.unwrap();
        total += ok;
        all.extend(latencies);
    }
    (total, all)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

async fn bench_filing(common: Common, seconds: u64, runs: usize) -> Result<()> {
    let server = start_server(&common).await?;
    let tokens = tokens(&server.base, common.clients).await?;
    let bodies = Arc::new(bodies(5_000, 1));
    // Warm-up: connections, statement caches, page cache.
    let stop = Arc::new(AtomicBool::new(false));
    let warm = tokio::spawn({
        let (base, tokens, bodies, stop) = (server.base.clone(), tokens.clone(), bodies.clone(), stop.clone());
        async move { file_until(&base, &tokens, bodies, stop, None).await }
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    warm.await?;

    let mut rates = Vec::new();
    let mut p50s = Vec::new();
    let mut p95s = Vec::new();
    for run in 1..=runs {
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let task = tokio::spawn({
            let (base, tokens, bodies, stop) = (server.base.clone(), tokens.clone(), bodies.clone(), stop.clone());
            async move { file_until(&base, &tokens, bodies, stop, None).await }
        });
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let (ok, mut latencies) = task.await?;
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort_unstable();
        let rate = ok as f64 / elapsed;
        println!(
            "run {run}: {ok} filings in {elapsed:.1} s = {rate:.0}/s; latency p50 {:.1} ms, p95 {:.1} ms",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95)
        );
        rates.push(rate);
        p50s.push(percentile(&latencies, 0.5));
        p95s.push(percentile(&latencies, 0.95));
    }
    println!(
        "filing, {} backend, {} clients: median {:.0} filings/s (latency p50 {:.1} ms, p95 {:.1} ms)",
        if common.backend == BackendArg::Sqlite { "SQLite" } else { "PostgreSQL" },
        common.clients,
        median(&mut rates),
        median(&mut p50s),
        median(&mut p95s)
    );
    finish(server).await
}

async fn bench_search(common: Common, cases: usize, requests: usize) -> Result<()> {
    let server = start_server(&common).await?;
    let tokens = tokens(&server.base, common.clients).await?;
    eprintln!("filling the register with {cases} cases through the API …");
    let bodies = Arc::new(bodies(cases, 2));
    let started = Instant::now();
    let (filed, _) =
        file_until(&server.base, &tokens, bodies.clone(), Arc::new(AtomicBool::new(false)), Some(cases as u64)).await;
    eprintln!("filed {filed} cases in {:.0} s", started.elapsed().as_secs_f64());
    // Planner statistics, as autovacuum would have them (it is off on some
    // machines; the server also refreshes them hourly).
    if let Some((admin_url, name)) = &server.drop_database {
        let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).context("postgres url")?;
        let db = sqlx::PgPool::connect(&format!("{base}/{name}")).await?;
        db.execute("ANALYZE").await?;
        db.close().await;
    }

    // Queries drawn from what was filed.
    let mut rng_i = 7usize;
    let mut pick = |n: usize| {
        rng_i = rng_i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) % (1 << 31);
        rng_i % n.max(1)
    };
    let mut kinds: Vec<(&str, Vec<String>)> = vec![
        ("full 案号", Vec::new()),
        ("partial 案号 (执NNN)", Vec::new()),
        ("person name", Vec::new()),
        ("company-name fragment", Vec::new()),
        ("identity number", Vec::new()),
    ];
    for _ in 0..requests {
        let serial = pick(filed as usize) + 1;
        kinds[0].1.push(format!("（2026）浙0203执{serial}号"));
        kinds[1].1.push(format!("执{}", pick(filed as usize / 10) + 1));
        let body = &bodies[pick(bodies.len())];
        let parties = body["parties"].as_array().unwrap();
        let person = parties.iter().find(|p| p["kind"] == "person").unwrap_or(&parties[0]);
        kinds[2].1.push(person["name"].as_str().unwrap().to_string());
        // A fragment from the middle of an organisation's name (a case that has one).
        let org = loop {
            let candidate = &bodies[pick(bodies.len())];
            if let Some(org) = candidate["parties"].as_array().unwrap().iter().find(|p| p["kind"] == "organization") {
                break org.clone();
            }
        };
        let name: Vec<char> = org["name"].as_str().unwrap().chars().collect();
        let start = 2.min(name.len().saturating_sub(1));
        let end = (start + 4).min(name.len());
        kinds[3].1.push(name[start..end].iter().collect());
        kinds[4].1.push(person["id_number"].as_str().unwrap().to_string());
    }
    let client = reqwest::Client::new();
    // Warm-up.
    for q in kinds.iter().flat_map(|(_, qs)| qs.iter().take(50)) {
        let _ = client
            .get(format!("{}/api/v1/cases", server.base))
            .query(&[("q", q)])
            .bearer_auth(&tokens[0])
            .send()
            .await?
            .bytes()
            .await;
    }
    let mut all = Vec::new();
    for (kind, queries) in &kinds {
        let queries = Arc::new(queries.clone());
        let next = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for token in &tokens {
            let (base, token, queries, next) = (server.base.clone(), token.clone(), queries.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut latencies = Vec::new();
                let mut hits = 0usize;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if i >= queries.len() {
                        break;
                    }
                    let started = Instant::now();
                    let response = client
                        .get(format!("{base}/api/v1/cases"))
                        .query(&[("q", &queries[i])])
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    assert!(response.status().is_success());
                    let v: Value = response.json().await.unwrap();
                    latencies.push(started.elapsed().as_micros() as u64);
                    let found = !v["items"].as_array().unwrap().is_empty();
                    if !found && std::env::var("BENCH_SHOW_MISSES").is_ok() {
                        eprintln!("no result for {:?}", queries[i]);
                    }
                    hits += usize::from(found);
                }
                (latencies, hits)
            }));
        }
        let mut latencies = Vec::new();
        let mut hits = 0;
        for t in tasks {
            let (l, h) = t.await?;
            latencies.extend(l);
            hits += h;
        }
        latencies.sort_unstable();
        println!(
            "{kind:<26} p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  ({} requests, {hits} with results)",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95),
            percentile(&latencies, 0.99),
            latencies.len()
        );
        all.extend(latencies);
    }
    all.sort_unstable();
    println!(
        "search, {} backend, {filed} cases, {} clients: all queries p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        if common.backend == BackendArg::Sqlite { "SQLite" } else { "PostgreSQL" },
        common.clients,
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99)
    );
    finish(server).await
}

/// Bodies filed over the two years before 2026-11-20, each with one of the
/// bench judges as handling judge, so deadlines spread from long overdue to
/// months ahead.
fn spread_bodies(n: usize, judges: usize) -> Vec<Value> {
    let mut generator = CaseGenerator::new(3);
    let last = Date::from_calendar_date(2026, time::Month::November, 20).unwrap();
    (0..n)
        .map(|i| {
            let filed_on = last - time::Duration::days(((i * 7919) % 700) as i64);
            let mut raw =
                demo_case(&mut generator, "宁波市海曙区人民法院", "浙0203", &["330203", "330212"], filed_on, i);
            raw.case_type = Some("执".into());
            let mut body = to_json(&raw);
            body["handling_judge"] = json!(format!("bench{}", i % judges.max(1)));
            body
        })
        .collect()
}

/// Logs in through the login form; returns the session cookie header.
async fn browser_session(base: &str, username: &str) -> Result<String> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let form = client.get(format!("{base}/login")).send().await?;
    let mut cookies: Vec<String> = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect();
    let html = form.text().await?;
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).context("csrf field")? + marker.len();
    let csrf = html[start..].split('"').next().context("csrf value")?.to_string();
    let response = client
        .post(format!("{base}/login"))
        .header("cookie", cookies.join("; "))
        .form(&[("username", username), ("password", PASSWORD), ("csrf", &csrf), ("next", "/cases")])
        .send()
        .await?;
    cookies.extend(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
            .filter(|c| !c.ends_with('=')),
    );
    Ok(cookies.join("; "))
}

async fn bench_deadlines(common: Common, cases: usize, requests: usize) -> Result<()> {
    let server = start_server(&common).await?;
    let tokens = tokens(&server.base, common.clients).await?;
    eprintln!("filing {cases} cases through the API …");
    let bodies = Arc::new(spread_bodies(cases, common.clients));
    let started = Instant::now();
    let (filed, _) =
        file_until(&server.base, &tokens, bodies.clone(), Arc::new(AtomicBool::new(false)), Some(cases as u64)).await;
    eprintln!("filed {filed} cases in {:.0} s", started.elapsed().as_secs_f64());
    if let Some((admin_url, name)) = &server.drop_database {
        let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).context("postgres url")?;
        let db = sqlx::PgPool::connect(&format!("{base}/{name}")).await?;
        db.execute("ANALYZE").await?;
        db.close().await;
    }
    let cookie = browser_session(&server.base, "bench0").await?;
    let client = reqwest::Client::new();
    let probe: Value = client
        .get(format!("{}/api/v1/deadlines?judge=all", server.base))
        .bearer_auth(&tokens[0])
        .send()
        .await?
        .json()
        .await?;
    println!(
        "court 浙0203: {filed} open cases; open deadlines overdue {}, due within 3 working days {}, within 10 {}",
        probe["totals"]["overdue"], probe["totals"]["due_soon"], probe["totals"]["due_later"]
    );
    let lists: [(&str, &str, bool); 4] = [
        ("API, whole court, 10 days", "/api/v1/deadlines?judge=all", false),
        ("API, one judge, 10 days", "/api/v1/deadlines", false),
        ("page, whole court, 10 days", "/deadlines?judge=all", true),
        ("page, one judge, 10 days", "/deadlines", true),
    ];
    for (label, path, page) in lists {
        for concurrency in [1usize, common.clients] {
            let next = Arc::new(AtomicU64::new(0));
            let mut tasks = Vec::new();
            for c in 0..concurrency {
                let url = format!("{}{path}", server.base);
                let (token, cookie, next) = (tokens[c % tokens.len()].clone(), cookie.clone(), next.clone());
                tasks.push(tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    let mut latencies = Vec::new();
                    let mut first = true;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                        if i >= requests {
                            break;
                        }
                        let request = if page {
                            client.get(&url).header("cookie", &cookie)
                        } else {
                            client.get(&url).bearer_auth(&token)
                        };
                        let started = Instant::now();
                        let response = request.send().await.unwrap();
                        assert!(response.status().is_success(), "{} {}", url, response.status());
                        let body = response.bytes().await.unwrap();
                        let elapsed = started.elapsed().as_micros() as u64;
                        assert!(body.len() > 1000);
                        if !first {
                            latencies.push(elapsed);
                        }
                        first = false;
                    }
                    latencies
                }));
            }
            let mut latencies = Vec::new();
            for t in tasks {
                latencies.extend(t.await?);
            }
            latencies.sort_unstable();
            println!(
                "{label:<28} {concurrency} client(s): p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  ({} requests)",
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.95),
                percentile(&latencies, 0.99),
                latencies.len()
            );
        }
    }
    finish(server).await
}

/// The n-th synthetic citizen id: valid check digit, distinct for distinct n.
fn synthetic_id(n: u64) -> String {
    // 330203 + birth date 1950-01-01 + n/1000 days + 3-digit sequence.
    let base = time::Date::from_calendar_date(1950, time::Month::January, 1).unwrap();
    let day = base + time::Duration::days((n / 1000) as i64 % 25_000);
    let seq = n % 1000;
    let epoch = n / (1000 * 25_000);
    let region = 330203 + epoch * 2;
    let body = format!("{region:06}{:04}{:02}{:02}{seq:03}", day.year(), day.month() as u8, day.day());
    format!("{body}{}", zhixing_core::citizen_id::check_char(&body))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Loads `persons` active restrictions straight into a fresh SQLite
/// database (bulk load, not part of what is measured).
async fn load_restricted(url: &str, persons: usize, user_id: i64) -> Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(url).await?;
    conn.execute("PRAGMA synchronous = OFF; PRAGMA journal_mode = WAL;").await?;
    let per_statement = 400usize;
    let cols = "(court_code, id, case_id, order_id, role, subject_kind, subject_name, id_number, debtor_name, status, issued_on, order_ref, created_at, created_by)";
    let mut n = 0usize;
    while n < persons {
        let mut tx = conn.begin().await?;
        for _ in 0..250 {
            if n >= persons {
                break;
            }
            let rows = per_statement.min(persons - n);
            let values: Vec<String> = (0..rows)
                .map(|_| "(?, ?, ?, ?, 'debtor', 'person', ?, ?, ?, 'active', '2026-01-05', ?, 0, ?)".to_string())
                .collect();
            let sql = format!("INSERT INTO credit_restrictions {cols} VALUES {}", values.join(", "));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for i in n..n + rows {
                let name = format!("被执行人{i}");
                q = q
                    .bind("浙0203")
                    .bind(i as i64 + 1)
                    .bind(i as i64 + 1)
                    .bind(i as i64 + 1)
                    .bind(name.clone())
                    .bind(synthetic_id(i as u64 * 2))
                    .bind(name)
                    .bind(format!("（2026）浙0203执{}号", i + 1))
                    .bind(user_id);
            }
            q.execute(&mut *tx).await?;
            n += rows;
        }
        tx.commit().await?;
        if n % 1_000_000 < 100_000 {
            eprintln!("  loaded {n} …");
        }
    }
    conn.execute("PRAGMA synchronous = FULL;").await?;
    conn.close().await?;
    Ok(())
}

/// Pre-built request bodies: half restricted (even n), half not (odd n).
fn check_batches(persons: usize, batch: usize, count: usize) -> Vec<Vec<u8>> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            let ids: Vec<String> = (0..batch)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    synthetic_id(x % (persons as u64 * 2))
                })
                .collect();
            serde_json::to_vec(&json!({ "id_numbers": ids })).unwrap()
        })
        .collect()
}

async fn redis_command(stream: &mut tokio::net::TcpStream, parts: &[&[u8]]) -> Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut command = format!("*{}\r\n", parts.len()).into_bytes();
    for p in parts {
        command.extend_from_slice(format!("${}\r\n", p.len()).as_bytes());
        command.extend_from_slice(p);
        command.extend_from_slice(b"\r\n");
    }
    stream.write_all(&command).await?;
    // Replies here are a simple value or an array of integers: read until
    // the announced number of lines has arrived.
    let mut reply = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            bail!("redis closed the connection");
        }
        reply.extend_from_slice(&buf[..n]);
        if let Some(end) = reply.iter().position(|b| *b == b'\n') {
            let head = &reply[..end];
            let needed = if head.first() == Some(&b'*') {
                std::str::from_utf8(&head[1..head.len() - 1]).ok().and_then(|v| v.parse::<usize>().ok()).unwrap_or(0)
                    + 1
            } else {
                1
            };
            if reply.iter().filter(|b| **b == b'\n').count() >= needed {
                return Ok(reply);
            }
        }
    }
}

async fn bench_partner(persons: usize, clients: usize, batch: usize, seconds: u64, redis: &str) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite:{}", dir.path().join("bench.sqlite3").display());
    let bin = zhixing_binary()?;
    let run = |args: &[&str], stdin: Option<&str>| -> Result<String> {
        let mut child = Command::new(&bin)
            .args(["--database-url", &url])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().context("stdin")?.write_all(input.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("zhixing {args:?} failed");
        }
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    };
    run(&["migrate"], None)?;
    run(
        &["user", "add", "--username", "bench0", "--role", "judge", "--court", "浙0203", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    )?;
    let out = run(&["partner", "add", "--name", "bench airline"], None)?;
    let token = out
        .lines()
        .find_map(|l| l.split('：').nth(1).filter(|t| t.len() > 30))
        .context("partner token")?
        .trim()
        .to_string();
    let user_id: i64 = {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await?;
        let row: (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'bench0'").fetch_one(&mut conn).await?;
        row.0
    };
    eprintln!("loading {persons} restricted persons …");
    let started = Instant::now();
    load_restricted(&url, persons, user_id).await?;
    eprintln!("loaded in {:.0} s", started.elapsed().as_secs_f64());

    // Start the server; its log reports the index rebuild.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path)?;
    let start = Instant::now();
    let child = Command::new(&bin)
        .args(["--database-url", &url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "info,sqlx=warn,tower_http=warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?;
    let pid = child.id();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        url,
        drop_database: None,
        _dir: tempfile::tempdir()?,
    };
    let client = reqwest::Client::new();
    loop {
        if client.get(format!("{}/healthz", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if start.elapsed() > Duration::from_secs(300) {
            bail!("server did not start");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = start.elapsed().as_secs_f64();
    let log_text = std::fs::read_to_string(&log_path)?;
    let index_line = log_text.lines().find(|l| l.contains("credit index rebuilt")).unwrap_or("").to_string();
    let rss = rss_kib(pid);
    println!("index: {index_line}");
    println!("server ready {ready:.1} s after start ({persons} persons); server RSS {:.0} MiB", rss as f64 / 1024.0);

    let batches = Arc::new(check_batches(persons, batch, 64));
    let url_check = format!("{}/api/v1/partner/restrictions/check", server.base);
    // Sanity: half of a batch is restricted.
    let v: Value = client
        .post(&url_check)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(batches[0].clone())
        .send()
        .await?
        .json()
        .await?;
    let restricted = v["results"].as_array().context("results")?.iter().filter(|r| r["restricted"] == true).count();
    println!("sanity: {restricted} of {batch} identities in a batch restricted (expected about half)");

    let mut rates = Vec::new();
    for round in 0..3 {
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (url, token, batches, stop) = (url_check.clone(), token.clone(), batches.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut ids = 0u64;
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    let r = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(batches[i % batches.len()].clone())
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success());
                    let _ = r.bytes().await.unwrap();
                    ids += batch as u64;
                    i += clients;
                }
                ids
            }));
        }
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let mut total = 0;
        for t in tasks {
            total += t.await?;
        }
        let rate = total as f64 / started.elapsed().as_secs_f64();
        println!("zhixing run {}: {:.0} identities/s ({clients} clients, batches of {batch})", round + 1, rate);
        rates.push(rate);
    }
    let zhixing_rate = median(&mut rates);
    println!("zhixing partner check: median {zhixing_rate:.0} identities/s");

    // Single-identity latency, one client.
    let singles: Vec<Vec<u8>> = check_batches(persons, 1, 2000);
    let mut latencies = Vec::new();
    for body in &singles {
        let t = Instant::now();
        let r = client
            .post(&url_check)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await?;
        let _ = r.bytes().await?;
        latencies.push(t.elapsed().as_micros() as u64);
    }
    latencies.sort_unstable();
    println!(
        "single-identity check: p50 {:.2} ms, p99 {:.2} ms ({} requests, HTTP round trip on localhost)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.len()
    );
    finish(server).await?;

    // Redis: the same membership question on the same batches.
    let Ok(mut conn) = tokio::net::TcpStream::connect(redis).await else {
        println!("redis at {redis} not reachable: comparison skipped");
        return Ok(());
    };
    let key = format!("zx_bench_{}", std::process::id());
    eprintln!("loading {persons} members into redis set {key} …");
    for chunk_start in (0..persons).step_by(10_000) {
        let ids: Vec<String> =
            (chunk_start..(chunk_start + 10_000).min(persons)).map(|i| synthetic_id(i as u64 * 2)).collect();
        let mut parts: Vec<&[u8]> = vec![b"SADD", key.as_bytes()];
        parts.extend(ids.iter().map(|s| s.as_bytes()));
        redis_command(&mut conn, &parts).await?;
    }
    let info = redis_command(&mut conn, &[b"MEMORY", b"USAGE", key.as_bytes(), b"SAMPLES", b"1000"]).await?;
    println!("redis set memory: {}", String::from_utf8_lossy(&info).trim());
    let redis_batches: Arc<Vec<Vec<String>>> = Arc::new(
        batches
            .iter()
            .map(|b| {
                let v: Value = serde_json::from_slice(b).unwrap();
                v["id_numbers"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
            })
            .collect(),
    );
    let mut redis_rates = Vec::new();
    for round in 0..3 {
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (addr, key, batches, stop) = (redis.to_string(), key.clone(), redis_batches.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
                let mut ids = 0u64;
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    let b = &batches[i % batches.len()];
                    let mut parts: Vec<&[u8]> = vec![b"SMISMEMBER", key.as_bytes()];
                    parts.extend(b.iter().map(|s| s.as_bytes()));
                    redis_command(&mut conn, &parts).await.unwrap();
                    ids += b.len() as u64;
                    i += 8;
                }
                ids
            }));
        }
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let mut total = 0;
        for t in tasks {
            total += t.await?;
        }
        let rate = total as f64 / started.elapsed().as_secs_f64();
        println!("redis run {}: {:.0} identities/s", round + 1, rate);
        redis_rates.push(rate);
    }
    let redis_rate = median(&mut redis_rates);
    redis_command(&mut conn, &[b"DEL", key.as_bytes()]).await?;
    println!("redis SMISMEMBER: median {redis_rate:.0} identities/s");
    println!("zhixing / redis = {:.2}", zhixing_rate / redis_rate);
    Ok(())
}

#[path = "../bench_province.rs"]
mod province;

async fn bench_province(common: Common, cases: usize, cross: usize, requests: usize) -> Result<()> {
    let db = create_database(&common).await?;
    zhixing_user(&db.url, "province_command", "command", "浙")?;
    zhixing_user(&db.url, "city_chief", "chief", "浙02")?;
    let command_id = {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await?;
        let row = sqlx::query("SELECT id FROM users WHERE username = 'province_command'").fetch_one(&pool).await?;
        pool.close().await;
        sqlx::Row::try_get::<i64, _>(&row, "id")?
    };
    eprintln!("loading {cases} cases, {cross} cross-enforced …");
    let (seconds, counters) = province::load(&db.url, cases, cross, command_id).await?;
    println!("loaded {cases} cases and {cross} decisions in {seconds:.0} s; {counters} counter rows");
    let server = serve(db).await?;
    let client = reqwest::Client::new();
    let mut token_of = std::collections::HashMap::new();
    for user in ["province_command", "city_chief"] {
        let v: Value = client
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": user, "password": PASSWORD}))
            .send()
            .await?
            .json()
            .await?;
        token_of.insert(user, v["token"].as_str().context("token")?.to_string());
    }
    let cookie = browser_session(&server.base, "province_command").await?;
    let probe: Value = client
        .get(format!("{}/api/v1/dashboard", server.base))
        .bearer_auth(&token_of["province_command"])
        .send()
        .await?
        .json()
        .await?;
    println!(
        "province: {} courts, {} open cases, {} overdue deadlines, {} lines; stats probe follows",
        probe["total"]["courts"],
        probe["total"]["open_cases"],
        probe["total"]["overdue_deadlines"],
        probe["rows"].as_array().map_or(0, |r| r.len())
    );
    let stats: Value = client
        .get(format!("{}/api/v1/cross-enforcement/stats?from=2025-01-01&to=2026-12-31", server.base))
        .bearer_auth(&token_of["province_command"])
        .send()
        .await?
        .json()
        .await?;
    println!(
        "stats 2025–2026: cross-enforced {}, progressed or resolved {} ({}%), recovered {}",
        stats["cross_enforced"], stats["progressed_or_resolved"], stats["share_percent"], stats["recovered"]
    );
    let province_token = Some(token_of["province_command"].clone());
    let checks: Vec<(&str, String, Option<String>, Option<String>)> = vec![
        ("API dashboard, province (浙)", "/api/v1/dashboard".into(), province_token.clone(), None),
        (
            "API dashboard, city (浙02)",
            "/api/v1/dashboard?court=浙02".into(),
            Some(token_of["city_chief"].clone()),
            None,
        ),
        ("page dashboard, province", "/dashboard".into(), None, Some(cookie.clone())),
        (
            "API stats, province, 2 years",
            "/api/v1/cross-enforcement/stats?from=2025-01-01&to=2026-12-31".into(),
            province_token.clone(),
            None,
        ),
        (
            "API stats by court",
            "/api/v1/cross-enforcement/stats?from=2025-01-01&to=2026-12-31&group=court".into(),
            province_token.clone(),
            None,
        ),
        (
            "API candidates, one court",
            "/api/v1/cross-enforcement/candidates?court=浙0203&limit=100".into(),
            Some(token_of["city_chief"].clone()),
            None,
        ),
    ];
    // The unfiltered candidate list reads every case of the area: timed once.
    let started = Instant::now();
    let all = client
        .get(format!("{}/api/v1/cross-enforcement/candidates?limit=100", server.base))
        .bearer_auth(&token_of["province_command"])
        .timeout(Duration::from_secs(600))
        .send()
        .await?;
    let status = all.status();
    let _ = all.bytes().await?;
    println!(
        "API candidates, whole province (one request): {status}, {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    for (label, path, token, cookie) in checks {
        for concurrency in [1usize, common.clients] {
            let (p50, p95, p99) = province::measure(
                format!("{}{path}", server.base),
                token.clone(),
                cookie.clone(),
                requests,
                concurrency,
            )
            .await?;
            println!("{label:<32} {concurrency} client(s): p50 {p50:>7.2} ms  p95 {p95:>7.2} ms  p99 {p99:>7.2} ms");
        }
    }
    finish(server).await
}

#[tokio::main]
async fn main() -> Result<()> {
    match Args::parse().command {
        Bench::Filing { common, seconds, runs } => bench_filing(common, seconds, runs).await,
        Bench::Search { common, cases, requests } => bench_search(common, cases, requests).await,
        Bench::Deadlines { common, cases, requests } => bench_deadlines(common, cases, requests).await,
        Bench::Partner { persons, clients, batch, seconds, redis } => {
            bench_partner(persons, clients, batch, seconds, &redis).await
        }
        Bench::Calc { runs, oracle_runs } => bench_calc(runs, oracle_runs),
        Bench::Province { common, cases, cross, requests } => {
            bench_province(common, cases, cross.unwrap_or(cases / 50), requests).await
        }
        Bench::CrossStats { common, decisions, requests } => bench_cross_stats(common, decisions, requests).await,
    }
}

/// Loads `n` decisions straight into `cross_decisions`: taken by 浙江高院 and
/// its intermediate courts over cases of the basic courts, every form,
/// spread over 2024-01 … 2026-11, about half with progress and money.
async fn load_decisions(url: &str, n: usize, user_id: i64) -> Result<()> {
    use rand::{Rng, SeedableRng};
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let courts: Vec<(String, String)> =
        sqlx::query_as::<_, (String, String)>("SELECT code, level FROM courts WHERE code LIKE '浙%' ORDER BY code")
            .fetch_all(&pool)
            .await?;
    let deciding: Vec<&str> =
        courts.iter().filter(|(_, l)| l == "high" || l == "intermediate").map(|(c, _)| c.as_str()).collect();
    let basic: Vec<&str> = courts.iter().filter(|(_, l)| l == "basic").map(|(c, _)| c.as_str()).collect();
    if deciding.is_empty() || basic.len() < 2 {
        bail!("the court table has no 浙江 hierarchy");
    }
    let forms = [
        "designate",
        "designate",
        "designate",
        "elevate",
        "concentrate",
        "coordinate",
        "supervise",
        "internal",
        "task",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let start = Date::from_calendar_date(2024, time::Month::January, 1)?;
    let cols = "(court_code, id, form, decision_ref, decided_on, original_court, original_case_id, original_case_number, receiving_court, new_case_id, new_case_number, report_by, balance_fen, note, created_at, created_by, progressed, recovered_fen, group_id)";
    let per_statement = 200usize;
    let mut done = 0usize;
    while done < n {
        let rows = per_statement.min(n - done);
        let values: Vec<String> = (0..rows)
            .map(|r| {
                let b = r * 19;
                let p: Vec<String> = (1..=19).map(|i| format!("${}", b + i)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!("INSERT INTO cross_decisions {cols} VALUES {}", values.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in done..done + rows {
            let id = i as i64 + 1;
            let form = forms[rng.random_range(0..forms.len())];
            let original = basic[rng.random_range(0..basic.len())];
            let moves = matches!(form, "designate" | "elevate" | "concentrate");
            let receiving = match form {
                "elevate" => Some(deciding[rng.random_range(0..deciding.len())]),
                "designate" | "concentrate" => Some(
                    basic
                        .iter()
                        .copied()
                        .filter(|c| *c != original)
                        .nth(rng.random_range(0..basic.len() - 1))
                        .unwrap_or(original),
                ),
                _ => None,
            };
            let on = start + time::Duration::days(rng.random_range(0..1060));
            let progressed = rng.random_bool(0.45);
            let recovered: i64 = if rng.random_bool(0.5) { rng.random_range(0..50_000_000) } else { 0 };
            q = q
                .bind(deciding[rng.random_range(0..deciding.len())])
                .bind(id)
                .bind(form)
                .bind(format!("（2026）浙执他{id}号"))
                .bind(zhixing_core::calendar::iso_date(on))
                .bind(original)
                .bind(id)
                .bind(format!("（2025）{original}执{id}号"))
                .bind(receiving)
                .bind(moves.then_some(id + 10_000_000))
                .bind(moves.then(|| format!("（2026）{}执{id}号", receiving.unwrap_or(original))))
                .bind(Option::<String>::None)
                .bind(rng.random_range(0..100_000_000i64))
                .bind("")
                .bind(0i64)
                .bind(user_id)
                .bind(i64::from(progressed))
                .bind(recovered)
                .bind(id);
        }
        q.execute(&pool).await?;
        done += rows;
    }
    if url.starts_with("postgres") {
        pool.execute("ANALYZE cross_decisions").await?;
    }
    pool.close().await;
    Ok(())
}

async fn bench_cross_stats(common: Common, decisions: usize, requests: usize) -> Result<()> {
    let server = start_server(&common).await?;
    let bin = zhixing_binary()?;
    let mut child = Command::new(&bin)
        .args(["--database-url", &server.url, "user", "add", "--username", "zj_command", "--role", "command"])
        .args(["--court", "浙", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    {
        use std::io::Write;
        child.stdin.take().context("stdin")?.write_all(format!("{PASSWORD}\n").as_bytes())?;
    }
    if !child.wait()?.success() {
        bail!("user add failed");
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&server.url).await?;
    let (user_id,): (i64,) =
        sqlx::query_as("SELECT id FROM users WHERE username = 'zj_command'").fetch_one(&pool).await?;
    pool.close().await;
    let started = Instant::now();
    load_decisions(&server.url, decisions, user_id).await?;
    eprintln!("loaded {decisions} decisions in {:.1} s", started.elapsed().as_secs_f64());
    let client = reqwest::Client::new();
    let token = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": "zj_command", "password": PASSWORD}))
        .send()
        .await?
        .json::<Value>()
        .await?["token"]
        .as_str()
        .context("token")?
        .to_string();
    let probe: Value = client
        .get(format!("{}/api/v1/cross-enforcement/stats?from=2024-01-01&to=2026-11-30", server.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    println!(
        "浙江: {} decisions, {} cross-enforced, {} progressed ({}%), {} original courts, {} months",
        probe["decisions"],
        probe["cross_enforced"],
        probe["progressed_or_resolved"],
        probe["share_percent"].as_str().unwrap_or(""),
        probe["by_original_court"].as_array().map_or(0, Vec::len),
        probe["by_month"].as_array().map_or(0, Vec::len),
    );
    let variants = [
        ("all breakdowns, 35 months", "?from=2024-01-01&to=2026-11-30"),
        ("all breakdowns, one year", "?from=2026-01-01&to=2026-11-30"),
        ("by court, CSV", "?from=2024-01-01&to=2026-11-30&group=court&format=csv"),
    ];
    for (label, query) in variants {
        let url = format!("{}/api/v1/cross-enforcement/stats{query}", server.base);
        let mut latencies = Vec::new();
        for i in 0..=requests {
            let started = Instant::now();
            let response = client.get(&url).bearer_auth(&token).send().await?;
            assert!(response.status().is_success(), "{url} {}", response.status());
            response.bytes().await?;
            if i > 0 {
                latencies.push(started.elapsed().as_micros() as u64);
            }
        }
        latencies.sort_unstable();
        println!(
            "{label:<28} p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  ({} requests)",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95),
            percentile(&latencies, 0.99),
            latencies.len()
        );
    }
    finish(server).await
}

/// A heavy statement: 10 obligations with their own deadlines, each bearing
/// floating 1-year-LPR × 1.5 interest, 1,000 payments over five years
/// (2020–2024, through 24 LPR changes), two excluded periods.
fn heavy_statement(payment_count: i64) -> zhixing_core::calc::StatementInput {
    use rust_decimal::Decimal;
    use time::Duration;
    use zhixing_core::calc::lpr::Tenor;
    use zhixing_core::calc::*;
    let start = Date::from_calendar_date(2020, time::Month::January, 1).unwrap();
    let obligations: Vec<Obligation> = (0..10)
        .map(|i| Obligation {
            id: format!("o{i}"),
            kind: if i == 0 { ObligationKind::Costs } else { ObligationKind::Principal },
            amount: Decimal::new(50_000_000 + i * 1_234_567, 2),
            due_on: Some(start + Duration::days(30 * i)),
        })
        .collect();
    let ordinary_interest = obligations
        .iter()
        .map(|o| OrdinaryInterest {
            on: o.id.clone(),
            from: o.due_on.unwrap() + Duration::days(1),
            until: Until::Paid,
            rate: Rate::Lpr {
                tenor: Tenor::OneYear,
                multiplier: Decimal::new(15, 1),
                plus_percent: Decimal::ZERO,
                mode: LprMode::Floating,
            },
            day_basis: 365,
        })
        .collect();
    let payments = (0..payment_count)
        .map(|i| Payment {
            on: start + Duration::days(40 + i * 1780 / payment_count),
            amount: Decimal::new((300_000 + (i % 7) * 100_000) * 1000 / payment_count, 2),
        })
        .collect();
    StatementInput {
        document_effective_on: start,
        as_of: Date::from_calendar_date(2024, time::Month::December, 31).unwrap(),
        currency: "CNY".into(),
        conversion: None,
        obligations,
        ordinary_interest,
        payments,
        excluded_periods: vec![
            Period {
                from: Date::from_calendar_date(2021, time::Month::March, 1).unwrap(),
                to: Date::from_calendar_date(2021, time::Month::May, 31).unwrap(),
            },
            Period {
                from: Date::from_calendar_date(2023, time::Month::July, 1).unwrap(),
                to: Date::from_calendar_date(2023, time::Month::July, 20).unwrap(),
            },
        ],
        allocation: AllocationPolicy::CostsInterestPrincipal,
        lpr_beyond_table: LprBeyondTable::Refuse,
    }
}

fn bench_calc(runs: usize, oracle_runs: usize) -> Result<()> {
    use zhixing_core::calc::lpr::LprTable;
    use zhixing_core::calc::{compute, reference};
    let table = LprTable::new(LprTable::parse_csv(zhixing::app::LPR_CSV)?);
    let time = |n: usize, f: &dyn Fn()| -> f64 {
        let mut samples: Vec<f64> = (0..n.max(1))
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        median(&mut samples)
    };
    for payments in [1000, 20] {
        let input = heavy_statement(payments);
        input.validate(&table).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let statement = compute(&input, &table);
        let oracle = reference::day_by_day(&input, &table);
        let same = (statement.outstanding_total()
            - (oracle.outstanding_obligations + oracle.ordinary_owed + oracle.delay_owed))
            .abs()
            < "0.000001".parse::<rust_decimal::Decimal>()?;
        let fast = time(runs, &|| {
            std::hint::black_box(compute(std::hint::black_box(&input), &table));
        });
        let slow = time(oracle_runs, &|| {
            std::hint::black_box(reference::day_by_day(std::hint::black_box(&input), &table));
        });
        println!(
            "statement: 10 obligations with floating-LPR interest, {payments} payments, 2020–2024 ({} steps): engine median {fast:.3} ms ({runs} runs); day-by-day oracle median {slow:.2} ms ({oracle_runs} runs); oracle/engine {:.1}×; totals agree: {same}",
            statement.steps.len(),
            slow / fast
        );
    }
    Ok(())
}
