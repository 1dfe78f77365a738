//! Reading typed values back out of rows. A stored value that does not parse
//! means an invariant was broken outside zhixing; it is reported as
//! [`StoreError::Corrupt`], never papered over.

use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;
use zhixing_core::calendar::parse_iso_date;

use crate::{Result, StoreError};

pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(column)?)
}

pub(crate) fn opt_text(row: &AnyRow, column: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(column)?)
}

pub(crate) fn opt_int(row: &AnyRow, column: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(column)?)
}

pub(crate) fn date(row: &AnyRow, column: &str) -> Result<Date> {
    let value = text(row, column)?;
    parse_iso_date(&value).ok_or_else(|| corrupt(column, &value))
}

pub(crate) fn opt_date(row: &AnyRow, column: &str) -> Result<Option<Date>> {
    match opt_text(row, column)? {
        None => Ok(None),
        Some(value) => parse_iso_date(&value).map(Some).ok_or_else(|| corrupt(column, &value)),
    }
}

/// Parses a column with a domain parser, reporting failures as corruption.
pub(crate) fn parsed<T>(row: &AnyRow, column: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
    let value = text(row, column)?;
    parse(&value).ok_or_else(|| corrupt(column, &value))
}

pub(crate) fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{column} = {value:?}"))
}
