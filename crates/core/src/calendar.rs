//! Working-day calendar: 法定节假日 and 调休 workdays.
//!
//! The State Council publishes each year's arrangement (国务院办公厅关于某年
//! 部分节假日安排的通知), normally in October or November of the year before.
//! zhixing keeps it as data (`data/calendar.csv`, extendable by an
//! administrator), never as code. A year is *covered* when its arrangement
//! has been loaded; asking about an uncovered year is an error, not a guess,
//! because a wrong 调休 day silently moves every deadline.
//!
//! Two ways of counting are provided:
//! - [`WorkCalendar::add_working_days`] for limits in 工作日 (e.g. 3 个工作日):
//!   the first day is not counted (CPL art 85 ¶2, assumed to apply to
//!   工作日 periods as well — legal-rules-b.md "how to read").
//! - [`WorkCalendar::period_end`] for limits in days: the first day is not
//!   counted and a period ending on a 法定休假日 ends on the next working day
//!   (CPL art 85 ¶2–3; 民法典 arts 201, 203).

use std::collections::{BTreeMap, BTreeSet};

use time::{Date, Duration, Weekday};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// 放假 — a day off by the State Council's arrangement.
    Holiday,
    /// 调休上班 — a Saturday or Sunday that is a working day.
    AdjustedWorkday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::AdjustedWorkday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::AdjustedWorkday),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarEntry {
    pub date: Date,
    pub kind: DayKind,
    /// The notice the entry comes from.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{0}年的节假日安排尚未录入，请系统管理员按国务院办公厅通知导入")]
    YearNotCovered(i32),
    #[error("节假日表第{line}行：{reason}")]
    Table { line: usize, reason: String },
    #[error("{date}既被标为放假又被标为调休上班")]
    Conflict { date: Date },
    #[error("{date}不是周末，不能标为调休上班")]
    WorkdayNotWeekend { date: Date },
    #[error("期间过长")]
    Overflow,
}

#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    days: BTreeMap<Date, DayKind>,
    covered_years: BTreeSet<i32>,
}

impl WorkCalendar {
    pub fn new(entries: impl IntoIterator<Item = CalendarEntry>) -> Result<Self, CalendarError> {
        let mut calendar = WorkCalendar::default();
        for entry in entries {
            if entry.kind == DayKind::AdjustedWorkday && !is_weekend(entry.date) {
                return Err(CalendarError::WorkdayNotWeekend { date: entry.date });
            }
            if let Some(previous) = calendar.days.insert(entry.date, entry.kind)
                && previous != entry.kind
            {
                return Err(CalendarError::Conflict { date: entry.date });
            }
            calendar.covered_years.insert(entry.date.year());
        }
        Ok(calendar)
    }

    /// Parses the `date,kind,source` table (`#` starts a comment line; a
    /// header line is allowed).
    pub fn parse_csv(text: &str) -> Result<Vec<CalendarEntry>, CalendarError> {
        let mut entries = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
                continue;
            }
            let table_error = |reason: String| CalendarError::Table { line: index + 1, reason };
            let mut fields = line.splitn(3, ',');
            let date_text = fields.next().unwrap_or_default().trim();
            let kind_text = fields.next().unwrap_or_default().trim();
            let source = fields.next().unwrap_or_default().trim();
            let date =
                parse_iso_date(date_text).ok_or_else(|| table_error(format!("日期“{date_text}”应为YYYY-MM-DD")))?;
            let kind = DayKind::parse(kind_text)
                .ok_or_else(|| table_error(format!("类型“{kind_text}”应为holiday或workday")))?;
            if source.is_empty() {
                return Err(table_error("缺少来源（国务院办公厅通知）".to_string()));
            }
            entries.push(CalendarEntry { date, kind, source: source.to_string() });
        }
        Ok(entries)
    }

    pub fn covers(&self, year: i32) -> bool {
        self.covered_years.contains(&year)
    }

    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered_years.iter().copied()
    }

    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        if !self.covers(date.year()) {
            return Err(CalendarError::YearNotCovered(date.year()));
        }
        Ok(match self.days.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::AdjustedWorkday) => true,
            None => !is_weekend(date),
        })
    }

    /// The date on which a period of `n` working days that starts on `start`
    /// ends. The start day is not counted; `n = 0` returns `start`.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        let mut date = start;
        let mut remaining = n;
        while remaining > 0 {
            date = next_day(date)?;
            if self.is_working_day(date)? {
                remaining -= 1;
            }
        }
        Ok(date)
    }

    /// End of a period of `days` calendar days starting on `start`
    /// (CPL art 85): the start day is not counted; if the last day is not a
    /// working day the period ends on the next working day.
    pub fn period_end(&self, start: Date, days: u32) -> Result<Date, CalendarError> {
        let mut end = start.checked_add(Duration::days(i64::from(days))).ok_or(CalendarError::Overflow)?;
        while !self.is_working_day(end)? {
            end = next_day(end)?;
        }
        Ok(end)
    }

    /// Number of working days in `(from, to]` — the count a deadline display
    /// needs ("还剩N个工作日").
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = next_day(date)?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

fn next_day(date: Date) -> Result<Date, CalendarError> {
    date.next_day().ok_or(CalendarError::Overflow)
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Parses `YYYY-MM-DD` strictly (no time, no offset).
pub fn parse_iso_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format).ok()
}

/// Formats a date as `YYYY-MM-DD`.
pub fn iso_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month() as u8, date.day())
}

/// Formats a date the way Chinese legal documents do: `2025年3月7日`.
pub fn chinese_date(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), date.month() as u8, date.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TABLE: &str = include_str!("../../../data/calendar.csv");

    fn calendar() -> WorkCalendar {
        WorkCalendar::new(WorkCalendar::parse_csv(TABLE).unwrap()).unwrap()
    }

    #[test]
    fn shipped_table_covers_2024_to_2026() {
        let cal = calendar();
        assert!(cal.covers(2024) && cal.covers(2025) && cal.covers(2026));
        assert_eq!(cal.is_working_day(date!(2027 - 01 - 04)), Err(CalendarError::YearNotCovered(2027)));
    }

    #[test]
    fn known_days_of_the_notices() {
        let cal = calendar();
        // 2025 春节: 1月28日至2月4日放假; 1月26日（周日）、2月8日（周六）上班.
        assert!(!cal.is_working_day(date!(2025 - 01 - 28)).unwrap());
        assert!(!cal.is_working_day(date!(2025 - 02 - 04)).unwrap());
        assert!(cal.is_working_day(date!(2025 - 01 - 26)).unwrap());
        assert!(cal.is_working_day(date!(2025 - 02 - 08)).unwrap());
        // 2026 元旦: 1月1日至3日放假; 1月4日（周日）上班.
        assert!(!cal.is_working_day(date!(2026 - 01 - 02)).unwrap());
        assert!(cal.is_working_day(date!(2026 - 01 - 04)).unwrap());
        // An ordinary Saturday and an ordinary Monday.
        assert!(!cal.is_working_day(date!(2026 - 03 - 07)).unwrap());
        assert!(cal.is_working_day(date!(2026 - 03 - 09)).unwrap());
    }

    #[test]
    fn working_days_skip_the_spring_festival() {
        let cal = calendar();
        // Filed Friday 2026-02-13; 2-14 (Sat) is a 调休 workday; 2-15..2-23 off.
        assert_eq!(cal.add_working_days(date!(2026 - 02 - 13), 1).unwrap(), date!(2026 - 02 - 14));
        assert_eq!(cal.add_working_days(date!(2026 - 02 - 13), 2).unwrap(), date!(2026 - 02 - 24));
        // 7 working days from 2026-02-13: 2-14, 2-24, 2-25, 2-26, 2-27, 2-28 (Sat, 调休), 3-02.
        assert_eq!(cal.add_working_days(date!(2026 - 02 - 13), 7).unwrap(), date!(2026 - 03 - 02));
        assert_eq!(cal.add_working_days(date!(2026 - 02 - 13), 0).unwrap(), date!(2026 - 02 - 13));
    }

    #[test]
    fn calendar_day_periods_roll_past_holidays() {
        let cal = calendar();
        // 10 days from 2025-09-21 end 2025-10-01 (国庆) → first working day 2025-10-09.
        assert_eq!(cal.period_end(date!(2025 - 09 - 21), 10).unwrap(), date!(2025 - 10 - 09));
        // Ending on a Saturday that is a 调休 workday stays there.
        assert_eq!(cal.period_end(date!(2025 - 09 - 18), 10).unwrap(), date!(2025 - 09 - 28));
    }

    #[test]
    fn rejects_inconsistent_tables() {
        let bad = "2026-03-09,workday,x";
        assert!(matches!(
            WorkCalendar::new(WorkCalendar::parse_csv(bad).unwrap()),
            Err(CalendarError::WorkdayNotWeekend { .. })
        ));
        let conflict = "2026-03-07,holiday,x\n2026-03-07,workday,y";
        assert!(matches!(
            WorkCalendar::new(WorkCalendar::parse_csv(conflict).unwrap()),
            Err(CalendarError::Conflict { .. })
        ));
        assert!(matches!(WorkCalendar::parse_csv("2026-13-01,holiday,x"), Err(CalendarError::Table { line: 1, .. })));
        assert!(matches!(WorkCalendar::parse_csv("2026-03-01,holiday,"), Err(CalendarError::Table { .. })));
    }

    proptest! {
        #[test]
        fn add_working_days_lands_on_a_working_day_and_counts_exactly(
            offset in 0i64..900, n in 1u32..60
        ) {
            let cal = calendar();
            let start = date!(2024 - 01 - 01) + Duration::days(offset);
            if let Ok(end) = cal.add_working_days(start, n) {
                prop_assert!(cal.is_working_day(end).unwrap());
                prop_assert_eq!(cal.working_days_between(start, end).unwrap(), n);
                prop_assert!(end > start);
            }
        }

        #[test]
        fn adding_is_monotonic(offset in 0i64..900, n in 0u32..40) {
            let cal = calendar();
            let start = date!(2024 - 01 - 01) + Duration::days(offset);
            if let (Ok(a), Ok(b)) = (cal.add_working_days(start, n), cal.add_working_days(start, n + 1)) {
                prop_assert!(b > a);
            }
        }
    }
}
