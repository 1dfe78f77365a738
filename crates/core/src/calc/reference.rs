//! The day-by-day reference implementation of the statement: obviously
//! correct, slow. Tests compare [`super::compute`] with it on random
//! inputs; the benchmark reports the ratio between the two.

#![allow(clippy::expect_used)]

use rust_decimal::Decimal;
use time::{Date, Duration};

use super::lpr::LprTable;
use super::{AllocationPolicy, DOUBLED_DAILY_RATE, LprMode, Obligation, ObligationKind, Rate, StatementInput, Until};

/// The totals the reference computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub outstanding_obligations: Decimal,
    pub ordinary_owed: Decimal,
    pub delay_owed: Decimal,
    pub paid_obligations: Decimal,
    pub paid_ordinary: Decimal,
    pub paid_delay: Decimal,
    pub overpaid: Decimal,
}

/// Walks every day from the first relevant day to `as_of`: accrues the
/// doubled part and ordinary interest on the balances of that day, then
/// applies that day's payments. Slow (one iteration per day) and simple —
/// it exists to check [`compute`](super::compute).
pub fn day_by_day(input: &StatementInput, lpr: &LprTable) -> Reference {
    let n = input.obligations.len();
    let mut balance: Vec<Decimal> = input.obligations.iter().map(|o| o.amount).collect();
    let (mut ordinary, mut delay) = (Decimal::ZERO, Decimal::ZERO);
    let (mut paid_obligations, mut paid_ordinary, mut paid_delay, mut overpaid) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let deadline = |o: &Obligation| o.due_on.unwrap_or(input.document_effective_on);
    let mut by_deadline: Vec<usize> = (0..n).collect();
    by_deadline.sort_by_key(|i| (deadline(&input.obligations[*i]), *i));
    let excluded = |d: Date| input.excluded_periods.iter().any(|p| p.from <= d && d <= p.to);
    let first = input
        .obligations
        .iter()
        .map(|o| deadline(o) + Duration::days(1))
        .chain(input.ordinary_interest.iter().map(|s| s.from))
        .chain(input.payments.iter().map(|p| p.on))
        .min()
        .expect("validated input");
    let mut d = first;
    while d <= input.as_of {
        for (i, o) in input.obligations.iter().enumerate() {
            if d > deadline(o) && !excluded(d) {
                delay += balance[i] * DOUBLED_DAILY_RATE;
            }
        }
        for s in &input.ordinary_interest {
            let i = input.obligations.iter().position(|o| o.id == s.on).expect("validated input");
            let until = match s.until {
                Until::Paid => input.as_of,
                Until::Date(u) => u,
            };
            if s.from <= d && d <= until {
                let percent = match s.rate {
                    Rate::FixedAnnualPercent(p) => p,
                    Rate::Lpr { tenor, multiplier, plus_percent, mode } => {
                        let day = if mode == LprMode::Floating { d } else { s.from };
                        lpr.fixing_on(day).expect("validated input").rate(tenor) * multiplier + plus_percent
                    }
                };
                ordinary += balance[i] * percent / Decimal::ONE_HUNDRED / Decimal::from(s.day_basis);
            }
        }
        for p in input.payments.iter().filter(|p| p.on == d) {
            let mut left = p.amount;
            let take = |owed: &mut Decimal, left: &mut Decimal| {
                let t = (*left).min(*owed).max(Decimal::ZERO);
                *owed -= t;
                *left -= t;
                t
            };
            let costs = |i: &usize| input.obligations[*i].kind == ObligationKind::Costs;
            match input.allocation {
                AllocationPolicy::CostsInterestPrincipal => {
                    for i in by_deadline.iter().filter(|i| costs(i)) {
                        paid_obligations += take(&mut balance[*i], &mut left);
                    }
                    paid_ordinary += take(&mut ordinary, &mut left);
                    for i in by_deadline.iter().filter(|i| !costs(i)) {
                        paid_obligations += take(&mut balance[*i], &mut left);
                    }
                }
                AllocationPolicy::PrincipalFirst => {
                    for i in &by_deadline {
                        paid_obligations += take(&mut balance[*i], &mut left);
                    }
                    paid_ordinary += take(&mut ordinary, &mut left);
                }
            }
            paid_delay += take(&mut delay, &mut left);
            overpaid += left;
        }
        d = d.next_day().expect("validated input");
    }
    Reference {
        outstanding_obligations: balance.iter().sum(),
        ordinary_owed: ordinary,
        delay_owed: delay,
        paid_obligations,
        paid_ordinary,
        paid_delay,
        overpaid,
    }
}
