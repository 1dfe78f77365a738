use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::date;
use time::{Date, Duration};

use super::fees::round_yuan;
use super::lpr::{LprTable, Tenor};
use super::*;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn lpr() -> LprTable {
    LprTable::new(LprTable::parse_csv(include_str!("../../../../data/lpr.csv")).unwrap())
}

fn obligation(id: &str, kind: ObligationKind, amount: &str, due_on: Option<Date>) -> Obligation {
    Obligation { id: id.into(), kind, amount: dec(amount), due_on }
}

fn input(effective: Date, as_of: Date, obligations: Vec<Obligation>, payments: Vec<(Date, &str)>) -> StatementInput {
    StatementInput {
        document_effective_on: effective,
        as_of,
        currency: "CNY".into(),
        conversion: None,
        obligations,
        ordinary_interest: Vec::new(),
        payments: payments.into_iter().map(|(on, a)| Payment { on, amount: dec(a) }).collect(),
        excluded_periods: Vec::new(),
        allocation: AllocationPolicy::PrincipalFirst,
        lpr_beyond_table: LprBeyondTable::Refuse,
    }
}

fn run(input: &StatementInput) -> Statement {
    let table = lpr();
    input.validate(&table).unwrap();
    compute(input, &table)
}

fn r(value: Decimal) -> String {
    round_yuan(value).to_string()
}

// ---------------------------------------------------------------- the digest's worked examples (§5.1)

#[test]
fn example_1_single_debt_paid_in_full() {
    // 100,000 due 2024-03-31, paid 2024-06-30: 91 days → 1,592.50.
    let i = input(
        date!(2024 - 03 - 15),
        date!(2024 - 06 - 30),
        vec![obligation("p", ObligationKind::Principal, "100000", Some(date!(2024 - 03 - 31)))],
        vec![(date!(2024 - 06 - 30), "100000")],
    );
    let s = run(&i);
    assert_eq!(r(s.accrued_delay_interest), "1592.50");
    assert_eq!(r(s.outstanding_obligations), "0.00");
    assert_eq!(r(s.outstanding_delay_interest), "1592.50");
    let Step::Accrual { days, from, to, .. } = &s.steps[0] else { panic!() };
    assert_eq!((*days, *from, *to), (91, date!(2024 - 04 - 01), date!(2024 - 06 - 30)));
}

#[test]
fn example_2_partial_payments_stop_their_part() {
    // 100,000 due 2024-01-10; 40,000 paid 03-10 (60 days), 60,000 paid 05-09 (120 days).
    let i = input(
        date!(2024 - 01 - 01),
        date!(2024 - 05 - 09),
        vec![obligation("p", ObligationKind::Principal, "100000", Some(date!(2024 - 01 - 10)))],
        vec![(date!(2024 - 03 - 10), "40000"), (date!(2024 - 05 - 09), "60000")],
    );
    assert_eq!(r(run(&i).accrued_delay_interest), "1680.00");
}

#[test]
fn example_3_instalments_each_from_their_own_deadline() {
    let i = input(
        date!(2024 - 01 - 05),
        date!(2024 - 04 - 30),
        vec![
            obligation("i1", ObligationKind::Principal, "30000", Some(date!(2024 - 01 - 31))),
            obligation("i2", ObligationKind::Principal, "30000", Some(date!(2024 - 02 - 29))),
            obligation("i3", ObligationKind::Principal, "40000", Some(date!(2024 - 03 - 31))),
        ],
        vec![(date!(2024 - 04 - 30), "100000")],
    );
    let s = run(&i);
    assert_eq!(r(s.obligations[0].delay_interest_accrued), "472.50");
    assert_eq!(r(s.obligations[1].delay_interest_accrued), "320.25");
    assert_eq!(r(s.obligations[2].delay_interest_accrued), "210.00");
    assert_eq!(r(s.accrued_delay_interest), "1002.75");
}

#[test]
fn example_4_no_performance_period_runs_from_the_day_after_effect() {
    let i = input(
        date!(2025 - 09 - 01),
        date!(2025 - 12 - 01),
        vec![obligation("p", ObligationKind::Principal, "50000", None)],
        vec![(date!(2025 - 12 - 01), "50000")],
    );
    let s = run(&i);
    assert_eq!(s.obligations[0].delay_from, date!(2025 - 09 - 02));
    assert_eq!(r(s.accrued_delay_interest), "796.25");
}

#[test]
fn example_5_foreign_currency() {
    // USD 10,000, 100 days; converted at 7.1000 on the start day.
    let mut i = input(
        date!(2024 - 01 - 01),
        date!(2024 - 04 - 10),
        vec![obligation("p", ObligationKind::Principal, "10000", Some(date!(2024 - 01 - 01)))],
        vec![],
    );
    i.currency = "USD".into();
    i.conversion = Some(Conversion { rate: dec("7.1000"), rate_date: date!(2024 - 01 - 02) });
    let s = run(&i);
    assert_eq!(r(s.accrued_delay_interest), "175.00");
    assert_eq!(r(s.converted.unwrap().accrued_delay_interest), "1242.50");
    i.conversion = Some(Conversion { rate: dec("7.1000"), rate_date: date!(2024 - 01 - 05) });
    let errors = i.validate(&lpr()).unwrap_err();
    assert_eq!(errors[0].code, "wrong_rate_date");
}

#[test]
fn example_6_ordinary_interest_plus_doubled_part() {
    // As #1, plus interest on 100,000 at 3.45%/year, actual/365, until paid: 860.14 + 1,592.50.
    let mut i = input(
        date!(2024 - 03 - 15),
        date!(2024 - 06 - 30),
        vec![obligation("p", ObligationKind::Principal, "100000", Some(date!(2024 - 03 - 31)))],
        vec![],
    );
    i.ordinary_interest.push(OrdinaryInterest {
        on: "p".into(),
        from: date!(2024 - 04 - 01),
        until: Until::Paid,
        rate: Rate::FixedAnnualPercent(dec("3.45")),
        day_basis: 365,
    });
    let s = run(&i);
    assert_eq!(r(s.accrued_ordinary_interest), "860.14");
    assert_eq!(r(s.accrued_delay_interest), "1592.50");
    assert_eq!(r(s.outstanding_total()), "102452.64");
    // The same with the 1-year LPR in force (3.45% since 2023-08-21, cut to 3.35% on 2024-07-22): unchanged here.
    i.ordinary_interest[0].rate = Rate::Lpr {
        tenor: Tenor::OneYear,
        multiplier: Decimal::ONE,
        plus_percent: Decimal::ZERO,
        mode: LprMode::Floating,
    };
    assert_eq!(r(run(&i).accrued_ordinary_interest), "860.14");
}

// ---------------------------------------------------------------- rules

#[test]
fn excluded_periods_accrue_nothing_both_ends_included() {
    let mut i = input(
        date!(2024 - 03 - 15),
        date!(2024 - 06 - 30),
        vec![obligation("p", ObligationKind::Principal, "100000", Some(date!(2024 - 03 - 31)))],
        vec![],
    );
    i.excluded_periods.push(Period { from: date!(2024 - 04 - 10), to: date!(2024 - 04 - 20) });
    let s = run(&i);
    // 91 days less 11 excluded = 80 days.
    assert_eq!(r(s.accrued_delay_interest), "1400.00");
    assert!(s.steps.iter().any(|st| matches!(st, Step::Excluded { days: 11, .. })));
}

#[test]
fn allocation_policies_differ_as_documented() {
    // Costs 2,000 and principal 100,000 due 2024-03-31; ordinary interest 6%/365 from 04-01; 50,000 paid 05-10.
    let mut i = input(
        date!(2024 - 03 - 15),
        date!(2024 - 06 - 30),
        vec![
            obligation("p", ObligationKind::Principal, "100000", Some(date!(2024 - 03 - 31))),
            obligation("c", ObligationKind::Costs, "2000", Some(date!(2024 - 03 - 31))),
        ],
        vec![(date!(2024 - 05 - 10), "50000")],
    );
    i.ordinary_interest.push(OrdinaryInterest {
        on: "p".into(),
        from: date!(2024 - 04 - 01),
        until: Until::Paid,
        rate: Rate::FixedAnnualPercent(dec("6")),
        day_basis: 365,
    });
    i.allocation = AllocationPolicy::CostsInterestPrincipal;
    let s = run(&i);
    let Some(Step::Payment { allocations, .. }) = s.steps.iter().find(|s| matches!(s, Step::Payment { .. })) else {
        panic!()
    };
    // Costs first, then 40 days of interest (100,000 × 6% × 40/365 = 657.53…), then principal.
    assert_eq!(allocations[0], (Target::Obligation(1), dec("2000")));
    assert_eq!(allocations[1].0, Target::OrdinaryInterest);
    assert_eq!(r(allocations[1].1), "657.53");
    assert_eq!(allocations[2].0, Target::Obligation(0));
    assert!(s.paid_to_delay_interest.is_zero(), "the doubled part comes last");

    i.allocation = AllocationPolicy::PrincipalFirst;
    let s = run(&i);
    let Some(Step::Payment { allocations, .. }) = s.steps.iter().find(|s| matches!(s, Step::Payment { .. })) else {
        panic!()
    };
    // Same deadline: listed order — principal, then costs.
    assert_eq!(allocations[0], (Target::Obligation(0), dec("50000")));
    assert_eq!(allocations.len(), 1);
}

#[test]
fn overpayment_is_reported() {
    let i = input(
        date!(2024 - 03 - 15),
        date!(2024 - 04 - 10),
        vec![obligation("p", ObligationKind::Principal, "1000", Some(date!(2024 - 03 - 31)))],
        vec![(date!(2024 - 04 - 10), "2000")],
    );
    let s = run(&i);
    // 1,000 + 10 days × 0.175 = 1,001.75 owed; 998.25 over.
    assert_eq!(r(s.overpaid), "998.25");
    assert_eq!(r(s.outstanding_total()), "0.00");
}

#[test]
fn validation_names_the_field() {
    let table = lpr();
    let mut i = input(
        date!(2024 - 03 - 15),
        date!(2024 - 06 - 30),
        vec![
            obligation("p", ObligationKind::Principal, "100", None),
            obligation("p", ObligationKind::Costs, "1", None),
        ],
        vec![(date!(2024 - 07 - 01), "5")],
    );
    i.ordinary_interest.push(OrdinaryInterest {
        on: "x".into(),
        from: date!(2019 - 01 - 01),
        until: Until::Paid,
        rate: Rate::Lpr {
            tenor: Tenor::OneYear,
            multiplier: Decimal::ONE,
            plus_percent: Decimal::ZERO,
            mode: LprMode::Floating,
        },
        day_basis: 366,
    });
    let fields: Vec<(String, &str)> = i.validate(&table).unwrap_err().into_iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        fields,
        [
            ("obligations[1].id".to_string(), "duplicate_id"),
            ("ordinary_interest[0].on".to_string(), "unknown_obligation"),
            ("ordinary_interest[0].day_basis".to_string(), "invalid_day_basis"),
            ("ordinary_interest[0].from".to_string(), "no_lpr_fixing"),
            ("payments[0].on".to_string(), "payment_after_as_of"),
        ]
    );
}

#[test]
fn a_stale_lpr_table_is_refused_unless_carried_forward() {
    let mut i = input(
        date!(2026 - 06 - 01),
        date!(2026 - 11 - 27),
        vec![obligation("p", ObligationKind::Principal, "100000", Some(date!(2026 - 06 - 15)))],
        vec![],
    );
    i.ordinary_interest.push(OrdinaryInterest {
        on: "p".into(),
        from: date!(2026 - 06 - 16),
        until: Until::Paid,
        rate: Rate::Lpr {
            tenor: Tenor::OneYear,
            multiplier: dec("1.5"),
            plus_percent: Decimal::ZERO,
            mode: LprMode::Floating,
        },
        day_basis: 365,
    });
    let errors = i.validate(&lpr()).unwrap_err();
    assert_eq!((errors[0].field.as_str(), errors[0].code), ("ordinary_interest[0].rate", "no_lpr_fixing"));
    i.lpr_beyond_table = LprBeyondTable::CarryForward;
    let s = run(&i);
    let marked = s.steps.iter().any(|st| {
        matches!(
            st,
            Step::Accrual { rate: ShownRate::Annual { source: RateSource::Lpr { carried_forward: true, .. }, .. }, .. }
        )
    });
    assert!(marked);
}

// ---------------------------------------------------------------- against the day-by-day oracle

use super::reference::day_by_day as oracle;

fn day(offset: i64) -> Date {
    date!(2023 - 01 - 01) + Duration::days(offset)
}

fn arb_input() -> impl Strategy<Value = StatementInput> {
    let obligation = (
        prop_oneof![
            Just(ObligationKind::Principal),
            Just(ObligationKind::Costs),
            Just(ObligationKind::Penalty),
            Just(ObligationKind::Other)
        ],
        1i64..100_000_000,
        proptest::option::of(0i64..500),
    );
    let rate = prop_oneof![
        (0i64..2_400).prop_map(|bp| Rate::FixedAnnualPercent(Decimal::new(bp, 2))),
        (any::<bool>(), 50i64..400, -100i64..300, any::<bool>()).prop_map(|(five, mult, plus, floating)| Rate::Lpr {
            tenor: if five { Tenor::FiveYear } else { Tenor::OneYear },
            multiplier: Decimal::new(mult, 2),
            plus_percent: Decimal::new(plus, 2),
            mode: if floating { LprMode::Floating } else { LprMode::FixedAtStart },
        }),
    ];
    let interest = (0usize..4, 0i64..700, proptest::option::of(0i64..400), rate, any::<bool>());
    (
        0i64..200,
        200i64..900,
        prop::collection::vec(obligation, 1..5),
        prop::collection::vec(interest, 0..3),
        prop::collection::vec((0i64..900, 1i64..50_000_000), 0..10),
        prop::collection::vec((0i64..900, 0i64..60), 0..3),
        any::<bool>(),
    )
        .prop_map(|(effective, span, obligations, interests, payments, excluded, costs_first)| {
            let effective_on = day(effective);
            let as_of = effective_on + Duration::days(span);
            let obligations: Vec<Obligation> = obligations
                .into_iter()
                .enumerate()
                .map(|(i, (kind, cents, due))| Obligation {
                    id: format!("o{i}"),
                    kind,
                    amount: Decimal::new(cents, 2),
                    due_on: due.map(|d| effective_on + Duration::days(d)),
                })
                .collect();
            let n = obligations.len();
            StatementInput {
                document_effective_on: effective_on,
                as_of,
                currency: "CNY".into(),
                conversion: None,
                ordinary_interest: interests
                    .into_iter()
                    .map(|(on, from, len, rate, paid)| {
                        let from = effective_on + Duration::days(from - 200);
                        OrdinaryInterest {
                            on: format!("o{}", on % n),
                            from,
                            until: match (paid, len) {
                                (false, Some(len)) => Until::Date(from + Duration::days(len)),
                                _ => Until::Paid,
                            },
                            rate,
                            day_basis: if from.day().is_multiple_of(2) { 365 } else { 360 },
                        }
                    })
                    .collect(),
                payments: payments
                    .into_iter()
                    .map(|(offset, cents)| Payment {
                        on: effective_on + Duration::days(offset % (span + 1)),
                        amount: Decimal::new(cents, 2),
                    })
                    .collect(),
                excluded_periods: excluded
                    .into_iter()
                    .map(|(offset, len)| {
                        let from = effective_on + Duration::days(offset);
                        Period { from, to: from + Duration::days(len) }
                    })
                    .collect(),
                obligations,
                allocation: if costs_first {
                    AllocationPolicy::CostsInterestPrincipal
                } else {
                    AllocationPolicy::PrincipalFirst
                },
                lpr_beyond_table: LprBeyondTable::CarryForward,
            }
        })
}

fn close(a: Decimal, b: Decimal) -> bool {
    (a - b).abs() < dec("0.000000001")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn segments_agree_with_the_day_by_day_oracle(input in arb_input()) {
        let table = lpr();
        prop_assume!(input.validate(&table).is_ok());
        let fast = compute(&input, &table);
        let slow = oracle(&input, &table);
        prop_assert!(close(fast.outstanding_obligations, slow.outstanding_obligations), "obligations {} vs {}", fast.outstanding_obligations, slow.outstanding_obligations);
        prop_assert!(close(fast.outstanding_ordinary_interest, slow.ordinary_owed), "ordinary {} vs {}", fast.outstanding_ordinary_interest, slow.ordinary_owed);
        prop_assert!(close(fast.outstanding_delay_interest, slow.delay_owed), "delay {} vs {}", fast.outstanding_delay_interest, slow.delay_owed);
        prop_assert!(close(fast.paid_to_obligations, slow.paid_obligations));
        prop_assert!(close(fast.paid_to_ordinary_interest, slow.paid_ordinary));
        prop_assert!(close(fast.paid_to_delay_interest, slow.paid_delay));
        prop_assert!(close(fast.overpaid, slow.overpaid));
    }

    #[test]
    fn money_is_conserved(input in arb_input()) {
        let table = lpr();
        prop_assume!(input.validate(&table).is_ok());
        let s = compute(&input, &table);
        // Everything paid went somewhere; everything accrued is paid or owed.
        // (Within 28-digit decimal precision: amounts of interest carry many places.)
        prop_assert!(close(s.paid_total, s.paid_to_obligations + s.paid_to_ordinary_interest + s.paid_to_delay_interest + s.overpaid));
        let principal: Decimal = input.obligations.iter().map(|o| o.amount).sum();
        prop_assert!(close(principal, s.outstanding_obligations + s.paid_to_obligations));
        prop_assert!(close(s.accrued_delay_interest, s.outstanding_delay_interest + s.paid_to_delay_interest));
        prop_assert!(close(s.accrued_ordinary_interest, s.outstanding_ordinary_interest + s.paid_to_ordinary_interest));
        prop_assert!(s.outstanding_delay_interest >= Decimal::ZERO && s.outstanding_obligations >= Decimal::ZERO, "delay {} obligations {}", s.outstanding_delay_interest, s.outstanding_obligations);
    }
}
