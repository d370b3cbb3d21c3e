import { describe, expect, it } from 'vitest';
import { codeArtifact, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';
import { isHandoverContract } from '../../src/kernel/contracts.ts';

const ACTIONS = ['read', 'write', 'invoke', 'delete', 'transfer'] as const;

/** What each principal may do to an artifact owned by alice under each built-in contract. */
const MATRIX: Record<string, Record<'owner' | 'other', (typeof ACTIONS)[number][]>> = {
  genesis_contract_freeware: { owner: ['read', 'write', 'invoke', 'delete', 'transfer'], other: ['read', 'invoke'] },
  genesis_contract_private: { owner: ['read', 'write', 'invoke', 'delete', 'transfer'], other: [] },
  genesis_contract_public: { owner: ['read', 'write', 'invoke', 'delete', 'transfer'], other: ['read', 'write', 'invoke', 'delete'] },
  genesis_contract_self_owned: { owner: ['read', 'write', 'invoke', 'delete', 'transfer'], other: [] },
};

function attempt(t: TestWorld, who: string, action: (typeof ACTIONS)[number], id: string) {
  switch (action) {
    case 'read':
      return t.call(who, 'genesis_store', 'read', { id });
    case 'write':
      return t.call(who, 'genesis_store', 'write', { id, description: `touched by ${who}` });
    case 'invoke':
      return t.call(who, id, 'f', {});
    case 'delete':
      return t.call(who, 'genesis_store', 'delete', { id });
    case 'transfer': {
      // To an account of the actor's own (a transfer to another agent needs its consent: escrow).
      const wallet = `${who}-wallet`;
      if (!t.world.kernel.services.artifacts.meta(wallet)) t.ok(who, 'genesis_store', 'write', { id: wallet, has_standing: true });
      t.world.grant(wallet, 'disk_bytes', 10_000);
      return t.call(who, 'genesis_store', 'transfer', { id, to: wallet });
    }
  }
}

describe('contracts', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'] });

  describe.each(Object.keys(MATRIX))('built-in %s', (contract) => {
    it.each(ACTIONS)('decides %s for the owner and for others', (action) => {
      const t = w();
      for (const who of ['alice', 'bob'] as const) {
        const id = `t_${who}`;
        t.ok('alice', 'genesis_store', 'write', codeArtifact(id, 'export function f(){ return 1 }', [{ name: 'f' }], { access_contract_id: contract }));
        const expected = MATRIX[contract]![who === 'alice' ? 'owner' : 'other'].includes(action);
        const r = attempt(t, who, action, id);
        // The contract allows it, but only freeware and private artifacts change hands (the recipient must control them).
        if (expected && action === 'transfer' && !isHandoverContract(contract)) {
          expect(!r.ok && r.error.code, `${who} ${action} under ${contract}`).toBe('INVALID_ARGS');
          continue;
        }
        expect(r.ok, `${who} ${action} under ${contract}: ${r.ok ? 'allowed' : r.error.message}`).toBe(expected);
        if (!r.ok) {
          expect(r.error.code).toBe('ACCESS_DENIED');
          expect(r.error.details).toMatchObject({ contract });
        }
      }
    });
  });

  it('self_owned lets the artifact itself act on itself', () => {
    const t = w();
    // A principal created by the operator is self-owned: it controls its own artifact.
    t.ok('bob', 'genesis_store', 'write', { id: 'bob', description: 'I am bob' });
    t.fail('alice', 'genesis_store', 'write', { id: 'bob', description: 'I am alice' }, 'ACCESS_DENIED');
  });

  describe('code contracts', () => {
    // carol's contracts govern alice's artifacts, so they are declared shared.
    const shared = (code: string) => (code.includes('export const terms = {') ? code.replace('export const terms = {', 'export const terms = { shared: true,') : `export const terms = { shared: true };\n${code}`);
    const writeContract = (t: TestWorld, id: string, code: string) => t.ok('carol', 'genesis_store', 'write', { id, kind: 'contract', code: shared(code), description: 'test contract' });
    const guarded = (t: TestWorld, contract: string, price = 0) =>
      t.ok('alice', 'genesis_store', 'write', codeArtifact('guarded', 'export function f(){ return "ran" }', [{ name: 'f', price }], { access_contract_id: contract }));

    it('allow based on caller, deny with the contract\'s reason', () => {
      const t = w();
      writeContract(t, 'only_bob', `export function check_permission(req, ctx) {
        if (req.caller === 'bob') return { allowed: true, reason: 'bob is welcome' };
        return { allowed: false, reason: 'only bob may ' + req.action + ' ' + req.target.id };
      }`);
      guarded(t, 'only_bob');
      expect(t.ok('bob', 'guarded', 'f', {})).toBe('ran');
      const e = t.fail('alice', 'guarded', 'f', {}, 'ACCESS_DENIED');
      expect(e.message).toContain('only bob may invoke guarded');
    });

    it('no owner bypass: a contract that denies everyone denies the owner too', () => {
      const t = w();
      writeContract(t, 'nobody', 'export function check_permission(){ return { allowed: false, reason: "closed" } }');
      guarded(t, 'nobody');
      const before = stateOf(t.world);
      t.fail('alice', 'guarded', 'f', {}, 'ACCESS_DENIED');
      t.fail('alice', 'genesis_store', 'write', { id: 'guarded', description: 'mine!' }, 'ACCESS_DENIED');
      t.fail('alice', 'genesis_store', 'read', { id: 'guarded' }, 'ACCESS_DENIED');
      t.fail('alice', 'genesis_store', 'delete', { id: 'guarded' }, 'ACCESS_DENIED');
      t.fail('alice', 'genesis_store', 'transfer', { id: 'guarded', to: 'bob' }, 'ACCESS_DENIED');
      expect(stateOf(t.world)).toBe(before);
    });

    it('sees method and args of an invoke', () => {
      const t = w();
      writeContract(t, 'small_only', 'export function check_permission(req){ return { allowed: req.action !== "invoke" || (req.method === "f" && req.args.n < 10), reason: "n must be < 10" } }');
      t.ok('alice', 'genesis_store', 'write', codeArtifact('guarded', 'export function f(a){ return a.n }', [{ name: 'f', inputSchema: { type: 'object', properties: { n: { type: 'number' } } } }], { access_contract_id: 'small_only' }));
      expect(t.ok('bob', 'guarded', 'f', { n: 3 })).toBe(3);
      t.fail('bob', 'guarded', 'f', { n: 30 }, 'ACCESS_DENIED');
    });

    it('a cost is paid by the caller to the contract\'s owner, on success only', () => {
      const t = w();
      writeContract(t, 'toll', 'export const terms = { fees: { invoke: 4, read: 4 } }; export function check_permission(req){ return { allowed: true, reason: "toll", cost: 4 } }');
      guarded(t, 'toll', 10);
      // The fee is charged only to a caller that accepts it.
      expect(t.call('bob', 'guarded', 'f', {}, { maxFee: 4 }).ok).toBe(true);
      const bal = (p: string) => t.ok(p, 'genesis_ledger', 'balance', {}).balances.scrip;
      expect(bal('bob')).toBe(100 - 10 - 4);
      expect(bal('alice')).toBe(100 + 10);
      expect(bal('carol')).toBe(100 + 4);
      // Reads pay the toll too.
      t.ok('bob', 'genesis_store', 'read', { id: 'guarded', max_fee: 4 });
      expect(bal('carol')).toBe(108);
      // A paid read retried with the same idempotency key pays once (why artifact_read is not read-only).
      for (let i = 0; i < 2; i++) expect(t.call('bob', 'genesis_store', 'read', { id: 'guarded', max_fee: 4 }, { idempotencyKey: 'read-1' }).ok).toBe(true);
      expect(bal('carol')).toBe(112);
    });

    it('a caller who cannot afford price plus cost is refused before running, and pays nothing', () => {
      const t = w();
      writeContract(t, 'toll', 'export const terms = { fees: { invoke: 95 } }; export function check_permission(){ return { allowed: true, cost: 95 } }');
      guarded(t, 'toll', 10);
      const before = stateOf(t.world);
      const r = t.call('bob', 'guarded', 'f', {}, { maxFee: 95 });
      const e = r.ok ? expect.unreachable('should fail') : r.error;
      expect(e.code).toBe('INSUFFICIENT_FUNDS');
      expect(e.details).toMatchObject({ need: 105, have: 100 });
      expect(stateOf(t.world)).toBe(before);
    });

    it.each([
      ['throws', 'export function check_permission(){ throw new Error("boom") }', /failed/],
      ['loops forever', 'export function check_permission(){ for(;;){} }', /timed out/],
      ['returns garbage', 'export function check_permission(){ return "yes" }', /did not return an object/],
      ['returns a non-boolean allowed', 'export function check_permission(){ return { allowed: "true" } }', /boolean/],
      ['returns a negative cost', 'export function check_permission(){ return { allowed: true, cost: -5 } }', /invalid cost/],
      ['returns a fractional cost', 'export function check_permission(){ return { allowed: true, cost: 0.5 } }', /invalid cost/],
      ['never settles', 'export async function check_permission(){ await new Promise(()=>{}) }', /failed/],
    ])('a contract that %s denies (fail closed)', (_l, code, reason) => {
      const t = w();
      writeContract(t, 'bad', code);
      guarded(t, 'bad');
      const before = stateOf(t.world);
      const e = t.fail('bob', 'guarded', 'f', {}, 'ACCESS_DENIED');
      expect(e.message).toMatch(reason);
      expect(stateOf(t.world)).toBe(before);
    });

    it('a contract cannot mutate state: it has no invoke, and its view is read-only', () => {
      const t = w();
      writeContract(t, 'thief', `export function check_permission(req) {
        if (typeof invoke !== 'undefined') invoke('genesis_ledger', 'transfer', { to: 'carol', amount: 50 });
        return { allowed: true, reason: 'balance ' + view.balance(req.caller) + ' owner ' + view.artifact(req.target.id).owner };
      }`);
      guarded(t, 'thief');
      const before = t.ok('carol', 'genesis_ledger', 'balance', { principal: 'bob' }).balances.scrip;
      expect(t.ok('bob', 'guarded', 'f', {})).toBe('ran');
      expect(t.ok('carol', 'genesis_ledger', 'balance', { principal: 'bob' }).balances.scrip).toBe(before);
      writeContract(t, 'thief2', 'export function check_permission(){ view.transfer = 1; return { allowed: true } }');
      guarded(t, 'thief2');
    });

    it('a missing or deleted contract falls back to the default and says so in an event', () => {
      const t = w();
      // alice's own contract (a shared one governing others' artifacts cannot be deleted).
      t.ok('alice', 'genesis_store', 'write', { id: 'temp', kind: 'contract', code: 'export function check_permission(){ return { allowed: false, reason: "no" } }' });
      guarded(t, 'temp');
      t.fail('bob', 'guarded', 'f', {}, 'ACCESS_DENIED');
      t.ok('alice', 'genesis_store', 'delete', { id: 'temp' });
      // Fallback is freeware: bob may invoke but not write.
      expect(t.ok('bob', 'guarded', 'f', {})).toBe('ran');
      const e = t.fail('bob', 'genesis_store', 'write', { id: 'guarded', description: 'x' }, 'ACCESS_DENIED');
      expect(e.message).toMatch(/temp was deleted; fell back to genesis_contract_freeware/);
      const ev = t.ok('bob', 'genesis_event_log', 'read', { types: ['contract_fallback'] }).events;
      expect(ev[0].payload).toEqual({ contract: 'temp', fallback: 'genesis_contract_freeware', reason: 'was deleted' });
    });

    it('refuses a contract artifact without check_permission, and non-contracts as contracts', () => {
      const t = w();
      const before = stateOf(t.world);
      t.fail('carol', 'genesis_store', 'write', { id: 'c', kind: 'contract', code: 'export function allow(){}' }, 'INVALID_ARGS');
      t.ok('carol', 'genesis_store', 'write', { id: 'plain', content: 'not a contract' });
      t.fail('alice', 'genesis_store', 'write', { id: 'x', content: '', access_contract_id: 'plain' }, 'INVALID_ARGS');
      expect(stateOf(t.world).length).toBeGreaterThan(before.length);
    });
  });
});
