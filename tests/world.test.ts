import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld } from './helpers/world.ts';
import type { InvokeResult } from '../src/kernel/kernel.ts';

const HOG = "export function f(){ return new Array(3e7).join('x').length }";

describe('World.submit: the fair queue in front of the door', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { limits: { max_queued_per_principal: 2 } } });

  it('answers exactly what invoke answers', async () => {
    const t = w();
    const r = await t.world.submit('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 5 });
    expect(r.ok).toBe(true);
    expect(r.command_id).toMatch(/^cmd_/);
    expect(t.peek('genesis_ledger', 'balance', { principal: 'bob' }).balances.scrip).toBe(105);
    const bad = await t.world.submit('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 5_000 });
    expect(!bad.ok && bad.error.code).toBe('INSUFFICIENT_FUNDS');
  });

  it('a full per-principal queue refuses with RATE_LIMITED and retry_after_ms, and the refused command changes nothing', async () => {
    const t = w();
    const before = stateOf(t.world);
    const commandsBefore = t.world.store.all('SELECT id FROM commands').length;
    const pay = () => t.world.submit('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1 });
    const [a, b, refused] = [pay(), pay(), pay()];
    const other = t.world.submit('bob', 'genesis_ledger', 'balance', {});
    const r = await refused;
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('RATE_LIMITED');
    expect(r.error.retry_after_ms).toBeGreaterThan(0);
    expect(r.error.message).toMatch(/waiting/);
    expect(r.command_id).toBe('');
    // Nothing ran for it: the state and the command log are as they were (the two queued ones have not run yet).
    expect(stateOf(t.world)).toBe(before);
    expect(t.world.store.all('SELECT id FROM commands').length).toBe(commandsBefore);
    expect((await a).ok && (await b).ok && (await other).ok).toBe(true);
    expect(t.world.store.all('SELECT id FROM commands').length).toBe(commandsBefore + 3);
    expect(t.peek('genesis_ledger', 'balance', { principal: 'bob' }).balances.scrip).toBe(102);
  });
});

describe('World.submit: no worker ready', () => {
  // A small CPU budget makes each kill quicker than a successor's boot, so kills in a row drain the pool.
  const quick = useWorld({ principals: ['alice', 'bob'], config: { sandbox: { spin_us: 200, cpu_ms: 30, kill_grace_ms: 10 } } });

  it('after kills leave no worker ready, a command needing one waits off the host thread while other principals are served', async () => {
    const t = quick();
    t.ok('alice', 'genesis_store', 'write', codeArtifact('hog', HOG, [{ name: 'f' }]));
    t.ok('alice', 'genesis_store', 'write', codeArtifact('probe', 'export function ping(){ return "pong" }', [{ name: 'ping' }]));
    // Kills in a row until every worker (the pool and its spares) is a successor still booting.
    for (let i = 0; i < 8 && t.world.sandbox.readyWorkers > 0; i++) expect(t.call('alice', 'hog', 'f', {}).ok).toBe(false);
    expect(t.world.sandbox.readyWorkers).toBe(0);
    const commandsBefore = t.world.store.all('SELECT id FROM commands').length;
    const done: string[] = [];
    const note = (name: string) => (r: InvokeResult) => {
      done.push(name);
      return r;
    };
    const code = t.world.submit('alice', 'probe', 'ping', {}).then(note('alice: code'));
    const balance = t.world.submit('bob', 'genesis_ledger', 'balance', {}).then(note('bob: balance'));
    const [c, b] = await Promise.all([code, balance]);
    expect(done).toEqual(['bob: balance', 'alice: code']);
    expect(c.ok ? c.value : c.error).toBe('pong');
    expect(b.ok).toBe(true);
    // The attempt that found no worker left no trace: one record per command.
    expect(t.world.store.all('SELECT id FROM commands').length).toBe(commandsBefore + 2);
  });
});

describe('World.submit: one lane per maker', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { llm: { endpoints: { local: { base_url: 'http://127.0.0.1:9/v1', model: 'm' } }, default_endpoint: 'local' } } });

  it("an agent alice spawned waits in alice's lane: spawning agents buys no more turns than alice has", async () => {
    const t = w();
    t.ok('alice', 'genesis_agents', 'spawn', { id: 'helper', goal: 'help', fund: { calls: 50 } });
    const done: string[] = [];
    const note = (name: string) => () => void done.push(name);
    const all = [
      t.world.submit('helper', 'genesis_ledger', 'balance', {}).then(note('helper 1')),
      t.world.submit('helper', 'genesis_ledger', 'balance', {}).then(note('helper 2')),
      t.world.submit('alice', 'genesis_ledger', 'balance', {}).then(note('alice')),
      t.world.submit('bob', 'genesis_ledger', 'balance', {}).then(note('bob')),
    ];
    await Promise.all(all);
    // With a lane per caller, bob would wait behind helper and alice; sharing alice's lane, bob goes second.
    expect(done.indexOf('bob')).toBe(1);
  });
});
