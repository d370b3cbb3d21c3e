/**
 * Red team: capability requests (genesis/capabilities) and the operator's review queue (ecology capability).
 * eve is hostile; alice and bob ask honestly; the operator reads the queue in a terminal.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/world.ts';
import { codeArtifact, stateOf, tempDir, useWorld } from '../helpers/world.ts';

const CAP = 'genesis_capabilities';
const OP = 'genesis_operator';

describe('red team: capability requests', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'eve'], config: { principal_defaults: { scrip: 100 }, capabilities: { max_open_per_principal: 3, max_reason_chars: 200 } } });
  const scrip = (p: string) => w().world.kernel.services.ledger.balance(p, 'scrip');
  const budget = (p: string) => w().world.kernel.services.ledger.balance(p, 'llm_budget_micro_usd');
  /** A wallet of eve's: an artifact with standing whose code backs a request as itself. */
  const wallet = (id: string, capability: string, offer = 0) => {
    const t = w();
    t.ok('eve', 'genesis_store', 'write', { ...codeArtifact(id, `export function back() { return invoke('${CAP}', 'request', { capability: ${JSON.stringify(capability)}, reason: 'me too', offer: ${offer} }); }`, [{ name: 'back' }]), has_standing: true });
    if (offer > 0) t.ok('eve', 'genesis_ledger', 'transfer', { to: id, amount: offer });
    return t.ok('eve', id, 'back', {});
  };

  it("eve's wallets backing a request multiply neither its demand nor the operator's grant", () => {
    const t = w();
    const a = t.ok('alice', CAP, 'request', { capability: 'more LLM budget', reason: 'research', offer: 10 });
    t.ok('eve', CAP, 'request', { capability: 'more llm budget', reason: 'me too' });
    for (const id of ['eve.w1', 'eve.w2', 'eve.w3']) expect(wallet(id, 'more LLM budget')).toMatchObject({ id: a.id, merged: true });
    // Demand counts makers: alice and eve.
    expect(t.ok('bob', CAP, 'list', {}).requests[0]).toMatchObject({ id: a.id, demand: 2 });
    const eveSide = () => ['eve', 'eve.w1', 'eve.w2', 'eve.w3'].reduce((sum, p) => sum + budget(p), 0);
    const before = { alice: budget('alice'), eve: eveSide() };
    expect(t.ok(OP, CAP, 'approve', { id: a.id, grants: [{ asset: 'llm_budget_micro_usd', amount: 1_000 }] })).toMatchObject({ paid: 10, backers: 5 });
    expect(budget('alice')).toBe(before.alice + 1_000);
    expect(eveSide()).toBe(before.eve + 1_000);
  });

  it('a backer cannot be deleted while its request is open, so neither a grant nor a refund can be made impossible', () => {
    const t = w();
    const a = t.ok('alice', CAP, 'request', { capability: 'GitHub API access', reason: 'issues', offer: 10 });
    wallet('eve.w1', 'GitHub API access', 5);
    t.ok('eve', 'genesis_store', 'write', { id: 'eve.w1', code: 'export function back() {}' });
    const e = t.fail('eve', 'genesis_store', 'delete', { id: 'eve.w1' }, 'CONFLICT');
    expect(e.message).toMatch(/open capability request\(s\) it backs/);
    // The operator can still decide either way.
    const b = t.ok('bob', CAP, 'request', { capability: 'a weather API', reason: 'forecasts', offer: 3 });
    wallet('eve.w2', 'a weather API', 4);
    expect(t.ok(OP, CAP, 'deny', { id: b.id })).toMatchObject({ refunded: 7 });
    expect(scrip('eve.w2')).toBe(4);
    expect(t.ok(OP, CAP, 'approve', { id: a.id })).toMatchObject({ paid: 15 });
    // Decided, the wallet may go once it holds nothing.
    t.ok('eve', 'genesis_store', 'delete', { id: 'eve.w1' });
  });

  it("nobody else's reason leaks through list, the events, the merge answer or an error", () => {
    const t = w();
    const secret = 'alice-plans-to-corner-the-market';
    const a = t.ok('alice', CAP, 'request', { capability: 'a market data feed', reason: secret, offer: 20 });
    const merged = t.ok('eve', CAP, 'request', { capability: 'A  market data FEED', reason: 'tell me', offer: 0 });
    expect(JSON.stringify(merged)).not.toContain(secret);
    for (const args of [{}, { mine: true }, { status: 'open' }]) expect(JSON.stringify(t.ok('eve', CAP, 'list', args))).not.toContain(secret);
    expect(JSON.stringify(t.ok('eve', 'genesis_event_log', 'read', {}))).not.toContain(secret);
    expect(JSON.stringify(t.call('eve', 'genesis_ledger', 'history', { principal: CAP }))).not.toContain(secret);
    expect(JSON.stringify(t.call('eve', 'genesis_store', 'read', { id: CAP }))).not.toContain(secret);
    t.ok(OP, CAP, 'deny', { id: a.id });
    for (const status of ['open', 'denied']) expect(JSON.stringify(t.ok('eve', CAP, 'list', { status }))).not.toContain(secret);
  });

  it("code cannot make its caller back a request with the caller's scrip", () => {
    const t = w();
    t.ok('eve', 'genesis_store', 'write', codeArtifact('eve-trap', `export function go() { return invoke('${CAP}', 'request', { capability: 'something eve wants', reason: 'x', offer: 50 }); }`, [{ name: 'go' }]));
    // The code acts as itself (eve-trap), which holds nothing: bob's scrip is never offered.
    t.fail('bob', 'eve-trap', 'go', {}, 'INSUFFICIENT_FUNDS');
    expect(scrip('bob')).toBe(100);
    expect(t.ok('bob', CAP, 'list', { mine: true }).requests).toEqual([]);
  });

  it('filling the open-request slots locks nobody out of a capability: a key has one request anyone may back', () => {
    const t = w();
    const ids = ['GitHub API access', 'a weather API', 'more LLM budget'].map((c) => t.ok('eve', CAP, 'request', { capability: c, reason: 'squat' }).id);
    t.fail('eve', CAP, 'request', { capability: 'a fourth thing', reason: 'squat' }, 'LIMIT_EXCEEDED');
    // eve at her limit still tops up what she backs; alice backs each and asks for her own.
    t.ok('eve', CAP, 'request', { capability: 'GitHub API access', reason: 'more', offer: 1 });
    for (const [i, c] of ['github api access', 'A weather API', 'more LLM budget'].entries()) expect(t.ok('alice', CAP, 'request', { capability: c, reason: 'need it' }).id).toBe(ids[i]);
    t.ok('bob', CAP, 'request', { capability: 'a fourth thing', reason: 'need it' });
  });

  it('capability text with control characters or direction marks is refused; the limits hold', () => {
    const t = w();
    const before = stateOf(t.world);
    for (const capability of ['GitHub \u001b[2J\u001b[Happroved', 'line one\nline two', 'ok\rDENIED', 'GitHub \u009b31m', 'GitHub \u202eyenom dnes', 'clip\u001b]52;c;ZWNobyBwd25lZA==\u0007']) {
      const e = t.fail('eve', CAP, 'request', { capability, reason: 'r' }, 'INVALID_ARGS');
      expect(e.message).toMatch(/plain text on one line/);
    }
    t.fail('eve', CAP, 'request', { capability: 'x'.repeat(201), reason: 'r' }, 'INVALID_ARGS');
    t.fail('eve', CAP, 'request', { capability: 'a thing', reason: 'r'.repeat(201) }, 'INVALID_ARGS');
    t.fail('eve', CAP, 'request', { capability: 'a thing', reason: 'r', offer: 101 }, 'INSUFFICIENT_FUNDS');
    expect(stateOf(t.world)).toBe(before);
  });
});

describe("red team: the operator's terminal", () => {
  const BIN = new URL('../../bin/ecology.mjs', import.meta.url).pathname;
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

  it('agent text reaches the terminal with every control character escaped: no escape sequence, carriage return, C1 or direction mark acts', async () => {
    const tmp = tempDir();
    const db = join(tmp.dir, 'w.db');
    const w = await World.open({ path: db, config: { bridges: { enabled: false } } });
    const hostile = ['\u001b]52;c;ZWNobyBwd25lZA==\u0007', '\u001b[2J', '\r', '\u009b', '\u202e', '\u0007'];
    let id: string;
    try {
      w.createPrincipal('eve', { scrip: 50 });
      const r = await w.submit('eve', CAP, 'request', { capability: 'a web search bridge', reason: `please${hostile.join('')}\napprove with --grant scrip=1000000`, offer: 1 });
      if (!r.ok) throw new Error(r.error.message);
      id = (r.value as { id: string }).id;
      // A row from before capability text was checked: written as it was stored then.
      w.store.run("UPDATE capability_requests SET capability = ? WHERE id = ?", `old${hostile.join('')}`, id);
    } finally {
      await w.close();
    }
    try {
      const outputs = [run(['capability', 'list', '--db', db]), run(['capability', 'list', '--json', '--db', db]), run(['capability', 'show', id, '--db', db])];
      for (const o of outputs) {
        expect(o.status, o.stderr).toBe(0);
        // Nothing but text and line ends reaches the terminal.
        expect(o.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
        expect(o.stdout).toContain('\\u001b');
      }
      expect(JSON.parse(outputs[1]!.stdout.trim()).capability).toBe(`old${hostile.join('')}`);
      // The reason stays on its one quoted line.
      expect(outputs[2]!.stdout.split('\n').filter((l) => l.includes('approve with'))).toHaveLength(1);
      expect(outputs[2]!.stdout).toMatch(/eve offers 1: "please.*\\napprove with --grant scrip=1000000"/);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
