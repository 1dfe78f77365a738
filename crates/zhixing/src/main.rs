//! `zhixing` — the one binary: server, administration and demo data.

use zhixing::{app, demo};

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use zhixing_core::access::{Role, Username, check_password_policy};
use zhixing_core::calc::lpr::LprTable;
use zhixing_core::calendar::WorkCalendar;
use zhixing_core::court::{CourtCode, CourtDirectory};
use zhixing_store::{NewUser, Store, StoreError, redact};
use zhixing_web::{AppState, Clock, SystemClock, WebConfig};

#[derive(Parser)]
#[command(
    name = "zhixing",
    version,
    about = "执行 zhixing — 人民法院执行工作平台 / a platform for the civil-enforcement work of Chinese courts"
)]
struct Cli {
    /// Directory for the embedded database (used when no database URL is given).
    #[arg(long, env = "ZHIXING_DATA_DIR", default_value = "zhixing-data", global = true)]
    data_dir: PathBuf,
    /// Database URL: `sqlite:PATH` or `postgres://USER@HOST/DB`. Default: SQLite in the data directory.
    #[arg(long, env = "ZHIXING_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Workflow policy file (JSON; any subset of the values in ARCHITECTURE.md, "Workflow policy").
    /// After changing it, run `zhixing deadlines rebuild`.
    #[arg(long, env = "ZHIXING_WORKFLOW_POLICY", global = true)]
    workflow_policy: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web UI and the JSON API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ZHIXING_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// On an empty database, load the demo province first.
        #[arg(long)]
        demo: bool,
        /// Send cookies without the Secure flag. Only for a plain-HTTP trial
        /// reached by a network address; localhost works without it.
        #[arg(long, env = "ZHIXING_INSECURE_COOKIES")]
        insecure_cookies: bool,
    },
    /// Applies database migrations and loads the shipped reference data.
    Migrate,
    /// Manages user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Loads the demo province (浙江 courts, users for every role, a few hundred cases).
    Demo,
    /// Court table (法院代字).
    Courts {
        #[command(subcommand)]
        command: CourtsCommand,
    },
    /// Working-day calendar (法定节假日与调休).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// LPR fixings (贷款市场报价利率).
    Lpr {
        #[command(subcommand)]
        command: LprCommand,
    },
    /// Calculations: amount-owed statements and court fees (JSON in, JSON out).
    Calc {
        #[command(subcommand)]
        command: CalcCommand,
    },
    /// Process-node kinds a court adds to the built-in catalogue (本院流程节点).
    Nodes {
        #[command(subcommand)]
        command: NodesCommand,
    },
    /// Partner institutions (airlines, railways, hotels, banks): check-only API credentials.
    Partner {
        #[command(subcommand)]
        command: PartnerCommand,
    },
    /// Stored deadlines: recompute, or list a court's.
    Deadlines {
        #[command(subcommand)]
        command: DeadlinesCommand,
    },
    /// Command dashboard: counters, indicator definitions, posts of a court.
    Dashboard {
        #[command(subcommand)]
        command: DashboardCommand,
    },
}

#[derive(Subcommand)]
enum DashboardCommand {
    /// Rebuilds every dashboard counter from the records (they are otherwise maintained as cases change).
    Rebuild,
    /// Prints a court's dashboard as JSON-like text lines (one per court one level down).
    Show {
        #[arg(long)]
        court: String,
    },
    /// Lists the current indicator definitions and their versions.
    Indicators,
    /// Adds a new version of an indicator definition from a JSON file
    /// (`{"code","name","numerator","denominator","case_types","period","unit","note"}`).
    SetIndicator { file: PathBuf },
    /// Records the holder of a post of a court (omit --holder for a vacancy).
    SetPost {
        #[arg(long)]
        court: String,
        /// chief, deputy, command_director, adjudication_head, implementation_head
        #[arg(long)]
        post: String,
        #[arg(long)]
        holder: Option<String>,
        /// Holder since, or vacant since (YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
    },
}

#[derive(Subcommand)]
enum NodesCommand {
    /// Adds a local node kind (code `local_…`), for one court or (without --court) for all.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        label: String,
        #[arg(long)]
        court: Option<String>,
    },
    /// Lists the built-in and local node kinds.
    List,
}

#[derive(Subcommand)]
enum PartnerCommand {
    /// Creates a partner credential and prints its token once.
    Add {
        #[arg(long)]
        name: String,
    },
    /// Revokes a partner's credential (effective within seconds).
    Revoke {
        #[arg(long)]
        name: String,
    },
    /// Lists partners and how many calls each made.
    List,
}

#[derive(Subcommand)]
enum DeadlinesCommand {
    /// Recomputes the stored deadlines of every case (after a calendar or policy change).
    Rebuild,
    /// Prints a court's open deadlines due within N working days (and those overdue).
    List {
        #[arg(long)]
        court: String,
        #[arg(long, default_value_t = 10)]
        within: u32,
    },
}

#[derive(Subcommand)]
enum LprCommand {
    /// Adds or corrects fixings from a `published_on,lpr_1y_percent,lpr_5y_percent` CSV file.
    Import { file: PathBuf },
    /// Prints the fixings as CSV.
    List,
}

#[derive(Subcommand)]
enum CalcCommand {
    /// Reads a statement request (the JSON of POST /api/v1/calc/statement) from FILE or `-` (stdin) and prints the statement.
    Statement {
        #[arg(default_value = "-")]
        file: String,
    },
    /// Prints 申请执行费 (execution) or 申请保全费 (preservation) for an amount in 元.
    Fee {
        /// execution | preservation
        #[arg(long)]
        kind: String,
        /// 执行金额 / 保全财产数额 in 元; omit when there is none.
        #[arg(long)]
        amount: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Creates a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin | judge | assistant | clerk | chief | command
        #[arg(long)]
        role: String,
        /// 法院代字 of the user's court, e.g. 浙0203.
        #[arg(long)]
        court: String,
        /// Name shown in the UI (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Lists users.
    List,
    /// Sets a new password (read from standard input) and ends the user's sessions.
    Passwd {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disables an account and ends its sessions.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Re-enables an account.
    Enable {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum CourtsCommand {
    /// Adds or corrects courts from a `code,name,level,parent` CSV file.
    Import { file: PathBuf },
    /// Prints the court table as CSV.
    List,
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Adds or corrects days from a `date,kind,source` CSV file (the State Council notice of a year).
    Import { file: PathBuf },
    /// Prints the years covered.
    Years,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let mut location = app::locate(&cli.data_dir, cli.database_url.as_deref())?;
    if let Some(path) = &cli.workflow_policy {
        let text = std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
        location.policy = app::parse_policy(&text)?;
        location.credit_policy = app::parse_credit_policy(&text)?;
    }
    match cli.command {
        Command::Serve { listen, demo, insecure_cookies } => serve(&location, listen, demo, insecure_cookies).await,
        Command::Migrate => {
            app::open(&location, app::now_ms()).await?;
            println!("数据库已是最新结构：{}", redact(&location.database_url));
            Ok(())
        }
        Command::User { command } => user(&location, command).await,
        Command::Demo => {
            let store = app::open(&location, app::now_ms()).await?;
            load_demo(&store).await
        }
        Command::Courts { command } => courts(&location, command).await,
        Command::Calendar { command } => calendar(&location, command).await,
        Command::Lpr { command } => lpr(&location, command).await,
        Command::Calc { command } => calc(&location, command).await,
        Command::Nodes { command } => nodes(&location, command).await,
        Command::Deadlines { command } => deadlines(&location, command).await,
        Command::Dashboard { command } => dashboard(&location, command).await,
        Command::Partner { command } => partner(&location, command).await,
    }
}

async fn partner(location: &app::Location, command: PartnerCommand) -> Result<()> {
    let store = app::open(location, app::now_ms()).await?;
    match command {
        PartnerCommand::Add { name } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 100 {
                bail!("请填写协助单位名称（至多100字）");
            }
            let token = zhixing_web::auth::new_token();
            match store.create_partner(&name, &zhixing_web::auth::token_hash(&token), app::now_ms()).await {
                Ok(_) => {
                    println!("已创建协助单位凭证：{name}");
                    println!("令牌（只显示这一次，请安全交付）：{token}");
                    println!("用法：POST /api/v1/partner/restrictions/check，Authorization: Bearer <令牌>");
                }
                Err(StoreError::UsernameTaken) => bail!("已有同名协助单位"),
                Err(e) => return Err(e.into()),
            }
        }
        PartnerCommand::Revoke { name } => match store.revoke_partner(&name, app::now_ms()).await {
            Ok(()) => println!("已吊销 {name} 的凭证"),
            Err(StoreError::NotFound) => bail!("没有名为 {name} 的协助单位"),
            Err(e) => return Err(e.into()),
        },
        PartnerCommand::List => {
            println!("name,active,calls");
            for p in store.partners().await? {
                println!(
                    "{},{},{}",
                    p.name,
                    if p.active { "yes" } else { "revoked" },
                    store.partner_call_count(p.id).await?
                );
            }
        }
    }
    Ok(())
}

async fn nodes(location: &app::Location, command: NodesCommand) -> Result<()> {
    use zhixing_core::workflow::{BuiltinNode, LocalNodeKind};
    let store = app::open(location, app::now_ms()).await?;
    match command {
        NodesCommand::Add { code, label, court } => {
            let kind =
                LocalNodeKind::parse(&code, &label, court.as_deref()).map_err(|e| anyhow::anyhow!("{}", e.message))?;
            match store.add_node_kind(&kind, app::now_ms()).await {
                Ok(()) => println!("已添加本院节点 {}（{}）", kind.code, kind.label),
                Err(StoreError::Rejected(e)) => bail!("{}", e.message),
                Err(StoreError::UnknownCourt(code)) => bail!("法院表中没有 {code}"),
                Err(e) => return Err(e.into()),
            }
        }
        NodesCommand::List => {
            println!("code,label,court,rule");
            for kind in BuiltinNode::ALL {
                println!("{},{},,{}", kind.code(), kind.label_zh(), kind.rule());
            }
            for kind in store.node_kinds(None).await? {
                println!("{},{},{},", kind.code, kind.label, kind.court.unwrap_or_default());
            }
        }
    }
    Ok(())
}

async fn dashboard(location: &app::Location, command: DashboardCommand) -> Result<()> {
    use zhixing_core::dashboard::Post;
    let store = app::open(location, app::now_ms()).await?;
    let parse_court = |c: &str| CourtCode::parse(c).map_err(|_| anyhow::anyhow!("法院代字无效：{c}"));
    match command {
        DashboardCommand::Rebuild => {
            let n = store.rebuild_aggregates().await?;
            println!("已根据 {n} 件案件及信访、交叉执行记录重建看板统计（运行中的服务无需重启）");
        }
        DashboardCommand::Show { court } => {
            let court = parse_court(&court)?;
            let directory = CourtDirectory::new(store.courts().await?)?;
            let d = store.dashboard(&directory, &court, SystemClock.today()).await?;
            let names: Vec<String> = d.indicators.iter().map(|i| format!("{}(v{})", i.name, i.version)).collect();
            println!("法院,未结,逾期期限,{},信访,移入,移出,问责审查,执行人员,岗位空缺法院数", names.join(","));
            for r in d.rows.iter().chain(d.own.iter()).chain(std::iter::once(&d.total)) {
                let values: Vec<String> =
                    r.indicators.iter().map(|v| v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())).collect();
                println!(
                    "{},{},{},{},{},{},{},{},{},{}",
                    r.name,
                    r.open_cases,
                    r.overdue_deadlines,
                    values.join(","),
                    r.petitions_open,
                    r.cross_in,
                    r.cross_out,
                    r.reviews_open,
                    r.officers,
                    r.courts_with_vacancy
                );
            }
        }
        DashboardCommand::Indicators => {
            for d in store.indicator_definitions().await? {
                let denominator = d.denominator.as_ref().map(|e| e.text()).unwrap_or_default();
                let types: Vec<&str> = d.case_types.iter().map(|t| t.code()).collect();
                println!(
                    "{} v{} {}：({}) / ({}) 类型[{}] {} — {}",
                    d.code,
                    d.version,
                    d.name,
                    d.numerator.text(),
                    denominator,
                    types.join("、"),
                    d.period.label_zh(),
                    d.note
                );
            }
        }
        DashboardCommand::SetIndicator { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let input: zhixing_web::api::dashboard::IndicatorInput =
                serde_json::from_str(&text).context("指标定义应为 JSON 对象")?;
            let def = zhixing_web::api::dashboard::parse_indicator(&input)
                .map_err(|e| anyhow::anyhow!("{}：{}", e.field, e.message))?;
            let stored = store.add_indicator_version(def, None, app::now_ms()).await?;
            println!("已发布指标 {} 第 {} 版", stored.code, stored.version);
        }
        DashboardCommand::SetPost { court, post, holder, since } => {
            let court = parse_court(&court)?;
            let post = Post::parse(&post).ok_or_else(|| {
                anyhow::anyhow!("职务应为 chief、deputy、command_director、adjudication_head 或 implementation_head")
            })?;
            let since = match since {
                Some(s) => Some(
                    zhixing_core::calendar::parse_iso_date(&s)
                        .ok_or_else(|| anyhow::anyhow!("日期格式应为 YYYY-MM-DD"))?,
                ),
                None => None,
            };
            let holder = holder.filter(|h| !h.trim().is_empty());
            store.set_post(&court, post, holder.as_deref(), since, None, app::now_ms()).await?;
            println!("已登记 {} {}：{}", court.as_str(), post.label_zh(), holder.as_deref().unwrap_or("空缺"));
        }
    }
    Ok(())
}

async fn deadlines(location: &app::Location, command: DeadlinesCommand) -> Result<()> {
    use zhixing_core::workflow::deadlines::working_day_horizon;
    let store = app::open(location, app::now_ms()).await?;
    match command {
        DeadlinesCommand::Rebuild => {
            let n = store.rebuild_deadlines().await?;
            println!("已重新计算 {n} 件案件的期限（运行中的服务无需重启）");
        }
        DeadlinesCommand::List { court, within } => {
            let court = CourtCode::parse(&court).map_err(|_| anyhow::anyhow!("法院代字无效：{court}"))?;
            let rules = store.workflow_rules();
            let today = SystemClock.today();
            let until = working_day_horizon(&rules.calendar, today, within);
            let soon = working_day_horizon(&rules.calendar, today, rules.policy.due_soon_working_days.min(within));
            let one = std::slice::from_ref(&court);
            for c in store.deadline_counts(one, None, today, soon, until).await? {
                println!(
                    "# {}：已超期 {}，3个工作日内 {}，其后至 {} 到期 {}",
                    c.court, c.overdue, c.due_soon, until, c.due_later
                );
            }
            println!("due_on,case_number,deadline,judge");
            for item in store.deadline_list(one, None, until, 10_000, 0).await? {
                println!(
                    "{},{},{},{}",
                    zhixing_core::calendar::iso_date(item.due_on),
                    item.case_number,
                    item.kind.label_zh(),
                    item.judge_name.unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

async fn load_demo(store: &Store) -> Result<()> {
    if store.count_users().await? > 0 {
        bail!("数据库中已有用户，演示数据只能载入空数据库");
    }
    let filed = demo::load(store, SystemClock.today(), app::now_ms()).await?;
    store.refresh_statistics().await?;
    println!("已载入演示数据：{} 名用户，{filed} 件案件。", demo::DEMO_USERS.len());
    print_demo_credentials();
    Ok(())
}

fn print_demo_credentials() {
    println!("演示账户（密码均为 {}）：", demo::DEMO_PASSWORD);
    for (username, name, role, court) in demo::DEMO_USERS {
        println!("  {username:<14} {}  {name}（{court}）", role.label_zh());
    }
}

async fn serve(location: &app::Location, listen: SocketAddr, demo: bool, insecure_cookies: bool) -> Result<()> {
    let store = app::open(location, app::now_ms()).await?;
    if demo {
        if store.count_users().await? == 0 {
            println!("空数据库：正在载入演示数据……");
            load_demo(&store).await?;
        } else {
            println!("数据库中已有数据，未重复载入演示数据。");
            if store.user_by_username(demo::DEMO_USERS[0].0).await?.is_some() {
                print_demo_credentials();
            }
        }
    } else if store.count_users().await? == 0 {
        println!(
            "尚无用户。请先创建：echo 密码 | zhixing user add --username admin --role admin --court 浙 --password-stdin"
        );
    }
    let config = WebConfig { secure_cookies: !insecure_cookies, ..WebConfig::default() };
    let state = AppState::new(store.clone(), Arc::new(SystemClock), config).await?;
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("无法监听 {listen}"))?;
    let address = listener.local_addr()?;
    let host = if address.ip().is_loopback() { format!("localhost:{}", address.port()) } else { address.to_string() };
    println!("zhixing 已启动（{}）：在浏览器中打开 http://{host}/login", store.backend().name());
    println!("接口文档：http://{host}/api/docs，OpenAPI：http://{host}/api/v1/openapi.json");

    tokio::spawn(housekeeping(state.clone()));
    zhixing_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

/// Periodic work: purge expired sessions, pick up reference data imported
/// by the CLI while the server runs, refresh planner statistics hourly.
async fn housekeeping(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    for minute in 0u64.. {
        tick.tick().await;
        if minute % 60 == 59
            && let Err(e) = state.store.refresh_statistics().await
        {
            tracing::warn!(error = %e, "statistics refresh failed");
        }
        if let Err(e) = state.store.purge_expired_sessions(state.clock.now_ms()).await {
            tracing::warn!(error = %e, "session purge failed");
        }
        if let Err(e) = state.reload_reference_data().await {
            tracing::warn!(error = %e, "reference data reload failed");
        }
        if let Err(e) = state.credit_housekeeping().await {
            tracing::warn!(error = %e, "credit housekeeping failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

fn read_password(password_stdin: bool) -> Result<String> {
    if !password_stdin {
        bail!("出于安全考虑，密码只能从标准输入读取：请加 --password-stdin");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    check_password_policy(&password).map_err(anyhow::Error::msg)?;
    Ok(password)
}

async fn user(location: &app::Location, command: UserCommand) -> Result<()> {
    let store = app::open(location, app::now_ms()).await?;
    let now = app::now_ms();
    match command {
        UserCommand::Add { username, role, court, display_name, password_stdin } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            let role = Role::parse(&role)
                .with_context(|| format!("角色“{role}”无效：应为 admin、judge、assistant、clerk、chief 或 command"))?;
            let court = CourtCode::parse(&court)?;
            let password = read_password(password_stdin)?;
            let password_hash = zhixing_web::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
            let display_name = display_name.unwrap_or_else(|| username.as_str().to_string());
            match store.create_user(&NewUser { username, display_name, role, court, password_hash }, now).await {
                Ok(user) => println!("已创建用户 {}（{}，{}）", user.username, user.role.label_zh(), user.court),
                Err(StoreError::UsernameTaken) => bail!("用户名已被使用"),
                Err(StoreError::UnknownCourt(code)) => {
                    bail!("法院代字 {code} 不在法院表中；请先用 zhixing courts import 导入")
                }
                Err(e) => return Err(e.into()),
            }
        }
        UserCommand::List => {
            for u in store.all_users().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.display_name,
                    u.role,
                    u.court,
                    if u.active { "启用" } else { "停用" }
                );
            }
        }
        UserCommand::Passwd { username, password_stdin } => {
            let user = store.user_by_username(&username).await?.context("用户不存在")?;
            let password = read_password(password_stdin)?;
            let hash = zhixing_web::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
            store.set_password(user.id, &hash, now).await?;
            println!("已为 {username} 设置新密码，原有会话已失效");
        }
        UserCommand::Disable { username } => {
            let user = store.user_by_username(&username).await?.context("用户不存在")?;
            store.set_user_active(user.id, false, now).await?;
            println!("已停用 {username}");
        }
        UserCommand::Enable { username } => {
            let user = store.user_by_username(&username).await?.context("用户不存在")?;
            store.set_user_active(user.id, true, now).await?;
            println!("已启用 {username}");
        }
    }
    Ok(())
}

async fn courts(location: &app::Location, command: CourtsCommand) -> Result<()> {
    let store = app::open(location, app::now_ms()).await?;
    match command {
        CourtsCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let imported = CourtDirectory::parse_csv(&text)?;
            let mut all: Vec<_> =
                store.courts().await?.into_iter().filter(|c| !imported.iter().any(|i| i.code == c.code)).collect();
            all.extend(imported.iter().cloned());
            CourtDirectory::new(all).context("导入后法院层级不一致，未导入任何数据")?;
            let n = store.upsert_courts(&imported, app::now_ms()).await?;
            println!("已导入 {n} 个法院（运行中的服务一分钟内生效）");
        }
        CourtsCommand::List => {
            println!("code,name,level,parent");
            for c in store.courts().await? {
                println!(
                    "{},{},{},{}",
                    c.code,
                    c.name,
                    c.level.as_str(),
                    c.parent.map(|p| p.to_string()).unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

async fn calendar(location: &app::Location, command: CalendarCommand) -> Result<()> {
    let store = app::open(location, app::now_ms()).await?;
    match command {
        CalendarCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let entries = WorkCalendar::parse_csv(&text)?;
            let mut all: Vec<_> =
                store.calendar().await?.into_iter().filter(|e| !entries.iter().any(|n| n.date == e.date)).collect();
            all.extend(entries.iter().cloned());
            WorkCalendar::new(all).context("导入后节假日表不一致，未导入任何数据")?;
            let n = store.upsert_calendar(&entries).await?;
            store.reload_workflow_calendar().await?;
            let cases = store.rebuild_deadlines().await?;
            println!("已导入 {n} 天，并按新日历重新计算了 {cases} 件案件的期限（运行中的服务一分钟内生效）");
        }
        CalendarCommand::Years => {
            let calendar = WorkCalendar::new(store.calendar().await?)?;
            let years: Vec<String> = calendar.covered_years().map(|y| y.to_string()).collect();
            println!("已录入节假日安排的年份：{}", years.join("、"));
        }
    }
    Ok(())
}

async fn lpr(location: &app::Location, command: LprCommand) -> Result<()> {
    let store = app::open(location, app::now_ms()).await?;
    match command {
        LprCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let fixings = LprTable::parse_csv(&text)?;
            let n = store.upsert_lpr(&fixings, app::now_ms()).await?;
            println!("已导入 {n} 期LPR报价（运行中的服务一分钟内生效）");
        }
        LprCommand::List => {
            println!("published_on,lpr_1y_percent,lpr_5y_percent");
            for f in store.lpr().await? {
                println!("{},{},{}", zhixing_core::calendar::iso_date(f.published_on), f.one_year, f.five_year);
            }
        }
    }
    Ok(())
}

/// Prints JSON; on invalid input prints the API's error body and exits with 2.
async fn calc(location: &app::Location, command: CalcCommand) -> Result<()> {
    use zhixing_web::api::calc;
    let print_errors = |errors: Vec<zhixing_core::error::FieldError>| -> Result<()> {
        let details: Vec<_> = errors
            .iter()
            .map(|e| serde_json::json!({"code": e.code, "message": e.message, "field": e.field}))
            .collect();
        let first = errors.first();
        let body = serde_json::json!({"error": {
            "code": first.map(|e| e.code),
            "message": first.map(|e| e.message.clone()),
            "field": first.map(|e| e.field.clone()),
            "details": details,
        }});
        println!("{}", serde_json::to_string_pretty(&body)?);
        std::process::exit(2);
    };
    match command {
        CalcCommand::Statement { file } => {
            let text = if file == "-" {
                let mut buffer = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut buffer)?;
                buffer
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("无法读取 {file}"))?
            };
            let request = match zhixing_web::json::parse_json::<calc::StatementRequest>(text.as_bytes()) {
                Ok(request) => request,
                Err(e) => {
                    let field = e.field.clone().unwrap_or_default();
                    return print_errors(vec![zhixing_core::error::FieldError::new(field, e.code, e.message)]);
                }
            };
            let store = app::open(location, app::now_ms()).await?;
            let table = LprTable::new(store.lpr().await?);
            match calc::statement(&request, &table) {
                Ok(response) => println!("{}", serde_json::to_string_pretty(&response)?),
                Err(errors) => return print_errors(errors),
            }
        }
        CalcCommand::Fee { kind, amount } => match calc::fee(&kind, amount.as_deref()) {
            Ok(response) => println!("{}", serde_json::to_string_pretty(&response)?),
            Err(e) => return print_errors(vec![e]),
        },
    }
    Ok(())
}
