use time::macros::date;
use zhixing_core::access::Role;
use zhixing_core::court::CourtCode;
use zhixing_core::dashboard::Post;
use zhixing_core::dashboard::indicators::Expression;
use zhixing_core::money::Money;
use zhixing_core::workflow::{Action, BuiltinNode, ClosingMode, NodeInput, NodeKind};
use zhixing_store::testing::{sample_draft, seed_courts, seed_user};
use zhixing_store::{Store, TransitionRequest};

use crate::{NOW, actor};

zhixing_store::backend_tests! {
    counters_follow_every_change_and_equal_a_rebuild,
    indicator_versions_supersede_the_defaults,
    crossed_moves_at_the_same_time_all_land,
}

const TODAY: time::Date = date!(2026 - 11 - 27);

fn court(code: &str) -> CourtCode {
    CourtCode::parse(code).unwrap()
}

fn node(kind: BuiltinNode, on: time::Date, amount: Option<&str>) -> NodeInput {
    NodeInput {
        kind: NodeKind::Builtin(kind),
        on,
        note: "记录".into(),
        document_ref: None,
        amount: amount.map(|a| Money::parse(a).unwrap()),
    }
}

async fn counters_follow_every_change_and_equal_a_rebuild(store: Store) {
    let courts = seed_courts(&store).await;
    let judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    seed_user(&store, "hs_assistant", Role::Assistant, "浙0203").await;
    seed_user(&store, "hs_clerk", Role::Clerk, "浙0203").await;
    let yz_judge = actor(&seed_user(&store, "yz_judge", Role::Judge, "浙0212").await);
    let (hs, yz, nb) = (court("浙0203"), court("浙0212"), court("浙02"));
    let done = store.file_case(&hs, &sample_draft(1, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();
    let open = store.file_case(&hs, &sample_draft(2, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();
    let deleted = store.file_case(&hs, &sample_draft(3, "2026-04-01"), Some(&judge), &judge, NOW).await.unwrap();
    store.file_case(&yz, &sample_draft(4, "2026-02-02"), Some(&yz_judge), &yz_judge, NOW).await.unwrap();

    store
        .record_node(
            &hs,
            done.id,
            &node(BuiltinNode::PaymentReceived, date!(2026 - 04 - 20), Some("1000")),
            &judge,
            NOW,
        )
        .await
        .unwrap();
    store
        .record_node(&hs, done.id, &node(BuiltinNode::PerformanceConfirmed, date!(2026 - 05 - 01), None), &judge, NOW)
        .await
        .unwrap();
    let close = TransitionRequest {
        action: Action::Close { mode: ClosingMode::Completed, ground: None },
        on: date!(2026 - 05 - 02),
        note: String::new(),
        document_ref: None,
    };
    store.apply_transition(&hs, done.id, &close, &judge, NOW, TODAY).await.unwrap();
    store.delete_case(&hs, deleted.id, deleted.version, "重复立案", &judge, NOW).await.unwrap();
    store.file_petition(&hs, open.id, "申请人", date!(2026 - 11 - 02), "执行不力", "", &judge, NOW).await.unwrap();
    store.set_post(&hs, Post::Chief, Some("王五"), Some(date!(2024 - 01 - 01)), None, NOW).await.unwrap();
    store.set_post(&yz, Post::Deputy, None, Some(date!(2025 - 11 - 01)), None, NOW).await.unwrap();

    let d = store.dashboard(&courts, &nb, TODAY).await.unwrap();
    assert_eq!(d.rows.iter().map(|r| r.court.as_str()).collect::<Vec<_>>(), ["浙0203", "浙0212"]);
    let (h, y) = (&d.rows[0], &d.rows[1]);
    // 海曙: one open (one closed, one deleted); 鄞州: one open.
    assert_eq!((h.open_cases, y.open_cases, d.total.open_cases), (1, 1, 2));
    assert_eq!((h.filed_this_year, h.closed_this_year), (2, 1));
    assert_eq!(y.filed_this_year, 1);
    // 执行完毕率 100 %, 执行到位率 = 1000 / amount, 首执终本率 0 %, 61 days.
    let values: Vec<Option<String>> = h.indicators.iter().map(|v| v.map(|v| v.to_string())).collect();
    let amount = done.amount_applied.as_decimal();
    let recovery = (rust_decimal::Decimal::from(100_000) / amount)
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(values, vec![Some("100.0".into()), Some(recovery.to_string()), Some("0.0".into()), Some("61.0".into())]);
    assert_eq!(y.indicators, vec![None, None, None, None]);
    assert_eq!(h.petitions_open, 1);
    // Officers are judges and assistants; clerks are not counted.
    assert_eq!((h.officers, y.officers), (2, 1));
    assert_eq!(h.open_per_officer.map(|v| v.to_string()), Some("0.5".into()));
    // Overdue deadlines equal the stored deadlines past due.
    let overdue = store
        .scalar_for_tests("SELECT COUNT(*) FROM case_deadlines WHERE due_on <> '' AND due_on < '2026-11-27'")
        .await
        .unwrap();
    assert!(overdue > 0);
    assert_eq!(d.total.overdue_deadlines, overdue);
    // Posts: 海曙 has its chief; 鄞州's chief is unrecorded and its deputy vacant.
    assert!(h.posts.iter().all(|p| !p.vacant));
    assert_eq!(y.posts.iter().filter(|p| p.vacant).count(), 2);
    assert_eq!(y.posts.iter().find(|p| p.post == Post::Deputy).unwrap().vacant_months, Some(12));
    assert_eq!(d.total.courts_with_vacancy, 2, "鄞州 and 宁波中院 itself lack a recorded chief");
    // The intermediate court's own line is empty; the high court sums both cities.
    assert_eq!(d.own.as_ref().unwrap().open_cases, 0);
    let zj = store.dashboard(&courts, &court("浙"), TODAY).await.unwrap();
    assert_eq!(zj.total.open_cases, 2);
    assert_eq!(zj.rows.iter().find(|r| r.court == nb).unwrap().courts, 3);

    // What was maintained step by step equals a rebuild from the records.
    let rebuilt = store.rebuild_aggregates().await.unwrap();
    assert_eq!(rebuilt, 3);
    assert_eq!(store.dashboard(&courts, &nb, TODAY).await.unwrap(), d);
}

async fn indicator_versions_supersede_the_defaults(store: Store) {
    let courts = seed_courts(&store).await;
    let mut def =
        store.indicator_definitions().await.unwrap().into_iter().find(|d| d.code == "completion_rate").unwrap();
    assert_eq!(def.version, 1);
    def.denominator = Some(Expression::parse("denominator", "closed").unwrap());
    def.note = "含移送结案".into();
    let stored = store.add_indicator_version(def.clone(), None, NOW).await.unwrap();
    assert_eq!(stored.version, 2);
    let current = store.indicator_definitions().await.unwrap();
    assert_eq!(current.iter().find(|d| d.code == "completion_rate").unwrap(), &stored);
    assert_eq!(store.indicator_versions().await.unwrap().len(), 1);
    let d = store.dashboard(&courts, &court("浙02"), TODAY).await.unwrap();
    assert_eq!(d.indicators.iter().find(|d| d.code == "completion_rate").unwrap().version, 2);
    def.code = "Bad Code".into();
    assert!(store.add_indicator_version(def, None, NOW).await.is_err());
}

/// Moves 海曙 → 鄞州 and 鄞州 → 海曙 at the same time write the two
/// courts' counters in opposite orders; on PostgreSQL the loser of a
/// deadlock is run again, so every decision lands and the counters agree.
async fn crossed_moves_at_the_same_time_all_land(store: Store) {
    use zhixing_core::cross::CrossForm;
    let courts = seed_courts(&store).await;
    let hs_judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let yz_judge = actor(&seed_user(&store, "yz_judge", Role::Judge, "浙0212").await);
    let chief = actor(&seed_user(&store, "nb_chief", Role::Chief, "浙02").await);
    let (hs, yz) = (court("浙0203"), court("浙0212"));
    let mut tasks = Vec::new();
    for n in 0..6u32 {
        for (from, to, judge) in [(&hs, &yz, &hs_judge), (&yz, &hs, &yz_judge)] {
            let case =
                store.file_case(from, &sample_draft(n + 1, "2026-03-02"), Some(judge), judge, NOW).await.unwrap();
            let decision = zhixing_store::NewDecision {
                form: CrossForm::Designate,
                original_court: from.clone(),
                case_id: case.id,
                receiving_court: Some(to.clone()),
                decision_ref: format!("（2026）浙02执他{}号", tasks.len() + 1),
                decided_on: date!(2026 - 11 - 20),
                report_by: None,
                note: String::new(),
            };
            let (store, courts, chief) = (store.clone(), courts.clone(), chief.clone());
            tasks.push(tokio::spawn(async move {
                store.decide_cross(&court("浙02"), &courts, &decision, &chief, NOW, TODAY).await
            }));
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let d = store.dashboard(&courts, &court("浙02"), TODAY).await.unwrap();
    for r in &d.rows {
        assert_eq!((r.cross_out, r.cross_in, r.open_cases), (6, 6, 6), "{}", r.court.as_str());
    }
    assert_eq!(store.rebuild_aggregates().await.unwrap(), 24);
    assert_eq!(store.dashboard(&courts, &court("浙02"), TODAY).await.unwrap(), d);
}
