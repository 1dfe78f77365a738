//! The UI flow that matters most, in a real browser: log in, file a case
//! through the form, get the field error for a bad 身份证号, fix it, and
//! find the case in the list.
//!
//! Drives Debian's `chromium` through `chromedriver` (both installed by
//! `.ci/run`). Without them the test is skipped, unless
//! `ZHIXING_REQUIRE_BROWSER=1` (set by `.ci/run`) makes their absence a
//! failure.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use zhixing_store::Store;

use crate::{PASSWORD, TestApp};

zhixing_store::backend_tests! {
    a_judge_files_a_case_in_a_real_browser,
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(var: &str, default: &str) -> Option<String> {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_string());
    std::path::Path::new(&path).exists().then_some(path)
}

async fn start_driver() -> Option<(Driver, String, String)> {
    let required = std::env::var("ZHIXING_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(driver), Some(chromium)) =
        (tool("ZHIXING_CHROMEDRIVER", "/usr/bin/chromedriver"), tool("ZHIXING_CHROMIUM", "/usr/bin/chromium"))
    else {
        assert!(!required, "ZHIXING_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed");
        eprintln!("skipping the browser test: chromium and chromedriver are not installed");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Some((driver, format!("http://127.0.0.1:{port}"), chromium));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn a_judge_files_a_case_in_a_real_browser(store: Store) {
    let Some((_driver, webdriver, chromium)) = start_driver().await else { return };
    let app = TestApp::spawn(store).await;
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1600",
                     format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&webdriver)
        .await
        .expect("connect to chromedriver");
    let result = flow(&client, &app).await;
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("zhixing-browser-last.png"), png);
    }
    client.close().await.unwrap();
    result.unwrap();
}

/// Waits until the browser's URL satisfies `done` — after a click that
/// navigates, so that nothing is read from the page being left.
async fn wait_for_url(
    client: &fantoccini::Client,
    done: impl Fn(&url::Url) -> bool,
) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..200 {
        if done(&client.current_url().await?) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser did not reach the expected page; it is at {}", client.current_url().await?);
}

async fn flow(client: &fantoccini::Client, app: &TestApp) -> Result<(), fantoccini::error::CmdError> {
    // Not logged in: the case list sends the browser to the login page.
    client.goto(&app.url("/cases")).await?;
    assert!(client.current_url().await?.path().ends_with("/login"));
    client.find(Locator::Css("input[name=username]")).await?.send_keys("hs_judge").await?;
    client.find(Locator::Css("input[name=password]")).await?.send_keys(PASSWORD).await?;
    client.find(Locator::Css("form button[type=submit]")).await?.click().await?;
    wait_for_url(client, |u| u.path() == "/cases").await?;
    client.wait().for_element(Locator::Css("table.list, p.empty")).await?;

    client.find(Locator::LinkText("新立案")).await?.click().await?;
    wait_for_url(client, |u| u.path() == "/cases/new").await?;
    client.wait().for_element(Locator::Css("form.case-form")).await?;
    let fill = |name: &'static str, value: &'static str| async move {
        let field = client.find(Locator::Css(&format!("[name={name}]"))).await?;
        field.clear().await?;
        field.send_keys(value).await
    };
    fill("basis_issuing_body", "宁波市海曙区人民法院").await?;
    fill("basis_document_number", "（2026）浙0203民初2001号").await?;
    fill("basis_operative_text", "被告于判决生效之日起十日内支付原告货款30000元。").await?;
    // Date widgets are locale-dependent to type into; set them like a date picker would.
    client.execute("document.querySelector('[name=basis_effective_on]').value = '2026-10-09'", vec![]).await?;
    client.execute("document.querySelector('[name=basis_performance_due_on]').value = '2026-10-19'", vec![]).await?;
    fill("p0_name", "浏览器测试申请人").await?;
    fill("p0_id_number", "110105199003071238").await?; // wrong check digit
    fill("p1_name", "宁波浏览器测试有限公司").await?;
    fill("p1_id_number", "91110105MA01B2C34Q").await?;
    fill("p1_legal_representative", "周八").await?;
    fill("c0_amount", "30000").await?;
    client.find(Locator::Css("button[name=action][value=save]")).await?.click().await?;

    // The form comes back with the error under the 身份证号 of the applicant.
    let error = client.wait().for_element(Locator::Css("#party-0 .field-error")).await?;
    let text = error.text().await?;
    assert!(text.contains("身份证号码校验位错误"), "{text}");
    assert!(text.contains("应为9"), "{text}");
    assert_eq!(app.case_count().await, 0);

    fill("p0_id_number", "110105199003071239").await?;
    client.find(Locator::Css("button[name=action][value=save]")).await?.click().await?;
    wait_for_url(client, |u| u.query().is_some_and(|q| q.contains("notice=created"))).await?;
    let notice = client.wait().for_element(Locator::Css(".banner.ok")).await?;
    assert_eq!(notice.text().await?, "已立案，案号为（2026）浙0203执1号。");

    // Find it again from the list.
    client.goto(&app.url("/cases")).await?;
    client.find(Locator::Css("input[name=q]")).await?.send_keys("浏览器测试申请人").await?;
    client.find(Locator::Css("form.search button")).await?.click().await?;
    wait_for_url(client, |u| u.query().is_some_and(|q| q.contains("q="))).await?;
    let first = client.wait().for_element(Locator::Css("table.list tbody tr td a")).await?;
    assert_eq!(first.text().await?, "（2026）浙0203执1号");
    let rows = client.find_all(Locator::Css("table.list tbody tr")).await?;
    assert_eq!(rows.len(), 1);

    // Open it: the 终本 checklist is on the page. Record the 执行通知 and
    // watch its item turn met.
    first.click().await?;
    wait_for_url(client, |u| u.path().starts_with("/cases/") && u.path() != "/cases").await?;
    let row = client.wait().for_element(Locator::Css("table.checklist tbody tr:first-child")).await?;
    assert_eq!(row.attr("class").await?.as_deref(), Some("missing"));
    let case_path = client.current_url().await?.path().to_string();
    client.find(Locator::Css("#node-form select[name=kind] option[value=notice_served]")).await?.click().await?;
    client.find(Locator::Css("#node-form input[name=document_ref]")).await?.send_keys("（2026）浙0203执1号").await?;
    client.find(Locator::Css("#node-form button[type=submit]")).await?.click().await?;
    wait_for_url(client, |u| u.query().is_some_and(|q| q.contains("notice=node"))).await?;
    let row = client.wait().for_element(Locator::Css("table.checklist tbody tr:first-child")).await?;
    assert_eq!(row.attr("class").await?.as_deref(), Some("met"));
    assert!(row.text().await?.contains("（2026）浙0203执1号"));

    // Try to close it as 终本 today: refused, with every missing item and its article.
    client.find(Locator::Css("#transition-form select[name=action] option[value=close]")).await?.click().await?;
    client
        .find(Locator::Css("#transition-form select[name=mode] option[value=terminated_this_round]"))
        .await?
        .click()
        .await?;
    client.find(Locator::Css("#transition-form button[type=submit]")).await?.click().await?;
    wait_for_url(client, |u| u.path().ends_with("/transitions")).await?;
    let refusal = client.wait().for_element(Locator::Css(".refusal")).await?;
    let text = refusal.text().await?;
    assert!(text.contains("不能以“终结本次执行程序”结案"), "{text}");
    assert!(text.contains("《终本规定》第一条第四项"), "{text}");
    assert!(text.contains("已约谈申请执行人并记录其意见"), "{text}");
    client.goto(&app.url(&case_path)).await?;
    let status = client.wait().for_element(Locator::Css("#workflow .status")).await?;
    assert_eq!(status.text().await?, "已立案", "the refusal changed nothing");

    // The city court's command centre: the dashboard shows 海曙's open case,
    // drills down to it, and records its 执行局长 post.
    client.find(Locator::Css("form[action='/logout'] button")).await?.click().await?;
    client.goto(&app.url("/cases")).await?;
    client.find(Locator::Css("input[name=username]")).await?.send_keys("nb_command").await?;
    client.find(Locator::Css("input[name=password]")).await?.send_keys(PASSWORD).await?;
    client.find(Locator::Css("form button[type=submit]")).await?.click().await?;
    client.wait().for_element(Locator::LinkText("指挥看板")).await?.click().await?;
    let table = client.wait().for_element(Locator::Css("table.dashboard")).await?;
    let text = table.text().await?;
    assert!(text.contains("宁波市海曙区人民法院"), "{text}");
    client.find(Locator::LinkText("宁波市海曙区人民法院")).await?.click().await?;
    wait_for_url(client, |u| u.query().is_some_and(|q| q.contains("court="))).await?;
    let page = client.find(Locator::Css("main")).await?.text().await?;
    assert!(page.contains("执行局长：空缺（未登记任职人员）"), "{page}");
    client.find(Locator::Css("form[action='/dashboard/posts'] input[name=holder]")).await?.send_keys("陈立新").await?;
    client.find(Locator::Css("form[action='/dashboard/posts'] button[type=submit]")).await?.click().await?;
    let posts = client.wait().for_element(Locator::XPath("//li[contains(., '执行局长：陈立新')]")).await?;
    assert!(posts.text().await?.contains("陈立新"));
    Ok(())
}
