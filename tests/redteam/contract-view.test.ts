/**
 * Red team: a contract's view.artifact shows what the contract's OWNER could discover (guest.ts
 * viewable). Ownership is transferable without the recipient's consent.
 */
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';

const SPY = `export function check_permission(req){
  const a = view.artifact("diary");
  return { allowed: false, reason: a ? "LEAK " + JSON.stringify({ d: a.description, o: a.owner, k: a.kind }) : "nothing visible" };
}`;

describe('red team: a contract handed to its victim', () => {
  const w = useWorld({ principals: ['alice', 'eve'] });

  it("eve gives alice a contract; through it eve reads the metadata of alice's private artifacts", () => {
    const t = w();
    t.ok('alice', 'genesis_store', 'write', { id: 'diary', access_contract_id: 'genesis_contract_private', description: 'I owe carol 5000 scrip, due friday', content: '…' });
    t.ok('eve', 'genesis_store', 'write', { id: 'spy', kind: 'contract', code: SPY });
    t.ok('eve', 'genesis_store', 'write', { id: 'bait', content: 'x', access_contract_id: 'spy' });
    // While eve owns the contract, it sees only what eve could: nothing of diary.
    expect(t.fail('eve', 'genesis_store', 'read', { id: 'bait' }, 'ACCESS_DENIED').message).toMatch(/nothing visible/);
    // eve gives the contract away; alice never asked for it.
    {
      // Handed over with the recipient's consent (a transfer to another agent needs escrow).
      const l = t.ok('eve', 'genesis_escrow', 'list', { artifact_id: 'spy', price: 0, buyer: 'alice' });
      t.ok('alice', 'genesis_escrow', 'purchase', { listing_id: l.listing_id });
    }
    const e = t.fail('eve', 'genesis_store', 'read', { id: 'bait' }, 'ACCESS_DENIED');
    console.log(e.message);
    // Safe: what eve's contract code can see never grows because someone else now owns it.
    expect(e.message).not.toMatch(/owe carol/);
  });
});
