use time::Date;
use time::macros::date;
use zhixing_core::access::Role;
use zhixing_core::case::CaseStatus;
use zhixing_core::court::CourtCode;
use zhixing_core::money::Money;
use zhixing_core::workflow::{
    Action, BuiltinNode, CaseState, ClosingMode, DeadlineKind, LocalNodeKind, NodeInput, NodeKind, RestoreGround,
    SuspensionGround, derive_state,
};
use zhixing_store::testing::{sample_draft, seed_courts, seed_user};
use zhixing_store::{LinkKind, Store, StoreError, TransitionRequest, UserRef};

use crate::{NOW, actor};

zhixing_store::backend_tests! {
    nodes_and_transitions_are_recorded_and_the_state_derived,
    a_refused_transition_writes_nothing,
    deadlines_are_stored_listed_and_met,
    naming_the_first_judge_starts_the_case,
    restore_opens_a_linked_resumed_case_with_the_balance,
    concurrent_transitions_serialise,
    local_node_kinds_are_per_court,
}

const TODAY: Date = date!(2026 - 11 - 27);

fn court(code: &str) -> CourtCode {
    CourtCode::parse(code).unwrap()
}

fn node(kind: BuiltinNode, on: Date, note: &str) -> NodeInput {
    NodeInput { kind: NodeKind::Builtin(kind), on, note: note.into(), document_ref: None, amount: None }
}

fn request(action: Action, on: Date, doc: Option<&str>) -> TransitionRequest {
    TransitionRequest { action, on, note: String::new(), document_ref: doc.map(str::to_string) }
}

async fn setup(store: &Store) -> (UserRef, i64) {
    seed_courts(store).await;
    let judge = seed_user(store, "hs_judge", Role::Judge, "浙0203").await;
    let a = actor(&judge);
    let case = store.file_case(&court("浙0203"), &sample_draft(1, "2026-03-02"), Some(&a), &a, NOW).await.unwrap();
    (a, case.id)
}

async fn nodes_and_transitions_are_recorded_and_the_state_derived(store: Store) {
    let (a, id) = setup(&store).await;
    let c = court("浙0203");
    let (_, _, wf) =
        store.record_node(&c, id, &node(BuiltinNode::NoticeServed, date!(2026 - 03 - 05), ""), &a, NOW).await.unwrap();
    assert_eq!(wf.nodes.len(), 1);
    assert_eq!(wf.node_records[0].by.username, "hs_judge");
    let suspend = Action::Suspend(SuspensionGround::OutsiderObjection);
    let out =
        store.apply_transition(&c, id, &request(suspend, date!(2026 - 04 - 01), Some("之一")), &a, NOW, TODAY).await;
    assert!(matches!(out.unwrap().state, CaseState::Suspended { .. }));
    let (case, wf) = store.case_workflow(std::slice::from_ref(&c), id).await.unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Suspended);
    assert_eq!(derive_state(&wf.file(&case)).status(), CaseStatus::Suspended);
    store
        .apply_transition(&c, id, &request(Action::Resume, date!(2026 - 04 - 10), None), &a, NOW, TODAY)
        .await
        .unwrap();
    store
        .record_node(&c, id, &node(BuiltinNode::PerformanceConfirmed, date!(2026 - 05 - 01), "已全部履行"), &a, NOW)
        .await
        .unwrap();
    let done = Action::Close { mode: ClosingMode::Completed, ground: None };
    store.apply_transition(&c, id, &request(done, date!(2026 - 05 - 02), None), &a, NOW, TODAY).await.unwrap();
    let (case, wf) = store.case_workflow(std::slice::from_ref(&c), id).await.unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Closed);
    assert_eq!(wf.events.len(), 3);
    assert_eq!(wf.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(wf.event_records[2].1, CaseStatus::Closed);
    assert!(matches!(derive_state(&wf.file(&case)), CaseState::Closed { mode: ClosingMode::Completed, .. }));
    // A closed case has no open deadlines left.
    let open =
        store.scalar_for_tests(&format!("SELECT COUNT(*) FROM case_deadlines WHERE case_id = {id}")).await.unwrap();
    assert_eq!(open, 0);
}

async fn a_refused_transition_writes_nothing(store: Store) {
    let (a, id) = setup(&store).await;
    let c = court("浙0203");
    let zhongben = Action::Close { mode: ClosingMode::TerminatedThisRound, ground: None };
    let refused =
        store.apply_transition(&c, id, &request(zhongben, date!(2026 - 04 - 01), Some("x")), &a, NOW, TODAY).await;
    let Err(StoreError::Refused(refusal)) = refused else { panic!("expected a refusal, got {refused:?}") };
    assert!(refusal.missing.iter().any(|m| m.rule.contains("第一条第四项")));
    let (case, wf) = store.case_workflow(std::slice::from_ref(&c), id).await.unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Enforcing);
    assert!(wf.events.is_empty());
    // A node that breaks its rule is not stored either.
    let bad =
        store.record_node(&c, id, &node(BuiltinNode::ApplicantInterviewed, date!(2026 - 04 - 01), ""), &a, NOW).await;
    assert!(matches!(bad, Err(StoreError::Refused(_))));
    let early = store.record_node(&c, id, &node(BuiltinNode::NoticeServed, date!(2026 - 03 - 01), ""), &a, NOW).await;
    assert!(matches!(early, Err(StoreError::Refused(_))));
    let (_, wf) = store.case_workflow(std::slice::from_ref(&c), id).await.unwrap().unwrap();
    assert!(wf.nodes.is_empty());
    // Unknown cases and other courts' cases are not found.
    let other = store.record_node(&court("浙0212"), id, &node(BuiltinNode::NoticeServed, TODAY, ""), &a, NOW).await;
    assert!(matches!(other, Err(StoreError::NotFound)));
}

async fn deadlines_are_stored_listed_and_met(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let other = seed_user(&store, "hs_judge2", Role::Judge, "浙0203").await;
    let (a, b) = (actor(&judge), actor(&other));
    let c = court("浙0203");
    let mine = store.file_case(&c, &sample_draft(1, "2026-11-02"), Some(&a), &a, NOW).await.unwrap();
    let theirs = store.file_case(&c, &sample_draft(2, "2026-11-20"), Some(&b), &a, NOW).await.unwrap();
    let unassigned = store.file_case(&c, &sample_draft(3, "2026-11-25"), None, &a, NOW).await.unwrap();
    let far = date!(2027 - 12 - 31);
    let all = store.deadline_list(std::slice::from_ref(&c), None, far, 100, 0).await.unwrap();
    let kinds_of = |id: i64| -> Vec<DeadlineKind> { all.iter().filter(|d| d.case_id == id).map(|d| d.kind).collect() };
    assert_eq!(
        kinds_of(mine.id),
        [
            DeadlineKind::Notice,
            DeadlineKind::ExtensionRequest,
            DeadlineKind::ClosingLimit,
            DeadlineKind::HigherCourtRight
        ]
    );
    assert!(kinds_of(unassigned.id).contains(&DeadlineKind::JudgeAssignment));
    assert!(all.windows(2).all(|w| w[0].due_on <= w[1].due_on), "earliest first");
    // 2026-11-02 + 10 days = 11-12: overdue on 11-27.
    let notice = all.iter().find(|d| d.case_id == mine.id && d.kind == DeadlineKind::Notice).unwrap();
    assert_eq!(notice.due_on, date!(2026 - 11 - 12));
    assert_eq!(notice.judge_name.as_deref(), Some("测试hs_judge"));
    let counts = store
        .deadline_counts(std::slice::from_ref(&c), None, TODAY, date!(2026 - 12 - 02), date!(2026 - 12 - 11))
        .await
        .unwrap();
    assert_eq!(counts.len(), 1);
    // Overdue: mine's notice (11-12). Due by 12-02: theirs' notice (11-30),
    // unassigned's judge assignment (12-02). Due by 12-11: unassigned's notice (12-07).
    assert_eq!((counts[0].overdue, counts[0].due_soon, counts[0].due_later), (1, 2, 1));
    // Per judge.
    let theirs_only = store.deadline_list(std::slice::from_ref(&c), Some(b.id), far, 100, 0).await.unwrap();
    assert!(theirs_only.iter().all(|d| d.case_id == theirs.id) && !theirs_only.is_empty());
    // A node meets its deadline: the row leaves the list.
    store.record_node(&c, mine.id, &node(BuiltinNode::NoticeServed, date!(2026 - 11 - 20), ""), &a, NOW).await.unwrap();
    let after = store.deadline_list(std::slice::from_ref(&c), Some(a.id), far, 100, 0).await.unwrap();
    assert!(!after.iter().any(|d| d.case_id == mine.id && d.kind == DeadlineKind::Notice));
    // Deleting a case removes its deadlines; rebuilding restores the rest.
    store.delete_case(&c, unassigned.id, 1, "重复立案", &a, NOW).await.unwrap();
    let left = store.deadline_list(std::slice::from_ref(&c), None, far, 100, 0).await.unwrap();
    assert!(!left.iter().any(|d| d.case_id == unassigned.id));
    store.execute_for_tests("DELETE FROM case_deadlines").await.unwrap();
    assert!(store.deadlines_missing().await.unwrap());
    assert_eq!(store.rebuild_deadlines().await.unwrap(), 2);
    assert_eq!(store.deadline_list(std::slice::from_ref(&c), None, far, 100, 0).await.unwrap(), left);
    // Nothing for courts out of scope.
    assert!(store.deadline_list(&[court("浙0212")], None, far, 100, 0).await.unwrap().is_empty());
}

async fn naming_the_first_judge_starts_the_case(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    let a = actor(&judge);
    let c = court("浙0203");
    let filed = store.file_case(&c, &sample_draft(1, "2026-11-02"), None, &a, NOW).await.unwrap();
    assert_eq!(filed.status, CaseStatus::Filed);
    let updated = store.update_case(&c, filed.id, 1, &filed.draft(), Some(&a), &a, NOW).await.unwrap();
    assert_eq!(updated.status, CaseStatus::Enforcing);
    let (case, wf) = store.case_workflow(std::slice::from_ref(&c), filed.id).await.unwrap().unwrap();
    assert_eq!(wf.events.len(), 1);
    assert_eq!(wf.events[0].action, Action::Start);
    assert!(wf.nodes[0].is(BuiltinNode::JudgeAssigned));
    assert!(matches!(derive_state(&wf.file(&case)), CaseState::Enforcing { .. }));
    // The judge's deadline list now holds the case.
    let list = store.deadline_list(std::slice::from_ref(&c), Some(a.id), date!(2027 - 12 - 31), 100, 0).await.unwrap();
    assert!(list.iter().any(|d| d.case_id == filed.id));
    assert!(!list.iter().any(|d| d.kind == DeadlineKind::JudgeAssignment));
}

async fn restore_opens_a_linked_resumed_case_with_the_balance(store: Store) {
    let (a, id) = setup(&store).await;
    let c = court("浙0203");
    let steps: Vec<NodeInput> = vec![
        node(BuiltinNode::NoticeServed, date!(2026 - 03 - 03), ""),
        node(BuiltinNode::ReportOrderServed, date!(2026 - 03 - 03), ""),
        node(BuiltinNode::PropertyReportVerified, date!(2026 - 03 - 20), ""),
        node(BuiltinNode::ConsumptionRestrictionIssued, date!(2026 - 03 - 10), ""),
        node(BuiltinNode::DishonestListingDecided, date!(2026 - 03 - 10), "纳入失信名单"),
        node(BuiltinNode::NetworkInquirySent, date!(2026 - 03 - 04), ""),
        node(BuiltinNode::NetworkInquiryAnswered, date!(2026 - 03 - 12), ""),
        node(BuiltinNode::OnsiteInvestigation, date!(2026 - 04 - 02), ""),
        node(BuiltinNode::ApplicantInterviewed, date!(2026 - 06 - 10), "同意终本"),
        node(BuiltinNode::ApplicantConfirmed, date!(2026 - 06 - 10), ""),
        NodeInput {
            amount: Some(Money::parse("4000.50").unwrap()),
            ..node(BuiltinNode::PaymentReceived, date!(2026 - 05 - 01), "")
        },
    ];
    for step in &steps {
        store.record_node(&c, id, step, &a, NOW).await.unwrap();
    }
    let zhongben = Action::Close { mode: ClosingMode::TerminatedThisRound, ground: None };
    store
        .apply_transition(
            &c,
            id,
            &request(zhongben, date!(2026 - 06 - 15), Some("（2026）浙0203执1号之一")),
            &a,
            NOW,
            TODAY,
        )
        .await
        .unwrap();
    // After 终本: the publication and the first six-monthly inquiry are open.
    let list = store.deadline_list(std::slice::from_ref(&c), None, date!(2027 - 12 - 31), 100, 0).await.unwrap();
    let kinds: Vec<DeadlineKind> = list.iter().filter(|d| d.case_id == id).map(|d| d.kind).collect();
    assert_eq!(kinds, [DeadlineKind::ZhongbenPublication, DeadlineKind::PostZhongbenInquiry]);

    let out = store
        .apply_transition(
            &c,
            id,
            &request(Action::Restore(RestoreGround::NewProperty), date!(2026 - 09 - 01), None),
            &a,
            NOW,
            TODAY,
        )
        .await
        .unwrap();
    let resumed = out.new_case.unwrap();
    assert_eq!(resumed.case_number.to_string(), "（2026）浙0203执恢1号");
    // 10001.50 applied for, 4000.50 paid: 6001.00 carried over.
    assert_eq!(resumed.amount_applied.to_string(), "6001.00");
    assert_eq!(resumed.status, CaseStatus::Enforcing);
    let (_, wf) = store.case_workflow(std::slice::from_ref(&c), id).await.unwrap().unwrap();
    assert_eq!(wf.links[0].kind, LinkKind::RestoredAs);
    assert_eq!(wf.links[0].case_id, resumed.id);
    let (_, new_wf) = store.case_workflow(std::slice::from_ref(&c), resumed.id).await.unwrap().unwrap();
    assert_eq!(new_wf.links[0].kind, LinkKind::RestoredFrom);
    assert_eq!(new_wf.links[0].case_number, "（2026）浙0203执1号");
    // The original's six-monthly inquiries end; the new case's deadlines start.
    let list = store.deadline_list(std::slice::from_ref(&c), None, date!(2027 - 12 - 31), 100, 0).await.unwrap();
    assert!(!list.iter().any(|d| d.case_id == id && d.kind == DeadlineKind::PostZhongbenInquiry));
    assert!(list.iter().any(|d| d.case_id == resumed.id && d.kind == DeadlineKind::ClosingLimit));
    // Twice is refused, and files nothing.
    let again = store
        .apply_transition(
            &c,
            id,
            &request(Action::Restore(RestoreGround::NewProperty), date!(2026 - 09 - 02), None),
            &a,
            NOW,
            TODAY,
        )
        .await;
    assert!(matches!(again, Err(StoreError::Refused(_))));
    assert_eq!(store.issued_serials(&c, 2026, zhixing_core::case_number::EnforcementType::Resumed).await.unwrap(), [1]);
}

async fn concurrent_transitions_serialise(store: Store) {
    let (a, id) = setup(&store).await;
    let c = court("浙0203");
    let mut handles = Vec::new();
    for i in 0..6 {
        let (store, a, c) = (store.clone(), a.clone(), c.clone());
        handles.push(tokio::spawn(async move {
            let action = Action::Suspend(SuspensionGround::OutsiderObjection);
            store
                .apply_transition(
                    &c,
                    id,
                    &request(action, date!(2026 - 04 - 01), Some(&format!("之{i}"))),
                    &a,
                    NOW,
                    TODAY,
                )
                .await
        }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Refused(_) | StoreError::VersionConflict { .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one suspension wins; the others see a suspended case");
    let (_, wf) = store.case_workflow(&[c], id).await.unwrap().unwrap();
    assert_eq!(wf.events.len(), 1);
}

async fn local_node_kinds_are_per_court(store: Store) {
    let (a, id) = setup(&store).await;
    let c = court("浙0203");
    let kind = LocalNodeKind::parse("local_return_visit", "回访申请执行人", Some("浙0203")).unwrap();
    store.add_node_kind(&kind, NOW).await.unwrap();
    assert!(matches!(store.add_node_kind(&kind, NOW).await, Err(StoreError::Rejected(_))));
    assert_eq!(store.node_kinds(Some(&c)).await.unwrap(), std::slice::from_ref(&kind));
    assert!(store.node_kinds(Some(&court("浙0212"))).await.unwrap().is_empty());
    let input = NodeInput {
        kind: NodeKind::Local("local_return_visit".into()),
        ..node(BuiltinNode::NoticeServed, TODAY, "电话回访")
    };
    store.record_node(&c, id, &input, &a, NOW).await.unwrap();
    let unknown = NodeInput { kind: NodeKind::Local("local_nope".into()), ..input };
    assert!(matches!(store.record_node(&c, id, &unknown, &a, NOW).await, Err(StoreError::Rejected(_))));
}
