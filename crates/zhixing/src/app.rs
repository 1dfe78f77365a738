//! Wiring: where the data lives, opening the store, reference data.

use std::path::Path;

use anyhow::{Context, Result, bail};
use zhixing_core::calc::lpr::LprTable;
use zhixing_core::calendar::WorkCalendar;
use zhixing_core::court::CourtDirectory;
use zhixing_core::workflow::WorkflowPolicy;
use zhixing_store::{Store, redact};

/// The national court table shipped with the binary (`data/courts.csv`).
pub const COURTS_CSV: &str = include_str!("../../../data/courts.csv");
/// The working-day calendar shipped with the binary (`data/calendar.csv`).
pub const CALENDAR_CSV: &str = include_str!("../../../data/calendar.csv");
/// The LPR history shipped with the binary (`data/lpr.csv`).
pub const LPR_CSV: &str = include_str!("../../../data/lpr.csv");

pub struct Location {
    pub database_url: String,
    /// The workflow policy (defaults unless a policy file is given).
    pub policy: WorkflowPolicy,
    /// The 失信/限消 policy (the file's `credit` section).
    pub credit_policy: zhixing_core::credit::CreditPolicy,
}

/// The database URL: `--database-url` if given, else an SQLite file in the
/// data directory (created if needed).
pub fn locate(data_dir: &Path, database_url: Option<&str>) -> Result<Location> {
    let database_url = match database_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => url.to_string(),
        None => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("无法创建数据目录 {}", data_dir.display()))?;
            let file = data_dir.join("zhixing.sqlite3");
            let absolute = std::path::absolute(&file).unwrap_or(file);
            format!("sqlite:{}", absolute.display())
        }
    };
    if !(database_url.starts_with("sqlite:")
        || database_url.starts_with("postgres://")
        || database_url.starts_with("postgresql://"))
    {
        bail!("不支持的数据库地址 {}：应以 sqlite: 或 postgres:// 开头", redact(&database_url));
    }
    Ok(Location { database_url, policy: WorkflowPolicy::default(), credit_policy: Default::default() })
}

/// The workflow policy file (JSON): any subset of the values of
/// [`WorkflowPolicy`], the rest keep their defaults. See ARCHITECTURE.md,
/// "Workflow policy", for each value's source and reason.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// `calendar_days` (CPL art 85, default) or `working_days`.
    day_count: Option<String>,
    judge_assignment_days: Option<u32>,
    notice_days: Option<u32>,
    lead_verification_days: Option<u32>,
    closing_limit_months: Option<u32>,
    non_litigation_limit_months: Option<u32>,
    /// Document types (判决书, 仲裁裁决书 …) treated as 非诉执行.
    non_litigation_documents: Option<Vec<String>>,
    extension_months: Option<u32>,
    extension_request_days_before: Option<u32>,
    /// `president` (SX art 5, default) or `president_or_vice_president` (QX art 1).
    extension_approver: Option<String>,
    higher_court_right_months: Option<u32>,
    zhongben_min_months: Option<u32>,
    /// `always` (default) or `not_required`.
    onsite_investigation: Option<String>,
    deferral_max_days: Option<u32>,
    post_zhongben_interval_months: Option<u32>,
    post_zhongben_years: Option<u32>,
    zhongben_publication_days: Option<u32>,
    due_soon_working_days: Option<u32>,
    due_later_working_days: Option<u32>,
    /// The 失信/限消 values (ARCHITECTURE.md, "Credit policy").
    credit: Option<CreditPolicyFile>,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreditPolicyFile {
    grace_min_months: Option<u32>,
    grace_max_months: Option<u32>,
    /// 元, decimal string.
    serious_amount: Option<String>,
    minor_amount: Option<String>,
    temporary_lift_max_days: Option<u32>,
    correction_examination_days: Option<u32>,
    review_application_days: Option<u32>,
    review_decision_days: Option<u32>,
    repair_working_days: Option<u32>,
    relist_block_months: Option<u32>,
    application_decision_days: Option<u32>,
    public_lookups_per_minute: Option<u32>,
}

/// Reads the `credit` section of a policy file over the defaults.
pub fn parse_credit_policy(text: &str) -> Result<zhixing_core::credit::CreditPolicy> {
    let file: PolicyFile = serde_json::from_str(text).context("流程政策文件不是有效的 JSON，或含有未知的项")?;
    let mut p = zhixing_core::credit::CreditPolicy::default();
    let Some(c) = file.credit else { return Ok(p) };
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(v) = c.$field { p.$field = v; } )* };
    }
    set!(
        grace_min_months,
        grace_max_months,
        temporary_lift_max_days,
        correction_examination_days,
        review_application_days,
        review_decision_days,
        repair_working_days,
        relist_block_months,
        application_decision_days,
        public_lookups_per_minute
    );
    for (value, slot, name) in [
        (c.serious_amount, &mut p.serious_amount, "serious_amount"),
        (c.minor_amount, &mut p.minor_amount, "minor_amount"),
    ] {
        if let Some(v) = value {
            *slot = zhixing_core::money::Money::parse(&v).map_err(|e| anyhow::anyhow!("credit.{name}：{e}"))?;
        }
    }
    if p.grace_min_months == 0 || p.grace_min_months > p.grace_max_months || p.public_lookups_per_minute == 0 {
        bail!("失信政策取值无效：宽限期下限须大于0且不大于上限，公开查询次数须大于0");
    }
    Ok(p)
}

/// Reads a policy file over the defaults.
pub fn parse_policy(text: &str) -> Result<WorkflowPolicy> {
    use zhixing_core::workflow::policy::{DayCount, ExtensionApprover, OnsiteRule};
    let file: PolicyFile = serde_json::from_str(text).context("流程政策文件不是有效的 JSON，或含有未知的项")?;
    let mut p = WorkflowPolicy::default();
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(v) = file.$field { p.$field = v; } )* };
    }
    set!(
        judge_assignment_days,
        notice_days,
        lead_verification_days,
        closing_limit_months,
        non_litigation_limit_months,
        extension_months,
        extension_request_days_before,
        higher_court_right_months,
        zhongben_min_months,
        deferral_max_days,
        post_zhongben_interval_months,
        post_zhongben_years,
        zhongben_publication_days,
        due_soon_working_days,
        due_later_working_days
    );
    if let Some(v) = file.day_count {
        p.day_count = match v.as_str() {
            "calendar_days" => DayCount::CalendarDays,
            "working_days" => DayCount::WorkingDays,
            other => bail!("day_count 应为 calendar_days 或 working_days，而不是 {other}"),
        };
    }
    if let Some(v) = file.extension_approver {
        p.extension_approver = match v.as_str() {
            "president" => ExtensionApprover::President,
            "president_or_vice_president" => ExtensionApprover::PresidentOrVicePresident,
            other => bail!("extension_approver 应为 president 或 president_or_vice_president，而不是 {other}"),
        };
    }
    if let Some(v) = file.onsite_investigation {
        p.onsite_investigation = match v.as_str() {
            "always" => OnsiteRule::Always,
            "not_required" => OnsiteRule::NotRequired,
            other => bail!("onsite_investigation 应为 always 或 not_required，而不是 {other}"),
        };
    }
    if let Some(types) = file.non_litigation_documents {
        p.non_litigation_documents = types
            .iter()
            .map(|t| {
                zhixing_core::case::DocumentType::parse(t)
                    .with_context(|| format!("non_litigation_documents：未知文书类型 {t}"))
            })
            .collect::<Result<_>>()?;
    }
    if p.post_zhongben_interval_months == 0
        || p.closing_limit_months == 0
        || p.due_soon_working_days > p.due_later_working_days
    {
        bail!("流程政策取值无效：期间须大于0，due_soon_working_days 不得大于 due_later_working_days");
    }
    Ok(p)
}

/// Opens the store (running migrations) and makes sure the shipped
/// reference data is present: courts missing from the table are added
/// (existing rows, possibly corrected by an administrator, are kept),
/// calendar years the database does not cover yet are added, and LPR
/// fixings not yet in the table are added.
pub async fn open(location: &Location, now_ms: i64) -> Result<Store> {
    let store = Store::open(&location.database_url)
        .await
        .with_context(|| format!("无法打开数据库 {}", redact(&location.database_url)))?;
    store.set_workflow_policy(location.policy.clone());
    store.set_credit_policy(location.credit_policy.clone());
    let calendar_changed = seed_reference_data(&store, now_ms).await?;
    store.reload_workflow_calendar().await?;
    // Stored deadlines depend on the calendar: recompute them when a new
    // year was loaded, and once for databases from before the workflow.
    if (calendar_changed && store.count_cases_all().await? > 0) || store.deadlines_missing().await? {
        let n = store.rebuild_deadlines().await?;
        eprintln!("已重新计算 {n} 件案件的期限");
    }
    // Dashboard counters are maintained with every change; a database from
    // before the dashboard migration gets them built once.
    if store.aggregates_missing().await? {
        let n = store.rebuild_aggregates().await?;
        eprintln!("已为 {n} 件案件建立指挥看板统计");
    }
    Ok(store)
}

/// Returns whether calendar years were added.
pub async fn seed_reference_data(store: &Store, now_ms: i64) -> Result<bool> {
    let shipped = CourtDirectory::parse_csv(COURTS_CSV)?;
    let existing = store.courts().await?;
    let missing: Vec<_> = shipped.into_iter().filter(|c| !existing.iter().any(|e| e.code == c.code)).collect();
    if !missing.is_empty() {
        let mut all = existing.clone();
        all.extend(missing.iter().cloned());
        CourtDirectory::new(all).context("内置法院表与数据库中的法院表不一致")?;
        store.upsert_courts(&missing, now_ms).await?;
    }
    let calendar = WorkCalendar::new(store.calendar().await?)?;
    let new_years: Vec<_> =
        WorkCalendar::parse_csv(CALENDAR_CSV)?.into_iter().filter(|e| !calendar.covers(e.date.year())).collect();
    let calendar_changed = !new_years.is_empty();
    if calendar_changed {
        store.upsert_calendar(&new_years).await?;
    }
    let known: Vec<_> = store.lpr().await?.into_iter().map(|f| f.published_on).collect();
    let new_fixings: Vec<_> =
        LprTable::parse_csv(LPR_CSV)?.into_iter().filter(|f| !known.contains(&f.published_on)).collect();
    if !new_fixings.is_empty() {
        store.upsert_lpr(&new_fixings, now_ms).await?;
    }
    Ok(calendar_changed)
}

pub fn now_ms() -> i64 {
    use zhixing_web::Clock;
    zhixing_web::SystemClock.now_ms()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use zhixing_core::workflow::policy::{DayCount, OnsiteRule};

    #[test]
    fn a_policy_file_overrides_only_what_it_names() {
        let p = parse_policy(r#"{"day_count": "working_days", "onsite_investigation": "not_required", "non_litigation_documents": ["公证债权文书"]}"#).unwrap();
        assert_eq!(p.day_count, DayCount::WorkingDays);
        assert_eq!(p.onsite_investigation, OnsiteRule::NotRequired);
        assert_eq!(p.non_litigation_documents, [zhixing_core::case::DocumentType::NotarizedDebt]);
        assert_eq!(p.notice_days, 10, "the rest keeps its default");
        assert_eq!(parse_policy("{}").unwrap(), WorkflowPolicy::default());
        assert!(parse_policy(r#"{"notice_dayz": 5}"#).is_err(), "unknown keys are refused");
        assert!(parse_policy(r#"{"day_count": "weeks"}"#).is_err());
        assert!(parse_policy(r#"{"due_soon_working_days": 20}"#).is_err());
        let credit = parse_credit_policy(r#"{"credit": {"grace_max_months": 2, "serious_amount": "500000"}}"#).unwrap();
        assert_eq!(credit.grace_max_months, 2);
        assert_eq!(credit.serious_amount.to_string(), "500000.00");
        assert!(
            parse_policy(r#"{"credit": {"grace_max_months": 2}}"#).is_ok(),
            "the workflow reader accepts the credit section"
        );
        assert!(parse_credit_policy(r#"{"credit": {"grace_min_months": 4}}"#).is_err());
        assert!(parse_credit_policy(r#"{"credit": {"nope": 1}}"#).is_err());
    }
}
