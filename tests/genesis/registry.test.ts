import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { GENESIS_ARTIFACTS, createRegistry } from '../../genesis/index.ts';
import { codeArtifact, useWorld } from '../helpers/world.ts';

describe('genesis registry', () => {
  const registry = createRegistry();

  it('defines each method once, with snake_case tool names, schemas and annotations', () => {
    const tools = registry.publicMethods().map((m) => m.tool);
    expect(new Set(tools).size).toBe(tools.length);
    expect(tools.sort()).toEqual(
      [
        'agent_sleep', 'agent_spawn', 'agent_status', 'agent_wake', 'artifact_delete', 'memory_forget', 'memory_search', 'memory_write', 'artifact_info', 'artifact_invoke', 'artifact_read', 'artifact_transfer', 'artifact_write', 'escrow_cancel', 'escrow_list',
        'escrow_listings', 'escrow_purchase', 'events_read', 'ledger_approve', 'ledger_balance', 'ledger_history', 'ledger_transfer', 'ledger_transfer_from',
        'capability_list', 'capability_request', 'mint_bid', 'mint_cancel', 'mint_status', 'package_info', 'package_install', 'package_list', 'rights_quotas', 'rights_transfer', 'store_search', 'world_whoami',
      ].sort(),
    );
    for (const m of registry.publicMethods()) {
      expect(m.tool).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
      expect(m.description.length).toBeGreaterThan(40);
      const schema = z.toJSONSchema(m.input, { target: 'draft-7', io: 'input' }) as { type: string };
      expect(schema.type).toBe('object');
      if (m.annotations.readOnlyHint) expect(m.annotations.destructiveHint).toBe(false);
    }
  });

  const w = useWorld({ principals: ['alice', 'bob'] });

  it('every genesis artifact exists as an artifact with an interface generated from the registry', () => {
    const t = w();
    for (const def of GENESIS_ARTIFACTS) {
      const info = t.ok('alice', 'genesis_store', 'info', { id: def.id });
      expect(info.kind).toBe('genesis');
      const publicMethods = def.methods.filter((m) => !m.operatorOnly);
      if (publicMethods.length === 0) {
        expect(info.interface).toBeUndefined();
        continue;
      }
      expect(info.can_execute).toBe(true);
      expect(info.interface.map((m: { name: string }) => m.name)).toEqual(publicMethods.map((m) => m.name));
      for (const [i, m] of publicMethods.entries()) {
        expect(info.interface[i].description).toBe(m.description);
        expect(info.interface[i].inputSchema).toEqual(z.toJSONSchema(m.input, { target: 'draft-7', io: 'input' }));
      }
    }
    // Operator-only methods never appear in an interface.
    const world = t.ok('alice', 'genesis_store', 'info', { id: 'genesis_world' });
    expect(world.interface.map((m: { name: string }) => m.name)).toEqual(['whoami']);
  });

  it('artifact code reaches every genesis service through invoke()', () => {
    const t = w();
    t.ok(
      'alice',
      'genesis_store',
      'write',
      codeArtifact(
        'tour',
        `export function go() {
          const out = {};
          out.balance = invoke('genesis_ledger', 'balance', { principal: 'alice' }).balances.scrip;
          out.history = invoke('genesis_ledger', 'history', {}).entries.length;
          out.info = invoke('genesis_store', 'info', { id: 'genesis_ledger' }).kind;
          out.search = invoke('genesis_store', 'search', { query: 'tour' }).results.length;
          out.read = invoke('genesis_store', 'read', { id: 'genesis_rights' }).kind;
          out.write = invoke('genesis_store', 'write', { id: 'made_by_code', content: 'hi' }).created;
          out.events = Array.isArray(invoke('genesis_event_log', 'read', { limit: 2 }).events);
          out.quotas = invoke('genesis_rights', 'quotas', {}).disk.quota;
          out.whoami = invoke('genesis_world', 'whoami', {}).principal;
          out.pay = invoke('genesis_ledger', 'transfer', { to: 'bob', amount: 1 }).to;
          return out;
        }`,
        [{ name: 'go' }],
        { has_standing: true },
      ),
    );
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'tour', amount: 5 });
    t.ok('alice', 'genesis_rights', 'transfer', { to: 'tour', resource: 'disk_bytes', amount: 1_000 });
    expect(t.ok('bob', 'tour', 'go', {})).toEqual({ balance: 95, history: 2, info: 'genesis', search: 1, read: 'genesis', write: true, events: true, quotas: 1_000, whoami: 'tour', pay: 'bob' });
    expect(t.ok('bob', 'genesis_store', 'read', { id: 'made_by_code' }).owner).toBe('tour');
  });

  it('whoami tells a newcomer where they stand and which tools exist', () => {
    const t = w();
    const me = t.ok('alice', 'genesis_world', 'whoami', {});
    expect(me).toMatchObject({ principal: 'alice', kind: 'agent', balances: { scrip: 100 }, owned_artifacts: 1, world_time: t.clock.now() });
    expect(me.quotas.rates.calls.allocation).toBe(600);
    const tools = new Set(registry.publicMethods().map((m) => m.tool));
    for (const hint of me.start_here as string[]) {
      const named = hint.match(/\b[a-z]+_[a-z_]+\b/g)?.filter((w) => w.includes('_') && !['can_execute'].includes(w)) ?? [];
      for (const n of named) expect(tools.has(n), `${n} in "${hint}"`).toBe(true);
    }
  });
});
