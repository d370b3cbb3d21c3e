import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestWorld, stateOf, type TestWorld } from '../helpers/world.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';

const BRIDGES = new URL('../../bridges', import.meta.url).pathname;

describe('bridge limits: timeouts, result caps, crashes mid-call, spent windows', () => {
  let t: TestWorld;
  let dir: string;
  let calls = 0;
  beforeAll(async () => {
    // The reference server, with tight limits: 2 KB results, 500 ms for the long-running tool.
    dir = mkdtempSync(join(tmpdir(), 'bridges-limits-'));
    const def = JSON.parse(readFileSync(join(BRIDGES, 'everything.json'), 'utf8'));
    def.ecology = { ...def.ecology, max_result_bytes: 2_048, tool_timeouts_ms: { 'trigger-long-running-operation': 500 } };
    writeFileSync(join(dir, 'everything.json'), JSON.stringify(def));
    t = await openTestWorld({ principals: ['alice'], config: { bridges: { folder: dir } } as ConfigInput });
    expect(await t.world.registerBridges()).toEqual({});
    const m = t.world.bridges!;
    const call = m.call.bind(m);
    m.call = (...a: Parameters<typeof call>) => {
      calls++;
      return call(...a);
    };
  }, 60_000);
  afterAll(async () => {
    const report = t.world.check();
    await t.world.close();
    rmSync(dir, { recursive: true, force: true });
    expect(report.violations).toEqual([]);
  });
  const invoke = (as: string, method: string, args: Record<string, unknown>) => t.world.submit(as, 'genesis_store', 'invoke', { id: 'mcp_everything', method, args });

  it('a result over the cap is refused, a call over its time limit is cut off: clear errors, nothing but the charge', async () => {
    const before = stateOf(t.world);
    const big = await invoke('alice', 'echo', { message: 'x'.repeat(3_000) });
    expect(!big.ok && big.error.code).toBe('UPSTREAM_ERROR');
    expect(!big.ok && big.error.message).toMatch(/more than the 2048 a result may hold/);
    const slow = await invoke('alice', 'trigger-long-running-operation', { duration: 5, steps: 5 });
    expect(!slow.ok && slow.error.code).toBe('TIMEOUT');
    expect(stateOf(t.world)).toBe(before);
  });

  it('an upstream killed mid-call: the caller gets a retriable error, and the bridge comes back', async () => {
    const pending = invoke('alice', 'trigger-long-running-operation', { duration: 0.4, steps: 2 });
    await new Promise((r) => setTimeout(r, 150));
    const pid = t.world.bridges!.running().find((r) => r.server === 'everything')!.pid!;
    process.kill(pid, 'SIGKILL');
    const r = await pending;
    expect(!r.ok && r.error.code).toBe('UPSTREAM_ERROR');
    await new Promise((res) => setTimeout(res, 1_200));
    const back = await invoke('alice', 'echo', { message: 'back' });
    expect(back.ok).toBe(true);
    // The operator finds the crash and the restart in the world's log.
    const life = t.world.store.all<{ payload: string }>("SELECT payload FROM events WHERE type = 'bridge_lifecycle' ORDER BY seq").map((r) => JSON.parse(r.payload) as { event: string; server: string });
    expect(life.filter((e) => e.server === 'everything').map((e) => e.event)).toEqual(expect.arrayContaining(['started', 'crashed']));
    expect(life.filter((e) => e.server === 'everything' && e.event === 'started').length).toBeGreaterThanOrEqual(2);
  });

  it('a caller whose cpu_ms window is spent is refused before the upstream is called', async () => {
    expect(t.world.createPrincipal('broke', { cpu_ms: 0 }).ok).toBe(true);
    const before = calls;
    const r = await invoke('broke', 'echo', { message: 'free?' });
    expect(!r.ok && r.error.code).toBe('RATE_LIMITED');
    expect(calls).toBe(before);
  });
});
