//! The 终本 checklist (ZB arts 1–2, 5; JS art 517): every condition for
//! closing a case by 终结本次执行程序, each with its evidence (the nodes
//! that satisfy it) and the article that requires it. The same list is shown
//! on the case page as it fills up and is what a refused 终本 reports.

use time::Date;

use super::nodes::{BuiltinNode, Node, nodes_of};
use super::policy::{OnsiteRule, WorkflowPolicy};
use super::state::CaseFile;
use crate::calendar::chinese_date;

/// One unmet condition, as the API reports it (`missing[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    pub item: String,
    pub rule: String,
}

impl Missing {
    pub fn new(item: impl Into<String>, rule: impl Into<String>) -> Missing {
        Missing { item: item.into(), rule: rule.into() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistItem {
    /// Stable key, e.g. `applicant_interviewed`.
    pub key: &'static str,
    pub label: String,
    pub rule: &'static str,
    pub met: bool,
    /// What satisfies it (or why it does not apply), for the case page.
    pub evidence: Vec<String>,
}

impl ChecklistItem {
    pub fn missing(&self) -> Missing {
        Missing::new(self.label.clone(), self.rule)
    }
}

fn evidence(node: &Node) -> String {
    let mut text = format!("{} {}", chinese_date(node.on), node.kind.builtin().map_or("", |b| b.label_zh()));
    if let Some(doc) = &node.document_ref {
        text.push_str(&format!("（{doc}）"));
    }
    if !node.note.is_empty() {
        text.push_str(&format!("：{}", node.note));
    }
    text
}

struct Builder<'a> {
    nodes: &'a [Node],
    on: Date,
    items: Vec<ChecklistItem>,
}

impl Builder<'_> {
    /// An item met by any node of `kinds`.
    fn any_of(&mut self, key: &'static str, label: &str, rule: &'static str, kinds: &[BuiltinNode]) {
        let found: Vec<String> = kinds.iter().flat_map(|k| nodes_of(self.nodes, *k, self.on)).map(evidence).collect();
        self.items.push(ChecklistItem { key, label: label.to_string(), rule, met: !found.is_empty(), evidence: found });
    }

    fn push(&mut self, key: &'static str, label: String, rule: &'static str, met: bool, evidence: Vec<String>) {
        self.items.push(ChecklistItem { key, label, rule, met, evidence });
    }
}

/// The checklist as of `on` (nodes dated later do not count).
pub fn zhongben_checklist(file: &CaseFile, on: Date, policy: &WorkflowPolicy) -> Vec<ChecklistItem> {
    let mut b = Builder { nodes: file.nodes, on, items: Vec::new() };
    // ZB art 1 (一), art 2: 执行通知 and 报告财产令, the report verified or
    // the refusal sanctioned — all recorded in the file.
    b.any_of(
        "notice_served",
        "已发出执行通知书",
        "《终本规定》第一条第一项；《民诉法解释》第四百八十条",
        &[BuiltinNode::NoticeServed],
    );
    b.any_of(
        "report_order_served",
        "已责令被执行人报告财产（报告财产令）",
        "《终本规定》第一条第一项、第二条",
        &[BuiltinNode::ReportOrderServed],
    );
    b.any_of(
        "property_report_checked",
        "财产报告已核实，或对拒不报告、虚假报告已予罚款、拘留",
        "《终本规定》第二条",
        &[BuiltinNode::PropertyReportVerified, BuiltinNode::SanctionImposed],
    );
    // ZB art 1 (二)
    b.any_of(
        "consumption_restriction",
        "已发出限制消费令",
        "《终本规定》第一条第二项",
        &[BuiltinNode::ConsumptionRestrictionIssued],
    );
    b.any_of(
        "dishonest_listing_decided",
        "已对是否纳入失信被执行人名单作出决定",
        "《终本规定》第一条第二项；《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        &[BuiltinNode::DishonestListingDecided],
    );
    // ZB art 1 (三): property investigation exhausted.
    b.any_of(
        "network_inquiry",
        "已通过网络执行查控系统查询并获反馈",
        "《终本规定》第一条第三项",
        &[BuiltinNode::NetworkInquiryAnswered],
    );
    let received: Vec<&Node> = nodes_of(file.nodes, BuiltinNode::LeadReceived, on).collect();
    let verified: Vec<&Node> = nodes_of(file.nodes, BuiltinNode::LeadVerified, on).collect();
    let mut lead_evidence: Vec<String> = verified.iter().map(|n| evidence(n)).collect();
    if received.is_empty() {
        lead_evidence.push("申请执行人未提供财产线索".to_string());
    }
    let pending = received.len().saturating_sub(verified.len());
    let label = if pending == 0 {
        "申请执行人提供的财产线索均已核查".to_string()
    } else {
        format!("申请执行人提供的财产线索均已核查（尚有{pending}条未核查）")
    };
    b.push("leads_verified", label, "《终本规定》第一条第三项；《财产调查规定》第二条", pending == 0, lead_evidence);
    match policy.onsite_investigation {
        OnsiteRule::Always => b.any_of(
            "onsite_investigation",
            "已对被执行人住所地或财产所在地进行实地调查",
            "《终本规定》第一条第三项",
            &[BuiltinNode::OnsiteInvestigation],
        ),
        OnsiteRule::NotRequired => b.push(
            "onsite_investigation",
            "实地调查（本院政策：不作为必备条件）".to_string(),
            "《终本规定》第一条第三项",
            true,
            nodes_of(file.nodes, BuiltinNode::OnsiteInvestigation, on).map(evidence).collect(),
        ),
    }
    // ZB art 1 (四): more than three months since filing.
    let earliest =
        super::deadlines::add_months(file.filed_on, policy.zhongben_min_months).next_day().unwrap_or(Date::MAX);
    b.push(
        "three_months",
        format!("自立案之日起已超过{}个月（{}起）", policy.zhongben_min_months, chinese_date(earliest)),
        "《终本规定》第一条第四项",
        on >= earliest,
        vec![format!("立案日期 {}", chinese_date(file.filed_on))],
    );
    // ZB art 1 (五): conditional items.
    let untraceable: Vec<&Node> = nodes_of(file.nodes, BuiltinNode::DebtorUntraceable, on).collect();
    if untraceable.is_empty() {
        b.push(
            "debtor_searched",
            "被执行人下落不明的，已依法查找".to_string(),
            "《终本规定》第一条第五项",
            true,
            vec!["未记录被执行人下落不明".to_string()],
        );
    } else {
        b.any_of(
            "debtor_searched",
            "被执行人下落不明的，已依法查找",
            "《终本规定》第一条第五项",
            &[BuiltinNode::DebtorSearched],
        );
    }
    let obstruction = nodes_of(file.nodes, BuiltinNode::ObstructionFound, on).map(|n| n.on).min();
    match obstruction {
        None => b.push(
            "obstruction_sanctioned",
            "妨碍、抗拒执行的，已依法采取罚款、拘留等强制措施".to_string(),
            "《终本规定》第一条第五项",
            true,
            vec!["未记录妨碍、抗拒执行行为".to_string()],
        ),
        Some(found_on) => {
            let sanctions: Vec<String> = nodes_of(file.nodes, BuiltinNode::SanctionImposed, on)
                .filter(|n| n.on >= found_on)
                .map(evidence)
                .collect();
            b.push(
                "obstruction_sanctioned",
                "妨碍、抗拒执行的，已依法采取罚款、拘留等强制措施".to_string(),
                "《终本规定》第一条第五项",
                !sanctions.is_empty(),
                sanctions,
            );
        }
    }
    // ZB art 5: 约谈 with the applicant's opinion recorded.
    b.any_of(
        "applicant_interviewed",
        "已约谈申请执行人并记录其意见",
        "《终本规定》第五条",
        &[BuiltinNode::ApplicantInterviewed],
    );
    // JS art 517: the applicant signs, or collegial review + president's approval.
    let confirmed: Vec<String> = nodes_of(file.nodes, BuiltinNode::ApplicantConfirmed, on).map(evidence).collect();
    let review: Vec<String> = nodes_of(file.nodes, BuiltinNode::CollegialReview, on).map(evidence).collect();
    let approval: Vec<String> = nodes_of(file.nodes, BuiltinNode::PresidentApproved, on).map(evidence).collect();
    let met = !confirmed.is_empty() || (!review.is_empty() && !approval.is_empty());
    let mut ev = confirmed;
    ev.extend(review);
    ev.extend(approval);
    b.push(
        "approval",
        "申请执行人签字确认，或经合议庭合议并报院长批准".to_string(),
        "《民诉法解释》第五百一十七条",
        met,
        ev,
    );
    b.items
}
