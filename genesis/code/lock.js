// genesis_lock: named leases with a time to live, as an ordinary code artifact. A lease is a data
// artifact it owns; holding one is only as good as the agents who agree to check it.

const mine = 'genesis_lock';

function lockId(name) {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,58}$/.test(name)) {
    fail('INVALID_ARGS', `Lock names are 1-59 characters of a-z, 0-9, '_' and '-' (got '${name}').`);
  }
  return 'lock_' + name;
}

function load(name) {
  try {
    const a = invoke('genesis_store', 'read', { id: lockId(name) });
    // created_by never changes: a record someone else wrote and handed over is not ours, whoever owns it now.
    if (a.owner !== mine || a.created_by !== mine) fail('CONFLICT', `'${lockId(name)}' is not a lock kept by ${mine}; choose another name.`);
    return JSON.parse(a.content);
  } catch (e) {
    if (e.code === 'NOT_FOUND') return null;
    throw e;
  }
}

function save(name, lease) {
  // The contract is named, not left to the world's default: only this service may ever write its records.
  invoke('genesis_store', 'write', { id: lockId(name), kind: 'data', access_contract_id: 'genesis_contract_freeware', content: JSON.stringify(lease), description: `lock ${name}` });
}

/** Locks take no payment: refuse one rather than keep it. */
function noPay(ctx) {
  if (ctx.paid > 0) fail('INVALID_ARGS', `genesis_lock takes no payment; call it without pay (you attached ${ctx.paid}).`);
}

const held = (l, now) => l !== null && l.holder !== null && l.expires_at > now;

function leaseId() {
  return 'lease_' + Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

/** Lock names one agent (with all its wallets) may bring into being: each stays, so they are capped. */
const MAX_NAMES = 100;

/** A short record id from any string (FNV-1a, 64 bits); the record keeps the string to rule out collisions. */
function tallyId(maker) {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < maker.length; i++) h = ((h ^ BigInt(maker.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return 'lockq_' + h.toString(16).padStart(16, '0');
}

/** Counts a new lock name against the agent answerable for the caller, refusing past the cap. */
function countNewName(caller) {
  const maker = invoke('genesis_ledger', 'balance', { principal: caller }).maker;
  const id = tallyId(maker);
  let names = 0;
  try {
    const a = invoke('genesis_store', 'read', { id });
    const c = JSON.parse(a.content);
    if (a.created_by !== mine || c.maker !== maker) fail('CONFLICT', `The lock-name tally for ${maker} is unavailable; use an existing lock name.`);
    names = c.names;
  } catch (e) {
    if (e.code !== 'NOT_FOUND') throw e;
  }
  if (names >= MAX_NAMES) fail('QUOTA_EXCEEDED', `${maker} has brought ${names} lock names into being, the most allowed; reuse one of them.`);
  invoke('genesis_store', 'write', { id, kind: 'data', access_contract_id: 'genesis_contract_freeware', content: JSON.stringify({ maker, names: names + 1 }), description: `lock names of ${maker}` });
}

export function acquire({ name, ttl_s }, ctx) {
  noPay(ctx);
  const l = load(name);
  if (l === null) countNewName(ctx.caller);
  if (held(l, ctx.now) && l.holder !== ctx.caller) {
    fail('CONFLICT', `Lock '${name}' is held by ${l.holder} until ${new Date(l.expires_at).toISOString()} (${l.expires_at - ctx.now} ms). Try again after that.`);
  }
  const lease = { name, holder: ctx.caller, lease_id: leaseId(), acquired_at: ctx.now, expires_at: ctx.now + ttl_s * 1000 };
  save(name, lease);
  return lease;
}

export function renew({ name, lease_id, ttl_s }, ctx) {
  noPay(ctx);
  const l = load(name);
  if (!held(l, ctx.now) || l.lease_id !== lease_id || l.holder !== ctx.caller) fail('CONFLICT', `You do not hold lock '${name}' under lease ${lease_id}; acquire it again.`);
  l.expires_at = ctx.now + ttl_s * 1000;
  save(name, l);
  return l;
}

export function release({ name, lease_id }, ctx) {
  noPay(ctx);
  const l = load(name);
  if (!held(l, ctx.now) || l.lease_id !== lease_id || l.holder !== ctx.caller) fail('CONFLICT', `You do not hold lock '${name}' under lease ${lease_id}.`);
  save(name, { name, holder: null, lease_id: null, acquired_at: null, expires_at: 0 });
  return { name, released: true };
}

export function check({ name }, ctx) {
  noPay(ctx);
  const l = load(name);
  return held(l, ctx.now) ? { name, held: true, holder: l.holder, expires_at: l.expires_at } : { name, held: false };
}
