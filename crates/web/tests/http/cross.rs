//! 交叉执行 over HTTP on both backends.

use reqwest::StatusCode;
use serde_json::json;
use zhixing_store::Store;

use crate::{TestApp, assert_error, case_body};

zhixing_store::backend_tests! {
    candidates_decision_outcome_review_and_statistics,
}

async fn candidates_decision_outcome_review_and_statistics(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let command = app.token("nb_command").await;
    let file = |n: u32, filed_on: &str, text: &str| {
        let mut body = case_body(n);
        body["filed_on"] = json!(filed_on);
        body["basis"]["effective_on"] = json!("2026-01-05");
        body["basis"]["performance_due_on"] = json!("2026-01-15");
        body["basis"]["operative_text"] = json!(text);
        body["handling_judge"] = json!("hs_judge");
        body
    };
    let (s, a) = app
        .post(&judge, "/api/v1/cases", &file(1, "2026-03-02", "被告支付原告劳动报酬100000元及案件受理费2300元。"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (_, b) =
        app.post(&judge, "/api/v1/cases", &file(2, "2026-10-12", "被告支付原告货款100000元及案件受理费2300元。")).await;
    let (_, quiet) = app.post(&judge, "/api/v1/cases", &file(3, "2026-10-12", "被告支付原告货款。")).await;
    let (s, petition) = app
        .post(&judge, &format!("/api/v1/cases/{}/petitions", b["id"]), &json!({"petitioner": "申请人2号", "received_on": "2026-11-02", "complaint": "法院不作为", "leads": "被执行人在鄞州有厂房"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{petition}");

    // A basic court does not select; the intermediate court sees the flags with reasons.
    let (s, b403) = app.get(&judge, "/api/v1/cross-enforcement/candidates").await;
    assert_error(s, &b403, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, list) = app.get(&command, "/api/v1/cross-enforcement/candidates").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let items = list.as_array().unwrap();
    let find = |id: &serde_json::Value| items.iter().find(|c| c["case_id"] == *id).cloned();
    let flags_of = |c: &serde_json::Value| {
        c["flags"].as_array().unwrap().iter().map(|f| f["flag"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(flags_of(&find(&a["id"]).unwrap()), ["past_six_months", "livelihood"]);
    assert_eq!(flags_of(&find(&b["id"]).unwrap()), ["petition_with_leads"]);
    assert!(find(&quiet["id"]).is_none(), "a case no rule flags is not a candidate");
    assert_eq!(items[0]["case_id"], b["id"], "40 points rank before 10 + 25");
    assert!(find(&b["id"]).unwrap()["flags"][0]["reason"].as_str().unwrap().contains("2026年11月2日"));
    let response = app
        .client
        .get(app.url("/api/v1/cross-enforcement/candidates?format=csv"))
        .bearer_auth(&command)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.text().await.unwrap().contains("（2026）浙0203执1号"));

    // 指令执行 to 鄞州: the original closes by transfer, 鄞州 files a new case with the balance.
    let decision = json!({"form": "designate", "case_id": a["id"], "receiving_court": "浙0212", "decision_ref": "（2026）浙02执他5号", "decided_on": "2026-11-20"});
    let (s, refused) = app.post(&command, "/api/v1/cross-enforcement/decisions", &json!({"form": "designate", "case_id": a["id"], "receiving_court": "浙0203", "decision_ref": "x", "decided_on": "2026-11-20"})).await;
    assert_error(s, &refused, StatusCode::UNPROCESSABLE_ENTITY, "cross_refused", None);
    let (s, d) = app.post(&command, "/api/v1/cross-enforcement/decisions", &decision).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["new_case_number"], "（2026）浙0212执1号");
    assert_eq!(d["balance"], "102300.00");
    let (_, original) = app.get(&judge, &format!("/api/v1/cases/{}", a["id"])).await;
    assert_eq!(original["status"], "closed", "the original court keeps read access to its closed original");
    let yz = app.token("yz_judge").await;
    let (s, moved) = app.get(&yz, &format!("/api/v1/cases/{}", d["new_case_id"])).await;
    assert_eq!(s, StatusCode::OK, "access follows the case");
    assert_eq!(moved["amount_applied"], "102300.00");
    let (s, _) = app.get(&judge, &format!("/api/v1/cases/{}", d["new_case_id"])).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the original court does not see the receiving court's case");

    // The receiving court reports money: a review of the original court opens.
    let (s, after) = app
        .post(
            &yz,
            &format!("/api/v1/cross-enforcement/decisions/{}/outcomes", d["id"]),
            &json!({"kind": "partial_payment", "on": "2026-11-25", "amount": "5000", "basis": "冻结扣划存款"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{after}");
    assert_eq!(after["reviews"][0]["open"], true);
    let rid = after["reviews"][0]["id"].to_string();
    let (s, closed) = app
        .post(
            &command,
            &format!("/api/v1/cross-enforcement/decisions/{}/reviews/{rid}", d["id"]),
            &json!({"findings": ["neglect"], "measures": "通报批评", "on": "2026-11-27"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{closed}");
    assert_eq!(closed["reviews"][0]["findings"], json!(["neglect"]));
    // 督促执行 on B: counted apart.
    let (s, sup) = app
        .post(&command, "/api/v1/cross-enforcement/decisions", &json!({"form": "supervise", "case_id": b["id"], "decision_ref": "（2026）浙02执他6号", "decided_on": "2026-11-21", "report_by": "2026-12-21"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sup}");
    assert!(sup["new_case_id"].is_null());
    app.post(
        &judge,
        &format!("/api/v1/cross-enforcement/decisions/{}/outcomes", sup["id"]),
        &json!({"kind": "partial_payment", "on": "2026-11-26", "amount": "700"}),
    )
    .await;
    let (_, stats) = app.get(&command, "/api/v1/cross-enforcement/stats?from=2026-01-01&to=2026-12-31").await;
    assert_eq!(stats["cross_enforced"], 1);
    assert_eq!(stats["progressed_or_resolved"], 1);
    assert_eq!(stats["share_percent"], "100.0");
    assert_eq!(stats["recovered"], "5000.00");
    assert_eq!(stats["supervised_recovered"], "700.00");
    // The moved case is no longer a candidate.
    let (_, list) = app.get(&command, "/api/v1/cross-enforcement/candidates").await;
    assert!(!list.as_array().unwrap().iter().any(|c| c["case_id"] == a["id"]));
}

zhixing_store::backend_tests! {
    the_command_page_decides_and_the_decision_page_reports,
}

async fn the_command_page_decides_and_the_decision_page_reports(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let mut body = case_body(7);
    body["filed_on"] = json!("2026-03-02");
    body["basis"]["effective_on"] = json!("2026-01-05");
    body["basis"]["performance_due_on"] = json!("2026-01-15");
    body["handling_judge"] = json!("hs_judge");
    let (_, case) = app.post(&judge, "/api/v1/cases", &body).await;
    let mut command = crate::ui::Browser::new(&app);
    command.login("nb_command").await;
    let page = command.get("/cross").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("（2026）浙0203执1号"));
    assert!(page.body.contains("立案满六个月未执结"));
    let csrf = page.input("csrf");
    let id = case["id"].to_string();
    let decided = command
        .post(
            "/cross/decisions",
            &[
                ("csrf", csrf.as_str()),
                ("case_id", id.as_str()),
                ("form", "elevate"),
                ("receiving_court", ""),
                ("decision_ref", "（2026）浙02执他9号"),
                ("decided_on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let page = command.get("/cross").await;
    assert!(page.body.contains("提级执行"));
    assert!(page.body.contains("（2026）浙02执1号"), "提级: the intermediate court files the case");
    let did = page.body.split("/cross/decisions/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let reported = command
        .post(
            &format!("/cross/decisions/{did}/outcomes"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "property_controlled"),
                ("on", "2026-11-26"),
                ("amount", ""),
                ("basis", "查封土地使用权"),
            ],
        )
        .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER, "{}", reported.body);
    let page = command.get(&format!("/cross/decisions/{did}")).await;
    assert!(page.body.contains("控制财产（实质进展）"));
    assert!(page.body.contains("结束审查"), "a review opened and the command centre may close it");
    // A basic court has no command page.
    let mut basic = crate::ui::Browser::new(&app);
    basic.login("hs_judge").await;
    assert_eq!(basic.get("/cross").await.status, StatusCode::FORBIDDEN);
}
