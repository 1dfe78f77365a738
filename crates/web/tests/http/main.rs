//! Black-box tests against the real router on a real socket, on SQLite and
//! on PostgreSQL (one test body each, see `zhixing_store::backend_tests!`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod browser;
mod calc;
mod credit;
mod cross;
mod dashboard;
mod seizures;
mod ui;
mod workflow;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhixing_core::access::{Role, Username};
use zhixing_core::court::CourtCode;
use zhixing_store::testing::seed_courts;
use zhixing_store::{NewUser, Store};
use zhixing_web::{AppState, Clock, WebConfig};

pub const PASSWORD: &str = "correct horse battery";

/// 2026-11-27 10:00 in China (02:00 UTC).
pub const T0: i64 = 1_795_744_800_000;

pub struct TestClock(AtomicI64);

impl TestClock {
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Users of the test courts: (username, role, court).
pub const USERS: &[(&str, Role, &str)] = &[
    ("hs_judge", Role::Judge, "浙0203"),
    ("hs_chief", Role::Chief, "浙0203"),
    ("hs_clerk", Role::Clerk, "浙0203"),
    ("hs_assistant", Role::Assistant, "浙0203"),
    ("hs_command", Role::Command, "浙0203"),
    ("yz_judge", Role::Judge, "浙0212"),
    ("xh_judge", Role::Judge, "浙0106"),
    ("nb_chief", Role::Chief, "浙02"),
    ("nb_command", Role::Command, "浙02"),
    ("zj_admin", Role::Admin, "浙"),
];

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| zhixing_web::auth::hash_password(PASSWORD).unwrap())
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<TestClock>,
    pub state: Arc<AppState>,
    pub store: Store,
}

impl TestApp {
    pub async fn spawn(store: Store) -> TestApp {
        seed_courts(&store).await;
        for (username, role, court) in USERS {
            store
                .create_user(
                    &NewUser {
                        username: Username::parse(username).unwrap(),
                        display_name: format!("{username}名"),
                        role: *role,
                        court: CourtCode::parse(court).unwrap(),
                        password_hash: password_hash().to_string(),
                    },
                    T0,
                )
                .await
                .unwrap();
        }
        let fixings = zhixing_core::calc::lpr::LprTable::parse_csv(include_str!("../../../../data/lpr.csv")).unwrap();
        store.upsert_lpr(&fixings, T0).await.unwrap();
        let calendar =
            zhixing_core::calendar::WorkCalendar::parse_csv(include_str!("../../../../data/calendar.csv")).unwrap();
        store.upsert_calendar(&calendar).await.unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(T0)));
        let config = WebConfig { max_body_bytes: 64 * 1024, ..WebConfig::default() };
        let state = AppState::new(store.clone(), clock.clone(), config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(zhixing_web::serve(listener, state.clone(), std::future::pending()));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base, client, clock, state, store }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "login of {username}");
        response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let response = self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        read(response).await
    }

    pub async fn send(&self, method: reqwest::Method, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let response = self.client.request(method, self.url(path)).bearer_auth(token).json(body).send().await.unwrap();
        read(response).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, token, path, body).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PATCH, token, path, body).await
    }

    pub async fn case_count(&self) -> i64 {
        self.store.scalar_for_tests("SELECT COUNT(*) FROM cases").await.unwrap()
    }
}

pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, value)
}

/// A valid case body; `n` makes parties distinct.
pub fn case_body(n: u32) -> Value {
    json!({
        "case_type": "执",
        "filed_on": "2026-11-20",
        "basis": {
            "issuing_body": "宁波市海曙区人民法院",
            "document_number": "(2026)浙0203民初1234号",
            "document_type": "判决书",
            "effective_on": "2026-09-01",
            "performance_due_on": "2026-09-11",
            "operative_text": "一、被告于本判决生效之日起十日内支付原告货款100000元；\n二、案件受理费2300元由被告负担。"
        },
        "parties": [
            {"role": "applicant", "kind": "person", "name": format!("申请人{n}号"), "id_number": zhixing_store::testing::citizen_id(n)},
            {"role": "respondent", "kind": "organization", "name": format!("宁波第{n}贸易有限公司"),
             "id_number": zhixing_store::testing::credit_code(n), "legal_representative": "李四", "address": "宁波市海曙区中山西路1号"}
        ],
        "claims": [
            {"kind": "principal", "amount": "100000.00", "description": "货款"},
            {"kind": "costs", "amount": "2300"}
        ]
    })
}

/// Asserts the error shape and returns it.
pub fn assert_error(status: StatusCode, body: &Value, expected_status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    match field {
        Some(field) => assert_eq!(body["error"]["field"], field, "{body}"),
        None => assert!(body["error"]["field"].is_null(), "{body}"),
    }
}
