//! Court fees for enforcement and preservation, 《诉讼费用交纳办法》
//! (国务院令第481号) art 14 — cumulative tiers, rounded half-up to 分.

use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeKind {
    /// 申请执行费 (art 14(一))
    Execution,
    /// 申请保全费 (art 14(二))
    Preservation,
}

impl FeeKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "execution" => Some(FeeKind::Execution),
            "preservation" => Some(FeeKind::Preservation),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FeeKind::Execution => "申请执行费",
            FeeKind::Preservation => "申请保全费",
        }
    }

    pub fn rule(self) -> &'static str {
        match self {
            FeeKind::Execution => {
                "《诉讼费用交纳办法》第十四条第（一）项：没有执行金额或者价额的，每件交纳50元至500元；执行金额或者价额不超过1万元的，每件交纳50元；超过1万元至50万元的部分，按照1.5%交纳；超过50万元至500万元的部分，按照1%交纳；超过500万元至1000万元的部分，按照0.5%交纳；超过1000万元的部分，按照0.1%交纳"
            }
            FeeKind::Preservation => {
                "《诉讼费用交纳办法》第十四条第（二）项：财产数额不超过1000元或者不涉及财产数额的，每件交纳30元；超过1000元至10万元的部分，按照1%交纳；超过10万元的部分，按照0.5%交纳。但是，当事人申请保全措施交纳的费用最多不超过5000元"
            }
        }
    }
}

/// A fee with the tier breakdown that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fee {
    pub kind: FeeKind,
    /// The fee in 元, rounded half-up to 分.
    pub amount: Decimal,
    /// For 申请执行费 without an amount: the upper end of the 50–500 range.
    pub upper: Option<Decimal>,
    /// One line per tier used: (part of the amount, rate as text, fee of the part).
    pub tiers: Vec<(Decimal, &'static str, Decimal)>,
    /// True when the 5,000 元 cap of art 14(二) applied.
    pub capped: bool,
}

fn d(value: i64) -> Decimal {
    Decimal::from(value)
}

/// (upper bound of the band, rate, rate text); the first band is a flat fee.
/// (upper bound in 元 or open-ended, rate, rate as text)
type Band = (Option<i64>, Decimal, &'static str);

fn bands(kind: FeeKind) -> (Decimal, Decimal, Vec<Band>) {
    match kind {
        FeeKind::Execution => (
            d(10_000),
            d(50),
            vec![
                (Some(500_000), Decimal::from_parts(15, 0, 0, false, 3), "1.5%"),
                (Some(5_000_000), Decimal::from_parts(10, 0, 0, false, 3), "1%"),
                (Some(10_000_000), Decimal::from_parts(5, 0, 0, false, 3), "0.5%"),
                (None, Decimal::from_parts(1, 0, 0, false, 3), "0.1%"),
            ],
        ),
        FeeKind::Preservation => (
            d(1_000),
            d(30),
            vec![
                (Some(100_000), Decimal::from_parts(10, 0, 0, false, 3), "1%"),
                (None, Decimal::from_parts(5, 0, 0, false, 3), "0.5%"),
            ],
        ),
    }
}

/// The fee for `amount` (元), or for a case without an amount (`None`).
pub fn fee(kind: FeeKind, amount: Option<Decimal>) -> Fee {
    let (flat_upto, flat_fee, bands) = bands(kind);
    let Some(amount) = amount.filter(|a| *a > Decimal::ZERO) else {
        // No amount: 申请执行费 50–500 per case (the court fixes the figure);
        // 申请保全费 30 per case.
        return Fee {
            kind,
            amount: flat_fee,
            upper: (kind == FeeKind::Execution).then(|| d(500)),
            tiers: vec![(Decimal::ZERO, "每件", flat_fee)],
            capped: false,
        };
    };
    let mut total = flat_fee;
    let mut tiers = vec![(amount.min(flat_upto), "每件", flat_fee)];
    let mut lower = flat_upto;
    for (upper, rate, text) in bands {
        if amount <= lower {
            break;
        }
        let top = upper.map_or(amount, |u| amount.min(d(u)));
        let part = top - lower;
        let part_fee = part * rate;
        tiers.push((part, text, part_fee));
        total += part_fee;
        lower = top;
    }
    let mut capped = false;
    if kind == FeeKind::Preservation && total > d(5_000) {
        total = d(5_000);
        capped = true;
    }
    Fee { kind, amount: round_yuan(total), upper: None, tiers, capped }
}

/// Rounds half-up (away from zero) to 分.
pub fn round_yuan(value: Decimal) -> Decimal {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn execution_fee_worked_examples() {
        // legal-rules-a.md §5.2, 申请执行费.
        for (amount, expected) in [
            ("8000", "50.00"),
            ("200000", "2900.00"),
            ("2000000", "22400.00"),
            ("8000000", "67400.00"),
            ("20000000", "87400.00"),
        ] {
            assert_eq!(fee(FeeKind::Execution, Some(yuan(amount))).amount.to_string(), expected, "{amount}");
        }
        let none = fee(FeeKind::Execution, None);
        assert_eq!((none.amount, none.upper), (d(50), Some(d(500))));
        // Tier edges.
        assert_eq!(fee(FeeKind::Execution, Some(yuan("10000"))).amount.to_string(), "50.00");
        assert_eq!(fee(FeeKind::Execution, Some(yuan("500000"))).amount.to_string(), "7400.00");
        assert_eq!(fee(FeeKind::Execution, Some(yuan("5000000"))).amount.to_string(), "52400.00");
        assert_eq!(fee(FeeKind::Execution, Some(yuan("10000000"))).amount.to_string(), "77400.00");
        assert_eq!(fee(FeeKind::Execution, Some(yuan("12345.67"))).amount.to_string(), "85.19");
    }

    #[test]
    fn preservation_fee_worked_examples() {
        // legal-rules-a.md §5.2, 申请保全费.
        for (amount, expected, capped) in [
            ("800", "30.00", false),
            ("50000", "520.00", false),
            ("300000", "2020.00", false),
            ("896000", "5000.00", false),
            ("1000000", "5000.00", true),
        ] {
            let f = fee(FeeKind::Preservation, Some(yuan(amount)));
            assert_eq!((f.amount.to_string().as_str(), f.capped), (expected, capped), "{amount}");
        }
        assert_eq!(fee(FeeKind::Preservation, None).amount, d(30));
    }

    proptest! {
        #[test]
        fn fees_are_monotonic_and_bounded(a in 0i64..2_000_000_000, b in 0i64..2_000_000_000) {
            let (lo, hi) = (a.min(b), a.max(b));
            for kind in [FeeKind::Execution, FeeKind::Preservation] {
                let f_lo = fee(kind, Some(Decimal::new(lo, 2))).amount;
                let f_hi = fee(kind, Some(Decimal::new(hi, 2))).amount;
                prop_assert!(f_lo <= f_hi);
                prop_assert!(f_lo >= d(30));
            }
            prop_assert!(fee(FeeKind::Preservation, Some(Decimal::new(hi, 2))).amount <= d(5_000));
        }

        #[test]
        fn tiers_sum_to_the_fee_before_rounding_and_cap(a in 1i64..5_000_000_000) {
            let f = fee(FeeKind::Execution, Some(Decimal::new(a, 2)));
            let sum: Decimal = f.tiers.iter().map(|t| t.2).sum();
            prop_assert_eq!(round_yuan(sum), f.amount);
        }
    }
}
