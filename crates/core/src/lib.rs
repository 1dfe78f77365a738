//! zhixing-core: the pure domain of civil enforcement (执行).
//!
//! Everything here is a value or a function of values: no IO, no clock, no
//! randomness. "Today" is always a parameter. Types in this crate are parsed
//! once at the edge of the system (HTTP, CLI, storage) and carried around
//! already valid afterwards.
//!
//! Every rule that blocks a user names its legal source (document + article)
//! both in a comment next to the rule and in the message the user sees.

pub mod access;
pub mod calc;
pub mod calendar;
pub mod case;
pub mod case_number;
pub mod citizen_id;
pub mod court;
pub mod credit;
pub mod credit_code;
pub mod cross;
pub mod dashboard;
pub mod error;
pub mod money;
pub mod seizure;
pub mod text;
pub mod workflow;

pub use access::{CaseAccess, Role};
pub use calendar::WorkCalendar;
pub use case::{CaseDraft, CaseStatus, ClaimKind, DocumentType, PartyKind, PartyRole};
pub use case_number::{CaseNumber, CaseReference, CaseType, EnforcementType};
pub use citizen_id::CitizenId;
pub use court::{Court, CourtCode, CourtDirectory, CourtLevel};
pub use credit_code::CreditCode;
pub use error::FieldError;
pub use money::Money;
