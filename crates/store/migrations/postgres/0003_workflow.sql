-- zhixing schema v3: the legal workflow of a case (process nodes, state
-- transitions, links between cases, stored open deadlines).
-- Same portable-SQL rules as 0001. Append-only. (Identical to the SQLite file
-- except for byte-order collation of the due-date column.)

-- Whether the case was filed with its handling judge already named (the
-- filing was then the start of enforcement: the state machine begins in
-- 执行中). Cases filed before this migration with a judge count as such.
ALTER TABLE cases ADD COLUMN started_at_filing BIGINT NOT NULL DEFAULT 0 CHECK (started_at_filing IN (0, 1));
UPDATE cases SET started_at_filing = 1 WHERE status <> 'filed';

-- Node kinds a court adds (the built-in kinds live in the code because the
-- rules read them). court_code NULL: offered to every court.
CREATE TABLE node_kinds (
    code       TEXT PRIMARY KEY,
    label      TEXT NOT NULL,
    court_code TEXT NULL REFERENCES courts (code),
    created_at BIGINT NOT NULL
);

-- 流程节点: dated steps, each linked to its document.
CREATE TABLE case_nodes (
    court_code   TEXT NOT NULL,
    case_id      BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    note         TEXT NOT NULL,
    document_ref TEXT NULL,
    amount_fen   BIGINT NULL CHECK (amount_fen IS NULL OR amount_fen > 0),
    recorded_at  BIGINT NOT NULL,
    recorded_by  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, case_id, id)
);

-- State transitions; the case's state is the fold of these rows, and
-- cases.status caches the result (written in the same transaction).
CREATE TABLE case_events (
    court_code     TEXT NOT NULL,
    case_id        BIGINT NOT NULL,
    seq            BIGINT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('start', 'suspend', 'defer', 'resume', 'close', 'restore')),
    on_date        TEXT NOT NULL,
    mode           TEXT NULL CHECK (mode IS NULL OR mode IN ('completed', 'terminated_this_round', 'terminated', 'cancelled', 'not_enforced', 'rejected')),
    ground         TEXT NULL,
    until_date     TEXT NULL,
    security_until TEXT NULL,
    note           TEXT NOT NULL,
    document_ref   TEXT NULL,
    state_after    TEXT NOT NULL CHECK (state_after IN ('filed', 'enforcing', 'suspended', 'deferred', 'closed')),
    recorded_at    BIGINT NOT NULL,
    recorded_by    BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, case_id, seq)
);

-- Links between cases (恢复执行: the 执恢 case and its original).
CREATE TABLE case_links (
    court_code         TEXT NOT NULL,
    case_id            BIGINT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('restored_as', 'restored_from')),
    linked_court_code  TEXT NOT NULL,
    linked_case_id     BIGINT NOT NULL,
    linked_case_number TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (court_code, case_id, kind, linked_court_code, linked_case_id)
);

-- Open deadlines (not met, clock running), rewritten for a case in every
-- transaction that changes its workflow; deadline lists read only this
-- table through its indexes.
CREATE TABLE case_deadlines (
    court_code TEXT NOT NULL,
    case_id    BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    due_on     TEXT COLLATE "C" NOT NULL,
    judge_id   BIGINT NULL,
    PRIMARY KEY (court_code, case_id, kind, seq)
);
CREATE INDEX case_deadlines_by_due ON case_deadlines (court_code, due_on);
CREATE INDEX case_deadlines_by_judge ON case_deadlines (court_code, judge_id, due_on);
