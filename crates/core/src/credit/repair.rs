//! Credit repair: deletion (SX art 10), withdrawal and correction (SX art 9),
//! correction applications and review (SX arts 11–12), the relisting block.

use time::Date;

use super::listing::{DishonestGround, coded};
use super::policy::CreditPolicy;
use crate::calendar::WorkCalendar;
use crate::workflow::deadlines::add_months;
use crate::workflow::nodes::nodes_of;
use crate::workflow::{Action, BuiltinNode, CaseFile, CaseState, ClosingMode, SuspensionGround, derive_state};

coded! {
    /// Why a listing is deleted.
    DeletionTrigger {
        Performed = "performed", "已履行生效法律文书确定的义务或人民法院已执行完毕（失信规定第十条第一款第一项）";
        SettlementPerformed = "settlement_performed", "与申请执行人达成执行和解协议并经申请执行人确认履行完毕（第十条第一款第二项）";
        ApplicantRequest = "applicant_request", "申请执行人书面申请删除，人民法院审查同意（第十条第一款第三项）";
        ZhongbenNoProperty = "zhongben_no_property", "终结本次执行程序后，通过网络执行查控系统查询被执行人财产两次以上未发现有可供执行财产，且申请执行人未提供有效财产线索（第十条第一款第四项）";
        SuspendedRetrialOrBankruptcy = "suspended_retrial_or_bankruptcy", "因审判监督或破产程序，人民法院依法裁定对失信被执行人中止执行（第十条第一款第五项）";
        NotEnforced = "not_enforced", "人民法院依法裁定不予执行（第十条第一款第六项）";
        Terminated = "terminated", "人民法院依法裁定终结执行（第十条第一款第七项）";
        TermExpired = "term_expired", "纳入期限届满（第十条第二款）";
        EarlyDeletion = "early_deletion", "积极履行或主动纠正失信行为，决定提前删除（第二条第二款）";
    }
}

impl DeletionTrigger {
    /// SX art 10: items of ¶1 apply to listings without a term (S1); a
    /// termed listing is deleted at the end of its term (¶2) or early (art 2 ¶2).
    pub fn applies(self, grounds: &[DishonestGround]) -> bool {
        let open_ended = grounds.iter().any(|g| g.term_years().is_none());
        match self {
            DeletionTrigger::TermExpired | DeletionTrigger::EarlyDeletion => !open_ended,
            _ => open_ended,
        }
    }

    pub fn rule(self) -> &'static str {
        match self {
            DeletionTrigger::TermExpired => "《最高人民法院关于公布失信被执行人名单信息的若干规定》第十条第二款",
            DeletionTrigger::EarlyDeletion => "《最高人民法院关于公布失信被执行人名单信息的若干规定》第二条第二款",
            _ => "《最高人民法院关于公布失信被执行人名单信息的若干规定》第十条第一款",
        }
    }
}

/// Triggers the case's workflow shows on or after `since` (the listing's
/// decision): performance, performed settlement, 终本 with two or more
/// network inquiries after it and no new lead, suspension for retrial or
/// bankruptcy, 不予执行, 终结执行 — each with the day it arose.
pub fn detect_triggers(file: &CaseFile, since: Date) -> Vec<(DeletionTrigger, Date)> {
    let mut found = Vec::new();
    let first = |kind: BuiltinNode| nodes_of(file.nodes, kind, Date::MAX).map(|n| n.on).filter(|d| *d >= since).min();
    if let Some(on) = first(BuiltinNode::PerformanceConfirmed) {
        found.push((DeletionTrigger::Performed, on));
    }
    if let Some(on) = first(BuiltinNode::SettlementPerformed) {
        found.push((DeletionTrigger::SettlementPerformed, on));
    }
    for event in file.events.iter().filter(|e| e.on >= since) {
        if let Action::Suspend(SuspensionGround::Retrial | SuspensionGround::Bankruptcy) = event.action {
            found.push((DeletionTrigger::SuspendedRetrialOrBankruptcy, event.on));
        }
    }
    if let CaseState::Closed { on, mode, restored: false } = derive_state(file) {
        match mode {
            ClosingMode::Completed if on >= since => found.push((DeletionTrigger::Performed, on)),
            ClosingMode::NotEnforced if on >= since => found.push((DeletionTrigger::NotEnforced, on)),
            ClosingMode::Terminated if on >= since => found.push((DeletionTrigger::Terminated, on)),
            ClosingMode::TerminatedThisRound => {
                let inquiries: Vec<Date> = nodes_of(file.nodes, BuiltinNode::NetworkInquiryAnswered, Date::MAX)
                    .map(|n| n.on)
                    .filter(|d| *d > on)
                    .collect();
                let new_lead = nodes_of(file.nodes, BuiltinNode::LeadReceived, Date::MAX).any(|n| n.on > on);
                if inquiries.len() >= 2 && !new_lead {
                    let second = inquiries[1].max(since);
                    found.push((DeletionTrigger::ZhongbenNoProperty, second));
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|(t, d)| (*d, *t));
    found.dedup_by_key(|(t, _)| *t);
    found
}

/// SX arts 9–10: withdraw, correct or delete within 3 working days of the
/// trigger. Where the calendar does not cover the year, weekends only.
pub fn repair_due(trigger_on: Date, calendar: &WorkCalendar, policy: &CreditPolicy) -> Date {
    crate::workflow::deadlines::working_day_horizon(calendar, trigger_on, policy.repair_working_days)
}

/// SX art 10 ¶4: after a deletion the applicant asked for, the applicant's
/// request to list the debtor again is refused for 6 months.
pub fn relist_blocked_until(trigger: DeletionTrigger, deleted_on: Date, policy: &CreditPolicy) -> Option<Date> {
    (trigger == DeletionTrigger::ApplicantRequest).then(|| add_months(deleted_on, policy.relist_block_months))
}

coded! {
    /// SX art 11: grounds of an application to correct.
    CorrectionGround {
        ShouldNotBeListed = "should_not_be_listed", "不应将其纳入失信被执行人名单（第十一条第一项）";
        Inaccurate = "inaccurate", "记载和公布的失信信息不准确（第十一条第二项）";
        ShouldHaveBeenDeleted = "should_have_been_deleted", "失信信息应予删除（第十一条第三项）";
    }
}

/// SX art 12's deadlines of a correction application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorrectionDeadlines {
    /// Examination and decision: 15 days from receipt of the written application.
    pub examine_by: Date,
    /// When upheld: the correction within 3 working days of the decision.
    pub correct_by: Option<Date>,
    /// When rejected: the last day to apply to the upper court for review
    /// (10 days from service of the rejection).
    pub review_apply_by: Option<Date>,
    /// The upper court's decision: 15 days from receipt of the review application.
    pub review_decide_by: Option<Date>,
}

pub fn correction_deadlines(
    received_on: Date,
    decided: Option<(Date, bool)>,
    rejection_served_on: Option<Date>,
    review_received_on: Option<Date>,
    calendar: &WorkCalendar,
    policy: &CreditPolicy,
) -> CorrectionDeadlines {
    let days = |start: Date, n: u32| {
        calendar.period_end(start, n).unwrap_or_else(|_| crate::workflow::state::add_days(start, n))
    };
    CorrectionDeadlines {
        examine_by: days(received_on, policy.correction_examination_days),
        correct_by: decided.filter(|(_, upheld)| *upheld).map(|(on, _)| repair_due(on, calendar, policy)),
        review_apply_by: rejection_served_on.map(|s| days(s, policy.review_application_days)),
        review_decide_by: review_received_on.map(|r| days(r, policy.review_decision_days)),
    }
}
