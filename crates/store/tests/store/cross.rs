use time::macros::date;
use zhixing_core::access::Role;
use zhixing_core::case::CaseDraft;
use zhixing_core::case::CaseStatus;
use zhixing_core::court::CourtCode;
use zhixing_core::cross::{CrossForm, Finding, OutcomeKind, SeedStatistics};
use zhixing_core::money::Money;
use zhixing_core::workflow::{BuiltinNode, NodeInput, NodeKind};
use zhixing_store::testing::{sample_draft, seed_courts, seed_user};
use zhixing_store::{CrossDecision, NewDecision, Store, StoreError, UserRef};

use crate::{NOW, actor};

zhixing_store::backend_tests! {
    a_designation_moves_the_case_and_outcomes_open_a_review,
    concentration_moves_cases_of_one_debtor_in_one_transaction,
    concentration_refuses_cases_of_different_debtors_and_writes_nothing,
    petitions_are_listed_and_closed,
    statistics_by_court_form_and_month_count_as_the_seed,
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
    let stats =
        store.cross_statistics(&[court("浙02")], date!(2026 - 01 - 01), date!(2026 - 12 - 31)).await.unwrap().total;
    assert_eq!((stats.cross_enforced, stats.progressed_or_resolved), (1, 1));
    assert_eq!(stats.share_percent.to_string(), "100.0");
    assert_eq!(stats.recovered.to_string(), "5000.00");
    assert_eq!(stats.supervised_recovered.to_string(), "700.00");
}

fn decision(form: CrossForm, original: &str, case_id: i64, receiving: Option<&str>, on: time::Date) -> NewDecision {
    NewDecision {
        form,
        original_court: court(original),
        case_id,
        receiving_court: receiving.map(court),
        decision_ref: "（2026）浙执他1号".into(),
        decided_on: on,
        report_by: None,
        note: String::new(),
    }
}

/// Case `n`'s draft with the respondent of case `debtor_of` (one debtor, several cases).
fn draft_against(n: u32, debtor_of: u32) -> CaseDraft {
    let mut draft = sample_draft(n, "2026-03-02");
    let debtor = sample_draft(debtor_of, "2026-03-02").parties[1].clone();
    draft.parties[1] = debtor;
    draft
}

async fn count(store: &Store, sql: &str) -> i64 {
    store.scalar_for_tests(sql).await.unwrap()
}

async fn concentration_moves_cases_of_one_debtor_in_one_transaction(store: Store) {
    let courts = seed_courts(&store).await;
    let hs_judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let xh_judge = actor(&seed_user(&store, "xh_judge", Role::Judge, "浙0106").await);
    let zj = actor(&seed_user(&store, "zj_chief", Role::Chief, "浙").await);
    let today = date!(2026 - 11 - 27);
    let a = store.file_case(&court("浙0203"), &sample_draft(1, "2026-03-02"), None, &hs_judge, NOW).await.unwrap();
    let b = store.file_case(&court("浙0106"), &draft_against(2, 1), None, &xh_judge, NOW).await.unwrap();
    let moved = |c: &zhixing_store::StoredCase| (c.court.as_str().to_string(), c.id);

    // The high court concentrates 海曙's and 西湖's cases against one debtor in 鄞州.
    let new = decision(CrossForm::Concentrate, "浙0203", a.id, Some("浙0212"), date!(2026 - 11 - 20));
    let more = [(b.court.clone(), b.id)];
    let all = store.decide_cross_cases(&court("浙"), &courts, &new, &more, &zj, NOW, today).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter().map(|d| (d.original_court.as_str().to_string(), d.original_case_id)).collect::<Vec<_>>(),
        [moved(&a), moved(&b)]
    );
    assert!(all.iter().all(|d| d.decision_ref == "（2026）浙执他1号" && d.group_id == all[0].id));
    assert_eq!(all[0].new_case_number.as_deref(), Some("（2026）浙0212执1号"));
    assert_eq!(all[1].new_case_number.as_deref(), Some("（2026）浙0212执2号"));
    assert_eq!(all[0].balance.to_string(), "10001.50");
    assert_eq!(all[1].balance.to_string(), "10002.50");
    for (d, original) in all.iter().zip([&a, &b]) {
        let closed = store.case(std::slice::from_ref(&original.court), original.id).await.unwrap().unwrap();
        assert_eq!(closed.status, CaseStatus::Closed, "each original is closed by transfer");
        let filed = store.case(&[court("浙0212")], d.new_case_id.unwrap()).await.unwrap().unwrap();
        assert_eq!(filed.amount_applied, d.balance, "each receiving case carries its own balance");
    }
    let group = store.cross_decision_group(&court("浙"), all[0].group_id).await.unwrap();
    assert_eq!(group.iter().map(|d| d.id).collect::<Vec<_>>(), all.iter().map(|d| d.id).collect::<Vec<_>>());
    let received = store.cross_received(&[court("浙0212")], 100).await.unwrap();
    assert_eq!(received.len(), 2);
    assert!(store.cross_received(&[court("浙0203")], 100).await.unwrap().is_empty(), "moved from, not to");

    // A later refusal of one case undoes the moves of the others: 海曙's second
    // case is fine, 西湖's case is already closed by transfer.
    let c = store.file_case(&court("浙0203"), &draft_against(3, 1), None, &hs_judge, NOW).await.unwrap();
    let cases_before = count(&store, "SELECT COUNT(*) FROM cases").await;
    let events_before = count(&store, "SELECT COUNT(*) FROM case_events").await;
    let new = decision(CrossForm::Concentrate, "浙0203", c.id, Some("浙0212"), date!(2026 - 11 - 21));
    let refused = store.decide_cross_cases(&court("浙"), &courts, &new, &more, &zj, NOW, today).await;
    assert!(matches!(refused, Err(StoreError::Refused(_))), "{refused:?}");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM cases").await, cases_before);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM case_events").await, events_before);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM cross_decisions").await, 2);
    let c_after = store.case(&[court("浙0203")], c.id).await.unwrap().unwrap();
    assert_ne!(c_after.status, CaseStatus::Closed);
    // Several cases only under 集中执行; a case listed twice is refused.
    let designate = decision(CrossForm::Designate, "浙0203", c.id, Some("浙0212"), date!(2026 - 11 - 21));
    let twice = [(c.court.clone(), c.id)];
    for (new, more) in [(&designate, &twice[..]), (&new, &twice[..])] {
        let r = store.decide_cross_cases(&court("浙"), &courts, new, more, &zj, NOW, today).await;
        assert!(matches!(r, Err(StoreError::Refused(_))), "{r:?}");
    }
    // The receiving court may not be one of the original courts.
    let d = store.file_case(&court("浙0106"), &draft_against(4, 1), None, &xh_judge, NOW).await.unwrap();
    let to_own = decision(CrossForm::Concentrate, "浙0203", c.id, Some("浙0106"), date!(2026 - 11 - 21));
    let r = store.decide_cross_cases(&court("浙"), &courts, &to_own, &[(d.court.clone(), d.id)], &zj, NOW, today).await;
    assert!(matches!(r, Err(StoreError::Refused(_))), "{r:?}");
}

async fn concentration_refuses_cases_of_different_debtors_and_writes_nothing(store: Store) {
    let courts = seed_courts(&store).await;
    let hs_judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let yz_judge = actor(&seed_user(&store, "yz_judge", Role::Judge, "浙0212").await);
    let nb = actor(&seed_user(&store, "nb_chief", Role::Chief, "浙02").await);
    let a = store.file_case(&court("浙0203"), &sample_draft(1, "2026-03-02"), None, &hs_judge, NOW).await.unwrap();
    let b = store.file_case(&court("浙0212"), &sample_draft(2, "2026-03-02"), None, &yz_judge, NOW).await.unwrap();
    let cases_before = count(&store, "SELECT COUNT(*) FROM cases").await;
    let new = decision(CrossForm::Concentrate, "浙0203", a.id, Some("浙02"), date!(2026 - 11 - 20));
    let r = store
        .decide_cross_cases(&court("浙02"), &courts, &new, &[(b.court.clone(), b.id)], &nb, NOW, date!(2026 - 11 - 27))
        .await;
    let Err(StoreError::Refused(refusal)) = r else { panic!("expected a refusal, got {r:?}") };
    assert!(refusal.message.contains("同一被执行人"), "{}", refusal.message);
    assert!(refusal.missing[0].rule.contains("《关于交叉执行工作的指导意见》第三部分"));
    assert_eq!(count(&store, "SELECT COUNT(*) FROM cases").await, cases_before);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM case_events").await, 0);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM cross_decisions").await, 0);
    for case in [&a, &b] {
        let now = store.case(std::slice::from_ref(&case.court), case.id).await.unwrap().unwrap();
        assert_eq!(now.status, case.status);
    }
}

async fn petitions_are_listed_and_closed(store: Store) {
    seed_courts(&store).await;
    let judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let yz_judge = actor(&seed_user(&store, "yz_judge", Role::Judge, "浙0212").await);
    let hs = court("浙0203");
    let case = store.file_case(&hs, &sample_draft(1, "2026-03-02"), None, &judge, NOW).await.unwrap();
    let other = store.file_case(&court("浙0212"), &sample_draft(2, "2026-03-02"), None, &yz_judge, NOW).await.unwrap();
    let file = |court: CourtCode, case_id: i64, on: time::Date, actor: UserRef| {
        let store = store.clone();
        async move { store.file_petition(&court, case_id, "申请人", on, "执行不力", "", &actor, NOW).await.unwrap() }
    };
    let first = file(hs.clone(), case.id, date!(2026 - 09 - 01), judge.clone()).await;
    let second = file(hs.clone(), case.id, date!(2026 - 11 - 02), judge.clone()).await;
    let theirs = file(court("浙0212"), other.id, date!(2026 - 10 - 01), yz_judge.clone()).await;
    assert_eq!(first.due_on, date!(2026 - 10 - 13), "30 working days (weekends only: no calendar in storage tests)");

    // Closing: not before the receipt, not twice, only the petition of that case.
    let early = store.close_petition(&hs, case.id, second.id, "已答复", date!(2026 - 11 - 01)).await;
    assert!(matches!(&early, Err(StoreError::Rejected(e)) if e.code == "before_receipt"), "{early:?}");
    let wrong_case = store.close_petition(&hs, other.id, second.id, "已答复", date!(2026 - 11 - 20)).await;
    assert!(matches!(wrong_case, Err(StoreError::NotFound)));
    let closed = store.close_petition(&hs, case.id, second.id, "已答复并释明", date!(2026 - 11 - 20)).await.unwrap();
    assert!(!closed.open);
    assert_eq!(closed.closed_on, Some(date!(2026 - 11 - 20)));
    let again = store.close_petition(&hs, case.id, second.id, "再次", date!(2026 - 11 - 21)).await;
    assert!(matches!(&again, Err(StoreError::Rejected(e)) if e.code == "petition_closed"), "{again:?}");

    let of_case = store.petitions_of_case(&hs, case.id).await.unwrap();
    assert_eq!(of_case.iter().map(|p| p.id).collect::<Vec<_>>(), [first.id, second.id]);
    assert_eq!(of_case[1].result.as_deref(), Some("已答复并释明"));
    let open = store.petitions_of_courts(std::slice::from_ref(&hs), Some(true), 100).await.unwrap();
    assert_eq!(open.iter().map(|p| p.petition.id).collect::<Vec<_>>(), [first.id]);
    assert_eq!(open[0].case_number, "（2026）浙0203执1号");
    let closed_list = store.petitions_of_courts(std::slice::from_ref(&hs), Some(false), 100).await.unwrap();
    assert_eq!(closed_list.iter().map(|p| p.petition.id).collect::<Vec<_>>(), [second.id]);
    let both = store.petitions_of_courts(&[hs.clone(), court("浙0212")], None, 100).await.unwrap();
    assert_eq!(both.iter().map(|p| p.petition.id).collect::<Vec<_>>(), [first.id, theirs.id, second.id], "by deadline");
}

/// The seed's figures with the exclusions: what the hand computation below says.
fn figures(s: &SeedStatistics) -> (u64, u64, u64, String, String, String, u64) {
    (
        s.decisions,
        s.cross_enforced,
        s.progressed_or_resolved,
        s.share_percent.to_string(),
        s.recovered.to_string(),
        s.supervised_recovered.to_string(),
        s.internal_or_task,
    )
}

async fn statistics_by_court_form_and_month_count_as_the_seed(store: Store) {
    let courts = seed_courts(&store).await;
    let hs_judge = actor(&seed_user(&store, "hs_judge", Role::Judge, "浙0203").await);
    let yz_judge = actor(&seed_user(&store, "yz_judge", Role::Judge, "浙0212").await);
    let xh_judge = actor(&seed_user(&store, "xh_judge", Role::Judge, "浙0106").await);
    let nb = actor(&seed_user(&store, "nb_chief", Role::Chief, "浙02").await);
    let zj = actor(&seed_user(&store, "zj_chief", Role::Chief, "浙").await);
    let today = date!(2026 - 11 - 27);
    let mut n = 0;
    let mut file = async |code: &str, by: &UserRef| {
        n += 1;
        store.file_case(&court(code), &sample_draft(n, "2026-01-10"), None, by, NOW).await.unwrap().id
    };
    let (h1, h2, h3, h4) = (
        file("浙0203", &hs_judge).await,
        file("浙0203", &hs_judge).await,
        file("浙0203", &hs_judge).await,
        file("浙0203", &hs_judge).await,
    );
    let (y1, y2) = (file("浙0212", &yz_judge).await, file("浙0212", &yz_judge).await);
    let x1 = file("浙0106", &xh_judge).await;
    let decide = async |deciding: &str, new: NewDecision, by: &UserRef| -> CrossDecision {
        store.decide_cross(&court(deciding), &courts, &new, by, NOW, today).await.unwrap()
    };
    let outcome = async |d: &CrossDecision, kind: OutcomeKind, amount: &str| {
        let on = d.decided_on + time::Duration::days(3);
        store
            .record_cross_outcome(&d.court, d.id, kind, on, Money::parse(amount).unwrap(), "说明", &nb, NOW)
            .await
            .unwrap();
    };
    use CrossForm::*;
    // 宁波中院's decisions.
    let d = decide("浙02", decision(Designate, "浙0203", h1, Some("浙0212"), date!(2026 - 03 - 10)), &nb).await;
    outcome(&d, OutcomeKind::PartialPayment, "1000").await;
    let d = decide("浙02", decision(Elevate, "浙0203", h2, None, date!(2026 - 03 - 20)), &nb).await;
    outcome(&d, OutcomeKind::NoProspectZhongben, "200").await; // money, but no 实质进展
    let d = decide("浙02", decision(Supervise, "浙0212", y1, None, date!(2026 - 04 - 05)), &nb).await;
    outcome(&d, OutcomeKind::PartialPayment, "700").await; // 督促执行: reported apart
    decide("浙02", decision(Internal, "浙0212", y2, None, date!(2026 - 04 - 06)), &nb).await;
    let d = decide("浙02", decision(Task, "浙0203", h3, None, date!(2026 - 04 - 07)), &nb).await;
    outcome(&d, OutcomeKind::Completed, "300").await; // 事项交叉: neither counted nor its money
    let d = decide("浙02", decision(Designate, "浙0203", h4, Some("浙0212"), date!(2026 - 02 - 20)), &nb).await;
    outcome(&d, OutcomeKind::Completed, "999").await; // before the period
    // 浙江高院's own decision counts in the province's figures, not in 宁波's.
    let d = decide("浙", decision(Designate, "浙0106", x1, Some("浙0212"), date!(2026 - 04 - 10)), &zj).await;
    outcome(&d, OutcomeKind::Settlement, "0").await;

    let (from, to) = (date!(2026 - 03 - 01), date!(2026 - 12 - 31));
    let check = |s: &zhixing_store::CrossStatistics| {
        let e = |d, c, p, share: &str, r: &str, sr: &str, it| {
            (d, c, p, share.to_string(), r.to_string(), sr.to_string(), it)
        };
        assert_eq!(figures(&s.total), e(6, 3, 2, "66.7", "1200.00", "700.00", 2));
        let by_original: Vec<_> =
            s.by_original_court.iter().map(|(c, s)| (c.as_str().to_string(), figures(s))).collect();
        assert_eq!(
            by_original,
            [
                ("浙0106".to_string(), e(1, 1, 1, "100.0", "0.00", "0.00", 0)),
                ("浙0203".to_string(), e(3, 2, 1, "50.0", "1200.00", "0.00", 1)),
                ("浙0212".to_string(), e(2, 0, 0, "0", "0.00", "700.00", 1)),
            ]
        );
        let by_receiving: Vec<_> = s
            .by_receiving_court
            .iter()
            .map(|(c, s)| (c.as_ref().map(|c| c.as_str().to_string()), figures(s)))
            .collect();
        assert_eq!(
            by_receiving,
            [
                (None, e(3, 0, 0, "0", "0.00", "700.00", 2)),
                (Some("浙02".to_string()), e(1, 1, 0, "0.0", "200.00", "0.00", 0)),
                (Some("浙0212".to_string()), e(2, 2, 2, "100.0", "1000.00", "0.00", 0)),
            ]
        );
        let by_form: Vec<_> = s.by_form.iter().map(|(f, s)| (*f, figures(s))).collect();
        assert_eq!(
            by_form,
            [
                (Supervise, e(1, 0, 0, "0", "0.00", "700.00", 0)),
                (Designate, e(2, 2, 2, "100.0", "1000.00", "0.00", 0)),
                (Elevate, e(1, 1, 0, "0.0", "200.00", "0.00", 0)),
                (Internal, e(1, 0, 0, "0", "0.00", "0.00", 1)),
                (Task, e(1, 0, 0, "0", "0.00", "0.00", 1)),
            ]
        );
        let by_month: Vec<_> = s.by_month.iter().map(|(m, s)| (m.clone(), figures(s))).collect();
        assert_eq!(
            by_month,
            [
                ("2026-03".to_string(), e(2, 2, 1, "50.0", "1200.00", "0.00", 0)),
                ("2026-04".to_string(), e(4, 1, 1, "100.0", "0.00", "700.00", 2)),
            ]
        );
    };
    let province = courts.subtree(&court("浙"));
    let stats = store.cross_statistics(&province, from, to).await.unwrap();
    check(&stats);
    let ningbo = store.cross_statistics(&courts.subtree(&court("浙02")), from, to).await.unwrap();
    assert_eq!(figures(&ningbo.total), (5, 2, 1, "50.0".into(), "1200.00".into(), "700.00".into(), 2));

    // The migration's backfill computes the maintained columns from the outcomes.
    let migration = include_str!("../../migrations/sqlite/0008_cross_stats.sql");
    assert_eq!(migration, include_str!("../../migrations/postgres/0008_cross_stats.sql"));
    let backfill = migration.split(';').find(|s| s.contains("UPDATE cross_decisions")).unwrap();
    store.execute_for_tests("UPDATE cross_decisions SET progressed = 0, recovered_fen = 0").await.unwrap();
    assert_eq!(figures(&store.cross_statistics(&province, from, to).await.unwrap().total).2, 0);
    store.execute_for_tests(backfill).await.unwrap();
    check(&store.cross_statistics(&province, from, to).await.unwrap());
}
