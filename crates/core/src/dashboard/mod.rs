//! Unified command dashboards (统一管理、统一指挥、统一协调): the counters
//! maintained as cases change, the indicators defined over them, and the
//! staffing of each court (issue 6, seed article: "some high courts have
//! had no 执行局长 for years").

pub mod counters;
pub mod indicators;

use time::Date;

use crate::credit::listing::coded;

pub use counters::{CaseFacts, Closing, Contribution, CounterKey, Metric};
pub use indicators::{IndicatorDefinition, PeriodKind, Unit};

coded! {
    /// The posts of a court's enforcement bureau the dashboard tracks.
    Post {
        Chief = "chief", "执行局长";
        Deputy = "deputy", "执行局副局长";
        CommandDirector = "command_director", "执行指挥中心主任";
        AdjudicationHead = "adjudication_head", "执行裁判庭庭长";
        ImplementationHead = "implementation_head", "执行实施庭庭长";
    }
}

/// Posts every court must have filled; a missing record counts as vacant
/// (the seed article's complaint: high courts without a 执行局长 for years).
pub const REQUIRED_POSTS: &[Post] = &[Post::Chief];

/// A post as recorded for a court.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostRecord {
    pub post: Post,
    pub holder: Option<String>,
    /// Holder since, or vacant since.
    pub since: Option<Date>,
}

/// A post as the dashboard shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostStatus {
    pub post: Post,
    pub holder: Option<String>,
    pub since: Option<Date>,
    pub vacant: bool,
    /// Whole months vacant, when the vacancy's start is recorded.
    pub vacant_months: Option<i64>,
    /// No record at all for a required post.
    pub unrecorded: bool,
}

/// The recorded posts plus every required post not recorded (as vacant).
pub fn post_statuses(records: &[PostRecord], today: Date) -> Vec<PostStatus> {
    let mut out: Vec<PostStatus> = records
        .iter()
        .map(|r| {
            let vacant = r.holder.as_deref().is_none_or(|h| h.trim().is_empty());
            PostStatus {
                post: r.post,
                holder: r.holder.clone().filter(|_| !vacant),
                since: r.since,
                vacant,
                vacant_months: if vacant { r.since.map(|s| whole_months(s, today)) } else { None },
                unrecorded: false,
            }
        })
        .collect();
    for post in REQUIRED_POSTS {
        if !records.iter().any(|r| r.post == *post) {
            out.push(PostStatus {
                post: *post,
                holder: None,
                since: None,
                vacant: true,
                vacant_months: None,
                unrecorded: true,
            });
        }
    }
    out.sort_by_key(|p| p.post);
    out
}

fn whole_months(from: Date, to: Date) -> i64 {
    let months =
        (to.year() - from.year()) as i64 * 12 + i64::from(u8::from(to.month())) - i64::from(u8::from(from.month()));
    if to.day() < from.day() { (months - 1).max(0) } else { months.max(0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn vacancies_are_flagged_with_their_length_and_missing_required_posts_count() {
        let today = date!(2026 - 11 - 27);
        let records = vec![
            PostRecord { post: Post::Deputy, holder: Some("李四".into()), since: Some(date!(2023 - 01 - 01)) },
            PostRecord { post: Post::CommandDirector, holder: None, since: Some(date!(2024 - 12 - 28)) },
        ];
        let s = post_statuses(&records, today);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].post, s[0].vacant, s[0].unrecorded), (Post::Chief, true, true));
        assert!(!s[1].vacant);
        assert_eq!((s[2].vacant, s[2].vacant_months), (true, Some(22)));
    }
}
