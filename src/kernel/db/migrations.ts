/**
 * Numbered migrations, applied in order at open. Never edit a shipped entry: append a new one.
 * Index i holds schema version i + 1.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: the kernel */ `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE artifacts (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    content            TEXT NOT NULL DEFAULT '',
    code               TEXT NOT NULL DEFAULT '',
    interface          TEXT,
    owner              TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    access_contract_id TEXT NOT NULL,
    has_standing       INTEGER NOT NULL DEFAULT 0 CHECK (has_standing IN (0, 1)),
    can_execute        INTEGER NOT NULL DEFAULT 0 CHECK (can_execute IN (0, 1)),
    size_bytes         INTEGER NOT NULL CHECK (size_bytes >= 0),
    version            INTEGER NOT NULL CHECK (version >= 1),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    deleted_at         INTEGER,
    deleted_by         TEXT
  );
  CREATE INDEX artifacts_owner ON artifacts(owner, deleted_at);
  CREATE INDEX artifacts_kind ON artifacts(kind, deleted_at);

  CREATE VIRTUAL TABLE artifacts_fts USING fts5(id, description, interface_text, tokenize = 'unicode61');

  CREATE TABLE principals (
    id             TEXT PRIMARY KEY,
    disk_used      INTEGER NOT NULL DEFAULT 0 CHECK (disk_used >= 0),
    created_at     INTEGER NOT NULL,
    last_action_at INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE accounts (
    principal TEXT NOT NULL,
    asset     TEXT NOT NULL,
    balance   INTEGER NOT NULL CHECK (balance >= 0),
    PRIMARY KEY (principal, asset)
  ) WITHOUT ROWID;

  CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    asset      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('transfer', 'issue', 'burn')),
    from_id    TEXT NOT NULL,
    to_id      TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    cause      TEXT NOT NULL,
    command_id TEXT NOT NULL
  );
  CREATE INDEX journal_from ON journal(from_id, seq);
  CREATE INDEX journal_to ON journal(to_id, seq);
  CREATE TRIGGER journal_append_only_u BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
  CREATE TRIGGER journal_append_only_d BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

  CREATE TABLE rate_log (
    principal TEXT NOT NULL,
    resource  TEXT NOT NULL,
    at        INTEGER NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (principal, resource, at)
  ) WITHOUT ROWID;

  CREATE TABLE rate_usage (
    principal TEXT NOT NULL,
    resource  TEXT NOT NULL,
    used      INTEGER NOT NULL CHECK (used >= 0),
    oldest_at INTEGER,
    PRIMARY KEY (principal, resource)
  ) WITHOUT ROWID;

  CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    type       TEXT NOT NULL,
    principal  TEXT,
    artifact   TEXT,
    payload    TEXT NOT NULL,
    command_id TEXT
  );
  CREATE INDEX events_type ON events(type, seq);
  CREATE INDEX events_principal ON events(principal, seq);
  CREATE INDEX events_artifact ON events(artifact, seq);
  CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_append_only_d BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  CREATE TABLE commands (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    at          INTEGER NOT NULL,
    principal   TEXT NOT NULL,
    target      TEXT NOT NULL,
    method      TEXT NOT NULL,
    args        TEXT NOT NULL,
    idempotency_key TEXT,
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error_code  TEXT,
    result_hash TEXT NOT NULL,
    cpu_ms      INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE idempotency (
    principal    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    command_id   TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
  ) WITHOUT ROWID;

  CREATE TABLE artifact_stats (
    artifact_id     TEXT PRIMARY KEY,
    invocations     INTEGER NOT NULL DEFAULT 0,
    successes       INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_invoked_at INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE artifact_invokers (
    artifact_id  TEXT NOT NULL,
    invoker      TEXT NOT NULL,
    invocations  INTEGER NOT NULL DEFAULT 0,
    successes    INTEGER NOT NULL DEFAULT 0,
    scrip_paid   INTEGER NOT NULL DEFAULT 0,
    last_paid_at INTEGER,
    PRIMARY KEY (artifact_id, invoker)
  ) WITHOUT ROWID;

  CREATE TABLE scheduled (
    id      TEXT PRIMARY KEY,
    due_at  INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    payload TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX scheduled_due ON scheduled(due_at);
  `,
];
