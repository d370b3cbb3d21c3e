import { World } from '../world.ts';
import type { InvokeResult } from '../kernel/kernel.ts';

const ADDER = `export function add({ x, y }, ctx) {
  console.log('adding for', ctx.caller);
  return { sum: x + y };
}`;

/**
 * `ecology demo`: a short economy on the embedded database. Two principals, a transfer, a priced code
 * artifact bought by the other, then the invariant report. Safe to run repeatedly on the same file.
 */
export async function demoCommand(opts: { db: string; config?: string }): Promise<number> {
  const world = await World.open({ path: opts.db, ...(opts.config === undefined ? {} : { configFile: opts.config }) });
  try {
    const show = (label: string, r: InvokeResult) => {
      process.stdout.write(`${label}: ${r.ok ? JSON.stringify(r.value) : `${r.error.code} ${r.error.message}`}\n`);
      return r;
    };
    for (const id of ['alice', 'bob']) {
      if (!world.kernel.services.artifacts.get(id)) show(`create ${id}`, world.createPrincipal(id));
    }
    show('alice pays bob 10', world.invoke('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 10, memo: 'demo' }));
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
    show('bob finds it', world.invoke('bob', 'genesis_store', 'search', { query: 'adds', can_execute: true }));
    show('bob invokes adder.add', world.invoke('bob', 'genesis_store', 'invoke', { id: 'adder', method: 'add', args: { x: 2, y: 40 } }));
    show('bob tries to pay from alice\'s account', world.invoke('bob', 'genesis_ledger', 'transfer', { from: 'alice', to: 'bob', amount: 1 }));
    show('balances', world.invoke('bob', 'genesis_ledger', 'balance', { principal: 'alice' }));
    const report = world.check();
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await world.close();
  }
}
