//! 限制消费令 (XX 2015): who is restricted, lifting, temporary lifting
//! (SW art 17(3)), and what a breach calls for (XX art 11; CPL arts 114,
//! 118–119; SX art 1(五); JZ 2024 art 3).

use time::Date;

use super::listing::coded;
use super::policy::CreditPolicy;
use crate::workflow::{Missing, Refusal};

coded! {
    /// XX art 3 ¶2: for an organisation debtor, four kinds of persons are
    /// restricted with it.
    RestrictedRole {
        Debtor = "debtor", "被执行人";
        LegalRepresentative = "legal_representative", "法定代表人";
        PrincipalOfficer = "principal_officer", "主要负责人";
        ResponsiblePerson = "responsible_person", "影响债务履行的直接责任人员";
        ActualController = "actual_controller", "实际控制人";
    }
}

coded! {
    /// SW art 17(3): urgent reasons for a temporary lifting of the travel ban.
    TemporaryLiftGround {
        MedicalTreatment = "medical_treatment", "本人或近亲属重大疾病就医";
        Funeral = "funeral", "近亲属丧葬";
        OfficialDuty = "official_duty", "本人执行或配合执行公务";
        ForeignAffairs = "foreign_affairs", "参加外事活动";
        Examination = "examination", "重要考试";
    }
}

coded! {
    /// XX art 9; SW art 17(2): why a restriction is lifted.
    LiftGround {
        FullPerformance = "full_performance", "被执行人履行完毕（限制消费规定第九条，应当解除）";
        SecurityGiven = "security_given", "被执行人提供确实有效的担保（第九条，可以解除）";
        ApplicantConsents = "applicant_consents", "申请执行人同意解除（第九条，可以解除）";
        RepresentativeChanged = "representative_changed", "单位法定代表人、主要负责人确因经营管理需要变更，原任职人员非实际控制人、直接责任人员（善意文明执行意见第十七条第二项）";
        CaseEnded = "case_ended", "执行依据被撤销、不予执行或终结执行";
    }
}

/// A temporary lifting request: only flights and high-speed rail, for a
/// listed urgent ground, president's approval, at most one month.
pub fn check_temporary_lift(
    from: Date,
    to: Date,
    president_approved: bool,
    policy: &CreditPolicy,
) -> Result<(), Refusal> {
    let mut missing = Vec::new();
    if to < from {
        missing.push(Missing::new("解除期间的结束日期不能早于开始日期", "《善意文明执行意见》第十七条第三项"));
    } else if (to - from).whole_days() + 1 > i64::from(policy.temporary_lift_max_days) {
        missing.push(Missing::new(
            format!("临时解除期间最长一个月（{}日）", policy.temporary_lift_max_days),
            "《最高人民法院关于在执行工作中进一步强化善意文明执行理念的意见》第十七条第三项",
        ));
    }
    if !president_approved {
        missing.push(Missing::new(
            "院长批准",
            "《最高人民法院关于在执行工作中进一步强化善意文明执行理念的意见》第十七条第三项",
        ));
    }
    if missing.is_empty() { Ok(()) } else { Err(Refusal { message: "不能临时解除限制消费".into(), missing }) }
}

/// What a reported breach calls for, given the debtor's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreachAdvice {
    pub step: &'static str,
    pub text: String,
    pub rule: &'static str,
}

/// The sanctions path (XX art 11; CPL art 114(六), 118–119; SX art 1(五);
/// JZ 2024 art 3(4)): a first breach calls for a fine or detention; a
/// breach after a sanction for S5 listing if not yet listed on it, and for
/// a referral for the crime of refusing to execute (拒执罪) once fines or
/// detention have not stopped it.
pub fn breach_advice(prior_sanctions: usize, listed_for_s5: bool) -> BreachAdvice {
    if prior_sanctions == 0 {
        BreachAdvice {
            step: "fine_or_detention",
            text: "违反限制消费令：依法予以罚款、拘留（个人罚款十万元以下，单位五万元以上一百万元以下，拘留十五日以下，须经院长批准）".into(),
            rule: "《限制消费规定》第十一条；《民事诉讼法》第一百一十四条第一款第六项、第一百一十八条、第一百一十九条",
        }
    } else if !listed_for_s5 {
        BreachAdvice {
            step: "list_s5",
            text: "已受罚款、拘留后仍违反限制消费令：应以“违反限制消费令”纳入失信被执行人名单".into(),
            rule: "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第五项",
        }
    } else {
        BreachAdvice {
            step: "criminal_referral",
            text: "经罚款、拘留等强制措施后仍违反限制消费令：属拒不执行判决、裁定罪“情节严重”，应移送追究刑事责任"
                .into(),
            rule: "《最高人民法院、最高人民检察院关于办理拒不执行判决、裁定刑事案件适用法律若干问题的解释》第三条第四项；《刑法》第三百一十三条",
        }
    }
}
