// genesis_debt: debt contracts between principals, written as an ordinary code artifact. It keeps each
// debt in a data artifact it owns and moves scrip only with what any agent has: payments attached to
// calls, its own account, and allowances debtors grant it.

const DAY_MS = 86400000;
export { obligations } from 'genesis_records';
import { addOpen, bump, keepFinished, makerOf, newRecordId, recordId, payOut, readOwn, refusePay, tally, writeOwn, retire } from 'genesis_records';

const mine = 'genesis_debt';
const DEBT_ID = /^genesis_debt\.debt_[0-9a-f]{16}$/;

function load(id) {
  if (typeof id !== 'string' || !DEBT_ID.test(id)) fail('INVALID_ARGS', `'${id}' is not a debt id (genesis_debt.debt_ followed by 16 hex digits).`);
  const r = readOwn(id);
  if (r.missing === 'none') fail('NOT_FOUND', `There is no debt '${id}'. List yours with genesis_debt.list.`);
  if (r.missing === 'deleted') fail('NOT_FOUND', `Debt ${id} is over and its record is gone (called off before it began, or an old repaid debt).`);
  if (r.missing === 'foreign') fail('NOT_FOUND', `'${id}' is not a debt kept by ${mine}.`);
  return r.found;
}

function save(d) {
  writeOwn(d.id, d, `debt ${d.id} debtor ${d.debtor} creditor ${d.creditor} status ${d.status}`);
}

/** A debt's id is its record's artifact id, so artifact_info and events_read find it as it is. */
const newId = () => recordId(newRecordId('debt_', 'debt'));

const MAX = 9007199254740991;
const owing = (d) => d.status === 'active' || d.status === 'defaulted';

/** What the debtor owes now: principal plus simple integer interest per whole day since acceptance, less payments. */
function owedAt(d, now) {
  if (!owing(d)) return 0;
  const days = Math.floor((now - d.accepted_at) / DAY_MS);
  // BigInt keeps the product exact however large the loan; the total is capped at the largest safe integer.
  const interest = (BigInt(d.principal) * BigInt(d.interest_bps_per_day) * BigInt(days)) / 10000n;
  const total = BigInt(d.principal) + interest - BigInt(d.repaid) - BigInt(d.collected);
  return Number(total < 0n ? 0n : total > BigInt(MAX) ? BigInt(MAX) : total);
}

function view(d, now) {
  return { ...d, owed: owedAt(d, now), as_of: now };
}

/** Offers one agent (with all its wallets) may have waiting at once: proposing costs nothing, so it is capped. */
const MAX_PENDING = 20;
/** Debts one agent may owe at once (pending, active or defaulted), and finished ones kept per agent: the service's disk is shared. */
const MAX_OPEN = 40;
const KEEP_FINISHED = 20;

/** How many debts an agent has waiting. */
const pending = (maker) => tally('debtq_', maker, 'pending', 'pending debts', `The pending-debt tally for ${maker} is unavailable; try again later.`);

function adjustPending(maker, delta) {
  const t = pending(maker);
  t.write(Math.max(0, t.read() + delta));
}

function requireCounterparty(id, role) {
  if (typeof id === 'string' && id.startsWith('genesis_')) fail('INVALID_ARGS', `The ${role} must be an agent, not one of the world's own accounts (${id}).`);
  invoke('genesis_ledger', 'balance', { principal: id });
}

export function issue({ creditor, principal, interest_bps_per_day, due_in_s }, ctx) {
  refusePay(ctx);
  if (creditor === ctx.caller) fail('INVALID_ARGS', 'You cannot owe yourself: name another principal as creditor.');
  requireCounterparty(creditor, 'creditor');
  // The debtor receives the loan, so it must hold an account; its maker is who the cap counts.
  const maker = makerOf(ctx.caller);
  const waiting = pending(maker).read();
  if (waiting >= MAX_PENDING) fail('QUOTA_EXCEEDED', `${maker} has ${waiting} debts waiting for a creditor; cancel some (genesis_debt.cancel) before proposing more.`);
  bump('debto_', maker, +1, MAX_OPEN, 'open debts');
  adjustPending(maker, +1);
  const d = {
    id: newId(),
    debtor: ctx.caller,
    debtor_maker: maker,
    creditor,
    principal,
    interest_bps_per_day,
    due_at: ctx.now + due_in_s * 1000,
    status: 'pending',
    created_at: ctx.now,
    accepted_at: null,
    repaid: 0,
    collected: 0,
  };
  save(d);
  addOpen(d.debtor, +1);
  return view(d, ctx.now);
}

/**
 * A debt holds its debtor (who agreed to it) until it is over (repaid, called off): a debtor cannot
 * escape by deleting itself. It never holds a creditor, whom anyone can be made by transfer_creditor; a
 * creditor that deletes itself forfeits its claim (the ledger refuses payments to a deleted account).
 */
function closeOut(d) {
  addOpen(d.debtor, -1);
  bump('debto_', d.debtor_maker, -1, MAX_OPEN, 'open debts');
}

/** A repaid debt is kept as history, up to KEEP_FINISHED per debtor's agent (older ones go). */
function finish(d) {
  closeOut(d);
  save(d);
  keepFinished('debtf_', d.debtor_maker, d.id, KEEP_FINISHED);
}

export function accept({ debt_id }, ctx) {
  const d = load(debt_id);
  if (d.status !== 'pending') fail('CONFLICT', `Debt ${d.id} is ${d.status}, not pending.`);
  if (ctx.caller !== d.creditor) fail('ACCESS_DENIED', `Only the creditor (${d.creditor}) can accept debt ${d.id}.`);
  if (ctx.paid !== d.principal) fail('INVALID_ARGS', `Accepting lends the principal: attach pay = ${d.principal} (you attached ${ctx.paid}).`);
  if (ctx.now >= d.due_at) fail('CONFLICT', `Debt ${d.id} was due before it was accepted; ask the debtor to issue a new one.`);
  // Collection later draws on the debtor's approval to this artifact, so it must be in place now.
  const granted = invoke('genesis_ledger', 'balance', { principal: d.debtor }).allowances.granted.find((a) => a.spender === mine);
  if (!granted || granted.amount < d.principal) {
    fail('CONFLICT', `The debtor must first approve ${mine} to draw at least ${d.principal} (ledger_approve {spender: "${mine}", amount: ...}) so the debt can be collected.`);
  }
  payOut(d.debtor, ctx.paid);
  adjustPending(d.debtor_maker, -1);
  d.status = 'active';
  d.accepted_at = ctx.now;
  save(d);
  return view(d, ctx.now);
}

export function cancel({ debt_id }, ctx) {
  refusePay(ctx);
  const d = load(debt_id);
  if (ctx.caller !== d.debtor && ctx.caller !== d.creditor) fail('ACCESS_DENIED', `Only the debtor or the creditor can cancel debt ${d.id}.`);
  if (d.status !== 'pending') fail('CONFLICT', `Debt ${d.id} is ${d.status}; only a pending debt can be cancelled.`);
  d.status = 'cancelled';
  d.cancelled_by = ctx.caller;
  adjustPending(d.debtor_maker, -1);
  closeOut(d);
  retire(d.id);
  return view(d, ctx.now);
}

export function repay({ debt_id }, ctx) {
  const d = load(debt_id);
  if (!owing(d)) fail('CONFLICT', `Debt ${d.id} is ${d.status}; only an active or defaulted debt can be repaid.`);
  if (ctx.caller !== d.debtor) fail('ACCESS_DENIED', `Only the debtor (${d.debtor}) repays debt ${d.id}.`);
  if (ctx.paid <= 0) fail('INVALID_ARGS', 'Attach the repayment as pay.');
  const owed = owedAt(d, ctx.now);
  const used = Math.min(ctx.paid, owed);
  payOut(d.creditor, used);
  payOut(d.debtor, ctx.paid - used);
  d.repaid += used;
  if (owedAt(d, ctx.now) === 0) {
    d.status = 'repaid';
    finish(d);
  } else save(d);
  return { ...view(d, ctx.now), paid: used, returned: ctx.paid - used };
}

export function collect({ debt_id }, ctx) {
  refusePay(ctx);
  const d = load(debt_id);
  if (!owing(d)) fail('CONFLICT', `Debt ${d.id} is ${d.status}; only an active or defaulted debt can be collected.`);
  if (ctx.caller !== d.creditor) fail('ACCESS_DENIED', `Only the creditor (${d.creditor}) collects debt ${d.id}.`);
  if (ctx.now < d.due_at) fail('CONFLICT', `Debt ${d.id} is not due until ${new Date(d.due_at).toISOString()}.`);
  const owed = owedAt(d, ctx.now);
  const debtor = invoke('genesis_ledger', 'balance', { principal: d.debtor });
  const allowance = debtor.allowances.granted.find((a) => a.spender === mine);
  const amount = Math.min(owed, debtor.balances.scrip, allowance ? allowance.amount : 0);
  if (amount > 0) invoke('genesis_ledger', 'transfer_from', { principal: d.debtor, to: d.creditor, amount });
  d.collected += amount;
  // Partial collection leaves the debt as it was; nothing collectable at all is a default.
  if (owedAt(d, ctx.now) === 0) {
    d.status = 'repaid';
    finish(d);
  } else {
    if (amount === 0) d.status = 'defaulted';
    save(d);
  }
  const outcome = d.status === 'repaid' ? 'settled' : amount === 0 ? 'defaulted' : 'partial';
  return { ...view(d, ctx.now), collected_now: amount, outcome };
}

export function transfer_creditor({ debt_id, to }, ctx) {
  refusePay(ctx);
  const d = load(debt_id);
  if (ctx.caller !== d.creditor) fail('ACCESS_DENIED', `Only the creditor (${d.creditor}) can sell debt ${d.id}.`);
  if (d.status !== 'active' && d.status !== 'defaulted') fail('CONFLICT', `Debt ${d.id} is ${d.status}; only active or defaulted debts change hands.`);
  if (to === d.creditor || to === d.debtor) fail('INVALID_ARGS', 'The new creditor must be someone other than the creditor and the debtor.');
  requireCounterparty(to, 'new creditor');
  d.creditor = to;
  save(d);
  return view(d, ctx.now);
}

export function check({ debt_id }, ctx) {
  refusePay(ctx);
  return view(load(debt_id), ctx.now);
}

/** Records read per call: each is a nested invoke, which counts against the caller's max_calls (default 64). */
const SCAN = 50;

export function list({ principal, status, cursor }, ctx) {
  refusePay(ctx);
  const who = principal || ctx.caller;
  // Debt records name both parties in their description, so a search narrows the scan to theirs.
  const found = invoke('genesis_store', 'search', { query: who, principal: mine, kind: 'data', sort: 'newest', limit: SCAN, cursor: cursor || 0 });
  const debts = [];
  for (const r of found.results) {
    const id = r.id;
    if (!DEBT_ID.test(id)) continue; // the service's other records (tallies)
    const d = load(id);
    if ((d.debtor === who || d.creditor === who) && (!status || d.status === status)) debts.push(view(d, ctx.now));
  }
  return { principal: who, debts, next_cursor: found.next_cursor, complete: !found.has_more };
}
