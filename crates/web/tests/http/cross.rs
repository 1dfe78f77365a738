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
    // The higher court's dashboard: the move out and in, the open petition,
    // and the review listed until it is closed.
    let (_, board) = app.get(&command, "/api/v1/dashboard").await;
    let line = |court: &str| board["rows"].as_array().unwrap().iter().find(|r| r["court"] == court).unwrap().clone();
    assert_eq!((line("浙0203")["cross_out"].clone(), line("浙0212")["cross_in"].clone()), (json!(1), json!(1)));
    assert_eq!(line("浙0203")["reviews_open"], 1);
    assert_eq!(line("浙0203")["petitions_open"], 1);
    assert_eq!(board["open_reviews"].as_array().unwrap().len(), 1);
    assert_eq!(board["open_reviews"][0]["original_court"], "浙0203");
    // The reviewer sees what the original court did and did not do.
    let (s, handling) = app.get(&command, &format!("/api/v1/cross-enforcement/decisions/{}/handling", d["id"])).await;
    assert_eq!(s, StatusCode::OK, "{handling}");
    let missed: Vec<&str> =
        handling["missed"].as_array().unwrap().iter().map(|m| m["label"].as_str().unwrap()).collect();
    assert!(missed.contains(&"发出执行通知"), "{missed:?}");
    assert!(missed.contains(&"执行期限届满"), "{missed:?}");
    assert!(handling["missed"].as_array().unwrap().iter().all(|m| m["met_on"].is_null()));
    assert!(handling["done"].as_array().unwrap().iter().any(|t| t["label"] == "结案"));
    let (s, body) = app.get(&yz, &format!("/api/v1/cross-enforcement/decisions/{}/handling", d["id"])).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden", None);
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
    let (_, board) = app.get(&command, "/api/v1/dashboard").await;
    assert!(board["open_reviews"].as_array().unwrap().is_empty());
    assert_eq!(board["total"]["reviews_open"], 0);
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
    let other = command.get("/cross?court=浙0212").await;
    assert!(!other.body.contains("立案满六个月未执结"), "the chosen court's candidates only");
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
    assert!(page.body.contains("原执行法院办理情况"), "the reviewer sees the original court's handling");
    assert!(page.body.contains("交叉执行前未完成"));
    // A basic court has no command page.
    let mut basic = crate::ui::Browser::new(&app);
    basic.login("hs_judge").await;
    assert_eq!(basic.get("/cross").await.status, StatusCode::FORBIDDEN);
}

zhixing_store::backend_tests! {
    concentration_petitions_received_and_statistics,
}

/// A case body of `n` filed on `filed_on` by 海曙 or 鄞州, against the debtor of case `debtor_of`.
fn body_against(n: u32, debtor_of: u32, filed_on: &str) -> serde_json::Value {
    let mut body = case_body(n);
    body["filed_on"] = json!(filed_on);
    body["basis"]["effective_on"] = json!("2026-01-05");
    body["basis"]["performance_due_on"] = json!("2026-01-15");
    body["parties"][1] = case_body(debtor_of)["parties"][1].clone();
    body
}

async fn concentration_petitions_received_and_statistics(store: Store) {
    let app = TestApp::spawn(store).await;
    let hs = app.token("hs_judge").await;
    let yz = app.token("yz_judge").await;
    let xh = app.token("xh_judge").await;
    let command = app.token("nb_command").await;
    let nb_chief = app.token("nb_chief").await;
    let (s, a) = app.post(&hs, "/api/v1/cases", &body_against(1, 1, "2026-03-02")).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (_, b) = app.post(&yz, "/api/v1/cases", &body_against(2, 1, "2026-04-01")).await;
    let (_, other_debtor) = app.post(&yz, "/api/v1/cases", &body_against(3, 3, "2026-04-01")).await;
    let decisions = "/api/v1/cross-enforcement/decisions";

    // Different debtors: refused with the rule, nothing written.
    let cases_before = app.case_count().await;
    let mixed = json!({"form": "concentrate", "cases": [{"court": "浙0203", "case_id": a["id"]}, {"court": "浙0212", "case_id": other_debtor["id"]}],
        "receiving_court": "浙02", "decision_ref": "（2026）浙02执他20号", "decided_on": "2026-11-20"});
    let (s, refused) = app.post(&command, decisions, &mixed).await;
    assert_error(s, &refused, StatusCode::UNPROCESSABLE_ENTITY, "cross_refused", None);
    assert!(refused["error"]["missing"][0]["rule"].as_str().unwrap().contains("第三部分"), "{refused}");
    assert_eq!(app.case_count().await, cases_before);
    assert_eq!(app.store.scalar_for_tests("SELECT COUNT(*) FROM cross_decisions").await.unwrap(), 0);
    for (token, case) in [(&hs, &a), (&yz, &other_debtor)] {
        let (_, now) = app.get(token, &format!("/api/v1/cases/{}", case["id"])).await;
        assert_ne!(now["status"], "closed");
    }
    // Several cases only for 集中执行; a case of the wrong court is not found; both shapes at once are refused.
    let (s, e) = app.post(&command, decisions, &json!({"form": "designate", "cases": [{"court": "浙0203", "case_id": a["id"]}, {"court": "浙0212", "case_id": b["id"]}], "receiving_court": "浙02", "decision_ref": "x", "decided_on": "2026-11-20"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "several_cases_need_concentration", Some("cases"));
    let (s, e) = app.post(&command, decisions, &json!({"form": "concentrate", "cases": [{"court": "浙0212", "case_id": a["id"]}], "receiving_court": "浙02", "decision_ref": "x", "decided_on": "2026-11-20"})).await;
    assert_error(s, &e, StatusCode::NOT_FOUND, "not_found", None);
    let (s, e) = app.post(&command, decisions, &json!({"form": "concentrate", "case_id": a["id"], "cases": [], "decision_ref": "x", "decided_on": "2026-11-20"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "ambiguous_cases", Some("cases"));

    // 集中执行 of 海曙's and 鄞州's cases against one debtor, to 宁波中院 itself.
    let (s, together) = app
        .post(&command, decisions, &json!({"form": "concentrate", "cases": [{"court": "浙0203", "case_id": a["id"]}, {"court": "浙0212", "case_id": b["id"]}],
            "receiving_court": "浙02", "decision_ref": "（2026）浙02执他21号", "decided_on": "2026-11-20", "report_by": "2027-01-20"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{together}");
    let list = together["decisions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["original_case_id"], a["id"]);
    assert_eq!(list[1]["original_case_id"], b["id"]);
    assert_eq!(list[0]["new_case_number"], "（2026）浙02执1号");
    assert_eq!(list[1]["new_case_number"], "（2026）浙02执2号");
    assert_eq!(list[0]["group_id"], list[1]["group_id"]);
    assert_eq!(list[1]["decision_ref"], "（2026）浙02执他21号");
    let (_, closed_a) = app.get(&hs, &format!("/api/v1/cases/{}", a["id"])).await;
    assert_eq!(closed_a["status"], "closed", "the original court keeps read access to its closed original");
    let (_, closed_b) = app.get(&yz, &format!("/api/v1/cases/{}", b["id"])).await;
    assert_eq!(closed_b["status"], "closed");
    let mut browser = crate::ui::Browser::new(&app);
    browser.login("nb_command").await;
    let page = browser.get(&format!("/cross/decisions/{}", list[0]["id"])).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("同一决定的其他案件"));
    assert!(page.body.contains("（2026）浙0212执1号"), "the other case of the decision is listed");

    // A designation to 鄞州 for the received list.
    let (_, c) = app.post(&hs, "/api/v1/cases", &body_against(4, 4, "2026-03-02")).await;
    let (s, moved) = app
        .post(&command, decisions, &json!({"form": "designate", "case_id": c["id"], "receiving_court": "浙0212", "decision_ref": "（2026）浙02执他22号", "decided_on": "2026-10-15", "report_by": "2026-12-15"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{moved}");
    assert!(moved.get("decisions").is_none(), "the single-case shape answers with one decision");
    app.post(
        &yz,
        &format!("{decisions}/{}/outcomes", moved["id"]),
        &json!({"kind": "partial_payment", "on": "2026-11-02", "amount": "3000"}),
    )
    .await;

    // The receiving court sees the case moved to it; a third court and the original court do not.
    let received = "/api/v1/cross-enforcement/received";
    let (s, yz_list) = app.get(&yz, received).await;
    assert_eq!(s, StatusCode::OK, "{yz_list}");
    let yz_list = yz_list.as_array().unwrap();
    assert_eq!(yz_list.len(), 1, "{yz_list:?}");
    assert_eq!(yz_list[0]["original_case_number"], c["case_number"]);
    assert_eq!(yz_list[0]["new_case_number"], "（2026）浙0212执3号", "after 鄞州's own two cases");
    assert_eq!(yz_list[0]["report_by"], "2026-12-15");
    assert_eq!(yz_list[0]["outcomes"][0]["amount"], "3000.00");
    for token in [&xh, &hs] {
        let (_, none) = app.get(token, received).await;
        assert_eq!(none, json!([]));
    }
    let (s, _) = app.get(&app.token("zj_admin").await, received).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get(&xh, &format!("/api/v1/cases/{}", moved["new_case_id"])).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a third court does not see the moved case");
    let mut yz_browser = crate::ui::Browser::new(&app);
    yz_browser.login("yz_judge").await;
    let page = yz_browser.get("/cases").await;
    assert!(page.body.contains("href=\"/cross/received\""), "the navigation links the received list");
    let page = yz_browser.get("/cross/received").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/cases/{}\"", moved["new_case_id"])));
    assert!(page.body.contains("部分执行到位"));
    assert!(page.body.contains(&format!("/cross/decisions/{}#outcome", moved["id"])));
    let mut xh_browser = crate::ui::Browser::new(&app);
    xh_browser.login("xh_judge").await;
    assert!(xh_browser.get("/cross/received").await.body.contains("尚无移送本院的案件"));

    // Petitions: record, list with deadline and overdue flag, close with its refusals.
    let (_, d) = app.post(&hs, "/api/v1/cases", &body_against(5, 5, "2026-03-02")).await;
    let petitions = format!("/api/v1/cases/{}/petitions", d["id"]);
    let (s, old) = app
        .post(
            &hs,
            &petitions,
            &json!({"petitioner": "申请人5号", "received_on": "2026-09-01", "complaint": "久拖不执", "leads": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{old}");
    assert_eq!(
        old["due_on"], "2026-10-19",
        "30 working days: the 中秋 and 国庆 holidays not counted, 20 Sep and 10 Oct worked"
    );
    assert_eq!(old["overdue"], true);
    let (_, fresh) = app.post(&hs, &petitions, &json!({"petitioner": "申请人5号", "received_on": "2026-11-20", "complaint": "要求查控房产", "leads": "被执行人在鄞州有房产"})).await;
    assert_eq!(fresh["overdue"], false);
    let (s, e) =
        app.post(&hs, &petitions, &json!({"petitioner": "", "received_on": "2026-11-20", "complaint": "x"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("petitioner"));
    let (s, listed) = app.get(&hs, &petitions).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["case_number"], d["case_number"]);
    let close = |id: &serde_json::Value| format!("{petitions}/{id}/close");
    let (s, e) = app.post(&hs, &close(&fresh["id"]), &json!({"result": "已答复", "closed_on": "2026-11-19"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "before_receipt", Some("closed_on"));
    let (s, e) = app.post(&hs, &close(&fresh["id"]), &json!({"result": "已答复", "closed_on": "2026-11-28"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future", Some("closed_on"));
    let (s, e) = app.post(&hs, &close(&fresh["id"]), &json!({"result": " ", "closed_on": "2026-11-27"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("result"));
    let (s, e) =
        app.post(&nb_chief, &close(&fresh["id"]), &json!({"result": "已答复", "closed_on": "2026-11-27"})).await;
    assert_error(s, &e, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, e) = app.post(&yz, &close(&fresh["id"]), &json!({"result": "已答复", "closed_on": "2026-11-27"})).await;
    assert_error(s, &e, StatusCode::NOT_FOUND, "not_found", None);
    let (s, e) =
        app.post(&hs, &format!("{petitions}/999/close"), &json!({"result": "已答复", "closed_on": "2026-11-27"})).await;
    assert_error(s, &e, StatusCode::NOT_FOUND, "not_found", None);
    let (s, done) =
        app.post(&hs, &close(&fresh["id"]), &json!({"result": "已查封房产并答复", "closed_on": "2026-11-27"})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(
        (done["open"].clone(), done["closed_on"].clone(), done["overdue"].clone()),
        (json!(false), json!("2026-11-27"), json!(false))
    );
    let (s, e) = app.post(&hs, &close(&fresh["id"]), &json!({"result": "再次", "closed_on": "2026-11-27"})).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "petition_closed", Some("closed_on"));
    // The court's list, and the higher court's over its courts.
    let (_, open) = app.get(&hs, "/api/v1/petitions?status=open").await;
    assert_eq!(open.as_array().unwrap().iter().map(|p| p["id"].clone()).collect::<Vec<_>>(), [old["id"].clone()]);
    assert_eq!(open[0]["overdue"], true);
    let (_, all) = app.get(&hs, "/api/v1/petitions").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (_, theirs) = app.get(&yz, "/api/v1/petitions").await;
    assert_eq!(theirs, json!([]));
    let (_, above) = app.get(&command, "/api/v1/petitions?court=浙0203&status=open").await;
    assert_eq!(above.as_array().unwrap().len(), 1);
    let (s, e) = app.get(&yz, "/api/v1/petitions?court=浙0203").await;
    assert_error(s, &e, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, e) = app.get(&hs, "/api/v1/petitions?status=pending").await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "invalid_status", Some("status"));
    // The pages: the case's section and the court's list.
    let mut hs_browser = crate::ui::Browser::new(&app);
    hs_browser.login("hs_judge").await;
    let page = hs_browser.get(&format!("/cases/{}", d["id"])).await;
    assert!(page.body.contains("执行信访") && page.body.contains("2026-10-19") && page.body.contains("逾期"));
    assert!(page.body.contains(&format!("/petitions/{}/close", old["id"])), "an open petition has a close form");
    let csrf = page.input("csrf");
    let refused = hs_browser
        .post(
            &format!("/cases/{}/petitions/{}/close", d["id"], old["id"]),
            &[("csrf", csrf.as_str()), ("result", "已答复"), ("closed_on", "2026-08-01")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("办结日期不能早于收到信访的日期"));
    let recorded = hs_browser
        .post(
            &format!("/cases/{}/petitions", d["id"]),
            &[
                ("csrf", csrf.as_str()),
                ("petitioner", "申请人5号"),
                ("received_on", "2026-11-26"),
                ("complaint", "再次来访"),
                ("leads", ""),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let list_page = hs_browser.get("/petitions").await;
    assert_eq!(list_page.status, StatusCode::OK);
    assert!(list_page.body.contains("再次来访") && list_page.body.contains("1 件已逾期未办结"));
    assert!(!list_page.body.contains("要求查控房产"), "closed petitions are not in the default (open) list");

    // Statistics: breakdowns, the chosen group only, CSV, bad parameters.
    let stats = "/api/v1/cross-enforcement/stats?from=2026-01-01&to=2026-12-31";
    let (s, all) = app.get(&command, stats).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    assert_eq!(
        (all["decisions"].clone(), all["cross_enforced"].clone(), all["progressed_or_resolved"].clone()),
        (json!(3), json!(3), json!(1))
    );
    assert_eq!((all["share_percent"].clone(), all["recovered"].clone()), (json!("33.3"), json!("3000.00")));
    let keys = |rows: &serde_json::Value| {
        rows.as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(keys(&all["by_original_court"]), ["浙0203", "浙0212"]);
    assert_eq!(all["by_original_court"][0]["label"], "宁波市海曙区人民法院");
    assert_eq!(all["by_original_court"][0]["cross_enforced"], 2);
    assert_eq!(keys(&all["by_receiving_court"]), ["浙02", "浙0212"]);
    assert_eq!(all["by_receiving_court"][1]["recovered"], "3000.00");
    assert_eq!(keys(&all["by_form"]), ["designate", "concentrate"]);
    assert_eq!(all["by_form"][1]["label"], "集中执行");
    assert_eq!(keys(&all["by_month"]), ["2026-10", "2026-11"]);
    assert_eq!(all["by_month"][0]["label"], "2026年10月");
    assert_eq!(all["by_month"][0]["share_percent"], "100.0");
    let (_, by_form) = app.get(&command, &format!("{stats}&group=form")).await;
    assert!(by_form.get("by_month").is_none() && by_form.get("by_original_court").is_none());
    assert_eq!(keys(&by_form["by_form"]), ["designate", "concentrate"]);
    for (query, field) in [("&group=judge", "group"), ("&format=xml", "format")] {
        let (s, e) = app.get(&command, &format!("{stats}{query}")).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{e}");
    }
    let (s, e) = app.get(&command, "/api/v1/cross-enforcement/stats?from=2026-12-01&to=2026-01-01").await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, "period_reversed", Some("to"));
    let response =
        app.client.get(app.url(&format!("{stats}&format=csv&group=court"))).bearer_auth(&command).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        response.headers()["content-disposition"].to_str().unwrap().contains("cross-stats-2026-01-01-2026-12-31.csv")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("\u{feff}分组,代码,名称,决定件数,交叉执行件数,取得实质进展或化解件数,占比(%)"),
        "{csv}"
    );
    assert_eq!(lines[1], "合计,,2026-01-01至2026-12-31（不含内部交叉、事项交叉和督促执行）,3,3,1,33.3,3000.00,0.00,0");
    assert!(lines.contains(&"原执行法院,浙0203,宁波市海曙区人民法院,2,2,1,50.0,3000.00,0.00,0"), "{csv}");
    assert!(lines.contains(&"受理法院,浙02,浙江省宁波市中级人民法院,2,2,0,0.0,0.00,0.00,0"), "{csv}");
    assert!(!lines.iter().any(|l| l.starts_with("月份")), "only the court breakdowns were asked for");
    // The command page shows the breakdowns with an export link that works with the session.
    let page = browser.get("/cross?from=2026-01-01&to=2026-12-31").await;
    assert!(page.body.contains("按原执行法院") && page.body.contains("按月份") && page.body.contains("2026年10月"));
    assert!(page.body.contains("href=\"/cross/stats.csv?from=2026-01-01&amp;to=2026-12-31\""), "{}", page.body);
    let export = browser.get("/cross/stats.csv?from=2026-01-01&to=2026-12-31").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.body.contains("月份,2026-11,2026年11月,2,2,0,0.0,0.00,0.00,0"), "{}", export.body);
}
