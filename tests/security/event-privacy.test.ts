import { describe, expect, it } from 'vitest';
import { codeArtifact, useWorld } from '../helpers/world.ts';

describe('what the public event log says about private artifacts', () => {
  const w = useWorld({ principals: ['alice', 'bob'] });

  it('only that it was written or called, by whom and with what outcome: no kind, size, method, price or message', () => {
    const t = w();
    const secret = codeArtifact('plans', 'export function brew(){ throw new Error("recipe: 3 parts gin") }', [{ name: 'brew', price: 7 }], { access_contract_id: 'genesis_contract_private' });
    t.ok('alice', 'genesis_store', 'write', secret);
    t.ok('alice', 'genesis_store', 'write', codeArtifact('menu', 'export function show(){ return 1 }', [{ name: 'show', price: 0 }]));
    t.fail('alice', 'plans', 'brew', {}, 'EXECUTION_ERROR');
    t.ok('alice', 'menu', 'show', {});
    const events = t.ok('bob', 'genesis_event_log', 'read', {}).events as { type: string; artifact_id?: string; payload: Record<string, unknown> }[];
    const about = (id: string, type: string) => events.filter((e) => e.artifact_id === id && e.type === type).map((e) => e.payload);
    expect(about('plans', 'artifact_written')).toEqual([{ version: 1, created: true }]);
    expect(about('plans', 'invoke_failure')).toEqual([{ caller: 'alice', depth: 0, duration_ms: expect.any(Number), code: 'EXECUTION_ERROR' }]);
    expect(JSON.stringify(events)).not.toMatch(/gin|brew/);
    // A public artifact's events say what happened in full.
    expect(about('menu', 'artifact_written')[0]).toMatchObject({ kind: 'code', size_bytes: expect.any(Number) });
    expect(about('menu', 'invoke_success')[0]).toMatchObject({ method: 'show', price_paid: 0 });
  });
});
