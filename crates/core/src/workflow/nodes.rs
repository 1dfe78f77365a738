//! Process nodes (流程节点): the dated steps of a case, each linked to its
//! document. The built-in kinds are the ones the rules of this module read
//! (deadlines, the 终本 checklist); a court may add local kinds
//! ([`LocalNodeKind`]) that are recorded and shown like the others but drive
//! no rule.

use time::Date;

use crate::error::FieldError;
use crate::money::Money;

macro_rules! builtin_nodes {
    ($( $variant:ident = $code:literal, $label:literal, $rule:literal; )*) => {
        /// The built-in node kinds. `code` is the stable API name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum BuiltinNode { $( $variant, )* }

        impl BuiltinNode {
            pub const ALL: &'static [BuiltinNode] = &[ $( BuiltinNode::$variant, )* ];

            pub fn code(self) -> &'static str {
                match self { $( BuiltinNode::$variant => $code, )* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $( BuiltinNode::$variant => $label, )* }
            }

            /// The rule that requires or governs the step (shown beside it).
            pub fn rule(self) -> &'static str {
                match self { $( BuiltinNode::$variant => $rule, )* }
            }

            pub fn parse(code: &str) -> Option<BuiltinNode> {
                Self::ALL.iter().copied().find(|k| k.code() == code)
            }
        }
    };
}

builtin_nodes! {
    JudgeAssigned = "judge_assigned", "指定承办人", "《最高人民法院关于人民法院办理执行案件若干期限的规定》第二条";
    NoticeServed = "notice_served", "执行通知书送达（含迟延履行利息与失信风险告知）", "《民诉法解释》第四百八十条";
    ReportOrderServed = "report_order_served", "报告财产令送达", "《最高人民法院关于民事执行中财产调查若干问题的规定》第三条";
    PropertyReportReceived = "property_report_received", "收到财产报告", "《财产调查规定》第五条";
    PropertyReportVerified = "property_report_verified", "财产报告已核实", "《终本规定》第二条";
    NetworkInquirySent = "network_inquiry_sent", "网络查控已发起", "《终本规定》第一条第三项";
    NetworkInquiryAnswered = "network_inquiry_answered", "网络查控已反馈", "《终本规定》第一条第三项";
    OnsiteInvestigation = "onsite_investigation", "实地调查", "《终本规定》第一条第三项";
    LeadReceived = "lead_received", "收到申请执行人提供的财产线索", "《财产调查规定》第二条";
    LeadVerified = "lead_verified", "财产线索已核查", "《财产调查规定》第二条";
    SanctionImposed = "sanction_imposed", "罚款/拘留", "《民事诉讼法》第一百一十四条；《终本规定》第一条第五项";
    DebtorUntraceable = "debtor_untraceable", "被执行人下落不明", "《终本规定》第一条第五项";
    DebtorSearched = "debtor_searched", "已查找被执行人", "《终本规定》第一条第五项";
    ObstructionFound = "obstruction_found", "发现妨碍、抗拒执行行为", "《终本规定》第一条第五项";
    ConsumptionRestrictionIssued = "consumption_restriction_issued", "限制消费令已发出", "《终本规定》第一条第二项";
    DishonestListingDecided = "dishonest_listing_decided", "失信名单已作决定（纳入或不纳入）", "《终本规定》第一条第二项";
    ApplicantInterviewed = "applicant_interviewed", "约谈申请执行人（记录其意见）", "《终本规定》第五条";
    ApplicantConfirmed = "applicant_confirmed", "申请执行人签字确认终本", "《民诉法解释》第五百一十七条";
    CollegialReview = "collegial_review", "合议庭合议", "《民诉法解释》第五百一十七条";
    PresidentApproved = "president_approved", "院长批准", "《民诉法解释》第五百一十七条";
    RulingServed = "ruling_served", "裁定书送达", "《民事诉讼法》第二百六十九条";
    PerformanceConfirmed = "performance_confirmed", "申请执行人书面确认履行完毕", "《执行立结案意见》第十五条";
    SettlementReached = "settlement_reached", "达成执行和解协议", "《最高人民法院关于执行和解若干问题的规定》第一条";
    SettlementPerformed = "settlement_performed", "执行和解协议履行完毕", "《执行和解规定》第八条";
    PaymentReceived = "payment_received", "执行款到账", "《执行立结案意见》第十五条";
    ExtensionRequested = "extension_requested", "申请延长执行期限", "《办理执行案件若干期限的规定》第一条";
    ExtensionReported = "extension_reported", "再次延长报高级人民法院备案", "《最高人民法院关于严格执行案件审理期限制度的若干规定》第五条";
    ExtensionApproved = "extension_approved", "延长执行期限获批准", "《严格执行案件审理期限制度的若干规定》第五条";
    ValuationStarted = "valuation_started", "委托审计、评估开始", "《严格执行案件审理期限制度的若干规定》第九条第八项";
    ValuationFinished = "valuation_finished", "审计、评估结束", "《严格执行案件审理期限制度的若干规定》第九条第八项";
    AuctionStarted = "auction_started", "拍卖、变卖开始", "《严格执行案件审理期限制度的若干规定》第九条第十二项";
    AuctionFinished = "auction_finished", "拍卖、变卖结束", "《严格执行案件审理期限制度的若干规定》第九条第十二项";
    ObjectionFiled = "objection_filed", "管辖权异议/管辖争议提出", "《严格执行案件审理期限制度的若干规定》第九条第七项";
    ObjectionDecided = "objection_decided", "管辖权异议/管辖争议处理完毕", "《严格执行案件审理期限制度的若干规定》第九条第七项";
    ApplicantNotified = "applicant_notified", "告知申请执行人查询结果", "《终本规定》第九条";
    ZhongbenPublished = "zhongben_published", "终本案件信息已录入终本案件库并公开", "《终本规定》第十二条";
    RestrictionBreached = "restriction_breached", "违反限制消费令（协助单位或法官报告）", "《限制消费规定》第十一条";
}

impl BuiltinNode {
    /// Kinds whose note must say something: the applicant's opinion at the
    /// 约谈 is what ZB art 5 requires to be recorded.
    pub fn requires_note(self) -> bool {
        matches!(self, BuiltinNode::ApplicantInterviewed | BuiltinNode::DishonestListingDecided)
    }

    /// Kinds that carry an amount (payments received).
    pub fn carries_amount(self) -> bool {
        matches!(self, BuiltinNode::PaymentReceived)
    }
}

/// A node kind a court added (`zhixing nodes add`): recorded and shown, not
/// read by any rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalNodeKind {
    /// `local_` + lower-case ASCII letters, digits and underscores.
    pub code: String,
    pub label: String,
    /// `None`: offered to every court; otherwise only to this court.
    pub court: Option<String>,
}

impl LocalNodeKind {
    /// Validates a new local kind: its code may not shadow a built-in one.
    pub fn parse(code: &str, label: &str, court: Option<&str>) -> Result<LocalNodeKind, FieldError> {
        let code = code.trim();
        let valid = code.len() > "local_".len()
            && code.len() <= 64
            && code.starts_with("local_")
            && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(FieldError::new(
                "code",
                "invalid_node_kind_code",
                "本院节点代码应以 local_ 开头，只含小写字母、数字和下划线（至多64个字符）",
            ));
        }
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 60 {
            return Err(FieldError::new("label", "invalid_node_kind_label", "请填写节点名称（至多60个字）"));
        }
        Ok(LocalNodeKind { code: code.to_string(), label: label.to_string(), court: court.map(str::to_string) })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Builtin(BuiltinNode),
    Local(String),
}

impl NodeKind {
    pub fn code(&self) -> &str {
        match self {
            NodeKind::Builtin(b) => b.code(),
            NodeKind::Local(code) => code,
        }
    }

    pub fn builtin(&self) -> Option<BuiltinNode> {
        match self {
            NodeKind::Builtin(b) => Some(*b),
            NodeKind::Local(_) => None,
        }
    }

    /// Reads a stored code; unknown non-local codes are not accepted.
    pub fn from_code(code: &str) -> Option<NodeKind> {
        match BuiltinNode::parse(code) {
            Some(b) => Some(NodeKind::Builtin(b)),
            None if code.starts_with("local_") => Some(NodeKind::Local(code.to_string())),
            None => None,
        }
    }
}

/// A recorded node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: i64,
    pub kind: NodeKind,
    pub on: Date,
    pub note: String,
    pub document_ref: Option<String>,
    pub amount: Option<Money>,
}

impl Node {
    pub fn is(&self, kind: BuiltinNode) -> bool {
        self.kind == NodeKind::Builtin(kind)
    }
}

/// Nodes of `kind` dated on or before `until`, oldest first.
pub fn nodes_of(nodes: &[Node], kind: BuiltinNode, until: Date) -> impl Iterator<Item = &Node> {
    nodes.iter().filter(move |n| n.is(kind) && n.on <= until)
}
