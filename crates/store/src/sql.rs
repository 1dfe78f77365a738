//! Small helpers for SQL text built at run time.
//!
//! Only placeholder lists are ever generated; values always travel as bind
//! parameters. That is why wrapping such text in `AssertSqlSafe` is sound.

/// `$start, $start+1, …` — `n` positional placeholders.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `($1, $2), ($3, $4)` — `rows` tuples of `cols` placeholders from `start`.
pub(crate) fn value_rows(start: usize, rows: usize, cols: usize) -> String {
    (0..rows).map(|r| format!("({})", placeholders(start + r * cols, cols))).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_placeholder_lists() {
        assert_eq!(placeholders(3, 2), "$3, $4");
        assert_eq!(value_rows(1, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 0), "");
    }
}
