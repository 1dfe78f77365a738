//! Authentication: argon2id password hashes, opaque session tokens stored
//! only as SHA-256 hashes, lockout after repeated failures, CSRF tokens.
//!
//! Browser sessions ride in a cookie (`HttpOnly`, `SameSite=Lax`, `Secure`
//! unless explicitly disabled for a plain-HTTP trial); API clients send
//! `Authorization: Bearer <token>`. Both are the same kind of server-side
//! session, so logging out or disabling a user ends them at once.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zhixing_store::{AuthOutcome, SessionKind, User};

use crate::AppState;
use crate::error::ApiError;

/// Hashes a password with Argon2id (default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let hash: PasswordHash =
        Argon2::default().hash_password_with_salt(password.as_bytes(), &salt).map_err(|e| e.to_string())?;
    Ok(hash.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash of a random password, verified against when the user does not
/// exist so that timing does not reveal which usernames exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$9QxQYaJvxh0ZHkgNBa8IzA$6ZHgfyjBVz+1JsN6rdHMWFqPsRtz2DDJ7CGhrt+dRbU";

/// 256 random bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison for CSRF tokens.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The logged-in user of a request.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

#[derive(Debug)]
pub enum LoginError {
    Invalid,
    Locked { until_ms: i64 },
    Disabled,
    Internal,
}

impl LoginError {
    pub fn message(&self, state: &AppState) -> String {
        match self {
            LoginError::Invalid => "用户名或密码错误".to_string(),
            LoginError::Locked { until_ms } => format!(
                "连续登录失败次数过多，账户已锁定至{}；如需提前解锁请联系系统管理员",
                state.clock.format_time(*until_ms)
            ),
            LoginError::Disabled => "账户已停用，请联系系统管理员".to_string(),
            LoginError::Internal => "服务器内部错误，请稍后重试".to_string(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::Invalid => ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "用户名或密码错误"),
            LoginError::Locked { .. } => {
                ApiError::new(StatusCode::FORBIDDEN, "account_locked", "连续登录失败次数过多，账户已暂时锁定")
            }
            LoginError::Disabled => ApiError::new(StatusCode::FORBIDDEN, "account_disabled", "账户已停用"),
            LoginError::Internal => ApiError::internal(),
        }
    }
}

pub struct Login {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
    pub expires_at: i64,
}

/// Checks a password and opens a session. Every attempt is logged; five
/// failures in a row lock the account for a while (等保 2.0 L3-CES1-02:
/// 登录失败处理; OWASP ASVS 6.1.1 / 6.3.1).
pub async fn login(
    state: &Arc<AppState>,
    username: &str,
    password: &str,
    kind: SessionKind,
    remote: Option<&str>,
) -> Result<Login, LoginError> {
    let now = state.clock.now_ms();
    let username = username.trim();
    let credentials = state.store.credentials(username).await.map_err(|e| {
        tracing::error!(error = %e, "login lookup failed");
        LoginError::Internal
    })?;
    let hash = credentials.as_ref().map_or(DUMMY_HASH.to_string(), |c| c.password_hash.clone());
    let password_owned = password.to_string();
    let password_ok =
        tokio::task::spawn_blocking(move || verify_password(&password_owned, &hash)).await.unwrap_or(false);
    let log = |user_id: Option<i64>, outcome: AuthOutcome| {
        let state = state.clone();
        let username = username.to_string();
        let remote = remote.map(str::to_string);
        async move {
            if let Err(e) = state.store.record_auth_event(now, &username, user_id, outcome, remote.as_deref()).await {
                tracing::error!(error = %e, "could not record auth event");
            }
        }
    };
    let Some(credentials) = credentials else {
        log(None, AuthOutcome::UnknownUser).await;
        return Err(LoginError::Invalid);
    };
    let user_id = credentials.user.id;
    if let Some(until_ms) = credentials.locked_until.filter(|until| *until > now) {
        log(Some(user_id), AuthOutcome::Locked).await;
        return Err(LoginError::Locked { until_ms });
    }
    if !password_ok {
        log(Some(user_id), AuthOutcome::BadPassword).await;
        let lock_until = now + state.config.lockout_ms;
        let count = state
            .store
            .record_login_failure(user_id, state.config.lockout_after, lock_until)
            .await
            .map_err(|_| LoginError::Internal)?;
        return Err(if count >= state.config.lockout_after {
            LoginError::Locked { until_ms: lock_until }
        } else {
            LoginError::Invalid
        });
    }
    if !credentials.user.active {
        log(Some(user_id), AuthOutcome::Inactive).await;
        return Err(LoginError::Disabled);
    }
    state.store.record_login_success(user_id).await.map_err(|_| LoginError::Internal)?;
    log(Some(user_id), AuthOutcome::Success).await;

    let token = new_token();
    let csrf_token = new_token();
    let expires_at = now + state.config.idle_ms(kind);
    state
        .store
        .create_session(&token_hash(&token), user_id, kind, &csrf_token, now, expires_at)
        .await
        .map_err(|_| LoginError::Internal)?;
    Ok(Login { token, csrf_token, user: credentials.user, expires_at })
}

/// Resolves a session token to its user, sliding the idle expiry (at most
/// once a minute, to keep reads cheap) within the absolute lifetime.
pub async fn authenticate(state: &AppState, token: &str, kind: SessionKind) -> Result<Option<CurrentUser>, ApiError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let now = state.clock.now_ms();
    let hash = token_hash(token);
    if let Some(user) = state.sessions.get(&hash, kind, now) {
        return Ok(Some(user));
    }
    let Some(session) = state.store.session(&hash, now).await? else {
        return Ok(None);
    };
    if session.kind != kind {
        return Ok(None);
    }
    let absolute_end = session.created_at + state.config.absolute_ms(kind);
    if now >= absolute_end {
        state.store.delete_session(&hash).await?;
        return Ok(None);
    }
    let mut expires_at = session.expires_at;
    if now - session.last_seen_at > 60_000 {
        expires_at = (now + state.config.idle_ms(kind)).min(absolute_end);
        state.store.touch_session(&hash, now, expires_at).await?;
    }
    let user = CurrentUser { user: session.user, csrf_token: session.csrf_token, token_hash: hash };
    state.sessions.put(&user, kind, now, expires_at);
    Ok(Some(user))
}

/// A few seconds' memory of validated sessions, so a burst of requests does
/// not look the same session up in the database each time. Logging out in
/// this process forgets the session at once; a change made elsewhere (a
/// password change or a disabled account through the CLI, another server)
/// takes effect within [`SessionCache::TTL_MS`].
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, CachedSession>>,
}

struct CachedSession {
    user: CurrentUser,
    kind: SessionKind,
    cached_at: i64,
    expires_at: i64,
}

impl SessionCache {
    pub const TTL_MS: i64 = 5_000;
    const MAX_ENTRIES: usize = 10_000;

    fn get(&self, hash: &str, kind: SessionKind, now: i64) -> Option<CurrentUser> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(hash)?;
        (entry.kind == kind && now - entry.cached_at < Self::TTL_MS && now < entry.expires_at)
            .then(|| entry.user.clone())
    }

    fn put(&self, user: &CurrentUser, kind: SessionKind, now: i64, expires_at: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::MAX_ENTRIES {
                entries.retain(|_, e| now - e.cached_at < Self::TTL_MS);
            }
            entries.insert(
                user.token_hash.clone(),
                CachedSession { user: user.clone(), kind, cached_at: now, expires_at },
            );
        }
    }

    pub fn forget(&self, hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(hash);
        }
    }
}

/// API authentication: `Authorization: Bearer <token>`, else 401.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<Arc<AppState>> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(ApiError::unauthenticated)?;
        authenticate(state, token, SessionKind::Api).await?.map(ApiUser).ok_or_else(ApiError::unauthenticated)
    }
}

/// The client's address, when the server knows it.
pub struct RemoteAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RemoteAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RemoteAddr(
            parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string()),
        ))
    }
}

/// Reads one cookie value from the request headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("x", "not a hash"));
        // The dummy hash is a real argon2id hash.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn tokens_are_random_hex_and_hash_stably() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_eq!(token_hash("abc"), token_hash("abc"));
        assert!(tokens_equal("abc", "abc") && !tokens_equal("abc", "abd") && !tokens_equal("abc", "ab"));
    }
}
