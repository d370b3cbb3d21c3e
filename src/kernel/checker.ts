import { ASSETS, MINT_ACCOUNT } from './ledger.ts';
import type { Store } from './db/store.ts';

export interface InvariantReport {
  ok: boolean;
  violations: string[];
  summary: {
    schema_version: number;
    artifacts: number;
    tombstones: number;
    principals: number;
    journal_entries: number;
    events: number;
    commands: number;
    supply: Record<string, { issued: number; burned: number; held: number }>;
  };
}

const MAX_LISTED = 50;

/**
 * The world's invariants, checked from the database alone (the same code backs `ecology check`).
 * Reports every violation it finds, up to a limit per rule, rather than stopping at the first.
 */
export function checkInvariants(store: Store): InvariantReport {
  return store.readTx(() => check(store));
}

function check(store: Store): InvariantReport {
  const v: string[] = [];
  const rule = (name: string, rows: unknown[], describe: (r: never) => string) => {
    for (const r of rows.slice(0, MAX_LISTED)) v.push(`${name}: ${describe(r as never)}`);
    if (rows.length > MAX_LISTED) v.push(`${name}: … and ${rows.length - MAX_LISTED} more`);
  };

  // Supply: per asset, what accounts hold equals what was issued minus what was burned.
  const supply: InvariantReport['summary']['supply'] = {};
  for (const asset of ASSETS) {
    const j = store.one<{ issued: number; burned: number }>(
      `SELECT COALESCE(SUM(CASE WHEN kind = 'issue' THEN amount END), 0) AS issued, COALESCE(SUM(CASE WHEN kind = 'burn' THEN amount END), 0) AS burned FROM journal WHERE asset = ?`,
      asset,
    )!;
    const held = store.one<{ s: number }>('SELECT COALESCE(SUM(balance), 0) AS s FROM accounts WHERE asset = ?', asset)!.s;
    supply[asset] = { issued: j.issued, burned: j.burned, held };
    if (held !== j.issued - j.burned) v.push(`conservation: ${asset} held ${held} but issued ${j.issued} - burned ${j.burned} = ${j.issued - j.burned}`);
  }

  rule('negative balance', store.all('SELECT principal, asset, balance FROM accounts WHERE balance < 0'), (r: { principal: string; asset: string; balance: number }) => `${r.principal} ${r.asset} = ${r.balance}`);

  rule(
    'journal disagrees with balance',
    store.all(
      `WITH flows AS (
         SELECT to_id AS principal, asset, amount AS delta FROM journal WHERE kind IN ('transfer', 'issue')
         UNION ALL SELECT from_id, asset, -amount FROM journal WHERE kind IN ('transfer', 'burn')
       ), sums AS (SELECT principal, asset, SUM(delta) AS s FROM flows GROUP BY principal, asset)
       SELECT COALESCE(a.principal, s.principal) AS principal, COALESCE(a.asset, s.asset) AS asset, COALESCE(a.balance, 0) AS balance, COALESCE(s.s, 0) AS journal
       FROM sums s FULL OUTER JOIN accounts a ON a.principal = s.principal AND a.asset = s.asset
       WHERE COALESCE(a.balance, 0) <> COALESCE(s.s, 0)`,
    ),
    (r: { principal: string; asset: string; balance: number; journal: number }) => `${r.principal} ${r.asset}: balance ${r.balance}, journal says ${r.journal}`,
  );

  rule(
    'account without a principal',
    store.all('SELECT DISTINCT a.principal FROM accounts a LEFT JOIN principals p ON p.id = a.principal WHERE p.id IS NULL'),
    (r: { principal: string }) => r.principal,
  );

  rule(
    'standing mismatch',
    store.all(
      `SELECT a.id, a.has_standing, p.id AS pid FROM artifacts a LEFT JOIN principals p ON p.id = a.id
       WHERE (a.has_standing = 1 AND p.id IS NULL) OR (a.has_standing = 0 AND p.id IS NOT NULL)`,
    ),
    (r: { id: string; has_standing: number }) => `${r.id} has_standing=${r.has_standing} but ${r.has_standing ? 'no' : 'a'} principal row`,
  );
  rule(
    'principal without an artifact',
    store.all('SELECT p.id FROM principals p LEFT JOIN artifacts a ON a.id = p.id WHERE a.id IS NULL'),
    (r: { id: string }) => r.id,
  );

  rule(
    'artifact without an owner principal',
    store.all(
      `SELECT a.id, a.owner FROM artifacts a LEFT JOIN artifacts o ON o.id = a.owner
       WHERE o.id IS NULL OR o.has_standing = 0 OR (a.deleted_at IS NULL AND o.deleted_at IS NOT NULL)`,
    ),
    (r: { id: string; owner: string }) => `${r.id} is owned by ${r.owner}, which is not a live principal`,
  );

  rule(
    'disk usage disagrees with artifact sizes',
    store.all(
      `SELECT p.id, p.disk_used, COALESCE((SELECT SUM(a.size_bytes) FROM artifacts a WHERE a.owner = p.id), 0)
         + COALESCE((SELECT SUM(k.size_bytes) FROM idempotency k WHERE k.principal = p.id), 0) AS actual
       FROM principals p WHERE p.disk_used <> actual`,
    ),
    (r: { id: string; disk_used: number; actual: number }) => `${r.id} records ${r.disk_used} bytes, owns ${r.actual} (artifacts and kept idempotency results)`,
  );

  rule(
    'executable tombstone',
    store.all(`SELECT id FROM artifacts WHERE deleted_at IS NOT NULL AND (can_execute = 1 OR code <> '' OR content <> '')`),
    (r: { id: string }) => r.id,
  );

  rule(
    'rate usage disagrees with its log',
    store.all(
      `SELECT u.principal, u.resource, u.used, COALESCE((SELECT SUM(amount) FROM rate_log l WHERE l.principal = u.principal AND l.resource = u.resource), 0) AS logged
       FROM rate_usage u WHERE u.used <> COALESCE((SELECT SUM(amount) FROM rate_log l WHERE l.principal = u.principal AND l.resource = u.resource), 0)`,
    ),
    (r: { principal: string; resource: string; used: number; logged: number }) => `${r.principal} ${r.resource}: used ${r.used}, log sums to ${r.logged}`,
  );

  // Custody: a listed artifact points at its one active listing and back; nothing else is locked.
  rule(
    'escrow custody',
    store.all(
      `SELECT a.id, a.listing AS listing, l.id AS active FROM artifacts a LEFT JOIN escrow_listings l ON l.artifact_id = a.id AND l.status = 'active'
       WHERE a.listing IS NOT l.id`,
    ),
    (r: { id: string; listing: string | null; active: string | null }) => `${r.id} is locked by listing ${r.listing ?? 'none'} but its active listing is ${r.active ?? 'none'}`,
  );
  // A memory's held bytes are exactly its entries' (and its size counts them).
  rule(
    'memory held bytes disagree with its entries',
    store.all(`SELECT a.id, a.held_bytes, COALESCE((SELECT SUM(e.size_bytes) FROM memory_entries e WHERE e.memory_id = a.id), 0) AS entries
               FROM artifacts a WHERE a.deleted_at IS NULL AND a.held_bytes <> entries`),
    (r: { id: string; held_bytes: number; entries: number }) => `${r.id} holds ${r.held_bytes} bytes outside its row but its entries come to ${r.entries}`,
  );
  // Memory entries belong to a live memory artifact, whose size counts them.
  rule(
    'memory entries without a live memory',
    store.all(`SELECT e.memory_id, COUNT(*) AS n FROM memory_entries e LEFT JOIN artifacts a ON a.id = e.memory_id AND a.deleted_at IS NULL WHERE a.id IS NULL GROUP BY e.memory_id`),
    (r: { memory_id: string; n: number }) => `${r.n} entries of ${r.memory_id}, which is missing or deleted`,
  );
  // The capability requests' account holds exactly the offers of open requests.
  rule(
    'capability custody',
    store.all(
      `SELECT held, owed FROM (SELECT COALESCE((SELECT balance FROM accounts WHERE principal = 'genesis_capabilities' AND asset = 'scrip'), 0) AS held,
         COALESCE((SELECT SUM(b.offer) FROM capability_backers b JOIN capability_requests r ON r.id = b.request_id WHERE r.status = 'open'), 0) AS owed) WHERE held <> owed`,
    ),
    (r: { held: number; owed: number }) => `genesis_capabilities holds ${r.held} scrip but open requests' offers come to ${r.owed}`,
  );
  // The LLM gateway's account holds exactly the budget reserved by calls not yet settled.
  rule(
    'llm custody',
    store.all(
      `SELECT held, owed FROM (SELECT COALESCE((SELECT balance FROM accounts WHERE principal = 'genesis_llm' AND asset = 'llm_budget_micro_usd'), 0) AS held,
         COALESCE((SELECT SUM(cost) FROM llm_reservations WHERE state = 'open'), 0) AS owed) WHERE held <> owed`,
    ),
    (r: { held: number; owed: number }) => `genesis_llm holds ${r.held} llm_budget_micro_usd but open reservations come to ${r.owed}`,
  );
  // The mint's account holds exactly the live bids' deposits and the prices of winners awaiting a score.
  rule(
    'mint custody',
    store.all(
      `SELECT held, owed FROM (SELECT COALESCE((SELECT balance FROM accounts WHERE principal = ? AND asset = 'scrip'), 0) AS held,
         COALESCE((SELECT SUM(deposit) FROM mint_bids), 0) + COALESCE((SELECT SUM(price) FROM mint_pending), 0) AS owed) WHERE held <> owed`,
      MINT_ACCOUNT,
    ),
    (r: { held: number; owed: number }) => `${MINT_ACCOUNT} holds ${r.held} scrip but live bids and pending prices come to ${r.owed}`,
  );
  rule(
    'mint bid above its deposit',
    store.all('SELECT bidder, artifact_id, amount, deposit FROM mint_bids WHERE deposit < amount'),
    (r: { bidder: string; artifact_id: string; amount: number; deposit: number }) => `${r.bidder} on ${r.artifact_id}: bid ${r.amount}, deposit ${r.deposit}`,
  );
  rule(
    'allowance out of range',
    store.all('SELECT approver, spender, amount FROM allowances WHERE amount <= 0 OR approver = spender'),
    (r: { approver: string; spender: string; amount: number }) => `${r.approver} -> ${r.spender}: ${r.amount}`,
  );

  // A tombstone holds nothing: no balance, no bid or pending win, no approval to or from it.
  rule(
    'tombstone holds assets',
    store.all(`SELECT c.principal, c.asset, c.balance FROM accounts c JOIN artifacts a ON a.id = c.principal WHERE a.deleted_at IS NOT NULL AND c.balance <> 0`),
    (r: { principal: string; asset: string; balance: number }) => `${r.principal} (deleted) holds ${r.balance} ${r.asset}`,
  );
  rule(
    'tombstone in custody',
    store.all(
      `SELECT 'mint bid' AS what, bidder AS id FROM mint_bids WHERE bidder IN (SELECT id FROM artifacts WHERE deleted_at IS NOT NULL)
       UNION ALL SELECT 'pending mint win', bidder FROM mint_pending WHERE bidder IN (SELECT id FROM artifacts WHERE deleted_at IS NOT NULL)
       UNION ALL SELECT 'allowance', approver FROM allowances WHERE approver IN (SELECT id FROM artifacts WHERE deleted_at IS NOT NULL)
       UNION ALL SELECT 'allowance', spender FROM allowances WHERE spender IN (SELECT id FROM artifacts WHERE deleted_at IS NOT NULL)`,
    ),
    (r: { what: string; id: string }) => `a ${r.what} names ${r.id}, which is deleted`,
  );

  // Pinned imports: every pin has its kept version, and every kept version is pinned by something.
  rule(
    'pinned library version missing',
    store.all('SELECT p.artifact_id, p.dep_id, p.dep_version FROM artifact_pins p LEFT JOIN library_versions v ON v.id = p.dep_id AND v.version = p.dep_version WHERE v.id IS NULL'),
    (r: { artifact_id: string; dep_id: string; dep_version: number }) => `${r.artifact_id} runs against ${r.dep_id}@${r.dep_version}, which is not kept`,
  );
  rule(
    'kept library version unpinned',
    store.all('SELECT v.id, v.version FROM library_versions v WHERE NOT EXISTS (SELECT 1 FROM artifact_pins p WHERE p.dep_id = v.id AND p.dep_version = v.version)'),
    (r: { id: string; version: number }) => `${r.id}@${r.version} is kept but nothing runs against it`,
  );

  const count = (sql: string) => store.one<{ n: number }>(sql)!.n;
  return {
    ok: v.length === 0,
    violations: v,
    summary: {
      schema_version: store.schemaVersion(),
      artifacts: count('SELECT COUNT(*) AS n FROM artifacts WHERE deleted_at IS NULL'),
      tombstones: count('SELECT COUNT(*) AS n FROM artifacts WHERE deleted_at IS NOT NULL'),
      principals: count('SELECT COUNT(*) AS n FROM principals'),
      journal_entries: count('SELECT COUNT(*) AS n FROM journal'),
      events: count('SELECT COUNT(*) AS n FROM events'),
      commands: count('SELECT COUNT(*) AS n FROM commands'),
      supply,
    },
  };
}
