//! The command dashboard over HTTP on both backends.

use reqwest::StatusCode;
use serde_json::json;
use zhixing_store::Store;

use crate::ui::Browser;
use crate::{TestApp, assert_error, case_body};

zhixing_store::backend_tests! {
    dashboard_scoping_indicators_and_posts,
}

async fn dashboard_scoping_indicators_and_posts(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let command = app.token("nb_command").await;
    let admin = app.token("zj_admin").await;
    for n in 1..=3 {
        let mut body = case_body(n);
        body["handling_judge"] = json!("hs_judge");
        let (s, c) = app.post(&judge, "/api/v1/cases", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
    }

    // Scoping: a judge has no dashboard; a city court sees itself and beneath, not 杭州.
    let (s, body) = app.get(&judge, "/api/v1/dashboard").await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, body) = app.get(&command, "/api/v1/dashboard?court=浙01").await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, body) = app.get(&command, "/api/v1/dashboard?court=浙99").await;
    assert_error(s, &body, StatusCode::UNPROCESSABLE_ENTITY, "unknown_court", Some("court"));
    let (s, d) = app.get(&command, "/api/v1/dashboard").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["court"], "浙02");
    let rows = d["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["court"], "浙0203");
    assert_eq!(rows[0]["open_cases"], 3);
    assert_eq!(rows[0]["officers"], 2, "hs_judge and hs_assistant");
    assert_eq!(rows[0]["open_cases_per_officer"], "1.5");
    assert_eq!(d["total"]["open_cases"], 3);
    assert_eq!(d["indicators"].as_array().unwrap().len(), 4);
    assert!(rows[0]["indicators"][0]["value"].is_null(), "no case closed: no 执行完毕率");
    assert_eq!(rows[0]["posts"][0]["post"], "chief");
    assert_eq!(rows[0]["posts"][0]["unrecorded"], true);
    let (s, drill) = app.get(&command, "/api/v1/dashboard?court=浙0203").await;
    assert_eq!(s, StatusCode::OK);
    assert!(drill["rows"].as_array().unwrap().is_empty() && drill["own"].is_null());
    assert_eq!(drill["total"]["open_cases"], 3);

    // Posts: recorded by the higher court; a vacancy is flagged with its length.
    let (s, post) = app
        .send(reqwest::Method::PUT, &command, "/api/v1/courts/浙0203/posts/chief", &json!({"since": "2025-05-27"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{post}");
    assert_eq!((post["vacant"].clone(), post["vacant_months"].clone()), (json!(true), json!(18)));
    let (s, body) =
        app.send(reqwest::Method::PUT, &command, "/api/v1/courts/浙0203/posts/mayor", &json!({"holder": "甲"})).await;
    assert_error(s, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_post", Some("post"));
    let (s, body) =
        app.send(reqwest::Method::PUT, &command, "/api/v1/courts/浙0106/posts/chief", &json!({"holder": "甲"})).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden", None);

    // Indicators: only an administrator publishes a version; bad definitions name the field.
    let def = json!({"code": "completion_rate", "name": "执行完毕率", "numerator": "closed_completed", "denominator": "closed", "case_types": ["执"], "period": "rolling_12_months", "unit": "percent", "note": "含移送结案"});
    let (s, body) = app.post(&command, "/api/v1/indicators", &def).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden", None);
    let mut bad = def.clone();
    bad["denominator"] = json!("open_cases");
    let (s, body) = app.post(&admin, "/api/v1/indicators", &bad).await;
    assert_error(s, &body, StatusCode::UNPROCESSABLE_ENTITY, "indicator_metric", Some("denominator"));
    let (s, stored) = app.post(&admin, "/api/v1/indicators", &def).await;
    assert_eq!(s, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["version"], 2);
    let (_, d) = app.get(&command, "/api/v1/dashboard").await;
    assert_eq!(d["indicators"][0]["version"], 2);
    assert_eq!(d["indicators"][0]["period"], "rolling_12_months");
    let (_, list) = app.get(&judge, "/api/v1/indicators").await;
    assert_eq!(list["versions"].as_array().unwrap().len(), 1);

    // The page: one line per court, drill-down links, the vacancy.
    let mut browser = Browser::new(&app);
    browser.login("nb_command").await;
    let page = browser.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("指挥看板 · 浙江省宁波市中级人民法院"), "{}", page.body);
    assert!(page.body.contains("href=\"/dashboard?court=浙0203\""));
    let page = browser.get("/dashboard?court=浙0203").await;
    assert!(page.body.contains("执行局长空缺 18 个月"), "{}", page.body);
    assert!(page.body.contains("返回上一级"));
    let csrf = page.input("csrf");
    let done = browser
        .post(
            "/dashboard/posts",
            &[("csrf", &csrf), ("court", "浙0203"), ("post", "chief"), ("holder", "王五"), ("since", "2026-11-01")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = browser.get("/dashboard?court=浙0203").await;
    assert!(page.body.contains("执行局长：王五（2026-11-01 起）"), "{}", page.body);
}
