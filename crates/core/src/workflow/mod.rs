//! The legal workflow of an enforcement case: process nodes (流程节点), the
//! state machine with its closing modes, the 终本 checklist and the
//! statutory deadlines. Pure: "today" and the calendar are parameters.
//!
//! - [`nodes`]: the node catalogue (built-in kinds the rules read, local kinds
//!   a court adds).
//! - [`state`]: states, actions, grounds, [`state::decide`] (the new state or
//!   a typed refusal listing every unmet condition with its article).
//! - [`checklist`]: the 终本 checklist (ZB arts 1–2, 5; JS art 517).
//! - [`deadlines`]: deadlines with their rules; the open ones are stored.
//! - [`policy`]: every unsettled value, with its documented default.

pub mod checklist;
pub mod deadlines;
pub mod nodes;
pub mod policy;
pub mod state;

#[cfg(test)]
mod tests;

pub use checklist::{ChecklistItem, Missing, zhongben_checklist};
pub use deadlines::{Deadline, DeadlineKind, Urgency, compute_deadlines, urgency};
pub use nodes::{BuiltinNode, LocalNodeKind, Node, NodeKind};
pub use policy::WorkflowPolicy;
pub use state::{
    Action, CancellationGround, CaseFile, CaseState, ClosingMode, DeferralGround, Event, Ground, Refusal,
    RestoreGround, SuspensionGround, TerminationGround, decide, derive_state,
};

use time::Date;

use crate::calendar::{WorkCalendar, chinese_date, parse_iso_date};
use crate::error::FieldError;
use crate::money::Money;
use nodes::nodes_of;

/// A node as a user submits it, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInput {
    pub kind: NodeKind,
    pub on: Date,
    pub note: String,
    pub document_ref: Option<String>,
    pub amount: Option<Money>,
}

/// Text fields of a node or transition: trimmed, bounded.
pub fn clean_text(field: &str, value: Option<&str>, max_chars: usize) -> Result<String, FieldError> {
    let text = value.unwrap_or("").trim().to_string();
    if text.chars().count() > max_chars {
        return Err(FieldError::new(field, "too_long", format!("不能超过{max_chars}个字")));
    }
    Ok(text)
}

/// Parses a date field that must not lie in the future nor before filing.
pub fn parse_event_date(field: &str, value: Option<&str>, filed_on: Date, today: Date) -> Result<Date, FieldError> {
    let text = value.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| FieldError::required(field, "日期"))?;
    let date = parse_iso_date(text).ok_or_else(|| FieldError::new(field, "invalid_date", "日期格式应为 YYYY-MM-DD"))?;
    if date > today {
        return Err(FieldError::new(field, "date_in_future", "日期不能晚于今天"));
    }
    if date < filed_on {
        return Err(FieldError::new(
            field,
            "date_before_filing",
            format!("日期不能早于立案日期（{}）", chinese_date(filed_on)),
        ));
    }
    Ok(date)
}

/// Reads the action, mode and ground fields of a transition request.
pub fn parse_action(
    action: &str,
    mode: Option<&str>,
    ground: Option<&str>,
    until: Option<Date>,
    security_until: Option<Date>,
) -> Result<Action, FieldError> {
    let ground = ground.map(str::trim).filter(|g| !g.is_empty());
    let bad_ground = |list: &str| FieldError::new("ground", "invalid_ground", format!("请从法定事由中选择（{list}）"));
    Ok(match action.trim() {
        "start" => Action::Start,
        "resume" => Action::Resume,
        "suspend" => {
            let code = ground.ok_or_else(|| {
                FieldError::new("ground", "required", "请选择中止执行的事由（民事诉讼法第二百六十七条）")
            })?;
            Action::Suspend(
                SuspensionGround::parse(code)
                    .ok_or_else(|| bad_ground(&codes(SuspensionGround::ALL.iter().map(|g| g.code()))))?,
            )
        }
        "defer" => {
            let code = ground.ok_or_else(|| FieldError::new("ground", "required", "请选择暂缓执行的事由"))?;
            let ground = DeferralGround::parse(code)
                .ok_or_else(|| bad_ground(&codes(DeferralGround::ALL.iter().map(|g| g.code()))))?;
            let until = until.ok_or_else(|| FieldError::new("until", "required", "请填写暂缓执行的截止日期"))?;
            Action::Defer { ground, until, security_until }
        }
        "close" => {
            let code = mode
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .ok_or_else(|| FieldError::new("mode", "required", "请选择结案方式"))?;
            let mode = ClosingMode::parse(code).ok_or_else(|| {
                FieldError::new(
                    "mode",
                    "invalid_mode",
                    format!("结案方式应为 {}", codes(ClosingMode::ALL.iter().map(|m| m.code()))),
                )
            })?;
            let ground = match (mode, ground) {
                (ClosingMode::Terminated, Some(code)) => Some(Ground::Termination(
                    TerminationGround::parse(code)
                        .ok_or_else(|| bad_ground(&codes(TerminationGround::ALL.iter().map(|g| g.code()))))?,
                )),
                (ClosingMode::Cancelled, Some(code)) => Some(Ground::Cancellation(
                    CancellationGround::parse(code)
                        .ok_or_else(|| bad_ground(&codes(CancellationGround::ALL.iter().map(|g| g.code()))))?,
                )),
                _ => None,
            };
            Action::Close { mode, ground }
        }
        "restore" => {
            let code = ground
                .ok_or_else(|| FieldError::new("ground", "required", "请选择恢复执行的事由（执行立结案意见第六条）"))?;
            Action::Restore(
                RestoreGround::parse(code)
                    .ok_or_else(|| bad_ground(&codes(RestoreGround::ALL.iter().map(|g| g.code()))))?,
            )
        }
        _ => {
            return Err(FieldError::new(
                "action",
                "invalid_action",
                "操作应为 start、suspend、defer、resume、close 或 restore",
            ));
        }
    })
}

fn codes<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("、")
}

/// Checks a node before it is recorded: the node's own rules (a note for
/// the 约谈, an amount for a payment, pairs that must follow their opening
/// node, the extension flow of QX art 1 / SX art 5).
pub fn validate_node(
    file: &CaseFile,
    input: &NodeInput,
    calendar: &WorkCalendar,
    policy: &WorkflowPolicy,
) -> Result<(), Refusal> {
    let mut missing = Vec::new();
    let Some(kind) = input.kind.builtin() else { return Ok(()) };
    if kind.requires_note() && input.note.is_empty() {
        let item = match kind {
            BuiltinNode::ApplicantInterviewed => "约谈笔录中申请执行人的意见（写在说明中）",
            _ => "决定内容（纳入或不纳入失信名单及理由，写在说明中）",
        };
        missing.push(Missing::new(item, kind.rule()));
    }
    if kind.carries_amount() && input.amount.is_none_or(|a| a.is_zero()) {
        missing.push(Missing::new("到账金额", kind.rule()));
    }
    let count = |k: BuiltinNode| nodes_of(file.nodes, k, Date::MAX).count();
    let pairs = [
        (BuiltinNode::LeadVerified, BuiltinNode::LeadReceived, "尚无未核查的财产线索"),
        (BuiltinNode::NetworkInquiryAnswered, BuiltinNode::NetworkInquirySent, "尚无待反馈的网络查控"),
        (BuiltinNode::ValuationFinished, BuiltinNode::ValuationStarted, "没有进行中的审计、评估"),
        (BuiltinNode::AuctionFinished, BuiltinNode::AuctionStarted, "没有进行中的拍卖、变卖"),
        (BuiltinNode::ObjectionDecided, BuiltinNode::ObjectionFiled, "没有待处理的管辖异议"),
        (BuiltinNode::SettlementPerformed, BuiltinNode::SettlementReached, "没有未履行完毕的执行和解协议"),
    ];
    for (closing, opening, message) in pairs {
        if kind == closing && count(closing) >= count(opening) {
            missing.push(Missing::new(format!("{message}：请先记录“{}”", opening.label_zh()), kind.rule()));
        }
        if kind == closing {
            let last_open = nodes_of(file.nodes, opening, Date::MAX).map(|n| n.on).max();
            if let Some(opened) = last_open
                && input.on < opened
            {
                missing.push(Missing::new(
                    format!("日期不能早于“{}”（{}）", opening.label_zh(), chinese_date(opened)),
                    kind.rule(),
                ));
            }
        }
    }
    let approvals = count(BuiltinNode::ExtensionApproved);
    let requests = count(BuiltinNode::ExtensionRequested);
    match kind {
        BuiltinNode::ExtensionRequested => {
            if requests > approvals {
                missing.push(Missing::new("已有一次延长申请尚待批准", kind.rule()));
            }
            let periods = deadlines::excluded_periods(file);
            if let Some((due, _)) = deadlines::closing_limit(file, calendar, policy, &periods) {
                let last = due
                    .checked_sub(time::Duration::days(i64::from(policy.extension_request_days_before)))
                    .unwrap_or(due);
                if input.on > last {
                    missing.push(Missing::new(
                        format!(
                            "延长申请应至迟于执行期限届满{}日前提出（期限{}届满，最迟{}申请）",
                            policy.extension_request_days_before,
                            chinese_date(due),
                            chinese_date(last)
                        ),
                        "《办理执行案件若干期限的规定》第一条",
                    ));
                }
            }
        }
        BuiltinNode::ExtensionApproved => {
            if requests <= approvals {
                missing.push(Missing::new(
                    "尚无待批准的延长申请：请先记录“申请延长执行期限”",
                    "《办理执行案件若干期限的规定》第一条",
                ));
            }
            // SX art 5: a further extension is reported to the high court.
            if approvals >= 1 && count(BuiltinNode::ExtensionReported) < approvals {
                missing.push(Missing::new(
                    "再次延长执行期限须层报高级人民法院备案：请先记录“再次延长报高级人民法院备案”",
                    "《严格执行案件审理期限制度的若干规定》第五条",
                ));
            }
        }
        _ => {}
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal {
            message: format!("不能记录“{}”：尚有{}项条件未满足", kind.label_zh(), missing.len()), missing
        })
    }
}

/// The unpaid balance a 执恢 case carries over (LJ art 6; HJ art 17): the
/// amount applied for less the payments recorded as nodes.
pub fn unpaid_balance(amount_applied: Money, nodes: &[Node]) -> Money {
    let paid = nodes
        .iter()
        .filter(|n| n.is(BuiltinNode::PaymentReceived))
        .filter_map(|n| n.amount)
        .fold(Money::ZERO, |sum, a| sum.checked_add(a).unwrap_or(sum));
    amount_applied.saturating_sub(paid)
}
