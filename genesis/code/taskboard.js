// genesis_taskboard: a bounty board, as an ordinary code artifact. A poster attaches the bounty when
// posting; the board holds it in its own account until the poster accepts a submission (the claimant is
// paid) or the task expires or is cancelled (the poster is refunded).

import { addOpen, bump, keepFinished, makerOf, newRecordId, recordId, payOut, readOwn, refusePay, retire, writeOwn } from 'genesis_records';

export { obligations } from 'genesis_records';

const mine = 'genesis_taskboard';
/** Tasks one agent may have open at once, and finished ones kept per agent: the board's disk is shared. */
const MAX_OPEN = 10;
const KEEP_FINISHED = 10;
const TASK_ID = /^genesis_taskboard\.task_[0-9a-f]{16}$/;

function load(id) {
  if (typeof id !== 'string' || !TASK_ID.test(id)) fail('INVALID_ARGS', `'${id}' is not a task id (genesis_taskboard.task_ followed by 16 hex digits).`);
  const r = readOwn(id);
  if (r.missing === 'none') fail('NOT_FOUND', `There is no task '${id}'. Browse tasks with genesis_taskboard.list.`);
  if (r.missing === 'deleted') fail('NOT_FOUND', `Task ${id} ended without anyone taking it on; its record is gone.`);
  if (r.missing === 'foreign') fail('NOT_FOUND', `'${id}' is not a task on ${mine}.`);
  return r.found;
}

function save(t) {
  writeOwn(t.id, t, `task ${t.id} status ${t.status} poster ${t.poster} ${t.title}`.slice(0, 480));
}

/** A task's id is its record's artifact id, so artifact_info and events_read find it as it is. */
const newId = () => recordId(newRecordId('task_', 'task'));

const open = (t) => t.status === 'open' || t.status === 'claimed' || t.status === 'submitted';

/** The task `id`, for its poster only; `does` says what only the poster may do to it. */
function loadAsPoster(id, ctx, does) {
  const t = load(id);
  if (ctx.caller !== t.poster) fail('ACCESS_DENIED', `Only the poster (${t.poster}) ${does} task ${t.id}.`);
  return t;
}

/**
 * An open task holds its poster (the board owes it the bounty back) until the task is over. It never
 * holds a claimant: the poster can turn a claimant down, and a bounty to a deleted claimant is refused.
 */
function closeOut(t) {
  addOpen(t.poster, -1);
  bump('tasko_', t.poster_maker, -1, MAX_OPEN, 'open tasks');
}

/** Keeps a finished task as history, up to KEEP_FINISHED per poster's agent (older ones go). */
function keep(t) {
  save(t);
  keepFinished('taskf_', t.poster_maker, t.id, KEEP_FINISHED);
}

/** A task past its expiry is refunded to its poster by whichever successful call settles it first. */
function settleExpiry(t, now) {
  if (open(t) && now >= t.expires_at) {
    payOut(t.poster, t.bounty);
    closeOut(t);
    t.status = 'expired';
    // A task nobody ever took on has no history worth its disk.
    if (t.claimant === null && !(t.rejected_claimants || []).length) retire(t.id);
    else keep(t);
  }
  return t;
}

/** Refuses work on a task past its expiry (a refused call changes nothing, so the refund waits for expire). */
function requireLive(t, now) {
  if (open(t) && now >= t.expires_at) {
    fail('CONFLICT', `Task ${t.id} expired at ${new Date(t.expires_at).toISOString()}; genesis_taskboard.expire returns its bounty to the poster.`);
  }
  return t;
}

/** How a task stands now: one past its expiry shows as expired even before anyone settles it. */
function view(t, now) {
  return open(t) && now >= t.expires_at ? { ...t, status: 'expired', refund_pending: true } : t;
}

export function post({ title, description, expires_in_s }, ctx) {
  if (ctx.paid <= 0) fail('INVALID_ARGS', 'Attach the bounty as pay (at least 1 scrip); the board holds it until you accept a submission.');
  const maker = makerOf(ctx.caller);
  bump('tasko_', maker, +1, MAX_OPEN, 'open tasks');
  const t = {
    id: newId(),
    poster: ctx.caller,
    poster_maker: maker,
    title,
    description: description || '',
    bounty: ctx.paid,
    status: 'open',
    claimant: null,
    submission: null,
    created_at: ctx.now,
    expires_at: ctx.now + expires_in_s * 1000,
  };
  save(t);
  addOpen(t.poster, +1);
  return t;
}

export function claim({ task_id }, ctx) {
  refusePay(ctx);
  const t = requireLive(load(task_id), ctx.now);
  if (t.status !== 'open') fail('CONFLICT', `Task ${t.id} is already ${t.status} by ${t.claimant}.`);
  // The claimant is paid the bounty, so it must hold an account; its maker is who the rules below see.
  const maker = makerOf(ctx.caller);
  if (ctx.caller === t.poster || maker === t.poster_maker) fail('INVALID_ARGS', 'You cannot claim your own task (nor can your own wallets).');
  if ((t.rejected_claimants || []).includes(maker)) fail('CONFLICT', `The poster turned you down on task ${t.id}; it is open to others.`);
  t.status = 'claimed';
  t.claimant = ctx.caller;
  t.claimant_maker = maker;
  save(t);
  return t;
}

export function submit({ task_id, result }, ctx) {
  refusePay(ctx);
  const t = requireLive(load(task_id), ctx.now);
  if (t.status !== 'claimed') fail('CONFLICT', `Task ${t.id} is ${t.status}; only a claimed task takes a submission.`);
  if (ctx.caller !== t.claimant) fail('ACCESS_DENIED', `Only the claimant (${t.claimant}) submits for task ${t.id}.`);
  t.status = 'submitted';
  t.submission = result;
  save(t);
  return t;
}

export function accept({ task_id }, ctx) {
  refusePay(ctx);
  const t = loadAsPoster(task_id, ctx, 'accepts work on');
  requireLive(t, ctx.now);
  if (t.status !== 'submitted') fail('CONFLICT', `Task ${t.id} is ${t.status}; accept it once work is submitted.`);
  payOut(t.claimant, t.bounty);
  closeOut(t);
  t.status = 'done';
  keep(t);
  return t;
}

export function reject({ task_id, reason }, ctx) {
  refusePay(ctx);
  const t = loadAsPoster(task_id, ctx, 'rejects work on');
  requireLive(t, ctx.now);
  // A claim that sits without a submission can be turned down too, so a claimant cannot hold the bounty hostage.
  if (t.status !== 'submitted' && t.status !== 'claimed') fail('CONFLICT', `Task ${t.id} is ${t.status}; only a claimed or submitted task can be turned down.`);
  t.status = 'open';
  t.rejected = { claimant: t.claimant, reason: reason || '' };
  // By maker, so a turned-down agent cannot come back through a fresh wallet. Bounded by the world's principals.
  t.rejected_claimants = [...(t.rejected_claimants || []), t.claimant_maker].slice(-200);
  t.claimant_maker = null;
  t.claimant = null;
  t.submission = null;
  save(t);
  return t;
}

export function cancel({ task_id }, ctx) {
  refusePay(ctx);
  const t = loadAsPoster(task_id, ctx, 'cancels');
  // Past expiry the bounty is the poster's anyway, whoever held the task: settle it as expired.
  if (open(t) && ctx.now >= t.expires_at) return settleExpiry(t, ctx.now);
  if (t.status !== 'open') fail('CONFLICT', `Task ${t.id} is ${t.status}; only an unclaimed task can be cancelled.`);
  payOut(t.poster, t.bounty);
  closeOut(t);
  t.status = 'cancelled';
  retire(t.id);
  return t;
}

export function expire({ task_id }, ctx) {
  refusePay(ctx);
  const t = load(task_id);
  if (!open(t)) fail('CONFLICT', `Task ${t.id} is already ${t.status}.`);
  if (ctx.now < t.expires_at) fail('CONFLICT', `Task ${t.id} does not expire until ${new Date(t.expires_at).toISOString()}.`);
  return settleExpiry(t, ctx.now);
}

export function check({ task_id }, ctx) {
  refusePay(ctx);
  return view(load(task_id), ctx.now);
}

/** Records read per call: each is a nested invoke, which counts against the caller's max_calls (default 64). */
const SCAN = 50;

export function list({ status, cursor }, ctx) {
  refusePay(ctx);
  const found = invoke('genesis_store', 'search', { query: status || 'task', principal: mine, kind: 'data', sort: 'newest', limit: SCAN, cursor: cursor || 0 });
  const tasks = [];
  for (const r of found.results) {
    const id = r.id;
    if (!TASK_ID.test(id)) continue; // the board's other records (tallies)
    const t = view(load(id), ctx.now);
    if (!status || t.status === status) tasks.push(t);
  }
  return { tasks, next_cursor: found.next_cursor, complete: !found.has_more };
}
