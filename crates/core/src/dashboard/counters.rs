//! The counters a court's dashboard reads, and what one case contributes to
//! them.
//!
//! Every change to a case recomputes the case's *contribution* (a small map
//! from counter key to value) with [`contribution`]; the store subtracts the
//! case's previous contribution and adds the new one, in the transaction
//! that changes the case. The dashboard then sums a few hundred counter rows
//! instead of reading every case — the cost of a dashboard grows with the
//! number of courts and months, not with the number of cases.

use std::collections::BTreeMap;

use time::Date;

use crate::calendar::iso_date;
use crate::case_number::EnforcementType;
use crate::credit::listing::coded;
use crate::money::Money;
use crate::workflow::ClosingMode;

coded! {
    /// A maintained counter. Month counters are keyed by the month of the
    /// event (`YYYY-MM`), gauges by [`GAUGE`], deadlines by their due date.
    Metric {
        Filed = "filed", "立案数";
        Closed = "closed", "结案数";
        ClosedCompleted = "closed_completed", "执行完毕结案数";
        ClosedZhongben = "closed_zhongben", "终本结案数";
        ClosedTransferred = "closed_transferred", "交叉执行移送结案数（提级、指定执行，不作裁定）";
        CloseDays = "close_days", "结案案件立案至结案天数合计";
        ClosedApplied = "closed_applied_fen", "结案案件申请执行标的（分）";
        ClosedPaid = "closed_paid_fen", "结案案件实际执行到位金额（分）";
        OpenCases = "open_cases", "未结案件数";
        DeadlineDue = "deadline_due", "按到期日统计的未完成期限数";
        DeadlineDueMonth = "deadline_due_month", "按到期月份统计的未完成期限数";
        PetitionsOpen = "petitions_open", "未办结执行信访数";
        CrossOut = "cross_out", "交叉执行移出案件数";
        CrossIn = "cross_in", "交叉执行移入案件数";
        ReviewsOpen = "reviews_open", "未结问责审查数";
    }
}

impl Metric {
    /// Summed over a range of months (as opposed to a gauge or a due date).
    pub fn is_monthly(self) -> bool {
        matches!(
            self,
            Metric::Filed
                | Metric::Closed
                | Metric::ClosedCompleted
                | Metric::ClosedZhongben
                | Metric::ClosedTransferred
                | Metric::CloseDays
                | Metric::ClosedApplied
                | Metric::ClosedPaid
                | Metric::CrossOut
                | Metric::CrossIn
        )
    }
}

/// The period of a gauge (a value "now", not tied to a month).
pub const GAUGE: &str = "-";
/// The case-type column of counters that are not split by case type.
pub const ANY_TYPE: &str = "*";

/// `YYYY-MM` of a date: the period of monthly counters.
pub fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

/// One counter row: metric, period, and the case type (or form) split.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub metric: Metric,
    pub period: String,
    pub split: String,
}

impl CounterKey {
    pub fn new(metric: Metric, period: impl Into<String>, split: impl Into<String>) -> Self {
        CounterKey { metric, period: period.into(), split: split.into() }
    }
}

/// What one case contributes; keys absent mean zero.
pub type Contribution = BTreeMap<CounterKey, i64>;

/// How a case was closed, as the counters distinguish it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closing {
    pub on: Date,
    pub mode: ClosingMode,
    /// Closed by a 交叉执行 transfer (提级/指定执行, LJ art 17, no ruling):
    /// not a disposal of the case, so the default indicators leave it out
    /// of their denominators.
    pub transferred: bool,
}

/// What the counters read about a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub case_type: EnforcementType,
    pub filed_on: Date,
    /// Soft-deleted cases contribute nothing.
    pub live: bool,
    pub closing: Option<Closing>,
    /// 申请执行标的
    pub applied: Money,
    /// Recorded payments (执行到位).
    pub paid: Money,
    /// Due dates of the case's open deadlines.
    pub open_deadlines: Vec<Date>,
}

/// The case's contribution to its court's counters.
pub fn contribution(f: &CaseFacts) -> Contribution {
    let mut out = Contribution::new();
    if !f.live {
        return out;
    }
    let mut add = |metric: Metric, period: String, split: &str, value: i64| {
        if value != 0 {
            *out.entry(CounterKey::new(metric, period, split)).or_insert(0) += value;
        }
    };
    let t = f.case_type.code();
    add(Metric::Filed, month_key(f.filed_on), t, 1);
    match f.closing {
        None => add(Metric::OpenCases, GAUGE.into(), t, 1),
        Some(c) => {
            let m = month_key(c.on);
            add(Metric::Closed, m.clone(), t, 1);
            if c.transferred {
                // The balance and the days go on in the receiving court's
                // case; counting them here too would count them twice.
                add(Metric::ClosedTransferred, m, t, 1);
                return finish_deadlines(out, f);
            }
            match c.mode {
                ClosingMode::Completed => add(Metric::ClosedCompleted, m.clone(), t, 1),
                ClosingMode::TerminatedThisRound => add(Metric::ClosedZhongben, m.clone(), t, 1),
                _ => {}
            }
            add(Metric::CloseDays, m.clone(), t, (c.on - f.filed_on).whole_days().max(0));
            add(Metric::ClosedApplied, m.clone(), t, f.applied.fen());
            add(Metric::ClosedPaid, m, t, f.paid.fen().min(f.applied.fen()));
        }
    }
    finish_deadlines(out, f)
}

/// Every monthly counter also counts in its year (`YYYY`): a period that
/// runs to the current month reads one row per year instead of one per
/// month (see [`period_keys`]).
fn with_year_rollups(mut out: Contribution) -> Contribution {
    let years: Vec<(CounterKey, i64)> = out
        .iter()
        .filter(|(k, _)| k.metric.is_monthly() && k.period.len() == 7)
        .map(|(k, v)| (CounterKey::new(k.metric, &k.period[..4], k.split.clone()), *v))
        .collect();
    for (k, v) in years {
        *out.entry(k).or_insert(0) += v;
    }
    out
}

/// The month key and its year key of a monthly counter (for the counters
/// bumped outside a case's contribution).
pub fn month_and_year(d: Date) -> [String; 2] {
    [month_key(d), format!("{:04}", d.year())]
}

/// The period keys whose rows sum to the months `[from, to]` (`YYYY-MM`),
/// given that nothing is counted after `current` (dates are never in the
/// future): a year whose months from January to its last possible month are
/// all inside the range is one `YYYY` key, other months are month keys.
pub fn period_keys(from: &str, to: &str, current: &str) -> Vec<String> {
    let parse = |m: &str| -> Option<(i32, u8)> { Some((m.get(..4)?.parse().ok()?, m.get(5..7)?.parse().ok()?)) };
    let (Some((ty, tm)), Some((cy, cm))) = (parse(to), parse(current)) else {
        return Vec::new();
    };
    let (fy, fm) = match from {
        // All time: from well before any case.
        "0000-00" => (1900, 1),
        _ => match parse(from) {
            Some(f) => f,
            None => return Vec::new(),
        },
    };
    let mut keys = Vec::new();
    for y in fy..=ty {
        let first = if y == fy { fm } else { 1 };
        let last = if y == ty { tm } else { 12 };
        // The last month of `y` that can hold counts.
        let last_possible = if y < cy {
            12
        } else if y == cy {
            cm
        } else {
            0
        };
        if first == 1 && last >= last_possible {
            if last_possible > 0 {
                keys.push(format!("{y:04}"));
            }
        } else {
            for m in first..=last {
                keys.push(format!("{y:04}-{m:02}"));
            }
        }
    }
    keys
}

fn finish_deadlines(mut out: Contribution, f: &CaseFacts) -> Contribution {
    out = with_year_rollups(out);
    for d in &f.open_deadlines {
        // By day (overdue within this month, due soon) and by month (overdue
        // before this month: one row per month instead of one per day).
        *out.entry(CounterKey::new(Metric::DeadlineDue, iso_date(*d), ANY_TYPE)).or_insert(0) += 1;
        *out.entry(CounterKey::new(Metric::DeadlineDueMonth, month_key(*d), ANY_TYPE)).or_insert(0) += 1;
    }
    out
}

/// `new − old`, without zero entries: what the counters must change by.
pub fn delta(old: &Contribution, new: &Contribution) -> Contribution {
    let mut out = new.clone();
    for (k, v) in old {
        *out.entry(k.clone()).or_insert(0) -= v;
    }
    out.retain(|_, v| *v != 0);
    out
}

/// Adds `more` into `into` (merging the deltas of a batch before writing).
pub fn merge(into: &mut Contribution, more: &Contribution) {
    for (k, v) in more {
        *into.entry(k.clone()).or_insert(0) += v;
    }
    into.retain(|_, v| *v != 0);
}

/// A contribution as one line of text (`metric|period|split=value;…`),
/// stored beside the case so the next change knows what to subtract.
pub fn encode(c: &Contribution) -> String {
    c.iter().map(|(k, v)| format!("{}|{}|{}={}", k.metric.code(), k.period, k.split, v)).collect::<Vec<_>>().join(";")
}

/// The inverse of [`encode`]; `None` if the text is not one.
pub fn decode(s: &str) -> Option<Contribution> {
    let mut out = Contribution::new();
    for item in s.split(';').filter(|i| !i.is_empty()) {
        let (key, value) = item.rsplit_once('=')?;
        let mut parts = key.splitn(3, '|');
        let metric = Metric::parse(parts.next()?)?;
        let period = parts.next()?.to_string();
        let split = parts.next()?.to_string();
        out.insert(CounterKey { metric, period, split }, value.parse().ok()?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn facts() -> CaseFacts {
        CaseFacts {
            case_type: EnforcementType::First,
            filed_on: date!(2026 - 01 - 10),
            live: true,
            closing: None,
            applied: Money::from_fen(100_000).unwrap_or(Money::ZERO),
            paid: Money::ZERO,
            open_deadlines: vec![date!(2026 - 01 - 17), date!(2026 - 01 - 17), date!(2026 - 07 - 10)],
        }
    }

    #[test]
    fn open_case_counts_filed_open_and_its_deadlines() {
        let c = contribution(&facts());
        assert_eq!(c[&CounterKey::new(Metric::Filed, "2026-01", "执")], 1);
        assert_eq!(c[&CounterKey::new(Metric::OpenCases, GAUGE, "执")], 1);
        assert_eq!(c[&CounterKey::new(Metric::DeadlineDue, "2026-01-17", ANY_TYPE)], 2);
        assert_eq!(c[&CounterKey::new(Metric::DeadlineDueMonth, "2026-01", ANY_TYPE)], 2);
        assert_eq!(c[&CounterKey::new(Metric::Filed, "2026", "执")], 1, "the year's rollup");
        assert_eq!(c.len(), 7);
    }

    #[test]
    fn closing_moves_the_case_from_open_to_closed_in_its_month() {
        let before = contribution(&facts());
        let mut f = facts();
        f.closing = Some(Closing { on: date!(2026 - 03 - 01), mode: ClosingMode::Completed, transferred: false });
        f.paid = Money::from_fen(150_000).unwrap_or(Money::ZERO);
        f.open_deadlines.clear();
        let after = contribution(&f);
        let d = delta(&before, &after);
        assert_eq!(d[&CounterKey::new(Metric::OpenCases, GAUGE, "执")], -1);
        assert_eq!(d[&CounterKey::new(Metric::Closed, "2026-03", "执")], 1);
        assert_eq!(d[&CounterKey::new(Metric::ClosedCompleted, "2026-03", "执")], 1);
        assert_eq!(d[&CounterKey::new(Metric::CloseDays, "2026-03", "执")], 50);
        // Overpayment does not push 执行到位率 above 100 %.
        assert_eq!(d[&CounterKey::new(Metric::ClosedPaid, "2026-03", "执")], 100_000);
        assert!(!d.contains_key(&CounterKey::new(Metric::Filed, "2026-01", "执")));
        let mut gone = f.clone();
        gone.live = false;
        assert!(contribution(&gone).is_empty());
    }

    fn arb_facts() -> impl Strategy<Value = CaseFacts> {
        (0i64..2000, proptest::option::of((0i64..900, 0usize..6, any::<bool>())), 0i64..10_000_000, 0i64..20_000_000)
            .prop_flat_map(|(filed, closing, applied, paid)| {
                proptest::collection::vec(0i64..800, 0..6).prop_map(move |deadlines| {
                    let filed_on = date!(2020 - 01 - 01) + time::Duration::days(filed);
                    CaseFacts {
                        case_type: EnforcementType::First,
                        filed_on,
                        live: true,
                        closing: closing.map(|(after, mode, transferred)| Closing {
                            on: filed_on + time::Duration::days(after),
                            mode: ClosingMode::ALL[mode % ClosingMode::ALL.len()],
                            transferred,
                        }),
                        applied: Money::from_fen(applied).unwrap_or(Money::ZERO),
                        paid: Money::from_fen(paid).unwrap_or(Money::ZERO),
                        open_deadlines: deadlines.iter().map(|d| filed_on + time::Duration::days(*d)).collect(),
                    }
                })
            })
    }

    #[test]
    fn period_keys_use_years_where_whole() {
        let keys = |f: &str, t: &str| period_keys(f, t, "2026-11");
        assert_eq!(keys("2026-01", "2026-11"), ["2026"]);
        assert_eq!(keys("2025-12", "2026-11"), ["2025-12", "2026"]);
        assert_eq!(keys("2026-11", "2026-11"), ["2026-11"]);
        assert_eq!(keys("2024-01", "2026-11"), ["2024", "2025", "2026"]);
        assert_eq!(keys("2025-03", "2025-05"), ["2025-03", "2025-04", "2025-05"]);
        assert_eq!(keys("2026-03", "2026-11"), (3..=11).map(|m| format!("2026-{m:02}")).collect::<Vec<_>>());
        assert!(keys("0000-00", "2026-11").contains(&"1900".to_string()));
    }

    proptest! {
        /// Year keys and month keys give the same sums for any range ending
        /// this month, when nothing is counted after this month.
        #[test]
        fn period_keys_sum_like_months(from_offset in 0i32..40, counts in proptest::collection::vec(0i64..5, 48)) {
            // Months 2023-01 … 2026-12, of which only up to 2026-11 hold counts.
            let months: Vec<String> = (0..48).map(|i| format!("{:04}-{:02}", 2023 + i / 12, i % 12 + 1)).collect();
            let current = "2026-11";
            let mut rows = std::collections::BTreeMap::new();
            for (m, n) in months.iter().zip(&counts) {
                if m.as_str() <= current {
                    *rows.entry(m.clone()).or_insert(0) += n;
                    *rows.entry(m[..4].to_string()).or_insert(0) += n;
                }
            }
            let from = &months[from_offset as usize];
            let by_months: i64 = months.iter().filter(|m| m.as_str() >= from.as_str() && m.as_str() <= current).map(|m| rows.get(m).copied().unwrap_or(0)).sum();
            let by_keys: i64 = period_keys(from, current, current).iter().map(|k| rows.get(k).copied().unwrap_or(0)).sum();
            prop_assert_eq!(by_months, by_keys);
        }

        /// Applying the deltas of any sequence of changes leaves exactly the
        /// last state's contribution, and the stored text round-trips.
        #[test]
        fn deltas_telescope(states in proptest::collection::vec(arb_facts(), 1..6)) {
            let mut counters = Contribution::new();
            let mut previous = Contribution::new();
            for s in &states {
                let now = contribution(s);
                prop_assert_eq!(decode(&encode(&now)), Some(now.clone()));
                merge(&mut counters, &delta(&previous, &now));
                previous = now;
            }
            prop_assert_eq!(counters, previous);
        }
    }
}
