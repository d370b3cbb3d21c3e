import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';

/**
 * Each attack must be contained: a clear error, nothing changed, and the host healthy afterwards
 * (proved by a normal invoke succeeding right after).
 */
function healthy(t: TestWorld): void {
  expect(t.ok('bob', 'probe', 'ping', {})).toBe('pong');
}

function attack(t: TestWorld, code: string, entry = 'f') {
  t.ok('alice', 'genesis_store', 'write', codeArtifact('attack', code, [{ name: entry }], { has_standing: true }));
  const before = stateOf(t.world);
  const r = t.call('bob', 'attack', entry, {});
  return { r, unchanged: () => expect(stateOf(t.world)).toBe(before) };
}

describe('sandbox containment', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { sandbox: { hard_kill_ms: 1_000, spin_us: 200 } } });
  const setup = () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('probe', 'export function ping(){ return "pong" }', [{ name: 'ping' }]));
    return t;
  };

  it.each([
    ['an infinite loop', 'export function f(){ for(;;){} }', 'TIMEOUT'],
    ['a promise that never settles', 'export async function f(){ await new Promise(()=>{}); }', 'EXECUTION_ERROR'],
    ['a memory bomb', 'export function f(){ const a = []; for(;;) a.push({ x: new Array(1000).fill("y") }); }', null],
    ['an array growth bomb', 'export function f(){ const a = []; for (let i = 0; ; i++) a[i] = i; }', null],
    ['a string growth bomb', 'export function f(){ let s = "x"; for(;;) s += s; }', null],
    ['deep recursion', 'export function f(){ function r(n){ return r(n + 1) + 1 } return r(0) }', 'EXECUTION_ERROR'],
    // Twice the 256 KiB output limit, and quick to build: a 10 MiB repeat is itself a native overrun (attack 6).
    ['a huge return value', 'export function f(){ return "x".repeat(512 * 1024) }', 'LIMIT_EXCEEDED'],
    ['a cyclic return value', 'export function f(){ const o = {}; o.self = o; return o }', 'EXECUTION_ERROR'],
    ['a BigInt return value', 'export function f(){ return 10n }', 'EXECUTION_ERROR'],
    ['a throwing getter on the thrown value', 'export function f(){ throw { get message(){ throw new Error("nested") } } }', 'EXECUTION_ERROR'],
  ])('contains %s', (_l, code, expected) => {
    const t = setup();
    const { r, unchanged } = attack(t, code);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      if (expected) expect(r.error.code).toBe(expected);
      else expect(['TIMEOUT', 'LIMIT_EXCEEDED', 'EXECUTION_ERROR']).toContain(r.error.code);
      expect(r.error.message.length).toBeGreaterThan(20);
    }
    unchanged();
    healthy(t);
  });

  it('attack 6: one guest stalls the world — a native overrun is killed soon after its CPU budget, reported TIMEOUT, charged in full, and the next command finds a ready worker', () => {
    const t = setup();
    const { cpu_ms, kill_grace_ms } = t.world.config.sandbox;
    const used = (): number => t.peek('genesis_rights', 'quotas', { principal: 'bob' }).rates.cpu_ms.used;
    const before = used();
    // Left alone, this join runs for about 0.6 s here before QuickJS runs out of memory; the interrupt handler never gets a say.
    const { r, unchanged } = attack(t, "export function f(){ return new Array(3e7).join('x').length }");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('TIMEOUT');
    expect(r.error.message).toMatch(/native operation/);
    // Killed once its budget and the grace were used up, and all of that is charged to bob's window.
    expect(used() - before).toBe(cpu_ms + kill_grace_ms);
    expect(r.error.details).toMatchObject({ cpu_ms, charged_cpu_ms: cpu_ms + kill_grace_ms });
    unchanged();
    // The spare worker takes the next command at once: it does not wait for the killed one's successor to boot.
    const next = t.world.kernel.invoke('bob', 'probe', 'ping', {}, { waitForWorker: false });
    expect(next.ok && next.value).toBe('pong');
  });

  it('attack 6 near the end of a cpu_ms window: the budget shrinks to leave room for the grace, so the kill is still charged in full', () => {
    const t = setup();
    const { kill_grace_ms } = t.world.config.sandbox;
    const hog = "export function f(){ return new Array(3e7).join('x').length }";
    const quotas = (): { used: number; allocation: number } => t.peek('genesis_rights', 'quotas', { principal: 'bob' }).rates.cpu_ms;
    t.ok('bob', 'genesis_rights', 'transfer', { to: 'alice', resource: 'cpu_ms', amount: quotas().allocation - 120 });
    const { r } = attack(t, hog);
    expect(!r.ok && r.error.code).toBe('TIMEOUT');
    if (r.ok) return;
    // 120 ms were left: a 70 ms budget plus the grace, every millisecond of it charged, none cut off.
    expect(r.error.details).toMatchObject({ cpu_ms: 120 - kill_grace_ms, charged_cpu_ms: 120 });
    expect(quotas()).toMatchObject({ used: 120, allocation: 120 });
    expect(t.call('bob', 'attack', 'f', {})).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });

  it('a native operation that overruns the CPU deadline is killed and the worker replaced', () => {
    const t = setup();
    // Native split/join of a 2 MB string: QuickJS checks for interrupts only between them (measured ~18 s for 50).
    const { r, unchanged } = attack(t, 'export function f(){ const s = "ab".repeat(1e6); for (let i = 0; i < 50; i++) s.split("").join(""); return 1 }');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('TIMEOUT');
    unchanged();
    healthy(t);
  });

  it.each([
    ['this.constructor.constructor', 'export function f(){ return (function(){ return this })() === undefined ? "strict" : typeof this.constructor.constructor("return process")() }'],
    ['Function via an object', 'export function f(){ return typeof ({}).constructor.constructor("return typeof process")() }'],
    ['Function via an error', 'export function f(){ try { null.x } catch (e) { return e.constructor.constructor("return typeof process + typeof require + typeof globalThis.process")() } }'],
    ['__proto__ walk', 'export function f(){ return typeof ({}).__proto__.constructor.constructor("return this")().process }'],
    ['host function constructor', 'export function f(){ return invoke.constructor("return typeof process")() }'],
  ])('escapes via %s find only the guest\'s own world', (_l, code) => {
    const t = setup();
    const { r } = attack(t, code);
    if (r.ok) expect(String(r.value)).not.toMatch(/object|function/);
    healthy(t);
  });

  it('offers no require, process, fetch, timers, WebAssembly or import of non-libraries', () => {
    const t = setup();
    const { r } = attack(
      t,
      `export function f(){ return [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof setInterval, typeof queueMicrotask === 'function' ? 'qm' : 'none', typeof WebAssembly, typeof XMLHttpRequest, typeof Deno, typeof Bun] }`,
    );
    expect(r.ok && r.value).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'none', 'undefined', 'undefined', 'undefined', 'undefined']);
    for (const code of ['import fs from "fs"; export function f(){}', 'import * as x from "node:child_process"; export function f(){}']) {
      const e = t.fail('alice', 'genesis_store', 'write', codeArtifact('imp', code, [{ name: 'f' }]), 'INVALID_ARGS');
      expect(e.message).toMatch(/library artifact/);
    }
    const dyn = attack(t, 'export async function f(){ try { await import("fs"); return "loaded" } catch (e) { return "refused: " + e.message } }');
    expect(dyn.r.ok && dyn.r.value).toMatch(/refused/);
    healthy(t);
  });

  it('offers no shared memory or Atomics (no typed arrays at all), so nothing can block past the interrupt handler', () => {
    const t = setup();
    const { r } = attack(t, 'export function f(){ return [typeof SharedArrayBuffer, typeof Atomics, typeof ArrayBuffer, typeof Uint8Array, typeof DataView] }');
    expect(r.ok && r.value).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
    healthy(t);
  });

  it('a throwing host call is an exception the guest can catch', () => {
    const t = setup();
    const { r } = attack(t, `export function f(){ try { invoke("nowhere", "x", {}) } catch (e) { return [e.name, e.code, e.message.length > 10] } }`);
    expect(r.ok && r.value).toEqual(['InvokeError', 'NOT_FOUND', true]);
    const bad = attack(t, `export function f(){ try { invoke(42) } catch (e) { return e.code } }`);
    expect(bad.r.ok && bad.r.value).toBe('INVALID_ARGS');
    healthy(t);
  });

  it('cannot forge the caller: nested calls are always made as the running artifact', () => {
    const t = setup();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('echo', 'export function who(a, ctx){ return ctx.caller }', [{ name: 'who' }]));
    const { r } = attack(
      t,
      `export function f(){
        const out = [];
        try { globalThis.caller = 'alice'; out.push('reassigned'); } catch (e) { out.push('caller is read-only'); }
        try { Object.defineProperty(globalThis, 'self', { value: 'alice' }); out.push('redefined'); } catch (e) { out.push('self is fixed'); }
        out.push(invoke('echo', 'who', {}), invoke('echo', 'who', { caller: 'alice' }));
        try { invoke('genesis_store', 'invoke', { id: 'echo', method: 'who', args: {}, caller: 'alice' }); } catch (e) { out.push(e.code); }
        return out;
      }`,
    );
    // Rewriting its own view of `caller`/`self` changes nothing: the host binds who makes each call.
    expect(r.ok && (r.value as string[]).slice(2)).toEqual(['attack', 'attack', 'INVALID_ARGS']);
    healthy(t);
  });

  it('a leftover promise job of an outer frame cannot act while another frame runs', () => {
    const t = setup();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('victim', 'export async function f(){ await 1; await 2; return "victim done" }', [{ name: 'f' }], { has_standing: true }));
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'victim', amount: 10 });
    const { r } = attack(
      t,
      `export function f(){
        let outcome = 'not run';
        Promise.resolve().then(() => {
          try { invoke('genesis_ledger', 'transfer', { to: 'alice', amount: 5 }); outcome = 'moved'; }
          catch (e) { outcome = e.code; }
        });
        invoke('victim', 'f', {});
        return outcome;
      }`,
    );
    // Whether or not the job ran during the nested frame, it could not move the victim's scrip.
    expect(t.ok('bob', 'genesis_ledger', 'balance', { principal: 'victim' }).balances.scrip).toBe(10);
    expect(r.ok).toBe(true);
    healthy(t);
  });

  it('prototype pollution does not leak into another artifact\'s run, nested or later', () => {
    const t = setup();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('clean', 'export function f(){ return [({}).polluted, Array.prototype.evil, typeof Object.prototype.toJSON, JSON.stringify({a:1})] }', [{ name: 'f' }]));
    const { r } = attack(
      t,
      `export function f(){
        Object.prototype.polluted = 'yes'; Array.prototype.evil = 1;
        JSON.stringify = () => '"hijacked"'; JSON.parse = () => ({ hijacked: true });
        return invoke('clean', 'f', {});
      }`,
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual([null, null, 'undefined', '{"a":1}']);
    expect(t.ok('bob', 'clean', 'f', {})).toEqual([null, null, 'undefined', '{"a":1}']);
    healthy(t);
  });

  it('virtualises time and randomness: Date is world time, Math.random is seeded per call', () => {
    const t = setup();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('clock', 'export function f(){ return [Date.now(), new Date().getTime(), world.now(), Math.random(), Math.random()] }', [{ name: 'f' }]));
    const a = t.ok('bob', 'clock', 'f', {});
    expect(a.slice(0, 3)).toEqual([t.clock.now(), t.clock.now(), t.clock.now()]);
    expect(a[3]).not.toBe(a[4]);
    t.clock.advance(1234);
    const b = t.ok('bob', 'clock', 'f', {});
    expect(b[0]).toBe(t.clock.now());
    expect(b[3]).not.toBe(a[3]);
  });

  it('refuses oversize invoke() arguments from guest code', () => {
    const t = setup();
    const { r } = attack(t, 'export function f(){ try { invoke("probe", "ping", { pad: "x".repeat(1024 * 1024) }) } catch (e) { return e.code } }');
    expect(r.ok && r.value).toBe('LIMIT_EXCEEDED');
    healthy(t);
  });

  it('stays healthy after a burst of mixed attacks', () => {
    const t = setup();
    const codes = ['export function f(){ for(;;){} }', 'export function f(){ function r(){ r() } r() }', 'export function f(){ return "x".repeat(1e7) }', 'export function f(){ throw 1 }'];
    for (let i = 0; i < 12; i++) {
      const { r } = attack(t, codes[i % codes.length]!);
      expect(r.ok).toBe(false);
    }
    healthy(t);
  });
});
