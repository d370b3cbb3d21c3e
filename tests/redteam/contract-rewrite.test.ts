/**
 * Red team: imports are pinned so a library's author cannot change code others run (attack 11), but a
 * code contract is not: its author can rewrite what governs artifacts other principals own.
 */
import { describe, expect, it } from 'vitest';
import { useWorld, type TestWorld } from '../helpers/world.ts';

const disk = (t: TestWorld, p: string): number => t.peek('genesis_rights', 'quotas', { principal: p }).disk.used;

describe("red team: a contract's author takes its users' artifacts hostage", () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it("alice chose eve's friendly contract; eve rewrites it and alice can no longer delete, rewrite or leave", () => {
    const t = w();
    // eve publishes a helpful contract: the owner does anything, friends may read.
    const FRIENDLY = 'export const terms = { listed: true }; export function check_permission(r){ return { allowed: r.caller === r.target.owner || r.action === "read", reason: "friends read, owner does all" } }';
    t.ok('eve', 'genesis_store', 'write', { id: 'friends', kind: 'contract', code: FRIENDLY });
    // Another agent's contract can be chosen only if it is declared shared (and then it cannot change under you).
    t.fail('alice', 'genesis_store', 'write', { id: 'album', content: 'p'.repeat(250_000), access_contract_id: 'friends' }, 'INVALID_ARGS');
    t.ok('eve', 'genesis_store', 'write', { id: 'friends', code: FRIENDLY.replace('listed: true', 'listed: true, shared: true') });
    t.ok('alice', 'genesis_store', 'write', { id: 'album', content: 'p'.repeat(250_000), access_contract_id: 'friends' });
    const used = disk(t, 'alice');
    // eve tries to rewrite it so that nobody but eve may do anything any more, or to delete it: refused.
    expect(t.fail('eve', 'genesis_store', 'write', { id: 'friends', code: 'export const terms = { listed: true, shared: true }; export function check_permission(r){ return { allowed: r.caller === "eve", reason: "mine now" } }' }, 'CONFLICT').message).toMatch(/governs 1 artifact/);
    t.fail('eve', 'genesis_store', 'delete', { id: 'friends' }, 'CONFLICT');
    // Friends still read it, as alice chose.
    expect(t.ok('eve', 'genesis_store', 'read', { id: 'album' }).content.length).toBeGreaterThan(0);
    // alice can neither switch her artifact to another contract, nor shrink it, nor delete it.
    const switched = t.call('alice', 'genesis_store', 'write', { id: 'album', access_contract_id: 'genesis_contract_private' });
    const deleted = t.call('alice', 'genesis_store', 'delete', { id: 'album' });
    console.log(switched.ok ? 'switched' : switched.error.message, '|', deleted.ok ? 'deleted' : deleted.error.message);
    expect(disk(t, 'alice')).toBeLessThanOrEqual(used);
    // Safe: an owner can always leave a contract it chose (or the contract it chose cannot change under it).
    expect(switched.ok || deleted.ok).toBe(true);
  });
});
