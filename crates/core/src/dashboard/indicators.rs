//! Indicators of the command dashboards as versioned definitions.
//!
//! The SPC's official formulas for 执行完毕率, 执行到位率, 首执终本率 and the
//! like are not public (legal-rules-b, open questions), so an indicator is a
//! *definition* — numerator, denominator, case filter, period — over the
//! maintained counters ([`super::counters::Metric`]). zhixing ships the
//! defaults below; an administrator adds a new version of a definition
//! (`zhixing indicators set`, `POST /api/v1/indicators`) and the dashboard
//! shows which version each figure comes from.

use rust_decimal::Decimal;
use time::{Date, Month};

use super::counters::{Metric, month_key};
use crate::case_number::EnforcementType;
use crate::credit::listing::coded;
use crate::error::FieldError;

coded! {
    /// The period an indicator covers, ending with today's month.
    PeriodKind {
        YearToDate = "year_to_date", "本年度累计";
        Rolling12Months = "rolling_12_months", "近12个月";
        ThisMonth = "this_month", "本月";
        AllTime = "all_time", "全部";
    }
}

coded! {
    /// How the value reads.
    Unit {
        Percent = "percent", "%";
        Days = "days", "天";
        Count = "count", "件";
    }
}

/// `numerator` and `denominator` are sums of metrics with signs, written
/// like `closed - closed_transferred`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression(pub Vec<(i64, Metric)>);

impl Expression {
    pub fn parse(field: &str, text: &str) -> Result<Expression, FieldError> {
        let mut terms = Vec::new();
        let mut sign = 1;
        let mut expect_metric = true;
        let malformed = || FieldError::new(field, "indicator_expression", "表达式格式应为“统计项 ± 统计项”");
        for token in text.replace('+', " + ").replace('-', " - ").split_whitespace() {
            match token {
                "+" | "-" if !expect_metric => {
                    sign = if token == "-" { -1 } else { 1 };
                    expect_metric = true;
                }
                "-" if terms.is_empty() && sign == 1 => sign = -1,
                "+" | "-" => return Err(malformed()),
                name if expect_metric => {
                    let metric = Metric::parse(name).filter(|m| m.is_monthly()).ok_or_else(|| {
                        FieldError::new(
                            field,
                            "indicator_metric",
                            format!("“{name}”不是可按期间累计的统计项（可用：{}）", monthly_metric_names()),
                        )
                    })?;
                    terms.push((sign, metric));
                    expect_metric = false;
                }
                _ => return Err(malformed()),
            }
        }
        if terms.is_empty() || expect_metric {
            return Err(malformed());
        }
        Ok(Expression(terms))
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, (sign, metric)) in self.0.iter().enumerate() {
            match (i, *sign < 0) {
                (0, true) => out.push('-'),
                (0, false) => {}
                (_, true) => out.push_str(" - "),
                (_, false) => out.push_str(" + "),
            }
            out.push_str(metric.code());
        }
        out
    }

    pub fn metrics(&self) -> impl Iterator<Item = Metric> + '_ {
        self.0.iter().map(|(_, m)| *m)
    }
}

fn monthly_metric_names() -> String {
    Metric::ALL.iter().filter(|m| m.is_monthly()).map(|m| m.code()).collect::<Vec<_>>().join("、")
}

/// One version of an indicator's definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorDefinition {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub numerator: Expression,
    /// `None`: the indicator is the numerator itself (a count).
    pub denominator: Option<Expression>,
    /// Case types counted; empty means every type.
    pub case_types: Vec<EnforcementType>,
    pub period: PeriodKind,
    pub unit: Unit,
    /// What the definition means and where it comes from.
    pub note: String,
}

/// The shipped definitions (version 1 of each). Documented in
/// ARCHITECTURE.md ("Dashboard indicators").
pub fn default_indicators() -> Vec<IndicatorDefinition> {
    let implementation = vec![EnforcementType::First, EnforcementType::Resumed];
    let disposed = || Expression(vec![(1, Metric::Closed), (-1, Metric::ClosedTransferred)]);
    vec![
        IndicatorDefinition {
            code: "completion_rate".into(),
            version: 1,
            name: "执行完毕率".into(),
            numerator: Expression(vec![(1, Metric::ClosedCompleted)]),
            denominator: Some(disposed()),
            case_types: implementation.clone(),
            period: PeriodKind::YearToDate,
            unit: Unit::Percent,
            note: "以执行完毕方式结案的首执、执恢案件 ÷ 同期结案数（不含交叉执行移送结案）".into(),
        },
        IndicatorDefinition {
            code: "recovery_rate".into(),
            version: 1,
            name: "执行到位率".into(),
            numerator: Expression(vec![(1, Metric::ClosedPaid)]),
            denominator: Some(Expression(vec![(1, Metric::ClosedApplied)])),
            case_types: implementation.clone(),
            period: PeriodKind::YearToDate,
            unit: Unit::Percent,
            note: "同期结案案件实际执行到位金额 ÷ 申请执行标的金额（不含交叉执行移送结案，到位金额以标的为限）".into(),
        },
        IndicatorDefinition {
            code: "first_zhongben_rate".into(),
            version: 1,
            name: "首执终本率".into(),
            numerator: Expression(vec![(1, Metric::ClosedZhongben)]),
            denominator: Some(disposed()),
            case_types: vec![EnforcementType::First],
            period: PeriodKind::YearToDate,
            unit: Unit::Percent,
            note: "以终结本次执行程序方式结案的首次执行案件 ÷ 同期首次执行案件结案数（不含交叉执行移送结案）".into(),
        },
        IndicatorDefinition {
            code: "average_days_to_close".into(),
            version: 1,
            name: "平均结案用时".into(),
            numerator: Expression(vec![(1, Metric::CloseDays)]),
            denominator: Some(disposed()),
            case_types: implementation,
            period: PeriodKind::YearToDate,
            unit: Unit::Days,
            note: "同期结案案件自立案至结案的自然日合计 ÷ 结案数（不含交叉执行移送结案）".into(),
        },
    ]
}

/// The months `[from, to]` (`YYYY-MM`) an indicator covers today.
pub fn period_months(kind: PeriodKind, today: Date) -> (String, String) {
    let to = month_key(today);
    let from = match kind {
        PeriodKind::YearToDate => format!("{:04}-01", today.year()),
        PeriodKind::ThisMonth => to.clone(),
        PeriodKind::AllTime => "0000-00".into(),
        PeriodKind::Rolling12Months => {
            // The 11 months before this one, and this one.
            let months = today.year() * 12 + i32::from(u8::from(today.month())) - 1 - 11;
            let month = Month::try_from((months.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
            format!("{:04}-{:02}", months.div_euclid(12), u8::from(month))
        }
    };
    (from, to)
}

/// Evaluates a definition; `sum(metric)` gives the metric's total over the
/// definition's case types and period. `None` when the denominator is zero.
pub fn evaluate(def: &IndicatorDefinition, sum: impl Fn(Metric) -> i64) -> Option<Decimal> {
    let total = |e: &Expression| e.0.iter().map(|(sign, m)| sign * sum(*m)).sum::<i64>();
    let numerator = Decimal::from(total(&def.numerator));
    let value = match &def.denominator {
        None => numerator,
        Some(d) => {
            let denominator = total(d);
            if denominator <= 0 {
                return None;
            }
            let ratio = numerator / Decimal::from(denominator);
            if def.unit == Unit::Percent { ratio * Decimal::from(100) } else { ratio }
        }
    };
    let mut value = value.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    value.rescale(1);
    Some(value)
}

/// Checks a definition an administrator submits.
pub fn validate(def: &IndicatorDefinition) -> Result<(), FieldError> {
    if def.code.is_empty()
        || def.code.len() > 40
        || !def.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(FieldError::new("code", "indicator_code", "指标代码应为小写字母、数字和下划线，不超过40个字符"));
    }
    if def.name.trim().is_empty() || def.name.chars().count() > 40 {
        return Err(FieldError::new("name", "indicator_name", "请填写指标名称（不超过40个字）"));
    }
    if def.unit == Unit::Percent && def.denominator.is_none() {
        return Err(FieldError::new("denominator", "indicator_denominator", "百分比指标须有分母"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn expressions_parse_and_print() {
        let e = Expression::parse("numerator", "closed - closed_transferred").unwrap();
        assert_eq!(e.0, vec![(1, Metric::Closed), (-1, Metric::ClosedTransferred)]);
        assert_eq!(e.text(), "closed - closed_transferred");
        assert_eq!(Expression::parse("n", "closed+filed").unwrap().text(), "closed + filed");
        assert_eq!(Expression::parse("n", "open_cases").unwrap_err().code, "indicator_metric");
        assert_eq!(Expression::parse("n", "closed -").unwrap_err().code, "indicator_expression");
        assert_eq!(Expression::parse("n", "").unwrap_err().code, "indicator_expression");
        assert_eq!(Expression::parse("n", "closed closed").unwrap_err().code, "indicator_expression");
    }

    #[test]
    fn periods_end_with_this_month() {
        let today = date!(2026 - 02 - 15);
        assert_eq!(period_months(PeriodKind::YearToDate, today), ("2026-01".into(), "2026-02".into()));
        assert_eq!(period_months(PeriodKind::Rolling12Months, today), ("2025-03".into(), "2026-02".into()));
        assert_eq!(period_months(PeriodKind::ThisMonth, today), ("2026-02".into(), "2026-02".into()));
        assert_eq!(
            period_months(PeriodKind::Rolling12Months, date!(2026 - 12 - 01)),
            ("2026-01".into(), "2026-12".into())
        );
    }

    #[test]
    fn defaults_evaluate_and_exclude_transfers() {
        let defs = default_indicators();
        let sums = |m: Metric| match m {
            Metric::Closed => 12,
            Metric::ClosedTransferred => 2,
            Metric::ClosedCompleted => 3,
            Metric::ClosedZhongben => 6,
            Metric::CloseDays => 1_234,
            Metric::ClosedApplied => 3_000_000,
            Metric::ClosedPaid => 1_000_000,
            _ => 0,
        };
        let values: Vec<_> = defs.iter().map(|d| evaluate(d, sums).map(|v| v.to_string())).collect();
        assert_eq!(values, vec![Some("30.0".into()), Some("33.3".into()), Some("60.0".into()), Some("123.4".into())]);
        assert_eq!(evaluate(&defs[0], |_| 0), None);
        for d in &defs {
            validate(d).unwrap();
        }
    }
}
