use std::collections::BTreeSet;

use zhixing_core::access::{Role, readable_courts};
use zhixing_core::case::{CaseStatus, PartyId};
use zhixing_core::case_number::EnforcementType;
use zhixing_core::court::CourtCode;
use zhixing_store::testing::{sample_draft, seed_courts, seed_user};
use zhixing_store::{CaseQuery, Store, StoreError};

use crate::{NOW, actor};

zhixing_store::backend_tests! {
    filing_issues_consecutive_numbers_per_court_type_and_year,
    a_filed_case_reads_back_exactly,
    concurrent_filings_get_distinct_consecutive_numbers,
    a_bad_filing_among_concurrent_ones_fails_alone,
    a_failed_filing_leaves_no_trace_and_no_gap,
    stale_updates_conflict_and_change_nothing,
    updates_keep_party_ids_and_log_what_changed,
    the_filing_year_cannot_move,
    soft_deleted_cases_disappear_but_keep_their_number,
    search_finds_by_number_name_and_id_within_scope,
    pages_are_newest_first,
    search_pages_are_complete_with_filters,
    data_survives_reopening,
}

fn court(code: &str) -> CourtCode {
    CourtCode::parse(code).unwrap()
}

async fn filing_issues_consecutive_numbers_per_court_type_and_year(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let yz = seed_user(&store, "yz_judge", Role::Judge, "浙0212").await;
    let a = actor(&judge);
    let mut numbers = Vec::new();
    for n in 0..3 {
        numbers.push(
            store
                .file_case(&court("浙0203"), &sample_draft(n, "2026-11-20"), None, &a, NOW)
                .await
                .unwrap()
                .case_number
                .to_string(),
        );
    }
    assert_eq!(numbers, ["（2026）浙0203执1号", "（2026）浙0203执2号", "（2026）浙0203执3号"]);
    // Another year, another type, another court: each has its own sequence.
    let mut december = sample_draft(10, "2026-11-20");
    december.filed_on = time::macros::date!(2025 - 12 - 30);
    december.basis.effective_on = time::macros::date!(2025 - 12 - 01);
    let last_year = store.file_case(&court("浙0203"), &december, None, &a, NOW).await.unwrap();
    assert_eq!(last_year.case_number.to_string(), "（2025）浙0203执1号");
    let mut preservation = sample_draft(11, "2026-11-20");
    preservation.case_type = EnforcementType::Preservation;
    let p = store.file_case(&court("浙0203"), &preservation, None, &a, NOW).await.unwrap();
    assert_eq!(p.case_number.to_string(), "（2026）浙0203执保1号");
    let other =
        store.file_case(&court("浙0212"), &sample_draft(12, "2026-11-20"), None, &actor(&yz), NOW).await.unwrap();
    assert_eq!(other.case_number.to_string(), "（2026）浙0212执1号");
}

async fn a_filed_case_reads_back_exactly(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let draft = sample_draft(7, "2026-11-20");
    let filed = store.file_case(&court("浙0203"), &draft, Some(&actor(&judge)), &actor(&judge), NOW).await.unwrap();
    assert_eq!(filed.status, CaseStatus::Enforcing, "a case with a handling judge is 执行中");
    let read = store.case(&[court("浙0203")], filed.id).await.unwrap().unwrap();
    assert_eq!(read, filed);
    let mut expected = draft.clone();
    for (p, stored) in expected.parties.iter_mut().zip(&read.parties) {
        p.existing_id = Some(stored.id);
    }
    expected.handling_judge = Some("hs_judge".into());
    assert_eq!(read.draft(), expected);
    assert_eq!(read.amount_applied.to_string(), "10007.50");
    // Not visible from a court that is neither the case's nor above it.
    assert!(store.case(&[court("浙0212")], filed.id).await.unwrap().is_none());
    assert!(store.case(&[], filed.id).await.unwrap().is_none());
}

async fn concurrent_filings_get_distinct_consecutive_numbers(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let a = actor(&judge);
    let mut tasks = Vec::new();
    for n in 0..50u32 {
        let store = store.clone();
        let a = a.clone();
        tasks.push(tokio::spawn(async move {
            store
                .file_case(&court("浙0203"), &sample_draft(n, "2026-11-20"), None, &a, NOW)
                .await
                .unwrap()
                .case_number
                .serial()
        }));
    }
    let mut serials = BTreeSet::new();
    for task in tasks {
        assert!(serials.insert(task.await.unwrap()), "duplicate serial");
    }
    assert_eq!(serials, (1..=50).collect::<BTreeSet<u32>>());
    assert_eq!(
        store.issued_serials(&court("浙0203"), 2026, EnforcementType::First).await.unwrap(),
        (1..=50).collect::<Vec<i64>>()
    );
    assert_eq!(store.count_unnumbered_cases().await.unwrap(), 0);
}

async fn a_bad_filing_among_concurrent_ones_fails_alone(store: Store) {
    seed_courts(&store).await;
    let hs = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let yz = seed_user(&store, "yz_judge", Role::Judge, "浙0212").await;
    // A handling judge that does not exist breaks a foreign key at insert time.
    let ghost = zhixing_store::UserRef { id: 424_242, username: "ghost".into(), display_name: "无此人".into() };
    let mut tasks = Vec::new();
    for n in 0..40u32 {
        let store = store.clone();
        let (court_code, user) = if n % 2 == 0 { ("浙0203", actor(&hs)) } else { ("浙0212", actor(&yz)) };
        let mut draft = sample_draft(n, "2026-11-20");
        if n % 5 == 0 {
            draft.case_type = EnforcementType::Preservation;
        }
        let ghost = ghost.clone();
        tasks.push(tokio::spawn(async move {
            let judge = (n == 17).then_some(&ghost);
            store.file_case(&court(court_code), &draft, judge, &user, NOW).await.map(|c| c.case_number.to_string())
        }));
    }
    let mut ok = 0;
    for (n, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(n, 17, "only the bad filing fails: {e}"),
        }
    }
    assert_eq!(ok, 39);
    for (code, case_type) in [
        ("浙0203", EnforcementType::First),
        ("浙0203", EnforcementType::Preservation),
        ("浙0212", EnforcementType::First),
        ("浙0212", EnforcementType::Preservation),
    ] {
        let serials = store.issued_serials(&court(code), 2026, case_type).await.unwrap();
        assert_eq!(serials, (1..=serials.len() as i64).collect::<Vec<_>>(), "{code} {case_type:?} has no gaps");
    }
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM cases").await.unwrap(), 39);
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM case_parties").await.unwrap(), 78);
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM case_audit").await.unwrap(), 39);
}

async fn a_failed_filing_leaves_no_trace_and_no_gap(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let a = actor(&judge);
    store.file_case(&court("浙0203"), &sample_draft(1, "2026-11-20"), None, &a, NOW).await.unwrap();
    // Break the counter so the next number collides with an issued one: the
    // filing fails at its very last statements, after everything else was written.
    store.execute_for_tests("UPDATE case_number_counters SET last_serial = 0").await.unwrap();
    let failed = store.file_case(&court("浙0203"), &sample_draft(2, "2026-11-20"), None, &a, NOW).await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM cases").await.unwrap(), 1);
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM case_parties").await.unwrap(), 2);
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM case_audit").await.unwrap(), 1);
    assert_eq!(
        store.scalar_for_tests("SELECT last_serial FROM case_number_counters").await.unwrap(),
        0,
        "counter rolled back"
    );
    // Repair the counter: numbering continues without a gap.
    store.execute_for_tests("UPDATE case_number_counters SET last_serial = 1").await.unwrap();
    let next = store.file_case(&court("浙0203"), &sample_draft(2, "2026-11-20"), None, &a, NOW).await.unwrap();
    assert_eq!(next.case_number.serial(), 2);
}

async fn stale_updates_conflict_and_change_nothing(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let a = actor(&judge);
    let filed = store.file_case(&court("浙0203"), &sample_draft(1, "2026-11-20"), None, &a, NOW).await.unwrap();
    let mut first = filed.draft();
    first.basis.operative_text = "第一次修改".into();
    let updated = store.update_case(&filed.court, filed.id, 1, &first, None, &a, NOW + 1).await.unwrap();
    assert_eq!(updated.version, 2);
    let mut second = filed.draft();
    second.basis.operative_text = "基于旧版本的修改".into();
    let conflict = store.update_case(&filed.court, filed.id, 1, &second, None, &a, NOW + 2).await;
    assert!(matches!(conflict, Err(StoreError::VersionConflict { current: 2 })), "{conflict:?}");
    let read = store.case(std::slice::from_ref(&filed.court), filed.id).await.unwrap().unwrap();
    assert_eq!(read.basis.operative_text, "第一次修改");
    assert_eq!(read.version, 2);
    assert!(matches!(
        store.update_case(&filed.court, 424242, 1, &second, None, &a, NOW).await,
        Err(StoreError::NotFound)
    ));
    // Concurrent writers with the same version: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, a, court, mut draft) = (store.clone(), a.clone(), filed.court.clone(), filed.draft());
        draft.basis.operative_text = format!("并发修改{i}");
        tasks
            .push(tokio::spawn(async move { store.update_case(&court, filed.id, 2, &draft, None, &a, NOW + 3).await }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => wins += 1,
            Err(StoreError::VersionConflict { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(store.case(std::slice::from_ref(&filed.court), filed.id).await.unwrap().unwrap().version, 3);
}

async fn updates_keep_party_ids_and_log_what_changed(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let clerk = seed_user(&store, "hs_clerk", Role::Clerk, "浙0203").await;
    let filed =
        store.file_case(&court("浙0203"), &sample_draft(1, "2026-11-20"), None, &actor(&clerk), NOW).await.unwrap();
    let applicant_id = filed.parties[0].id;
    let mut draft = filed.draft();
    draft.parties[0].name = "申请人改名".into();
    draft.parties.push(sample_draft(99, "2026-11-20").parties.remove(1));
    draft.parties[2].existing_id = None;
    draft.handling_judge = Some("hs_judge".into());
    let updated = store
        .update_case(&filed.court, filed.id, 1, &draft, Some(&actor(&judge)), &actor(&judge), NOW + 60_000)
        .await
        .unwrap();
    assert_eq!(updated.parties[0].id, applicant_id, "existing party keeps its id");
    assert_ne!(updated.parties[2].id, 0);
    assert_eq!(updated.status, CaseStatus::Enforcing);
    assert_eq!(store.case(std::slice::from_ref(&filed.court), filed.id).await.unwrap().unwrap(), updated);

    let history = store.case_history(std::slice::from_ref(&filed.court), filed.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].action.as_str(), history[0].actor.username.as_str()), ("created", "hs_clerk"));
    assert_eq!(
        (history[1].action.as_str(), history[1].actor.username.as_str(), history[1].at),
        ("updated", "hs_judge", NOW + 60_000)
    );
    let fields: Vec<&str> = history[1].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["handling_judge", &format!("parties[id={applicant_id}]"), "parties[new]"]);
    assert!(store.case_history(&[court("浙0212")], filed.id).await.unwrap().is_empty());
}

async fn the_filing_year_cannot_move(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let filed =
        store.file_case(&court("浙0203"), &sample_draft(1, "2026-01-20"), None, &actor(&judge), NOW).await.unwrap();
    let mut draft = filed.draft();
    draft.filed_on = time::macros::date!(2025 - 12 - 31);
    let result = store.update_case(&filed.court, filed.id, 1, &draft, None, &actor(&judge), NOW).await;
    assert!(matches!(result, Err(StoreError::Rejected(ref e)) if e.code == "filing_year_change"), "{result:?}");
}

async fn soft_deleted_cases_disappear_but_keep_their_number(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let a = actor(&judge);
    let first = store.file_case(&court("浙0203"), &sample_draft(1, "2026-11-20"), None, &a, NOW).await.unwrap();
    assert!(matches!(
        store.delete_case(&first.court, first.id, 9, "重复立案", &a, NOW).await,
        Err(StoreError::VersionConflict { current: 1 })
    ));
    store.delete_case(&first.court, first.id, 1, "重复立案", &a, NOW + 1).await.unwrap();
    assert!(store.case(std::slice::from_ref(&first.court), first.id).await.unwrap().is_none());
    assert!(matches!(store.delete_case(&first.court, first.id, 2, "again", &a, NOW).await, Err(StoreError::NotFound)));
    let page = store
        .search_cases(std::slice::from_ref(&first.court), &CaseQuery { page: 1, ..Default::default() })
        .await
        .unwrap();
    assert!(page.items.is_empty());
    let found = store
        .search_cases(
            std::slice::from_ref(&first.court),
            &CaseQuery { text: Some("申请人1号".into()), page: 1, ..Default::default() },
        )
        .await
        .unwrap();
    assert!(found.items.is_empty());
    // The row and its log stay; the number is not reused.
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM cases WHERE deleted_at IS NOT NULL").await.unwrap(), 1);
    assert_eq!(store.scalar_for_tests("SELECT COUNT(*) FROM case_audit").await.unwrap(), 2);
    let second = store.file_case(&court("浙0203"), &sample_draft(2, "2026-11-20"), None, &a, NOW).await.unwrap();
    assert_eq!(second.case_number.serial(), 2);
}

async fn search_finds_by_number_name_and_id_within_scope(store: Store) {
    let courts = seed_courts(&store).await;
    let hs = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let yz = seed_user(&store, "yz_judge", Role::Judge, "浙0212").await;
    let mut ids = Vec::new();
    for n in 1..=12u32 {
        let (c, u) = if n % 3 == 0 { ("浙0212", &yz) } else { ("浙0203", &hs) };
        ids.push((n, store.file_case(&court(c), &sample_draft(n, "2026-11-20"), None, &actor(u), NOW).await.unwrap()));
    }
    let hs_scope = readable_courts(Role::Judge, &court("浙0203"), &courts);
    let nb_scope = readable_courts(Role::Command, &court("浙02"), &courts);
    let search = |scope: &Vec<CourtCode>, text: &str| {
        let (store, scope, text) = (store.clone(), scope.clone(), text.to_string());
        async move {
            let page = store
                .search_cases(&scope, &CaseQuery { text: Some(text), page: 1, ..Default::default() })
                .await
                .unwrap();
            page.items.into_iter().map(|i| i.case_number.to_string()).collect::<Vec<_>>()
        }
    };
    // Full 案号, either bracket style; prefix of the serial.
    assert_eq!(search(&hs_scope, "(2026)浙0203执1号").await, ["（2026）浙0203执1号"]);
    assert_eq!(search(&hs_scope, "执1").await, ["（2026）浙0203执1号"]);
    assert_eq!(search(&hs_scope, "浙0203执").await.len(), 8);
    // Name: whole and any part; applicant and respondent.
    assert_eq!(search(&hs_scope, "申请人5号").await, ["（2026）浙0203执4号"]);
    assert_eq!(search(&hs_scope, "第5贸易").await, ["（2026）浙0203执4号"]);
    // Identity number, whatever case of letters.
    let (_, case5) = &ids[4];
    let code = match &case5.parties[1].draft.id_number {
        PartyId::Credit(c) => c.as_str().to_lowercase(),
        PartyId::Citizen(_) => unreachable!(),
    };
    assert_eq!(search(&hs_scope, &code).await, ["（2026）浙0203执4号"]);
    // Scope: 海曙 does not see 鄞州; 宁波中院 sees both.
    assert!(search(&hs_scope, "申请人3号").await.is_empty());
    assert_eq!(search(&nb_scope, "申请人3号").await, ["（2026）浙0212执1号"]);
    assert_eq!(search(&nb_scope, "贸易有限公司").await.len(), 12);
    // Summary fields.
    let page = store
        .search_cases(&hs_scope, &CaseQuery { text: Some("申请人1号".into()), page: 1, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(page.items[0].applicants, ["申请人1号"]);
    assert_eq!(page.items[0].respondents, ["宁波第1贸易有限公司"]);
    // Status filter.
    let enforcing = store
        .search_cases(&hs_scope, &CaseQuery { status: Some(CaseStatus::Enforcing), page: 1, ..Default::default() })
        .await
        .unwrap();
    assert!(enforcing.items.is_empty());
    // Odd input is just text.
    assert!(search(&hs_scope, "'; DROP TABLE cases; --").await.is_empty());
    assert!(search(&hs_scope, "%").await.is_empty());
}

async fn pages_are_newest_first(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    for n in 0..45u32 {
        store
            .file_case(&court("浙0203"), &sample_draft(n, "2026-11-20"), None, &actor(&judge), NOW + i64::from(n))
            .await
            .unwrap();
    }
    let scope = [court("浙0203")];
    let mut seen = Vec::new();
    for page in 1..=3 {
        let result = store.search_cases(&scope, &CaseQuery { page, ..Default::default() }).await.unwrap();
        assert_eq!(result.has_more, page < 3);
        seen.extend(result.items.into_iter().map(|i| i.case_number.serial()));
    }
    assert_eq!(seen, (1..=45).rev().collect::<Vec<u32>>());
}

async fn search_pages_are_complete_with_filters(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    for n in 0..130u32 {
        // Every 9th case gets a handling judge (执行中); every 11th is withdrawn.
        let with_judge = n % 9 == 0;
        let case = store
            .file_case(
                &court("浙0203"),
                &sample_draft(n, "2026-11-20"),
                with_judge.then(|| actor(&judge)).as_ref(),
                &actor(&judge),
                NOW,
            )
            .await
            .unwrap();
        if n % 11 == 0 {
            store.delete_case(&case.court, case.id, 1, "测试撤销", &actor(&judge), NOW).await.unwrap();
        }
    }
    let scope = [court("浙0203")];
    let collect = |status: Option<CaseStatus>| {
        let (store, scope) = (store.clone(), scope.clone());
        async move {
            let mut serials = Vec::new();
            for page in 1.. {
                let query = CaseQuery { text: Some("贸易有限公司".into()), status, page };
                let result = store.search_cases(&scope, &query).await.unwrap();
                assert!(result.items.len() as i64 <= zhixing_store::PAGE_SIZE);
                serials.extend(result.items.iter().map(|i| i.case_number.serial()));
                if !result.has_more {
                    break;
                }
            }
            serials
        }
    };
    let expected = |keep: &dyn Fn(u32) -> bool| -> Vec<u32> { (1..=130u32).rev().filter(|s| keep(*s - 1)).collect() };
    assert_eq!(collect(None).await, expected(&|n| n % 11 != 0));
    assert_eq!(collect(Some(CaseStatus::Enforcing)).await, expected(&|n| n % 9 == 0 && n % 11 != 0));
    assert_eq!(collect(Some(CaseStatus::Filed)).await, expected(&|n| n % 9 != 0 && n % 11 != 0));
}

async fn data_survives_reopening(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let filed =
        store.file_case(&court("浙0203"), &sample_draft(1, "2026-11-20"), None, &actor(&judge), NOW).await.unwrap();
    // Migrations are idempotent and reopening sees the same data.
    store.migrate().await.unwrap();
    assert_eq!(store.case(&[court("浙0203")], filed.id).await.unwrap().unwrap(), filed);
}
