//! The one validation-error shape every layer understands.
//!
//! A [`FieldError`] names the offending field (a JSON-style path such as
//! `parties[1].id_number`), a stable machine `code` that clients may match on,
//! and a message in simplified Chinese that a clerk can act on. Messages that
//! come from a legal rule cite the rule.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the offending input field, e.g. `basis.effective_on`.
    pub field: String,
    /// Stable machine-readable code, e.g. `invalid_citizen_id`.
    pub code: &'static str,
    /// Human-readable message in simplified Chinese.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }

    pub fn required(field: impl Into<String>, label: &str) -> Self {
        Self::new(field, "required", format!("请填写{label}"))
    }

    /// Re-roots the error under a parent path: `name` → `parties[2].name`.
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_string()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.code)
    }
}

impl std::error::Error for FieldError {}

/// Collects validation errors so a form can show all of them at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Keeps the value of a successful parse, records the error of a failed one.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_builds_paths() {
        let e = FieldError::required("name", "姓名").under("parties[2]");
        assert_eq!(e.field, "parties[2].name");
        let e = FieldError::required("", "当事人").under("parties");
        assert_eq!(e.field, "parties");
        let e = FieldError::required("[0]", "x").under("claims");
        assert_eq!(e.field, "claims[0]");
    }
}
