//! 失信惩戒与信用修复: the dishonest-debtor list (失信被执行人名单, SX 2017),
//! consumption restriction (限制消费令, XX 2015), grace periods (SW art 15),
//! deletion, withdrawal and correction (SX arts 9–12), and the escalation of
//! breaches (JZ 2024 art 3). Pure: "today" and the calendar are parameters.
//!
//! - [`listing`]: grounds, bars, capacity, severity, the listing's life
//!   (proposal → decision → grace → published → deleted / withdrawn), terms.
//! - [`repair`]: deletion triggers (SX art 10), their detection from the
//!   case's workflow, the 3-working-day deadlines, the 6-month relisting
//!   block, correction applications (SX arts 11–12).
//! - [`restriction`]: 限制消费令 subjects, lifting, temporary lifting,
//!   breaches and the sanctions path.
//! - [`policy`]: the values the SPC announced but has not codified (grades,
//!   grace period bounds, 单次解禁), with documented defaults.
//! - [`index`]: the compact identity keys of the partner check index.

pub mod index;
pub mod listing;
pub mod policy;
pub mod repair;
pub mod restriction;

#[cfg(test)]
mod tests;

pub use listing::{Bar, Capacity, DishonestGround, ListingStatus, Severity, TermExtension};
pub use policy::CreditPolicy;
pub use repair::DeletionTrigger;
pub use restriction::{BreachAdvice, RestrictedRole, TemporaryLiftGround};
