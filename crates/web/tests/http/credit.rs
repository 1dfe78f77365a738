//! 失信/限消 over HTTP, end to end on both backends.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhixing_store::Store;
use zhixing_store::testing::citizen_id;

use crate::{TestApp, assert_error, case_body};

zhixing_store::backend_tests! {
    listing_grace_publication_lookup_check_repair,
    bars_capacity_and_rate_limits,
}

const DAY: i64 = 86_400_000;

/// A case against a natural person, filed 2026-07-01, with 执行通知 served.
async fn case_against_person(app: &TestApp, token: &str, n: u32) -> (String, i64, String) {
    let mut body = case_body(n);
    body["filed_on"] = json!("2026-07-01");
    body["basis"]["effective_on"] = json!("2026-05-01");
    body["basis"]["performance_due_on"] = json!("2026-05-11");
    body["handling_judge"] = json!("hs_judge");
    let debtor_id = citizen_id(600 + n);
    body["parties"][1] =
        json!({"role": "respondent", "kind": "person", "name": format!("王{n}某"), "id_number": debtor_id});
    let (s, case) = app.post(token, "/api/v1/cases", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let id = case["id"].to_string();
    let party_id = case["parties"][1]["id"].as_i64().unwrap();
    let (s, b) = app
        .post(
            token,
            &format!("/api/v1/cases/{id}/nodes"),
            &json!({"kind": "notice_served", "on": "2026-07-03", "note": "含失信风险提示"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    (id, party_id, debtor_id)
}

async fn public(app: &TestApp, name: &str, id_number: Option<&str>) -> (StatusCode, Value) {
    let mut url = app.url("/api/v1/public/restrictions");
    url.push_str(&format!("?name={name}"));
    if let Some(id) = id_number {
        url.push_str(&format!("&id_number={id}"));
    }
    let response = app.client.get(url).send().await.unwrap();
    crate::read(response).await
}

async fn check(app: &TestApp, partner_token: &str, ids: &[&str]) -> Value {
    let response = app
        .client
        .post(app.url("/api/v1/partner/restrictions/check"))
        .bearer_auth(partner_token)
        .json(&json!({"id_numbers": ids}))
        .send()
        .await
        .unwrap();
    let (s, body) = crate::read(response).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn listing_grace_publication_lookup_check_repair(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let (id, party_id, debtor_id) = case_against_person(&app, &judge, 1).await;
    let partner_token = zhixing_web::auth::new_token();
    app.store.create_partner("测试航空公司", &zhixing_web::auth::token_hash(&partner_token), crate::T0).await.unwrap();

    // Propose (ex officio, S1, able to pay) and decide with one month's grace.
    let (s, listing) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/credit/listings"),
            &json!({
                "party_id": party_id, "grounds": ["s1"], "capacity": "able", "source": "ex_officio",
                "evidence": "名下有登记车辆两辆，拒不履行", "on": "2026-11-18"
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{listing}");
    assert_eq!(listing["status"], "proposed");
    assert_eq!(listing["severity"], "general");
    let lid = listing["id"].to_string();
    let decision = format!("/api/v1/cases/{id}/credit/listings/{lid}/decision");
    let (s, refused) = app
        .post(&judge, &decision, &json!({"decision": "approve", "decision_ref": "（2026）浙0203执1号之一", "grace_months": 1, "on": "2026-11-20"}))
        .await;
    assert_error(s, &refused, StatusCode::UNPROCESSABLE_ENTITY, "credit_refused", None);
    assert_eq!(refused["error"]["missing"][0]["rule"], "《最高人民法院关于公布失信被执行人名单信息的若干规定》第五条");
    let (s, decided) = app
        .post(&judge, &decision, &json!({"decision": "approve", "president_approved": true, "decision_ref": "（2026）浙0203执1号之一", "grace_months": 1, "on": "2026-11-20"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "grace");
    assert_eq!(decided["grace_until"], "2026-12-20");
    assert_eq!(decided["term_until"], Value::Null, "S1 has no term");
    // In grace: nothing public, nothing for partners.
    let (s, found) = public(&app, "王1某", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(found["items"].as_array().unwrap().len(), 0, "{found}");
    let result = check(&app, &partner_token, &[&debtor_id]).await;
    assert_eq!(result["results"][0]["restricted"], false);

    // The grace period ends: the server's minute task publishes it.
    app.clock.advance(24 * DAY); // 2026-12-21
    app.state.credit_housekeeping().await.unwrap();
    let judge = app.token("hs_judge").await; // the old token idled out
    let (_, found) = public(&app, "王1某", Some(&debtor_id)).await;
    let items = found["items"].as_array().unwrap_or_else(|| panic!("{found}"));
    assert_eq!(items.len(), 2, "the listing and the restriction that comes with it: {found}");
    let dishonest = items.iter().find(|i| i["measure"] == "dishonest").unwrap();
    let masked = format!("{}********{}", &debtor_id[..6], &debtor_id[14..]);
    assert_eq!(dishonest["id_number"], masked);
    assert_eq!(dishonest["case_number"], "（2026）浙0203执1号");
    assert_eq!(dishonest["court"], "宁波市海曙区人民法院");
    assert_eq!(dishonest["performance"], "全部未履行");
    assert!(dishonest["conduct"].as_str().unwrap().contains("有履行能力而拒不履行"));
    assert!(!found.to_string().contains(&debtor_id), "the full ID never leaves through the public look-up");
    let result = check(&app, &partner_token, &[&debtor_id, "110105199003071239", "junk"]).await;
    assert_eq!(result["results"][0]["restricted"], true);
    assert_eq!(result["results"][0]["measures"], json!(["dishonest_list", "consumption_restriction"]));
    assert_eq!(result["results"][1]["restricted"], false);
    assert_eq!(result["results"][2]["invalid"], true);
    assert!(!result.to_string().contains("王1某"), "partners get no personal data");

    // A partner reports a breach; the same report twice is recorded once.
    let breach = json!({"id_number": debtor_id, "occurred_at": "2026-12-21T08:05", "place": "宁波栎社机场", "conduct": "购买经济舱机票", "report_id": "PNR-9X2K"});
    let send = |body: Value| {
        app.client.post(app.url("/api/v1/partner/restrictions/breaches")).bearer_auth(&partner_token).json(&body).send()
    };
    let (s, first) = crate::read(send(breach.clone()).await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["suggested_step"], "fine_or_detention");
    let (s, second) = crate::read(send(breach).await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_eq!(second["duplicate"], true);
    assert_eq!(second["receipt_id"], first["receipt_id"]);
    let (_, nodes) = app.get(&judge, &format!("/api/v1/cases/{id}/nodes")).await;
    assert_eq!(
        nodes
            .as_array()
            .unwrap_or_else(|| panic!("{nodes}"))
            .iter()
            .filter(|n| n["kind"] == "restriction_breached")
            .count(),
        1
    );

    // Full performance: the trigger is detected with its 3-working-day deadline.
    let (s, b) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/nodes"),
            &json!({"kind": "performance_confirmed", "on": "2026-12-21", "note": "申请执行人书面确认全部履行"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, credit) = app.get(&judge, &format!("/api/v1/cases/{id}/credit")).await;
    assert_eq!(credit["listings"][0]["deletion_trigger"], "performed");
    assert_eq!(credit["listings"][0]["repair_due"], "2026-12-24");
    let (s, b) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/credit/listings/{lid}/deletion"),
            &json!({"trigger": "term_expired", "on": "2026-12-21"}),
        )
        .await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "credit_refused", None);
    let (s, deleted) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/credit/listings/{lid}/deletion"),
            &json!({"trigger": "performed", "on": "2026-12-21"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["status"], "deleted");
    // Gone from the public list and the partner check at once; the restriction stays until lifted.
    let (_, found) = public(&app, "王1某", None).await;
    let measures: Vec<&str> =
        found["items"].as_array().unwrap().iter().map(|i| i["measure"].as_str().unwrap()).collect();
    assert_eq!(measures, ["restriction"], "{found}");
    let result = check(&app, &partner_token, &[&debtor_id]).await;
    assert_eq!(result["results"][0]["measures"], json!(["consumption_restriction"]));
    let (_, credit) = app.get(&judge, &format!("/api/v1/cases/{id}/credit")).await;
    let rid = credit["restrictions"][0]["id"].to_string();
    let (s, lifted) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/credit/restrictions/{rid}/lift"),
            &json!({"ground": "full_performance", "lift_ref": "（2026）浙0203执1号之三", "on": "2026-12-21"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{lifted}");
    let (_, found) = public(&app, "王1某", None).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 0);
    let result = check(&app, &partner_token, &[&debtor_id]).await;
    assert_eq!(result["results"][0]["restricted"], false);
    // The audit record keeps everything.
    let (_, credit) = app.get(&judge, &format!("/api/v1/cases/{id}/credit")).await;
    let actions: Vec<&str> =
        credit["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["proposed", "decided", "issued", "published", "reported", "trigger_detected", "deleted", "lifted"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // Statistics count it as a repair.
    let (_, stats) = app.get(&judge, "/api/v1/credit/stats").await;
    assert_eq!(stats[0]["deleted_by_trigger"], json!([["performed", 1]]));
    assert_eq!(stats[0]["breaches"], 1);
    // Every partner call was logged (the log is written in batches).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let partners = app.store.partners().await.unwrap();
    assert!(app.store.partner_call_count(partners[0].id).await.unwrap() >= 6);
    // Without a partner credential: 401; a user token is not a partner credential.
    let response = app
        .client
        .post(app.url("/api/v1/partner/restrictions/check"))
        .bearer_auth(&judge)
        .json(&json!({"id_numbers": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    app.store.revoke_partner("测试航空公司", crate::T0).await.unwrap();
}

async fn bars_capacity_and_rate_limits(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let (id, party_id, _) = case_against_person(&app, &judge, 2).await;
    let url = format!("/api/v1/cases/{id}/credit/listings");
    let propose = |grounds: Value, bars: Value, capacity: &str| json!({"party_id": party_id, "grounds": grounds, "bars": bars, "capacity": capacity, "evidence": "证据", "on": "2026-11-20"});
    let (s, b) = app.post(&judge, &url, &propose(json!(["s1"]), json!(["security_given"]), "able")).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "credit_refused", None);
    assert_eq!(b["error"]["missing"][0]["rule"], "《最高人民法院关于公布失信被执行人名单信息的若干规定》第三条");
    let (s, b) = app.post(&judge, &url, &propose(json!(["s1"]), json!([]), "unable")).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "credit_refused", None);
    assert!(b["error"]["missing"][0]["item"].as_str().unwrap().contains("失能"));
    // Security bars S1 only: S4 can still be listed; its term is two years.
    let (s, listing) = app.post(&judge, &url, &propose(json!(["s4"]), json!(["security_given"]), "able")).await;
    assert_eq!(s, StatusCode::CREATED, "{listing}");
    let lid = listing["id"].to_string();
    let (s, decided) = app
        .post(
            &judge,
            &format!("{url}/{lid}/decision"),
            &json!({"decision": "approve", "president_approved": true, "decision_ref": "x", "on": "2026-11-21"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "published");
    assert_eq!(decided["term_until"], "2028-11-21");
    // A written correction application: 15 days to examine (SX art 12).
    let (s, correction) = app
        .post(
            &judge,
            &format!("{url}/{lid}/corrections"),
            &json!({"ground": "inaccurate", "applicant": "王2某", "received_on": "2026-11-23"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{correction}");
    assert_eq!(correction["examine_by"], "2026-12-08");
    let (s, b) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/credit/corrections/{}/decision", correction["id"]),
            &json!({"upheld": true, "on": "2026-11-26", "note": "住址记载有误，已更正"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    // A second application is rejected; the applicant goes to the upper court.
    let (_, second) = app
        .post(
            &judge,
            &format!("{url}/{lid}/corrections"),
            &json!({"ground": "should_not_be_listed", "applicant": "王2某", "received_on": "2026-11-23"}),
        )
        .await;
    let cid = second["id"].to_string();
    let (s, _) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/credit/corrections/{cid}/decision"),
            &json!({"upheld": false, "on": "2026-11-24", "note": "理由不成立"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, review) = app
        .post(
            &judge,
            &format!("/api/v1/cases/{id}/credit/corrections/{cid}/review"),
            &json!({"rejection_served_on": "2026-11-24", "received_on": "2026-11-26"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{review}");
    assert_eq!(review["review_decide_by"], "2026-12-11");
    // Performance is not a trigger for a termed listing (SX art 10 ¶2).
    let (s, b) =
        app.post(&judge, &format!("{url}/{lid}/deletion"), &json!({"trigger": "performed", "on": "2026-11-25"})).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "credit_refused", None);
    // A higher court reads but cannot decide; another court sees nothing.
    let nb = app.token("nb_chief").await;
    let (s, _) = app.get(&nb, &format!("/api/v1/cases/{id}/credit")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = app
        .post(&nb, &format!("{url}/{lid}/deletion"), &json!({"trigger": "early_deletion", "on": "2026-11-25"}))
        .await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden", None);
    // Public look-up input and the rate limit.
    let (s, b) = public(&app, "王", None).await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("name"));
    let mut limited = None;
    for _ in 0..40 {
        let (s, b) = public(&app, "王2某", None).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(b);
            break;
        }
        assert_eq!(s, StatusCode::OK);
        assert!(!b.to_string().contains(&citizen_id(602)), "never the full ID");
    }
    let limited = limited.expect("the limit is reached within 40 requests");
    assert_eq!(limited["error"]["code"], "rate_limited");
    assert!(limited["error"]["message"].as_str().unwrap().contains("秒后再试"));
}

zhixing_store::backend_tests! {
    credit_through_the_pages,
}

async fn credit_through_the_pages(store: Store) {
    let app = TestApp::spawn(store).await;
    let judge = app.token("hs_judge").await;
    let (id, party_id, debtor_id) = case_against_person(&app, &judge, 3).await;
    let mut browser = crate::ui::Browser::new(&app);
    browser.login("hs_judge").await;
    let page = browser.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("失信被执行人名单与限制消费"));
    let csrf = page.input("csrf");
    let party = party_id.to_string();
    // S1 for a debtor assessed as 失能: refused on the page, with the rule.
    let refused = browser
        .post(
            &format!("/cases/{id}/credit/propose"),
            &[
                ("csrf", csrf.as_str()),
                ("party_id", party.as_str()),
                ("grounds", "s1"),
                ("capacity", "unable"),
                ("source", "ex_officio"),
                ("on", "2026-11-20"),
                ("evidence", "查询无财产"),
                ("severity", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let start = refused.body.find("<div id=\"credit\">").unwrap();
    let section = &refused.body[start..];
    assert!(section.contains("失能"), "the refusal is shown in the credit section");
    assert!(section.contains("第一条第一项、第三条第四项"));
    // Two grounds through the checkboxes, then the decision.
    let ok = browser
        .post(
            &format!("/cases/{id}/credit/propose"),
            &[
                ("csrf", csrf.as_str()),
                ("party_id", party.as_str()),
                ("grounds", "s4"),
                ("grounds", "s5"),
                ("capacity", "unable"),
                ("source", "application"),
                ("on", "2026-11-20"),
                ("evidence", "拒不报告财产；乘坐高铁一等座"),
                ("severity", ""),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (_, credit) = app.get(&judge, &format!("/api/v1/cases/{id}/credit")).await;
    assert_eq!(credit["listings"][0]["grounds"], json!(["s4", "s5"]));
    let lid = credit["listings"][0]["id"].to_string();
    let decided = browser
        .post(
            &format!("/cases/{id}/credit/decide/{lid}"),
            &[
                ("csrf", csrf.as_str()),
                ("decision", "approve"),
                ("president_approved", "on"),
                ("decision_ref", "（2026）浙0203执3号之一"),
                ("grace_months", ""),
                ("on", "2026-11-21"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let page = browser.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("已公布"));
    assert!(page.body.contains("2028-11-21"), "two-year term");
    // A judge records a breach from the page; the timeline gets it with the advice.
    let (_, credit) = app.get(&judge, &format!("/api/v1/cases/{id}/credit")).await;
    let rid = credit["restrictions"][0]["id"].to_string();
    let reported = browser
        .post(
            &format!("/cases/{id}/credit/breach"),
            &[
                ("csrf", csrf.as_str()),
                ("person", rid.as_str()),
                ("occurred_on", "2026-11-25"),
                ("place", "宁波站"),
                ("conduct", "乘坐G字头列车"),
            ],
        )
        .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER, "{}", reported.body);
    let (_, nodes) = app.get(&judge, &format!("/api/v1/cases/{id}/nodes")).await;
    let breach = nodes.as_array().unwrap().iter().find(|n| n["kind"] == "restriction_breached").unwrap();
    assert!(breach["note"].as_str().unwrap().contains("罚款、拘留"), "{breach}");
    // The court list and the public page.
    let list = browser.get("/credit").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("王3某"));
    let public = app.client.get(app.url("/public/restrictions?name=王3某")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let body = public.text().await.unwrap();
    assert!(body.contains(&format!("{}********{}", &debtor_id[..6], &debtor_id[14..])));
    assert!(!body.contains(&debtor_id), "never the full ID on the public page");
    assert!(body.contains("违反财产报告制度"));
    let start = body.find("<dl class=\"facts public-entry\">").unwrap();
    let end = start + body[start..].find("</dl>").unwrap();
    insta::assert_snapshot!("public_entry", &body[start..end + 5]);
}
