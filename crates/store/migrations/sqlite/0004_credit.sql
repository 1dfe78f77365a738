-- zhixing schema v4: 失信被执行人名单, 限制消费令, breach reports, partner
-- institutions. Same portable-SQL rules as 0001. Append-only.

-- One listing of one debtor (a party of a case) on the 失信 list.
CREATE TABLE credit_listings (
    court_code        TEXT NOT NULL REFERENCES courts (code),
    id                BIGINT NOT NULL,
    case_id           BIGINT NOT NULL,
    party_id          BIGINT NOT NULL,
    subject_kind      TEXT NOT NULL CHECK (subject_kind IN ('person', 'organization')),
    subject_name      TEXT NOT NULL,
    id_number         TEXT NOT NULL,
    legal_representative TEXT NULL,
    grounds           TEXT NOT NULL,
    evidence          TEXT NOT NULL,
    capacity          TEXT NOT NULL CHECK (capacity IN ('able', 'unable')),
    severity          TEXT NOT NULL CHECK (severity IN ('minor', 'general', 'serious')),
    source            TEXT NOT NULL CHECK (source IN ('application', 'ex_officio')),
    status            TEXT NOT NULL CHECK (status IN ('proposed', 'rejected', 'grace', 'published', 'deleted', 'withdrawn')),
    proposed_on       TEXT NOT NULL,
    decided_on        TEXT NULL,
    decision_ref      TEXT NULL,
    grace_until       TEXT NULL,
    effective_on      TEXT NULL,
    term_until        TEXT NULL,
    extension_years   BIGINT NOT NULL,
    trigger_code      TEXT NULL,
    trigger_on        TEXT NULL,
    repair_due        TEXT NULL,
    ended_on          TEXT NULL,
    relist_block_until TEXT NULL,
    version           BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    created_by        BIGINT NOT NULL REFERENCES users (id),
    updated_at        BIGINT NOT NULL,
    updated_by        BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, id)
);
CREATE INDEX credit_listings_by_case ON credit_listings (court_code, case_id);
CREATE INDEX credit_listings_by_status ON credit_listings (court_code, status);
-- Covering index for rebuilding the partner index (keyset pages by status).
CREATE INDEX credit_listings_for_index ON credit_listings (status, court_code, id, id_number);
CREATE INDEX credit_listings_by_id_number ON credit_listings (id_number);
CREATE INDEX credit_listings_by_name ON credit_listings (subject_name);

-- One person restricted by a 限制消费令 (the debtor, or for an organisation
-- also its 法定代表人 / 主要负责人 / 直接责任人员 / 实际控制人).
CREATE TABLE credit_restrictions (
    court_code     TEXT NOT NULL REFERENCES courts (code),
    id             BIGINT NOT NULL,
    case_id        BIGINT NOT NULL,
    order_id       BIGINT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('debtor', 'legal_representative', 'principal_officer', 'responsible_person', 'actual_controller')),
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('person', 'organization')),
    subject_name   TEXT NOT NULL,
    id_number      TEXT NOT NULL,
    debtor_name    TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('grace', 'active', 'lifted')),
    issued_on      TEXT NOT NULL,
    order_ref      TEXT NOT NULL,
    grace_until    TEXT NULL,
    listing_id     BIGINT NULL,
    lifted_on      TEXT NULL,
    lift_ground    TEXT NULL,
    lift_ref       TEXT NULL,
    created_at     BIGINT NOT NULL,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, id)
);
CREATE INDEX credit_restrictions_by_case ON credit_restrictions (court_code, case_id);
CREATE INDEX credit_restrictions_by_id_number ON credit_restrictions (id_number);
CREATE INDEX credit_restrictions_by_name ON credit_restrictions (subject_name);
CREATE INDEX credit_restrictions_for_index ON credit_restrictions (status, court_code, id, id_number);

CREATE TABLE credit_temporary_lifts (
    court_code     TEXT NOT NULL,
    id             BIGINT NOT NULL,
    restriction_id BIGINT NOT NULL,
    from_date      TEXT NOT NULL,
    to_date        TEXT NOT NULL,
    ground         TEXT NOT NULL,
    approval_ref   TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, id)
);

-- SX arts 11–12: applications to correct, with the review at the upper court.
CREATE TABLE credit_corrections (
    court_code          TEXT NOT NULL,
    id                  BIGINT NOT NULL,
    listing_id          BIGINT NOT NULL,
    ground              TEXT NOT NULL CHECK (ground IN ('should_not_be_listed', 'inaccurate', 'should_have_been_deleted')),
    applicant           TEXT NOT NULL,
    received_on         TEXT NOT NULL,
    examine_by          TEXT NOT NULL,
    decided_on          TEXT NULL,
    upheld              BIGINT NULL CHECK (upheld IS NULL OR upheld IN (0, 1)),
    decision_note       TEXT NULL,
    review_received_on  TEXT NULL,
    review_decide_by    TEXT NULL,
    created_at          BIGINT NOT NULL,
    created_by          BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (court_code, id)
);

-- Every decision on a listing or restriction, for the audit record.
CREATE TABLE credit_events (
    court_code  TEXT NOT NULL,
    id          BIGINT NOT NULL,
    case_id     BIGINT NOT NULL,
    subject     TEXT NOT NULL CHECK (subject IN ('listing', 'restriction', 'breach', 'correction')),
    subject_id  BIGINT NOT NULL,
    action      TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    PRIMARY KEY (court_code, id)
);
CREATE INDEX credit_events_by_case ON credit_events (court_code, case_id);

-- Breaches of a 限制消费令 reported by a partner or a judge; the same report
-- (same reporter and key) is recorded once.
CREATE TABLE credit_breaches (
    court_code     TEXT NOT NULL,
    id             BIGINT NOT NULL,
    case_id        BIGINT NOT NULL,
    restriction_id BIGINT NOT NULL,
    id_number      TEXT NOT NULL,
    reporter       TEXT NOT NULL,
    report_key     TEXT NOT NULL,
    occurred_at    TEXT NOT NULL,
    place          TEXT NOT NULL,
    conduct        TEXT NOT NULL,
    advice_step    TEXT NOT NULL,
    received_at    BIGINT NOT NULL,
    PRIMARY KEY (court_code, id),
    UNIQUE (court_code, reporter, report_key)
);

-- Partner institutions (airlines, railways, hotels, banks) with check-only credentials.
CREATE TABLE partner_clients (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL UNIQUE,
    active      BIGINT NOT NULL CHECK (active IN (0, 1)),
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT NULL
);

CREATE TABLE partner_calls (
    id          BIGINT PRIMARY KEY,
    client_id   BIGINT NOT NULL REFERENCES partner_clients (id),
    at          BIGINT NOT NULL,
    endpoint    TEXT NOT NULL,
    items       BIGINT NOT NULL,
    status      BIGINT NOT NULL
);
CREATE INDEX partner_calls_by_client ON partner_calls (client_id, at);
