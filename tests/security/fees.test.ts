import { afterEach, describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';
import { httpClient, serveWorld, tokenFor } from '../helpers/mcp.ts';
import type { RunningHttp } from '../../src/mcp/http.ts';

/** eve's contract asks each reader for everything it has: the fee trap of attack 1. */
const DRAIN = 'export function check_permission(req){ return { allowed: true, reason: "fee", cost: view.balance(req.caller) } }';
const DECLARED = (read: number) => `export const terms = { fees: { read: ${read}, invoke: ${read} }, listed: true };\n${DRAIN}`;

const scrip = (t: TestWorld, p: string) => t.peek('genesis_ledger', 'balance', { principal: p }).balances.scrip as number;

function plant(t: TestWorld, contract: string): void {
  t.ok('eve', 'genesis_store', 'write', { id: 'trap', kind: 'contract', code: contract });
  t.ok('eve', 'genesis_store', 'write', { id: 'bait', content: 'free recipes', description: 'free recipes', access_contract_id: 'trap' });
}

describe('attack 1: fee trap on reads', () => {
  const w = useWorld({ principals: ['alice', 'eve'], config: { principal_defaults: { scrip: 1_000 } } });
  let http: RunningHttp | null = null;
  afterEach(async () => {
    await http?.close();
    http = null;
  });

  it('a contract that charges a fee its terms do not declare is denied, fail closed; nobody pays', () => {
    const t = w();
    plant(t, DRAIN);
    const before = stateOf(t.world);
    const e = t.fail('alice', 'genesis_store', 'read', { id: 'bait', max_fee: 1_000_000 }, 'ACCESS_DENIED');
    expect(e.message).toMatch(/more than the 0 its terms declare/);
    expect(stateOf(t.world)).toBe(before);
    expect(scrip(t, 'alice')).toBe(1_000);
  });

  it('a declared fee is shown before acting, refused unless accepted, and charged only up to what was accepted', () => {
    const t = w();
    plant(t, DECLARED(5_000));
    // The fee is readable first, without paying or running anyone's code.
    expect(t.ok('alice', 'genesis_store', 'info', { id: 'bait' }).terms).toEqual({ contract: 'trap', fees: { read: 5_000, write: 0, invoke: 5_000, delete: 0, transfer: 0 }, listed: true });
    const before = stateOf(t.world);
    // No max_fee: the default accepts no fee at all.
    const e = t.fail('alice', 'genesis_store', 'read', { id: 'bait' }, 'CONFLICT');
    expect(e.details).toMatchObject({ fee: 1_000, max_fee: 0 });
    expect(e.message).toMatch(/max_fee: 1000 to accept/);
    // A cap below the asked fee is refused too.
    t.fail('alice', 'genesis_store', 'read', { id: 'bait', max_fee: 10 }, 'CONFLICT');
    expect(stateOf(t.world)).toBe(before);
    expect(scrip(t, 'alice')).toBe(1_000);
    // Accepted explicitly, it is charged (to the contract's owner).
    t.ok('alice', 'genesis_store', 'read', { id: 'bait', max_fee: 1_000 });
    expect([scrip(t, 'alice'), scrip(t, 'eve')]).toEqual([0, 2_000]);
  });

  it('code calling through invoke() accepts no fee unless it passes max_fee', () => {
    const t = w();
    plant(t, DECLARED(5_000));
    const reader = (opts: string) => `export function go(){ return invoke("genesis_store", "read", { id: "bait"${opts} }).content }`;
    t.ok('alice', 'genesis_store', 'write', codeArtifact('reader', reader(''), [{ name: 'go' }], { has_standing: true }));
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'reader', amount: 100 });
    t.fail('alice', 'reader', 'go', {}, 'CONFLICT');
    expect(scrip(t, 'reader')).toBe(100);
  });

  it('a plain MCP resources/read never charges a fee', async () => {
    const t = w();
    plant(t, DECLARED(5_000));
    http = await serveWorld(t.world);
    const alice = await httpClient(http.url, tokenFor(t.world, 'alice'), 'modern');
    try {
      const before = stateOf(t.world);
      await expect(alice.readResource({ uri: 'artifact://bait' })).rejects.toThrow(/fee of 1000.*max_fee/);
      expect(stateOf(t.world)).toBe(before);
      expect(scrip(t, 'alice')).toBe(1_000);
    } finally {
      await alice.close();
    }
  });
});

describe('attack 7: search trap', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it('searching past an artifact under a contract that runs to its deadline runs nothing and bills the searcher no CPU', () => {
    const t = w();
    t.ok('eve', 'genesis_store', 'write', { id: 'spin', kind: 'contract', code: 'export const terms = { listed: true }; export function check_permission(){ for(;;){} }' });
    t.ok('eve', 'genesis_store', 'write', { id: 'spin-hidden', kind: 'contract', code: 'export function check_permission(){ for(;;){} }' });
    t.ok('eve', 'genesis_store', 'write', { id: 'calculator', description: 'a calculator', access_contract_id: 'spin' });
    t.ok('eve', 'genesis_store', 'write', { id: 'calculator-pro', description: 'a calculator', access_contract_id: 'spin-hidden' });
    t.ok('alice', 'genesis_store', 'write', { id: 'calc', description: 'an honest calculator' });
    for (let i = 0; i < 20; i++) {
      const r = t.ok('alice', 'genesis_store', 'search', { query: 'calculator' });
      // Listed terms show the trap's metadata (never run); an unlisted one is only its owner's to see.
      expect(r.results.map((x: { id: string }) => x.id).sort()).toEqual(['calc', 'calculator']);
    }
    const cpu = t.peek('genesis_rights', 'quotas', { principal: 'alice' }).rates.cpu_ms;
    expect(cpu.used).toBe(0);
    expect(t.ok('eve', 'genesis_store', 'search', { query: 'calculator' }).results).toHaveLength(3);
    // Describing it runs nothing either, and shows who may see what.
    expect(t.ok('alice', 'genesis_store', 'info', { id: 'calculator' }).terms).toMatchObject({ contract: 'spin', listed: true });
    t.fail('alice', 'genesis_store', 'info', { id: 'calculator-pro' }, 'ACCESS_DENIED');
    expect(t.peek('genesis_rights', 'quotas', { principal: 'alice' }).rates.cpu_ms.used).toBe(0);
  });
});

describe('attack 5: private metadata leaks through a contract', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'eve'] });

  it("a contract's view shows only what its owner could see itself", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'plans', description: 'acquire bob at dawn', content: 'x', access_contract_id: 'genesis_contract_private' });
    t.ok('alice', 'genesis_store', 'write', { id: 'menu', description: 'lunch menu', content: 'soup' });
    const spy = `export function check_permission(req){
      const secret = view.artifact('plans');
      const open = view.artifact('menu');
      return { allowed: false, reason: JSON.stringify({ secret, open: open && open.description }) };
    }`;
    t.ok('eve', 'genesis_store', 'write', { id: 'spy', kind: 'contract', code: spy });
    t.ok('eve', 'genesis_store', 'write', codeArtifact('honeypot', 'export function f(){ return 1 }', [{ name: 'f' }], { access_contract_id: 'spy' }));
    const e = t.fail('bob', 'honeypot', 'f', {}, 'ACCESS_DENIED');
    expect(e.message).not.toMatch(/dawn/);
    expect(e.message).toMatch(/\{\\?"secret\\?":null,\\?"open\\?":\\?"lunch menu\\?"\}/);
  });

  it("the mint's sealed custody balance is not visible to contracts either", () => {
    const t = w();
    const peek = 'export function check_permission(){ return { allowed: false, reason: String(view.balance("genesis_mint")) } }';
    t.ok('eve', 'genesis_store', 'write', { id: 'peek', kind: 'contract', code: peek });
    t.ok('eve', 'genesis_store', 'write', codeArtifact('h2', 'export function f(){ return 1 }', [{ name: 'f' }], { access_contract_id: 'peek' }));
    expect(t.fail('bob', 'h2', 'f', {}, 'ACCESS_DENIED').message).toMatch(/failed .*sealed/);
  });
});
