-- zhixing schema v7: seizures (查封、扣押、冻结) on a case, with their
-- renewals, releases and moves to a receiving court. Append-only.
-- (0006 belongs to another change; the runner applies every version it has
-- not applied, in order, so a gap is harmless.)

-- One row per seizure per case. A seizure that passes over with a
-- transferred case (WT art 6) is marked `transferred` here and inserted on
-- the new case with the same priority, seized_on and expires_on, and
-- moved_from_* set.
CREATE TABLE case_seizures (
    court_code              TEXT NOT NULL REFERENCES courts (code),
    case_id                 BIGINT NOT NULL,
    id                      BIGINT NOT NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('bank_deposit', 'movables', 'real_estate', 'other_rights')),
    property                TEXT NOT NULL,
    holder                  TEXT NOT NULL,
    location_court          TEXT NULL REFERENCES courts (code),
    amount_fen              BIGINT NULL CHECK (amount_fen > 0),
    seized_on               TEXT NOT NULL,
    expires_on              TEXT NOT NULL,
    priority                BIGINT NOT NULL CHECK (priority >= 1),
    status                  TEXT NOT NULL CHECK (status IN ('active', 'released', 'transferred')),
    released_on             TEXT NULL,
    moved_from_court        TEXT NULL,
    moved_from_case         BIGINT NULL,
    moved_from_case_number  TEXT NULL,
    original_seized_on      TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    created_by              BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, case_id, id),
    CHECK (expires_on > seized_on)
);

-- What happened to each seizure: recorded, renewed (续行), released, moved
-- out with the case, moved in from the original case.
CREATE TABLE case_seizure_events (
    court_code  TEXT NOT NULL,
    case_id     BIGINT NOT NULL,
    seizure_id  BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('recorded', 'renewed', 'released', 'moved_out', 'moved_in')),
    on_date     TEXT NOT NULL,
    expires_on  TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, case_id, seizure_id, id)
);
