//! The case state machine (立案 → 执行中 → 结案, with 中止执行 and 暂缓执行)
//! and its transitions. The current state is never stored on its own
//! authority: it is the fold of the recorded events ([`derive_state`]); the
//! `status` column of the register is a cache of it, written in the same
//! transaction as each event.

use time::{Date, Duration};

use super::checklist::{Missing, zhongben_checklist};
use super::nodes::{BuiltinNode, Node, nodes_of};
use super::policy::WorkflowPolicy;
use crate::case::CaseStatus;
use crate::case_number::EnforcementType;

macro_rules! grounds {
    ($(#[$meta:meta])* $name:ident { $( $variant:ident = $code:literal, $label:literal; )* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $( $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            pub fn code(self) -> &'static str { match self { $( $name::$variant => $code, )* } }
            pub fn label_zh(self) -> &'static str { match self { $( $name::$variant => $label, )* } }
            pub fn parse(code: &str) -> Option<$name> { Self::ALL.iter().copied().find(|g| g.code() == code) }
        }
    };
}

grounds! {
    /// 中止执行 grounds: CPL art 267 (2023).
    SuspensionGround {
        ApplicantPostpones = "applicant_postpones", "申请执行人表示可以延期执行（民事诉讼法第二百六十七条第一项）";
        OutsiderObjection = "outsider_objection", "案外人对执行标的提出确有理由的异议（第二百六十七条第二项）";
        AwaitingSuccessor = "awaiting_successor", "一方当事人死亡，需要等待继承人继承权利或者承担义务（第二百六十七条第三项）";
        EntityEndedAwaitingSuccessor = "entity_ended", "作为一方当事人的法人或者非法人组织终止，尚未确定权利义务承受人（第二百六十七条第四项）";
        Retrial = "retrial", "执行依据进入再审，裁定中止执行（第二百六十七条第五项）";
        Bankruptcy = "bankruptcy", "被执行人破产申请已受理（企业破产法第十九条；第二百六十七条第五项）";
        Other = "other", "人民法院认为应当中止执行的其他情形（第二百六十七条第五项）";
    }
}

grounds! {
    /// 暂缓执行 grounds: JS art 467 (security), HJ / settlement, a higher
    /// court's notice (SX art 9 items 10–11).
    DeferralGround {
        Security = "security", "被执行人提供担保并经申请执行人同意（民诉法解释第四百六十七条）";
        Settlement = "settlement", "执行和解后暂缓执行（严格执行案件审理期限制度的若干规定第九条第十项）";
        HigherCourt = "higher_court", "上级人民法院通知暂缓执行（同上第九条第十一项）";
    }
}

grounds! {
    /// 终结执行 grounds: CPL art 268 (2023) and LJ art 17.
    TerminationGround {
        ApplicantWithdrew = "applicant_withdrew", "申请人撤销申请（民事诉讼法第二百六十八条第一项）";
        BasisRevoked = "basis_revoked", "据以执行的法律文书被撤销（第二百六十八条第二项）";
        DebtorDiedNoEstate = "debtor_died_no_estate", "作为被执行人的公民死亡，无遗产可供执行，又无义务承担人（第二百六十八条第三项）";
        MaintenanceCreditorDied = "maintenance_creditor_died", "追索赡养费、扶养费、抚育费案件的权利人死亡（第二百六十八条第四项）";
        DebtorDestitute = "debtor_destitute", "作为被执行人的公民因生活困难无力偿还借款，无收入来源，又丧失劳动能力（第二百六十八条第五项）";
        WithdrawnAfterSettlement = "withdrawn_after_settlement", "达成执行和解后申请执行人撤回申请（执行立结案意见第十七条）";
        EntityDissolvedNoAssets = "entity_dissolved_no_assets", "被执行人组织终止，无财产可供执行，又无义务承受人（执行立结案意见第十七条）";
        DebtorBankrupt = "debtor_bankrupt", "被执行人被宣告破产（执行立结案意见第十七条）";
        ElevatedByHigherCourt = "elevated", "上级人民法院提级执行（执行立结案意见第十七条，不制作裁定书）";
        DesignatedToOtherCourt = "designated", "上级人民法院指定其他法院执行（执行立结案意见第十七条，不制作裁定书）";
        EntrustedToOtherCourt = "entrusted", "委托执行且受托法院已立案（执行立结案意见第十七条，不制作裁定书）";
        Other = "other", "人民法院认为应当终结执行的其他情形（第二百六十八条第六项）";
    }
}

impl TerminationGround {
    /// Transfers close the case without a ruling (LJ art 17).
    pub fn needs_ruling(self) -> bool {
        !matches!(
            self,
            TerminationGround::ElevatedByHigherCourt
                | TerminationGround::DesignatedToOtherCourt
                | TerminationGround::EntrustedToOtherCourt
        )
    }
}

grounds! {
    /// 销案 grounds: LJ art 18 (⚠️ read only in summary; consistent with ZC arts 2–3).
    CancellationGround {
        JurisdictionObjection = "jurisdiction_objection", "被执行人对管辖权提出异议成立，移送有管辖权的法院或申请执行人撤回申请（执行立结案意见第十八条第一项）";
        FiledElsewhereFirst = "filed_elsewhere_first", "其他有管辖权的法院已先立案（第十八条第二项；执行程序解释第二条）";
        EntrustmentReturned = "entrustment_returned", "受托法院报经高级人民法院同意退回委托（第十八条第三项）";
    }
}

grounds! {
    /// 恢复执行 grounds: LJ art 6.
    RestoreGround {
        NewProperty = "new_property", "终结本次执行程序后发现被执行人有可供执行财产（执行立结案意见第六条第三项；终本规定第九条）";
        SettlementFraud = "settlement_fraud", "因受欺诈、胁迫与被执行人达成和解协议，申请恢复执行原生效法律文书（第六条第一项）";
        SettlementBreached = "settlement_breached", "一方当事人不履行或不完全履行执行和解协议，申请恢复执行（第六条第二项）";
        EntrustmentImproper = "entrustment_improper", "受托法院因委托不当退回委托（第六条第四项）";
        ReapplicationAfterTermination = "reapplication", "终结执行后符合再次申请条件（第六条第五项）";
    }
}

grounds! {
    /// The closing modes of 执行实施类 cases: LJ art 14.
    ClosingMode {
        Completed = "completed", "执行完毕";
        TerminatedThisRound = "terminated_this_round", "终结本次执行程序";
        Terminated = "terminated", "终结执行";
        Cancelled = "cancelled", "销案";
        NotEnforced = "not_enforced", "不予执行";
        Rejected = "rejected", "驳回申请";
    }
}

impl ClosingMode {
    pub fn rule(self) -> &'static str {
        match self {
            ClosingMode::Completed => "《执行立结案意见》第十五条",
            ClosingMode::TerminatedThisRound => {
                "《执行立结案意见》第十六条；《民诉法解释》第五百一十七条；《终本规定》第一条"
            }
            ClosingMode::Terminated => "《民事诉讼法》第二百六十八条；《执行立结案意见》第十七条",
            ClosingMode::Cancelled => "《执行立结案意见》第十八条",
            ClosingMode::NotEnforced => "《执行立结案意见》第十九条",
            ClosingMode::Rejected => "《执行立结案意见》第二十条",
        }
    }
}

/// A ground given with a transition, already parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ground {
    Suspension(SuspensionGround),
    Deferral(DeferralGround),
    Termination(TerminationGround),
    Cancellation(CancellationGround),
    Restore(RestoreGround),
}

impl Ground {
    pub fn code(self) -> &'static str {
        match self {
            Ground::Suspension(g) => g.code(),
            Ground::Deferral(g) => g.code(),
            Ground::Termination(g) => g.code(),
            Ground::Cancellation(g) => g.code(),
            Ground::Restore(g) => g.code(),
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Ground::Suspension(g) => g.label_zh(),
            Ground::Deferral(g) => g.label_zh(),
            Ground::Termination(g) => g.label_zh(),
            Ground::Cancellation(g) => g.label_zh(),
            Ground::Restore(g) => g.label_zh(),
        }
    }
}

/// What a user asks for (the API's `action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Start,
    Suspend(SuspensionGround),
    Defer { ground: DeferralGround, until: Date, security_until: Option<Date> },
    Resume,
    Close { mode: ClosingMode, ground: Option<Ground> },
    Restore(RestoreGround),
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Suspend(_) => "suspend",
            Action::Defer { .. } => "defer",
            Action::Resume => "resume",
            Action::Close { .. } => "close",
            Action::Restore(_) => "restore",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Action::Start => "开始执行",
            Action::Suspend(_) => "中止执行",
            Action::Defer { .. } => "暂缓执行",
            Action::Resume => "恢复（中止/暂缓后继续执行）",
            Action::Close { .. } => "结案",
            Action::Restore(_) => "恢复执行（立执恢案件）",
        }
    }

    pub fn ground(&self) -> Option<Ground> {
        match self {
            Action::Start | Action::Resume => None,
            Action::Suspend(g) => Some(Ground::Suspension(*g)),
            Action::Defer { ground, .. } => Some(Ground::Deferral(*ground)),
            Action::Close { ground, .. } => *ground,
            Action::Restore(g) => Some(Ground::Restore(*g)),
        }
    }
}

/// A recorded transition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub on: Date,
    pub action: Action,
    pub note: String,
    pub document_ref: Option<String>,
}

/// The state of a case, derived from its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseState {
    /// 已立案
    Filed,
    /// 执行中
    Enforcing { since: Date },
    /// 中止执行
    Suspended { since: Date, ground: SuspensionGround },
    /// 暂缓执行
    Deferred { since: Date, until: Date, ground: DeferralGround },
    /// 已结案
    Closed { on: Date, mode: ClosingMode, restored: bool },
}

impl CaseState {
    pub fn status(self) -> CaseStatus {
        match self {
            CaseState::Filed => CaseStatus::Filed,
            CaseState::Enforcing { .. } => CaseStatus::Enforcing,
            CaseState::Suspended { .. } => CaseStatus::Suspended,
            CaseState::Deferred { .. } => CaseStatus::Deferred,
            CaseState::Closed { .. } => CaseStatus::Closed,
        }
    }

    pub fn label_zh(self) -> String {
        match self {
            CaseState::Closed { mode, restored: true, .. } => format!("已结案（{}，已恢复执行）", mode.label_zh()),
            CaseState::Closed { mode, .. } => format!("已结案（{}）", mode.label_zh()),
            CaseState::Deferred { until, .. } => format!("暂缓执行（至{}）", crate::calendar::chinese_date(until)),
            other => other.status().label_zh().to_string(),
        }
    }
}

/// What the rules need to know about a case.
#[derive(Clone, Debug)]
pub struct CaseFile<'a> {
    pub case_type: EnforcementType,
    pub filed_on: Date,
    /// Whether a handling judge (承办人) is named in the register.
    pub has_judge: bool,
    /// Filed with a handling judge already named: the filing was the start.
    pub started_at_filing: bool,
    pub document_type: crate::case::DocumentType,
    pub nodes: &'a [Node],
    pub events: &'a [Event],
}

/// Why a transition is refused: one entry per unmet condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub missing: Vec<Missing>,
}

impl Refusal {
    fn one(message: impl Into<String>, item: impl Into<String>, rule: impl Into<String>) -> Refusal {
        let message = message.into();
        Refusal { missing: vec![Missing { item: item.into(), rule: rule.into() }], message }
    }
}

/// Folds the events into the current state. Events were checked when they
/// were recorded, so the fold is total: an event that would not apply
/// (which only a hand-edited database can hold) leaves the state as it was.
pub fn derive_state(file: &CaseFile) -> CaseState {
    let mut state =
        if file.started_at_filing { CaseState::Enforcing { since: file.filed_on } } else { CaseState::Filed };
    for event in file.events {
        state = next_state(state, event.on, &event.action).unwrap_or(state);
    }
    state
}

/// The state an action leads to from `state`, without the preconditions
/// that need the case file (those are in [`decide`]).
fn next_state(state: CaseState, on: Date, action: &Action) -> Option<CaseState> {
    use CaseState::*;
    Some(match (state, action) {
        (Filed, Action::Start) => Enforcing { since: on },
        (Filed | Enforcing { .. }, Action::Suspend(ground)) => Suspended { since: on, ground: *ground },
        (Filed | Enforcing { .. }, Action::Defer { ground, until, .. }) => {
            Deferred { since: on, until: *until, ground: *ground }
        }
        (Suspended { .. } | Deferred { .. }, Action::Resume) => Enforcing { since: on },
        (Filed | Enforcing { .. }, Action::Close { mode, .. }) => Closed { on, mode: *mode, restored: false },
        (Closed { on: closed_on, mode, restored: false }, Action::Restore(_)) => {
            Closed { on: closed_on, mode, restored: true }
        }
        _ => return None,
    })
}

/// Decides whether `action` may be taken on `on` (a date the user gives: a
/// case may be recorded after the fact), `today` being the current date.
/// Returns the state after the action, or every reason it is refused.
pub fn decide(
    file: &CaseFile,
    action: &Action,
    on: Date,
    today: Date,
    document_ref: Option<&str>,
    note: &str,
    policy: &WorkflowPolicy,
) -> Result<CaseState, Refusal> {
    let state = derive_state(file);
    if on > today {
        return Err(Refusal::one("日期不能晚于今天", "日期晚于今天", "事后补录只能记录已经发生的事项"));
    }
    if on < file.filed_on {
        return Err(Refusal::one(
            "日期不能早于立案日期",
            "日期早于立案日期",
            "《执行立结案意见》第三条：未经立案不得进入执行程序",
        ));
    }
    if let Some(last) = file.events.last()
        && on < last.on
    {
        return Err(Refusal::one(
            format!("日期不能早于上一次状态变更（{}）", crate::calendar::chinese_date(last.on)),
            "日期早于上一次状态变更",
            "状态变更按时间顺序记录",
        ));
    }
    let Some(next) = next_state(state, on, action) else {
        return Err(not_allowed(state, action));
    };
    let mut missing = Vec::new();
    match action {
        Action::Start => {
            if !file.has_judge && !nodes_of(file.nodes, BuiltinNode::JudgeAssigned, on).any(|_| true) {
                missing.push(Missing::new("指定承办人", "《办理执行案件若干期限的规定》第二条"));
            }
        }
        Action::Suspend(ground) => {
            if *ground == SuspensionGround::Other && note.trim().is_empty() {
                missing.push(Missing::new("“其他情形”须在说明中写明理由", "《民事诉讼法》第二百六十七条第五项"));
            }
            if document_ref.is_none() {
                missing.push(Missing::new("中止执行裁定书文号", "《民事诉讼法》第一百五十七条、第二百六十九条"));
            }
        }
        Action::Defer { until, security_until, ground } => {
            if *until <= on {
                missing.push(Missing::new("暂缓执行的截止日期应晚于决定日期", "《民诉法解释》第四百六十七条"));
            }
            let limit = add_days(on, policy.deferral_max_days);
            if *until > limit {
                missing.push(Missing::new(
                    format!("暂缓执行期限不得超过一年（最迟至{}）", crate::calendar::chinese_date(limit)),
                    "《民诉法解释》第四百六十七条",
                ));
            }
            if *ground == DeferralGround::Security {
                match security_until {
                    None => missing.push(Missing::new("担保期间的截止日期", "《民诉法解释》第四百六十七条")),
                    Some(s) if until > s => missing.push(Missing::new(
                        format!("暂缓执行期限不得超过担保期间（至{}）", crate::calendar::chinese_date(*s)),
                        "《民诉法解释》第四百六十七条",
                    )),
                    Some(_) => {}
                }
            }
            if document_ref.is_none() {
                missing.push(Missing::new("暂缓执行决定书文号", "《民诉法解释》第四百六十七条"));
            }
        }
        Action::Resume => {}
        Action::Close { mode, ground } => {
            close_preconditions(file, *mode, *ground, on, document_ref, note, policy, &mut missing)
        }
        Action::Restore(ground) => {
            if let CaseState::Closed { mode, .. } = state {
                let allowed = match ground {
                    RestoreGround::NewProperty => mode == ClosingMode::TerminatedThisRound,
                    RestoreGround::SettlementFraud | RestoreGround::SettlementBreached => {
                        has_node(file, BuiltinNode::SettlementReached, on)
                    }
                    RestoreGround::EntrustmentImproper => mode == ClosingMode::Terminated,
                    RestoreGround::ReapplicationAfterTermination => mode == ClosingMode::Terminated,
                };
                if !allowed {
                    missing.push(Missing::new(
                        format!("本案以“{}”结案，不符合所选恢复执行事由", mode.label_zh()),
                        "《执行立结案意见》第六条",
                    ));
                }
            }
        }
    }
    if missing.is_empty() {
        Ok(next)
    } else {
        let message = match action {
            Action::Close { mode, .. } => format!("不能以“{}”结案：尚有{}项条件未满足", mode.label_zh(), missing.len()),
            other => format!("不能{}：尚有{}项条件未满足", other.label_zh(), missing.len()),
        };
        Err(Refusal { message, missing })
    }
}

fn not_allowed(state: CaseState, action: &Action) -> Refusal {
    let rule = match (state, action) {
        (CaseState::Suspended { .. }, Action::Close { .. }) => "《执行立结案意见》第二十三条：中止执行的案件不得结案",
        (CaseState::Deferred { .. }, Action::Close { .. }) => "《执行立结案意见》第二十三条：暂缓执行的案件不得结案",
        (CaseState::Closed { restored: true, .. }, Action::Restore(_)) => "本案已恢复执行，见关联的执恢案件",
        (CaseState::Closed { .. }, _) => "已结案的案件只能恢复执行（《执行立结案意见》第六条）",
        _ => "案件状态不允许此操作",
    };
    Refusal::one(
        format!("案件当前为“{}”，不能{}", state.label_zh(), action.label_zh()),
        format!("当前状态“{}”", state.label_zh()),
        rule,
    )
}

fn has_node(file: &CaseFile, kind: BuiltinNode, until: Date) -> bool {
    nodes_of(file.nodes, kind, until).next().is_some()
}

/// An 执行和解 agreement reached and not yet recorded as performed.
pub fn unperformed_settlement(file: &CaseFile, until: Date) -> bool {
    let reached = nodes_of(file.nodes, BuiltinNode::SettlementReached, until).map(|n| n.on).max();
    let performed = nodes_of(file.nodes, BuiltinNode::SettlementPerformed, until).map(|n| n.on).max();
    match (reached, performed) {
        (Some(r), Some(p)) => p < r,
        (Some(_), None) => true,
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn close_preconditions(
    file: &CaseFile,
    mode: ClosingMode,
    ground: Option<Ground>,
    on: Date,
    document_ref: Option<&str>,
    note: &str,
    policy: &WorkflowPolicy,
    missing: &mut Vec<Missing>,
) {
    // LJ art 14: the six modes are those of 执行实施类 cases (执); resumed
    // cases (执恢) close as 执行完毕, 终本 or 终结执行 (LJ arts 21–28, read
    // only in summary). Preservation and review cases close in modes of
    // their own, which this workflow does not carry yet.
    match file.case_type {
        EnforcementType::First => {}
        EnforcementType::Resumed => {
            if !matches!(mode, ClosingMode::Completed | ClosingMode::TerminatedThisRound | ClosingMode::Terminated) {
                missing.push(Missing::new(
                    format!("恢复执行案件不以“{}”结案（可选执行完毕、终结本次执行程序、终结执行）", mode.label_zh()),
                    "《执行立结案意见》第十四条、第二十一条至第二十八条",
                ));
            }
        }
        other => missing.push(Missing::new(
            format!("{}案件的结案方式另有规定（如保全完毕、解除保全、准予撤回、驳回），本流程只办理执行实施类案件（执、执恢）", other.code()),
            "《执行立结案意见》第十四条",
        )),
    }
    // LJ art 23: a case with an unperformed settlement cannot be closed —
    // except by 终结执行 on its own ground (withdrawal after settlement…).
    if mode != ClosingMode::Terminated && unperformed_settlement(file, on) {
        missing.push(Missing::new(
            "执行和解协议尚未履行完毕",
            "《执行立结案意见》第二十三条：执行和解协议未履行完毕的案件不得结案",
        ));
    }
    match mode {
        ClosingMode::Completed => {
            if !has_node(file, BuiltinNode::PerformanceConfirmed, on)
                && !has_node(file, BuiltinNode::SettlementPerformed, on)
            {
                missing.push(Missing::new(
                    "申请执行人书面确认履行完毕（或执行和解协议履行完毕）",
                    "《执行立结案意见》第十五条；《执行和解规定》第八条",
                ));
            }
        }
        ClosingMode::TerminatedThisRound => {
            missing.extend(zhongben_checklist(file, on, policy).into_iter().filter(|i| !i.met).map(|i| i.missing()));
            if document_ref.is_none() {
                missing.push(Missing::new("终结本次执行程序裁定书文号", "《民诉法解释》第五百一十七条"));
            }
        }
        ClosingMode::Terminated => match ground {
            Some(Ground::Termination(g)) => {
                if g == TerminationGround::Other && note.trim().is_empty() {
                    missing.push(Missing::new("“其他情形”须在说明中写明理由", "《民事诉讼法》第二百六十八条第六项"));
                }
                if g.needs_ruling() && document_ref.is_none() {
                    missing.push(Missing::new("终结执行裁定书文号", "《民事诉讼法》第二百六十九条"));
                }
            }
            _ => missing.push(Missing::new(
                "终结执行的事由（从法定事由中选择）",
                "《民事诉讼法》第二百六十八条；《执行立结案意见》第十七条",
            )),
        },
        ClosingMode::Cancelled => {
            if !matches!(ground, Some(Ground::Cancellation(_))) {
                missing.push(Missing::new("销案的事由（从法定事由中选择）", "《执行立结案意见》第十八条"));
            }
        }
        ClosingMode::NotEnforced => {
            if document_ref.is_none() {
                missing.push(Missing::new(
                    "不予执行裁定书文号",
                    "《执行立结案意见》第十九条；《民事诉讼法》第二百四十八条、第二百四十九条",
                ));
            }
        }
        ClosingMode::Rejected => {
            if document_ref.is_none() {
                missing.push(Missing::new("驳回申请裁定书文号", "《执行立结案意见》第二十条"));
            }
        }
    }
}

pub(crate) fn add_days(date: Date, days: u32) -> Date {
    date.checked_add(Duration::days(i64::from(days))).unwrap_or(Date::MAX)
}
