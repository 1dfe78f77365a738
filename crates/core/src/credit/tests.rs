//! 失信/限消 rules with "today" passed in.

use time::Date;
use time::macros::date;

use super::listing::*;
use super::repair::*;
use super::restriction::*;
use super::*;
use crate::calendar::{CalendarEntry, DayKind, WorkCalendar};
use crate::case::DocumentType;
use crate::case_number::EnforcementType;
use crate::money::Money;
use crate::workflow::{Action, BuiltinNode, CaseFile, ClosingMode, Event, Node, NodeKind, SuspensionGround};

fn proposal(grounds: &[DishonestGround], bars: &[Bar], capacity: Capacity, age: Option<i32>) -> Proposal {
    Proposal {
        grounds: grounds.to_vec(),
        bars_found: bars.to_vec(),
        capacity,
        debtor_age: age,
        evidence: "执行通知送达后拒不履行，名下有车辆".into(),
    }
}

#[test]
fn every_ground_has_its_term() {
    assert_eq!(DishonestGround::AbleButRefuses.term_years(), None);
    for g in &DishonestGround::ALL[1..] {
        assert_eq!(g.term_years(), Some(2), "{g:?}");
    }
    let on = date!(2026 - 01 - 10);
    assert_eq!(term_until(&[DishonestGround::AbleButRefuses], on, 0), None);
    assert_eq!(term_until(&[DishonestGround::Evades], on, 0), Some(date!(2028 - 01 - 10)));
    assert_eq!(term_until(&[DishonestGround::Evades, DishonestGround::Obstructs], on, 3), Some(date!(2031 - 01 - 10)));
    assert_eq!(
        term_until(&[DishonestGround::AbleButRefuses, DishonestGround::Obstructs], on, 0),
        None,
        "S1 is open-ended"
    );
}

#[test]
fn bars_apply_per_ground() {
    use DishonestGround::*;
    for bar in [Bar::SecurityGiven, Bar::SeizedPropertySufficient, Bar::LaterInOrder, Bar::NotAbleAndRefusing] {
        assert!(bar.bars(AbleButRefuses));
        for g in &DishonestGround::ALL[1..] {
            assert!(!bar.bars(*g), "SX art 3 bars S1 only: {bar:?} {g:?}");
        }
        assert!(check_proposal(&proposal(&[Obstructs], &[bar], Capacity::Able, Some(40))).is_ok());
        let refused = check_proposal(&proposal(&[AbleButRefuses], &[bar], Capacity::Able, Some(40))).unwrap_err();
        assert!(refused.missing[0].rule.contains("第三条"), "{refused:?}");
    }
    for bar in [Bar::Minor, Bar::PropertyControlled, Bar::ApplicantAsksHoldOff, Bar::CampusLoanStudent, Bar::UnitPerson]
    {
        for g in DishonestGround::ALL {
            assert!(bar.bars(*g), "{bar:?} bars every ground");
        }
    }
}

#[test]
fn minors_and_unable_debtors() {
    use DishonestGround::*;
    let minor = check_proposal(&proposal(&[ViolatesReporting], &[], Capacity::Able, Some(17))).unwrap_err();
    assert_eq!(minor.missing[0].rule, "《最高人民法院关于公布失信被执行人名单信息的若干规定》第四条");
    assert!(check_proposal(&proposal(&[ViolatesReporting], &[], Capacity::Able, Some(18))).is_ok());
    let unable = check_proposal(&proposal(&[AbleButRefuses], &[], Capacity::Unable, Some(40))).unwrap_err();
    assert!(unable.missing[0].item.contains("失能"));
    assert!(
        check_proposal(&proposal(&[BreachesSettlement], &[], Capacity::Unable, Some(40))).is_ok(),
        "S6 may list an unable debtor"
    );
    let mut empty = proposal(&[], &[], Capacity::Able, None);
    empty.evidence.clear();
    assert_eq!(check_proposal(&empty).unwrap_err().missing.len(), 2);
}

#[test]
fn severity_follows_the_configured_criteria() {
    use DishonestGround::*;
    let policy = CreditPolicy::default();
    let yuan = |s: &str| Money::parse(s).unwrap();
    assert_eq!(suggest_severity(&[Obstructs], yuan("100"), &policy), Severity::Serious);
    assert_eq!(suggest_severity(&[AbleButRefuses], yuan("1000000"), &policy), Severity::Serious);
    assert_eq!(suggest_severity(&[ViolatesReporting], yuan("5000"), &policy), Severity::Minor);
    assert_eq!(suggest_severity(&[ViolatesReporting], yuan("10000"), &policy), Severity::General);
    assert_eq!(suggest_severity(&[AbleButRefuses], yuan("50000"), &policy), Severity::General);
    assert_eq!(
        suggest_severity(&[AbleButRefuses, ViolatesReporting, BreachesSettlement], yuan("1"), &policy),
        Severity::Serious
    );
}

#[test]
fn decisions_need_the_president_and_a_lawful_grace_period() {
    let policy = CreditPolicy::default();
    let on = date!(2026 - 03 - 31);
    let refused = decide_listing(on, false, None, Some(4), &policy).unwrap_err();
    assert_eq!(refused.missing.len(), 3);
    assert_eq!(
        decide_listing(on, true, Some("（2026）浙0203执1号之二"), None, &policy),
        Ok((ListingStatus::Published, None))
    );
    let (status, grace) = decide_listing(on, true, Some("x"), Some(2), &policy).unwrap();
    assert_eq!((status, grace), (ListingStatus::Grace, Some(date!(2026 - 05 - 31))));
    // In grace nothing is effective; the day after it ends, it is — without a new decision.
    assert!(!status.effective(grace, date!(2026 - 05 - 31)));
    assert!(status.effective(grace, date!(2026 - 06 - 01)));
    assert_eq!(effective_from(on, grace), date!(2026 - 06 - 01));
    assert!(!ListingStatus::Deleted.effective(None, on));
}

#[test]
fn term_extensions_only_on_their_bases() {
    use DishonestGround::*;
    assert!(check_extension(&[AbleButRefuses], 1, Some(TermExtension::MultipleConducts)).is_err());
    assert!(check_extension(&[Obstructs], 4, Some(TermExtension::ViolenceSerious)).is_err());
    assert!(check_extension(&[Evades], 1, None).is_err());
    assert!(check_extension(&[Evades], 1, Some(TermExtension::MultipleConducts)).is_err());
    assert!(check_extension(&[Evades], 1, Some(TermExtension::ViolenceSerious)).is_err());
    assert!(check_extension(&[Obstructs], 3, Some(TermExtension::ViolenceSerious)).is_ok());
    assert!(check_extension(&[Evades, ViolatesReporting], 2, Some(TermExtension::MultipleConducts)).is_ok());
}

#[test]
fn triggers_apply_by_term() {
    use DishonestGround::*;
    for t in DeletionTrigger::ALL {
        let open_ended = t.applies(&[AbleButRefuses]);
        let termed = t.applies(&[Evades]);
        assert_ne!(open_ended, termed, "{t:?} applies to exactly one kind");
    }
    assert!(DeletionTrigger::TermExpired.applies(&[Evades]));
    assert!(DeletionTrigger::Performed.applies(&[AbleButRefuses]));
}

fn node(kind: BuiltinNode, on: Date) -> Node {
    Node { id: 0, kind: NodeKind::Builtin(kind), on, note: String::new(), document_ref: None, amount: None }
}

fn event(on: Date, action: Action) -> Event {
    Event { seq: 0, on, action, note: String::new(), document_ref: Some("x".into()) }
}

fn file<'a>(nodes: &'a [Node], events: &'a [Event]) -> CaseFile<'a> {
    CaseFile {
        case_type: EnforcementType::First,
        filed_on: date!(2025 - 06 - 02),
        has_judge: true,
        started_at_filing: true,
        document_type: DocumentType::Judgment,
        nodes,
        events,
    }
}

#[test]
fn triggers_are_detected_from_the_workflow() {
    let since = date!(2025 - 09 - 01);
    let nodes = [node(BuiltinNode::PerformanceConfirmed, date!(2025 - 10 - 08))];
    let events = [event(date!(2025 - 10 - 09), Action::Close { mode: ClosingMode::Completed, ground: None })];
    assert_eq!(detect_triggers(&file(&nodes, &events), since), [(DeletionTrigger::Performed, date!(2025 - 10 - 08))]);
    // Before the listing, it does not count.
    assert!(detect_triggers(&file(&nodes, &[]), date!(2025 - 11 - 01)).is_empty());
    let settled = [
        node(BuiltinNode::SettlementReached, date!(2025 - 09 - 10)),
        node(BuiltinNode::SettlementPerformed, date!(2025 - 10 - 10)),
    ];
    assert_eq!(detect_triggers(&file(&settled, &[]), since)[0].0, DeletionTrigger::SettlementPerformed);
    let retrial = [event(date!(2025 - 10 - 01), Action::Suspend(SuspensionGround::Retrial))];
    assert_eq!(
        detect_triggers(&file(&[], &retrial), since),
        [(DeletionTrigger::SuspendedRetrialOrBankruptcy, date!(2025 - 10 - 01))]
    );
    let objection = [event(date!(2025 - 10 - 01), Action::Suspend(SuspensionGround::OutsiderObjection))];
    assert!(detect_triggers(&file(&[], &objection), since).is_empty());
    for (mode, trigger) in [
        (ClosingMode::NotEnforced, DeletionTrigger::NotEnforced),
        (ClosingMode::Terminated, DeletionTrigger::Terminated),
    ] {
        let closed = [event(date!(2025 - 10 - 01), Action::Close { mode, ground: None })];
        assert_eq!(detect_triggers(&file(&[], &closed), since)[0].0, trigger);
    }
    // 终本 then two empty inquiries, no new lead.
    let zhongben =
        [event(date!(2025 - 10 - 01), Action::Close { mode: ClosingMode::TerminatedThisRound, ground: None })];
    let one = [node(BuiltinNode::NetworkInquiryAnswered, date!(2026 - 04 - 01))];
    assert!(detect_triggers(&file(&one, &zhongben), since).is_empty());
    let two = [
        node(BuiltinNode::NetworkInquiryAnswered, date!(2026 - 04 - 01)),
        node(BuiltinNode::NetworkInquiryAnswered, date!(2026 - 10 - 01)),
    ];
    assert_eq!(
        detect_triggers(&file(&two, &zhongben), since),
        [(DeletionTrigger::ZhongbenNoProperty, date!(2026 - 10 - 01))]
    );
    let mut with_lead = two.to_vec();
    with_lead.push(node(BuiltinNode::LeadReceived, date!(2026 - 05 - 01)));
    assert!(detect_triggers(&file(&with_lead, &zhongben), since).is_empty());
}

fn calendar() -> WorkCalendar {
    let holiday = |d| CalendarEntry { date: d, kind: DayKind::Holiday, source: "test".into() };
    WorkCalendar::new([
        holiday(date!(2026 - 10 - 01)),
        holiday(date!(2026 - 10 - 02)),
        holiday(date!(2026 - 10 - 05)),
        holiday(date!(2026 - 10 - 06)),
        holiday(date!(2026 - 10 - 07)),
    ])
    .unwrap()
}

#[test]
fn repair_deadlines_count_working_days() {
    let policy = CreditPolicy::default();
    let cal = calendar();
    // Friday 2026-09-25 + 3 working days = Wednesday 09-30.
    assert_eq!(repair_due(date!(2026 - 09 - 25), &cal, &policy), date!(2026 - 09 - 30));
    // Across National Day: 09-30 → 10-08, 10-09, 10-12.
    assert_eq!(repair_due(date!(2026 - 09 - 30), &cal, &policy), date!(2026 - 10 - 12));
    assert_eq!(
        relist_blocked_until(DeletionTrigger::ApplicantRequest, date!(2026 - 03 - 31), &policy),
        Some(date!(2026 - 09 - 30))
    );
    assert_eq!(relist_blocked_until(DeletionTrigger::Performed, date!(2026 - 03 - 31), &policy), None);
}

#[test]
fn correction_applications_have_their_deadlines() {
    let policy = CreditPolicy::default();
    let cal = calendar();
    let received = date!(2026 - 09 - 14);
    let d = correction_deadlines(received, None, None, None, &cal, &policy);
    // 15 days → 09-29 (Tuesday).
    assert_eq!(d.examine_by, date!(2026 - 09 - 29));
    assert_eq!(d.correct_by, None);
    let upheld = correction_deadlines(received, Some((date!(2026 - 09 - 25), true)), None, None, &cal, &policy);
    assert_eq!(upheld.correct_by, Some(date!(2026 - 09 - 30)));
    let rejected = correction_deadlines(
        received,
        Some((date!(2026 - 09 - 21), false)),
        Some(date!(2026 - 09 - 22)),
        Some(date!(2026 - 09 - 25)),
        &cal,
        &policy,
    );
    // 09-22 + 10 = 10-02 (holiday) → 10-08; review received 09-25 + 15 = 10-10 (Saturday) → 10-12.
    assert_eq!(rejected.review_apply_by, Some(date!(2026 - 10 - 08)));
    assert_eq!(rejected.review_decide_by, Some(date!(2026 - 10 - 12)));
    assert_eq!(rejected.correct_by, None);
}

#[test]
fn temporary_lifting_is_short_and_approved() {
    let policy = CreditPolicy::default();
    assert!(check_temporary_lift(date!(2026 - 12 - 01), date!(2026 - 12 - 31), true, &policy).is_ok());
    assert!(check_temporary_lift(date!(2026 - 12 - 01), date!(2027 - 01 - 01), true, &policy).is_err());
    assert!(check_temporary_lift(date!(2026 - 12 - 01), date!(2026 - 12 - 05), false, &policy).is_err());
    assert!(check_temporary_lift(date!(2026 - 12 - 05), date!(2026 - 12 - 01), true, &policy).is_err());
}

#[test]
fn breaches_escalate() {
    assert_eq!(breach_advice(0, false).step, "fine_or_detention");
    assert_eq!(breach_advice(1, false).step, "list_s5");
    let criminal = breach_advice(2, true);
    assert_eq!(criminal.step, "criminal_referral");
    assert!(criminal.rule.contains("第三条第四项"));
}

#[test]
fn identity_keys_are_distinct_and_reject_junk() {
    let a = index::identity_key("110105199003071239").unwrap();
    let b = index::identity_key("11010519900307123X").unwrap();
    assert_eq!(a, b, "the check character follows from the body");
    assert_ne!(a, index::identity_key("110105199003071247").unwrap());
    let c = index::identity_key("91110105MA01B2C34Q").unwrap();
    assert_ne!(a, c);
    assert_eq!(index::identity_key("9111010"), None);
    assert_eq!(index::identity_key("91110105ma01b2c34q"), None);
}

proptest::proptest! {
    /// Different 17-character bodies never share a key.
    #[test]
    fn identity_keys_are_injective(a in "[0-9]{17}", b in "[0-9A-Z]{17}") {
        let ka = index::identity_key(&format!("{a}0")).unwrap();
        let kb = index::identity_key(&format!("{b}0")).unwrap();
        if a != b { proptest::prop_assert_ne!(ka, kb); }
    }
}
