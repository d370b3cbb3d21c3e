import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeArtifact, openTestWorld, type TestWorld } from '../helpers/world.ts';

const PRINCIPALS = ['p0', 'p1', 'p2', 'p3'] as const;
const ARTIFACTS = ['a0', 'a1', 'a2'] as const;

type Op =
  | { op: 'transfer'; from: number; to: number; amount: number }
  | { op: 'badTransfer'; from: number; amount: number }
  | { op: 'write'; who: number; id: number; size: number; priced: boolean }
  | { op: 'delete'; who: number; id: number }
  | { op: 'give'; who: number; id: number; to: number }
  | { op: 'invoke'; who: number; id: number; fail: boolean }
  | { op: 'rights'; from: number; to: number; resource: 'calls' | 'cpu_ms' | 'disk_bytes'; amount: number }
  | { op: 'tick'; ms: number };

const who = fc.integer({ min: 0, max: PRINCIPALS.length - 1 });
const art = fc.integer({ min: 0, max: ARTIFACTS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('transfer' as const), from: who, to: who, amount: fc.integer({ min: 1, max: 80 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('badTransfer' as const), from: who, amount: fc.oneof(fc.constant(0), fc.constant(-3), fc.constant(2.5), fc.constant(2 ** 60)) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('write' as const), who, id: art, size: fc.integer({ min: 0, max: 3000 }), priced: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), who, id: art }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('give' as const), who, id: art, to: who }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('invoke' as const), who, id: art, fail: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rights' as const), from: who, to: who, resource: fc.constantFrom('calls' as const, 'cpu_ms' as const, 'disk_bytes' as const), amount: fc.integer({ min: 1, max: 4000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 30_000 }) }) },
);

const CODE = 'export function run(a){ if (a.fail) throw new Error("asked to fail"); invoke("genesis_ledger", "balance", {}); return { ok: true } }';

function apply(t: TestWorld, o: Op) {
  const p = (i: number) => PRINCIPALS[i]!;
  const a = (i: number) => ARTIFACTS[i]!;
  switch (o.op) {
    case 'transfer':
      return t.call(p(o.from), 'genesis_ledger', 'transfer', { to: p(o.to), amount: o.amount });
    case 'badTransfer':
      return t.call(p(o.from), 'genesis_ledger', 'transfer', { to: p((o.from + 1) % PRINCIPALS.length), amount: o.amount });
    case 'write':
      return t.call(p(o.who), 'genesis_store', 'write', codeArtifact(a(o.id), CODE, [{ name: 'run', price: o.priced ? 3 : 0, inputSchema: { type: 'object', properties: { fail: { type: 'boolean' } } } }], { content: 'x'.repeat(o.size) }));
    case 'delete':
      return t.call(p(o.who), 'genesis_store', 'delete', { id: a(o.id) });
    case 'give':
      return t.call(p(o.who), 'genesis_store', 'transfer', { id: a(o.id), to: p(o.to) });
    case 'invoke':
      return t.call(p(o.who), a(o.id), 'run', { fail: o.fail });
    case 'rights':
      return t.call(p(o.from), 'genesis_rights', 'transfer', { to: p(o.to), resource: o.resource, amount: o.amount });
    case 'tick':
      t.clock.advance(o.ms);
      return undefined;
  }
}

const ALLOWED_FAILURES = new Set(['INSUFFICIENT_FUNDS', 'INVALID_ARGS', 'NOT_FOUND', 'DELETED', 'ACCESS_DENIED', 'QUOTA_EXCEEDED', 'RATE_LIMITED', 'EXECUTION_ERROR']);

describe('properties: random command sequences against the real kernel', () => {
  it('every step keeps every invariant; scrip is conserved; failures change no balances', async () => {
    const total = PRINCIPALS.length * 100;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 60 }), async (ops) => {
        const t = await openTestWorld({ config: { principal_defaults: { calls: 40, disk_bytes: 8_000, cpu_ms: 2_000 }, rates: { window_ms: 20_000 } } });
        try {
          for (const p of PRINCIPALS) expect(t.world.createPrincipal(p).ok).toBe(true);
          for (const o of ops) {
            const scripBefore = t.world.store.all('SELECT principal, balance FROM accounts WHERE asset = ? ORDER BY principal', 'scrip');
            const r = apply(t, o);
            if (r && !r.ok) {
              expect(ALLOWED_FAILURES.has(r.error.code), `${o.op}: ${r.error.code} ${r.error.message}`).toBe(true);
              expect(t.world.store.all('SELECT principal, balance FROM accounts WHERE asset = ? ORDER BY principal', 'scrip')).toEqual(scripBefore);
            }
            if (o.op === 'badTransfer') expect(r?.ok).toBe(false);
            const report = t.world.check();
            expect(report.violations, `after ${JSON.stringify(o)}`).toEqual([]);
            expect(report.summary.supply.scrip!.held).toBe(total);
          }
        } finally {
          await t.world.close();
        }
      }),
      // The seed is printed by fast-check on failure; FC_SEED=<seed> reproduces a run.
      { numRuns: 30, seed: Number(process.env.FC_SEED ?? 20261123) },
    );
  });

  it('rate windows never allow more than the allocation in any window', async () => {
    const WINDOW = 10_000;
    const ALLOC = 7;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4_000 }), { minLength: 10, maxLength: 60 }), async (gaps) => {
        const t = await openTestWorld({ config: { principal_defaults: { calls: ALLOC }, rates: { window_ms: WINDOW } } });
        try {
          expect(t.world.createPrincipal('p').ok).toBe(true);
          const accepted: number[] = [];
          for (const gap of gaps) {
            t.clock.advance(gap);
            const r = t.call('p', 'genesis_ledger', 'balance', {});
            if (r.ok) accepted.push(t.clock.now());
            else {
              expect(r.error.code).toBe('RATE_LIMITED');
              // It was refused only because the window really was full.
              expect(accepted.filter((at) => at > t.clock.now() - WINDOW).length).toBe(ALLOC);
              expect(r.error.retry_after_ms).toBeGreaterThan(0);
            }
          }
          for (const at of accepted) expect(accepted.filter((x) => x > at - WINDOW && x <= at).length).toBeLessThanOrEqual(ALLOC);
          expect(t.world.check().violations).toEqual([]);
        } finally {
          await t.world.close();
        }
      }),
      { numRuns: 15, seed: Number(process.env.FC_SEED ?? 20261123) },
    );
  });
});
