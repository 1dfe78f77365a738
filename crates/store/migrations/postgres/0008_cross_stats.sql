-- zhixing schema v8: 交叉执行 statistics without reading every outcome,
-- 集中执行 of several cases in one decision, petition lists. Append-only.
-- (0006 and 0007 are taken by parallel changes; the runner applies missing
-- versions in any order.)

-- Maintained in the transaction of every outcome (record_cross_outcome):
-- progressed = 1 once an outcome of 实质进展 or 化解 is recorded
-- (OutcomeKind::progress_or_resolution: every kind but the two
-- no_prospect_* ones); recovered_fen = the sum of the outcomes' amounts.
ALTER TABLE cross_decisions ADD COLUMN progressed BIGINT NOT NULL DEFAULT 0 CHECK (progressed IN (0, 1));
ALTER TABLE cross_decisions ADD COLUMN recovered_fen BIGINT NOT NULL DEFAULT 0 CHECK (recovered_fen >= 0);
-- The rows of one decision taken over several cases (集中执行) share the id
-- of the first row; a single-case decision is its own group.
ALTER TABLE cross_decisions ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0;

UPDATE cross_decisions SET
    progressed = CASE WHEN EXISTS (
        SELECT 1 FROM cross_outcomes o
        WHERE o.court_code = cross_decisions.court_code AND o.decision_id = cross_decisions.id
          AND o.kind NOT IN ('no_prospect_zhongben', 'no_prospect_bankruptcy')
    ) THEN 1 ELSE 0 END,
    recovered_fen = COALESCE((
        SELECT SUM(o.amount_fen) FROM cross_outcomes o
        WHERE o.court_code = cross_decisions.court_code AND o.decision_id = cross_decisions.id
    ), 0),
    group_id = id;

-- Statistics: the decisions of a court in a period, with every column the
-- GROUP BY reads (SQLite answers from the index alone).
CREATE INDEX cross_decisions_by_date ON cross_decisions
    (court_code, decided_on, form, original_court, receiving_court, progressed, recovered_fen);
CREATE INDEX cross_decisions_by_group ON cross_decisions (court_code, group_id);
-- Outcomes of a decision (the primary key starts with it already) and the
-- receiving court's list, newest first.
CREATE INDEX cross_decisions_received ON cross_decisions (receiving_court, decided_on);

-- A court's petitions by status and deadline.
CREATE INDEX petitions_by_status ON petitions (court_code, status, due_on);
