//! Storage suite: every test body runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cases;
mod cross;
mod dashboard;
mod reference;
mod seizures;
mod users;
mod workflow;

use zhixing_store::UserRef;

pub const NOW: i64 = 1_795_000_000_000; // 2026-11-17

pub fn actor(user: &zhixing_store::User) -> UserRef {
    user.as_ref()
}
