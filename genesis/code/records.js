// genesis_records: the record keeping the genesis services share, as a library artifact any agent's
// code may import too. It runs inside the importing artifact's call, so `self`, `invoke` and `fail`
// are that artifact's: records are written, owned and checked as the importer. Records live in the
// importer's namespace (`<self>.<id>`), where only it (and its owner) can create ids, so nobody can
// take a record's id first.

const WRITE = { kind: 'data', access_contract_id: 'genesis_contract_freeware' };

/** 16 random hex digits (Math.random is seeded per call, so a replay draws the same). */
export const randomHex = () => Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/**
 * One of the caller's own records: `{ found: record }`, or `{ missing: 'none' | 'deleted' | 'foreign' }`.
 * created_by never changes, so a record someone else wrote and handed over is foreign whoever owns it now.
 */
/** The artifact id of this service's record `id` (given bare, or already in the namespace). */
export const recordId = (id) => (id.startsWith(self + '.') ? id : self + '.' + id);

export function readOwn(id) {
  let a;
  try {
    a = invoke('genesis_store', 'read', { id: recordId(id) });
  } catch (e) {
    if (e.code === 'NOT_FOUND') return { missing: 'none' };
    if (e.code === 'DELETED') return { missing: 'deleted' };
    throw e;
  }
  if (a.owner !== self || a.created_by !== self) return { missing: 'foreign' };
  return { found: JSON.parse(a.content) };
}

/** Writes a record under a named contract, not the world's default: only its owner may ever write it. */
export function writeOwn(id, value, description) {
  invoke('genesis_store', 'write', { id: recordId(id), ...WRITE, content: JSON.stringify(value), description });
}

/** Removes a record nothing will need again, so churn leaves no disk behind (its id is never reused). */
export function retire(id) {
  invoke('genesis_store', 'delete', { id: recordId(id) });
}

/** A fresh id `prefix` + 16 hex digits that no artifact, live or deleted, has had. */
export function newRecordId(prefix, noun) {
  for (let i = 0; i < 5; i++) {
    const id = prefix + randomHex();
    try {
      invoke('genesis_store', 'info', { id: recordId(id) });
    } catch (e) {
      if (e.code === 'NOT_FOUND') return id;
      if (e.code !== 'DELETED') throw e;
    }
  }
  fail('CONFLICT', `Could not allocate a ${noun} id; try again.`);
}

/** Who answers for an account: itself, or the agent that made it (ledger_balance says). */
export const makerOf = (principal) => invoke('genesis_ledger', 'balance', { principal }).maker;

/** For methods that take no payment: refuse one rather than keep it. */
export function refusePay(ctx, subject = 'This method') {
  if (ctx.paid > 0) fail('INVALID_ARGS', `${subject} takes no payment; call it without pay (you attached ${ctx.paid}).`);
}

/** Pays out of the caller's own account (nothing when the amount is 0). */
export function payOut(to, amount) {
  if (amount > 0) invoke('genesis_ledger', 'transfer', { to, amount, memo: self });
}

/** A short record id from any string (FNV-1a, 64 bits); the record keeps the string to rule out collisions. */
function hashedId(prefix, text) {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return prefix + h.toString(16).padStart(16, '0');
}

/**
 * A count kept per agent (maker) in one record of its own, so nobody else's records can skew it.
 * `read()` gives the count (0 if none yet); `write(n)` stores it. `unavailable` is the refusal if the
 * record is somehow not ours.
 */
export function tally(prefix, maker, field, label, unavailable) {
  const id = hashedId(prefix, maker);
  return {
    read() {
      const r = readOwn(id);
      if (r.missing === 'none') return 0;
      if (!r.found || r.found.maker !== maker) fail('CONFLICT', unavailable);
      return r.found[field];
    },
    write(n) {
      writeOwn(id, { maker, [field]: n }, `${label} of ${maker}`);
    },
  };
}

/** Adds `delta` to a per-agent count, refusing (QUOTA_EXCEEDED) to go past `max`: a service's disk is shared. */
export function bump(prefix, maker, delta, max, what) {
  const t = tally(prefix, maker, 'n', what, `The ${what} count of ${maker} is unavailable; try again later.`);
  const n = t.read();
  if (delta > 0 && n + delta > max) fail('QUOTA_EXCEEDED', `${maker} already has ${n} ${what}, the most one agent may have here at once; finish or cancel some first.`);
  t.write(Math.max(0, n + delta));
}

/**
 * Keeps at most `max` finished records per agent: adding one retires the oldest beyond that. So what an
 * agent leaves on a service's disk is bounded by its share, whatever it does.
 */
export function keepFinished(prefix, maker, id, max) {
  const listId = hashedId(prefix, maker);
  const r = readOwn(listId);
  const ids = r.found && r.found.maker === maker && Array.isArray(r.found.ids) ? r.found.ids : [];
  ids.push(id);
  while (ids.length > max) retire(ids.shift());
  writeOwn(listId, { maker, ids }, `finished records of ${maker}`);
}

/**
 * A principal's open items with this service (debts, tasks): while any is open, the principal cannot be
 * deleted, so nothing the service later pays it lands in a tombstone. `add(p, ±1)` keeps the count.
 */
const openItems = (principal) => tally('open_', principal, 'open', 'open items', `The open-item count of ${principal} is unavailable; try again later.`);

export function addOpen(principal, delta) {
  const t = openItems(principal);
  t.write(Math.max(0, t.read() + delta));
}

/** The `obligations` method every service with open items exports: what the principal still has open here. */
export function obligations({ principal }, ctx) {
  refusePay(ctx);
  return { principal, open: openItems(principal).read() };
}
