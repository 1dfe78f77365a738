use reqwest::StatusCode;
use serde_json::json;
use zhixing_store::Store;

use crate::{PASSWORD, TestApp, case_body};

zhixing_store::backend_tests! {
    login_sets_a_secure_session_cookie,
    filing_through_the_form,
    form_errors_sit_next_to_their_fields_and_store_nothing,
    forms_without_the_csrf_token_are_refused,
    user_text_is_escaped,
    higher_courts_see_but_cannot_edit,
    an_edit_based_on_a_stale_version_shows_what_changed,
    pages_read_as_expected,
}

/// A browser without JavaScript: keeps its own cookies.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
    pub last_set_cookies: Vec<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// Value of the first hidden input called `name`.
    pub fn input(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.body.find(&marker).unwrap_or_else(|| panic!("no input {name} in {}", self.body)) + marker.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app, cookies: Vec::new(), last_set_cookies: Vec::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        self.last_set_cookies =
            response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        for set in &self.last_set_cookies {
            let pair = set.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !value.is_empty() {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
        let status = response.status();
        let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        Page { status, location, body: response.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response =
            self.app.client.get(self.app.url(path)).header("cookie", self.cookie_header()).send().await.unwrap();
        self.finish(response).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    pub async fn login(&mut self, username: &str) -> Page {
        let form = self.get("/login?next=/cases").await;
        let csrf = form.input("csrf");
        self.post("/login", &[("username", username), ("password", PASSWORD), ("csrf", &csrf), ("next", "/cases")])
            .await
    }
}

/// The fields of a valid new-case form.
pub fn form_fields(csrf: &str, applicant_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_string()),
        ("version", "0".into()),
        ("action", "save".into()),
        ("case_type", "执".into()),
        ("filed_on", "2026-11-26".into()),
        ("handling_judge", "hs_judge".into()),
        ("basis_issuing_body", "宁波市海曙区人民法院".into()),
        ("basis_document_number", "(2026)浙0203民初88号".into()),
        ("basis_document_type", "调解书".into()),
        ("basis_effective_on", "2026-10-10".into()),
        ("basis_performance_due_on", "2026-10-31".into()),
        ("basis_operative_text", "被告于2026年10月31日前支付原告借款50000元。".into()),
        ("party_count", "3".into()),
        ("p0_role", "applicant".into()),
        ("p0_kind", "person".into()),
        ("p0_name", "钱六".into()),
        ("p0_id_number", applicant_id.to_string()),
        ("p1_role", "respondent".into()),
        ("p1_kind", "organization".into()),
        ("p1_name", "宁波甬兴贸易有限公司".into()),
        ("p1_id_number", "91110105MA01B2C34Q".into()),
        ("p1_legal_representative", "孙七".into()),
        ("p2_role", "respondent".into()),
        ("p2_kind", "person".into()),
        ("claim_count", "2".into()),
        ("c0_kind", "principal".into()),
        ("c0_amount", "50000".into()),
        ("c0_description", "借款".into()),
        ("c1_kind", "costs".into()),
    ]
}

fn borrow<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn login_sets_a_secure_session_cookie(store: Store) {
    let app = TestApp::spawn(store).await;
    let mut browser = Browser::new(&app);
    let page = browser.login("hs_judge").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/cases"));
    let session = browser.last_set_cookies.iter().find(|c| c.starts_with("__Host-zhixing_session=")).unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    let list = browser.get("/cases").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("hs_judge名（执行法官）"));
    assert_eq!(browser.get("/login").await.location.as_deref(), Some("/cases"), "logged-in users skip the form");

    // Wrong password: the form again with the reason.
    let mut other = Browser::new(&app);
    let form = other.get("/login").await;
    let page = other
        .post(
            "/login",
            &[("username", "hs_judge"), ("password", "wrong"), ("csrf", &form.input("csrf")), ("next", "/cases")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("用户名或密码错误"));
    // A login form from elsewhere (no matching cookie) is refused.
    let mut stranger = Browser::new(&app);
    let page = stranger
        .post("/login", &[("username", "hs_judge"), ("password", PASSWORD), ("csrf", "forged"), ("next", "/cases")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // No open redirect after login.
    let mut b = Browser::new(&app);
    let form = b.get("/login").await;
    let page = b
        .post(
            "/login",
            &[
                ("username", "hs_judge"),
                ("password", PASSWORD),
                ("csrf", &form.input("csrf")),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/cases"));

    // Logout ends the session.
    let csrf = list.input("csrf");
    let page = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(page.location.as_deref(), Some("/login"));
    assert_eq!(browser.get("/cases").await.status, StatusCode::SEE_OTHER);
}

async fn filing_through_the_form(store: Store) {
    let app = TestApp::spawn(store).await;
    let mut browser = Browser::new(&app);
    browser.login("hs_clerk").await;
    let form = browser.get("/cases/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let fields = form_fields(&form.input("csrf"), "110105199003071239");
    let page = browser.post("/cases/new", &borrow(&fields)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = page.location.unwrap();
    assert!(location.ends_with("?notice=created"));
    let detail = browser.get(&location).await;
    assert!(detail.body.contains("已立案，案号为（2026）浙0203执1号。"));
    assert!(detail.body.contains("宁波甬兴贸易有限公司"));
    assert!(detail.body.contains("50,000.00"));
    assert!(detail.body.contains("hs_judge名"), "handling judge shown");
    let list = browser.get("/cases?q=%E9%92%B1%E5%85%AD").await; // 钱六
    assert!(list.body.contains("（2026）浙0203执1号"));

    // "增加一名当事人" re-renders with one more row and stores nothing.
    let mut more = form_fields(&form.input("csrf"), "110105199003071239");
    more.retain(|(k, _)| *k != "action");
    more.push(("action", "add_party".into()));
    let page = browser.post("/cases/new", &borrow(&more)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"p3_name\""));
    assert!(page.body.contains("value=\"宁波甬兴贸易有限公司\""));
    assert_eq!(app.case_count().await, 1);
}

async fn form_errors_sit_next_to_their_fields_and_store_nothing(store: Store) {
    let app = TestApp::spawn(store).await;
    let mut browser = Browser::new(&app);
    browser.login("hs_judge").await;
    let form = browser.get("/cases/new").await;
    let mut fields = form_fields(&form.input("csrf"), "110105199003071238");
    fields.retain(|(k, _)| *k != "c0_amount");
    fields.push(("c0_amount", "5万".into()));
    let page = browser.post("/cases/new", &borrow(&fields)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("有2处需要修改"));
    let id_field = page.body.find("name=\"p0_id_number\"").unwrap();
    let id_error = page.body.find("身份证号码校验位错误").unwrap();
    let next_field = page.body.find("name=\"p0_legal_representative\"").unwrap();
    assert!(id_field < id_error && id_error < next_field, "the error is shown under the 身份证号 field");
    assert!(page.body.contains("value=\"110105199003071238\""), "input is kept");
    assert!(page.body.contains("金额“5万”格式不正确"));
    assert_eq!(app.case_count().await, 0);
}

async fn forms_without_the_csrf_token_are_refused(store: Store) {
    let app = TestApp::spawn(store).await;
    let mut browser = Browser::new(&app);
    browser.login("hs_judge").await;
    let fields = form_fields("not-the-token", "110105199003071239");
    let page = browser.post("/cases/new", &borrow(&fields)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("表单已过期或来源无效"));
    assert_eq!(app.case_count().await, 0);
}

async fn user_text_is_escaped(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let mut body = case_body(1);
    body["parties"][0]["name"] = json!("<script>alert('x')</script>");
    body["basis"]["operative_text"] = json!("一、<b>支付</b>&nbsp;100元\"");
    let (status, case) = app.post(&token, "/api/v1/cases", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut browser = Browser::new(&app);
    browser.login("hs_judge").await;
    for path in [
        format!("/cases/{}", case["id"]),
        format!("/cases/{}/print", case["id"]),
        "/cases".into(),
        format!("/cases/{}/edit", case["id"]),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script>alert"), "{path} is not escaped");
        assert!(!page.body.contains("<b>支付</b>"), "{path} is not escaped");
        assert!(
            page.body.contains("&lt;script&gt;") || page.body.contains("&#60;script&#62;"),
            "{path}: {}",
            page.body
        );
    }
}

async fn higher_courts_see_but_cannot_edit(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let (_, case) = app.post(&token, "/api/v1/cases", &case_body(1)).await;
    let mut browser = Browser::new(&app);
    browser.login("nb_chief").await;
    let detail = browser.get(&format!("/cases/{}", case["id"])).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("您可以查看，不能修改"));
    assert!(!detail.body.contains("/edit\""));
    assert_eq!(browser.get(&format!("/cases/{}/edit", case["id"])).await.status, StatusCode::FORBIDDEN);
    let list = browser.get("/cases").await;
    assert!(list.body.contains("显示本院及辖区2个法院的案件"));

    let mut other = Browser::new(&app);
    other.login("yz_judge").await;
    assert_eq!(other.get(&format!("/cases/{}", case["id"])).await.status, StatusCode::NOT_FOUND);
}

async fn an_edit_based_on_a_stale_version_shows_what_changed(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_chief").await;
    let (_, case) = app.post(&token, "/api/v1/cases", &case_body(1)).await;
    let mut browser = Browser::new(&app);
    browser.login("hs_judge").await;
    let form = browser.get(&format!("/cases/{}/edit", case["id"])).await;
    assert_eq!(form.input("version"), "1");
    // Someone else saves first.
    let (status, _) = app
        .patch(
            &token,
            &format!("/api/v1/cases/{}", case["id"]),
            &json!({"version": 1, "basis": {"operative_text": "他人先改"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut fields: Vec<(&str, String)> = vec![
        ("csrf", form.input("csrf")),
        ("version", "1".into()),
        ("action", "save".into()),
        ("case_type", "执".into()),
        ("filed_on", "2026-11-20".into()),
        ("basis_issuing_body", "宁波市海曙区人民法院".into()),
        ("basis_document_number", "（2026）浙0203民初1234号".into()),
        ("basis_document_type", "判决书".into()),
        ("basis_effective_on", "2026-09-01".into()),
        ("basis_operative_text", "我的修改".into()),
        ("party_count", "2".into()),
        ("claim_count", "1".into()),
        ("c0_kind", "principal".into()),
        ("c0_amount", "1000".into()),
    ];
    for (i, p) in case["parties"].as_array().unwrap().iter().enumerate() {
        for (key, field) in [
            ("id", "id"),
            ("role", "role"),
            ("kind", "kind"),
            ("name", "name"),
            ("id_number", "id_number"),
            ("legal_representative", "legal_representative"),
        ] {
            let value = match &p[field] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            let name: &'static str = Box::leak(format!("p{i}_{key}").into_boxed_str());
            fields.push((name, value));
        }
    }
    let page = browser.post(&format!("/cases/{}/edit", case["id"]), &borrow(&fields)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("本案已被他人修改（当前为第2版）"));
    assert!(page.body.contains("hs_chief名"));
    assert!(page.body.contains("修改了判项"));
    assert!(page.body.contains("我的修改"), "the user's input is kept");
    assert_eq!(page.input("version"), "2");
    let (_, current) = app.get(&token, &format!("/api/v1/cases/{}", case["id"])).await;
    assert_eq!(current["basis"]["operative_text"], "他人先改");
    // Resubmitting on the new version saves.
    let fields: Vec<(&str, String)> =
        fields.into_iter().map(|(k, v)| if k == "version" { (k, "2".to_string()) } else { (k, v) }).collect();
    let page = browser.post(&format!("/cases/{}/edit", case["id"]), &borrow(&fields)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let (_, current) = app.get(&token, &format!("/api/v1/cases/{}", case["id"])).await;
    assert_eq!((current["basis"]["operative_text"].as_str(), current["version"].as_i64()), (Some("我的修改"), Some(3)));
}

/// Snapshots of what people read: the case page, its print view, the list
/// and the form with errors. Ids (time-based) are masked.
async fn pages_read_as_expected(store: Store) {
    let app = TestApp::spawn(store).await;
    let token = app.token("hs_judge").await;
    let mut body = case_body(1);
    body["handling_judge"] = json!("hs_judge");
    let (_, case) = app.post(&token, "/api/v1/cases", &body).await;
    let id = case["id"].to_string();
    let mut browser = Browser::new(&app);
    browser.login("hs_judge").await;
    let party_ids: Vec<String> = case["parties"].as_array().unwrap().iter().map(|p| p["id"].to_string()).collect();
    let mask = |html: String| {
        let csrf_marker = "name=\"csrf\" value=\"";
        let mut out = html.replace(&id, "[id]");
        for party in &party_ids {
            out = out.replace(party.as_str(), "[party]");
        }
        while let Some(start) = out.find(csrf_marker) {
            let from = start + csrf_marker.len();
            let end = from + out[from..].find('"').unwrap();
            out.replace_range(start..end, "name=\"csrf\" value=[csrf]");
        }
        out
    };
    insta::assert_snapshot!("case_detail", mask(browser.get(&format!("/cases/{id}")).await.body));
    insta::assert_snapshot!("case_print", mask(browser.get(&format!("/cases/{id}/print")).await.body));
    // A node through the form, then a refused 终本: the page lists each
    // missing item with its article and keeps what was typed.
    let csrf = browser.get(&format!("/cases/{id}")).await.input("csrf");
    let page = browser
        .post(
            &format!("/cases/{id}/nodes"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "notice_served"),
                ("on", "2026-11-23"),
                ("document_ref", "（2026）浙0203执1号"),
                ("note", ""),
                ("amount", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = browser
        .post(
            &format!("/cases/{id}/transitions"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "close"),
                ("mode", "terminated_this_round"),
                ("on", "2026-11-26"),
                ("ground", ""),
                ("document_ref", ""),
                ("note", "试终本"),
                ("until", ""),
                ("security_until", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let start = page.body.find("<div class=\"banner error refusal\"").unwrap();
    let end = start + page.body[start..].find("</div>").unwrap();
    insta::assert_snapshot!("zhongben_refused", &page.body[start..end]);
    assert!(page.body.contains(">试终本</textarea>"), "the form keeps the input");
    insta::assert_snapshot!("deadlines", mask(browser.get("/deadlines").await.body));
    insta::assert_snapshot!("case_list", mask(browser.get("/cases").await.body));
    insta::assert_json_snapshot!("case_json", case, {
        ".id" => "[id]",
        ".parties[].id" => "[id]",
    });
    let (_, error) = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({"case_type": "执", "parties": [], "claims": [{"kind": "principal", "amount": "1e5"}]}),
        )
        .await;
    insta::assert_json_snapshot!("validation_error", error);
}
