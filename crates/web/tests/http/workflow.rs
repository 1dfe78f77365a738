//! The workflow over HTTP, scripted end to end on both backends.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhixing_store::Store;

use crate::{TestApp, assert_error, case_body};

zhixing_store::backend_tests! {
    a_case_goes_from_filing_to_a_refused_then_accepted_zhongben_and_is_restored,
    nodes_and_transitions_validate_their_input,
    deadline_lists_follow_the_role_and_the_court,
}

async fn file(app: &TestApp, token: &str, n: u32, filed_on: &str) -> Value {
    let mut body = case_body(n);
    body["filed_on"] = json!(filed_on);
    body["basis"]["effective_on"] = json!("2026-05-01");
    body["basis"]["performance_due_on"] = json!("2026-05-11");
    body["handling_judge"] = json!("hs_judge");
    let (status, case) = app.post(token, "/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

async fn node(app: &TestApp, token: &str, id: &str, kind: &str, on: &str, note: &str) -> (StatusCode, Value) {
    app.post(token, &format!("/api/v1/cases/{id}/nodes"), &json!({"kind": kind, "on": on, "note": note})).await
}

async fn a_case_goes_from_filing_to_a_refused_then_accepted_zhongben_and_is_restored(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let case = file(&app, &judge, 1, "2026-07-01").await;
    let id = case["id"].to_string();
    assert_eq!(case["case_number"], "（2026）浙0203执1号");
    assert_eq!(case["status"], "enforcing");

    for (kind, on, note) in [
        ("notice_served", "2026-07-03", "执行通知书及报告财产令同日送达，告知迟延履行利息及失信风险"),
        ("report_order_served", "2026-07-03", ""),
        ("network_inquiry_sent", "2026-07-04", ""),
        ("network_inquiry_answered", "2026-07-10", "存款余额0元，无车辆、不动产"),
        ("consumption_restriction_issued", "2026-07-12", ""),
        ("property_report_verified", "2026-07-20", "报告属实"),
        ("lead_received", "2026-07-22", "申请人称被执行人在某银行有账户"),
        ("lead_verified", "2026-07-25", "查询无余额"),
        ("onsite_investigation", "2026-08-05", "经营场所已关闭"),
        ("dishonest_listing_decided", "2026-08-10", "纳入失信被执行人名单"),
    ] {
        let (status, body) = node(&app, &judge, &id, kind, on, note).await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");
    }
    let (_, nodes) = app.get(&judge, &format!("/api/v1/cases/{id}/nodes")).await;
    assert_eq!(nodes.as_array().unwrap().len(), 10);
    assert_eq!(nodes[0]["label"], "执行通知书送达（含迟延履行利息与失信风险告知）");

    // Too early (less than 3 months after filing) and no 约谈 yet.
    let zhongben = |on: &str| json!({"action": "close", "mode": "terminated_this_round", "on": on, "document_ref": "（2026）浙0203执1号之一"});
    let (status, refused) = app.post(&judge, &format!("/api/v1/cases/{id}/transitions"), &zhongben("2026-09-15")).await;
    assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, "transition_refused", None);
    let missing = refused["error"]["missing"].as_array().unwrap();
    let items: Vec<&str> = missing.iter().map(|m| m["item"].as_str().unwrap()).collect();
    let rules: Vec<&str> = missing.iter().map(|m| m["rule"].as_str().unwrap()).collect();
    assert_eq!(items.len(), 3, "{refused}");
    assert_eq!(items[0], "自立案之日起已超过3个月（2026年10月2日起）");
    assert_eq!(rules[0], "《终本规定》第一条第四项");
    assert_eq!(items[1], "已约谈申请执行人并记录其意见");
    assert_eq!(rules[1], "《终本规定》第五条");
    assert_eq!(rules[2], "《民诉法解释》第五百一十七条");
    let (_, after_refusal) = app.get(&judge, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(after_refusal["status"], "enforcing", "a refusal changes nothing");

    // The 约谈 needs the applicant's opinion.
    let (status, body) = node(&app, &judge, &id, "applicant_interviewed", "2026-10-08", "").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "node_refused", None);
    assert_eq!(body["error"]["missing"][0]["rule"], "《终本规定》第五条");
    for (kind, on, note) in [
        ("applicant_interviewed", "2026-10-08", "申请执行人表示同意终结本次执行程序，发现财产后申请恢复执行"),
        ("collegial_review", "2026-10-09", "合议庭一致同意终本"),
        ("president_approved", "2026-10-10", ""),
    ] {
        let (status, body) = node(&app, &judge, &id, kind, on, note).await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");
    }
    let (_, workflow) = app.get(&judge, &format!("/api/v1/cases/{id}/workflow")).await;
    let checklist = workflow["zhongben_checklist"].as_array().unwrap();
    assert!(checklist.iter().all(|i| i["met"] == true), "{workflow}");

    let (status, closed) = app.post(&judge, &format!("/api/v1/cases/{id}/transitions"), &zhongben("2026-10-15")).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["state_label"], "已结案（终结本次执行程序）");
    let (_, deadlines) = app.get(&judge, &format!("/api/v1/cases/{id}/deadlines")).await;
    let publication = deadlines.as_array().unwrap().iter().find(|d| d["kind"] == "zhongben_publication").unwrap();
    assert_eq!(publication["due_on"], "2026-10-22");
    assert_eq!(publication["urgency"], "overdue");
    let inquiry = deadlines.as_array().unwrap().iter().find(|d| d["kind"] == "post_zhongben_inquiry").unwrap();
    assert_eq!(inquiry["due_on"], "2027-04-15");

    // The 终本 record (ZB art 13) is ready for publication.
    let (s, record) = app.get(&judge, &format!("/api/v1/cases/{id}/zhongben-record")).await;
    assert_eq!(s, StatusCode::OK, "{record}");
    assert_eq!(record["case_number"], "（2026）浙0203执1号");
    assert_eq!(record["ruling"], "（2026）浙0203执1号之一");
    assert_eq!(record["publish_by"], "2026-10-22");
    assert_eq!(record["debtors"][0]["name"], "宁波第1贸易有限公司");
    assert_eq!(record["amount_unpaid"], "102300.00");
    let (s, body) = app.get(&judge, &format!("/api/v1/cases/{}/zhongben-record", 1)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let mut browser = crate::ui::Browser::new(&app);
    browser.login("hs_judge").await;
    let page = browser.get(&format!("/cases/{id}/zhongben-record")).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("<section class=\"record\">").unwrap();
    let end = start + page.body[start..].find("</section>").unwrap();
    insta::assert_snapshot!("zhongben_record_page", page.body[start..end].replace(&id, "[id]"));

    // A closed case cannot be suspended.
    let (status, body) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/transitions"),
            &json!({"action": "suspend", "ground": "retrial", "on": "2026-11-01", "document_ref": "x"}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "transition_refused", None);

    // New property found: 恢复执行 opens a linked 执恢 case.
    let (status, restored) = app
        .post(&judge, &format!("/api/v1/cases/{id}/transitions"), &json!({"action": "restore", "ground": "new_property", "on": "2026-11-20", "note": "申请执行人提供新的不动产线索"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{restored}");
    let new_case = &restored["new_case"];
    assert_eq!(new_case["case_number"], "（2026）浙0203执恢1号");
    assert_eq!(new_case["case_type"], "执恢");
    assert_eq!(new_case["amount_applied"], "102300.00");
    assert_eq!(new_case["filed_on"], "2026-11-20");
    let new_id = new_case["id"].to_string();
    let (_, original) = app.get(&judge, &format!("/api/v1/cases/{id}/workflow")).await;
    assert_eq!(original["links"][0]["kind"], "restored_as");
    assert_eq!(original["links"][0]["case_id"], new_case["id"]);
    let (_, linked) = app.get(&judge, &format!("/api/v1/cases/{new_id}/workflow")).await;
    assert_eq!(linked["links"][0]["case_number"], "（2026）浙0203执1号");
    let (_, events) = app.get(&judge, &format!("/api/v1/cases/{id}/transitions")).await;
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["close", "restore"]);
    assert_eq!(events[0]["recorded_by"], "hs_judge名");
}

async fn nodes_and_transitions_validate_their_input(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let case = file(&app, &judge, 2, "2026-11-02").await;
    let id = case["id"].to_string();
    let nodes = format!("/api/v1/cases/{id}/nodes");
    let transitions = format!("/api/v1/cases/{id}/transitions");
    let (s, b) = app.post(&judge, &nodes, &json!({"kind": "nonsense", "on": "2026-11-20"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_node_kind", Some("kind"));
    let (s, b) = app.post(&judge, &nodes, &json!({"kind": "notice_served", "on": "2026-12-01"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future", Some("on"));
    let (s, b) = app.post(&judge, &nodes, &json!({"kind": "notice_served", "on": "2026-11-01"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "date_before_filing", Some("on"));
    let (s, b) = app.post(&judge, &nodes, &json!({"kind": "notice_served", "on": "2026/11/05"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_date", Some("on"));
    let (s, b) =
        app.post(&judge, &nodes, &json!({"kind": "payment_received", "on": "2026-11-05", "amount": "-5"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount", Some("amount"));
    let (s, b) = app.post(&judge, &nodes, &json!({"kind": "notice_served", "on": "2026-11-05", "extra": 1})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = app.post(&judge, &transitions, &json!({"action": "jump", "on": "2026-11-05"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_action", Some("action"));
    let (s, b) = app.post(&judge, &transitions, &json!({"action": "close", "on": "2026-11-05"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("mode"));
    let (s, b) =
        app.post(&judge, &transitions, &json!({"action": "suspend", "ground": "whim", "on": "2026-11-05"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_ground", Some("ground"));
    // Suspended, the case cannot be closed (LJ art 23); resumed, it can.
    let (s, b) = app
        .post(&judge, &transitions, &json!({"action": "suspend", "ground": "outsider_objection", "on": "2026-11-05", "document_ref": "（2026）浙0203执2号之一"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "suspended");
    let (s, b) =
        app.post(&judge, &transitions, &json!({"action": "close", "mode": "completed", "on": "2026-11-10"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "transition_refused", None);
    assert!(b["error"]["missing"][0]["rule"].as_str().unwrap().contains("第二十三条"), "{b}");
    // The closing limit is paused while suspended.
    let (_, deadlines) = app.get(&judge, &format!("/api/v1/cases/{id}/deadlines")).await;
    let limit = deadlines.as_array().unwrap().iter().find(|d| d["kind"] == "closing_limit").unwrap();
    assert_eq!(limit["urgency"], "paused");
    assert!(limit["due_on"].is_null());
    // Higher courts read but do not act; other courts do not see the case.
    let nb = app.token("nb_chief").await;
    let (s, _) = app.get(&nb, &nodes).await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = app.post(&nb, &nodes, &json!({"kind": "notice_served", "on": "2026-11-05"})).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden", None);
    let yz = app.token("yz_judge").await;
    let (s, _) = app.post(&yz, &nodes, &json!({"kind": "notice_served", "on": "2026-11-05"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A clerk records nodes but does not close.
    let clerk = app.token("hs_clerk").await;
    let (s, b) = app.post(&clerk, &nodes, &json!({"kind": "notice_served", "on": "2026-11-05"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) =
        app.post(&clerk, &transitions, &json!({"action": "close", "mode": "completed", "on": "2026-11-10"})).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden", None);
    // Nothing without a token.
    let response = app.client.get(app.url(&nodes)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // The catalogue lists every node kind the API names.
    let (_, catalogue) = app.get(&judge, "/api/v1/workflow/catalogue").await;
    let codes: Vec<&str> =
        catalogue["node_kinds"].as_array().unwrap().iter().map(|k| k["code"].as_str().unwrap()).collect();
    for kind in [
        "judge_assigned",
        "notice_served",
        "report_order_served",
        "property_report_verified",
        "network_inquiry_sent",
        "network_inquiry_answered",
        "onsite_investigation",
        "lead_received",
        "lead_verified",
        "sanction_imposed",
        "debtor_searched",
        "consumption_restriction_issued",
        "dishonest_listing_decided",
        "applicant_interviewed",
        "collegial_review",
        "president_approved",
        "ruling_served",
    ] {
        assert!(codes.contains(&kind), "{kind}");
    }
}

async fn deadline_lists_follow_the_role_and_the_court(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let chief = app.token("hs_chief").await;
    file(&app, &judge, 3, "2026-11-02").await;
    let mut body = case_body(4);
    body["filed_on"] = json!("2026-11-16");
    body["handling_judge"] = json!("hs_chief");
    let (s, _) = app.post(&chief, "/api/v1/cases", &body).await;
    assert_eq!(s, StatusCode::CREATED);

    // The judge sees their own: 执行通知 due 2026-11-12, overdue on 11-27.
    let (s, mine) = app.get(&judge, "/api/v1/deadlines").await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["judge"], "hs_judge名");
    assert_eq!(mine["totals"]["overdue"], 1, "{mine}");
    assert_eq!(mine["items"][0]["kind"], "notice");
    assert_eq!(mine["items"][0]["urgency"], "overdue");
    assert_eq!(mine["items"][0]["rule"], "《民诉法解释》第四百八十条：立案后10日内发出执行通知");
    // The chief sees the court: the second case's notice is due 11-26 → overdue too.
    let (_, court) = app.get(&chief, "/api/v1/deadlines").await;
    assert!(court["judge"].is_null());
    assert_eq!(court["totals"]["overdue"], 2, "{court}");
    let (_, within) = app.get(&chief, "/api/v1/deadlines?due_within_days=250").await;
    assert!(within["items"].as_array().unwrap().len() > 2);
    let (s, b) = app.get(&chief, "/api/v1/deadlines?due_within_days=x").await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_due_within_days", Some("due_within_days"));
    // The intermediate court sees counts per court beneath it.
    let nb = app.token("nb_command").await;
    let (s, province) = app.get(&nb, "/api/v1/deadlines").await;
    assert_eq!(s, StatusCode::OK, "{province}");
    let courts = province["courts"].as_array().unwrap();
    assert_eq!(courts[0]["court"], "浙02");
    let hs = courts.iter().find(|c| c["court"] == "浙0203").unwrap();
    assert_eq!(hs["overdue"], 2);
    assert_eq!(hs["court_name"], "宁波市海曙区人民法院");
    let (s, hs_list) = app.get(&nb, "/api/v1/deadlines?court=浙0203").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(hs_list["totals"]["overdue"], 2);
    // A basic court cannot look at its neighbour.
    let (s, b) = app.get(&judge, "/api/v1/deadlines?court=浙0212").await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden", None);
}
