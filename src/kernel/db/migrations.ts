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
    id         TEXT PRIMARY KEY,
    disk_used  INTEGER NOT NULL DEFAULT 0 CHECK (disk_used >= 0),
    created_at INTEGER NOT NULL
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

  -- The journal drives the balances: a row is applied by these triggers in the same statement, so a
  -- balance can never change without its journal row, and a guard failure moves nothing.
  CREATE TRIGGER journal_guard BEFORE INSERT ON journal BEGIN
    SELECT RAISE(ABORT, 'INSUFFICIENT_FUNDS')
      WHERE NEW.kind <> 'issue' AND COALESCE((SELECT balance FROM accounts WHERE principal = NEW.from_id AND asset = NEW.asset), 0) < NEW.amount;
    SELECT RAISE(ABORT, 'NO_ACCOUNT')
      WHERE NEW.kind <> 'burn' AND NOT EXISTS (SELECT 1 FROM principals WHERE id = NEW.to_id);
    SELECT RAISE(ABORT, 'BALANCE_OVERFLOW')
      WHERE NEW.kind <> 'burn' AND COALESCE((SELECT balance FROM accounts WHERE principal = NEW.to_id AND asset = NEW.asset), 0) + NEW.amount > 9007199254740991;
  END;
  CREATE TRIGGER journal_apply AFTER INSERT ON journal BEGIN
    UPDATE accounts SET balance = balance - NEW.amount WHERE NEW.kind <> 'issue' AND principal = NEW.from_id AND asset = NEW.asset;
    INSERT INTO accounts (principal, asset, balance) SELECT NEW.to_id, NEW.asset, NEW.amount WHERE NEW.kind <> 'burn'
      ON CONFLICT (principal, asset) DO UPDATE SET balance = balance + excluded.balance;
  END;

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

  -- The log drives the running total, and no entry may take usage past the allocation (the
  -- principal's balance of the resource). Expired entries may linger until the guard trips, so a trip
  -- means "expire, then look again", never "refuse" on its own.
  CREATE TRIGGER rate_guard BEFORE INSERT ON rate_log BEGIN
    SELECT RAISE(ABORT, 'RATE_EXCEEDED')
      WHERE COALESCE((SELECT used FROM rate_usage WHERE principal = NEW.principal AND resource = NEW.resource), 0) + NEW.amount
          > COALESCE((SELECT balance FROM accounts WHERE principal = NEW.principal AND asset = NEW.resource), 0);
  END;
  CREATE TRIGGER rate_add AFTER INSERT ON rate_log BEGIN
    INSERT INTO rate_usage (principal, resource, used, oldest_at) VALUES (NEW.principal, NEW.resource, NEW.amount, NEW.at)
      ON CONFLICT (principal, resource) DO UPDATE SET used = used + excluded.used, oldest_at = MIN(COALESCE(oldest_at, excluded.oldest_at), excluded.oldest_at);
  END;
  CREATE TRIGGER rate_merge AFTER UPDATE OF amount ON rate_log BEGIN
    UPDATE rate_usage SET used = used + NEW.amount - OLD.amount WHERE principal = NEW.principal AND resource = NEW.resource;
  END;
  CREATE TRIGGER rate_expire AFTER DELETE ON rate_log BEGIN
    UPDATE rate_usage SET used = used - OLD.amount WHERE principal = OLD.principal AND resource = OLD.resource;
  END;

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

  -- Ids are time-ordered, so inserts append to the primary key instead of landing on random pages.
  CREATE TABLE commands (
    id          TEXT PRIMARY KEY,
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
  ) WITHOUT ROWID;
  -- A principal's last action (its heartbeat) is its newest command.
  CREATE INDEX commands_principal ON commands(principal, at);

  CREATE TABLE idempotency (
    principal    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    command_id   TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
  ) WITHOUT ROWID;

  -- The invocation registry: one row per (artifact, invoker); per-artifact stats are its sums.
  CREATE TABLE artifact_invokers (
    artifact_id  TEXT NOT NULL,
    invoker      TEXT NOT NULL,
    invocations  INTEGER NOT NULL DEFAULT 0,
    successes    INTEGER NOT NULL DEFAULT 0,
    scrip_paid   INTEGER NOT NULL DEFAULT 0,
    last_at      INTEGER NOT NULL,
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
  /* 2: bearer tokens for the HTTP transport, stored hashed */ `
  CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    principal  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX tokens_principal ON tokens(principal);
  `,
  /* 3: markets: allowances, escrow, the mint auction */ `
  CREATE TABLE allowances (
    approver   TEXT NOT NULL,
    spender    TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (approver, spender)
  ) WITHOUT ROWID;
  CREATE INDEX allowances_spender ON allowances(spender);

  -- The escrow listing holding an artifact: while set, nobody may write, delete or transfer it.
  ALTER TABLE artifacts ADD COLUMN listing TEXT;

  CREATE TABLE escrow_listings (
    id          TEXT PRIMARY KEY,
    artifact_id TEXT NOT NULL,
    seller      TEXT NOT NULL,
    price       INTEGER NOT NULL CHECK (price >= 0),
    buyer       TEXT,
    expires_at  INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('active', 'sold', 'cancelled', 'expired')),
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER,
    purchaser   TEXT
  ) WITHOUT ROWID;
  CREATE INDEX escrow_by_status ON escrow_listings(status, created_at);
  CREATE UNIQUE INDEX escrow_one_active ON escrow_listings(artifact_id) WHERE status = 'active';

  CREATE TABLE mint_bids (
    bidder      TEXT NOT NULL,
    artifact_id TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    placed_at   INTEGER NOT NULL,
    PRIMARY KEY (bidder, artifact_id)
  ) WITHOUT ROWID;

  CREATE TABLE mint_auctions (
    seq         INTEGER PRIMARY KEY,
    due_at      INTEGER NOT NULL UNIQUE,
    resolved_at INTEGER NOT NULL,
    result      TEXT NOT NULL
  );

  -- Winners waiting for an asynchronous (LLM) score; their price stays in the mint's custody meanwhile.
  CREATE TABLE mint_pending (
    auction     INTEGER NOT NULL,
    artifact_id TEXT NOT NULL,
    bidder      TEXT NOT NULL,
    price       INTEGER NOT NULL,
    code_hash   TEXT NOT NULL,
    -- The code that won, as it was at resolution: the LLM grades that, not whatever is there later.
    code        TEXT NOT NULL,
    PRIMARY KEY (auction, artifact_id)
  ) WITHOUT ROWID;

  -- Who paid to use an artifact, as the world principal answerable for the paying account (an agent's
  -- wallets and relays answer to the agent): the mint's usage score counts these.
  CREATE TABLE artifact_payers (
    artifact_id  TEXT NOT NULL,
    principal    TEXT NOT NULL,
    last_paid_at INTEGER NOT NULL,
    PRIMARY KEY (artifact_id, principal)
  ) WITHOUT ROWID;

  CREATE TABLE mint_scored (
    artifact_id    TEXT PRIMARY KEY,
    last_scored_at INTEGER NOT NULL,
    code_hash      TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX mint_scored_hash ON mint_scored(code_hash);
  `,
  /* 4: leaner writes per command (each index a command touches is another page written at commit) */ `
  -- Filtered event reads scan forward from their cursor a bounded number of rows instead (EventLog.read):
  -- readers follow the log with a cursor, and three indexes cost two of every three pages an event wrote.
  DROP INDEX events_type;
  DROP INDEX events_principal;
  DROP INDEX events_artifact;

  -- Keyed by principal, so a principal's newest command (its heartbeat) is found on the primary key and
  -- a command writes one b-tree instead of two. Ids are time-ordered, so the newest is the largest id.
  CREATE TABLE commands_v4 (
    principal   TEXT NOT NULL,
    id          TEXT NOT NULL,
    at          INTEGER NOT NULL,
    target      TEXT NOT NULL,
    method      TEXT NOT NULL,
    args        TEXT NOT NULL,
    idempotency_key TEXT,
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error_code  TEXT,
    result_hash TEXT NOT NULL,
    cpu_ms      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (principal, id)
  ) WITHOUT ROWID;
  INSERT INTO commands_v4 (principal, id, at, target, method, args, idempotency_key, ok, error_code, result_hash, cpu_ms)
    SELECT principal, id, at, target, method, args, idempotency_key, ok, error_code, result_hash, cpu_ms FROM commands;
  DROP TABLE commands;
  ALTER TABLE commands_v4 RENAME TO commands;
  `,
  /* 5: a tombstone holds nothing: credits to a deleted principal are refused where the ledger applies them */ `
  DROP TRIGGER journal_guard;
  CREATE TRIGGER journal_guard BEFORE INSERT ON journal BEGIN
    SELECT RAISE(ABORT, 'INSUFFICIENT_FUNDS')
      WHERE NEW.kind <> 'issue' AND COALESCE((SELECT balance FROM accounts WHERE principal = NEW.from_id AND asset = NEW.asset), 0) < NEW.amount;
    SELECT RAISE(ABORT, 'NO_ACCOUNT')
      WHERE NEW.kind <> 'burn' AND NOT EXISTS (SELECT 1 FROM principals WHERE id = NEW.to_id);
    SELECT RAISE(ABORT, 'TOMBSTONE')
      WHERE NEW.kind <> 'burn' AND EXISTS (SELECT 1 FROM artifacts WHERE id = NEW.to_id AND deleted_at IS NOT NULL);
    SELECT RAISE(ABORT, 'BALANCE_OVERFLOW')
      WHERE NEW.kind <> 'burn' AND COALESCE((SELECT balance FROM accounts WHERE principal = NEW.to_id AND asset = NEW.asset), 0) + NEW.amount > 9007199254740991;
  END;

  -- The genesis services' records move into their namespaces ('genesis_debt.debt_…'), where nobody else
  -- can create an id first (a squatted tally locked agents out of a service).
  UPDATE artifacts SET id = created_by || '.' || id
    WHERE created_by IN ('genesis_debt', 'genesis_taskboard', 'genesis_lock') AND owner = created_by
      AND instr(id, '.') = 0 AND length(created_by) + 1 + length(id) <= 64;
  UPDATE artifacts_fts SET id = (SELECT a.id FROM artifacts a WHERE a.seq = artifacts_fts.rowid)
    WHERE rowid IN (SELECT seq FROM artifacts WHERE created_by IN ('genesis_debt', 'genesis_taskboard', 'genesis_lock') AND instr(id, '.') > 0);
  `,
  /* 6: contracts declare their terms (fees, listing) where callers can read them before acting */ `
  ALTER TABLE artifacts ADD COLUMN terms TEXT;
  `,
  /* 7: a price rise takes effect only after a notice period; meanwhile callers pay the old price */ `
  ALTER TABLE artifacts ADD COLUMN prices_held TEXT;
  `,
  /* 8: sealed bids are masked: a public deposit at least the bid is held, the bid itself stays sealed */ `
  ALTER TABLE mint_bids ADD COLUMN deposit INTEGER NOT NULL DEFAULT 0;
  UPDATE mint_bids SET deposit = amount;
  `,
  /* 9: imports are pinned: code runs against the library versions it was written with, kept while pinned */ `
  -- The direct imports an artifact's current code resolved when written (name -> version); NULL before this.
  ALTER TABLE artifacts ADD COLUMN imports TEXT;

  -- Immutable library versions something still runs against.
  CREATE TABLE library_versions (
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    code       TEXT NOT NULL,
    imports    TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    PRIMARY KEY (id, version)
  ) WITHOUT ROWID;

  -- Every library version an artifact's code loads, transitively.
  CREATE TABLE artifact_pins (
    artifact_id TEXT NOT NULL,
    dep_id      TEXT NOT NULL,
    dep_version INTEGER NOT NULL,
    PRIMARY KEY (artifact_id, dep_id, dep_version)
  ) WITHOUT ROWID;
  CREATE INDEX artifact_pins_dep ON artifact_pins(dep_id, dep_version);

  -- An artifact's usage record starts afresh when its code or its owner changes (reputation does not
  -- carry over to what it has become): since when, and why.
  CREATE TABLE artifact_records (
    artifact_id TEXT PRIMARY KEY,
    since       INTEGER NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('code', 'owner'))
  ) WITHOUT ROWID;
  `,
  /* 10: every artifact records its maker (the world principal answerable for it) when made, at any depth */ `
  ALTER TABLE artifacts ADD COLUMN maker TEXT;
  WITH RECURSIVE m(id, maker) AS (
    SELECT id, id FROM artifacts WHERE created_by = 'genesis_operator' OR (substr(id, 1, 8) = 'genesis_' AND instr(id, '.') = 0)
    UNION
    SELECT a.id, m.maker FROM artifacts a JOIN m ON a.created_by = m.id WHERE a.id <> m.id
  )
  UPDATE artifacts SET maker = COALESCE((SELECT maker FROM m WHERE m.id = artifacts.id), id);
  `,
  /* 11: a result kept for an idempotency key counts against its principal's disk quota until it expires */ `
  ALTER TABLE idempotency ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0;
  `,
  /* 12: who wrote a piece of code first, so a copy can never pass for the original in the mint */ `
  CREATE TABLE code_origins (
    code_hash   TEXT PRIMARY KEY,
    artifact_id TEXT NOT NULL,
    at          INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  /* 13: LLM calls reserved against a principal's budget and token window, then settled from their usage */ `
  CREATE TABLE llm_reservations (
    id             TEXT PRIMARY KEY,
    principal      TEXT NOT NULL,
    endpoint       TEXT NOT NULL,
    -- The endpoint's prices when reserved: a config change never reprices a call in flight.
    input_price    INTEGER NOT NULL CHECK (input_price >= 0),
    output_price   INTEGER NOT NULL CHECK (output_price >= 0),
    tokens         INTEGER NOT NULL CHECK (tokens > 0),
    cost           INTEGER NOT NULL CHECK (cost >= 0),
    reserved_at    INTEGER NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('open', 'settled')),
    settled_at     INTEGER,
    input_tokens   INTEGER,
    output_tokens  INTEGER,
    charged        INTEGER CHECK (charged >= 0),
    outcome        TEXT
  ) WITHOUT ROWID;
  CREATE INDEX llm_reservations_principal ON llm_reservations(principal, reserved_at);
  `,
  /* 14: hosted agents: their run state (the config is the agent artifact's content) and step traces */ `
  CREATE TABLE agents (
    id                 TEXT PRIMARY KEY,
    spawner            TEXT NOT NULL,
    memory_id          TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('running', 'sleeping', 'frozen', 'paused')),
    state_reason       TEXT,
    state_at           INTEGER NOT NULL,
    sleep_until        INTEGER,
    wake_on            TEXT,
    wake_after_seq     INTEGER,
    steps              INTEGER NOT NULL DEFAULT 0,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    last_step_at       INTEGER,
    last_error         TEXT,
    -- The host process taking a step for it, until when: two hosts never step one agent at once.
    lease_holder       TEXT,
    lease_until        INTEGER,
    created_at         INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX agents_state ON agents(state);
  CREATE TABLE agent_traces (
    agent      TEXT NOT NULL,
    step       INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    trace      TEXT NOT NULL,
    PRIMARY KEY (agent, step)
  ) WITHOUT ROWID;
  `,
  /* 15: memory entries (each memory is an artifact; its entries' bytes count in its size), full-text indexed */ `
  CREATE TABLE memory_entries (
    id         INTEGER PRIMARY KEY,
    memory_id  TEXT NOT NULL,
    text       TEXT NOT NULL,
    tags       TEXT NOT NULL DEFAULT '',
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    created_at INTEGER NOT NULL
  );
  CREATE INDEX memory_entries_memory ON memory_entries(memory_id, id);
  CREATE VIRTUAL TABLE memory_fts USING fts5(text, tags, content = 'memory_entries', content_rowid = 'id');
  CREATE TRIGGER memory_fts_add AFTER INSERT ON memory_entries BEGIN
    INSERT INTO memory_fts (rowid, text, tags) VALUES (NEW.id, NEW.text, NEW.tags);
  END;
  CREATE TRIGGER memory_fts_drop AFTER DELETE ON memory_entries BEGIN
    INSERT INTO memory_fts (memory_fts, rowid, text, tags) VALUES ('delete', OLD.id, OLD.text, OLD.tags);
  END;
  `,
  /* 16: bytes an artifact holds outside its row (a memory's entries) survive rewrites; a deleted memory's
     entries and a deleted agent's run go with it */ `
  ALTER TABLE artifacts ADD COLUMN held_bytes INTEGER NOT NULL DEFAULT 0 CHECK (held_bytes >= 0);
  CREATE TRIGGER artifact_gone AFTER UPDATE OF deleted_at ON artifacts
    WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    DELETE FROM memory_entries WHERE memory_id = NEW.id;
    UPDATE agents SET state = 'paused', state_reason = 'deleted', state_at = NEW.deleted_at, lease_holder = NULL, lease_until = NULL WHERE id = NEW.id;
  END;
  DELETE FROM memory_entries WHERE memory_id IN (SELECT id FROM artifacts WHERE deleted_at IS NOT NULL);
  UPDATE artifacts SET held_bytes = (SELECT COALESCE(SUM(size_bytes), 0) FROM memory_entries e WHERE e.memory_id = artifacts.id) WHERE kind = 'memory';
  `,
  /* 17: what a command learnt outside the world before it ran (kept for replays); traces found by age; memory entries whose
     vectors the index must add or drop, each change numbered so a slow indexer never undoes a later one */ `
  ALTER TABLE commands ADD COLUMN prepared TEXT;
  CREATE INDEX agent_traces_at ON agent_traces(at);
  CREATE TABLE memory_vector_rev (n INTEGER NOT NULL);
  INSERT INTO memory_vector_rev (n) VALUES (0);
  CREATE TABLE memory_vector_todo (
    entry_id  INTEGER PRIMARY KEY,
    op        TEXT NOT NULL CHECK (op IN ('add', 'drop')),
    memory_id TEXT NOT NULL,
    rev       INTEGER NOT NULL
  );
  CREATE INDEX memory_vector_todo_op ON memory_vector_todo(op, entry_id);
  CREATE TRIGGER memory_vector_add AFTER INSERT ON memory_entries BEGIN
    UPDATE memory_vector_rev SET n = n + 1;
    INSERT INTO memory_vector_todo (entry_id, op, memory_id, rev) VALUES (NEW.id, 'add', NEW.memory_id, (SELECT n FROM memory_vector_rev))
      ON CONFLICT (entry_id) DO UPDATE SET op = 'add', memory_id = excluded.memory_id, rev = excluded.rev;
  END;
  CREATE TRIGGER memory_vector_drop AFTER DELETE ON memory_entries BEGIN
    UPDATE memory_vector_rev SET n = n + 1;
    INSERT INTO memory_vector_todo (entry_id, op, memory_id, rev) VALUES (OLD.id, 'drop', OLD.memory_id, (SELECT n FROM memory_vector_rev))
      ON CONFLICT (entry_id) DO UPDATE SET op = 'drop', rev = excluded.rev;
  END;
  INSERT INTO memory_vector_todo (entry_id, op, memory_id, rev) SELECT id, 'add', memory_id, 0 FROM memory_entries;
  `,
  /* 18: memory entries the embedder keeps refusing are counted, so one cannot hold back the rest */ `
  ALTER TABLE memory_vector_todo ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
  DROP TRIGGER memory_vector_add;
  CREATE TRIGGER memory_vector_add AFTER INSERT ON memory_entries BEGIN
    UPDATE memory_vector_rev SET n = n + 1;
    INSERT INTO memory_vector_todo (entry_id, op, memory_id, rev) VALUES (NEW.id, 'add', NEW.memory_id, (SELECT n FROM memory_vector_rev))
      ON CONFLICT (entry_id) DO UPDATE SET op = 'add', memory_id = excluded.memory_id, rev = excluded.rev, failures = 0;
  END;
  `,
  /* 19: the outcomes of a command's bridge calls, made outside the world (a replay answers from them) */ `
  ALTER TABLE commands ADD COLUMN outside TEXT;
  `,
  /* 20: bridge definitions the operator added to this world (ecology bridge add), or removed from it (definition NULL) */ `
  CREATE TABLE bridge_definitions (
    name       TEXT PRIMARY KEY,
    definition TEXT,
    updated_at INTEGER NOT NULL
  );
  `,
  /* 21: npm packages installed into the world: one library artifact per version */ `
  CREATE TABLE packages (
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    artifact_id  TEXT NOT NULL UNIQUE,
    integrity    TEXT NOT NULL,
    license      TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    details      TEXT NOT NULL,
    installed_by TEXT NOT NULL,
    installed_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
  );
  `,
  /* 22: capability requests to the operator (what money cannot buy), each with its backers and their offers */ `
  CREATE TABLE capability_requests (
    id         TEXT PRIMARY KEY,
    capability TEXT NOT NULL,
    key        TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'granted', 'denied')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by TEXT,
    note       TEXT,
    attached   TEXT
  );
  CREATE UNIQUE INDEX capability_requests_open ON capability_requests(key) WHERE status = 'open';
  CREATE TABLE capability_backers (
    request_id TEXT NOT NULL,
    principal  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    offer      INTEGER NOT NULL CHECK (offer >= 0),
    at         INTEGER NOT NULL,
    PRIMARY KEY (request_id, principal)
  );
  CREATE INDEX capability_backers_principal ON capability_backers(principal);
  `,
];
