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

/// Most rows per multi-row INSERT (well below every backend's bind limit).
pub(crate) const MAX_ROWS: usize = 256;

/// Splits `n` rows into statements of at most [`MAX_ROWS`]: yields
/// `(start, len, bucket)` where `bucket` is `len` rounded up to a power of
/// two. Statements are written for the bucket size and padded with NULL
/// rows (see [`bucketed_insert`]), so each table has a handful of statement
/// shapes that the driver prepares once per connection and reuses — with
/// exact sizes almost every batch would be a new statement to parse and plan.
pub(crate) fn buckets(n: usize) -> impl Iterator<Item = (usize, usize, usize)> {
    (0..n).step_by(MAX_ROWS).map(move |start| {
        let len = (n - start).min(MAX_ROWS);
        (start, len, len.next_power_of_two())
    })
}

/// `INSERT INTO table (cols) SELECT * FROM (VALUES …) AS v WHERE column1 IS
/// NOT NULL` for `rows` rows of `cols` placeholders. Both SQLite and
/// PostgreSQL name VALUES columns `column1, column2, …`; the first column
/// of every table written this way is `court_code`, never NULL in a real
/// row, so padding rows (all NULL) are dropped.
pub(crate) fn bucketed_insert(table_and_columns: &str, cols: usize, rows: usize) -> String {
    format!(
        "INSERT INTO {table_and_columns} SELECT * FROM (VALUES {}) AS v WHERE column1 IS NOT NULL",
        value_rows(1, rows, cols)
    )
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

    #[test]
    fn buckets_round_up_and_cover_every_row() {
        assert_eq!(buckets(0).count(), 0);
        assert_eq!(buckets(1).collect::<Vec<_>>(), [(0, 1, 1)]);
        assert_eq!(buckets(5).collect::<Vec<_>>(), [(0, 5, 8)]);
        assert_eq!(buckets(600).collect::<Vec<_>>(), [(0, 256, 256), (256, 256, 256), (512, 88, 128)]);
        assert!(
            bucketed_insert("t (a, b)", 2, 2).ends_with("VALUES ($1, $2), ($3, $4)) AS v WHERE column1 IS NOT NULL")
        );
    }
}
