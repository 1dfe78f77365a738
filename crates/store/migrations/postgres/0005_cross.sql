-- zhixing schema v5: 交叉执行 — petitions, decisions of a higher court,
-- their outcomes and the accountability reviews. Append-only.

CREATE TABLE petitions (
    court_code  TEXT NOT NULL REFERENCES courts (code),
    id          BIGINT NOT NULL,
    case_id     BIGINT NOT NULL,
    petitioner  TEXT NOT NULL,
    received_on TEXT NOT NULL,
    complaint   TEXT NOT NULL,
    leads       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    due_on      TEXT NOT NULL,
    closed_on   TEXT NULL,
    result      TEXT NULL,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, id)
);
CREATE INDEX petitions_by_case ON petitions (court_code, case_id);

-- Keyed by the deciding (higher) court.
CREATE TABLE cross_decisions (
    court_code           TEXT NOT NULL REFERENCES courts (code),
    id                   BIGINT NOT NULL,
    form                 TEXT NOT NULL CHECK (form IN ('supervise', 'designate', 'elevate', 'concentrate', 'coordinate', 'internal', 'task')),
    decision_ref         TEXT NOT NULL,
    decided_on           TEXT NOT NULL,
    original_court       TEXT NOT NULL,
    original_case_id     BIGINT NOT NULL,
    original_case_number TEXT NOT NULL,
    receiving_court      TEXT NULL,
    new_case_id          BIGINT NULL,
    new_case_number      TEXT NULL,
    report_by            TEXT NULL,
    balance_fen          BIGINT NOT NULL,
    note                 TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    created_by           BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, id)
);
CREATE INDEX cross_decisions_by_original ON cross_decisions (original_court, original_case_id);
CREATE INDEX cross_decisions_by_receiver ON cross_decisions (receiving_court, new_case_id);

CREATE TABLE cross_outcomes (
    court_code  TEXT NOT NULL,
    decision_id BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL CHECK (amount_fen >= 0),
    basis       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, decision_id, id)
);

CREATE TABLE cross_reviews (
    court_code     TEXT NOT NULL,
    id             BIGINT NOT NULL,
    decision_id    BIGINT NOT NULL,
    original_court TEXT NOT NULL,
    opened_on      TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    findings       TEXT NOT NULL,
    measures       TEXT NULL,
    closed_on      TEXT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX cross_reviews_by_decision ON cross_reviews (court_code, decision_id);
