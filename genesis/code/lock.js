// genesis_lock: named leases with a time to live, as an ordinary code artifact. A lease is a data
// artifact it owns; holding one is only as good as the agents who agree to check it.

import { makerOf, randomHex, readOwn, refusePay, tally, writeOwn } from 'genesis_records';

const mine = 'genesis_lock';

function lockId(name) {
  // The record id is genesis_lock.lock_<name>, at most 64 characters.
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,45}$/.test(name)) {
    fail('INVALID_ARGS', `Lock names are 1-46 characters of a-z, 0-9, '_' and '-' (got '${name}').`);
  }
  return 'lock_' + name;
}

function load(name) {
  const r = readOwn(lockId(name));
  if (r.missing === 'foreign') fail('CONFLICT', `'${lockId(name)}' is not a lock kept by ${mine}; choose another name.`);
  return r.found ?? null;
}

function save(name, lease) {
  writeOwn(lockId(name), lease, `lock ${name}`);
}

const noPay = (ctx) => refusePay(ctx, mine);

const held = (l, now) => l !== null && l.holder !== null && l.expires_at > now;

const leaseId = () => 'lease_' + randomHex();

/** Lock names one agent (with all its wallets) may bring into being: each stays, so they are capped. */
const MAX_NAMES = 100;

/** Counts a new lock name against the agent answerable for the caller, refusing past the cap. */
function countNewName(caller) {
  const maker = makerOf(caller);
  const names = tally('lockq_', maker, 'names', 'lock names', `The lock-name tally for ${maker} is unavailable; use an existing lock name.`);
  const n = names.read();
  if (n >= MAX_NAMES) fail('QUOTA_EXCEEDED', `${maker} has brought ${n} lock names into being, the most allowed; reuse one of them.`);
  names.write(n + 1);
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
