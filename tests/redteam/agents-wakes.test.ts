import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';

const ENDPOINTS = { local: { base_url: 'http://127.0.0.1:9/v1', model: 'm', input_micro_usd_per_1k: 1_000, output_micro_usd_per_1k: 1_000 } };
const CONFIG = { llm: { endpoints: ENDPOINTS, default_endpoint: 'local' }, principal_defaults: { calls: 5_000, disk_bytes: 10_000_000 } };

describe('red team: check_wakes is bounded, and fair', () => {
  const w = useWorld({ principals: ['mallory', 'victim'], config: CONFIG });

  it("mallory's 200 agents sleeping on events that never come cannot stop the victim's agent waking on its event", () => {
    const t = w();
    for (let i = 0; i < 200; i++) {
      const id = `m${String(i).padStart(3, '0')}`;
      t.ok('mallory', 'genesis_agents', 'spawn', { id, goal: 'g', fund: { disk_bytes: 2_000, calls: 3 } });
      t.ok(id, 'genesis_agents', 'sleep', { until_event: { principal: 'nobody-ever' } });
    }
    t.clock.advance(1_000);
    t.ok('victim', 'genesis_agents', 'spawn', { id: 'vagent', goal: 'g', fund: { disk_bytes: 2_000, calls: 3 } });
    t.ok('vagent', 'genesis_agents', 'sleep', { until_event: { type: 'transfer', artifact: 'vagent' } });
    t.ok('victim', 'genesis_ledger', 'transfer', { to: 'vagent', amount: 1 });
    // Sleepers take turns: within two checks every one has been looked at.
    const woken = [...t.peek('genesis_agents', 'check_wakes', {}).woken, ...t.peek('genesis_agents', 'check_wakes', {}).woken];
    expect(woken, 'woken by the checks').toContain('vagent');
  });

  it("mallory's 200 frozen agents cannot stop the victim's rescued agent unfreezing", () => {
    const t = w();
    for (let i = 0; i < 200; i++) {
      const id = `a${String(i).padStart(3, '0')}`;
      t.ok('mallory', 'genesis_agents', 'spawn', { id, goal: 'g', fund: { disk_bytes: 2_000 } });
      t.ok('genesis_operator', 'genesis_agents', 'freeze', { id, needed_micro_usd: 5_000 });
    }
    t.ok('victim', 'genesis_agents', 'spawn', { id: 'vagent', goal: 'g', fund: { disk_bytes: 2_000 } });
    t.ok('genesis_operator', 'genesis_agents', 'freeze', { id: 'vagent', needed_micro_usd: 5_000 });
    t.ok('victim', 'genesis_rights', 'transfer', { to: 'vagent', resource: 'llm_budget_micro_usd', amount: 10_000 });
    // The host names the frozen agents that can pay again (mallory's cannot), so hers never crowd the check.
    const r = t.peek('genesis_agents', 'check_wakes', { unfreeze: [{ id: 'vagent', min_budget_micro_usd: 5_000 }] });
    expect(r.unfrozen.map((u: { id: string }) => u.id), 'unfrozen by the check').toContain('vagent');
  });
});
