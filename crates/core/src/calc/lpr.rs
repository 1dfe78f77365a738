//! 贷款市场报价利率 (LPR): the monthly fixings of the 1-year and 5-year-plus
//! rates, published by the National Interbank Funding Center from
//! 2019-08-20 (民间借贷规定 art 25 ¶2). A fixing applies from its publication
//! date until the next one.
//!
//! The history is data (`data/lpr.csv`), extendable by an administrator
//! without a rebuild; dates before the first fixing have no LPR.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::Date;

use crate::calendar::parse_iso_date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tenor {
    /// 一年期
    OneYear,
    /// 五年期以上
    FiveYear,
}

impl Tenor {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "1y" => Some(Tenor::OneYear),
            "5y" => Some(Tenor::FiveYear),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tenor::OneYear => "1y",
            Tenor::FiveYear => "5y",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Tenor::OneYear => "一年期LPR",
            Tenor::FiveYear => "五年期以上LPR",
        }
    }
}

/// One fixing: annual percentages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixing {
    pub published_on: Date,
    pub one_year: Decimal,
    pub five_year: Decimal,
}

impl Fixing {
    pub fn rate(&self, tenor: Tenor) -> Decimal {
        match tenor {
            Tenor::OneYear => self.one_year,
            Tenor::FiveYear => self.five_year,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct LprTable {
    fixings: BTreeMap<Date, Fixing>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("LPR表第{line}行：{reason}")]
pub struct LprTableError {
    pub line: usize,
    pub reason: String,
}

impl LprTable {
    pub fn new(fixings: impl IntoIterator<Item = Fixing>) -> Self {
        Self { fixings: fixings.into_iter().map(|f| (f.published_on, f)).collect() }
    }

    /// Parses `published_on,lpr_1y_percent,lpr_5y_percent` (`#` comments
    /// and a header line allowed).
    pub fn parse_csv(text: &str) -> Result<Vec<Fixing>, LprTableError> {
        let mut out = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("published_on") {
                continue;
            }
            let fail = |reason: &str| LprTableError { line: index + 1, reason: reason.to_string() };
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != 3 {
                return Err(fail("应有3列：published_on,lpr_1y_percent,lpr_5y_percent"));
            }
            let published_on = parse_iso_date(fields[0]).ok_or_else(|| fail("公布日期应为YYYY-MM-DD"))?;
            let rate = |s: &str| s.parse::<Decimal>().ok().filter(|r| *r > Decimal::ZERO && *r < Decimal::from(100));
            let one_year = rate(fields[1]).ok_or_else(|| fail("一年期利率无效"))?;
            let five_year = rate(fields[2]).ok_or_else(|| fail("五年期以上利率无效"))?;
            out.push(Fixing { published_on, one_year, five_year });
        }
        Ok(out)
    }

    /// The fixing in force on `date`: the latest published on or before it.
    pub fn fixing_on(&self, date: Date) -> Option<&Fixing> {
        self.fixings.range(..=date).next_back().map(|(_, f)| f)
    }

    /// Publication dates strictly after `from` and not after `to` — the days
    /// on which a floating rate changes inside `[from, to]`.
    pub fn changes_within(&self, from: Date, to: Date) -> impl Iterator<Item = &Fixing> {
        let start = from.next_day().unwrap_or(from);
        let range = if start <= to { Some(start..=to) } else { None };
        range.into_iter().flat_map(move |r| self.fixings.range(r).map(|(_, f)| f))
    }

    pub fn first(&self) -> Option<&Fixing> {
        self.fixings.values().next()
    }

    pub fn last(&self) -> Option<&Fixing> {
        self.fixings.values().next_back()
    }

    pub fn fixings(&self) -> impl Iterator<Item = &Fixing> {
        self.fixings.values()
    }

    pub fn is_empty(&self) -> bool {
        self.fixings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    pub(crate) fn shipped() -> LprTable {
        LprTable::new(LprTable::parse_csv(include_str!("../../../../data/lpr.csv")).unwrap())
    }

    #[test]
    fn shipped_history_matches_the_digest_change_points() {
        let t = shipped();
        assert_eq!(t.first().unwrap().published_on, date!(2019 - 08 - 20));
        assert_eq!(t.fixing_on(date!(2019 - 08 - 19)), None);
        assert_eq!(t.fixing_on(date!(2019 - 08 - 20)).unwrap().one_year, dec("4.25"));
        // 2024-02-20: 5-year cut to 3.95 (digest §6).
        assert_eq!(t.fixing_on(date!(2024 - 02 - 19)).unwrap().five_year, dec("4.20"));
        assert_eq!(t.fixing_on(date!(2024 - 02 - 20)).unwrap().five_year, dec("3.95"));
        assert_eq!(t.fixing_on(date!(2024 - 07 - 22)).unwrap().one_year, dec("3.35"));
        assert_eq!(t.fixing_on(date!(2025 - 05 - 20)).unwrap().rate(Tenor::FiveYear), dec("3.50"));
        assert_eq!(t.fixing_on(date!(2026 - 11 - 27)).unwrap().one_year, dec("3.00"));
        let changes: Vec<Date> =
            t.changes_within(date!(2024 - 07 - 01), date!(2024 - 10 - 21)).map(|f| f.published_on).collect();
        assert_eq!(
            changes,
            [date!(2024 - 07 - 22), date!(2024 - 08 - 20), date!(2024 - 09 - 20), date!(2024 - 10 - 21)]
        );
    }

    #[test]
    fn rejects_bad_rows() {
        assert!(LprTable::parse_csv("2024-13-01,3.1,3.6").is_err());
        assert!(LprTable::parse_csv("2024-01-01,-1,3.6").is_err());
        assert!(LprTable::parse_csv("2024-01-01,3.1").is_err());
    }
}
