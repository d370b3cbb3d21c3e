import { describe, expect, it } from 'vitest';
import { stateOf, useWorld, type TestWorld } from '../helpers/world.ts';
import { scripOf, serviceCall, serviceFail } from '../helpers/services.ts';

const DAY_S = 86_400;

/** alice borrows `principal` from bob at `bps` per day, due in `dueDays`; she approves collection first. */
function lend(t: TestWorld, principal = 500, bps = 100, dueDays = 3) {
  t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: Math.max(10_000, principal) });
  const d = serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal, interest_bps_per_day: bps, due_in_s: dueDays * DAY_S });
  serviceCall(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, principal);
  return d.id as string;
}

describe('genesis_debt', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'], config: { principal_defaults: { scrip: 1_000 } } });

  it('issue makes a pending debt; accept forwards the attached loan to the debtor in the same command', () => {
    const t = w();
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 600 });
    const d = serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 500, interest_bps_per_day: 100, due_in_s: 3 * DAY_S });
    expect(d).toMatchObject({ debtor: 'alice', creditor: 'bob', principal: 500, status: 'pending', owed: 0 });
    expect(d.id).toMatch(/^genesis_debt\.debt_[0-9a-f]{16}$/);
    const a = serviceCall(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 500);
    expect(a).toMatchObject({ status: 'active', owed: 500, accepted_at: t.clock.now() });
    expect([scripOf(t, 'alice'), scripOf(t, 'bob'), scripOf(t, 'genesis_debt')]).toEqual([1_500, 500, 0]);
    // The record is an ordinary data artifact the service owns: anyone can read it, no one else can write it.
    // It lives in the service's namespace, where only the service can create ids.
    expect(t.peek('genesis_store', 'info', { id: d.id }).owner).toBe('genesis_debt');
    t.fail('bob', 'genesis_store', 'write', { id: d.id, content: '{"status":"repaid"}' }, 'ACCESS_DENIED');
  });

  it('interest is simple and integer per whole day from acceptance; overpaying returns the excess', () => {
    const t = w();
    t.clock.advance(7 * DAY_S * 1000); // time before acceptance accrues nothing
    const id = lend(t, 500, 100, 10);
    t.clock.advance(2.5 * DAY_S * 1000);
    expect(serviceCall(t, 'carol', 'genesis_debt', 'check', { debt_id: id }).owed).toBe(510); // 500 + 2 days × 1%
    const r = serviceCall(t, 'alice', 'genesis_debt', 'repay', { debt_id: id }, 600);
    expect(r).toMatchObject({ status: 'repaid', paid: 510, returned: 90, owed: 0, repaid: 510 });
    expect([scripOf(t, 'alice'), scripOf(t, 'bob'), scripOf(t, 'genesis_debt')]).toEqual([990, 1_010, 0]);
    serviceFail(t, 'alice', 'genesis_debt', 'repay', { debt_id: id }, 'CONFLICT', 10);
  });

  it('interest stays exact for loans near the largest safe integer', () => {
    const t = w();
    const big = 2 ** 52;
    t.world.grant('bob', 'scrip', big);
    const id = lend(t, big, 7, 30);
    t.clock.advance(3 * DAY_S * 1000);
    // 2^52 × 7 × 3 / 10000 exceeds 2^53 before dividing; BigInt keeps it exact.
    const expected = big + Number((BigInt(big) * 21n) / 10_000n);
    expect(serviceCall(t, 'bob', 'genesis_debt', 'check', { debt_id: id }).owed).toBe(expected);
  });

  it('repaying in parts, then collecting the rest on the due date through the approval', () => {
    const t = w();
    const id = lend(t, 500, 0, 3);
    serviceCall(t, 'alice', 'genesis_debt', 'repay', { debt_id: id }, 200);
    expect(serviceFail(t, 'bob', 'genesis_debt', 'collect', { debt_id: id }, 'CONFLICT').message).toMatch(/not due until/);
    t.clock.advance(3 * DAY_S * 1000);
    const c = serviceCall(t, 'bob', 'genesis_debt', 'collect', { debt_id: id });
    expect(c).toMatchObject({ outcome: 'settled', collected_now: 300, status: 'repaid', owed: 0 });
    expect([scripOf(t, 'alice'), scripOf(t, 'bob')]).toEqual([1_000, 1_000]);
  });

  it('collection is partial when the debtor is short, and a default when there is nothing to draw', () => {
    const t = w();
    const id = lend(t, 500, 0, 1);
    t.ok('alice', 'genesis_ledger', 'transfer', { to: 'carol', amount: 1_300 }); // alice keeps 200
    t.clock.advance(DAY_S * 1000);
    expect(serviceCall(t, 'bob', 'genesis_debt', 'collect', { debt_id: id })).toMatchObject({ outcome: 'partial', collected_now: 200, status: 'active', owed: 300 });
    expect(scripOf(t, 'alice')).toBe(0);
    expect(serviceCall(t, 'bob', 'genesis_debt', 'collect', { debt_id: id })).toMatchObject({ outcome: 'defaulted', collected_now: 0, status: 'defaulted', owed: 300 });
    // A defaulted claim can still be sold, and collected by its new holder once the debtor has funds.
    serviceCall(t, 'bob', 'genesis_debt', 'transfer_creditor', { debt_id: id, to: 'carol' });
    serviceFail(t, 'bob', 'genesis_debt', 'collect', { debt_id: id }, 'ACCESS_DENIED');
    t.ok('carol', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1_000 });
    expect(serviceCall(t, 'carol', 'genesis_debt', 'collect', { debt_id: id })).toMatchObject({ outcome: 'settled', collected_now: 300, status: 'repaid' });
    expect([scripOf(t, 'alice'), scripOf(t, 'bob'), scripOf(t, 'carol')]).toEqual([700, 700, 1_600]);
  });

  it('nothing can be drawn beyond the approval, after it was revoked, or after it expired', () => {
    const t = w();
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 500, expires_in_s: 2 * DAY_S });
    const d = serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 500, interest_bps_per_day: 1_000, due_in_s: DAY_S });
    serviceCall(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 500);
    t.clock.advance(DAY_S * 1000);
    // 550 owed, 500 approved: collection stops at the approval.
    expect(serviceCall(t, 'bob', 'genesis_debt', 'collect', { debt_id: d.id })).toMatchObject({ outcome: 'partial', collected_now: 500, owed: 50 });
    expect(t.peek('genesis_ledger', 'balance', { principal: 'alice' }).allowances.granted).toEqual([]);
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 50, expires_in_s: 10 });
    t.clock.advance(11_000);
    expect(serviceCall(t, 'bob', 'genesis_debt', 'collect', { debt_id: d.id })).toMatchObject({ outcome: 'defaulted', collected_now: 0 });
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 50 });
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 0 });
    expect(serviceCall(t, 'bob', 'genesis_debt', 'collect', { debt_id: d.id })).toMatchObject({ outcome: 'defaulted', collected_now: 0 });
    // Nor can a principal pull on the service's behalf: only its own code acts as genesis_debt.
    t.fail('bob', 'genesis_ledger', 'transfer_from', { principal: 'alice', to: 'bob', amount: 1 }, 'ACCESS_DENIED');
    expect(scripOf(t, 'alice')).toBe(1_000);
  });

  it('accept refuses, changing nothing, without an approval, with the wrong pay, from anyone but the creditor, or twice', () => {
    const t = w();
    const d = serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 500, interest_bps_per_day: 0, due_in_s: DAY_S });
    let before = stateOf(t.world);
    expect(serviceFail(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 'CONFLICT', 500).message).toMatch(/ledger_approve/);
    expect(stateOf(t.world)).toBe(before);
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 500 });
    before = stateOf(t.world);
    expect(serviceFail(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 'INVALID_ARGS', 499).message).toMatch(/attach pay = 500/);
    serviceFail(t, 'carol', 'genesis_debt', 'accept', { debt_id: d.id }, 'ACCESS_DENIED', 500);
    expect(stateOf(t.world)).toBe(before);
    serviceCall(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 500);
    serviceFail(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 'CONFLICT', 500);
    expect(scripOf(t, 'bob')).toBe(500);
  });

  it('a pending debt can be called off by either party, and then nothing more', () => {
    const t = w();
    const issue = () => serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 10, interest_bps_per_day: 0, due_in_s: 60 }).id as string;
    const a = issue();
    const b = issue();
    serviceFail(t, 'carol', 'genesis_debt', 'cancel', { debt_id: a }, 'ACCESS_DENIED');
    expect(serviceCall(t, 'alice', 'genesis_debt', 'cancel', { debt_id: a })).toMatchObject({ status: 'cancelled', cancelled_by: 'alice' });
    expect(serviceCall(t, 'bob', 'genesis_debt', 'cancel', { debt_id: b })).toMatchObject({ status: 'cancelled', cancelled_by: 'bob' });
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 10 });
    // Called off before it began, the record is removed (proposing and cancelling leaves no disk behind).
    expect(serviceFail(t, 'bob', 'genesis_debt', 'accept', { debt_id: a }, 'NOT_FOUND', 10).message).toMatch(/called off/);
    serviceFail(t, 'bob', 'genesis_debt', 'cancel', { debt_id: a }, 'NOT_FOUND');
    expect(serviceCall(t, 'alice', 'genesis_debt', 'list', {}).debts).toEqual([]);
    // Ids of removed records are never reused.
    const c = issue();
    expect([a, b]).not.toContain(c);
  });

  it('caps the debts a debtor may have waiting for a creditor', () => {
    const t = w();
    const issue = (creditor: string) => t.call('alice', 'genesis_store', 'invoke', { id: 'genesis_debt', method: 'issue', args: { creditor, principal: 1, interest_bps_per_day: 0, due_in_s: 600 } });
    for (let i = 0; i < 20; i++) expect(issue(i % 2 ? 'bob' : 'carol').ok).toBe(true);
    // Debts others propose to alice as creditor do not count against her.
    serviceCall(t, 'bob', 'genesis_debt', 'issue', { creditor: 'alice', principal: 1, interest_bps_per_day: 0, due_in_s: 600 });
    const before = stateOf(t.world);
    const r = issue('bob');
    expect(!r.ok && r.error.code).toBe('QUOTA_EXCEEDED');
    expect(stateOf(t.world)).toBe(before);
    const one = serviceCall(t, 'alice', 'genesis_debt', 'list', { status: 'pending', principal: 'alice' }).debts.find((d: { debtor: string }) => d.debtor === 'alice');
    serviceCall(t, 'alice', 'genesis_debt', 'cancel', { debt_id: one.id });
    expect(issue('bob').ok).toBe(true);
  });

  it('bad input gets a clear error and changes nothing', () => {
    const t = w();
    const before = stateOf(t.world);
    const issue = (args: object) => ({ creditor: 'bob', principal: 10, interest_bps_per_day: 0, due_in_s: 60, ...args });
    serviceFail(t, 'alice', 'genesis_debt', 'issue', issue({ creditor: 'alice' }), 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_debt', 'issue', issue({ creditor: 'nobody' }), 'NOT_FOUND');
    serviceFail(t, 'alice', 'genesis_debt', 'issue', issue({ principal: 0 }), 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_debt', 'issue', issue({ principal: 1.5 }), 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_debt', 'issue', issue({ from: 'bob' }), 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_debt', 'check', { debt_id: 'genesis_debt.debt_0000000000000000' }, 'NOT_FOUND');
    serviceFail(t, 'alice', 'genesis_debt', 'check', { debt_id: 'nonsense' }, 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_debt', 'forgive', { debt_id: 'genesis_debt.debt_0000000000000000' }, 'NOT_FOUND');
    expect(stateOf(t.world)).toBe(before);
    // Nobody else can write a look-alike record where the service keeps its debts; one elsewhere is no debt.
    t.fail('alice', 'genesis_store', 'write', { id: 'genesis_debt.debt_00000000000000aa', kind: 'data', content: '{"status":"active"}' }, 'ACCESS_DENIED');
    t.ok('alice', 'genesis_store', 'write', { id: 'debt_00000000000000aa', kind: 'data', content: '{"status":"active"}' });
    serviceFail(t, 'bob', 'genesis_debt', 'check', { debt_id: 'debt_00000000000000aa' }, 'INVALID_ARGS');
    expect(serviceFail(t, 'bob', 'genesis_debt', 'check', { debt_id: 'genesis_debt.debt_00000000000000aa' }, 'NOT_FOUND').message).toMatch(/no debt/);
  });

  it('is an ordinary artifact: its code is readable and no one can rewrite it', () => {
    const t = w();
    const a = t.ok('carol', 'genesis_store', 'read', { id: 'genesis_debt' });
    expect(a).toMatchObject({ kind: 'code', owner: 'genesis_debt', has_standing: true });
    expect(a.code).toContain('export function collect');
    t.fail('carol', 'genesis_store', 'write', { id: 'genesis_debt', code: 'export function issue(){}' }, 'ACCESS_DENIED');
    t.fail('genesis_operator', 'genesis_store', 'write', { id: 'genesis_debt', code: 'export function issue(){}' }, 'ACCESS_DENIED');
  });

  it('list and check show debts by party and status', () => {
    const t = w();
    const one = lend(t, 100, 0, 1);
    const two = serviceCall(t, 'carol', 'genesis_debt', 'issue', { creditor: 'alice', principal: 40, interest_bps_per_day: 0, due_in_s: 60 }).id;
    const ids = (r: { debts: { id: string }[] }) => r.debts.map((d) => d.id).sort();
    expect(ids(serviceCall(t, 'alice', 'genesis_debt', 'list', {}))).toEqual([one, two].sort());
    expect(ids(serviceCall(t, 'alice', 'genesis_debt', 'list', { status: 'pending' }))).toEqual([two]);
    expect(ids(serviceCall(t, 'alice', 'genesis_debt', 'list', { principal: 'bob' }))).toEqual([one]);
    expect(serviceCall(t, 'alice', 'genesis_debt', 'list', { principal: 'bob', status: 'repaid' })).toMatchObject({ principal: 'bob', debts: [], complete: true });
  });

  it('lists many debts page by page, within the nested-call limit of one command', () => {
    const t = w();
    // Every nested call counts against the caller's calls window; this test makes thousands.
    for (const p of ['alice', 'bob', 'carol']) t.world.grant(p, 'calls', 100_000);
    // Each agent may owe at most 40 debts at once; alice and carol each owe bob 40.
    for (const debtor of ['alice', 'carol']) {
      t.ok(debtor, 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 1_000 });
      for (let i = 0; i < 40; i++) {
        const d = serviceCall(t, debtor, 'genesis_debt', 'issue', { creditor: 'bob', principal: 1, interest_bps_per_day: 0, due_in_s: 600 });
        serviceCall(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 1);
      }
    }
    expect(serviceFail(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 1, interest_bps_per_day: 0, due_in_s: 600 }, 'QUOTA_EXCEEDED').message).toMatch(/40 open debts/);
    const pages = [serviceCall(t, 'bob', 'genesis_debt', 'list', {})];
    while (!pages[pages.length - 1].complete) pages.push(serviceCall(t, 'bob', 'genesis_debt', 'list', { cursor: pages[pages.length - 1].next_cursor }));
    // 50 records a call, within the 64 calls a call may take from its caller by default.
    expect(pages.map((p) => p.debts.length)).toEqual([50, 30]);
    const ids = new Set(pages.flatMap((p) => p.debts).map((d: { id: string }) => d.id));
    expect(ids.size).toBe(80);
  });
});

describe('genesis code services under a permissive default contract', () => {
  const w = useWorld({ principals: ['alice', 'bob'], config: { contracts: { default: 'genesis_contract_public' } } });

  it('keep their records writable only by themselves', () => {
    const t = w();
    const d = serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 10, interest_bps_per_day: 0, due_in_s: 60 });
    expect(t.peek('genesis_store', 'info', { id: d.id }).access_contract_id).toBe('genesis_contract_freeware');
    t.fail('bob', 'genesis_store', 'write', { id: d.id, content: '{}' }, 'ACCESS_DENIED');
    const task = serviceCall(t, 'alice', 'genesis_taskboard', 'post', { title: 't', expires_in_s: 60 }, 5);
    t.fail('bob', 'genesis_store', 'write', { id: task.id, content: '{}' }, 'ACCESS_DENIED');
    serviceCall(t, 'alice', 'genesis_lock', 'acquire', { name: 'l', ttl_s: 60 });
    t.fail('bob', 'genesis_store', 'write', { id: 'genesis_lock.lock_l', content: '{}' }, 'ACCESS_DENIED');
  });
});
