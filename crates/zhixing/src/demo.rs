//! The demo province: 浙江 courts, one user per role, and a few hundred
//! realistic enforcement cases filed through the same code path as real
//! ones (so their 案号 are issued, in order, by the register).
//!
//! Everything is generated from a fixed seed: the same command gives the
//! same names, numbers and amounts. Identity numbers are valid by their
//! check digits but invented; any match with a real person is chance.

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use time::{Date, Duration};
use zhixing_core::access::{Role, Username};
use zhixing_core::calendar::iso_date;
use zhixing_core::case::{FilingContext, RawBasis, RawCase, RawClaim, RawParty, parse_case};
use zhixing_core::court::{CourtCode, CourtDirectory};
use zhixing_core::{citizen_id, credit_code};
use zhixing_store::{NewUser, Store, UserRef};

pub const DEMO_PASSWORD: &str = "zhixing-demo";

/// (username, display name, role, court)
pub const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    ("zj_admin", "省高院系统管理员", Role::Admin, "浙"),
    ("zj_command", "浙江高院指挥中心", Role::Command, "浙"),
    ("zj_chief", "周启明", Role::Chief, "浙"),
    ("nb_command", "宁波中院指挥中心", Role::Command, "浙02"),
    ("nb_chief", "沈建国", Role::Chief, "浙02"),
    ("nb_judge", "林晓燕", Role::Judge, "浙02"),
    ("hz_chief", "何志远", Role::Chief, "浙01"),
    ("hs_chief", "陈立新", Role::Chief, "浙0203"),
    ("hs_judge", "王海涛", Role::Judge, "浙0203"),
    ("hs_judge2", "李静", Role::Judge, "浙0203"),
    ("hs_assistant", "张晨", Role::Assistant, "浙0203"),
    ("hs_clerk", "赵敏", Role::Clerk, "浙0203"),
    ("yz_chief", "孙伟", Role::Chief, "浙0212"),
    ("yz_judge", "吴磊", Role::Judge, "浙0212"),
    ("yz_clerk", "郑丽", Role::Clerk, "浙0212"),
    ("xh_judge", "黄俊", Role::Judge, "浙0106"),
    ("xh_clerk", "许佳", Role::Clerk, "浙0106"),
];

/// (court, cases to file, region codes for local parties)
const DEMO_COURTS: &[(&str, usize, &[&str])] = &[
    ("浙0203", 160, &["330203", "330212", "330205", "330206"]),
    ("浙0212", 100, &["330212", "330203", "330213", "330282"]),
    ("浙0106", 60, &["330106", "330102", "330105", "330110"]),
    ("浙02", 12, &["330203", "330212", "330281", "330282"]),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋",
    "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "沈", "姚", "卢", "姜", "钟", "陆", "汪", "范", "金", "石",
    "应", "邵", "毛", "竺", "虞",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "建华", "海燕", "志强", "晓东", "佳怡", "子涵", "浩然", "雨桐", "国平", "立群", "美玲", "建军", "文斌",
    "春梅", "亚萍", "宏伟", "永康", "慧芬", "晓峰", "秋萍", "国庆", "金花", "德明", "丽君",
];
const BRANDS: &[&str] = &[
    "甬兴",
    "海越",
    "恒达",
    "鑫源",
    "华瑞",
    "宏图",
    "博远",
    "嘉禾",
    "天成",
    "瑞丰",
    "金鼎",
    "三江",
    "明州",
    "四明",
    "天一",
    "月湖",
    "东钱湖",
    "象港",
    "慈城",
    "甬江",
    "北仑港",
    "新碶",
    "钱江",
    "西溪",
    "之江",
    "运河",
];
const TRADES: &[&str] = &[
    "贸易",
    "建筑工程",
    "机械制造",
    "电子科技",
    "物流",
    "餐饮管理",
    "房地产开发",
    "服装",
    "汽车销售",
    "信息技术",
    "装饰工程",
    "进出口",
    "模具",
    "家居用品",
    "塑料制品",
    "水产",
    "文具",
    "轴承",
];
const STREETS: &[&str] =
    &["中山西路", "解放南路", "鄞州大道", "天童南路", "环城西路", "丽园北路", "文三路", "教工路", "兴宁路", "百丈路"];

struct Dispute {
    cause: &'static str,
    what: &'static str,
    org_respondent: bool,
}

const DISPUTES: &[Dispute] = &[
    Dispute { cause: "买卖合同纠纷", what: "货款", org_respondent: true },
    Dispute { cause: "民间借贷纠纷", what: "借款本金", org_respondent: false },
    Dispute { cause: "劳务合同纠纷", what: "劳务报酬", org_respondent: true },
    Dispute { cause: "机动车交通事故责任纠纷", what: "赔偿款", org_respondent: false },
    Dispute { cause: "房屋租赁合同纠纷", what: "租金", org_respondent: false },
    Dispute { cause: "建设工程施工合同纠纷", what: "工程款", org_respondent: true },
    Dispute { cause: "金融借款合同纠纷", what: "借款本金", org_respondent: false },
    Dispute { cause: "追索劳动报酬纠纷", what: "工资", org_respondent: true },
];

/// Generates realistic enforcement cases (deterministic for a seed).
pub struct CaseGenerator {
    rng: StdRng,
}

impl CaseGenerator {
    pub fn new(seed: u64) -> Self {
        Self { rng: StdRng::seed_from_u64(seed) }
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items.choose(&mut self.rng).copied().unwrap_or_default()
    }

    fn person_name(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))
    }

    fn company_name(&mut self, city: &str) -> String {
        let suffix = if self.rng.random_bool(0.15) { "股份有限公司" } else { "有限公司" };
        format!("{city}{}{}{suffix}", self.pick(BRANDS), self.pick(TRADES))
    }

    fn citizen_id(&mut self, regions: &[&str]) -> String {
        let region = self.pick(regions).to_string();
        let year = self.rng.random_range(1955..=2001);
        let month = self.rng.random_range(1..=12);
        let day = self.rng.random_range(1..=28);
        let seq = self.rng.random_range(0..1000);
        let body = format!("{region}{year:04}{month:02}{day:02}{seq:03}");
        format!("{body}{}", citizen_id::check_char(&body))
    }

    fn credit_code(&mut self, region: &str) -> String {
        const SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
        loop {
            let mut org = String::from("MA");
            for _ in 0..6 {
                org.push(char::from(SET[self.rng.random_range(0..SET.len())]));
            }
            let Some(org_check) = credit_code::organization_check_char(&org) else { continue };
            let body = format!("91{region}{org}{org_check}");
            if let Some(check) = credit_code::check_char(&body) {
                return format!("{body}{check}");
            }
        }
    }

    fn address(&mut self, city: &str) -> String {
        format!("{city}{}{}号", self.pick(STREETS), self.rng.random_range(1..400))
    }
}

/// 案件受理费 of a money claim under 《诉讼费用交纳办法》第十三条(一) (used only
/// to make demo judgments realistic).
fn acceptance_fee(amount_yuan: i64) -> i64 {
    // (upper bound of the band in 元, rate in per mille)
    const BANDS: &[(i64, i64)] = &[
        (100_000, 25),
        (200_000, 20),
        (500_000, 15),
        (1_000_000, 10),
        (2_000_000, 9),
        (5_000_000, 8),
        (10_000_000, 7),
        (20_000_000, 6),
        (i64::MAX, 5),
    ];
    let mut fee_milli = 50_000; // 50元 for the first 10,000元
    let mut lower = 10_000;
    for &(upper, per_mille) in BANDS {
        if amount_yuan <= lower {
            break;
        }
        fee_milli += (amount_yuan.min(upper) - lower) * per_mille;
        lower = upper;
    }
    fee_milli / 1000
}

/// Creates the demo users and cases. Returns the number of cases filed.
pub async fn load(store: &Store, today: Date, now_ms: i64) -> Result<usize> {
    let courts = CourtDirectory::new(store.courts().await?)?;
    let password_hash = |pw: &str| zhixing_web::auth::hash_password(pw).map_err(anyhow::Error::msg);
    let mut users = Vec::new();
    for (username, display_name, role, court) in DEMO_USERS {
        let user = store
            .create_user(
                &NewUser {
                    username: Username::parse(username).map_err(anyhow::Error::msg)?,
                    display_name: (*display_name).to_string(),
                    role: *role,
                    court: CourtCode::parse(court)?,
                    password_hash: password_hash(DEMO_PASSWORD)?,
                },
                now_ms,
            )
            .await
            .with_context(|| format!("创建演示用户 {username}"))?;
        users.push(user);
    }

    let mut generator = CaseGenerator::new(2026);
    let start = Date::from_calendar_date(2025, time::Month::January, 2)?;
    let span = (today - start).whole_days().max(1);
    let mut filed = 0;
    for (court_code, count, regions) in DEMO_COURTS {
        let court = courts.find(court_code).context("演示法院不在法院表中")?.clone();
        let court_users: Vec<_> = users.iter().filter(|u| u.court == court.code).collect();
        let clerk = court_users
            .iter()
            .find(|u| matches!(u.role, Role::Clerk | Role::Assistant))
            .or_else(|| court_users.first())
            .context("演示法院没有用户")?;
        let judges: Vec<UserRef> =
            court_users.iter().filter(|u| matches!(u.role, Role::Judge | Role::Chief)).map(|u| u.as_ref()).collect();
        let mut dates: Vec<Date> =
            (0..*count).map(|_| start + Duration::days(generator.rng.random_range(0..=span))).collect();
        dates.sort();
        for (i, filed_on) in dates.into_iter().enumerate() {
            let raw = demo_case(&mut generator, &court.name, court_code, regions, filed_on, i);
            let ctx = FilingContext { today, court_level: court.level, may_override_id_checks: true };
            let draft = parse_case(&raw, &ctx).map_err(|e| anyhow::anyhow!("演示案件无效：{e:?}"))?;
            // Judges are assigned within 7 days of filing (QX art 2); recent cases may still wait.
            let judge = if (today - filed_on).whole_days() > 3 || generator.rng.random_bool(0.3) {
                judges.get(i % judges.len().max(1)).cloned()
            } else {
                None
            };
            let mut draft = draft;
            draft.handling_judge = judge.as_ref().map(|j| j.username.clone());
            let case = store.file_case(&court.code, &draft, judge.as_ref(), &clerk.as_ref(), now_ms).await?;
            if let Some(judge) = &judge
                && matches!(
                    case.case_type,
                    zhixing_core::case_number::EnforcementType::First
                        | zhixing_core::case_number::EnforcementType::Resumed
                )
            {
                progress(store, &mut generator, &case, judge, today, now_ms).await?;
            }
            // One open case in five has a seizure: a real-estate seizure
            // first in line, and now and then a deposit freeze queued
            // behind another court's (轮候).
            if filed % 5 == 2 {
                seize(store, &court.code, &case, &clerk.as_ref(), filed, today, now_ms).await?;
            }
            filed += 1;
        }
    }
    // Posts of the enforcement bureaus: each demo chief holds the chief's
    // post; 西湖 has had its chief's post vacant since May 2024 (the seed
    // article's complaint), so the dashboard flags it.
    for user in users.iter().filter(|u| u.role == Role::Chief) {
        let since = Date::from_calendar_date(2023, time::Month::March, 1)?;
        store
            .set_post(
                &user.court,
                zhixing_core::dashboard::Post::Chief,
                Some(&user.display_name),
                Some(since),
                None,
                now_ms,
            )
            .await?;
    }
    let xihu = CourtCode::parse("浙0106")?;
    let vacant_since = Date::from_calendar_date(2024, time::Month::May, 6)?;
    store.set_post(&xihu, zhixing_core::dashboard::Post::Chief, None, Some(vacant_since), None, now_ms).await?;
    store
        .set_post(&xihu, zhixing_core::dashboard::Post::Deputy, Some("郑文斌"), Some(vacant_since), None, now_ms)
        .await?;
    Ok(filed)
}

/// Records a seizure on an open demo case.
async fn seize(
    store: &Store,
    court: &CourtCode,
    case: &zhixing_store::StoredCase,
    actor: &UserRef,
    n: usize,
    today: Date,
    now_ms: i64,
) -> Result<()> {
    use zhixing_core::seizure::{RawSeizure, parse_seizure};
    // Within the last 230 days, so that even a one-year freeze is still running.
    let seized_on = (today - Duration::days(30 + (n % 200) as i64)).max(case.filed_on).min(today);
    let deposit = n.is_multiple_of(2);
    let years = if deposit { 1 } else { 3 };
    let expires = Date::from_calendar_date(seized_on.year() + years, seized_on.month(), seized_on.day().min(28))?;
    let raw = RawSeizure {
        kind: Some(if deposit { "bank_deposit" } else { "real_estate" }.into()),
        property: Some(if deposit {
            format!("被执行人在中国工商银行宁波分行的账户 6222 0239 {:04} 存款", n % 10_000)
        } else {
            format!("不动产权证书 浙（{}）宁波市不动产权第{:07}号 房屋", seized_on.year(), 100_000 + n)
        }),
        holder: Some(if deposit { "中国工商银行宁波分行" } else { "宁波市自然资源和规划局" }.into()),
        location_court: Some(court.as_str().into()),
        amount: deposit.then(|| (case.amount_applied.fen() / 300).max(100).to_string()),
        seized_on: Some(zhixing_core::calendar::iso_date(seized_on)),
        expires_on: Some(zhixing_core::calendar::iso_date(expires)),
        priority: Some(if n % 7 == 2 { "2" } else { "1" }.into()),
    };
    let new = parse_seizure(&raw, today).map_err(|e| anyhow::anyhow!("演示查封无效：{e:?}"))?;
    match store.record_seizure(court, case.id, &new, actor, now_ms).await {
        // Closed by its progress meanwhile: no seizure to record.
        Ok(_) | Err(zhixing_store::StoreError::Refused(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// One case of a court (`court_code` with `regions`, the administrative
/// division codes of its parties), filed on `filed_on`; `i` varies the type.
pub fn demo_case(
    g: &mut CaseGenerator,
    court_name: &str,
    court_code: &str,
    regions: &[&str],
    filed_on: Date,
    i: usize,
) -> RawCase {
    let intermediate = court_code.len() == "浙02".len();
    let city = if court_code.starts_with("浙01") { "杭州" } else { "宁波" };
    let dispute = &DISPUTES[g.rng.random_range(0..DISPUTES.len())];
    let effective_on = filed_on - Duration::days(g.rng.random_range(15..120));
    // The trial or arbitration case was received in the year the document took effect or the year before.
    let year = effective_on.year() - i32::from(g.rng.random_bool(0.3));

    let case_type = if intermediate {
        if i.is_multiple_of(3) {
            "执异"
        } else if i % 3 == 1 {
            "执复"
        } else {
            "执"
        }
    } else {
        match g.rng.random_range(0..100) {
            0..=84 => "执",
            85..=93 => "执恢",
            _ => "执保",
        }
    };

    // Parties.
    let applicant_is_bank = dispute.cause == "金融借款合同纠纷";
    let applicant_org = applicant_is_bank || (dispute.org_respondent && g.rng.random_bool(0.4));
    let applicant = if applicant_is_bank {
        let bank = g.pick(&[
            "中国工商银行股份有限公司",
            "中国农业银行股份有限公司",
            "宁波银行股份有限公司",
            "浙商银行股份有限公司",
        ]);
        RawParty {
            role: Some("applicant".into()),
            kind: Some("organization".into()),
            name: Some(format!("{bank}{city}分行")),
            id_number: Some(g.credit_code(regions[0])),
            legal_representative: Some(g.person_name()),
            address: Some(g.address(city)),
            ..Default::default()
        }
    } else if applicant_org {
        RawParty {
            role: Some("applicant".into()),
            kind: Some("organization".into()),
            name: Some(g.company_name(city)),
            id_number: Some(g.credit_code(regions[0])),
            legal_representative: Some(g.person_name()),
            address: Some(g.address(city)),
            ..Default::default()
        }
    } else {
        RawParty {
            role: Some("applicant".into()),
            kind: Some("person".into()),
            name: Some(g.person_name()),
            id_number: Some(g.citizen_id(regions)),
            address: Some(g.address(city)),
            ..Default::default()
        }
    };
    let mut parties = vec![applicant];
    let respondent_org = dispute.org_respondent || g.rng.random_bool(0.2);
    let respondent = if respondent_org {
        let region = g.pick(regions).to_string();
        RawParty {
            role: Some("respondent".into()),
            kind: Some("organization".into()),
            name: Some(g.company_name(city)),
            id_number: Some(g.credit_code(&region)),
            legal_representative: Some(g.person_name()),
            address: Some(g.address(city)),
            ..Default::default()
        }
    } else {
        RawParty {
            role: Some("respondent".into()),
            kind: Some("person".into()),
            name: Some(g.person_name()),
            id_number: Some(g.citizen_id(regions)),
            address: Some(g.address(city)),
            ..Default::default()
        }
    };
    let respondent_name = respondent.name.clone().unwrap_or_default();
    parties.push(respondent);
    // Guarantors or co-debtors: a second respondent in a quarter of cases.
    if g.rng.random_bool(0.25) {
        parties.push(RawParty {
            role: Some("respondent".into()),
            kind: Some("person".into()),
            name: Some(g.person_name()),
            id_number: Some(g.citizen_id(regions)),
            address: Some(g.address(city)),
            ..Default::default()
        });
    }
    let applicant_name = parties[0].name.clone().unwrap_or_default();

    // Amounts: mostly small and medium claims, a long tail of large ones.
    let principal: i64 = match g.rng.random_range(0..100) {
        0..=49 => g.rng.random_range(3_000..80_000),
        50..=84 => g.rng.random_range(80_000..600_000),
        85..=96 => g.rng.random_range(600_000..5_000_000),
        _ => g.rng.random_range(5_000_000..40_000_000),
    };
    let principal_fen =
        principal * 100 + i64::from(g.rng.random_range(0..100u32)) * if g.rng.random_bool(0.3) { 1 } else { 0 };
    let simplified = principal < 500_000;
    let fee = if simplified { acceptance_fee(principal) / 2 } else { acceptance_fee(principal) };
    let interest = g.rng.random_bool(0.5);

    // The document enforced.
    let (document_type, issuing_body, document_number, due) = match g.rng.random_range(0..100) {
        0..=59 => (
            "判决书",
            court_name.to_string(),
            format!("（{year}）{court_code}民初{}号", g.rng.random_range(100..15_000)),
            Some(effective_on + Duration::days(10)),
        ),
        60..=79 => (
            "调解书",
            court_name.to_string(),
            format!("（{year}）{court_code}民初{}号", g.rng.random_range(100..15_000)),
            Some(effective_on + Duration::days(g.rng.random_range(15..90))),
        ),
        80..=89 => (
            "仲裁裁决书",
            format!("{city}仲裁委员会"),
            format!("{}仲裁字〔{year}〕第{}号", if city == "宁波" { "甬" } else { "杭" }, g.rng.random_range(10..900)),
            Some(effective_on + Duration::days(10)),
        ),
        90..=95 => (
            "公证债权文书",
            format!("浙江省{city}市{}公证处", if city == "宁波" { "海曙" } else { "西湖" }),
            format!(
                "（{year}）浙{}证字第{}号",
                if city == "宁波" { "甬海" } else { "杭西" },
                g.rng.random_range(100..9000)
            ),
            None,
        ),
        _ => (
            "支付令",
            court_name.to_string(),
            format!("（{year}）{court_code}民督{}号", g.rng.random_range(1..300)),
            Some(effective_on),
        ),
    };

    let amount_text = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    let mut operative = format!(
        "一、被告{respondent_name}于本{}生效之日起十日内支付原告{applicant_name}{}{}元",
        if document_type == "调解书" { "调解书" } else { "判决" },
        dispute.what,
        amount_text(principal_fen)
    );
    if interest {
        operative.push_str(&format!(
            "，并支付以{}元为基数，自{}起按全国银行间同业拆借中心公布的一年期贷款市场报价利率计算至实际履行之日止的利息",
            amount_text(principal_fen),
            zhixing_core::calendar::chinese_date(effective_on - Duration::days(g.rng.random_range(90..400)))
        ));
    }
    operative.push_str("；\n");
    operative.push_str(&format!(
        "二、案件受理费{fee}元{}，由被告{respondent_name}负担。",
        if simplified { "（减半收取）" } else { "" }
    ));
    if document_type == "判决书" {
        operative.push_str("\n如果未按本判决指定的期间履行给付金钱义务，应当依照《中华人民共和国民事诉讼法》第二百六十四条之规定，加倍支付迟延履行期间的债务利息。");
    }

    let mut claims = vec![RawClaim {
        kind: Some("principal".into()),
        amount: Some(amount_text(principal_fen)),
        description: Some(dispute.what.to_string()),
    }];
    if fee > 0 && document_type != "公证债权文书" {
        claims.push(RawClaim {
            kind: Some("costs".into()),
            amount: Some(format!("{fee}.00")),
            description: Some("案件受理费".into()),
        });
    }
    if interest {
        let interest_fen = principal_fen * i64::from(g.rng.random_range(2..9u32)) / 100;
        claims.push(RawClaim {
            kind: Some("other".into()),
            amount: Some(amount_text(interest_fen.max(1))),
            description: Some("利息（计至申请执行之日）".into()),
        });
    }

    RawCase {
        case_type: Some(case_type.into()),
        filed_on: Some(iso_date(filed_on)),
        handling_judge: None,
        basis: RawBasis {
            issuing_body: Some(issuing_body),
            document_number: Some(document_number),
            document_type: Some(document_type.into()),
            effective_on: Some(iso_date(effective_on)),
            performance_due_on: due.map(iso_date),
            operative_text: Some(format!("{}\n（案由：{}）", operative, dispute.cause)),
        },
        parties,
        claims,
    }
}

/// Carries a demo case through the workflow as far as its age allows, the
/// way a court would: 执行通知 and 报告财产令 within days, network inquiry,
/// restrictions, and then one of the usual outcomes — paid and closed, 终本
/// after the checklist, suspended on an outsider's objection, or still open
/// (some with a missed deadline, so the lists show something to do).
async fn progress(
    store: &Store,
    g: &mut CaseGenerator,
    case: &zhixing_store::StoredCase,
    judge: &UserRef,
    today: Date,
    now_ms: i64,
) -> Result<()> {
    use zhixing_core::money::Money;
    use zhixing_core::workflow::{Action, BuiltinNode as N, ClosingMode, NodeInput, NodeKind, SuspensionGround};
    use zhixing_store::TransitionRequest;

    let filed = case.filed_on;
    let age = (today - filed).whole_days();
    let number = case.case_number.to_string();
    let day = |offset: i64| filed + Duration::days(offset);
    let mut steps: Vec<(i64, N, String, Option<Money>)> = Vec::new();
    let mut add = |offset: i64, kind: N, note: &str| steps.push((offset, kind, note.to_string(), None));
    // About one case in eight gets its 执行通知 late — or not yet.
    let notice_day = if g.rng.random_bool(0.12) { 12 + g.rng.random_range(0..6) } else { 1 + g.rng.random_range(0..7) };
    add(notice_day, N::NoticeServed, "执行通知书、报告财产令一并送达，已告知迟延履行利息及失信风险");
    add(notice_day, N::ReportOrderServed, "");
    add(notice_day + 1, N::NetworkInquirySent, "");
    add(notice_day + 6, N::NetworkInquiryAnswered, "存款、车辆、不动产、证券等均无可供执行财产");
    add(notice_day + 8, N::ConsumptionRestrictionIssued, "");
    add(notice_day + 20, N::PropertyReportVerified, "报告内容与查询结果一致");
    if g.rng.random_bool(0.3) {
        add(notice_day + 25, N::LeadReceived, "申请执行人反映被执行人在外地有一处厂房");
        if age > notice_day + 40 {
            add(notice_day + 30, N::LeadVerified, "经查厂房系租赁，非被执行人所有");
        }
    }
    add(notice_day + 35, N::OnsiteInvestigation, "至被执行人住所地调查，未发现可供执行财产");
    add(notice_day + 40, N::DishonestListingDecided, "具有履行能力而拒不履行，决定纳入失信被执行人名单");
    let outcome = g.rng.random_range(0..100);
    let paid = outcome < 25;
    // Old cases still open are mostly closed by 终本 in practice.
    let zhongben = ((25..60).contains(&outcome) && age > 110) || (outcome >= 66 && age > 300 && g.rng.random_bool(0.8));
    let suspended = (60..66).contains(&outcome) && age > 70;
    if paid {
        steps.retain(|s| s.0 <= notice_day + 8);
        let amount = case.amount_applied;
        steps.push((notice_day + 15, N::PaymentReceived, "被执行人履行全部款项".into(), Some(amount)));
        steps.push((notice_day + 16, N::PerformanceConfirmed, "申请执行人书面确认履行完毕".into(), None));
    }
    if zhongben {
        steps.push((
            100,
            N::ApplicantInterviewed,
            "告知财产调查情况及终本后果，申请执行人同意终本并保留恢复执行权利".into(),
            None,
        ));
        steps.push((102, N::CollegialReview, "合议庭一致意见：符合终本条件".into(), None));
        steps.push((104, N::PresidentApproved, "".into(), None));
    }
    let policy = store.workflow_rules().policy.clone();
    let limit_days = if policy.non_litigation_documents.contains(&case.basis.document_type) { 89 } else { 181 };
    if !paid && !zhongben && !suspended && age > limit_days && g.rng.random_bool(0.6) {
        // Near the closing limit: the judge asked in time and the president
        // extended (QX art 1; SX art 5).
        steps.push((limit_days - 11, N::ExtensionRequested, "财产处置尚未完成，申请延长执行期限三个月".into(), None));
        steps.push((limit_days - 8, N::ExtensionApproved, "院长批准延长三个月".into(), None));
    }
    steps.sort_by_key(|s| s.0);
    for (offset, kind, note, amount) in steps {
        let on = day(offset);
        if on > today {
            break;
        }
        let input = NodeInput { kind: NodeKind::Builtin(kind), on, note, document_ref: Some(number.clone()), amount };
        store.record_node(&case.court, case.id, &input, judge, now_ms).await?;
    }
    let transition = |action: Action, on: Date, document_ref: Option<String>| TransitionRequest {
        action,
        on,
        note: String::new(),
        document_ref,
    };
    let close_on = |offset: i64| day(offset).min(today);
    if paid && age > notice_day + 17 {
        let request =
            transition(Action::Close { mode: ClosingMode::Completed, ground: None }, close_on(notice_day + 17), None);
        store.apply_transition(&case.court, case.id, &request, judge, now_ms, today).await?;
    } else if zhongben {
        let request = transition(
            Action::Close { mode: ClosingMode::TerminatedThisRound, ground: None },
            close_on(106),
            Some(format!("{number}之一")),
        );
        store.apply_transition(&case.court, case.id, &request, judge, now_ms, today).await?;
        if age > 110 {
            let input = NodeInput {
                kind: NodeKind::Builtin(N::ZhongbenPublished),
                on: close_on(109),
                note: String::new(),
                document_ref: None,
                amount: None,
            };
            store.record_node(&case.court, case.id, &input, judge, now_ms).await?;
        }
        if age > 110 && g.rng.random_bool(0.5) {
            list_debtor(
                store,
                case,
                judge,
                &[zhixing_core::credit::DishonestGround::AbleButRefuses],
                day(96),
                day(98),
                None,
                &number,
                now_ms,
                today,
            )
            .await?;
        }
    } else if suspended {
        let request = transition(
            Action::Suspend(SuspensionGround::OutsiderObjection),
            close_on(60),
            Some(format!("{number}之一")),
        );
        store.apply_transition(&case.court, case.id, &request, judge, now_ms, today).await?;
    }
    if !paid && !zhongben && !suspended && (45..100).contains(&age) && g.rng.random_bool(0.3) {
        // A recent listing with a grace period (SW art 15): not public yet.
        let decided = today - Duration::days(g.rng.random_range(1..20));
        list_debtor(
            store,
            case,
            judge,
            &[zhixing_core::credit::DishonestGround::ViolatesReporting],
            decided - Duration::days(2),
            decided,
            Some(1),
            &number,
            now_ms,
            today,
        )
        .await?;
    }
    Ok(())
}

/// Proposes and decides a 失信 listing of the case's first respondent.
#[allow(clippy::too_many_arguments)]
async fn list_debtor(
    store: &Store,
    case: &zhixing_store::StoredCase,
    judge: &UserRef,
    grounds: &[zhixing_core::credit::DishonestGround],
    proposed_on: Date,
    decided_on: Date,
    grace_months: Option<u32>,
    number: &str,
    now_ms: i64,
    today: Date,
) -> Result<()> {
    use zhixing_core::credit::Capacity;
    use zhixing_store::{ListingDecision, NewListing};
    let Some(debtor) = case.parties.iter().find(|p| p.draft.role == zhixing_core::case::PartyRole::Respondent) else {
        return Ok(());
    };
    let new = NewListing {
        party_id: debtor.id,
        grounds: grounds.to_vec(),
        bars_found: Vec::new(),
        capacity: Capacity::Able,
        severity: None,
        on_application: false,
        evidence: "名下有车辆、银行流水显示有收入，经执行通知仍拒不履行".into(),
        on: proposed_on,
    };
    // A debtor the rules bar (a minor, say) is simply not listed.
    let listing = match store.propose_listing(&case.court, case.id, &new, judge, now_ms).await {
        Ok(l) => l,
        Err(zhixing_store::StoreError::Refused(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let decision =
        ListingDecision::Approve { president_approved: true, decision_ref: format!("{number}之二"), grace_months };
    store.decide_listing(&case.court, listing.id, &decision, decided_on, judge, now_ms, today).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptance_fee_follows_the_tiers() {
        // 诉讼费用交纳办法 art 13(一): 50元 up to 1万; 2.5% to 10万; 2% to 20万 …
        assert_eq!(acceptance_fee(5_000), 50);
        assert_eq!(acceptance_fee(10_000), 50);
        assert_eq!(acceptance_fee(100_000), 2_300);
        assert_eq!(acceptance_fee(200_000), 4_300);
        assert_eq!(acceptance_fee(1_000_000), 13_800);
    }

    #[test]
    fn generated_cases_are_valid() {
        let mut g = CaseGenerator::new(7);
        let today = time::macros::date!(2026 - 11 - 27);
        for i in 0..300 {
            let filed = today - Duration::days(i64::try_from(i).unwrap() * 2);
            let raw = demo_case(&mut g, "宁波市海曙区人民法院", "浙0203", &["330203", "330212"], filed, i);
            let ctx = FilingContext {
                today,
                court_level: zhixing_core::court::CourtLevel::Basic,
                may_override_id_checks: false,
            };
            parse_case(&raw, &ctx).unwrap_or_else(|e| panic!("case {i}: {e:?}"));
        }
    }
}
