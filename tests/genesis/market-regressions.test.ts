import { describe, expect, it } from 'vitest';
import { T0, codeArtifact, openTestWorld, stateOf, useWorld, type TestWorld } from '../helpers/world.ts';
import { scripOf, serviceCall, serviceFail } from '../helpers/services.ts';
import { fakeLlm } from '../helpers/llm.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';

/**
 * Regressions from an adversarial review of the markets: each test is named after the attack, and
 * shows it now fails cleanly and changes nothing.
 */

const DAY_S = 86_400;
const PERIOD = 60_000;
const MINT: ConfigInput = { mint: { period_ms: PERIOD, first_at: T0 + PERIOD, slots: 1, minimum_bid: 1, mint_ratio: 10 } };

function resolve(t: TestWorld): any {
  t.clock.set(Math.max(t.clock.now(), t.peek('genesis_mint', 'status', {}).next_resolution_at));
  t.world.settle();
  return t.peek('genesis_mint', 'status', {}).last;
}

describe('forged service records', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'mallory'], config: { principal_defaults: { scrip: 1_000 } } });

  it('a debt record written by someone else is no debt, even in the service\'s hands', () => {
    const t = w();
    t.ok('bob', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 10_000 });
    const id = 'genesis_debt.debt_00000000deadbeef';
    const forged = { id, debtor: 'bob', creditor: 'mallory', principal: 1_000_000, interest_bps_per_day: 0, due_at: 0, status: 'active', created_at: 0, accepted_at: 0, repaid: 0, collected: 0 };
    // The service's records live in its namespace, where mallory cannot create an id ...
    t.fail('mallory', 'genesis_store', 'write', { id, kind: 'data', content: JSON.stringify(forged) }, 'ACCESS_DENIED');
    t.ok('mallory', 'genesis_store', 'write', { id: 'look-alike', kind: 'data', content: JSON.stringify(forged) });
    // ... handing a look-alike over is refused outright ...
    t.fail('mallory', 'genesis_store', 'transfer', { id: 'look-alike', to: 'genesis_debt' }, 'ACCESS_DENIED');
    // ... and a record anywhere else is never read as one of its debts.
    expect(serviceFail(t, 'mallory', 'genesis_debt', 'collect', { debt_id: id }, 'NOT_FOUND').message).toMatch(/no debt/);
    expect(scripOf(t, 'bob')).toBe(1_000);
  });

  it('a task record handed to the board cannot drain the bounties it holds', () => {
    const t = w();
    serviceCall(t, 'alice', 'genesis_taskboard', 'post', { title: 'job a', expires_in_s: 3600 }, 400);
    const id = 'genesis_taskboard.task_00000000deadbeef';
    const forged = JSON.stringify({ id, poster: 'mallory', bounty: 400, status: 'open', expires_at: 9e15 });
    t.fail('mallory', 'genesis_store', 'write', { id, kind: 'data', content: forged }, 'ACCESS_DENIED');
    t.ok('mallory', 'genesis_store', 'write', { id: 'task_00000000deadbeef', kind: 'data', content: forged });
    t.fail('mallory', 'genesis_store', 'transfer', { id: 'task_00000000deadbeef', to: 'genesis_taskboard' }, 'ACCESS_DENIED');
    serviceFail(t, 'mallory', 'genesis_taskboard', 'cancel', { task_id: id }, 'NOT_FOUND');
    expect(scripOf(t, 'genesis_taskboard')).toBe(400);
    // Junk under the service's naming cannot break its list either.
    t.ok('mallory', 'genesis_store', 'write', { id: 'task_junk', kind: 'data', description: 'task', content: 'not json' });
    expect(serviceCall(t, 'bob', 'genesis_taskboard', 'list', {}).tasks).toHaveLength(1);
  });

  it('a lock record someone else wrote is not a lock held by whoever it names', () => {
    const t = w();
    const forged = JSON.stringify({ name: 'deploy', holder: 'bob', lease_id: 'x', expires_at: 4e12 });
    t.fail('mallory', 'genesis_store', 'write', { id: 'genesis_lock.lock_deploy', kind: 'data', content: forged }, 'ACCESS_DENIED');
    t.ok('mallory', 'genesis_store', 'write', { id: 'lock_deploy', kind: 'data', content: forged });
    t.fail('mallory', 'genesis_store', 'transfer', { id: 'lock_deploy', to: 'genesis_lock' }, 'ACCESS_DENIED');
    expect(serviceCall(t, 'alice', 'genesis_lock', 'check', { name: 'deploy' })).toEqual({ name: 'deploy', held: false });
  });

  it('nothing is handed to a genesis service to fill its disk', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', { id: 'junk', kind: 'data', content: 'z'.repeat(200_000) });
    for (const to of ['genesis_taskboard', 'genesis_debt', 'genesis_lock', 'genesis_mint', 'genesis_operator']) {
      t.fail('mallory', 'genesis_store', 'transfer', { id: 'junk', to }, 'ACCESS_DENIED');
    }
  });
});

describe('unsolicited gifts', () => {
  const w = useWorld({ principals: ['alice', 'mallory'] });

  it('an artifact under a code contract cannot be pushed onto someone who could then not delete it', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', { id: 'mc', kind: 'contract', code: 'export function check_permission(r){ return { allowed: r.caller === "mallory" } }' });
    t.ok('mallory', 'genesis_store', 'write', { id: 'gift', kind: 'data', content: 'z'.repeat(100_000), access_contract_id: 'mc' });
    const before = stateOf(t.world);
    expect(t.fail('mallory', 'genesis_store', 'transfer', { id: 'gift', to: 'alice' }, 'INVALID_ARGS').message).toMatch(/genesis_contract_freeware or genesis_contract_private/);
    expect(stateOf(t.world)).toBe(before);
    // Even under a built-in contract, nothing lands on alice's quota unless she takes it (escrow).
    t.ok('mallory', 'genesis_store', 'write', { id: 'gift2', kind: 'data', content: 'z'.repeat(100_000) });
    t.fail('mallory', 'genesis_store', 'transfer', { id: 'gift2', to: 'alice' }, 'ACCESS_DENIED');
    const l = t.ok('mallory', 'genesis_escrow', 'list', { artifact_id: 'gift2', price: 0, buyer: 'alice' });
    t.ok('alice', 'genesis_escrow', 'purchase', { listing_id: l.listing_id });
    t.ok('alice', 'genesis_store', 'delete', { id: 'gift2' });
  });

  it('a public artifact cannot be given away and then taken over by switching its contract', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', { id: 'mc', kind: 'contract', code: 'export function check_permission(r){ return { allowed: r.caller === "mallory" } }' });
    t.ok('mallory', 'genesis_store', 'write', { id: 'gift', kind: 'data', content: 'x', access_contract_id: 'genesis_contract_public' });
    t.fail('mallory', 'genesis_store', 'transfer', { id: 'gift', to: 'alice' }, 'INVALID_ARGS');
    // Public lets anyone write, but only the owner may change the contract.
    t.ok('alice', 'genesis_store', 'write', { id: 'shared', kind: 'data', content: 'x', access_contract_id: 'genesis_contract_public' });
    t.ok('mallory', 'genesis_store', 'write', { id: 'shared', content: 'edited' });
    expect(t.fail('mallory', 'genesis_store', 'write', { id: 'shared', access_contract_id: 'mc' }, 'ACCESS_DENIED').message).toMatch(/Only the owner \(alice\) may change the contract/);
  });
});

describe('the door', () => {
  const w = useWorld({ principals: ['mallory'] });

  it('artifact_invoke nested inside artifact_invoke is refused at once, however deep', () => {
    const t = w();
    const nested = (hops: number) => {
      let args: Record<string, unknown> = { id: 'genesis_ledger', method: 'balance', args: {} };
      for (let i = 0; i < hops; i++) args = { id: 'genesis_store', method: 'invoke', args };
      return args;
    };
    expect(t.fail('mallory', 'genesis_store', 'invoke', nested(20), 'INVALID_ARGS').message).toMatch(/cannot be called through itself/);
    // Thousands deep, the arguments' nesting limit refuses it before anything recurses into them.
    expect(t.fail('mallory', 'genesis_store', 'invoke', nested(4000), 'INVALID_ARGS').message).toMatch(/max_args_depth/);
    // One hop is the tool working as intended.
    expect(t.ok('mallory', 'genesis_store', 'invoke', { id: 'genesis_ledger', method: 'balance', args: {} }).principal).toBe('mallory');
  });

  it('the world\'s own accounts take no scrip: not by transfer, attached pay or rights', () => {
    const t = w();
    const before = stateOf(t.world);
    t.fail('mallory', 'genesis_ledger', 'transfer', { to: 'genesis_mint', amount: 1 }, 'ACCESS_DENIED');
    t.fail('mallory', 'genesis_store', 'invoke', { id: 'genesis_mint', method: 'status', args: {}, pay: 1 }, 'INVALID_ARGS');
    t.fail('mallory', 'genesis_rights', 'transfer', { to: 'genesis_burn', resource: 'calls', amount: 1 }, 'ACCESS_DENIED');
    expect(stateOf(t.world)).toBe(before);
  });

  it('two listings made in one command get distinct ids (list, cancel, list again)', () => {
    const t = w();
    const code = `export function go(){ const a = invoke('genesis_escrow','list',{artifact_id:'note', price: 1}); invoke('genesis_escrow','cancel',{listing_id: a.listing_id}); const b = invoke('genesis_escrow','list',{artifact_id:'note', price: 2}); return [a.listing_id, b.listing_id]; }`;
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('seller', code, [{ name: 'go' }], { has_standing: true }));
    t.ok('mallory', 'genesis_store', 'write', { id: 'note', content: 'x' });
    t.ok('mallory', 'genesis_rights', 'transfer', { to: 'seller', resource: 'disk_bytes', amount: 1_000 });
    t.ok('mallory', 'genesis_store', 'transfer', { id: 'note', to: 'seller' });
    const [a, b] = t.ok<string[]>('mallory', 'seller', 'go', {});
    expect(a).not.toBe(b);
    expect(t.peek('genesis_escrow', 'listings', {}).listings.map((l: { listing_id: string }) => l.listing_id)).toEqual([b]);
  });
});

describe('escrow sells only what stays sold', () => {
  const w = useWorld({ principals: ['bob', 'mallory'], config: { principal_defaults: { scrip: 1_000 } } });

  it('an artifact under a code contract its seller could rewrite after the sale cannot be listed', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', { id: 'mc', kind: 'contract', code: 'export function check_permission(r){ return { allowed: r.caller === r.target.owner || r.action === "read" || r.action === "invoke" } }' });
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('gem', 'export function run(){ return 42 }', [{ name: 'run' }], { access_contract_id: 'mc' }));
    expect(t.fail('mallory', 'genesis_escrow', 'list', { artifact_id: 'gem', price: 500 }, 'INVALID_ARGS').message).toMatch(/genesis_contract_freeware or genesis_contract_private/);
    // Switched to a built-in contract, it sells, and the buyer keeps it.
    t.ok('mallory', 'genesis_store', 'write', { id: 'gem', access_contract_id: 'genesis_contract_freeware' });
    const l = t.ok('mallory', 'genesis_escrow', 'list', { artifact_id: 'gem', price: 500 }).listing_id;
    t.ok('bob', 'genesis_escrow', 'purchase', { listing_id: l });
    t.ok('mallory', 'genesis_store', 'write', { id: 'mc', code: 'export function check_permission(r){ return { allowed: r.caller === "mallory" } }' });
    t.fail('mallory', 'genesis_store', 'transfer', { id: 'gem', to: 'mallory' }, 'ACCESS_DENIED');
    expect(t.peek('genesis_store', 'info', { id: 'gem' }).owner).toBe('bob');
  });

  it('an account (an artifact with standing) cannot be sold with whatever approvals it carries', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('wallet', 'export function run(){ return 1 }', [{ name: 'run' }], { has_standing: true }));
    expect(t.fail('mallory', 'genesis_escrow', 'list', { artifact_id: 'wallet', price: 5 }, 'INVALID_ARGS').message).toMatch(/own ledger account/);
  });
});

describe('task board claims', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'mallory'], config: { principal_defaults: { scrip: 1_000 } } });

  it('a claimant who sits on a task can be turned down, and cannot claim it again', () => {
    const t = w();
    const id = serviceCall(t, 'alice', 'genesis_taskboard', 'post', { title: 'job', expires_in_s: 365 * DAY_S }, 500).id;
    serviceCall(t, 'mallory', 'genesis_taskboard', 'claim', { task_id: id });
    expect(serviceCall(t, 'alice', 'genesis_taskboard', 'reject', { task_id: id, reason: 'no progress' })).toMatchObject({ status: 'open', claimant: null });
    expect(serviceFail(t, 'mallory', 'genesis_taskboard', 'claim', { task_id: id }, 'CONFLICT').message).toMatch(/turned you down/);
    serviceCall(t, 'bob', 'genesis_taskboard', 'claim', { task_id: id });
    // Or the poster takes the bounty back once it is open again.
    serviceCall(t, 'alice', 'genesis_taskboard', 'reject', { task_id: id });
    serviceCall(t, 'alice', 'genesis_taskboard', 'cancel', { task_id: id });
    expect(scripOf(t, 'alice')).toBe(1_000);
  });

  it('services refuse payments their methods do not take, rather than keep them', () => {
    const t = w();
    const before = stateOf(t.world);
    serviceFail(t, 'alice', 'genesis_lock', 'check', { name: 'x' }, 'INVALID_ARGS', 50);
    serviceFail(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 5, interest_bps_per_day: 0, due_in_s: 60 }, 'INVALID_ARGS', 5);
    serviceFail(t, 'alice', 'genesis_taskboard', 'list', {}, 'INVALID_ARGS', 1);
    expect(stateOf(t.world)).toBe(before);
  });
});

describe('mint sybils', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol', 'mallory'], config: MINT });

  it('wallets made to own themselves take no UBI share', () => {
    const t = w();
    for (let i = 0; i < 3; i++) {
      const id = `mw${i}`;
      t.ok('mallory', 'genesis_store', 'write', codeArtifact(id, 'export function run(){ return 1 }', [{ name: 'run' }], { has_standing: true }));
      t.ok('mallory', 'genesis_rights', 'transfer', { to: id, resource: 'disk_bytes', amount: t.peek('genesis_store', 'info', { id }).size_bytes });
      t.ok('mallory', 'genesis_store', 'transfer', { id, to: id });
    }
    t.ok('alice', 'genesis_store', 'write', codeArtifact('a1', 'export function run(){ return 1 }', [{ name: 'run' }]));
    t.ok('bob', 'genesis_store', 'write', codeArtifact('b1', 'export function run(){ return 2 }', [{ name: 'run' }]));
    t.ok('alice', 'genesis_mint', 'bid', { artifact_id: 'a1', amount: 50 });
    t.ok('bob', 'genesis_mint', 'bid', { artifact_id: 'b1', amount: 45 });
    const last = resolve(t);
    expect(last).toMatchObject({ price: 45, ubi_recipients: 3, ubi_each: 15, ubi_burned: 0 });
    for (let i = 0; i < 3; i++) expect(scripOf(t, `mw${i}`)).toBe(0);
  });

  it('calls through one\'s own wallets do not count as other paying users', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('m1', 'export function run(){ return 1 }', [{ name: 'run', price: 1 }]));
    for (let i = 0; i < 5; i++) {
      const id = `sy${i}`;
      t.ok('mallory', 'genesis_store', 'write', codeArtifact(id, 'export function go(){ invoke("m1", "run", {}) }', [{ name: 'go' }], { has_standing: true }));
      t.ok('mallory', 'genesis_ledger', 'transfer', { to: id, amount: 1 });
      t.ok('mallory', id, 'go', {});
    }
    // One real user, calling through a wallet of their own, counts once, as themselves.
    t.ok('bob', 'genesis_store', 'write', codeArtifact('bobw', 'export function go(){ invoke("m1", "run", {}) }', [{ name: 'go' }], { has_standing: true }));
    t.ok('bob', 'genesis_ledger', 'transfer', { to: 'bobw', amount: 1 });
    t.ok('bob', 'bobw', 'go', {});
    t.ok('mallory', 'genesis_mint', 'bid', { artifact_id: 'm1', amount: 1 });
    expect(resolve(t).winners[0]).toMatchObject({ bidder: 'mallory', score: 10, minted: 1 });
  });
});

describe('mint usage score, gamed through relays and wallets', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol', 'mallory'], config: MINT });

  it('callers of a free relay that pays from its own account count as its maker, not as paying users', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('tool', 'export function run(){ return 1 }', [{ name: 'run', price: 1 }]));
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('relay', 'export function hello(){ invoke("tool", "run", {}); return "hi" }', [{ name: 'hello' }], { has_standing: true }));
    t.ok('mallory', 'genesis_ledger', 'transfer', { to: 'relay', amount: 10 });
    for (const p of ['alice', 'bob', 'carol']) t.ok(p, 'relay', 'hello', {});
    t.ok('mallory', 'genesis_mint', 'bid', { artifact_id: 'tool', amount: 1 });
    expect(resolve(t).winners[0]).toMatchObject({ bidder: 'mallory', score: 0, minted: 0 });
  });

  it('an owner moving its tool to its own wallet does not become a paying user of it', () => {
    const t = w();
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('w', 'export function go(){ return 1 }', [{ name: 'go' }], { has_standing: true }));
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('tool', 'export function run(){ return 1 }', [{ name: 'run', price: 1 }]));
    t.ok('mallory', 'genesis_ledger', 'transfer', { to: 'w', amount: 5 });
    t.ok('mallory', 'genesis_rights', 'transfer', { to: 'w', resource: 'disk_bytes', amount: 10_000 });
    t.ok('mallory', 'genesis_rights', 'transfer', { to: 'w', resource: 'calls', amount: 10 });
    t.ok('mallory', 'genesis_store', 'transfer', { id: 'tool', to: 'w' });
    t.ok('mallory', 'tool', 'run', {});
    t.ok('w', 'genesis_mint', 'bid', { artifact_id: 'tool', amount: 1 });
    expect(resolve(t).winners[0]).toMatchObject({ bidder: 'w', score: 0 });
  });
});

describe('debt and task limits, against wallets', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'mallory'], config: { principal_defaults: { scrip: 1_000 } } });

  it('the pending-debt cap counts an agent with all its wallets, and nobody else\'s debts can hide them', () => {
    const t = w();
    const issuer = 'export function go(a){ return invoke("genesis_debt", "issue", { creditor: a.to, principal: 1, interest_bps_per_day: 0, due_in_s: 600 }).id }';
    for (let i = 0; i < 2; i++) t.ok('mallory', 'genesis_store', 'write', codeArtifact(`w${i}`, issuer, [{ name: 'go' }], { has_standing: true }));
    for (let i = 0; i < 20; i++) t.ok('mallory', `w${i % 2}`, 'go', { to: 'alice' });
    expect(t.call('mallory', 'w0', 'go', { to: 'alice' })).toMatchObject({ ok: false, error: { code: 'QUOTA_EXCEEDED' } });
    serviceFail(t, 'mallory', 'genesis_debt', 'issue', { creditor: 'alice', principal: 1, interest_bps_per_day: 0, due_in_s: 600 }, 'QUOTA_EXCEEDED');
    // Code without an account cannot be a debtor at all.
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('nobody', issuer, [{ name: 'go' }]));
    expect(t.call('mallory', 'nobody', 'go', { to: 'alice' })).toMatchObject({ ok: false });
    // Debts naming alice as creditor, however many, do not count against alice or hide hers.
    for (let i = 0; i < 5; i++) serviceCall(t, 'bob', 'genesis_debt', 'issue', { creditor: 'alice', principal: 1, interest_bps_per_day: 0, due_in_s: 600 });
    for (let i = 0; i < 20; i++) serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 1, interest_bps_per_day: 0, due_in_s: 600 });
    serviceFail(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 1, interest_bps_per_day: 0, due_in_s: 600 }, 'QUOTA_EXCEEDED');
  });

  it('a debt cannot be sold to one of the world\'s own accounts, where it could never be settled', () => {
    const t = w();
    t.ok('alice', 'genesis_ledger', 'approve', { spender: 'genesis_debt', amount: 100 });
    const d = serviceCall(t, 'alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 10, interest_bps_per_day: 0, due_in_s: 600 });
    serviceCall(t, 'bob', 'genesis_debt', 'accept', { debt_id: d.id }, 10);
    serviceFail(t, 'bob', 'genesis_debt', 'transfer_creditor', { debt_id: d.id, to: 'genesis_taskboard' }, 'INVALID_ARGS');
    serviceFail(t, 'alice', 'genesis_debt', 'issue', { creditor: 'genesis_mint', principal: 1, interest_bps_per_day: 0, due_in_s: 600 }, 'INVALID_ARGS');
  });

  it('a turned-down claimant cannot come back through fresh wallets, nor claim its own task through one', () => {
    const t = w();
    const claimer = 'export function go(a){ return invoke("genesis_taskboard", "claim", { task_id: a.id }).status }';
    const id = serviceCall(t, 'alice', 'genesis_taskboard', 'post', { title: 'job', expires_in_s: DAY_S }, 50).id;
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('sq0', claimer, [{ name: 'go' }], { has_standing: true }));
    t.ok('mallory', 'sq0', 'go', { id });
    serviceCall(t, 'alice', 'genesis_taskboard', 'reject', { task_id: id });
    t.ok('mallory', 'genesis_store', 'write', codeArtifact('sq1', claimer, [{ name: 'go' }], { has_standing: true }));
    expect(t.call('mallory', 'sq1', 'go', { id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    serviceFail(t, 'mallory', 'genesis_taskboard', 'claim', { task_id: id }, 'CONFLICT');
    t.ok('alice', 'genesis_store', 'write', codeArtifact('mine', claimer, [{ name: 'go' }], { has_standing: true }));
    expect(t.call('alice', 'mine', 'go', { id })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
  });
});

describe('mint with the LLM scorer', () => {
  it('grades the code that won, not code swapped in after the resolution', async () => {
    const llm = await fakeLlm((msg) => ({ status: 200, content: msg.includes('EXCELLENT') ? '{"score":95}' : '{"score":5}' }));
    const t = await openTestWorld({ principals: ['alice', 'mallory'], config: { mint: { ...MINT.mint, scorer: 'llm', llm: { base_url: llm.url } } } });
    try {
      const good = 'export function run(){ return "EXCELLENT original work by alice" }';
      t.ok('mallory', 'genesis_store', 'write', codeArtifact('m1', 'export function run(){ return "junk" }', [{ name: 'run' }]));
      t.ok('mallory', 'genesis_mint', 'bid', { artifact_id: 'm1', amount: 5 });
      t.clock.set(t.peek('genesis_mint', 'status', {}).next_resolution_at);
      // This write's command settles the auction first, then swaps the code.
      t.ok('mallory', 'genesis_store', 'write', { id: 'm1', code: good });
      await t.world.scorePending();
      expect(llm.seen[0]).toContain('junk');
      expect(t.peek('genesis_mint', 'status', {}).last.winners[0]).toMatchObject({ bidder: 'mallory', score: 5, minted: 0 });
      expect(t.world.check().violations).toEqual([]);
    } finally {
      await t.world.close();
      llm.server.close();
    }
  });
});
