use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhixing_store::Store;

use crate::{PASSWORD, TestApp, assert_error, case_body, read};

zhixing_store::backend_tests! {
    health_and_openapi_answer,
    login_logout_and_lockout,
    nothing_is_visible_without_logging_in,
    filing_returns_the_stored_case_with_its_number,
    bad_input_gets_the_documented_error_and_stores_nothing,
    fifty_concurrent_filings_get_fifty_consecutive_numbers,
    courts_scope_reads_and_writes,
    stale_versions_conflict_and_edits_are_logged,
    credit_code_overrides_need_authority,
    search_and_pages,
    soft_delete_hides_the_case,
    expired_sessions_end,
}

async fn health_and_openapi_answer(store: Store) {
    let app = TestApp::spawn(store).await;
    let (status, body) = read(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");

    let (status, doc) = read(app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in
        ["/api/v1/auth/login", "/api/v1/courts", "/api/v1/cases", "/api/v1/cases/{id}", "/api/v1/cases/{id}/history"]
    {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    for method in ["get", "patch", "delete"] {
        assert!(doc["paths"]["/api/v1/cases/{id}"][method].is_object());
    }
    assert!(doc["components"]["schemas"]["CaseInput"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let (status, body) = read(app.client.get(app.url("/api/v1/no/such/thing")).send().await.unwrap()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "no_such_endpoint", None);
}

async fn login_logout_and_lockout(store: Store) {
    let app = TestApp::spawn(store).await;
    let login = |username: &'static str, password: &'static str| {
        let app = &app;
        async move {
            read(
                app.client
                    .post(app.url("/api/v1/auth/login"))
                    .json(&json!({"username": username, "password": password}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = login("hs_judge", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    assert_eq!(body["user"]["role"], "judge");
    assert_eq!(body["user"]["court"]["code"], "浙0203");
    let (status, me) = app.get(&token, "/api/v1/me").await;
    assert_eq!((status, me["username"].as_str()), (StatusCode::OK, Some("hs_judge")));

    let (status, body) = login("hs_judge", "wrong password").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_credentials", None);
    let (status, body) = login("nobody", "wrong password").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_credentials", None);

    // Logout ends the token.
    let response = app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Five wrong passwords lock the account, even for the right password.
    for _ in 0..4 {
        assert_eq!(login("hs_clerk", "nope nope").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = login("hs_clerk", "nope nope").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "account_locked", None);
    let (status, body) = login("hs_clerk", PASSWORD).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "account_locked", None);
    app.clock.advance(16 * 60_000);
    assert_eq!(login("hs_clerk", PASSWORD).await.0, StatusCode::OK);
    let events = app.store.auth_events_of("hs_clerk").await.unwrap();
    let outcomes: Vec<&str> = events.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(
        outcomes,
        ["bad_password", "bad_password", "bad_password", "bad_password", "bad_password", "locked", "success"]
    );

    // The login endpoint's own input errors.
    let (status, body) = read(
        app.client
            .post(app.url("/api/v1/auth/login"))
            .body("{\"username\":")
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json", None);
    let (status, body) = read(
        app.client
            .post(app.url("/api/v1/auth/login"))
            .body("username=x")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None);
}

async fn nothing_is_visible_without_logging_in(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let (_, created) = app.post(&token, "/api/v1/cases", &case_body(1)).await;
    let id = created["id"].as_i64().unwrap();
    for path in
        ["/api/v1/cases".to_string(), format!("/api/v1/cases/{id}"), "/api/v1/courts".into(), "/api/v1/me".into()]
    {
        let (status, body) = read(app.client.get(app.url(&path)).send().await.unwrap()).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated", None);
        let (status, _) = app.get(&"0".repeat(64), &path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with a made-up token");
    }
    let (status, body) =
        read(app.client.post(app.url("/api/v1/cases")).json(&case_body(2)).send().await.unwrap()).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated", None);
    // The UI redirects to the login page.
    for path in ["/cases".to_string(), format!("/cases/{id}"), format!("/cases/{id}/print"), "/cases/new".into()] {
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(response.headers()["location"].to_str().unwrap().starts_with("/login?next="));
    }
    assert_eq!(app.case_count().await, 1);
}

async fn filing_returns_the_stored_case_with_its_number(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_clerk").await;
    let response =
        app.client.post(app.url("/api/v1/cases")).bearer_auth(&token).json(&case_body(1)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["case_number"], "（2026）浙0203执1号");
    assert_eq!(created["version"], 1);
    assert_eq!(created["status"], "filed");
    assert_eq!(created["amount_applied"], "102300.00");
    assert_eq!(created["basis"]["document_number"], "（2026）浙0203民初1234号", "normalised 案号 of the document");
    assert_eq!(created["parties"][1]["legal_representative"], "李四");
    assert_eq!(created["created_by"]["username"], "hs_clerk");
    assert_eq!(created["created_at"], "2026-11-27T10:00:00+08:00");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/cases/{id}"));

    let (status, read_back) = app.get(&token, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read_back, created);

    // With a handling judge the case is 执行中; the judge must be of this court.
    let mut body = case_body(2);
    body["handling_judge"] = json!("hs_judge");
    let (status, second) = app.post(&token, "/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (second["case_number"].as_str(), second["status"].as_str()),
        (Some("（2026）浙0203执2号"), Some("enforcing"))
    );
    assert_eq!(second["handling_judge"]["username"], "hs_judge");
    body["handling_judge"] = json!("yz_judge");
    let (status, error) = app.post(&token, "/api/v1/cases", &body).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "invalid_handling_judge", Some("handling_judge"));
    body["handling_judge"] = json!("hs_clerk");
    let (status, _) = app.post(&token, "/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.case_count().await, 2);

    // Roles that may not file.
    for who in ["hs_command", "zj_admin"] {
        let other = app.token(who).await;
        let (status, error) = app.post(&other, "/api/v1/cases", &case_body(3)).await;
        assert_error(status, &error, StatusCode::FORBIDDEN, "forbidden", None);
    }
    assert_eq!(app.case_count().await, 2);
}

async fn bad_input_gets_the_documented_error_and_stores_nothing(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let with = |path: &str, value: Value| {
        let mut body = case_body(1);
        let mut target = &mut body;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            target = match part.parse::<usize>() {
                Ok(i) => &mut target[i],
                Err(_) => &mut target[*part],
            };
        }
        let last = parts[parts.len() - 1];
        match last.parse::<usize>() {
            Ok(i) => target[i] = value,
            Err(_) => target[last] = value,
        }
        body
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (with("parties.0.id_number", json!("110105199003071238")), "invalid_citizen_id", "parties[0].id_number"),
        (with("parties.0.id_number", json!("11010519900230123X")), "invalid_citizen_id", "parties[0].id_number"),
        (with("parties.1.id_number", json!("91350211M0000XUF46")), "credit_code_check_failed", "parties[1].id_number"),
        (with("parties.1.id_number", json!("9135021")), "invalid_credit_code", "parties[1].id_number"),
        (with("parties.1.legal_representative", Value::Null), "required", "parties[1].legal_representative"),
        (with("claims.0.amount", json!("12.345")), "invalid_amount", "claims[0].amount"),
        (with("claims.0.amount", json!("-5")), "invalid_amount", "claims[0].amount"),
        (with("claims.0.amount", json!("0")), "amount_not_positive", "claims[0].amount"),
        (with("claims.0.amount", json!(12.5)), "invalid_body", "claims[0].amount"),
        (with("claims.0.kind", json!("penalty")), "invalid_claim_kind", "claims[0].kind"),
        (with("case_type", json!("民初")), "invalid_case_type", "case_type"),
        (with("case_type", json!("执复")), "case_type_not_allowed_at_court", "case_type"),
        (with("filed_on", json!("2026-02-30")), "invalid_date", "filed_on"),
        (with("filed_on", json!("2026-12-01")), "date_in_future", "filed_on"),
        (with("basis.effective_on", json!("2026-11-21")), "effective_after_filing", "basis.effective_on"),
        (with("basis.document_type", json!("通知书")), "invalid_document_type", "basis.document_type"),
        (with("basis.operative_text", json!("   ")), "required", "basis.operative_text"),
        (with("parties.0.role", json!("respondent")), "missing_applicant", "parties"),
        (with("parties.0.unknown", json!("x")), "invalid_body", "parties[0].unknown"),
        (with("parties", json!("not a list")), "invalid_body", "parties"),
    ];
    for (body, code, field) in cases {
        let (status, error) = app.post(&token, "/api/v1/cases", &body).await;
        assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, code, Some(field));
    }
    // Several errors at once: all of them are listed.
    let mut body = with("parties.0.id_number", json!("123"));
    body["claims"][0]["amount"] = json!("abc");
    let (status, error) = app.post(&token, "/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: BTreeSet<&str> =
        error["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, BTreeSet::from(["parties[0].id_number", "claims[0].amount"]));

    // Transport-level errors.
    let raw = |body: Vec<u8>, content_type: Option<&'static str>| {
        let mut request = app.client.post(app.url("/api/v1/cases")).bearer_auth(&token).body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        async move { read(request.send().await.unwrap()).await }
    };
    let (status, error) = raw(b"{\"case_type\": \"\xe6\x89\xa7\",".to_vec(), Some("application/json")).await;
    assert_error(status, &error, StatusCode::BAD_REQUEST, "malformed_json", None);
    let (status, error) = raw(b"not json at all".to_vec(), Some("application/json")).await;
    assert_error(status, &error, StatusCode::BAD_REQUEST, "malformed_json", None);
    let (status, error) = raw(serde_json::to_vec(&case_body(1)).unwrap(), Some("text/plain")).await;
    assert_error(status, &error, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None);
    let (status, error) = raw(serde_json::to_vec(&case_body(1)).unwrap(), None).await;
    assert_error(status, &error, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None);
    let mut huge = case_body(1);
    huge["basis"]["operative_text"] = json!("判".repeat(40_000));
    let (status, error) = raw(serde_json::to_vec(&huge).unwrap(), Some("application/json")).await;
    assert_error(status, &error, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None);
    let (status, error) = raw(b"[1, 2, 3]".to_vec(), Some("application/json")).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", None);

    assert_eq!(app.case_count().await, 0, "nothing was stored");
    assert_eq!(app.store.scalar_for_tests("SELECT COUNT(*) FROM case_number_counters").await.unwrap(), 0);
    // And the process is fine.
    let (status, _) = app.post(&token, "/api/v1/cases", &case_body(1)).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn fifty_concurrent_filings_get_fifty_consecutive_numbers(store: Store) {
    let app = TestApp::spawn(store).await;
    let tokens = [app.token("hs_judge").await, app.token("hs_clerk").await, app.token("hs_chief").await];
    let mut tasks = Vec::new();
    for n in 0..50u32 {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/cases"), tokens[n as usize % 3].clone());
        tasks.push(tokio::spawn(async move {
            let (status, body) =
                read(client.post(url).bearer_auth(token).json(&case_body(n)).send().await.unwrap()).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["case_number"].as_str().unwrap().to_string()
        }));
    }
    let mut numbers = BTreeSet::new();
    for task in tasks {
        assert!(numbers.insert(task.await.unwrap()));
    }
    let expected: BTreeSet<String> = (1..=50).map(|i| format!("（2026）浙0203执{i}号")).collect();
    assert_eq!(numbers, expected);
}

async fn courts_scope_reads_and_writes(store: Store) {
    let app = TestApp::spawn(store).await;
    let hs = app.token("hs_judge").await;
    let (_, case) = app.post(&hs, "/api/v1/cases", &case_body(1)).await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let change = json!({"version": 1, "basis": {"operative_text": "改"}});

    // Another basic court: the case does not exist for it.
    let yz = app.token("yz_judge").await;
    let (status, body) = app.get(&yz, &path).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found", None);
    let (status, _) = app.patch(&yz, &path, &change).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&yz, "/api/v1/cases").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);

    // The intermediate court above reads but does not edit.
    for who in ["nb_chief", "nb_command"] {
        let nb = app.token(who).await;
        let (status, body) = app.get(&nb, &path).await;
        assert_eq!((status, &body["case_number"]), (StatusCode::OK, &case["case_number"]));
        let (status, body) = app.patch(&nb, &path, &change).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden", None);
        let (_, list) = app.get(&nb, "/api/v1/cases").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
    // The command centre of the same court reads only; the system administrator sees no case content.
    let command = app.token("hs_command").await;
    assert_eq!(app.get(&command, &path).await.0, StatusCode::OK);
    assert_eq!(app.patch(&command, &path, &change).await.0, StatusCode::FORBIDDEN);
    let admin = app.token("zj_admin").await;
    assert_eq!(app.get(&admin, &path).await.0, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&admin, "/api/v1/cases").await;
    assert!(list["items"].as_array().unwrap().is_empty());
    // Nothing changed.
    let (_, unchanged) = app.get(&hs, &path).await;
    assert_eq!(unchanged["version"], 1);
    // Ids that are not numbers are simply not found.
    assert_eq!(app.get(&hs, "/api/v1/cases/abc").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&hs, "/api/v1/cases/-1").await.0, StatusCode::NOT_FOUND);
}

async fn stale_versions_conflict_and_edits_are_logged(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let (_, case) = app.post(&token, "/api/v1/cases", &case_body(1)).await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let applicant_id = case["parties"][0]["id"].clone();

    let mut parties = case["parties"].clone();
    parties[0]["name"] = json!("申请人改名");
    let (status, updated) = app
        .patch(&token, &path, &json!({"version": 1, "handling_judge": "hs_judge", "basis": {"performance_due_on": null}, "parties": parties}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["status"], "enforcing");
    assert!(updated["basis"]["performance_due_on"].is_null());
    assert_eq!(updated["basis"]["operative_text"], case["basis"]["operative_text"], "unsent basis fields are kept");
    assert_eq!(updated["parties"][0]["id"], applicant_id);
    assert_eq!(updated["parties"][0]["name"], "申请人改名");
    assert_eq!(updated["claims"], case["claims"]);

    // A stale version is refused and nothing is overwritten.
    let (status, body) =
        app.patch(&token, &path, &json!({"version": 1, "basis": {"operative_text": "旧版本上的修改"}})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "version_conflict", Some("version"));
    let (_, current) = app.get(&token, &path).await;
    assert_eq!(current, updated);

    // Immutable and invalid changes.
    let (status, body) = app.patch(&token, &path, &json!({"version": 2, "case_type": "执恢"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "immutable_field", Some("case_type"));
    let (status, body) = app
        .patch(&token, &path, &json!({"version": 2, "filed_on": "2025-12-31", "basis": {"effective_on": "2025-12-01"}}))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "filing_year_change", Some("filed_on"));
    let (status, body) =
        app.patch(&token, &path, &json!({"version": 2, "claims": [{"kind": "principal", "amount": "1.001"}]})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount", Some("claims[0].amount"));
    let (status, body) = app.patch(&token, &path, &json!({"basis": {}})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("version"));
    let (_, current) = app.get(&token, &path).await;
    assert_eq!(current["version"], 2);

    let (status, history) = app.get(&token, &format!("{path}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["action"], "created");
    assert_eq!(history[1]["action"], "updated");
    assert_eq!(history[1]["actor"]["username"], "hs_judge");
    let fields: Vec<&str> =
        history[1]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["handling_judge", "basis.performance_due_on", &format!("parties[id={applicant_id}]")]);
}

async fn credit_code_overrides_need_authority(store: Store) {
    let app = TestApp::spawn(store).await;
    let mut body = case_body(1);
    body["parties"][1]["id_number"] = json!("91350211M0000XUF46");
    body["parties"][1]["id_check_override_reason"] = json!("已核对营业执照原件，代码与执照一致");
    let clerk = app.token("hs_clerk").await;
    let (status, error) = app.post(&clerk, "/api/v1/cases", &body).await;
    assert_error(
        status,
        &error,
        StatusCode::UNPROCESSABLE_ENTITY,
        "override_not_permitted",
        Some("parties[1].id_check_override_reason"),
    );
    let judge = app.token("hs_judge").await;
    let (status, case) = app.post(&judge, "/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let record = &case["parties"][1]["id_check_override"];
    assert_eq!(record["reason"], "已核对营业执照原件，代码与执照一致");
    assert_eq!(record["by"]["username"], "hs_judge");

    // A clerk may edit other fields of that case: the recorded override carries over.
    let path = format!("/api/v1/cases/{}", case["id"]);
    let mut parties = case["parties"].clone();
    parties[1]["address"] = json!("宁波市海曙区新址1号");
    parties[1].as_object_mut().unwrap().remove("id_check_override");
    let (status, updated) = app.patch(&clerk, &path, &json!({"version": 1, "parties": parties})).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["parties"][1]["id_check_override"]["by"]["username"], "hs_judge");
}

async fn search_and_pages(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    for n in 1..=25 {
        assert_eq!(app.post(&token, "/api/v1/cases", &case_body(n)).await.0, StatusCode::CREATED);
    }
    let (_, page1) = app.get(&token, "/api/v1/cases").await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 20);
    assert_eq!(page1["has_more"], true);
    assert_eq!(page1["items"][0]["case_number"], "（2026）浙0203执25号");
    let (_, page2) = app.get(&token, "/api/v1/cases?page=2").await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 5);
    assert_eq!(page2["has_more"], false);

    let search = |q: &str| {
        let app = &app;
        let token = token.clone();
        let q = q.to_string();
        async move {
            let response = app
                .client
                .get(app.url("/api/v1/cases"))
                .query(&[("q", q.as_str())])
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let (_, body) = read(response).await;
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["case_number"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("(2026)浙0203执7号").await, ["（2026）浙0203执7号"]);
    assert_eq!(search("申请人12号").await, ["（2026）浙0203执12号"]);
    assert_eq!(search("第12贸易").await, ["（2026）浙0203执12号"]);
    assert_eq!(search(&zhixing_store::testing::citizen_id(3)).await, ["（2026）浙0203执3号"]);
    assert!(search("不存在的当事人").await.is_empty());

    let (status, body) = app.get(&token, "/api/v1/cases?status=finished").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_status", Some("status"));
    let (status, body) = app.get(&token, "/api/v1/cases?page=0").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_page", Some("page"));
    let (_, filed) = app.get(&token, "/api/v1/cases?status=filed").await;
    assert_eq!(filed["items"].as_array().unwrap().len(), 20);
}

async fn soft_delete_hides_the_case(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let (_, case) = app.post(&token, "/api/v1/cases", &case_body(1)).await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let clerk = app.token("hs_clerk").await;
    let (status, body) = app.send(Method::DELETE, &clerk, &path, &json!({"version": 1, "reason": "重复立案"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden", None);
    let (status, body) = app.send(Method::DELETE, &token, &path, &json!({"version": 3, "reason": "重复立案"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "version_conflict", Some("version"));
    let (status, _) = app.send(Method::DELETE, &token, &path, &json!({"version": 1, "reason": "重复立案"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&token, &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.case_count().await, 1, "the row stays");
    let (_, next) = app.post(&token, "/api/v1/cases", &case_body(2)).await;
    assert_eq!(next["case_number"], "（2026）浙0203执2号", "the number is not reused");
}

async fn expired_sessions_end(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    app.clock.advance(60 * 60_000);
    assert_eq!(app.get(&token, "/api/v1/me").await.0, StatusCode::OK, "within the idle limit (2 h)");
    app.clock.advance(3 * 60 * 60_000);
    assert_eq!(app.get(&token, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "idle too long");
}
