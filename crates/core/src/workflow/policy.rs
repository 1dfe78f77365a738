//! Workflow policy: every value the rules use where the law is unsettled,
//! read only in secondary copies, or left to local practice — in one place,
//! each with its documented default and the reason for it. (ARCHITECTURE.md
//! lists them as a table; a deployment sets them in its configuration.)

use crate::case::DocumentType;

/// How a period stated in 日 is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayCount {
    /// CPL art 85: calendar days, the first day not counted, a period ending
    /// on a 法定休假日 ends on the next working day. The default: the
    /// limits (QX art 2, JS art 480, CD art 2) are stated in 日, not 工作日.
    CalendarDays,
    /// Count working days instead (some courts' internal rules).
    WorkingDays,
}

/// Whether the 终本 checklist requires an on-site investigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnsiteRule {
    /// Always required (default). ZB art 3 (read only from memory in the
    /// digest, ⚠️) requires it "where the network system does not reach";
    /// the network never reaches cash, movables or the debtor's residence,
    /// and audits of 终本合格率 check for it, so the safe default refuses a
    /// 终本 without it.
    Always,
    /// Shown on the checklist but not required.
    NotRequired,
}

/// Who approves an extension of the closing limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionApprover {
    /// SX art 5 (✅ full text): the court president. Default.
    President,
    /// QX art 1 (🔶 secondary copies): the president or a vice-president.
    PresidentOrVicePresident,
}

impl ExtensionApprover {
    pub fn label_zh(self) -> &'static str {
        match self {
            ExtensionApprover::President => "院长",
            ExtensionApprover::PresidentOrVicePresident => "院长或副院长",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowPolicy {
    /// How 日 periods are counted. Default [`DayCount::CalendarDays`].
    pub day_count: DayCount,
    /// QX art 2 (🔶): handling judge named within 7 days of filing.
    pub judge_assignment_days: u32,
    /// JS art 480 (✅): 执行通知 within 10 days of filing.
    pub notice_days: u32,
    /// CD art 2 (✅): applicant's lead verified within 7 days (QX art 6's
    /// 5 days is superseded by the later CD).
    pub lead_verification_days: u32,
    /// QX art 1 / SX art 5: closing limit for cases with enforceable property.
    pub closing_limit_months: u32,
    /// SX art 5: closing limit of 非诉执行 cases.
    pub non_litigation_limit_months: u32,
    /// Which 执行依据 make a case 非诉执行 for the 3-month limit. Default:
    /// arbitral awards and mediation statements and notarised debt
    /// instruments — documents not made by a court in litigation (the digest
    /// leaves the scope open; administrative non-litigation cases are not in
    /// the register's document types yet).
    pub non_litigation_documents: Vec<DocumentType>,
    /// SX art 5: each extension adds 3 months.
    pub extension_months: u32,
    /// QX art 1 (🔶): the extension is requested at least 5 days before expiry.
    pub extension_request_days_before: u32,
    /// Shown in the extension rule. Default [`ExtensionApprover::President`].
    pub extension_approver: ExtensionApprover,
    /// CPL art 237: the applicant may go to the next-higher court after 6 months.
    pub higher_court_right_months: u32,
    /// ZB art 1 (四): 终本 only after more than 3 months from filing.
    pub zhongben_min_months: u32,
    /// See [`OnsiteRule`]. Default `Always`.
    pub onsite_investigation: OnsiteRule,
    /// JS art 467: 暂缓执行 at most one year.
    pub deferral_max_days: u32,
    /// ZB art 9 (🔶): after 终本, query every 6 months …
    pub post_zhongben_interval_months: u32,
    /// … for 5 years.
    pub post_zhongben_years: u32,
    /// ZB art 12 (⚠️ memory): 终本 record entered within 7 days of service.
    pub zhongben_publication_days: u32,
    /// Deadline-list buckets, in working days: "due within 3", "within 10".
    pub due_soon_working_days: u32,
    pub due_later_working_days: u32,
}

impl Default for WorkflowPolicy {
    fn default() -> Self {
        WorkflowPolicy {
            day_count: DayCount::CalendarDays,
            judge_assignment_days: 7,
            notice_days: 10,
            lead_verification_days: 7,
            closing_limit_months: 6,
            non_litigation_limit_months: 3,
            non_litigation_documents: vec![
                DocumentType::ArbitralAward,
                DocumentType::ArbitralMediation,
                DocumentType::NotarizedDebt,
            ],
            extension_months: 3,
            extension_request_days_before: 5,
            extension_approver: ExtensionApprover::President,
            higher_court_right_months: 6,
            zhongben_min_months: 3,
            onsite_investigation: OnsiteRule::Always,
            deferral_max_days: 365,
            post_zhongben_interval_months: 6,
            post_zhongben_years: 5,
            zhongben_publication_days: 7,
            due_soon_working_days: 3,
            due_later_working_days: 10,
        }
    }
}
