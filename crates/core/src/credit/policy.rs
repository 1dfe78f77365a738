//! Credit policy: the values of 失信/限消 that the law leaves open or that the
//! SPC has announced without a published text (legal-rules-b §3.2: 失信
//! grades, the new 宽限期, 单次解禁), each with its documented default.

use crate::money::Money;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditPolicy {
    /// SW art 15 (🔶): a grace period of 1–3 months may be given. Local
    /// practice reaches 90 days (无锡惠山); bounds are configurable.
    pub grace_min_months: u32,
    pub grace_max_months: u32,
    /// Grading (轻微/一般/严重) was announced on 2026-01-26 without
    /// criteria. Default criteria: 严重 for violence or threats (S2) or
    /// false litigation / hiding property (S3), or an unpaid amount at or
    /// above `serious_amount`, or three or more grounds; 轻微 for a single
    /// S4 or S6 ground under `minor_amount`; 一般 otherwise.
    pub serious_amount: Money,
    pub minor_amount: Money,
    /// SW art 17(3) (🔶): temporary lifting of the travel ban for at most
    /// one month. How often it may be granted ("单次解禁") is unpublished;
    /// default: one at a time, no yearly cap.
    pub temporary_lift_max_days: u32,
    /// SX art 12: 15 days to examine a correction application.
    pub correction_examination_days: u32,
    /// SX art 12: 10 days after service of a rejection to apply for review.
    pub review_application_days: u32,
    /// SX art 12: the upper court decides a review within 15 days.
    pub review_decision_days: u32,
    /// SX arts 9–10: withdraw, correct or delete within 3 working days.
    pub repair_working_days: u32,
    /// SX art 10 ¶4: an applicant's relisting request is refused for 6
    /// months after a deletion the applicant asked for.
    pub relist_block_months: u32,
    /// SX art 5 (🔶, text cut off in the sources): an application to list is
    /// decided within 15 days of receipt.
    pub application_decision_days: u32,
    /// Public look-up: requests per client address per minute.
    pub public_lookups_per_minute: u32,
}

impl Default for CreditPolicy {
    fn default() -> Self {
        CreditPolicy {
            grace_min_months: 1,
            grace_max_months: 3,
            serious_amount: Money::from_fen(100_000_000).unwrap_or(Money::ZERO),
            minor_amount: Money::from_fen(1_000_000).unwrap_or(Money::ZERO),
            temporary_lift_max_days: 31,
            correction_examination_days: 15,
            review_application_days: 10,
            review_decision_days: 15,
            repair_working_days: 3,
            relist_block_months: 6,
            application_decision_days: 15,
            public_lookups_per_minute: 30,
        }
    }
}
