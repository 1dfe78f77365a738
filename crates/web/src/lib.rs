//! zhixing-web: the HTTP edge — the only crate that knows HTTP or HTML.
//!
//! - `/api/v1/…`: JSON API (bearer tokens), described by the OpenAPI 3
//!   document at `/api/v1/openapi.json` ([`api`]).
//! - `/…`: the server-rendered web UI in simplified Chinese, working without
//!   any JavaScript ([`ui`]).
//! - `/healthz`: liveness and database check.
//!
//! Handlers parse input into `zhixing_core` types once, check access with
//! `zhixing_core::access`, and call `zhixing_store::Store`.

pub mod api;
pub mod auth;
pub mod cases;
pub mod credit;
pub mod error;
pub mod json;
pub mod seizures;
pub mod ui;
pub mod workflow;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use time::{OffsetDateTime, UtcOffset};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use zhixing_core::calc::lpr::LprTable;
use zhixing_core::calendar::WorkCalendar;
use zhixing_core::court::CourtDirectory;
use zhixing_store::{SessionKind, Store};

/// Where "now" and "today" come from. Legal dates are dates in China
/// (UTC+8), whatever the server's time zone.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;

    fn today(&self) -> time::Date {
        china_time(self.now_ms()).date()
    }

    /// `2026-11-27 14:05` in China time.
    fn format_time(&self, ms: i64) -> String {
        format_china_time(ms)
    }
}

pub const CHINA_OFFSET: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

pub fn china_time(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(CHINA_OFFSET)
}

pub fn format_china_time(ms: i64) -> String {
    let t = china_time(ms);
    format!("{}-{:02}-{:02} {:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
}

/// RFC 3339 with the +08:00 offset, for JSON.
pub fn rfc3339(ms: i64) -> String {
    let t = china_time(ms);
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
    }
}

/// Settings of the HTTP edge.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (and use the `__Host-` prefix). Turn off only
    /// for a plain-HTTP trial on a network address other than localhost.
    pub secure_cookies: bool,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Browser sessions end after this idle time (等保 L3-CES1-02 idle logout).
    pub browser_idle_ms: i64,
    pub browser_absolute_ms: i64,
    pub api_idle_ms: i64,
    pub api_absolute_ms: i64,
    /// Consecutive failed logins that lock an account, and for how long.
    pub lockout_after: i64,
    pub lockout_ms: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        const MINUTE: i64 = 60_000;
        Self {
            secure_cookies: true,
            max_body_bytes: 256 * 1024,
            browser_idle_ms: 30 * MINUTE,
            browser_absolute_ms: 12 * 60 * MINUTE,
            api_idle_ms: 2 * 60 * MINUTE,
            api_absolute_ms: 24 * 60 * MINUTE,
            lockout_after: 5,
            lockout_ms: 15 * MINUTE,
        }
    }
}

impl WebConfig {
    pub fn idle_ms(&self, kind: SessionKind) -> i64 {
        match kind {
            SessionKind::Browser => self.browser_idle_ms,
            SessionKind::Api => self.api_idle_ms,
        }
    }

    pub fn absolute_ms(&self, kind: SessionKind) -> i64 {
        match kind {
            SessionKind::Browser => self.browser_absolute_ms,
            SessionKind::Api => self.api_absolute_ms,
        }
    }

    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies { "__Host-zhixing_session" } else { "zhixing_session" }
    }

    pub fn login_cookie(&self) -> &'static str {
        if self.secure_cookies { "__Host-zhixing_login" } else { "zhixing_login" }
    }
}

pub struct AppState {
    pub store: Store,
    pub sessions: auth::SessionCache,
    pub clock: Arc<dyn Clock>,
    pub config: WebConfig,
    courts: RwLock<Arc<CourtDirectory>>,
    calendar: RwLock<Arc<WorkCalendar>>,
    lpr: RwLock<Arc<LprTable>>,
    /// Public look-up limiter (per client address).
    pub public_limiter: credit::RateLimiter,
    pub partners: credit::PartnerCache,
    pub partner_log: credit::PartnerLog,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] zhixing_store::StoreError),
    #[error("法院表无效：{0}")]
    Courts(#[from] zhixing_core::court::CourtTableError),
    #[error("节假日表无效：{0}")]
    Calendar(#[from] zhixing_core::calendar::CalendarError),
}

impl AppState {
    pub async fn new(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Result<Arc<Self>, StartError> {
        let store_for_log = store.clone();
        let state = Arc::new(Self {
            store,
            sessions: auth::SessionCache::default(),
            clock,
            config,
            courts: RwLock::new(Arc::new(CourtDirectory::default())),
            calendar: RwLock::new(Arc::new(WorkCalendar::default())),
            lpr: RwLock::new(Arc::new(LprTable::default())),
            public_limiter: credit::RateLimiter::default(),
            partners: credit::PartnerCache::default(),
            partner_log: credit::PartnerLog::spawn(store_for_log),
        });
        state.reload_reference_data().await?;
        // The partner check index: grace periods that ended are published
        // first, then every effective listing and restriction is loaded.
        let started = std::time::Instant::now();
        state.store.publish_due(state.clock.today(), state.clock.now_ms()).await?;
        let entries = state.store.rebuild_credit_index(state.clock.today()).await?;
        state.store.refresh_temporary_lifts(state.clock.today()).await?;
        let bytes = state.store.with_credit_index(|i| i.approximate_bytes());
        tracing::info!(
            entries,
            seconds = started.elapsed().as_secs_f64(),
            mib = bytes / (1 << 20),
            "credit index rebuilt"
        );
        Ok(state)
    }

    /// Re-reads courts and the calendar (after an import by the CLI).
    pub async fn reload_reference_data(&self) -> Result<(), StartError> {
        let courts = CourtDirectory::new(self.store.courts().await?)?;
        let calendar = WorkCalendar::new(self.store.calendar().await?)?;
        let lpr = LprTable::new(self.store.lpr().await?);
        self.store.reload_workflow_calendar().await?;
        if let Ok(mut slot) = self.courts.write() {
            *slot = Arc::new(courts);
        }
        if let Ok(mut slot) = self.calendar.write() {
            *slot = Arc::new(calendar);
        }
        if let Ok(mut slot) = self.lpr.write() {
            *slot = Arc::new(lpr);
        }
        Ok(())
    }

    /// Credit housekeeping (run every minute by the server): publish the
    /// listings whose grace period ended (SW art 15), mark temporary
    /// liftings that start today, detect expired terms.
    pub async fn credit_housekeeping(&self) -> Result<(), zhixing_store::StoreError> {
        let today = self.clock.today();
        let now = self.clock.now_ms();
        self.store.publish_due(today, now).await?;
        self.store.refresh_temporary_lifts(today).await?;
        for (court, case_id) in self.store.cases_with_expired_terms(today).await? {
            self.store.detect_credit_triggers(&court, case_id, today, now).await?;
        }
        Ok(())
    }

    pub fn courts(&self) -> Arc<CourtDirectory> {
        self.courts.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn lpr(&self) -> Arc<LprTable> {
        self.lpr.read().map(|c| c.clone()).unwrap_or_default()
    }
}

/// The whole application router.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api::routes())
        .merge(ui::routes())
        .layer(DefaultBodyLimit::max(max_body))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let check = tokio::time::timeout(Duration::from_secs(3), state.store.ping()).await;
    match check {
        Ok(Ok(())) => {
            (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok", "database": state.store.backend().name()})))
                .into_response()
        }
        _ => {
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "unavailable"}))).into_response()
        }
    }
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
