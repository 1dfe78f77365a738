//! Seizures and the receiving-court suggestion over HTTP on both backends.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhixing_store::Store;

use crate::ui::Browser;
use crate::{TestApp, assert_error, case_body};

zhixing_store::backend_tests! {
    seizures_are_recorded_renewed_and_released,
    suggestions_rank_the_court_where_the_property_lies,
}

fn deposit() -> Value {
    json!({
        "kind": "bank_deposit",
        "property": "宁波银行账户 6222 0001",
        "holder": "宁波银行海曙支行",
        "amount": "50000.00",
        "seized_on": "2026-11-21",
        "expires_on": "2027-11-21"
    })
}

async fn seizures_are_recorded_renewed_and_released(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let (s, case) = app.post(&judge, "/api/v1/cases", &case_body(1)).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let path = format!("/api/v1/cases/{}/seizures", case["id"]);

    // Bad input: a message, a stable code and the field; nothing stored.
    let mut no_amount = deposit();
    no_amount["amount"] = Value::Null;
    let (s, e) = app.post(&judge, &path, &no_amount).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("amount"));
    let mut too_long = deposit();
    too_long["expires_on"] = json!("2027-11-22");
    let (s, e) = app.post(&judge, &path, &too_long).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "term_too_long", Some("expires_on"));
    assert!(e["error"]["message"].as_str().unwrap().contains("第四百八十五条"), "{e}");
    let mut elsewhere = deposit();
    elsewhere["location_court"] = json!("浙0206");
    let (s, e) = app.post(&judge, &path, &elsewhere).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "unknown_court", Some("location_court"));
    let (s, e) = app.post(&judge, &path, &json!({"kind": "ship", "priority": "first"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(app.store.scalar_for_tests("SELECT COUNT(*) FROM case_seizures").await.unwrap(), 0);

    let (s, d) = app.post(&judge, &path, &deposit()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!((d["priority"].as_u64(), d["priority_label"].as_str()), (Some(1), Some("首封")));
    assert_eq!(
        (d["amount"].as_str(), d["days_left"].as_i64(), d["renewal_due"].as_bool()),
        (Some("50000.00"), Some(359), Some(false))
    );
    assert_eq!(d["latest_renewal"], "2028-11-21");
    let mut house = json!({"kind": "real_estate", "property": "鄞州区天童南路1号房产", "holder": "宁波市不动产登记中心",
        "location_court": "浙0212", "seized_on": "2024-12-01", "expires_on": "2026-12-20", "priority": 2});
    let (s, h) = app.post(&judge, &path, &house).await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    assert_eq!((h["priority_label"].as_str(), h["renewal_due"].as_bool()), (Some("轮候第2顺位"), Some(true)));
    assert_eq!(h["location_court_name"], "宁波市鄞州区人民法院");

    // Who may act: the higher court reads only, another court sees nothing.
    let chief = app.token("nb_chief").await;
    let (s, list) = app.get(&chief, &path).await;
    assert_eq!((s, list.as_array().unwrap().len()), (StatusCode::OK, 2));
    let (s, e) = app.post(&chief, &path, &deposit()).await;
    assert_error(s, &e, StatusCode::FORBIDDEN, "forbidden", None);
    let yz = app.token("yz_judge").await;
    let (s, _) = app.get(&yz, &path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // 续行: within three years of the current expiry for real estate.
    let renewal = format!("{path}/{}/renewal", h["id"]);
    let (s, e) = app.post(&judge, &renewal, &json!({"on": "2026-11-27", "expires_on": "2029-12-21"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "seizure_refused", None);
    assert!(e["error"]["missing"][0]["rule"].as_str().unwrap().contains("第四百八十五条"), "{e}");
    let (s, e) = app.post(&judge, &renewal, &json!({"on": "2026-11-28", "expires_on": "2029-12-20"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future", Some("on"));
    let (s, r) = app
        .post(
            &judge,
            &renewal,
            &json!({"on": "2026-11-27", "expires_on": "2029-12-20", "note": "（2026）浙0203执1号之三"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["expires_on"].as_str(), r["renewal_due"].as_bool()), (Some("2029-12-20"), Some(false)));
    assert_eq!(r["history"][1]["action"], "renewed");

    // 解除, once.
    let release = format!("{path}/{}/release", d["id"]);
    let (s, r) = app.post(&judge, &release, &json!({"on": "2026-11-27", "note": "已履行"})).await;
    assert_eq!(
        (s, r["status"].as_str(), r["released_on"].as_str()),
        (StatusCode::OK, Some("released"), Some("2026-11-27"))
    );
    let (s, e) = app.post(&judge, &release, &json!({"on": "2026-11-27"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "seizure_refused", None);
    let (s, _) = app.post(&judge, &format!("{path}/999/release"), &json!({"on": "2026-11-27"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The case page: the list with 首封/轮候, days left, and the form; a form error comes back with the rule.
    let mut browser = Browser::new(&app);
    browser.login("hs_judge").await;
    let page = browser.get(&format!("/cases/{}", case["id"])).await;
    assert!(page.body.contains("查封、扣押、冻结") && page.body.contains("轮候第2顺位"), "{}", page.body);
    assert!(page.body.contains("剩余1119天") && page.body.contains("已解除"));
    let csrf = page.input("csrf");
    let id = case["id"].to_string();
    let form = |expires: &'static str| {
        [
            ("csrf", csrf.as_str()),
            ("kind", "movables"),
            ("property", "小型轿车浙B12345"),
            ("holder", "宁波市公安局交通警察支队"),
            ("location_court", "浙0212"),
            ("seized_on", "2026-11-26"),
            ("expires_on", expires),
            ("priority", "1"),
        ]
    };
    let page = browser.post(&format!("/cases/{id}/seizures"), &form("2028-11-27")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("不得超过二年") && page.body.contains("小型轿车浙B12345"), "the input is kept");
    let page = browser.post(&format!("/cases/{id}/seizures"), &form("2028-11-26")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = browser.get(page.location.as_deref().unwrap()).await;
    assert!(page.body.contains("查封、扣押、冻结记录已更新") && page.body.contains("小型轿车浙B12345"));
    house["priority"] = json!(0);
    let (s, e) = app.post(&judge, &path, &house).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "invalid_priority", Some("priority"));
}

async fn suggestions_rank_the_court_where_the_property_lies(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let command = app.token("nb_command").await;
    let mut body = case_body(1);
    body["handling_judge"] = json!("hs_judge");
    let (_, case) = app.post(&judge, "/api/v1/cases", &body).await;
    let path = format!("/api/v1/cases/{}/seizures", case["id"]);
    let house = json!({"kind": "real_estate", "property": "鄞州区天童南路1号房产", "holder": "宁波市不动产登记中心",
        "location_court": "浙0212", "seized_on": "2026-11-21", "expires_on": "2029-11-21"});
    let (s, h) = app.post(&judge, &path, &house).await;
    assert_eq!(s, StatusCode::CREATED, "{h}");

    let url = format!("/api/v1/cross-enforcement/suggestions?case_id={}", case["id"]);
    let (s, e) = app.get(&judge, &url).await;
    assert_error(s, &e, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, list) = app.get(&command, &url).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list[0]["court"], "浙0212", "{list:?}");
    assert_eq!((list[0]["rank"].as_u64(), list[0]["assets_here"].as_bool()), (Some(1), Some(true)));
    assert!(list[0]["reason"].as_str().unwrap().starts_with("已查封、扣押、冻结的财产1项在本院辖区"), "{list:?}");
    assert!(list.iter().all(|s| s["court"] != "浙0203"), "the case's own court is not a receiver");
    // 宁波中院 itself: the debtor's address (宁波市海曙区…) lies in 宁波市.
    let nb = list.iter().find(|s| s["court"] == "浙02").unwrap();
    assert_eq!(nb["debtor_here"], true);
    let (s, e) = app.get(&command, &format!("{url}&court=浙0203")).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "no_courts_beneath", Some("court"));
    let (s, e) = app.get(&command, &format!("{url}&court=浙01")).await;
    assert_error(s, &e, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, e) = app.get(&command, "/api/v1/cross-enforcement/suggestions").await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("case_id"));
    let (s, e) = app.get(&command, "/api/v1/cross-enforcement/suggestions?case_id=12345").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

    // The command page preselects the first suggestion for the candidate.
    let (s, _) = app
        .post(&judge, &format!("/api/v1/cases/{}/petitions", case["id"]), &json!({"petitioner": "申请人1号", "received_on": "2026-11-26", "complaint": "未执行", "leads": "鄞州有房产"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut browser = Browser::new(&app);
    browser.login("nb_command").await;
    let page = browser.get("/cross").await;
    assert!(page.body.contains("<option value=\"浙0212\" selected>"), "{}", page.body);
    assert!(page.body.contains("建议受理：宁波市鄞州区人民法院（已查封、扣押、冻结的财产1项在本院辖区"));

    // A deposit with less than a month left refuses the 指令执行 until it is renewed (WT art 6).
    let (s, d) = app
        .post(
            &judge,
            &path,
            &json!({"kind": "bank_deposit", "property": "账户 1", "holder": "宁波银行", "amount": "1000",
            "seized_on": "2025-12-10", "expires_on": "2026-12-10"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let decision = json!({"form": "designate", "case_id": case["id"], "receiving_court": "浙0212", "decision_ref": "（2026）浙02执他9号", "decided_on": "2026-11-27"});
    let (s, e) = app.post(&command, "/api/v1/cross-enforcement/decisions", &decision).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "cross_refused", None);
    assert_eq!(e["error"]["missing"].as_array().unwrap().len(), 1, "{e}");
    assert!(e["error"]["missing"][0]["item"].as_str().unwrap().contains("账户 1"));
    assert!(e["error"]["missing"][0]["rule"].as_str().unwrap().contains("委托执行若干问题的规定》第六条"));
    let (_, original) = app.get(&judge, &format!("/api/v1/cases/{}", case["id"])).await;
    assert_ne!(original["status"], "closed", "nothing written");
    let (s, _) = app
        .post(&judge, &format!("{path}/{}/renewal", d["id"]), &json!({"on": "2026-11-27", "expires_on": "2027-12-10"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, moved) = app.post(&command, "/api/v1/cross-enforcement/decisions", &decision).await;
    assert_eq!(s, StatusCode::CREATED, "{moved}");
    let yz = app.token("yz_judge").await;
    let (s, list) = app.get(&yz, &format!("/api/v1/cases/{}/seizures", moved["new_case_id"])).await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|s| s["moved_from"]["case_number"] == original["case_number"] && s["status"] == "active"));
    let (_, left) = app.get(&judge, &path).await;
    assert!(left.as_array().unwrap().iter().all(|s| s["status"] == "transferred"));
    let mut yz_browser = Browser::new(&app);
    yz_browser.login("yz_judge").await;
    let page = yz_browser.get(&format!("/cases/{}", moved["new_case_id"])).await;
    assert!(page.body.contains(&format!("随案移交自{}", original["case_number"].as_str().unwrap())), "{}", page.body);
}
