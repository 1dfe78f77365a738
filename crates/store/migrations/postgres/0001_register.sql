-- zhixing schema v1: courts, calendar, users, sessions, the case register.
-- Portable-SQL rules (ARCHITECTURE.md): BIGINT and TEXT only (flags are 0/1:
-- sqlx's Any driver cannot read SQLite booleans); money in
-- integer 分; dates as 'YYYY-MM-DD' text; instants as unix milliseconds (UTC);
-- app-generated ids; every court-owned table keyed by court_code first so it
-- can be distributed by court (Citus: distribution column court_code).
-- Append-only: never edit this file once released; add a new one.

-- Reference tables (replicated in a distributed deployment).
CREATE TABLE courts (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('supreme', 'high', 'intermediate', 'basic')),
    parent_code TEXT NULL REFERENCES courts (code),
    updated_at  BIGINT NOT NULL
);

CREATE TABLE calendar_days (
    day    TEXT PRIMARY KEY,
    kind   TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    source TEXT NOT NULL
);

CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'judge', 'assistant', 'clerk', 'chief', 'command')),
    court_code    TEXT NOT NULL REFERENCES courts (code),
    password_hash TEXT NOT NULL,
    active        BIGINT NOT NULL CHECK (active IN (0, 1)),
    failed_logins BIGINT NOT NULL,
    locked_until  BIGINT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX users_by_court ON users (court_code, id);

-- Opaque tokens are stored only as SHA-256 hashes.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('browser', 'api')),
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE auth_events (
    id          BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    username    TEXT NOT NULL,
    user_id     BIGINT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'bad_password', 'unknown_user', 'locked', 'inactive', 'logout')),
    remote_addr TEXT NULL
);

-- 案号 counters: one row per court, year and type code; incremented inside
-- the filing transaction, so numbers are consecutive and never reused.
CREATE TABLE case_number_counters (
    court_code  TEXT NOT NULL REFERENCES courts (code),
    year        BIGINT NOT NULL,
    case_type   TEXT NOT NULL,
    last_serial BIGINT NOT NULL,
    PRIMARY KEY (court_code, year, case_type)
);

CREATE TABLE cases (
    court_code               TEXT NOT NULL REFERENCES courts (code),
    id                       BIGINT NOT NULL,
    case_type                TEXT NOT NULL CHECK (case_type IN ('执', '执恢', '执保', '执异', '执复', '执监', '执协', '执他')),
    year                     BIGINT NOT NULL,
    serial                   BIGINT NULL,
    case_number              TEXT COLLATE "C" NULL,
    filed_on                 TEXT NOT NULL,
    status                   TEXT NOT NULL CHECK (status IN ('filed', 'enforcing', 'suspended', 'deferred', 'closed')),
    handling_judge_id        BIGINT NULL REFERENCES users (id),
    basis_issuing_body       TEXT NOT NULL,
    basis_document_number    TEXT NOT NULL,
    basis_document_type      TEXT NOT NULL CHECK (basis_document_type IN ('判决书', '裁定书', '调解书', '仲裁裁决书', '仲裁调解书', '公证债权文书', '支付令', '其他')),
    basis_effective_on       TEXT NOT NULL,
    basis_performance_due_on TEXT NULL,
    basis_operative_text     TEXT NOT NULL,
    amount_applied_fen       BIGINT NOT NULL CHECK (amount_applied_fen >= 0),
    version                  BIGINT NOT NULL CHECK (version >= 1),
    created_at               BIGINT NOT NULL,
    created_by               BIGINT NOT NULL REFERENCES users (id),
    updated_at               BIGINT NOT NULL,
    updated_by               BIGINT NOT NULL REFERENCES users (id),
    deleted_at               BIGINT NULL,
    deleted_by               BIGINT NULL REFERENCES users (id),
    deleted_reason           TEXT NULL,
    PRIMARY KEY (court_code, id),
    UNIQUE (court_code, year, case_type, serial),
    UNIQUE (court_code, case_number)
);
CREATE INDEX cases_by_status ON cases (court_code, status, id);

-- Children of a case (parties, claims, search terms, change log) are written
-- only in the transaction that writes the case, keyed (court_code, case_id, …)
-- so they live on the case's shard. They carry no foreign key to `cases`:
-- PostgreSQL checks such a key row by row against a parent row inserted in
-- the same transaction, and in the filing benchmark those checks cut
-- throughput by more than half, degrading as the table grew. The store's
-- transactions are what keeps parent and children together (tests check it).
CREATE TABLE case_parties (
    court_code            TEXT NOT NULL,
    case_id               BIGINT NOT NULL,
    id                    BIGINT NOT NULL,
    position              BIGINT NOT NULL,
    role                  TEXT NOT NULL CHECK (role IN ('applicant', 'respondent', 'third_party')),
    kind                  TEXT NOT NULL CHECK (kind IN ('person', 'organization')),
    name                  TEXT NOT NULL,
    id_number             TEXT NOT NULL,
    legal_representative  TEXT NULL,
    address               TEXT NULL,
    id_override_reason    TEXT NULL,
    id_override_by        BIGINT NULL REFERENCES users (id),
    id_override_at        BIGINT NULL,
    PRIMARY KEY (court_code, case_id, id)
);

CREATE TABLE case_claims (
    court_code  TEXT NOT NULL,
    case_id     BIGINT NOT NULL,
    position    BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('principal', 'costs', 'other')),
    amount_fen  BIGINT NOT NULL CHECK (amount_fen > 0),
    description TEXT NULL,
    PRIMARY KEY (court_code, case_id, position)
);

-- Search index: normalised 案号 forms, identity numbers and every suffix
-- (of two or more characters) of each party name, so a prefix range scan
-- finds substrings. Byte-order collation makes the range scan exact.
CREATE TABLE case_search_terms (
    court_code TEXT NOT NULL,
    term       TEXT COLLATE "C" NOT NULL,
    case_id    BIGINT NOT NULL,
    PRIMARY KEY (court_code, term, case_id)
);
CREATE INDEX case_search_terms_by_case ON case_search_terms (court_code, case_id);

-- Append-only change log: one row per version of a case.
CREATE TABLE case_audit (
    court_code TEXT NOT NULL,
    case_id    BIGINT NOT NULL,
    version    BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    changes    TEXT NOT NULL,
    PRIMARY KEY (court_code, case_id, version)
);
