import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestWorld, stateOf, type TestWorld } from '../helpers/world.ts';

describe('capability requests', () => {
  let t: TestWorld;
  beforeEach(async () => {
    t = await openTestWorld({ principals: ['alice', 'bob', 'carol'], config: { principal_defaults: { scrip: 100 }, capabilities: { max_open_per_principal: 2, max_reason_chars: 100 } } });
  });
  afterEach(async () => {
    const report = t.world.check();
    await t.world.close();
    expect(report.violations).toEqual([]);
  });
  const scrip = (p: string) => t.world.kernel.services.ledger.balance(p, 'scrip');
  const events = (type: string) => t.world.store.all<{ payload: string }>('SELECT payload FROM events WHERE type = ? ORDER BY seq', type).map((e) => JSON.parse(e.payload));

  it('an offer is held until decided; the same ask from others is merged as demand; granting pays the operator and issues the grant', () => {
    const a = t.ok('alice', 'genesis_capabilities', 'request', { capability: 'GitHub API access', reason: 'to read issues for my tool', offer: 10 });
    expect(a).toMatchObject({ merged: false, demand: 1, your_offer: 10 });
    expect(scrip('alice')).toBe(90);
    expect(scrip('genesis_capabilities')).toBe(10);
    const b = t.ok('bob', 'genesis_capabilities', 'request', { capability: '  github api   ACCESS ', reason: 'me too', offer: 5 });
    expect(b).toMatchObject({ id: a.id, merged: true, demand: 2, your_offer: 5 });
    // Asking again tops up the offer; demand counts principals, not asks.
    expect(t.ok('bob', 'genesis_capabilities', 'request', { capability: 'GitHub API access', reason: 'really', offer: 1 })).toMatchObject({ demand: 2, your_offer: 6 });

    // Others see the demand and the total offered, never each other's reasons.
    const seen = t.ok('carol', 'genesis_capabilities', 'list', {}).requests[0];
    expect(seen).toMatchObject({ id: a.id, capability: 'GitHub API access', status: 'open', demand: 2, offered: 16, mine: null });
    expect(JSON.stringify(seen)).not.toContain('me too');
    expect(t.ok('bob', 'genesis_capabilities', 'list', { mine: true }).requests[0].mine).toEqual({ reason: 'really', offer: 6 });
    expect(t.ok('carol', 'genesis_capabilities', 'list', { mine: true }).requests).toEqual([]);
    expect(JSON.stringify(events('capability_requested'))).not.toContain('me too');

    const opBefore = scrip('genesis_operator');
    const g = t.ok('genesis_operator', 'genesis_capabilities', 'approve', { id: a.id, note: 'key is in GITHUB_TOKEN now', grants: [{ asset: 'llm_budget_micro_usd', amount: 1_000 }] });
    expect(g).toEqual({ id: a.id, status: 'granted', paid: 16, backers: 2 });
    expect(scrip('genesis_operator')).toBe(opBefore + 16);
    expect(scrip('genesis_capabilities')).toBe(0);
    expect(t.world.kernel.services.ledger.balance('bob', 'llm_budget_micro_usd')).toBeGreaterThanOrEqual(1_000);
    expect(t.ok('alice', 'genesis_capabilities', 'list', { status: 'granted' }).requests[0]).toMatchObject({ status: 'granted', note: 'key is in GITHUB_TOKEN now' });
    expect(events('capability_granted')[0]).toMatchObject({ request_id: a.id, note: 'key is in GITHUB_TOKEN now' });
    // A decision is final.
    const twice = t.fail('genesis_operator', 'genesis_capabilities', 'approve', { id: a.id }, 'CONFLICT');
    expect(twice.message).toMatch(/already granted/);
    t.fail('genesis_operator', 'genesis_capabilities', 'deny', { id: a.id }, 'CONFLICT');
  });

  it('denial refunds every offer; only the operator decides; bad asks change nothing', () => {
    const a = t.ok('alice', 'genesis_capabilities', 'request', { capability: 'a paid search API', reason: 'research', offer: 30 });
    t.ok('carol', 'genesis_capabilities', 'request', { capability: 'a paid search api', reason: 'same', offer: 7 });
    const before = stateOf(t.world);
    t.fail('alice', 'genesis_capabilities', 'approve', { id: a.id }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_capabilities', 'deny', { id: a.id }, 'ACCESS_DENIED');
    t.fail('bob', 'genesis_capabilities', 'request', { capability: 'x'.repeat(300), reason: 'r' }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_capabilities', 'request', { capability: 'something', reason: 'r'.repeat(101) }, 'INVALID_ARGS');
    t.fail('bob', 'genesis_capabilities', 'request', { capability: 'something', reason: 'r', offer: 1_000 }, 'INSUFFICIENT_FUNDS');
    t.fail('bob', 'genesis_capabilities', 'request', { capability: 'something', reason: 'r', offer: -1 }, 'INVALID_ARGS');
    t.fail('genesis_operator', 'genesis_capabilities', 'approve', { id: 'cap_000000000000000000000000' }, 'NOT_FOUND');
    expect(stateOf(t.world)).toBe(before);

    const d = t.ok('genesis_operator', 'genesis_capabilities', 'deny', { id: a.id, note: 'not in budget' });
    expect(d).toEqual({ id: a.id, status: 'denied', refunded: 37 });
    expect(scrip('alice')).toBe(100);
    expect(scrip('carol')).toBe(100);
    expect(events('capability_denied')[0]).toMatchObject({ request_id: a.id, note: 'not in budget', refunded: 37 });
    // Asking again after a denial opens a new request.
    expect(t.ok('alice', 'genesis_capabilities', 'request', { capability: 'a paid search API', reason: 'please' }).id).not.toBe(a.id);
  });

  it('limits the open requests one principal backs', () => {
    t.ok('bob', 'genesis_capabilities', 'request', { capability: 'one thing', reason: 'r' });
    t.ok('bob', 'genesis_capabilities', 'request', { capability: 'two things', reason: 'r' });
    const e = t.fail('bob', 'genesis_capabilities', 'request', { capability: 'three things', reason: 'r' }, 'LIMIT_EXCEEDED');
    expect(e.message).toMatch(/capability_list \{mine: true\}/);
    // Backing one already backed is no new request.
    t.ok('bob', 'genesis_capabilities', 'request', { capability: 'one thing', reason: 'again', offer: 1 });
  });
});
