//! Users, sessions and the authentication log.

use sqlx::any::AnyRow;
use zhixing_core::access::{Role, Username};
use zhixing_core::court::CourtCode;

use crate::rows::{int, opt_int, parsed, text};
use crate::{Result, Store, StoreError, is_unique_violation};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub court: CourtCode,
    pub active: bool,
}

impl User {
    pub fn as_ref(&self) -> UserRef {
        UserRef { id: self.id, username: self.username.clone(), display_name: self.display_name.clone() }
    }
}

/// A user as other records mention them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRef {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub court: CourtCode,
    /// PHC string (argon2id) — hashing happens before storage.
    pub password_hash: String,
}

/// What login needs: the user, the hash and the lockout state.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser session behind a cookie (CSRF token required on forms).
    Browser,
    /// API bearer token.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "browser" => Some(SessionKind::Browser),
            "api" => Some(SessionKind::Api),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user: User,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthOutcome {
    Success,
    BadPassword,
    UnknownUser,
    Locked,
    Inactive,
    Logout,
}

impl AuthOutcome {
    fn as_str(self) -> &'static str {
        match self {
            AuthOutcome::Success => "success",
            AuthOutcome::BadPassword => "bad_password",
            AuthOutcome::UnknownUser => "unknown_user",
            AuthOutcome::Locked => "locked",
            AuthOutcome::Inactive => "inactive",
            AuthOutcome::Logout => "logout",
        }
    }
}

fn user_from_row(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: int(row, "id")?,
        username: text(row, "username")?,
        display_name: text(row, "display_name")?,
        role: parsed(row, "role", Role::parse)?,
        court: parsed(row, "court_code", |s| CourtCode::parse(s).ok())?,
        active: int(row, "active")? == 1,
    })
}

impl Store {
    pub async fn create_user(&self, new: &NewUser, now: i64) -> Result<User> {
        if !self.court_exists(&new.court).await? {
            return Err(StoreError::UnknownCourt(new.court.to_string()));
        }
        let id = self.ids.next(now);
        let result = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, court_code, password_hash, active, failed_logins, locked_until, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL, $8, $8)",
        )
        .bind(id)
        .bind(new.username.as_str().to_string())
        .bind(new.display_name.clone())
        .bind(new.role.as_str())
        .bind(new.court.as_str().to_string())
        .bind(new.password_hash.clone())
        .bind(1_i64)
        .bind(now)
        .execute(&self.write)
        .await;
        match result {
            Ok(_) => Ok(User {
                id,
                username: new.username.as_str().to_string(),
                display_name: new.display_name.clone(),
                role: new.role,
                court: new.court.clone(),
                active: true,
            }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::UsernameTaken),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.court_code, u.active, u.password_hash, u.failed_logins, u.locked_until
             FROM users u WHERE u.username = $1",
        )
        .bind(username.to_string())
        .fetch_optional(&self.read)
        .await?;
        row.map(|row| {
            Ok(Credentials {
                user: user_from_row(&row)?,
                password_hash: text(&row, "password_hash")?,
                failed_logins: int(&row, "failed_logins")?,
                locked_until: opt_int(&row, "locked_until")?,
            })
        })
        .transpose()
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql =
            "SELECT u.id, u.username, u.display_name, u.role, u.court_code, u.active FROM users u WHERE u.id = $1";
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = "SELECT u.id, u.username, u.display_name, u.role, u.court_code, u.active FROM users u WHERE u.username = $1";
        let row = sqlx::query(sql).bind(username.to_string()).fetch_optional(&self.read).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn users_of_court(&self, court: &CourtCode) -> Result<Vec<User>> {
        let sql = "SELECT u.id, u.username, u.display_name, u.role, u.court_code, u.active FROM users u WHERE u.court_code = $1 ORDER BY u.username";
        let rows = sqlx::query(sql).bind(court.as_str().to_string()).fetch_all(&self.read).await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn all_users(&self) -> Result<Vec<User>> {
        let sql = "SELECT u.id, u.username, u.display_name, u.role, u.court_code, u.active FROM users u ORDER BY u.court_code, u.username";
        let rows = sqlx::query(sql).fetch_all(&self.read).await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn count_users(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.read).await?;
        int(&row, "n")
    }

    pub async fn set_password(&self, user_id: i64, password_hash: &str, now: i64) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3")
            .bind(password_hash.to_string())
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // A changed password ends every existing session (OWASP ASVS 7.4.3).
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Activates or disables an account; disabling ends its sessions.
    pub async fn set_user_active(&self, user_id: i64, active: bool, now: i64) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(active))
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Counts a failed login; locks the account until `lock_until` once the
    /// count reaches `lock_after`. Returns the new count.
    pub async fn record_login_failure(&self, user_id: i64, lock_after: i64, lock_until: i64) -> Result<i64> {
        let mut tx = self.write.begin().await?;
        let row =
            sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        let count = int(&row, "failed_logins")?;
        if count >= lock_after {
            sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
                .bind(lock_until)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(count)
    }

    pub async fn record_login_success(&self, user_id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)")
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Appends to the authentication log (等保 L3-CES1-12: every login
    /// attempt with time, user and outcome).
    pub async fn record_auth_event(
        &self,
        now: i64,
        username: &str,
        user_id: Option<i64>,
        outcome: AuthOutcome,
        remote_addr: Option<&str>,
    ) -> Result<()> {
        let username: String = username.chars().take(64).collect();
        sqlx::query(
            "INSERT INTO auth_events (id, at, username, user_id, outcome, remote_addr) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.ids.next(now))
        .bind(now)
        .bind(username)
        .bind(user_id)
        .bind(outcome.as_str())
        .bind(remote_addr.map(str::to_string))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn auth_events_of(&self, username: &str) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query("SELECT at, outcome FROM auth_events WHERE username = $1 ORDER BY at, id")
            .bind(username.to_string())
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok((int(r, "at")?, text(r, "outcome")?))).collect()
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        kind: SessionKind,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(kind.as_str())
        .bind(csrf_token.to_string())
        .bind(now)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// A live session of an active user, or nothing.
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRecord>> {
        let sql = "SELECT u.id, u.username, u.display_name, u.role, u.court_code, u.active,
                          s.kind, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at
                   FROM sessions s JOIN users u ON u.id = s.user_id
                   WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = $3";
        let row =
            sqlx::query(sql).bind(token_hash.to_string()).bind(now).bind(1_i64).fetch_optional(&self.read).await?;
        row.map(|row| {
            Ok(SessionRecord {
                user: user_from_row(&row)?,
                kind: parsed(&row, "kind", SessionKind::parse)?,
                csrf_token: text(&row, "csrf_token")?,
                created_at: int(&row, "created_at")?,
                last_seen_at: int(&row, "last_seen_at")?,
                expires_at: int(&row, "expires_at")?,
            })
        })
        .transpose()
    }

    /// Slides a session's idle expiry.
    pub async fn touch_session(&self, token_hash: &str, now: i64, expires_at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(expires_at)
            .bind(token_hash.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn purge_expired_sessions(&self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&self.write).await?;
        Ok(done.rows_affected())
    }

    /// Users by id, for rendering names next to ids.
    pub(crate) async fn user_refs(&self, conn: &mut sqlx::AnyConnection, ids: &[i64]) -> Result<Vec<UserRef>> {
        let mut unique: Vec<i64> = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if unique.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT u.id, u.username, u.display_name FROM users u WHERE u.id IN ({})",
            crate::sql::placeholders(1, unique.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &unique {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| {
                Ok(UserRef {
                    id: int(r, "id")?,
                    username: text(r, "username")?,
                    display_name: text(r, "display_name")?,
                })
            })
            .collect()
    }
}
