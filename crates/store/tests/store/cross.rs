use time::macros::date;
use zhixing_core::access::Role;
use zhixing_core::case::CaseStatus;
use zhixing_core::court::CourtCode;
use zhixing_core::cross::{CrossForm, Finding, OutcomeKind};
use zhixing_core::money::Money;
use zhixing_core::workflow::{BuiltinNode, NodeInput, NodeKind};
use zhixing_store::testing::{sample_draft, seed_courts, seed_user};
use zhixing_store::{NewDecision, Store, StoreError};

use crate::{NOW, actor};

zhixing_store::backend_tests! {
    a_designation_moves_the_case_and_outcomes_open_a_review,
}

fn court(code: &str) -> CourtCode {
    CourtCode::parse(code).unwrap()
}

async fn a_designation_moves_the_case_and_outcomes_open_a_review(store: Store) {
    let courts = seed_courts(&store).await;
    let judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let chief = actor(&seed_user(&store, "nb_chief", Role::Chief, "浙02").await);
    let hs = court("浙0203");
    let case = store.file_case(&hs, &sample_draft(1, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();
    let payment = NodeInput {
        kind: NodeKind::Builtin(BuiltinNode::PaymentReceived),
        on: date!(2026 - 04 - 01),
        note: String::new(),
        document_ref: None,
        amount: Some(Money::parse("1000").unwrap()),
    };
    store.record_node(&hs, case.id, &payment, &judge, NOW).await.unwrap();
    let petition = store
        .file_petition(
            &hs,
            case.id,
            "申请人1号",
            date!(2026 - 11 - 02),
            "执行不力",
            "被执行人在鄞州有厂房",
            &judge,
            NOW,
        )
        .await
        .unwrap();
    assert!(petition.open && petition.due_on > date!(2026 - 12 - 01));

    let decision = |form, receiving: Option<&str>| NewDecision {
        form,
        original_court: hs.clone(),
        case_id: case.id,
        receiving_court: receiving.map(court),
        decision_ref: "（2026）浙02执他5号".into(),
        decided_on: date!(2026 - 11 - 20),
        report_by: None,
        note: String::new(),
    };
    // Only a court above may decide; a move goes to another court.
    let sideways = store
        .decide_cross(
            &court("浙0212"),
            &courts,
            &decision(CrossForm::Designate, Some("浙0212")),
            &chief,
            NOW,
            date!(2026 - 11 - 27),
        )
        .await;
    assert!(matches!(sideways, Err(StoreError::Refused(_))));
    let same = store
        .decide_cross(
            &court("浙02"),
            &courts,
            &decision(CrossForm::Designate, Some("浙0203")),
            &chief,
            NOW,
            date!(2026 - 11 - 27),
        )
        .await;
    assert!(matches!(same, Err(StoreError::Refused(_))));

    let moved = store
        .decide_cross(
            &court("浙02"),
            &courts,
            &decision(CrossForm::Designate, Some("浙0212")),
            &chief,
            NOW,
            date!(2026 - 11 - 27),
        )
        .await
        .unwrap();
    assert_eq!(moved.new_case_number.as_deref(), Some("（2026）浙0212执1号"));
    assert_eq!(moved.balance.to_string(), "9001.50");
    let original = store.case(std::slice::from_ref(&hs), case.id).await.unwrap().unwrap();
    assert_eq!(original.status, CaseStatus::Closed, "closed by transfer");
    let received = store.case(&[court("浙0212")], moved.new_case_id.unwrap()).await.unwrap().unwrap();
    assert_eq!(received.amount_applied.to_string(), "9001.50");
    assert_eq!(received.parties.len(), original.parties.len());

    // An outcome with money opens one review; a later one does not open another.
    let after = store
        .record_cross_outcome(
            &court("浙02"),
            moved.id,
            OutcomeKind::PartialPayment,
            date!(2026 - 11 - 25),
            Money::parse("5000").unwrap(),
            "扣划存款",
            &chief,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(after.reviews.len(), 1);
    assert!(after.reviews[0].open);
    let after = store
        .record_cross_outcome(
            &court("浙02"),
            moved.id,
            OutcomeKind::Settlement,
            date!(2026 - 11 - 26),
            Money::ZERO,
            "达成和解",
            &chief,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(after.reviews.len(), 1);
    assert!(store.close_review(&court("浙02"), after.reviews[0].id, &[], "", date!(2026 - 11 - 27)).await.is_err());
    store
        .close_review(&court("浙02"), after.reviews[0].id, &[Finding::Neglect], "通报批评", date!(2026 - 11 - 27))
        .await
        .unwrap();
    let closed = store.cross_decision(&court("浙02"), moved.id).await.unwrap();
    assert_eq!(closed.reviews[0].findings, [Finding::Neglect]);

    // 督促执行 on another case: its money is counted apart.
    let other = store.file_case(&hs, &sample_draft(2, "2026-03-02"), Some(&judge), &judge, NOW).await.unwrap();
    let supervise = NewDecision {
        case_id: other.id,
        form: CrossForm::Supervise,
        receiving_court: None,
        ..decision(CrossForm::Supervise, None)
    };
    let s = store.decide_cross(&court("浙02"), &courts, &supervise, &chief, NOW, date!(2026 - 11 - 27)).await.unwrap();
    assert_eq!(s.new_case_id, None);
    store
        .record_cross_outcome(
            &court("浙02"),
            s.id,
            OutcomeKind::PartialPayment,
            date!(2026 - 11 - 26),
            Money::parse("700").unwrap(),
            "督促后履行",
            &chief,
            NOW,
        )
        .await
        .unwrap();
    let stats = store.cross_statistics(&[court("浙02")], date!(2026 - 01 - 01), date!(2026 - 12 - 31)).await.unwrap();
    assert_eq!((stats.cross_enforced, stats.progressed_or_resolved), (1, 1));
    assert_eq!(stats.share_percent.to_string(), "100.0");
    assert_eq!(stats.recovered.to_string(), "5000.00");
    assert_eq!(stats.supervised_recovered.to_string(), "700.00");
}
