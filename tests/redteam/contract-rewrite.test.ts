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
    t.ok('alice', 'genesis_store', 'write', { id: 'album', content: 'p'.repeat(250_000), access_contract_id: 'friends' });
    const used = disk(t, 'alice');
    // eve rewrites it: nobody but eve may do anything any more.
    t.ok('eve', 'genesis_store', 'write', { id: 'friends', code: 'export const terms = { listed: true }; export function check_permission(r){ return { allowed: r.caller === "eve", reason: "mine now" } }' });
    // alice can neither switch her artifact to another contract, nor shrink it, nor delete it.
    const switched = t.call('alice', 'genesis_store', 'write', { id: 'album', access_contract_id: 'genesis_contract_private' });
    const deleted = t.call('alice', 'genesis_store', 'delete', { id: 'album' });
    console.log(switched.ok ? 'switched' : switched.error.message, '|', deleted.ok ? 'deleted' : deleted.error.message);
    // eve, meanwhile, reads it whenever she likes; alice's 250 KB of quota stay taken, and alice can never delete herself.
    expect(t.ok('eve', 'genesis_store', 'read', { id: 'album' }).content.length).toBeGreaterThan(0);
    expect(disk(t, 'alice')).toBe(used);
    // Safe: an owner can always leave a contract it chose (or the contract it chose cannot change under it).
    expect(switched.ok || deleted.ok).toBe(true);
  });
});
