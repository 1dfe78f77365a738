//! The binary end to end: CLI user creation, `serve`, a filing burst cut
//! short by SIGKILL, and a restart. After the kill the database holds only
//! whole cases — each numbered, with its parties, claims and log — every
//! acknowledged filing is there, and numbering continues without a gap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::CourtCode;
use zhixing_store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_zhixing");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn cli(data_dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(data_dir: &std::path::Path, port: u16) -> Server {
    let child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not come up");
}

async fn token(port: u16) -> String {
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&json!({"username": "hs_judge", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

fn body(n: u32) -> Value {
    let raw = zhixing_store::testing::sample_raw_case(n, "2026-01-20");
    json!({
        "case_type": "执",
        "filed_on": "2026-01-20",
        "basis": {
            "issuing_body": raw.basis.issuing_body, "document_number": raw.basis.document_number,
            "document_type": raw.basis.document_type, "effective_on": raw.basis.effective_on,
            "performance_due_on": raw.basis.performance_due_on, "operative_text": raw.basis.operative_text
        },
        "parties": raw.parties.iter().map(|p| json!({
            "role": p.role, "kind": p.kind, "name": p.name, "id_number": p.id_number, "legal_representative": p.legal_representative
        })).collect::<Vec<_>>(),
        "claims": [{"kind": "principal", "amount": "1000.00"}, {"kind": "costs", "amount": "50"}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_a_filing_burst_leaves_only_whole_cases() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    // Administration through the CLI.
    let out = cli(data, &["migrate"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(
        data,
        &["user", "add", "--username", "hs_judge", "--role", "judge", "--court", "浙0203", "--password"],
        None,
    );
    assert!(!out.status.success(), "passwords are never taken from the command line");
    let out = cli(
        data,
        &["user", "add", "--username", "hs_judge", "--role", "judge", "--court", "浙0203", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!out.status.success(), "password policy");
    let out = cli(
        data,
        &[
            "user",
            "add",
            "--username",
            "hs_judge",
            "--role",
            "judge",
            "--court",
            "浙0203",
            "--display-name",
            "王法官",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(
        data,
        &["user", "add", "--username", "x_judge", "--role", "judge", "--court", "浙9999", "--password-stdin"],
        Some("a long enough password\n"),
    );
    assert!(!out.status.success(), "unknown court");

    let port = free_port();
    let mut server = start(data, port).await;
    let token = token(port).await;
    let acked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..8u32 {
        let (token, acked, sent) = (token.clone(), acked.clone(), sent.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..10_000u32 {
                sent.fetch_add(1, Ordering::SeqCst);
                let result = client
                    .post(format!("http://127.0.0.1:{port}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&body(w * 10_000 + i))
                    .send()
                    .await;
                match result {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        let v: Value = r.json().await.unwrap_or_default();
                        if let Some(n) = v["case_number"].as_str() {
                            acked.lock().unwrap().push(n.to_string());
                        }
                    }
                    _ => return,
                }
            }
        }));
    }
    // Let the burst run, then kill the server mid-flight.
    while acked.lock().unwrap().len() < 150 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(sent.load(Ordering::SeqCst) > acked.len(), "some filings were in flight when the server died");

    // Inspect the database directly.
    let url = format!("sqlite:{}", data.join("zhixing.sqlite3").display());
    let store = Store::open(&url).await.unwrap();
    let court = CourtCode::parse("浙0203").unwrap();
    let serials = store.issued_serials(&court, 2026, EnforcementType::First).await.unwrap();
    let n = serials.len() as i64;
    assert_eq!(serials, (1..=n).collect::<Vec<_>>(), "numbers are consecutive, no gaps or duplicates");
    assert!(n >= acked.len() as i64);
    assert_eq!(store.count_unnumbered_cases().await.unwrap(), 0);
    assert_eq!(
        store.scalar_for_tests("SELECT COUNT(*) FROM case_parties").await.unwrap(),
        2 * n,
        "every case has its parties"
    );
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM case_claims").await.unwrap(), 2 * n);
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM case_audit").await.unwrap(), n);
    assert_eq!(store.scalar_for_tests("SELECT COUNT(DISTINCT case_id) FROM case_search_terms").await.unwrap(), n);
    assert_eq!(store.text_for_tests("PRAGMA integrity_check").await.unwrap(), "ok");
    for number in &acked {
        let page = store
            .search_cases(
                std::slice::from_ref(&court),
                &zhixing_store::CaseQuery { text: Some(number.clone()), page: 1, ..Default::default() },
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1, "acknowledged {number} is stored");
    }
    store.close().await;

    // Restart: data survived and numbering continues.
    let server = start(data, port).await;
    let token = self::token(port).await;
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/cases"))
        .bearer_auth(&token)
        .json(&body(99_999))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["case_number"], format!("（2026）浙0203执{}号", n + 1));
    drop(server);
}
