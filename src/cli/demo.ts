import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorld } from './world.ts';
import { withProgress } from './progress.ts';
import type { World } from '../world.ts';
import type { InvokeResult } from '../kernel/kernel.ts';

const ADDER = `export function add({ x, y }, ctx) {
  console.log('adding for', ctx.caller);
  return { sum: x + y };
}`;

/** Prints one step: its answer, or its refusal, labelled as expected when the step is meant to be refused. */
type Show = (label: string, r: InvokeResult, expectRefusal?: string) => InvokeResult;

const show: Show = (label, r, expectRefusal) => {
  if (expectRefusal !== undefined) {
    const outcome = r.ok ? `UNEXPECTEDLY ALLOWED: ${JSON.stringify(r.value)}` : r.error.code === expectRefusal ? `refused, as expected: ${r.error.code}: ${r.error.message}` : `refused with ${r.error.code} (expected ${expectRefusal}): ${r.error.message}`;
    process.stdout.write(`${label} [expected refusal]: ${outcome}\n`);
  } else {
    process.stdout.write(`${label}: ${r.ok ? JSON.stringify(r.value) : `${r.error.code} ${r.error.message}`}\n`);
  }
  return r;
};

/**
 * `ecology demo`: a short economy. Three principals; a transfer; a priced code artifact used by another;
 * a refused attempt to spend someone else's scrip; the tool sold through escrow; a mint bid; a loan made
 * and repaid; a bounty paid; then the invariant report. It runs in a throw-away world, so a user's own
 * world is never touched, unless `--db` names one (then it is safe to run repeatedly on the same file).
 */
export async function demoCommand(opts: { db?: string; config?: string }): Promise<number> {
  const scratch = opts.db === undefined ? mkdtempSync(join(tmpdir(), 'ecology-demo-')) : null;
  const db = opts.db ?? join(scratch!, 'world.db');
  try {
    const world = await withProgress(scratch ? 'Opening a throw-away world' : `Opening ${db}`, () => openWorld({ db, ...(opts.config === undefined ? {} : { config: opts.config }) }));
    process.stdout.write(scratch ? `A throw-away world (deleted at the end; pass --db to keep one).\n` : `The world in ${db}.\n`);
    try {
      return run(world);
    } finally {
      await world.close();
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function run(world: World): number {
  for (const id of ['alice', 'bob', 'carol']) {
    if (!world.kernel.services.artifacts.get(id)) show(`create ${id}`, world.createPrincipal(id));
  }
  show('alice pays bob 10', world.invoke('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 10, memo: 'demo' }));
  if (!world.kernel.services.artifacts.get('adder')) {
    show(
      'alice writes adder (price 3)',
      world.invoke('alice', 'genesis_store', 'write', {
        id: 'adder',
        description: 'Adds two numbers',
        can_execute: true,
        code: ADDER,
        interface: [{ name: 'add', description: 'x + y', inputSchema: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] }, price: 3 }],
      }),
    );
  }
  show('bob finds it', world.invoke('bob', 'genesis_store', 'search', { query: 'adds', can_execute: true }));
  show('bob invokes adder.add', world.invoke('bob', 'genesis_store', 'invoke', { id: 'adder', method: 'add', args: { x: 2, y: 40 } }));
  show("bob tries to pay himself from alice's account", world.invoke('bob', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'bob', amount: 1 }), 'ACCESS_DENIED');
  markets(world);
  for (const id of ['alice', 'bob', 'carol']) show(`${id}'s balances`, world.invoke(id, 'genesis_ledger', 'balance', {}));
  const report = world.check();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

/** The institutions, once each: whoever owns the adder sells it to the other, bids, lends and pays a bounty. */
function markets(world: World): void {
  const info = world.invoke('carol', 'genesis_store', 'info', { id: 'adder' });
  const seller = info.ok ? (info.value as { owner: string }).owner : 'alice';
  const buyer = seller === 'alice' ? 'bob' : 'alice';
  const value = <T>(r: InvokeResult): T | undefined => (r.ok ? (r.value as T) : undefined);
  const listing = value<{ listing_id: string }>(show(`${seller} lists adder in escrow at 20`, world.invoke(seller, 'genesis_escrow', 'list', { artifact_id: 'adder', price: 20 })));
  if (listing) show(`${buyer} buys it`, world.invoke(buyer, 'genesis_escrow', 'purchase', { listing_id: listing.listing_id, max_price: 25 }));
  show(`${buyer} bids 5 in the mint for adder`, world.invoke(buyer, 'genesis_mint', 'bid', { artifact_id: 'adder', amount: 5 }));
  show('the mint', world.invoke(buyer, 'genesis_mint', 'status', {}));

  const use = (who: string, id: string, method: string, args: object, pay = 0) => world.invoke(who, 'genesis_store', 'invoke', { id, method, args, ...(pay > 0 ? { pay } : {}) });
  show('carol approves genesis_debt to collect', world.invoke('carol', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 30 }));
  const debt = value<{ id: string }>(show('carol asks alice for 25 at 1%/day', use('carol', 'genesis_debt', 'issue', { creditor: 'alice', principal: 25, interest_bps_per_day: 100, due_in_s: 86_400 })));
  if (debt) {
    show('alice lends it', use('alice', 'genesis_debt', 'accept', { debt_id: debt.id }, 25));
    show('carol repays', use('carol', 'genesis_debt', 'repay', { debt_id: debt.id }, 25));
  }
  const task = value<{ id: string }>(show('bob posts a task with a bounty of 8', use('bob', 'genesis_taskboard', 'post', { title: 'Document the adder', expires_in_s: 3_600 }, 8)));
  if (task) {
    show('carol claims it', use('carol', 'genesis_taskboard', 'claim', { task_id: task.id }));
    show('carol submits', use('carol', 'genesis_taskboard', 'submit', { task_id: task.id, result: 'adder: returns x + y' }));
    show('bob accepts and pays', use('bob', 'genesis_taskboard', 'accept', { task_id: task.id }));
  }
}
