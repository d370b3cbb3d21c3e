/**
 * The storage floor: the SQL a kernel transfer issues, sent directly on the world's own schema with the
 * world's storage settings. The kernel bench sets a transfer against it, and the MCP bench serves it
 * behind an echo tool over stdio to show the best any kernel that keeps the design's records could do.
 */
import Database from 'libsql';
import { parseConfig } from '../src/kernel/config.ts';
import { MIGRATIONS } from '../src/kernel/db/migrations.ts';

/** The world's own storage settings (page size, WAL, durability), so baselines differ only in the work. */
export function storeSettings(db: InstanceType<typeof Database>): void {
  const { store } = parseConfig({});
  db.pragma(`page_size = ${store.page_size}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${store.synchronous}`);
  db.pragma(`wal_autocheckpoint = ${store.wal_autocheckpoint}`);
}

/**
 * One call runs a transfer's SQL in its own transaction. Not a target baseline: it shows how much of a command's cost is the storage the design requires
 * (journal, rate window, event, invocation registry, command log; their indexes and triggers) and how
 * much is the kernel's own work on top.
 */
export function storageFloor(path: string): () => void {
  const db = new Database(path);
  storeSettings(db);
  // The SDK's client, negotiating the protocol version, starts a stdio server twice: set up only once.
  const fresh = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'artifacts'").get() === undefined;
  if (fresh) {
    for (const m of MIGRATIONS) db.exec(m);
    db.exec(`INSERT INTO artifacts (id, kind, description, content, code, owner, created_by, access_contract_id, has_standing, can_execute, size_bytes, version, created_at, updated_at)
             VALUES ('alice', 'agent', '', '', '', 'alice', 'alice', 'genesis_contract_self_owned', 1, 0, 0, 1, 0, 0), ('bob', 'agent', '', '', '', 'bob', 'bob', 'genesis_contract_self_owned', 1, 0, 0, 1, 0, 0);
             INSERT INTO principals (id, disk_used, created_at) VALUES ('alice', 0, 0), ('bob', 0, 0);
             INSERT INTO journal (at, asset, kind, from_id, to_id, amount, cause, command_id) VALUES (0, 'scrip', 'issue', 'genesis_mint', 'alice', 1000000000, 'grant', 'c0'), (0, 'calls', 'issue', 'genesis_mint', 'alice', 1000000000, 'grant', 'c0');`);
  }
  const standing = db.prepare('SELECT has_standing, deleted_at, deleted_by FROM artifacts WHERE id = ?');
  const due = db.prepare("SELECT 1 FROM scheduled WHERE due_at <= ? AND kind IN ('a', 'b') LIMIT 1");
  const rate = db.prepare("INSERT INTO rate_log (principal, resource, at, amount) VALUES (?, 'calls', ?, 1) ON CONFLICT (principal, resource, at) DO UPDATE SET amount = amount + excluded.amount");
  const balance = db.prepare("SELECT balance FROM accounts WHERE principal = ? AND asset = 'scrip'");
  const journal = db.prepare("INSERT INTO journal (at, asset, kind, from_id, to_id, amount, cause, command_id) VALUES (?, 'scrip', 'transfer', 'alice', 'bob', 1, 'transfer', ?)");
  // A transfer logs two events: the transfer and the invocation.
  const event = db.prepare(`INSERT INTO events (at, type, principal, artifact, payload, command_id) VALUES
    (?1, 'transfer', 'alice', 'bob', '{"from":"alice","to":"bob","asset":"scrip","amount":1}', ?2),
    (?1, 'invoke_success', 'alice', 'genesis_ledger', '{"method":"transfer","caller":"alice","depth":0,"duration_ms":0,"price_paid":0}', ?2)`);
  const stats = db.prepare(`INSERT INTO artifact_invokers (artifact_id, invoker, invocations, successes, scrip_paid, last_at, last_paid_at) VALUES ('genesis_ledger', 'alice', 1, 1, 0, ?, NULL)
    ON CONFLICT (artifact_id, invoker) DO UPDATE SET invocations = invocations + 1, successes = successes + 1, last_at = excluded.last_at`);
  const command = db.prepare("INSERT INTO commands (id, at, principal, target, method, args, idempotency_key, ok, error_code, result_hash, cpu_ms) VALUES (?, ?, 'alice', 'genesis_ledger', 'transfer', '{\"amount\":1,\"to\":\"bob\"}', NULL, 1, NULL, 'h', 0)");
  let i = 0;
  return () => {
    const now = 1_000_000 + Math.floor(i / 50) * 60_000; // a new rate window now and then, as in a real run
    const id = `cmd_${(i++).toString(36).padStart(10, '0')}`;
    db.exec('BEGIN IMMEDIATE');
    // One-row reads use get(), as the kernel's do: the cheapest way to send them.
    standing.get('alice');
    standing.get('bob');
    due.get(now);
    rate.run('alice', now);
    balance.get('alice');
    journal.run(now, id);
    event.run(now, id);
    stats.run(now);
    command.run(id, now);
    db.exec('COMMIT');
  };
}
