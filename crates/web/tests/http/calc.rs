use reqwest::StatusCode;
use serde_json::{Value, json};
use zhixing_store::Store;

use crate::ui::Browser;
use crate::{TestApp, assert_error, case_body, read};

zhixing_store::backend_tests! {
    statements_follow_the_digest_and_show_their_steps,
    bad_statement_input_names_the_field,
    fees_follow_the_tiers,
    the_case_page_calculates,
}

fn example_6() -> Value {
    // legal-rules-a.md §5.1 example 6: 100,000 due 2024-03-31, paid 2024-06-30, ordinary interest 3.45%/365.
    json!({
        "document_effective_on": "2024-03-15", "as_of": "2024-06-30", "currency": "CNY",
        "obligations": [{"id": "p", "kind": "principal", "amount": "100000.00", "due_on": "2024-03-31"}],
        "ordinary_interest": [{"on": "p", "from": "2024-04-01", "until": "paid", "rate": {"fixed_annual_percent": "3.45"}, "day_basis": 365}],
        "payments": [],
        "excluded_periods": [],
        "policy": {"allocation": "costs_interest_principal"}
    })
}

async fn statements_follow_the_digest_and_show_their_steps(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let (status, s) = app.post(&token, "/api/v1/calc/statement", &example_6()).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["accrued"]["ordinary_interest"], "860.14");
    assert_eq!(s["accrued"]["delay_interest"], "1592.50");
    assert_eq!(s["outstanding"]["total"], "102452.64");

    // A fuller case: costs, floating LPR × 1.5, a payment, an excluded period.
    let body = json!({
        "document_effective_on": "2024-03-15", "as_of": "2024-08-31",
        "obligations": [
            {"id": "p", "kind": "principal", "amount": "100000.00", "due_on": "2024-03-31"},
            {"id": "c", "kind": "costs", "amount": "2300", "due_on": "2024-03-31"}
        ],
        "ordinary_interest": [{"on": "p", "from": "2024-04-01", "until": "paid",
            "rate": {"lpr": "1y", "multiplier": "1.5", "plus_percent": "0", "mode": "floating"}, "day_basis": 365}],
        "payments": [{"on": "2024-05-10", "amount": "40000"}],
        "excluded_periods": [{"from": "2024-04-10", "to": "2024-04-20"}],
        "policy": {"allocation": "costs_interest_principal"}
    });
    let (status, s) = app.post(&token, "/api/v1/calc/statement", &body).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    insta::assert_json_snapshot!("statement_steps", s["steps"]);
    insta::assert_json_snapshot!(
        "statement_totals",
        json!({"outstanding": s["outstanding"], "accrued": s["accrued"], "paid": s["paid"], "obligations": s["obligations"]})
    );

    // Without logging in: nothing.
    let (status, _) = read(app.client.post(app.url("/api/v1/calc/statement")).json(&body).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn bad_statement_input_names_the_field(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = example_6();
        f(&mut body);
        body
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (with(&|b| b["ordinary_interest"][0]["on"] = json!("x")), "unknown_obligation", "ordinary_interest[0].on"),
        (
            with(&|b| b["payments"] = json!([{"on": "2024-07-01", "amount": "1"}])),
            "payment_after_as_of",
            "payments[0].on",
        ),
        (with(&|b| b["obligations"][0]["amount"] = json!("-5")), "invalid_amount", "obligations[0].amount"),
        (with(&|b| b["policy"]["allocation"] = json!("pro_rata")), "invalid_policy", "policy.allocation"),
        (
            with(&|b| {
                b["ordinary_interest"][0]["from"] = json!("2019-01-01");
                b["ordinary_interest"][0]["rate"] = json!({"lpr": "1y", "multiplier": "1", "mode": "fixed_at_start"});
            }),
            "no_lpr_fixing",
            "ordinary_interest[0].from",
        ),
        (
            with(&|b| b["ordinary_interest"][0]["rate"] = json!({"fixed_annual_percent": "3", "lpr": "1y"})),
            "invalid_rate",
            "ordinary_interest[0].rate",
        ),
        (with(&|b| b["as_of"] = json!("2024-02-30")), "invalid_date", "as_of"),
        (with(&|b| b["obligations"][0]["amount"] = json!(100000)), "invalid_body", "obligations[0].amount"),
    ];
    for (body, code, field) in cases {
        let (status, error) = app.post(&token, "/api/v1/calc/statement", &body).await;
        assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, code, Some(field));
    }
}

async fn fees_follow_the_tiers(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_clerk").await;
    for (kind, amount, fee) in [
        ("execution", "200000", "2900.00"),
        ("execution", "20000000", "87400.00"),
        ("preservation", "300000", "2020.00"),
        ("preservation", "1000000", "5000.00"),
    ] {
        let (status, body) = app.get(&token, &format!("/api/v1/calc/fee?kind={kind}&amount={amount}")).await;
        assert_eq!((status, body["fee"].as_str()), (StatusCode::OK, Some(fee)), "{kind} {amount}: {body}");
    }
    let (_, none) = app.get(&token, "/api/v1/calc/fee?kind=execution").await;
    assert_eq!((none["fee"].as_str(), none["fee_max"].as_str()), (Some("50.00"), Some("500.00")));
    let (status, body) = app.get(&token, "/api/v1/calc/fee?kind=appeal&amount=1").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_kind", Some("kind"));
    let (status, body) = app.get(&token, "/api/v1/calc/fee?kind=execution&amount=-1").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount", Some("amount"));
}

async fn the_case_page_calculates(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let (_, case) = app.post(&token, "/api/v1/cases", &case_body(1)).await;
    let mut browser = Browser::new(&app);
    browser.login("hs_judge").await;
    let page = browser.get(&format!("/cases/{}/calc", case["id"])).await;
    assert_eq!(page.status, StatusCode::OK);
    // Prefilled from the case: the claims and the document's dates.
    assert!(page.body.contains("value=\"100000.00\"") && page.body.contains("value=\"2300.00\""));
    assert!(page.body.contains("name=\"o0_due\" value=\"2026-09-11\""));
    assert!(page.body.contains("name=\"effective_on\" value=\"2026-09-01\""));

    let csrf = page.input("csrf");
    let fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("action", "compute"),
        ("effective_on", "2026-09-01"),
        ("as_of", "2026-11-27"),
        ("currency", "CNY"),
        ("allocation", "costs_interest_principal"),
        ("o_count", "2"),
        ("o0_id", "1"),
        ("o0_kind", "principal"),
        ("o0_amount", "100000.00"),
        ("o0_due", "2026-09-11"),
        ("o1_id", "2"),
        ("o1_kind", "costs"),
        ("o1_amount", "2300.00"),
        ("o1_due", "2026-09-11"),
        ("r_count", "1"),
        ("r0_on", ""),
        ("y_count", "1"),
        ("y0_on", "2026-10-08"),
        ("y0_amount", "50000"),
        ("x_count", "1"),
        ("x0_from", ""),
        ("x0_to", ""),
    ];
    let result = browser.post(&format!("/cases/{}/calc", case["id"]), &fields).await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    let start = result.body.find("<article class=\"statement\">").unwrap();
    let end = result.body.find("</article>").unwrap();
    insta::assert_snapshot!("calc_statement_page", &result.body[start..end]);

    // An error is named in words, and nothing else happens.
    let mut bad = fields.clone();
    bad.retain(|(k, _)| *k != "y0_on");
    bad.push(("y0_on", "2026-12-01"));
    let page = browser.post(&format!("/cases/{}/calc", case["id"]), &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("第1笔付款·on：付款日期晚于计算截止日"), "{}", page.body);
}
