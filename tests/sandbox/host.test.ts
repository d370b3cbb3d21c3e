import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, SandboxAborted, SandboxUnavailable, type RpcHandler, type SessionOptions } from '../../src/sandbox/host.ts';
import type { Frame } from '../../src/sandbox/protocol.ts';

/**
 * The sandbox host on its own, with a real QuickJS worker: what its kill deadline counts, and that a
 * kill leaves a ready worker behind. The RpcHandler stands in for the kernel's (the host's side of
 * guest calls), so the time the host spends serving them is known by construction.
 */
const session = (cpuMs: number, killGraceMs: number, extra: Partial<SessionOptions> = {}): SessionOptions => ({
  limits: { memoryBytes: 32 * 1024 * 1024, stackBytes: 256 * 1024, cpuMs, maxOutputBytes: 1 << 20, maxLogBytes: 1 << 14 },
  killGraceMs,
  hardKillMs: 60_000,
  ...extra,
});

let frameId = 0;
const frame = (code: string): Frame => ({ id: ++frameId, kind: 'method', artifact: 'guest', caller: 'tester', code, entry: 'f', args: '{}', now: 0, seed: 1, cpuMs: 10_000, paid: 0 });

const noCalls: RpcHandler = () => ({ ok: false, error: { code: 'ACCESS_DENIED', message: 'no calls here', details: {} } });

/** Serves every guest call after holding the host thread for `ms` (database work, nested commands). */
const slowHost =
  (ms: number): RpcHandler =>
  () => {
    const until = performance.now() + ms;
    while (performance.now() < until);
    return { ok: true, value: '1' };
  };

describe('sandbox host: the kill deadline counts guest time only', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = new Sandbox({ messageBytes: 1 << 20, spinUs: 200, workerStartMs: 60_000, workers: 1 });
    await sb.start();
  });
  afterAll(async () => {
    await sb.close();
  });

  it('keeps two spare workers beyond sandbox.workers, ready before the first command', () => {
    expect(sb.readyWorkers).toBe(3);
  });

  it('does not kill a guest for the time the host spends serving its calls', () => {
    // 8 calls x 40 ms of host work = 320 ms of wall time, far past the 50 ms budget plus 25 ms grace.
    const started = performance.now();
    const r = sb.run(frame('export function f(){ let n = 0; for (let i = 0; i < 8; i++) n += invoke("x", "y", {}); return n }'), slowHost(40), session(50, 25));
    expect(performance.now() - started).toBeGreaterThanOrEqual(320);
    expect(r.outcome).toEqual({ ok: true, value: '8' });
  });

  it('kills a native operation soon after its budget, charges all the guest time it had, and leaves a ready worker', () => {
    let err: unknown;
    try {
      sb.run(frame("export function f(){ return new Array(3e7).join('x').length }"), noCalls, session(20, 30));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxAborted);
    const aborted = err as SandboxAborted;
    expect(aborted.reason).toBe('cpu');
    // Killed once the budget and the grace were used up: the whole of it is what gets charged.
    expect(aborted.guestMs).toBe(50);
    // The spare serves at once, without waiting for the killed worker's successor to boot.
    expect(sb.readyWorkers).toBeGreaterThanOrEqual(1);
    const next = sb.run(frame('export function f(){ return "next" }'), noCalls, session(20, 30, { waitForWorker: false }));
    expect(next.outcome).toEqual({ ok: true, value: '"next"' });
  });

  it('with no worker ready, refuses at once rather than wait for a boot (when asked not to wait), and whenReady says when to retry', async () => {
    const hog = "export function f(){ return new Array(3e7).join('x').length }";
    await sb.start(); // all workers ready again after the kill above
    // Kill every worker: each kill starts a successor booting, which takes far longer than the next kill
    // (on a loaded machine a successor may be ready before the last kill, so kill until none is).
    for (let i = 0; i < 12 && sb.readyWorkers > 0; i++) expect(() => sb.run(frame(hog), noCalls, session(10, 10, { waitForWorker: false }))).toThrow(SandboxAborted);
    expect(sb.readyWorkers).toBe(0);
    expect(() => sb.run(frame('export function f(){ return 1 }'), noCalls, session(20, 30, { waitForWorker: false }))).toThrow(SandboxUnavailable);
    await sb.whenReady();
    // A generous budget: a freshly booted worker on a loaded machine can take tens of ms for a trivial call.
    const r = sb.run(frame('export function f(){ return 2 }'), noCalls, session(1_000, 30, { waitForWorker: false }));
    expect(r.outcome).toEqual({ ok: true, value: '2' });
  });

  it('a session past the wall-clock backstop is killed even if its guest time is small', () => {
    let err: unknown;
    try {
      sb.run(frame('export function f(){ for (let i = 0; i < 100; i++) invoke("x", "y", {}); return 1 }'), slowHost(30), session(1_000, 50, { hardKillMs: 100 }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxAborted);
    expect((err as SandboxAborted).reason).toBe('wall');
  });
});
