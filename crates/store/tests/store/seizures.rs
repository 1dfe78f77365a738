use time::Date;
use time::macros::date;
use zhixing_core::access::Role;
use zhixing_core::case::CaseStatus;
use zhixing_core::court::CourtCode;
use zhixing_core::cross::CrossForm;
use zhixing_core::money::Money;
use zhixing_core::seizure::{HANDOVER_RULE, NewSeizure, Priority, SeizureKind, SeizureStatus, TERM_RULE};
use zhixing_store::testing::{sample_draft, seed_courts, seed_user};
use zhixing_store::{NewDecision, SeizureAction, Store, StoreError};

use crate::{NOW, actor};

zhixing_store::backend_tests! {
    seizures_are_recorded_renewed_and_released,
    a_designation_moves_the_seizures_with_their_priority,
    an_expiring_seizure_refuses_the_decision_and_nothing_is_written,
    receivers_are_suggested_where_the_property_lies,
}

const TODAY: Date = date!(2026 - 11 - 27);

fn court(code: &str) -> CourtCode {
    CourtCode::parse(code).unwrap()
}

fn seizure(kind: SeizureKind, property: &str, seized_on: Date, expires_on: Date, priority: u32) -> NewSeizure {
    NewSeizure {
        kind,
        property: property.into(),
        holder: "宁波市不动产登记中心".into(),
        location_court: Some(court("浙0212")),
        amount: (kind == SeizureKind::BankDeposit).then(|| Money::parse("5000").unwrap()),
        seized_on,
        expires_on,
        priority: Priority::new(priority).unwrap(),
    }
}

fn refusal(result: Result<impl std::fmt::Debug, StoreError>) -> zhixing_core::workflow::Refusal {
    match result {
        Err(StoreError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn seizures_are_recorded_renewed_and_released(store: Store) {
    seed_courts(&store).await;
    let judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let hs = court("浙0203");
    let case = store.file_case(&hs, &sample_draft(1, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();

    let deposit =
        seizure(SeizureKind::BankDeposit, "宁波银行账户 1234", date!(2026 - 04 - 01), date!(2027 - 04 - 01), 1);
    let s = store.record_seizure(&hs, case.id, &deposit, &judge, NOW).await.unwrap();
    assert_eq!((s.status, s.priority, s.amount), (SeizureStatus::Active, Priority::FIRST, deposit.amount));
    assert_eq!(s.original_seized_on, date!(2026 - 04 - 01));
    assert_eq!(s.history.len(), 1);
    let queued = seizure(SeizureKind::RealEstate, "鄞州区某路1号房产", date!(2026 - 05 - 01), date!(2029 - 05 - 01), 2);
    store.record_seizure(&hs, case.id, &queued, &judge, NOW).await.unwrap();
    let unknown = NewSeizure { location_court: Some(court("浙0206")), ..queued.clone() };
    match store.record_seizure(&hs, case.id, &unknown, &judge, NOW).await {
        Err(StoreError::Rejected(e)) => assert_eq!((e.field.as_str(), e.code), ("location_court", "unknown_court")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(store.record_seizure(&hs, 42, &queued, &judge, NOW).await, Err(StoreError::NotFound)));

    // 续行: within one year of the current expiry for a deposit (JS art 485).
    let too_long =
        refusal(store.renew_seizure(&hs, case.id, s.id, TODAY, date!(2028 - 04 - 02), "", &judge, NOW, TODAY).await);
    assert_eq!(too_long.missing.len(), 1);
    assert_eq!(too_long.missing[0].rule, TERM_RULE);
    assert!(too_long.missing[0].item.contains("2028年4月1日"), "{:?}", too_long.missing);
    let renewed = store
        .renew_seizure(&hs, case.id, s.id, TODAY, date!(2028 - 04 - 01), "（2026）浙0203执1号之二", &judge, NOW, TODAY)
        .await
        .unwrap();
    assert_eq!(renewed.expires_on, date!(2028 - 04 - 01));
    assert_eq!(renewed.seized_on, date!(2026 - 04 - 01), "renewal keeps the start and the priority");
    assert_eq!(
        renewed.history.iter().map(|e| e.action).collect::<Vec<_>>(),
        [SeizureAction::Recorded, SeizureAction::Renewed]
    );

    // 解除, then neither renewal nor a second release.
    let released =
        store.release_seizure(&hs, case.id, s.id, date!(2026 - 11 - 26), "申请执行人申请", &judge, NOW, TODAY).await;
    let released = released.unwrap();
    assert_eq!((released.status, released.released_on), (SeizureStatus::Released, Some(date!(2026 - 11 - 26))));
    refusal(store.renew_seizure(&hs, case.id, s.id, TODAY, date!(2028 - 05 - 01), "", &judge, NOW, TODAY).await);
    let again = refusal(store.release_seizure(&hs, case.id, s.id, TODAY, "", &judge, NOW, TODAY).await);
    assert!(again.missing[0].item.contains("2026年11月26日"));
    match store.release_seizure(&hs, case.id, s.id + 1, TODAY, "", &judge, NOW, TODAY).await {
        Err(StoreError::NotFound) => {}
        other => panic!("{other:?}"),
    }

    let all = store.case_seizures(&hs, case.id).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].priority.label_zh(), "轮候第2顺位");
    let events = store.scalar_for_tests("SELECT COUNT(*) FROM case_seizure_events").await.unwrap();
    assert_eq!(events, 4, "recorded ×2, renewed, released — refusals wrote nothing");
}

fn designation(original: &CourtCode, case_id: i64) -> NewDecision {
    NewDecision {
        form: CrossForm::Designate,
        original_court: original.clone(),
        case_id,
        receiving_court: Some(court("浙0212")),
        decision_ref: "（2026）浙02执他7号".into(),
        decided_on: date!(2026 - 11 - 20),
        report_by: None,
        note: String::new(),
    }
}

async fn a_designation_moves_the_seizures_with_their_priority(store: Store) {
    let courts = seed_courts(&store).await;
    let judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let chief = actor(&seed_user(&store, "nb_chief", Role::Chief, "浙02").await);
    let hs = court("浙0203");
    let case = store.file_case(&hs, &sample_draft(1, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();
    let first = seizure(SeizureKind::RealEstate, "鄞州区某路1号房产", date!(2026 - 04 - 01), date!(2029 - 04 - 01), 1);
    let queued = seizure(SeizureKind::Movables, "小型轿车浙B12345", date!(2026 - 05 - 01), date!(2028 - 05 - 01), 3);
    let gone = seizure(SeizureKind::BankDeposit, "已解除账户", date!(2026 - 04 - 01), date!(2027 - 04 - 01), 1);
    store.record_seizure(&hs, case.id, &first, &judge, NOW).await.unwrap();
    store.record_seizure(&hs, case.id, &queued, &judge, NOW).await.unwrap();
    let g = store.record_seizure(&hs, case.id, &gone, &judge, NOW).await.unwrap();
    store.release_seizure(&hs, case.id, g.id, date!(2026 - 10 - 01), "", &judge, NOW, TODAY).await.unwrap();

    let d = store.decide_cross(&court("浙02"), &courts, &designation(&hs, case.id), &chief, NOW, TODAY).await.unwrap();
    let yz = court("浙0212");
    let new_id = d.new_case_id.unwrap();
    let moved = store.case_seizures(&yz, new_id).await.unwrap();
    assert_eq!(moved.len(), 2, "the released one stays behind");
    for (m, from) in moved.iter().zip([&first, &queued]) {
        assert_eq!(m.status, SeizureStatus::Active);
        assert_eq!(
            (m.kind, m.priority, m.seized_on, m.expires_on),
            (from.kind, from.priority, from.seized_on, from.expires_on)
        );
        assert_eq!(m.original_seized_on, from.seized_on);
        let origin = m.moved_from.as_ref().unwrap();
        assert_eq!((&origin.court, origin.case_id), (&hs, case.id));
        assert_eq!(origin.case_number, "（2026）浙0203执1号");
        assert_eq!(m.history[0].action, SeizureAction::MovedIn);
    }
    assert_eq!(moved[1].priority.label_zh(), "轮候第3顺位");
    let original = store.case_seizures(&hs, case.id).await.unwrap();
    let statuses: Vec<SeizureStatus> = original.iter().map(|s| s.status).collect();
    assert_eq!(statuses, [SeizureStatus::Transferred, SeizureStatus::Released, SeizureStatus::Transferred]);
    assert_eq!(original[0].history.last().unwrap().action, SeizureAction::MovedOut);

    // The original is closed by transfer: its seizures belong to the receiving court now.
    let left = refusal(
        store.renew_seizure(&hs, case.id, original[0].id, TODAY, date!(2030 - 01 - 01), "", &judge, NOW, TODAY).await,
    );
    assert_eq!(left.missing[0].rule, HANDOVER_RULE);
    refusal(store.record_seizure(&hs, case.id, &first, &judge, NOW).await);
    // The receiving court renews and releases them as its own.
    let yz_judge = actor(&seed_user(&store, "yz_judge", Role::Judge, "浙0212").await);
    store
        .renew_seizure(&yz, new_id, moved[1].id, TODAY, date!(2030 - 05 - 01), "", &yz_judge, NOW, TODAY)
        .await
        .unwrap();
}

async fn an_expiring_seizure_refuses_the_decision_and_nothing_is_written(store: Store) {
    let courts = seed_courts(&store).await;
    let judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let chief = actor(&seed_user(&store, "nb_chief", Role::Chief, "浙02").await);
    let hs = court("浙0203");
    let case = store.file_case(&hs, &sample_draft(1, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();
    // At the decision (2026-11-20) these have 20 days and a month less a day left.
    let short = seizure(SeizureKind::BankDeposit, "宁波银行账户 1234", date!(2025 - 12 - 10), date!(2026 - 12 - 10), 1);
    let edge = seizure(SeizureKind::Movables, "挖掘机一台", date!(2025 - 01 - 05), date!(2026 - 12 - 19), 2);
    let fine = seizure(SeizureKind::RealEstate, "房产", date!(2026 - 04 - 01), date!(2029 - 04 - 01), 1);
    let a = store.record_seizure(&hs, case.id, &short, &judge, NOW).await.unwrap();
    let b = store.record_seizure(&hs, case.id, &edge, &judge, NOW).await.unwrap();
    store.record_seizure(&hs, case.id, &fine, &judge, NOW).await.unwrap();

    let count = |sql: &'static str| {
        let store = store.clone();
        async move { store.scalar_for_tests(sql).await.unwrap() }
    };
    let before = (
        count("SELECT COUNT(*) FROM cases").await,
        count("SELECT COUNT(*) FROM case_events").await,
        count("SELECT COUNT(*) FROM case_seizures").await,
        count("SELECT COUNT(*) FROM case_seizure_events").await,
    );
    let r = refusal(store.decide_cross(&court("浙02"), &courts, &designation(&hs, case.id), &chief, NOW, TODAY).await);
    assert_eq!(r.missing.len(), 2, "{r:?}");
    assert!(r.missing[0].item.contains("宁波银行账户 1234") && r.missing[0].item.contains("2026年12月10日"));
    assert!(r.missing[1].item.contains("挖掘机一台"));
    assert!(r.missing.iter().all(|m| m.rule == HANDOVER_RULE));
    let after = (
        count("SELECT COUNT(*) FROM cases").await,
        count("SELECT COUNT(*) FROM case_events").await,
        count("SELECT COUNT(*) FROM case_seizures").await,
        count("SELECT COUNT(*) FROM case_seizure_events").await,
    );
    assert_eq!(before, after, "nothing written");
    assert_eq!(count("SELECT COUNT(*) FROM cross_decisions").await, 0);
    let original = store.case(std::slice::from_ref(&hs), case.id).await.unwrap().unwrap();
    assert_ne!(original.status, CaseStatus::Closed);
    assert!(store.case_seizures(&hs, case.id).await.unwrap().iter().all(|s| s.status == SeizureStatus::Active));

    // 督促执行 does not move the case: no hand-over, no block.
    let supervise = NewDecision { form: CrossForm::Supervise, receiving_court: None, ..designation(&hs, case.id) };
    store.decide_cross(&court("浙02"), &courts, &supervise, &chief, NOW, TODAY).await.unwrap();

    // Renewed first (on the day of the decision), the case moves.
    let on = date!(2026 - 11 - 20);
    store.renew_seizure(&hs, case.id, a.id, on, date!(2027 - 12 - 10), "", &judge, NOW, TODAY).await.unwrap();
    store.renew_seizure(&hs, case.id, b.id, on, date!(2028 - 12 - 19), "", &judge, NOW, TODAY).await.unwrap();
    let d = store.decide_cross(&court("浙02"), &courts, &designation(&hs, case.id), &chief, NOW, TODAY).await.unwrap();
    let moved = store.case_seizures(&court("浙0212"), d.new_case_id.unwrap()).await.unwrap();
    assert_eq!(moved.len(), 3);
    let deposit = moved.iter().find(|s| s.kind == SeizureKind::BankDeposit).unwrap();
    assert_eq!(deposit.expires_on, date!(2027 - 12 - 10), "moved with its renewed expiry");
}

async fn receivers_are_suggested_where_the_property_lies(store: Store) {
    let courts = seed_courts(&store).await;
    let judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    seed_user(&store, "yz_judge", Role::Judge, "浙0212").await;
    seed_user(&store, "nb_judge", Role::Judge, "浙02").await;
    seed_user(&store, "nb_assistant", Role::Assistant, "浙02").await;
    seed_user(&store, "nb_clerk", Role::Clerk, "浙02").await;
    let hs = court("浙0203");
    let case = store.file_case(&hs, &sample_draft(1, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();
    let s = seizure(SeizureKind::RealEstate, "鄞州区某路1号房产", date!(2026 - 04 - 01), date!(2029 - 04 - 01), 1);
    store.record_seizure(&hs, case.id, &s, &judge, NOW).await.unwrap();

    let ranked = store.receiver_suggestions(&courts, &court("浙02"), &hs, case.id, TODAY).await.unwrap();
    let order: Vec<&str> = ranked.iter().map(|s| s.receiver.court.as_str()).collect();
    assert_eq!(order, ["浙0212", "浙02"], "the property's court first; the original court is never suggested");
    assert!(ranked[0].receiver.assets_here && ranked[0].reason.starts_with("已查封、扣押、冻结的财产1项在本院辖区"));
    assert_eq!((ranked[1].receiver.officers, ranked[1].receiver.open_cases), (2, 0), "judges and assistants only");

    let loads = store.court_loads(std::slice::from_ref(&hs)).await.unwrap();
    assert_eq!((loads[&hs].open_cases, loads[&hs].officers), (1, 1));
}
