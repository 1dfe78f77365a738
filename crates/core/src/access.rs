//! Who may do what: roles and court scoping.
//!
//! The policy, in one place:
//! - Nobody sees anything without logging in (enforced at the HTTP edge).
//! - A user reads and changes only the cases of their own court.
//! - A user of a higher court may *read* (never change) the cases of every
//!   court beneath it — the supervision relation of CPL art 237 and the
//!   统一管理、统一指挥、统一协调 of enforcement work.
//! - Within that, the role decides: 系统管理员 manages accounts and reference
//!   data but has no access to case content (least privilege and separation
//!   of duties, 等保 2.0 GB/T 22239-2019 §8.1.4 L3-CES1-08); 指挥中心 reads only.

use std::fmt;

use crate::court::{CourtCode, CourtDirectory};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// admin — 系统管理员
    Admin,
    /// judge — 执行法官
    Judge,
    /// assistant — 法官助理
    Assistant,
    /// clerk — 书记员
    Clerk,
    /// chief — 执行局长
    Chief,
    /// command — 指挥中心
    Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read case files.
    ReadCases,
    /// File and edit cases of one's own court.
    WriteCases,
    /// Soft-delete a case (撤销登记).
    DeleteCases,
    /// Accept a credit code that fails its check, with a recorded reason.
    OverrideIdChecks,
    /// Be named handling judge (承办法官) of a case.
    HandleCases,
    /// Manage users and reference data.
    Administer,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Admin, Role::Judge, Role::Assistant, Role::Clerk, Role::Chief, Role::Command];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Judge => "judge",
            Role::Assistant => "assistant",
            Role::Clerk => "clerk",
            Role::Chief => "chief",
            Role::Command => "command",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Judge => "执行法官",
            Role::Assistant => "法官助理",
            Role::Clerk => "书记员",
            Role::Chief => "执行局长",
            Role::Command => "指挥中心",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => matches!(permission, Administer),
            Role::Judge => matches!(permission, ReadCases | WriteCases | DeleteCases | OverrideIdChecks | HandleCases),
            Role::Chief => matches!(permission, ReadCases | WriteCases | DeleteCases | OverrideIdChecks | HandleCases),
            Role::Assistant | Role::Clerk => matches!(permission, ReadCases | WriteCases),
            Role::Command => matches!(permission, ReadCases),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a user may do with one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseAccess {
    /// The case does not exist for this user (answer 404, never 403, so
    /// other courts' case ids leak nothing).
    None,
    Read,
    Write,
}

/// The access a user of `role` at `user_court` has to a case registered at
/// `case_court`.
pub fn case_access(role: Role, user_court: &CourtCode, case_court: &CourtCode, courts: &CourtDirectory) -> CaseAccess {
    if !role.allows(Permission::ReadCases) {
        return CaseAccess::None;
    }
    if user_court == case_court {
        if role.allows(Permission::WriteCases) { CaseAccess::Write } else { CaseAccess::Read }
    } else if courts.is_ancestor(user_court, case_court) {
        CaseAccess::Read
    } else {
        CaseAccess::None
    }
}

/// Courts whose cases a user may read: their own court and every court
/// beneath it; nothing for roles without case access.
pub fn readable_courts(role: Role, user_court: &CourtCode, courts: &CourtDirectory) -> Vec<CourtCode> {
    if role.allows(Permission::ReadCases) { courts.subtree(user_court) } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::court::CourtDirectory;
    use proptest::prelude::*;

    const TABLE: &str = "最高法,最高人民法院,supreme,
浙,浙江省高级人民法院,high,最高法
浙02,宁波中院,intermediate,浙
浙0203,海曙,basic,浙02
浙0212,鄞州,basic,浙02
浙01,杭州中院,intermediate,浙
浙0106,西湖,basic,浙01";

    fn dir() -> CourtDirectory {
        CourtDirectory::new(CourtDirectory::parse_csv(TABLE).unwrap()).unwrap()
    }

    fn c(s: &str) -> CourtCode {
        CourtCode::parse(s).unwrap()
    }

    #[test]
    fn own_court_writes_higher_court_reads_others_nothing() {
        let d = dir();
        assert_eq!(case_access(Role::Judge, &c("浙0203"), &c("浙0203"), &d), CaseAccess::Write);
        assert_eq!(case_access(Role::Judge, &c("浙0212"), &c("浙0203"), &d), CaseAccess::None);
        assert_eq!(case_access(Role::Judge, &c("浙02"), &c("浙0203"), &d), CaseAccess::Read);
        assert_eq!(case_access(Role::Chief, &c("浙"), &c("浙0203"), &d), CaseAccess::Read);
        assert_eq!(case_access(Role::Judge, &c("浙01"), &c("浙0203"), &d), CaseAccess::None);
        assert_eq!(case_access(Role::Judge, &c("浙0203"), &c("浙02"), &d), CaseAccess::None);
        assert_eq!(case_access(Role::Command, &c("浙0203"), &c("浙0203"), &d), CaseAccess::Read);
        assert_eq!(case_access(Role::Admin, &c("浙0203"), &c("浙0203"), &d), CaseAccess::None);
    }

    #[test]
    fn role_identifiers_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    proptest! {
        /// The policy as a property: write only at one's own court with a
        /// writing role; read iff own court or an ancestor and a reading role.
        #[test]
        fn access_matches_the_policy(role in prop::sample::select(Role::ALL.to_vec()),
                                     user in prop::sample::select(vec!["最高法", "浙", "浙02", "浙0203", "浙0212", "浙01", "浙0106"]),
                                     case in prop::sample::select(vec!["浙0203", "浙0212", "浙0106", "浙02", "浙01"])) {
            let d = dir();
            let access = case_access(role, &c(user), &c(case), &d);
            let related = user == case || d.is_ancestor(&c(user), &c(case));
            let expected = if !role.allows(Permission::ReadCases) || !related {
                CaseAccess::None
            } else if user == case && role.allows(Permission::WriteCases) {
                CaseAccess::Write
            } else {
                CaseAccess::Read
            };
            prop_assert_eq!(access, expected);
            prop_assert_eq!(readable_courts(role, &c(user), &d).contains(&c(case)), access != CaseAccess::None);
        }
    }
}

/// A login name: 3–32 characters of `a-z 0-9 _ . -`, starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Username(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("用户名应为3至32位小写字母、数字、下划线、点或连字符，并以字母开头")]
pub struct UsernameError;

impl Username {
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let s = input.trim();
        let ok = (3..=32).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
        if ok { Ok(Self(s.to_string())) } else { Err(UsernameError) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Password policy (OWASP ASVS 5.0 v6.2.1/6.2.9: at least 8 characters,
/// at most 128; no composition rules, v6.2.5).
pub fn check_password_policy(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 8 {
        Err("密码至少8位")
    } else if n > 128 {
        Err("密码不能超过128位")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod username_tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(Username::parse("hs_judge").is_ok());
        assert!(Username::parse("a.b-c1").is_ok());
        for bad in ["ab", "1abc", "Judge", "张三", "a b c", &"a".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
        assert!(check_password_policy("short").is_err());
        assert!(check_password_policy("long enough").is_ok());
    }
}
