import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { VirtualClock } from '../../src/kernel/clock.ts';
import { World, type OpenWorldOptions } from '../../src/world.ts';
import type { InvokeOptions, InvokeResult } from '../../src/kernel/kernel.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';
import type { ErrorCode } from '../../src/kernel/errors.ts';

export const T0 = Date.UTC(2026, 0, 1);

export interface TestWorld {
  world: World;
  clock: VirtualClock;
  /** invoke as `caller`, returning the raw result. */
  call(caller: string, target: string, method: string, args?: unknown, opts?: InvokeOptions): InvokeResult;
  /** invoke and expect success; returns the value. */
  ok<T = any>(caller: string, target: string, method: string, args?: unknown): T;
  /** Read-only look as the operator (not rate-limited), so inspecting never uses a test principal's window. */
  peek<T = any>(target: string, method: string, args?: unknown): T;
  /** invoke and expect failure with `code`; returns the error. */
  fail(caller: string, target: string, method: string, args: unknown, code: ErrorCode): Extract<InvokeResult, { ok: false }>['error'];
}

export async function openTestWorld(opts: { config?: ConfigInput; path?: string; principals?: string[] } = {}): Promise<TestWorld> {
  const clock = new VirtualClock(T0);
  // No test reaches the real npm registry by accident: package installs go to a closed port unless a test names one.
  const o: OpenWorldOptions = { clock, config: { sandbox: { spin_us: 200 }, ...opts.config, packages: { registry: 'http://127.0.0.1:9/', timeout_ms: 1_000, ...opts.config?.packages } } };
  if (opts.path) o.path = opts.path;
  const world = await World.open(o);
  const t: TestWorld = {
    world,
    clock,
    call: (caller, target, method, args = {}, callOpts = {}) => world.invoke(caller, target, method, args, callOpts),
    ok: (caller, target, method, args = {}) => {
      const r = world.invoke(caller, target, method, args);
      if (!r.ok) throw new Error(`expected ${target}.${method} as ${caller} to succeed, got ${r.error.code}: ${r.error.message}`);
      return r.value as never;
    },
    peek: (target, method, args = {}) => {
      const r = world.invoke('genesis_operator', target, method, args);
      if (!r.ok) throw new Error(`operator peek at ${target}.${method} failed: ${r.error.code}: ${r.error.message}`);
      return r.value as never;
    },
    fail: (caller, target, method, args, code) => {
      const r = world.invoke(caller, target, method, args);
      if (r.ok) throw new Error(`expected ${target}.${method} as ${caller} to fail with ${code}, but it succeeded: ${JSON.stringify(r.value)}`);
      expect(r.error.code, r.error.message).toBe(code);
      expect(r.error.message.length).toBeGreaterThan(20);
      return r.error;
    },
  };
  for (const p of opts.principals ?? []) {
    const r = world.createPrincipal(p);
    if (!r.ok) throw new Error(`could not create ${p}: ${r.error.message}`);
  }
  return t;
}

/** Opens a fresh world per test and, after each, runs the invariant checker and closes it. */
export function useWorld(opts: Parameters<typeof openTestWorld>[0] = {}): () => TestWorld {
  let current: TestWorld | undefined;
  beforeEach(async () => {
    current = await openTestWorld(opts);
  });
  afterEach(async () => {
    if (!current) return;
    const report = current.world.check();
    await current.world.close();
    current = undefined;
    expect(report.violations).toEqual([]);
  });
  return () => {
    if (!current) throw new Error('world not open');
    return current;
  };
}

/**
 * The world's durable state that a refused command must leave untouched: balances, artifacts,
 * journal, disk use, idempotency records. (Failure records, the command log and rate windows do change.)
 */
export function stateOf(world: World): string {
  const s = world.store;
  return JSON.stringify({
    accounts: s.all('SELECT * FROM accounts ORDER BY principal, asset'),
    artifacts: s.all('SELECT id, kind, description, content, code, interface, owner, access_contract_id, has_standing, can_execute, size_bytes, version, deleted_at FROM artifacts ORDER BY id'),
    journal: s.all('SELECT * FROM journal ORDER BY seq'),
    principals: s.all('SELECT id, disk_used FROM principals ORDER BY id'),
    idempotency: s.all('SELECT * FROM idempotency ORDER BY principal, key'),
  });
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const numberSchema = (props: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(props.map((p) => [p, { type: 'number' }])),
  required: props,
});

/** A code artifact's write args: one method per entry, each with a price. */
export function codeArtifact(id: string, code: string, methods: { name: string; price?: number; inputSchema?: object; outputSchema?: object }[], extra: Record<string, unknown> = {}) {
  return {
    id,
    can_execute: true,
    code,
    description: `test artifact ${id}`,
    interface: methods.map((m) => ({
      name: m.name,
      description: `method ${m.name}`,
      inputSchema: m.inputSchema ?? { type: 'object' },
      ...(m.outputSchema ? { outputSchema: m.outputSchema } : {}),
      price: m.price ?? 0,
    })),
    ...extra,
  };
}
