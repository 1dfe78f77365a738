//! Statutory deadlines computed from a case's filing, nodes and events with
//! the working-day calendar. Each deadline cites its rule. Deadlines depend
//! only on the case file (not on today), so the store keeps the open ones in
//! an indexed table and lists read them without recomputing; [`urgency`]
//! classifies a stored due date against today.

use time::{Date, Month};

use super::nodes::{BuiltinNode, Node, nodes_of};
use super::policy::{DayCount, WorkflowPolicy};
use super::state::{Action, CaseFile, CaseState, ClosingMode, derive_state};
use crate::calendar::{WorkCalendar, chinese_date};
use crate::case_number::EnforcementType;

macro_rules! deadline_kinds {
    ($( $variant:ident = $code:literal, $label:literal, $rule:literal; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DeadlineKind { $( $variant, )* }

        impl DeadlineKind {
            pub const ALL: &'static [DeadlineKind] = &[ $( DeadlineKind::$variant, )* ];
            pub fn code(self) -> &'static str { match self { $( DeadlineKind::$variant => $code, )* } }
            pub fn label_zh(self) -> &'static str { match self { $( DeadlineKind::$variant => $label, )* } }
            pub fn rule(self) -> &'static str { match self { $( DeadlineKind::$variant => $rule, )* } }
            pub fn parse(code: &str) -> Option<DeadlineKind> { Self::ALL.iter().copied().find(|k| k.code() == code) }
        }
    };
}

deadline_kinds! {
    JudgeAssignment = "judge_assignment", "指定承办人", "《最高人民法院关于人民法院办理执行案件若干期限的规定》第二条：立案后7日内确定承办人";
    Notice = "notice", "发出执行通知", "《民诉法解释》第四百八十条：立案后10日内发出执行通知";
    LeadVerification = "lead_verification", "核查财产线索", "《财产调查规定》第二条：收到财产线索后7日内核查";
    ExtensionRequest = "extension_request", "申请延长执行期限的最后日期", "《办理执行案件若干期限的规定》第一条：至迟于期限届满5日前申请延长";
    ClosingLimit = "closing_limit", "执行期限届满", "《办理执行案件若干期限的规定》第一条；《严格执行案件审理期限制度的若干规定》第五条、第九条";
    HigherCourtRight = "higher_court_right", "申请执行人可向上一级法院申请执行", "《民事诉讼法》第二百三十七条；《执行程序解释》第十条、第十三条";
    ZhongbenPublication = "zhongben_publication", "终本案件信息录入终本案件库并公开", "《终本规定》第十二条：裁定送达后7日内";
    PostZhongbenInquiry = "post_zhongben_inquiry", "终本后定期查询财产并告知申请执行人", "《终本规定》第九条：终本后5年内每6个月查询一次";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    /// Distinguishes repeated deadlines of one kind (the n-th lead, the n-th
    /// six-monthly inquiry); 0 otherwise.
    pub seq: u32,
    pub label: String,
    pub rule: String,
    pub started_on: Date,
    /// `None` while the clock is stopped (SX art 9 excluded period open).
    pub due_on: Option<Date>,
    pub met_on: Option<Date>,
    /// Not met when the case was closed: no longer actionable.
    pub moot: bool,
    /// The calendar does not cover the due date's year yet: weekends were
    /// assumed to be the only days off.
    pub provisional: bool,
    pub note: String,
}

impl Deadline {
    /// Open deadlines are what the lists show and the store indexes.
    pub fn is_open(&self) -> bool {
        self.met_on.is_none() && !self.moot && self.due_on.is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Overdue,
    /// Due within `due_soon_working_days` working days (3 by default).
    DueSoon,
    /// Due within `due_later_working_days` working days (10 by default).
    DueLater,
    Later,
    Paused,
    Met,
    Moot,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due_soon",
            Urgency::DueLater => "due_within_10",
            Urgency::Later => "later",
            Urgency::Paused => "paused",
            Urgency::Met => "met",
            Urgency::Moot => "moot",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Urgency::Overdue => "已超期",
            Urgency::DueSoon => "3个工作日内到期",
            Urgency::DueLater => "10个工作日内到期",
            Urgency::Later => "未到期",
            Urgency::Paused => "期限中止计算",
            Urgency::Met => "已完成",
            Urgency::Moot => "结案时未完成",
        }
    }
}

/// The last day of "due within n working days" of `today`.
pub fn working_day_horizon(calendar: &WorkCalendar, today: Date, n: u32) -> Date {
    calendar.add_working_days(today, n).unwrap_or_else(|_| weekday_add(today, n))
}

pub fn urgency(deadline: &Deadline, today: Date, calendar: &WorkCalendar, policy: &WorkflowPolicy) -> Urgency {
    if deadline.moot {
        return Urgency::Moot;
    }
    if deadline.met_on.is_some() {
        return Urgency::Met;
    }
    let Some(due) = deadline.due_on else { return Urgency::Paused };
    classify_due(due, today, calendar, policy)
}

pub fn classify_due(due: Date, today: Date, calendar: &WorkCalendar, policy: &WorkflowPolicy) -> Urgency {
    if due < today {
        Urgency::Overdue
    } else if due <= working_day_horizon(calendar, today, policy.due_soon_working_days) {
        Urgency::DueSoon
    } else if due <= working_day_horizon(calendar, today, policy.due_later_working_days) {
        Urgency::DueLater
    } else {
        Urgency::Later
    }
}

/// `date` plus `months` months: the corresponding day of the target month,
/// or its last day when there is none (民法典 art 202; CPL art 85).
pub fn add_months(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::December);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

fn weekday_add(start: Date, n: u32) -> Date {
    let mut date = start;
    let mut left = n;
    while left > 0 {
        date = date.next_day().unwrap_or(Date::MAX);
        if !matches!(date.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
            left -= 1;
        }
    }
    date
}

/// Moves a period's last day off a day off (CPL art 85 ¶3). Returns the
/// day and whether the calendar had to be guessed (year not covered).
fn off_day_adjusted(calendar: &WorkCalendar, mut end: Date) -> (Date, bool) {
    loop {
        match calendar.is_working_day(end) {
            Ok(true) => return (end, false),
            Ok(false) => end = end.next_day().unwrap_or(Date::MAX),
            Err(_) => {
                while matches!(end.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
                    end = end.next_day().unwrap_or(Date::MAX);
                }
                return (end, true);
            }
        }
    }
}

/// End of a period of `days` 日 from `start` under the policy's day count.
fn day_period(calendar: &WorkCalendar, policy: &WorkflowPolicy, start: Date, days: u32) -> (Date, bool) {
    match policy.day_count {
        DayCount::CalendarDays => off_day_adjusted(calendar, super::state::add_days(start, days)),
        DayCount::WorkingDays => match calendar.add_working_days(start, days) {
            Ok(date) => (date, false),
            Err(_) => (weekday_add(start, days), true),
        },
    }
}

/// Periods that stop the clock (SX art 9 items 7–12; ZC art 13): suspension,
/// 暂缓, valuation/audit, auction and jurisdiction disputes. `end` is `None`
/// while the period is open. Both ends are counted as excluded days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExcludedPeriod {
    pub from: Date,
    pub to: Option<Date>,
}

pub fn excluded_periods(file: &CaseFile) -> Vec<ExcludedPeriod> {
    let mut periods = Vec::new();
    let mut open: Option<Date> = None;
    for event in file.events {
        match event.action {
            Action::Suspend(_) | Action::Defer { .. } => open = Some(event.on),
            Action::Resume => {
                if let Some(from) = open.take() {
                    periods.push(ExcludedPeriod { from, to: Some(event.on) });
                }
            }
            _ => {}
        }
    }
    if let Some(from) = open {
        periods.push(ExcludedPeriod { from, to: None });
    }
    for (start, end) in [
        (BuiltinNode::ValuationStarted, BuiltinNode::ValuationFinished),
        (BuiltinNode::AuctionStarted, BuiltinNode::AuctionFinished),
        (BuiltinNode::ObjectionFiled, BuiltinNode::ObjectionDecided),
    ] {
        let starts: Vec<Date> = nodes_of(file.nodes, start, Date::MAX).map(|n| n.on).collect();
        let ends: Vec<Date> = nodes_of(file.nodes, end, Date::MAX).map(|n| n.on).collect();
        for (i, from) in starts.iter().enumerate() {
            periods.push(ExcludedPeriod { from: *from, to: ends.get(i).copied() });
        }
    }
    periods.sort_by_key(|p| p.from);
    periods
}

/// `base` pushed back by the excluded periods that begin on or before the
/// running due date; `None` if one of them is still open.
fn extended_by_exclusions(base: Date, periods: &[ExcludedPeriod]) -> Option<Date> {
    let mut due = base;
    let mut covered_until: Option<Date> = None;
    for period in periods {
        if period.from > due {
            break;
        }
        let to = period.to?;
        // Merge overlaps: count only days not already counted.
        let from = match covered_until {
            Some(c) if c >= period.from => match c.next_day() {
                Some(d) => d,
                None => continue,
            },
            _ => period.from,
        };
        if to >= from {
            due = super::state::add_days(due, ((to - from).whole_days() + 1) as u32);
            covered_until = Some(to);
        }
    }
    Some(due)
}

/// Every deadline of the case, met or open.
pub fn compute_deadlines(file: &CaseFile, calendar: &WorkCalendar, policy: &WorkflowPolicy) -> Vec<Deadline> {
    let state = derive_state(file);
    let closed_on = match state {
        CaseState::Closed { on, .. } => Some(on),
        _ => None,
    };
    let mut out = Vec::new();
    let mut push = |kind: DeadlineKind,
                    seq: u32,
                    started_on: Date,
                    due: Option<(Date, bool)>,
                    met_on: Option<Date>,
                    note: String| {
        let moot = met_on.is_none()
            && closed_on.is_some()
            && !matches!(kind, DeadlineKind::ZhongbenPublication | DeadlineKind::PostZhongbenInquiry);
        out.push(Deadline {
            kind,
            seq,
            label: kind.label_zh().to_string(),
            rule: kind.rule().to_string(),
            started_on,
            due_on: due.map(|d| d.0),
            met_on,
            moot,
            provisional: due.is_some_and(|d| d.1),
            note,
        });
    };
    let first = |kind: BuiltinNode| nodes_of(file.nodes, kind, Date::MAX).map(|n| n.on).min();

    // QX art 2: handling judge within 7 days.
    let judge_met = first(BuiltinNode::JudgeAssigned).or(if file.started_at_filing || file.has_judge {
        Some(file.filed_on)
    } else {
        None
    });
    push(
        DeadlineKind::JudgeAssignment,
        0,
        file.filed_on,
        Some(day_period(calendar, policy, file.filed_on, policy.judge_assignment_days)),
        judge_met,
        String::new(),
    );
    // The limits below govern 执行实施类 cases (执, 执恢); preservation and
    // review cases have limits of their own (not carried yet).
    if !matches!(file.case_type, EnforcementType::First | EnforcementType::Resumed) {
        return out;
    }
    // JS art 480: 执行通知 within 10 days.
    push(
        DeadlineKind::Notice,
        0,
        file.filed_on,
        Some(day_period(calendar, policy, file.filed_on, policy.notice_days)),
        first(BuiltinNode::NoticeServed),
        String::new(),
    );
    // CD art 2: each lead verified within 7 days (the n-th verification
    // answers the n-th lead).
    let verified: Vec<&Node> = nodes_of(file.nodes, BuiltinNode::LeadVerified, Date::MAX).collect();
    for (i, lead) in nodes_of(file.nodes, BuiltinNode::LeadReceived, Date::MAX).enumerate() {
        let note = if lead.note.is_empty() { String::new() } else { format!("线索：{}", lead.note) };
        push(
            DeadlineKind::LeadVerification,
            i as u32 + 1,
            lead.on,
            Some(day_period(calendar, policy, lead.on, policy.lead_verification_days)),
            verified.get(i).map(|n| n.on),
            note,
        );
    }

    // The closing limit, with extensions and excluded periods.
    let non_litigation = policy.non_litigation_documents.contains(&file.document_type);
    let base_months = if non_litigation { policy.non_litigation_limit_months } else { policy.closing_limit_months };
    let approvals = nodes_of(file.nodes, BuiltinNode::ExtensionApproved, Date::MAX).count() as u32;
    let requests = nodes_of(file.nodes, BuiltinNode::ExtensionRequested, Date::MAX).count() as u32;
    let periods = excluded_periods(file);
    let limit = closing_limit(file, calendar, policy, &periods);
    let mut note = format!("{}个月{}", base_months, if non_litigation { "（非诉执行案件）" } else { "" });
    if approvals > 0 {
        note.push_str(&format!("，已延长{approvals}次（每次{}个月）", policy.extension_months));
    }
    if !periods.is_empty() {
        note.push_str(&format!("，扣除中止、暂缓、评估、拍卖等期间{}段", periods.len()));
    }
    push(DeadlineKind::ClosingLimit, 0, file.filed_on, limit, closed_on, note);
    // QX art 1: an extension is requested at least 5 days before expiry —
    // a deadline of its own while no request is pending.
    if let Some((due, provisional)) = limit
        && requests <= approvals
    {
        let last_day =
            due.checked_sub(time::Duration::days(i64::from(policy.extension_request_days_before))).unwrap_or(due);
        let note = format!(
            "延长须经{}批准，每次{}个月；再次延长须报高级人民法院备案",
            policy.extension_approver.label_zh(),
            policy.extension_months
        );
        push(DeadlineKind::ExtensionRequest, approvals, file.filed_on, Some((last_day, provisional)), closed_on, note);
    }
    // CPL art 237: six months from filing, the same periods excluded.
    let right = extended_by_exclusions(add_months(file.filed_on, policy.higher_court_right_months), &periods)
        .map(|d| off_day_adjusted(calendar, d));
    push(
        DeadlineKind::HigherCourtRight,
        0,
        file.filed_on,
        right,
        closed_on,
        "届满仍未执结的，申请执行人可以向上一级人民法院申请执行".to_string(),
    );

    // After 终本.
    if let CaseState::Closed { on: closed, mode: ClosingMode::TerminatedThisRound, restored } = state {
        push(
            DeadlineKind::ZhongbenPublication,
            0,
            closed,
            Some(day_period(calendar, policy, closed, policy.zhongben_publication_days)),
            nodes_of(file.nodes, BuiltinNode::ZhongbenPublished, Date::MAX).map(|n| n.on).find(|d| *d >= closed),
            String::new(),
        );
        if !restored {
            let rounds = policy.post_zhongben_years * 12 / policy.post_zhongben_interval_months.max(1);
            let mut window_start = closed;
            for k in 1..=rounds {
                let due = add_months(closed, k * policy.post_zhongben_interval_months);
                let inquiry = nodes_of(file.nodes, BuiltinNode::NetworkInquiryAnswered, Date::MAX)
                    .map(|n| n.on)
                    .find(|d| *d > window_start);
                let told = nodes_of(file.nodes, BuiltinNode::ApplicantNotified, Date::MAX)
                    .map(|n| n.on)
                    .find(|d| *d > window_start);
                let met = match (inquiry, told) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                push(
                    DeadlineKind::PostZhongbenInquiry,
                    k,
                    window_start,
                    Some(off_day_adjusted(calendar, due)),
                    met,
                    format!("第{k}次（共{rounds}次）：网络查控并将结果告知申请执行人"),
                );
                match met {
                    Some(m) => window_start = m.max(due),
                    None => break,
                }
            }
        }
    }
    out
}

/// Due date of the closing limit, `None` while an excluded period is open.
pub fn closing_limit(
    file: &CaseFile,
    calendar: &WorkCalendar,
    policy: &WorkflowPolicy,
    periods: &[ExcludedPeriod],
) -> Option<(Date, bool)> {
    let non_litigation = policy.non_litigation_documents.contains(&file.document_type);
    let base_months = if non_litigation { policy.non_litigation_limit_months } else { policy.closing_limit_months };
    let approvals = nodes_of(file.nodes, BuiltinNode::ExtensionApproved, Date::MAX).count() as u32;
    let base = add_months(file.filed_on, base_months + approvals * policy.extension_months);
    extended_by_exclusions(base, periods).map(|d| off_day_adjusted(calendar, d))
}

/// A human sentence for a due date relative to today ("还剩3个工作日").
pub fn remaining_text(due: Date, today: Date, calendar: &WorkCalendar) -> String {
    if due < today {
        format!("已超期{}日", (today - due).whole_days())
    } else {
        match calendar.working_days_between(today, due) {
            Ok(n) => format!("还剩{n}个工作日（{}）", chinese_date(due)),
            Err(_) => format!("{}到期", chinese_date(due)),
        }
    }
}
