-- zhixing schema v6: the command dashboards — counters maintained as cases
-- change, each case's last contribution, indicator definitions with their
-- versions, and the posts of each court. Append-only.

-- metric/period/split: see zhixing_core::dashboard::counters. period is a
-- month (YYYY-MM), a due date (YYYY-MM-DD) or '-' for a gauge; split is the
-- case type (执, 执恢 …), a 交叉执行 form, or '*'.
CREATE TABLE court_counters (
    court_code TEXT NOT NULL REFERENCES courts (code),
    metric     TEXT NOT NULL,
    period     TEXT NOT NULL,
    split      TEXT NOT NULL,
    value      BIGINT NOT NULL,
    PRIMARY KEY (court_code, metric, period, split)
);
-- A few hundred rows per court take every filing's and transition's
-- increments: leave room on each page so an increment is a HOT update
-- (no index change, no new page), not a new tuple version elsewhere.
ALTER TABLE court_counters SET (fillfactor = 50);

CREATE TABLE case_aggregates (
    court_code   TEXT NOT NULL,
    case_id      BIGINT NOT NULL,
    contribution TEXT NOT NULL,
    PRIMARY KEY (court_code, case_id)
);

-- Reference data (not per court): an administrator's versions of the
-- indicator definitions; the shipped defaults are version 1 in code.
CREATE TABLE indicator_definitions (
    code        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    name        TEXT NOT NULL,
    numerator   TEXT NOT NULL,
    denominator TEXT NULL,
    case_types  TEXT NOT NULL,
    period      TEXT NOT NULL CHECK (period IN ('year_to_date', 'rolling_12_months', 'this_month', 'all_time')),
    unit        TEXT NOT NULL CHECK (unit IN ('percent', 'days', 'count')),
    note        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE court_posts (
    court_code TEXT NOT NULL REFERENCES courts (code),
    post       TEXT NOT NULL CHECK (post IN ('chief', 'deputy', 'command_director', 'adjudication_head', 'implementation_head')),
    holder     TEXT NULL,
    since      TEXT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NULL,
    PRIMARY KEY (court_code, post)
);

-- The open accountability reviews of the courts in a dashboard's scope,
-- earliest deadline first.
CREATE INDEX cross_reviews_open ON cross_reviews (court_code, status, due_on);
