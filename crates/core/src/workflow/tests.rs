//! Workflow rules with "today" passed in: every transition, every refusal.

use proptest::prelude::*;
use time::Date;
use time::macros::date;

use super::*;
use crate::calendar::{CalendarEntry, DayKind, WorkCalendar};
use crate::case::DocumentType;
use crate::case_number::EnforcementType;

const TODAY: Date = date!(2025 - 06 - 30);
const FILED: Date = date!(2025 - 01 - 06);

fn node(kind: BuiltinNode, on: Date) -> Node {
    Node { id: 0, kind: NodeKind::Builtin(kind), on, note: String::new(), document_ref: None, amount: None }
}

fn noted(kind: BuiltinNode, on: Date, note: &str) -> Node {
    Node { note: note.to_string(), ..node(kind, on) }
}

fn event(on: Date, action: Action) -> Event {
    Event { seq: 0, on, action, note: String::new(), document_ref: Some("（2025）浙0203执1号之一".into()) }
}

fn file<'a>(nodes: &'a [Node], events: &'a [Event]) -> CaseFile<'a> {
    CaseFile {
        case_type: EnforcementType::First,
        filed_on: FILED,
        has_judge: true,
        started_at_filing: true,
        document_type: DocumentType::Judgment,
        nodes,
        events,
    }
}

/// The 2025 arrangement (State Council notice 国办发明电〔2024〕12号) for
/// the days these tests touch.
fn calendar() -> WorkCalendar {
    let holiday = |d| CalendarEntry { date: d, kind: DayKind::Holiday, source: "test".into() };
    let workday = |d| CalendarEntry { date: d, kind: DayKind::AdjustedWorkday, source: "test".into() };
    WorkCalendar::new([
        holiday(date!(2025 - 01 - 01)),
        holiday(date!(2025 - 01 - 28)),
        holiday(date!(2025 - 01 - 29)),
        holiday(date!(2025 - 01 - 30)),
        holiday(date!(2025 - 01 - 31)),
        holiday(date!(2025 - 02 - 03)),
        holiday(date!(2025 - 02 - 04)),
        workday(date!(2025 - 01 - 26)),
        workday(date!(2025 - 02 - 08)),
        holiday(date!(2025 - 05 - 01)),
        holiday(date!(2025 - 05 - 02)),
        holiday(date!(2025 - 05 - 05)),
        workday(date!(2025 - 04 - 27)),
        holiday(date!(2025 - 10 - 01)),
        holiday(date!(2025 - 10 - 02)),
        holiday(date!(2025 - 10 - 03)),
        holiday(date!(2025 - 10 - 06)),
        holiday(date!(2025 - 10 - 07)),
        holiday(date!(2025 - 10 - 08)),
        workday(date!(2025 - 09 - 28)),
        workday(date!(2025 - 10 - 11)),
    ])
    .unwrap()
}

fn zhongben() -> Action {
    Action::Close { mode: ClosingMode::TerminatedThisRound, ground: None }
}

/// Every node a lawful 终本 needs, dated before 2025-05-20.
fn complete_file_nodes() -> Vec<Node> {
    vec![
        node(BuiltinNode::NoticeServed, date!(2025 - 01 - 08)),
        node(BuiltinNode::ReportOrderServed, date!(2025 - 01 - 08)),
        node(BuiltinNode::PropertyReportVerified, date!(2025 - 02 - 10)),
        node(BuiltinNode::NetworkInquirySent, date!(2025 - 01 - 09)),
        node(BuiltinNode::NetworkInquiryAnswered, date!(2025 - 01 - 20)),
        node(BuiltinNode::OnsiteInvestigation, date!(2025 - 03 - 03)),
        node(BuiltinNode::ConsumptionRestrictionIssued, date!(2025 - 01 - 15)),
        noted(BuiltinNode::DishonestListingDecided, date!(2025 - 02 - 20), "不纳入：无规避执行情形"),
        noted(BuiltinNode::ApplicantInterviewed, date!(2025 - 05 - 06), "申请执行人同意终本，保留恢复执行权利"),
        node(BuiltinNode::CollegialReview, date!(2025 - 05 - 12)),
        node(BuiltinNode::PresidentApproved, date!(2025 - 05 - 14)),
    ]
}

fn decide_on(f: &CaseFile, action: Action, on: Date, doc: Option<&str>) -> Result<CaseState, Refusal> {
    decide(f, &action, on, TODAY, doc, "", &WorkflowPolicy::default())
}

#[test]
fn filed_case_starts_only_with_a_judge() {
    let mut f = file(&[], &[]);
    f.started_at_filing = false;
    f.has_judge = false;
    assert_eq!(derive_state(&f), CaseState::Filed);
    let refused = decide_on(&f, Action::Start, date!(2025 - 01 - 07), None).unwrap_err();
    assert_eq!(refused.missing[0].rule, "《办理执行案件若干期限的规定》第二条");
    f.has_judge = true;
    assert_eq!(
        decide_on(&f, Action::Start, date!(2025 - 01 - 07), None),
        Ok(CaseState::Enforcing { since: date!(2025 - 01 - 07) })
    );
    // Already started: start again is not a transition.
    let started = file(&[], &[]);
    assert!(decide_on(&started, Action::Start, date!(2025 - 01 - 07), None).is_err());
}

#[test]
fn suspension_needs_a_ground_document_and_blocks_closing() {
    let f = file(&[], &[]);
    let refused = decide_on(&f, Action::Suspend(SuspensionGround::Other), date!(2025 - 02 - 01), None).unwrap_err();
    assert_eq!(refused.missing.len(), 2, "{refused:?}");
    let ok = decide_on(&f, Action::Suspend(SuspensionGround::OutsiderObjection), date!(2025 - 02 - 01), Some("之二"));
    assert!(matches!(ok, Ok(CaseState::Suspended { ground: SuspensionGround::OutsiderObjection, .. })));

    let events = [event(date!(2025 - 02 - 01), Action::Suspend(SuspensionGround::OutsiderObjection))];
    let suspended = file(&[], &events);
    let closing = decide_on(
        &suspended,
        Action::Close { mode: ClosingMode::Completed, ground: None },
        date!(2025 - 03 - 01),
        None,
    )
    .unwrap_err();
    assert!(closing.missing[0].rule.contains("第二十三条"), "{closing:?}");
    // Resume, then the case is enforcing again.
    assert_eq!(
        decide_on(&suspended, Action::Resume, date!(2025 - 03 - 01), None),
        Ok(CaseState::Enforcing { since: date!(2025 - 03 - 01) })
    );
    // A date before the last event is refused.
    assert!(decide_on(&suspended, Action::Resume, date!(2025 - 01 - 20), None).is_err());
}

#[test]
fn deferral_is_bounded_by_one_year_and_the_security() {
    let f = file(&[], &[]);
    let on = date!(2025 - 02 - 01);
    let defer = |until, security_until| Action::Defer { ground: DeferralGround::Security, until, security_until };
    let too_long =
        decide_on(&f, defer(date!(2026 - 03 - 01), Some(date!(2026 - 06 - 01))), on, Some("决定书")).unwrap_err();
    assert!(too_long.missing.iter().any(|m| m.item.contains("不得超过一年")));
    let past_security =
        decide_on(&f, defer(date!(2025 - 09 - 01), Some(date!(2025 - 08 - 01))), on, Some("决定书")).unwrap_err();
    assert!(past_security.missing.iter().any(|m| m.item.contains("担保期间")));
    let no_security = decide_on(&f, defer(date!(2025 - 09 - 01), None), on, Some("决定书")).unwrap_err();
    assert!(no_security.missing.iter().any(|m| m.item.contains("担保期间")));
    assert!(matches!(
        decide_on(&f, defer(date!(2025 - 08 - 01), Some(date!(2025 - 08 - 01))), on, Some("决定书")),
        Ok(CaseState::Deferred { .. })
    ));
    let events = [event(on, defer(date!(2025 - 08 - 01), Some(date!(2025 - 08 - 01))))];
    let deferred = file(&[], &events);
    let closing = decide_on(&deferred, zhongben(), date!(2025 - 06 - 01), Some("x")).unwrap_err();
    assert!(closing.missing[0].rule.contains("暂缓执行的案件不得结案"));
}

#[test]
fn dates_in_the_future_or_before_filing_are_refused() {
    let f = file(&[], &[]);
    assert!(decide_on(&f, Action::Suspend(SuspensionGround::Retrial), date!(2025 - 07 - 01), Some("x")).is_err());
    assert!(decide_on(&f, Action::Suspend(SuspensionGround::Retrial), date!(2025 - 01 - 01), Some("x")).is_err());
}

#[test]
fn completed_needs_the_applicants_confirmation() {
    let f = file(&[], &[]);
    let done = Action::Close { mode: ClosingMode::Completed, ground: None };
    let refused = decide_on(&f, done, date!(2025 - 03 - 01), None).unwrap_err();
    assert_eq!(refused.missing[0].rule, "《执行立结案意见》第十五条；《执行和解规定》第八条");
    let nodes = [node(BuiltinNode::PerformanceConfirmed, date!(2025 - 02 - 27))];
    let f = file(&nodes, &[]);
    assert!(matches!(
        decide_on(&f, done, date!(2025 - 03 - 01), None),
        Ok(CaseState::Closed { mode: ClosingMode::Completed, .. })
    ));
}

#[test]
fn an_unperformed_settlement_blocks_closing_except_termination() {
    let nodes = [
        node(BuiltinNode::SettlementReached, date!(2025 - 02 - 01)),
        node(BuiltinNode::PerformanceConfirmed, date!(2025 - 02 - 27)),
    ];
    let f = file(&nodes, &[]);
    let done = Action::Close { mode: ClosingMode::Completed, ground: None };
    let refused = decide_on(&f, done, date!(2025 - 03 - 01), None).unwrap_err();
    assert!(refused.missing.iter().any(|m| m.item == "执行和解协议尚未履行完毕"));
    let terminate = Action::Close {
        mode: ClosingMode::Terminated,
        ground: Some(Ground::Termination(TerminationGround::WithdrawnAfterSettlement)),
    };
    assert!(decide_on(&f, terminate, date!(2025 - 03 - 01), Some("裁定")).is_ok());
    let performed = [
        node(BuiltinNode::SettlementReached, date!(2025 - 02 - 01)),
        node(BuiltinNode::SettlementPerformed, date!(2025 - 02 - 25)),
    ];
    assert!(decide_on(&file(&performed, &[]), done, date!(2025 - 03 - 01), None).is_ok());
}

#[test]
fn termination_needs_a_listed_ground_and_a_ruling_unless_transferred() {
    let f = file(&[], &[]);
    let on = date!(2025 - 03 - 01);
    let no_ground =
        decide_on(&f, Action::Close { mode: ClosingMode::Terminated, ground: None }, on, Some("x")).unwrap_err();
    assert!(no_ground.missing[0].rule.contains("第二百六十八条"));
    let withdrew = Action::Close {
        mode: ClosingMode::Terminated,
        ground: Some(Ground::Termination(TerminationGround::ApplicantWithdrew)),
    };
    let no_ruling = decide_on(&f, withdrew, on, None).unwrap_err();
    assert_eq!(no_ruling.missing[0].rule, "《民事诉讼法》第二百六十九条");
    assert!(decide_on(&f, withdrew, on, Some("（2025）浙0203执1号之二")).is_ok());
    let designated = Action::Close {
        mode: ClosingMode::Terminated,
        ground: Some(Ground::Termination(TerminationGround::DesignatedToOtherCourt)),
    };
    assert!(decide_on(&f, designated, on, None).is_ok(), "transfers close without a ruling (LJ art 17)");
    let other =
        Action::Close { mode: ClosingMode::Terminated, ground: Some(Ground::Termination(TerminationGround::Other)) };
    assert!(decide_on(&f, other, on, Some("x")).is_err(), "the other ground needs a written reason");
    assert!(
        decide(&f, &other, on, TODAY, Some("x"), "申请执行人下落不明且债权已转让", &WorkflowPolicy::default()).is_ok()
    );
}

#[test]
fn cancellation_not_enforced_and_rejected() {
    let f = file(&[], &[]);
    let on = date!(2025 - 03 - 01);
    assert!(decide_on(&f, Action::Close { mode: ClosingMode::Cancelled, ground: None }, on, None).is_err());
    let cancelled = Action::Close {
        mode: ClosingMode::Cancelled,
        ground: Some(Ground::Cancellation(CancellationGround::FiledElsewhereFirst)),
    };
    assert!(decide_on(&f, cancelled, on, None).is_ok());
    for mode in [ClosingMode::NotEnforced, ClosingMode::Rejected] {
        let action = Action::Close { mode, ground: None };
        let refused = decide_on(&f, action, on, None).unwrap_err();
        assert!(refused.missing[0].item.contains("裁定书文号"), "{refused:?}");
        assert!(decide_on(&f, action, on, Some("（2025）浙0203执1号之一")).is_ok());
    }
}

#[test]
fn zhongben_refused_too_early_and_without_interview() {
    let mut nodes = complete_file_nodes();
    nodes.retain(|n| !n.is(BuiltinNode::ApplicantInterviewed));
    nodes.push(node(BuiltinNode::ApplicantConfirmed, date!(2025 - 04 - 01)));
    let f = file(&nodes, &[]);
    // 2025-04-06 is exactly three months: not yet "more than three months".
    let refused = decide_on(&f, zhongben(), date!(2025 - 04 - 06), Some("（2025）浙0203执1号之一")).unwrap_err();
    let items: Vec<&str> = refused.missing.iter().map(|m| m.item.as_str()).collect();
    assert_eq!(refused.missing.len(), 2, "{items:?}");
    assert!(items[0].starts_with("自立案之日起已超过3个月"));
    assert_eq!(items[1], "已约谈申请执行人并记录其意见");
    let text = refused.missing.iter().map(|m| format!("- {} —— {}", m.item, m.rule)).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("zhongben_refusal", format!("{}\n{}", refused.message, text));
}

#[test]
fn zhongben_refusal_on_an_empty_file_lists_every_item() {
    let f = file(&[], &[]);
    let refused = decide_on(&f, zhongben(), date!(2025 - 06 - 30), None).unwrap_err();
    let text = refused.missing.iter().map(|m| format!("- {} —— {}", m.item, m.rule)).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("zhongben_refusal_empty_file", format!("{}\n{}", refused.message, text));
}

#[test]
fn zhongben_accepted_with_every_item_after_three_months() {
    let nodes = complete_file_nodes();
    let f = file(&nodes, &[]);
    assert!(decide_on(&f, zhongben(), date!(2025 - 05 - 20), None).is_err(), "the ruling's number is required");
    assert_eq!(
        decide_on(&f, zhongben(), date!(2025 - 05 - 20), Some("（2025）浙0203执1号之一")),
        Ok(CaseState::Closed { on: date!(2025 - 05 - 20), mode: ClosingMode::TerminatedThisRound, restored: false })
    );
    // The applicant's signature replaces collegial review and approval.
    let mut signed = complete_file_nodes();
    signed.retain(|n| !n.is(BuiltinNode::CollegialReview) && !n.is(BuiltinNode::PresidentApproved));
    signed.push(node(BuiltinNode::ApplicantConfirmed, date!(2025 - 05 - 10)));
    assert!(decide_on(&file(&signed, &[]), zhongben(), date!(2025 - 05 - 20), Some("x")).is_ok());
}

#[test]
fn zhongben_conditional_items_apply_only_when_recorded() {
    let mut nodes = complete_file_nodes();
    nodes.push(node(BuiltinNode::DebtorUntraceable, date!(2025 - 02 - 01)));
    nodes.push(node(BuiltinNode::ObstructionFound, date!(2025 - 03 - 01)));
    nodes.push(node(BuiltinNode::LeadReceived, date!(2025 - 03 - 02)));
    let f = file(&nodes, &[]);
    let refused = decide_on(&f, zhongben(), date!(2025 - 05 - 20), Some("x")).unwrap_err();
    let keys: Vec<&str> = refused.missing.iter().map(|m| m.item.as_str()).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().any(|k| k.contains("下落不明")));
    assert!(keys.iter().any(|k| k.contains("妨碍")));
    assert!(keys.iter().any(|k| k.contains("尚有1条未核查")));
    // A sanction before the obstruction does not answer it; one after does.
    nodes.push(node(BuiltinNode::DebtorSearched, date!(2025 - 03 - 05)));
    nodes.push(node(BuiltinNode::SanctionImposed, date!(2025 - 03 - 10)));
    nodes.push(node(BuiltinNode::LeadVerified, date!(2025 - 03 - 06)));
    assert!(decide_on(&file(&nodes, &[]), zhongben(), date!(2025 - 05 - 20), Some("x")).is_ok());
}

#[test]
fn nodes_after_the_closing_date_do_not_count() {
    let nodes = complete_file_nodes();
    let f = file(&nodes, &[]);
    let refused = decide_on(&f, zhongben(), date!(2025 - 05 - 08), Some("x")).unwrap_err();
    assert_eq!(refused.missing.len(), 1);
    assert!(refused.missing[0].rule.contains("第五百一十七条"));
}

#[test]
fn onsite_investigation_policy() {
    let mut nodes = complete_file_nodes();
    nodes.retain(|n| !n.is(BuiltinNode::OnsiteInvestigation));
    let f = file(&nodes, &[]);
    assert!(decide_on(&f, zhongben(), date!(2025 - 05 - 20), Some("x")).is_err());
    let policy = WorkflowPolicy { onsite_investigation: policy::OnsiteRule::NotRequired, ..WorkflowPolicy::default() };
    assert!(decide(&f, &zhongben(), date!(2025 - 05 - 20), TODAY, Some("x"), "", &policy).is_ok());
}

#[test]
fn restore_follows_the_closing_mode() {
    let closed = [event(date!(2025 - 05 - 20), zhongben())];
    let f = file(&[], &closed);
    assert!(matches!(
        derive_state(&f),
        CaseState::Closed { mode: ClosingMode::TerminatedThisRound, restored: false, .. }
    ));
    let restored = decide_on(&f, Action::Restore(RestoreGround::NewProperty), date!(2025 - 06 - 10), None);
    assert!(matches!(restored, Ok(CaseState::Closed { restored: true, .. })));
    assert!(decide_on(&f, Action::Restore(RestoreGround::SettlementBreached), date!(2025 - 06 - 10), None).is_err());
    // Twice is refused.
    let twice = [
        event(date!(2025 - 05 - 20), zhongben()),
        event(date!(2025 - 06 - 10), Action::Restore(RestoreGround::NewProperty)),
    ];
    let refused =
        decide_on(&file(&[], &twice), Action::Restore(RestoreGround::NewProperty), date!(2025 - 06 - 11), None)
            .unwrap_err();
    assert!(refused.missing[0].rule.contains("已恢复执行"));
    // A closed case cannot be suspended.
    assert!(decide_on(&f, Action::Suspend(SuspensionGround::Retrial), date!(2025 - 06 - 10), Some("x")).is_err());
    // A case that is not closed cannot be restored.
    assert!(
        decide_on(&file(&[], &[]), Action::Restore(RestoreGround::NewProperty), date!(2025 - 06 - 10), None).is_err()
    );
}

#[test]
fn action_parsing() {
    assert_eq!(parse_action("start", None, None, None, None), Ok(Action::Start));
    assert!(parse_action("close", None, None, None, None).is_err());
    assert!(parse_action("close", Some("finished"), None, None, None).is_err());
    assert_eq!(
        parse_action("close", Some("terminated"), Some("debtor_bankrupt"), None, None),
        Ok(Action::Close {
            mode: ClosingMode::Terminated,
            ground: Some(Ground::Termination(TerminationGround::DebtorBankrupt))
        })
    );
    assert!(parse_action("suspend", None, None, None, None).is_err());
    assert!(parse_action("suspend", None, Some("nonsense"), None, None).is_err());
    assert!(parse_action("defer", None, Some("security"), None, None).is_err());
    assert!(parse_action("restore", None, Some("new_property"), None, None).is_ok());
    assert_eq!(parse_action("jump", None, None, None, None).unwrap_err().code, "invalid_action");
}

#[test]
fn node_rules() {
    let cal = calendar();
    let policy = WorkflowPolicy::default();
    let f = file(&[], &[]);
    let input = |kind: BuiltinNode, on: Date, note: &str| NodeInput {
        kind: NodeKind::Builtin(kind),
        on,
        note: note.to_string(),
        document_ref: None,
        amount: None,
    };
    assert!(
        validate_node(&f, &input(BuiltinNode::ApplicantInterviewed, date!(2025 - 05 - 06), ""), &cal, &policy).is_err()
    );
    assert!(
        validate_node(&f, &input(BuiltinNode::ApplicantInterviewed, date!(2025 - 05 - 06), "同意"), &cal, &policy)
            .is_ok()
    );
    assert!(validate_node(&f, &input(BuiltinNode::LeadVerified, date!(2025 - 05 - 06), ""), &cal, &policy).is_err());
    assert!(validate_node(&f, &input(BuiltinNode::PaymentReceived, date!(2025 - 05 - 06), ""), &cal, &policy).is_err());
    assert!(
        validate_node(&f, &input(BuiltinNode::ExtensionApproved, date!(2025 - 05 - 06), ""), &cal, &policy).is_err()
    );
    // The closing limit of a case filed 2025-01-06 ends 2025-07-07 (07-06
    // is a Sunday); the extension must be requested by 2025-07-02.
    assert!(
        validate_node(&f, &input(BuiltinNode::ExtensionRequested, date!(2025 - 07 - 02), ""), &cal, &policy).is_ok()
    );
    let late = validate_node(&f, &input(BuiltinNode::ExtensionRequested, date!(2025 - 07 - 03), ""), &cal, &policy)
        .unwrap_err();
    assert!(late.missing[0].item.contains("2025年7月2日"), "{late:?}");
    // A second extension needs the report to the high court first.
    let nodes = [
        node(BuiltinNode::ExtensionRequested, date!(2025 - 06 - 20)),
        node(BuiltinNode::ExtensionApproved, date!(2025 - 06 - 25)),
        node(BuiltinNode::ExtensionRequested, date!(2025 - 09 - 20)),
    ];
    let f2 = file(&nodes, &[]);
    let refused = validate_node(&f2, &input(BuiltinNode::ExtensionApproved, date!(2025 - 09 - 25), ""), &cal, &policy)
        .unwrap_err();
    assert!(refused.missing[0].rule.contains("第五条"));
    // Local nodes are free-form.
    let local = NodeInput {
        kind: NodeKind::Local("local_mediation_call".into()),
        ..input(BuiltinNode::NoticeServed, FILED, "")
    };
    assert!(validate_node(&f, &local, &cal, &policy).is_ok());
}

fn deadline(deadlines: &[Deadline], kind: DeadlineKind) -> &Deadline {
    deadlines.iter().find(|d| d.kind == kind).unwrap()
}

#[test]
fn deadlines_from_filing() {
    let cal = calendar();
    let policy = WorkflowPolicy::default();
    let mut f = file(&[], &[]);
    f.started_at_filing = false;
    f.has_judge = false;
    let ds = compute_deadlines(&f, &cal, &policy);
    // Filed Monday 2025-01-06: 7 days → 01-13 (Monday); 10 days → 01-16.
    assert_eq!(deadline(&ds, DeadlineKind::JudgeAssignment).due_on, Some(date!(2025 - 01 - 13)));
    assert_eq!(deadline(&ds, DeadlineKind::Notice).due_on, Some(date!(2025 - 01 - 16)));
    // Six months → 2025-07-06, a Sunday → Monday 07-07 (CPL art 85).
    assert_eq!(deadline(&ds, DeadlineKind::ClosingLimit).due_on, Some(date!(2025 - 07 - 07)));
    assert_eq!(deadline(&ds, DeadlineKind::ExtensionRequest).due_on, Some(date!(2025 - 07 - 02)));
    assert_eq!(deadline(&ds, DeadlineKind::HigherCourtRight).due_on, Some(date!(2025 - 07 - 07)));
    assert!(ds.iter().all(Deadline::is_open));
    assert_eq!(urgency(deadline(&ds, DeadlineKind::Notice), date!(2025 - 01 - 20), &cal, &policy), Urgency::Overdue);
    // 2025-07-07 is within 3 working days of Thursday 07-03 (Fri, Mon).
    assert_eq!(
        urgency(deadline(&ds, DeadlineKind::ClosingLimit), date!(2025 - 07 - 03), &cal, &policy),
        Urgency::DueSoon
    );
    assert_eq!(
        urgency(deadline(&ds, DeadlineKind::ClosingLimit), date!(2025 - 06 - 25), &cal, &policy),
        Urgency::DueLater
    );
    assert_eq!(
        urgency(deadline(&ds, DeadlineKind::ClosingLimit), date!(2025 - 05 - 25), &cal, &policy),
        Urgency::Later
    );
}

#[test]
fn a_period_ending_in_a_holiday_ends_after_it() {
    let cal = calendar();
    let mut f = file(&[], &[]);
    f.filed_on = date!(2025 - 01 - 21);
    let ds = compute_deadlines(&f, &cal, &WorkflowPolicy::default());
    // 01-21 + 10 = 01-31, inside the Spring Festival (01-28 … 02-04) → 02-05.
    assert_eq!(deadline(&ds, DeadlineKind::Notice).due_on, Some(date!(2025 - 02 - 05)));
    let working = WorkflowPolicy { day_count: policy::DayCount::WorkingDays, ..WorkflowPolicy::default() };
    let ds = compute_deadlines(&f, &cal, &working);
    // Ten working days from 01-21: 22,23,24,26(调休),27, 02-05,06,07,08(调休),10.
    assert_eq!(deadline(&ds, DeadlineKind::Notice).due_on, Some(date!(2025 - 02 - 10)));
}

#[test]
fn deadlines_met_by_nodes_and_leads_counted_one_by_one() {
    let cal = calendar();
    let nodes = [
        node(BuiltinNode::NoticeServed, date!(2025 - 01 - 10)),
        noted(BuiltinNode::LeadReceived, date!(2025 - 02 - 03), "工商银行账户"),
        node(BuiltinNode::LeadReceived, date!(2025 - 02 - 10)),
        node(BuiltinNode::LeadVerified, date!(2025 - 02 - 07)),
    ];
    let ds = compute_deadlines(&file(&nodes, &[]), &cal, &WorkflowPolicy::default());
    assert_eq!(deadline(&ds, DeadlineKind::Notice).met_on, Some(date!(2025 - 01 - 10)));
    let leads: Vec<&Deadline> = ds.iter().filter(|d| d.kind == DeadlineKind::LeadVerification).collect();
    assert_eq!(leads.len(), 2);
    assert_eq!(leads[0].met_on, Some(date!(2025 - 02 - 07)));
    assert_eq!(leads[0].note, "线索：工商银行账户");
    assert_eq!(leads[1].met_on, None);
    assert_eq!(leads[1].due_on, Some(date!(2025 - 02 - 17)));
}

#[test]
fn excluded_periods_stop_the_clock() {
    let cal = calendar();
    let policy = WorkflowPolicy::default();
    let events = [event(date!(2025 - 02 - 01), Action::Suspend(SuspensionGround::OutsiderObjection))];
    let ds = compute_deadlines(&file(&[], &events), &cal, &policy);
    let limit = deadline(&ds, DeadlineKind::ClosingLimit);
    assert_eq!(limit.due_on, None, "open suspension: clock stopped");
    assert!(!limit.is_open());
    assert_eq!(urgency(limit, TODAY, &cal, &policy), Urgency::Paused);
    assert!(ds.iter().all(|d| d.kind != DeadlineKind::ExtensionRequest));

    // Suspended 02-01 … 02-10 (10 days) and an auction 03-01 … 03-20 (20
    // days) overlapping a valuation 03-15 … 03-25 (5 more days): 35 days.
    let events = [
        event(date!(2025 - 02 - 01), Action::Suspend(SuspensionGround::OutsiderObjection)),
        event(date!(2025 - 02 - 10), Action::Resume),
    ];
    let nodes = [
        node(BuiltinNode::AuctionStarted, date!(2025 - 03 - 01)),
        node(BuiltinNode::AuctionFinished, date!(2025 - 03 - 20)),
        node(BuiltinNode::ValuationStarted, date!(2025 - 03 - 15)),
        node(BuiltinNode::ValuationFinished, date!(2025 - 03 - 25)),
    ];
    let ds = compute_deadlines(&file(&nodes, &events), &cal, &policy);
    // 2025-07-06 + 35 days = 2025-08-10 (Sunday) → 08-11.
    assert_eq!(deadline(&ds, DeadlineKind::ClosingLimit).due_on, Some(date!(2025 - 08 - 11)));
}

#[test]
fn extensions_add_three_months_and_non_litigation_cases_have_three() {
    let cal = calendar();
    let policy = WorkflowPolicy::default();
    let nodes = [
        node(BuiltinNode::ExtensionRequested, date!(2025 - 06 - 20)),
        node(BuiltinNode::ExtensionApproved, date!(2025 - 06 - 25)),
    ];
    let ds = compute_deadlines(&file(&nodes, &[]), &cal, &policy);
    // 2025-01-06 + 9 months = 2025-10-06, inside National Day → 10-09.
    assert_eq!(deadline(&ds, DeadlineKind::ClosingLimit).due_on, Some(date!(2025 - 10 - 09)));
    let mut f = file(&[], &[]);
    f.document_type = DocumentType::ArbitralAward;
    let ds = compute_deadlines(&f, &cal, &policy);
    assert_eq!(deadline(&ds, DeadlineKind::ClosingLimit).due_on, Some(date!(2025 - 04 - 07)));
    assert!(deadline(&ds, DeadlineKind::ClosingLimit).note.contains("非诉执行"));
}

#[test]
fn after_zhongben_publication_and_six_monthly_inquiries() {
    let cal = calendar();
    let policy = WorkflowPolicy::default();
    let events = [event(date!(2025 - 05 - 20), zhongben())];
    let nodes = [
        node(BuiltinNode::NetworkInquiryAnswered, date!(2025 - 11 - 10)),
        node(BuiltinNode::ApplicantNotified, date!(2025 - 11 - 12)),
    ];
    let ds = compute_deadlines(&file(&nodes, &events), &cal, &policy);
    let publication = deadline(&ds, DeadlineKind::ZhongbenPublication);
    assert_eq!(publication.due_on, Some(date!(2025 - 05 - 27)));
    assert!(publication.is_open());
    let inquiries: Vec<&Deadline> = ds.iter().filter(|d| d.kind == DeadlineKind::PostZhongbenInquiry).collect();
    assert_eq!(inquiries.len(), 2);
    assert_eq!(inquiries[0].due_on, Some(date!(2025 - 11 - 20)));
    assert_eq!(inquiries[0].met_on, Some(date!(2025 - 11 - 12)));
    // 2026-05-20 is outside the test calendar's years: provisional.
    assert_eq!(inquiries[1].due_on, Some(date!(2026 - 05 - 20)));
    assert!(inquiries[1].provisional);
    // Pre-closing deadlines not met are moot, not open.
    assert!(deadline(&ds, DeadlineKind::Notice).moot);
    assert_eq!(deadline(&ds, DeadlineKind::ClosingLimit).met_on, Some(date!(2025 - 05 - 20)));
    // Restored: no more inquiries.
    let restored = [
        event(date!(2025 - 05 - 20), zhongben()),
        event(date!(2025 - 06 - 01), Action::Restore(RestoreGround::NewProperty)),
    ];
    let ds = compute_deadlines(&file(&[], &restored), &cal, &policy);
    assert!(ds.iter().all(|d| d.kind != DeadlineKind::PostZhongbenInquiry));
}

#[test]
fn unpaid_balance_subtracts_payments() {
    let money = |s: &str| crate::money::Money::parse(s).unwrap();
    let nodes = [
        Node { amount: Some(money("300.50")), ..node(BuiltinNode::PaymentReceived, FILED) },
        Node { amount: Some(money("200")), ..node(BuiltinNode::PaymentReceived, FILED) },
    ];
    assert_eq!(unpaid_balance(money("1000"), &nodes), money("499.50"));
    assert_eq!(unpaid_balance(money("100"), &nodes), money("0"));
}

#[test]
fn local_node_kinds_are_validated() {
    assert!(LocalNodeKind::parse("local_mediation", "诉前调解回访", None).is_ok());
    assert!(LocalNodeKind::parse("notice_served", "x", None).is_err());
    assert!(LocalNodeKind::parse("local_Bad", "x", None).is_err());
    assert!(LocalNodeKind::parse("local_ok", "", None).is_err());
}

proptest! {
    /// 民法典 art 202: the corresponding day, or the month's last day.
    #[test]
    fn add_months_lands_on_the_corresponding_day(days in 0i64..20_000, months in 0u32..120) {
        let start = date!(2000 - 01 - 01) + time::Duration::days(days);
        let end = deadlines::add_months(start, months);
        let total = start.year() * 12 + i32::from(u8::from(start.month())) - 1 + months as i32;
        prop_assert_eq!(end.year(), total.div_euclid(12));
        prop_assert_eq!(u8::from(end.month()) as i32, total.rem_euclid(12) + 1);
        prop_assert!(end.day() == start.day() || (end.day() < start.day() && end.next_day().unwrap().day() == 1));
    }

    /// Excluded periods only ever push the closing limit later, by at most
    /// their total length.
    #[test]
    fn exclusions_push_the_limit_by_at_most_their_length(
        spans in proptest::collection::vec((0i64..300, 0i64..60), 0..5)
    ) {
        let cal = WorkCalendar::default();
        let policy = WorkflowPolicy::default();
        let mut nodes = Vec::new();
        let mut total = 0;
        for (start, len) in &spans {
            let from = FILED + time::Duration::days(*start);
            nodes.push(node(BuiltinNode::AuctionStarted, from));
            nodes.push(node(BuiltinNode::AuctionFinished, from + time::Duration::days(*len)));
            total += len + 1;
        }
        // Pairs are matched in order of recording; sort to keep them nested sanely.
        nodes.sort_by_key(|n| n.on);
        let plain = compute_deadlines(&file(&[], &[]), &cal, &policy);
        let with = compute_deadlines(&file(&nodes, &[]), &cal, &policy);
        let a = deadline(&plain, DeadlineKind::ClosingLimit).due_on.unwrap();
        if let Some(b) = deadline(&with, DeadlineKind::ClosingLimit).due_on {
            prop_assert!(b >= a);
            prop_assert!((b - a).whole_days() <= total + 3);
        }
    }
}

#[test]
fn only_implementation_cases_carry_these_closing_modes_and_limits() {
    let mut f = file(&[], &[]);
    f.case_type = EnforcementType::Preservation;
    let refused =
        decide_on(&f, Action::Close { mode: ClosingMode::Completed, ground: None }, date!(2025 - 03 - 01), None)
            .unwrap_err();
    assert!(refused.missing.iter().any(|m| m.rule == "《执行立结案意见》第十四条"), "{refused:?}");
    let ds = compute_deadlines(&f, &calendar(), &WorkflowPolicy::default());
    assert_eq!(ds.iter().map(|d| d.kind).collect::<Vec<_>>(), [DeadlineKind::JudgeAssignment]);
    f.case_type = EnforcementType::Resumed;
    let cancelled = Action::Close {
        mode: ClosingMode::Cancelled,
        ground: Some(Ground::Cancellation(CancellationGround::FiledElsewhereFirst)),
    };
    assert!(decide_on(&f, cancelled, date!(2025 - 03 - 01), None).is_err());
    let nodes = [node(BuiltinNode::PerformanceConfirmed, date!(2025 - 02 - 27))];
    let mut resumed = file(&nodes, &[]);
    resumed.case_type = EnforcementType::Resumed;
    assert!(
        decide_on(&resumed, Action::Close { mode: ClosingMode::Completed, ground: None }, date!(2025 - 03 - 01), None)
            .is_ok()
    );
}
