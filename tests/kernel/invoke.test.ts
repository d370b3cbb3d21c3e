import { describe, expect, it } from 'vitest';
import { codeArtifact, numberSchema, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';

const scrip = (t: TestWorld, p: string): number => t.ok('alice', 'genesis_ledger', 'balance', { principal: p }).balances.scrip;
const cpuUsed = (t: TestWorld, p: string): number => t.ok('alice', 'genesis_rights', 'quotas', { principal: p }).rates.cpu_ms.used;

describe('invoke: the one door', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'] });

  it('refuses arguments nested past limits.max_args_depth, even thousands deep, and changes nothing', () => {
    const nest = (depth: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 1; i < depth; i++) v = { v };
      return v;
    };
    const before = stateOf(w().world);
    for (const depth of [66, 20_000]) {
      const e = w().fail('alice', 'genesis_store', 'write', { id: 'deep', content: 'x', nested: nest(depth) }, 'INVALID_ARGS');
      expect(e.message).toMatch(/max_args_depth/);
    }
    expect(stateOf(w().world)).toBe(before);
    // The limit itself is fine: 64 levels (the arguments object is level 1) reach the method's own checks.
    expect(w().fail('alice', 'genesis_store', 'write', { id: 'deep', content: 'x', nested: nest(63) }, 'INVALID_ARGS').message).not.toMatch(/max_args_depth/);
  });

  it('runs a code artifact with the caller bound, and pays the price to the owner on success', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('adder', 'export function add(a, ctx){ return { sum: a.x + a.y, caller: ctx.caller, self: ctx.self, g: [caller, self] } }', [{ name: 'add', price: 5, inputSchema: numberSchema(['x', 'y']) }]));
    const r = t.call('bob', 'genesis_store', 'invoke', { id: 'adder', method: 'add', args: { x: 2, y: 3 } });
    expect(r).toMatchObject({ ok: true, value: { sum: 5, caller: 'bob', self: 'adder', g: ['bob', 'adder'] } });
    expect(scrip(t, 'bob')).toBe(95);
    expect(scrip(t, 'alice')).toBe(105);
    const info = t.ok('carol', 'genesis_store', 'info', { id: 'adder' });
    expect(info.stats).toMatchObject({ invocations: 1, successes: 1, distinct_invokers: 1, distinct_paying_invokers: 1, success_rate: 1, last_invoked_at: t.clock.now() });
    const ev = t.ok('carol', 'genesis_event_log', 'read', { types: ['invoke_success'], artifact_id: 'adder' }).events;
    expect(ev[0].payload).toMatchObject({ method: 'add', caller: 'bob', depth: 0, price_paid: 5 });
    expect(typeof ev[0].payload.duration_ms).toBe('number');
  });

  it('the owner invoking their own priced artifact pays nobody', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('adder', 'export function add(a){ return 1 }', [{ name: 'add', price: 5 }]));
    t.ok('alice', 'adder', 'add', {});
    expect(scrip(t, 'alice')).toBe(100);
  });

  it('validates arguments first: bad args get INVALID_ARGS, change nothing and pay nothing', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('adder', 'export function add(a){ return a.x + a.y }', [{ name: 'add', price: 5, inputSchema: numberSchema(['x', 'y']) }]));
    const before = stateOf(t.world);
    t.fail('bob', 'adder', 'add', { x: 'two', y: 3 }, 'INVALID_ARGS');
    t.fail('bob', 'adder', 'add', { x: 1 }, 'INVALID_ARGS');
    t.fail('bob', 'adder', 'add', [1, 2], 'INVALID_ARGS');
    t.fail('bob', 'adder', 'subtract', {}, 'NOT_FOUND');
    t.fail('bob', 'nothing_here', 'add', {}, 'NOT_FOUND');
    t.fail('bob', 'genesis_store', 'invoke', { id: 'adder' }, 'INVALID_ARGS');
    const big = t.fail('bob', 'adder', 'add', { x: 1, y: 2, pad: 'x'.repeat(600 * 1024) }, 'INVALID_ARGS');
    // Arguments to agent code are capped lower than genesis calls' (limits.max_invoke_args_bytes).
    expect(big.details).toMatchObject({ limit: 64 * 1024 });
    expect(stateOf(t.world)).toBe(before);
  });

  it('a data artifact cannot be invoked', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'plain', content: 'x' });
    expect(t.fail('bob', 'plain', 'run', {}, 'INVALID_ARGS').message).toMatch(/cannot be invoked/);
  });

  it('no payment on failure: an exception propagates as EXECUTION_ERROR and the price stays with the caller', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('broken', 'export function f(){ throw new TypeError("nope") }', [{ name: 'f', price: 5 }]));
    const before = stateOf(t.world);
    const e = t.fail('bob', 'broken', 'f', {}, 'EXECUTION_ERROR');
    expect(e.message).toContain('TypeError: nope');
    expect(stateOf(t.world)).toBe(before);
    expect(t.ok('carol', 'genesis_store', 'info', { id: 'broken' }).stats).toMatchObject({ invocations: 1, failures: 1, success_rate: 0 });
  });

  it('an unaffordable price is refused before the code runs', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('pricey', 'export function f(){ return 1 }', [{ name: 'f', price: 1000 }]));
    const e = t.fail('bob', 'pricey', 'f', {}, 'INSUFFICIENT_FUNDS');
    expect(e.details).toMatchObject({ need: 1000, have: 100 });
  });

  it('checks the result against an outputSchema', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('liar', 'export function f(){ return { n: "not a number" } }', [{ name: 'f', price: 1, outputSchema: { type: 'object', properties: { n: { type: 'number' } } } }]));
    t.fail('bob', 'liar', 'f', {}, 'EXECUTION_ERROR');
    expect(scrip(t, 'bob')).toBe(100);
  });

  it('nested A → B → C: each sees its immediate caller; genesis services are reachable from code', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('c', 'export function who(a, ctx){ return { c_caller: ctx.caller, bal: invoke("genesis_ledger", "balance", { principal: "alice" }).balances.scrip } }', [{ name: 'who' }]));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('b', 'export function who(a, ctx){ return { b_caller: ctx.caller, inner: invoke("c", "who", {}) } }', [{ name: 'who' }]));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('a', 'export function who(a, ctx){ return { a_caller: ctx.caller, inner: invoke("genesis_store", "invoke", { id: "b", method: "who" }) } }', [{ name: 'who' }]));
    expect(t.ok('bob', 'a', 'who', {})).toEqual({ a_caller: 'bob', inner: { b_caller: 'a', inner: { c_caller: 'b', bal: 100 } } });
  });

  it('the depth limit stops runaway recursion with LIMIT_EXCEEDED', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('rec', 'export function go(a){ return 1 + invoke("rec", "go", {}) }', [{ name: 'go' }]));
    const e = t.fail('bob', 'rec', 'go', {}, 'LIMIT_EXCEEDED');
    expect(e.message).toMatch(/depth/);
  });

  it('a nested call that fails is undone alone; the caller may catch it and carry on', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'wallet', has_standing: true });
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'wallet', amount: 20 });
    // wallet pays carol 5, then tries to pay 1000 (fails), catches, and reports.
    t.ok(
      'alice',
      'genesis_store',
      'write',
      codeArtifact(
        'payer',
        `export function run() {
          invoke('genesis_ledger', 'transfer', { to: 'carol', amount: 5 });
          try { invoke('genesis_ledger', 'transfer', { to: 'carol', amount: 1000 }); }
          catch (e) { return { caught: e.code, retriable: e.retriable, name: e.name }; }
          return 'not reached';
        }`,
        [{ name: 'run' }],
        { has_standing: true },
      ),
    );
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'payer', amount: 10 });
    expect(t.ok('bob', 'payer', 'run', {})).toEqual({ caught: 'INSUFFICIENT_FUNDS', retriable: true, name: 'InvokeError' });
    expect(scrip(t, 'payer')).toBe(5);
    expect(scrip(t, 'carol')).toBe(105);
  });

  it('if the top-level call fails, everything it did rolls back, nested effects included', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('payer', 'export function run(){ invoke("genesis_ledger", "transfer", { to: "carol", amount: 5 }); invoke("genesis_store", "write", { id: "trace", content: "x" }); throw new Error("after effects") }', [{ name: 'run' }], { has_standing: true }));
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'payer', amount: 10 });
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'payer', resource: 'disk_bytes', amount: 1000 });
    const before = stateOf(t.world);
    t.fail('bob', 'payer', 'run', {}, 'EXECUTION_ERROR');
    expect(stateOf(t.world)).toBe(before);
    t.fail('bob', 'genesis_store', 'read', { id: 'trace' }, 'NOT_FOUND');
  });

  it('code acts only as itself: it cannot spend its caller\'s scrip', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('thief', 'export function steal(a, ctx){ return invoke("genesis_ledger", "transfer", { to: "alice", amount: 50 }) }', [{ name: 'steal' }]));
    const before = scrip(t, 'bob');
    // thief has no standing, so it has nothing to send; bob's account is untouched.
    const e = t.fail('bob', 'thief', 'steal', {}, 'INSUFFICIENT_FUNDS');
    expect(e.message).toMatch(/thief/);
    expect(scrip(t, 'bob')).toBe(before);
  });

  it('a price in nested code is paid by the calling artifact, not by the top-level caller', () => {
    const t = w();
    t.ok('carol', 'genesis_store', 'write', codeArtifact('service', 'export function f(){ return "served" }', [{ name: 'f', price: 3 }]));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('broker', 'export function f(){ return invoke("service", "f", {}) }', [{ name: 'f', price: 1 }], { has_standing: true }));
    t.fail('bob', 'broker', 'f', {}, 'INSUFFICIENT_FUNDS');
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'broker', amount: 10 });
    expect(t.ok('bob', 'broker', 'f', {})).toBe('served');
    expect(scrip(t, 'broker')).toBe(7);
    expect(scrip(t, 'bob')).toBe(99);
    expect(scrip(t, 'carol')).toBe(103);
  });

  it('CPU burned is charged to the top-level principal even when the command fails', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('spin', 'export function f(){ for(;;){} }', [{ name: 'f' }]));
    const before = cpuUsed(t, 'bob');
    const e = t.fail('bob', 'spin', 'f', {}, 'TIMEOUT');
    expect(e.message).toMatch(/CPU budget/);
    const after = cpuUsed(t, 'bob');
    expect(after - before).toBeGreaterThanOrEqual(100);
    expect(t.ok('bob', 'genesis_rights', 'quotas', {}).rates.calls.used).toBeGreaterThanOrEqual(2);
    const failures = t.ok('carol', 'genesis_event_log', 'read', { types: ['invoke_failure'], principal: 'bob' }).events;
    expect(failures.at(-1).payload).toMatchObject({ code: 'TIMEOUT', method: 'f' });
  });

  it('caps the CPU budget at what remains in the caller\'s cpu_ms window, less the kill grace: no debt', () => {
    const t = w();
    const grace = t.world.config.sandbox.kill_grace_ms;
    t.ok('alice', 'genesis_store', 'write', codeArtifact('spin', 'export function f(){ for(;;){} }', [{ name: 'f' }]));
    t.ok('bob', 'genesis_rights', 'transfer', { to: 'carol', resource: 'cpu_ms', amount: 20_000 - 200 });
    t.fail('bob', 'spin', 'f', {}, 'TIMEOUT');
    expect(cpuUsed(t, 'bob')).toBeLessThanOrEqual(200 - grace);
    // The second session gets what is left less the grace, so even a kill would be charged in full.
    t.fail('bob', 'spin', 'f', {}, 'TIMEOUT');
    expect(cpuUsed(t, 'bob')).toBeLessThanOrEqual(200);
    const e = t.fail('bob', 'spin', 'f', {}, 'RATE_LIMITED');
    expect(e.details).toMatchObject({ resource: 'cpu_ms' });
    expect(e.retry_after_ms).toBeGreaterThan(0);
  });

  it('limits nested invokes per command', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('chatty', 'export function f(){ let n = 0; for (let i = 0; i < 1000; i++) { invoke("genesis_ledger", "balance", { principal: "alice" }); n++; } return n }', [{ name: 'f' }]));
    // By default a call may draw 64 calls from its caller's window; asked for more, the per-command limit still holds.
    expect(t.fail('bob', 'chatty', 'f', {}, 'LIMIT_EXCEEDED').message).toMatch(/max_calls/);
    const r = t.call('bob', 'chatty', 'f', {}, { maxCalls: 100_001 });
    expect(!r.ok && r.error.code).toBe('LIMIT_EXCEEDED');
    expect(!r.ok && r.error.message).toMatch(/nested invokes/);
  });

  describe('idempotency keys', () => {
    it('the same key and args replay the first result with no second effect', () => {
      const t = w();
      const a = t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 7 }, { idempotencyKey: 'pay-1' });
      const b = t.call('alice', 'genesis_ledger', 'transfer', { amount: 7, to: 'bob' }, { idempotencyKey: 'pay-1' });
      expect(a.ok && b.ok).toBe(true);
      if (!a.ok || !b.ok) return;
      expect(b.value).toEqual(a.value);
      expect(b.replayed).toBe(true);
      expect(b.command_id).toBe(a.command_id);
      expect(scrip(t, 'bob')).toBe(107);
    });

    it('the same key with different args is IDEMPOTENCY_CONFLICT and changes nothing', () => {
      const t = w();
      t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 7 }, { idempotencyKey: 'pay-1' });
      const before = stateOf(t.world);
      const r = t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 8 }, { idempotencyKey: 'pay-1' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('IDEMPOTENCY_CONFLICT');
      expect(stateOf(t.world)).toBe(before);
    });

    it('keys are per principal, and a failed first attempt can be retried', () => {
      const t = w();
      expect(t.call('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 7 }, { idempotencyKey: 'k' }).ok).toBe(true);
      expect(t.call('carol', 'genesis_ledger', 'transfer', { to: 'alice', amount: 7 }, { idempotencyKey: 'k' }).ok).toBe(true);
      expect(scrip(t, 'alice')).toBe(114);
      expect(t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 500 }, { idempotencyKey: 'big' }).ok).toBe(false);
      t.ok('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 93 });
      const retry = t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 200 }, { idempotencyKey: 'big' });
      expect(retry.ok).toBe(true);
    });

    it('refuses a malformed key', () => {
      const t = w();
      const r = t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1 }, { idempotencyKey: 'x'.repeat(200) });
      expect(!r.ok && r.error.code).toBe('INVALID_ARGS');
    });

    it('fuzz finding: a BigInt under an own __proto__ key is INVALID_ARGS and changes nothing (it was INTERNAL: the request text dropped the key)', () => {
      const t = w();
      const args = { to: 'bob', amount: 1 };
      Object.defineProperty(args, '__proto__', { value: 10n, enumerable: true });
      const before = stateOf(t.world);
      expect(t.fail('alice', 'genesis_ledger', 'transfer', args, 'INVALID_ARGS').message).toMatch(/must be JSON/);
      expect(stateOf(t.world)).toBe(before);
    });

    it('fuzz finding: an own __proto__ key is part of the request, so reusing a key with another __proto__ value is IDEMPOTENCY_CONFLICT, not a replay', () => {
      const t = w();
      t.ok('alice', 'genesis_store', 'write', codeArtifact('echo', 'export function echo(a) { return a }', [{ name: 'echo' }]));
      const call = (v: number) => t.call('bob', 'genesis_store', 'invoke', JSON.parse(`{"id":"echo","method":"echo","args":{"__proto__":{"v":${v}}}}`), { idempotencyKey: 'same' });
      expect(call(1).ok).toBe(true);
      const second = call(2);
      expect(!second.ok && second.error.code).toBe('IDEMPOTENCY_CONFLICT');
    });

    it('attack 12: a key that is not a string (number, object, null, empty, too long) is INVALID_ARGS every time and moves nothing', () => {
      const t = w();
      const before = stateOf(t.world);
      for (const key of [42, 0, { k: 1 }, ['a'], null, true, '', 'x'.repeat(129)]) {
        for (let i = 0; i < 2; i++) {
          const r = t.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 5 }, { idempotencyKey: key as never });
          expect(r.ok, JSON.stringify(key)).toBe(false);
          if (!r.ok) {
            expect(r.error.code).toBe('INVALID_ARGS');
            expect(r.error.message).toMatch(/idempotency_key must be a string/);
          }
        }
      }
      expect(stateOf(t.world)).toBe(before);
      expect(scrip(t, 'bob')).toBe(100);
      // The failures are on record, without the malformed key.
      const keys = t.world.store.all<{ k: string | null }>("SELECT idempotency_key AS k FROM commands WHERE principal = 'alice' AND ok = 0");
      expect(keys.length).toBe(16);
      expect(keys.every((r) => r.k === null)).toBe(true);
    });
  });

  it('refuses callers that are not live principals', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'plain', content: 'x' });
    expect(t.fail('ghost', 'genesis_ledger', 'balance', {}, 'NOT_FOUND').message).toMatch(/ghost/);
    t.fail('plain', 'genesis_ledger', 'balance', {}, 'ACCESS_DENIED');
  });

  it('operator-only methods are refused to agents', () => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_world', 'grant', { to: 'alice', asset: 'scrip', amount: 1000 }, 'ACCESS_DENIED');
    t.fail('alice', 'genesis_world', 'create_principal', { id: 'mallory' }, 'ACCESS_DENIED');
    expect(stateOf(t.world)).toBe(before);
  });

  it('returns captured console output, size-capped', () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('talker', 'export function f(){ console.log("hello", { a: 1 }); console.warn("careful"); for (let i = 0; i < 800; i++) console.log("spam " + i + ".".repeat(40)); return 1 }', [{ name: 'f' }]));
    const r = t.call('bob', 'talker', 'f', {});
    // 800 lines (~37 KiB) overrun the cap with few calls, so a loaded machine cannot turn this into a TIMEOUT.
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    expect(r.logs[0]).toBe('hello {"a":1}');
    expect(r.logs[1]).toBe('careful');
    expect(r.logs.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(16 * 1024 + 100);
    expect(r.logs.at(-1)).toMatch(/truncated/);
  });
});
