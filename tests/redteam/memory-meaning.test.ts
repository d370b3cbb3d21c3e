import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { conceptEmbedding, llmStandIn, type StandInReply } from '../helpers/llm.ts';
import { codeArtifact, openTestWorld, type TestWorld } from '../helpers/world.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';

/**
 * Red team: memory search by meaning. Each test asserts the SECURE behaviour: it fails while the hole is
 * open. Embeddings come from a local OpenAI-compatible stand-in (one dimension per word, a few words
 * folded to one concept) unless the test needs the offline model's real CPU cost.
 */
const CONCEPTS: Record<string, string> = { scrip: 'money', coins: 'money', money: 'money', vault: 'safe', safe: 'safe', code: 'secret', secret: 'secret', pin: 'secret' };
const DIMS = 32;
const embedText = (text: string): number[] => conceptEmbedding(CONCEPTS, DIMS, text, 0.01);

/**
 * Like a real embeddings model, the stand-in has a context limit and refuses the whole request when any
 * input passes it (OpenAI: 400 "maximum context length is 8192 tokens"). Tokens are counted as UTF-8
 * bytes / 1.4: rare CJK characters cost 2-3 tokens each in cl100k, so 4,000 of them (which memory_write
 * accepts) are well over the limit, while 4,000 ASCII characters are not.
 */
const MAX_TOKENS = 8_192;
const tokens = (s: string) => Math.ceil(Buffer.byteLength(s) / 1.4);
let delayMs = 0;
let embeddings: Awaited<ReturnType<typeof llmStandIn>>;
beforeAll(async () => {
  embeddings = await llmStandIn((body): StandInReply => {
    const input = (body as unknown as { input: string[] }).input;
    const delay = delayMs > 0 && !input.includes('dimension probe') ? { delayMs } : {};
    if (input.some((t) => tokens(t) > MAX_TOKENS)) {
      return { status: 400, json: { error: { message: `This model's maximum context length is ${MAX_TOKENS} tokens.`, type: 'invalid_request_error' } } };
    }
    return { ...delay, json: { object: 'list', model: 'standin-embed', data: input.map((t, index) => ({ object: 'embedding', index, embedding: embedText(t) })), usage: { prompt_tokens: 1, total_tokens: 1 } } };
  });
});
afterAll(() => embeddings.close());

const embedConfig = (extra: Record<string, unknown> = {}): ConfigInput => ({ memory: { embeddings: { provider: 'openai', base_url: embeddings.url, model: 'standin-embed' } }, ...extra }) as ConfigInput;
const embedRequests = () => embeddings.requests.filter((r) => Array.isArray((r as unknown as { input?: unknown }).input)).length;

/** Indexing rounds (as the background indexer runs them, a bounded number of times); the last error, if any. */
async function indexRounds(t: TestWorld, rounds: number): Promise<string | null> {
  let last: string | null = null;
  for (let i = 0; i < rounds; i++) {
    try {
      if ((await t.world.semantic!.indexOnce()) === 0) return last;
    } catch (err) {
      last = (err as Error).message;
    }
  }
  return last;
}
function texts(r: InvokeResult): string[] {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return (r.value as { results: { text: string }[] }).results.map((x) => x.text);
}

describe('red team: memory search by meaning', () => {
  let t: TestWorld;
  afterEach(async () => {
    delayMs = 0;
    if (!t) return;
    const report = t.world.check();
    await t.world.close();
    expect(report.violations).toEqual([]);
  });

  it('one poison entry (over the model context limit) stalls the indexer for every memory in the world', async () => {
    t = await openTestWorld({ principals: ['alice', 'mallory'], config: embedConfig() });
    const w = t.world;
    await indexRounds(t, 1);
    // 4,000 characters: within memory_write's limit, past the model's context limit.
    const poison = await w.submit('mallory', 'genesis_memory', 'write', { text: '㐀'.repeat(4_000) });
    expect(poison.ok).toBe(true);
    // Alice's entries come after it (ORDER BY entry_id): every round takes the poison in its batch.
    for (const text of ['send 5 scrip to bob on friday', 'the vault code is under the mat']) await w.submit('alice', 'genesis_memory', 'write', { text });
    const error = await indexRounds(t, 5);
    // SECURE: a failing entry is set aside; everyone else's are indexed and found by meaning.
    const r = await w.submit('alice', 'genesis_memory', 'search', { query: 'coins', mode: 'meaning', limit: 1 });
    expect(texts(r), `indexer: ${error}; backlog ${w.semantic!.backlog()}`).toEqual(['send 5 scrip to bob on friday']);
  });

  it("the query-embedding cache is shared by all principals: bob learns by timing what alice (or an agent's private goal) searched", async () => {
    t = await openTestWorld({ principals: ['alice', 'bob'], config: embedConfig() });
    const w = t.world;
    await w.submit('alice', 'genesis_memory', 'write', { text: 'the vault code is 4471' });
    await w.submit('bob', 'genesis_memory', 'write', { text: 'bob notes' });
    await indexRounds(t, 3);
    delayMs = 300; // a remote model's round trip
    const secretQuery = 'where did I hide the vault code';
    await w.submit('alice', 'genesis_memory', 'search', { query: secretQuery, mode: 'meaning' });
    // Bob guesses alice's query and times a search of his own memory with it.
    const time = async (query: string) => {
      const started = performance.now();
      await w.submit('bob', 'genesis_memory', 'search', { query, mode: 'meaning' });
      return performance.now() - started;
    };
    const wrongGuess = await time('where did I hide the spare key');
    const rightGuess = await time(secretQuery);
    // SECURE: bob's query costs him the same round trip whatever others asked (the cache is per principal).
    expect(wrongGuess).toBeGreaterThanOrEqual(250);
    expect(rightGuess, `wrong guess ${wrongGuess.toFixed(0)} ms, right guess ${rightGuess.toFixed(0)} ms`).toBeGreaterThanOrEqual(250);
  });

  it('prepare embeds queries for a caller whose calls or cpu_ms window is spent: unlimited outside work, never charged', async () => {
    t = await openTestWorld({ config: embedConfig() });
    const w = t.world;
    expect(w.createPrincipal('mallory', { calls: 2 }).ok).toBe(true);
    expect(w.createPrincipal('eve', { cpu_ms: 1 }).ok).toBe(true);
    await w.submit('eve', 'genesis_memory', 'search', { query: 'spend the window', mode: 'meaning' });
    for (let i = 0; i < 2; i++) await w.submit('mallory', 'genesis_memory', 'search', { query: `spend the window ${i}`, mode: 'meaning' });
    expect(w.kernel.services.rates.status('mallory', 'calls', t.clock.now()).remaining).toBe(0);
    expect(w.kernel.services.rates.status('eve', 'cpu_ms', t.clock.now()).remaining).toBe(0);
    const before = embedRequests();
    const results: string[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await w.submit('mallory', 'genesis_memory', 'search', { query: `free embedding number ${i}`, mode: 'meaning' });
      const b = await w.submit('eve', 'genesis_memory', 'search', { query: `free embedding for eve ${i}`, mode: 'meaning' });
      results.push(a.ok ? 'ok' : a.error.code, b.ok ? 'ok' : b.error.code);
    }
    expect(results).toContain('RATE_LIMITED');
    // SECURE: nothing is done outside the world (a paid model call, the embedding worker's CPU) for a
    // caller that could not pay for it; the window is checked before prepare runs.
    expect(embedRequests() - before, `outcomes: ${results.join(', ')}`).toBe(0);
  });

  it('memory_write charges a flat write_cpu_ms whatever the entry costs to embed (offline model: ~20x under-charged)', async () => {
    t = await openTestWorld({ principals: ['alice'], config: { memory: { embeddings: { provider: 'local' } } } as ConfigInput });
    const w = t.world;
    await w.semantic!.open();
    const used = () => w.kernel.services.rates.status('alice', 'cpu_ms', t.clock.now()).used;
    const before = used();
    const words = ['market', 'haiku', 'scrip', 'agent', 'escrow', 'vault', 'ledger', 'mint'];
    for (let i = 0; i < 8; i++) t.ok('alice', 'genesis_memory', 'write', { text: Array.from({ length: 600 }, (_, k) => words[(k * (i + 3)) % words.length]).join(' ').slice(0, 4_000) });
    const charged = used() - before;
    // Measure what the indexer then spends embedding those entries (the worker's own clock).
    const e = w.semantic!.embedder;
    const embed = e.embed.bind(e);
    let spentMs = 0;
    (e as { embed: typeof embed }).embed = async (texts) => {
      const r = await embed(texts);
      spentMs += r.ms;
      return r;
    };
    while ((await w.semantic!.indexOnce()) > 0);
    // SECURE: the writer pays (at least roughly) the host CPU its entries cost to embed.
    expect(charged, `charged ${charged} cpu_ms for ${spentMs.toFixed(0)} ms of embedding`).toBeGreaterThanOrEqual(spentMs / 2);
  }, 15_000);

  // ---- attacks that were blocked (these pass) ----

  it('BLOCKED: forged `prepared` hits (MCP arg, store.invoke forward, nested code) never reach the handler', async () => {
    t = await openTestWorld({ principals: ['alice', 'bob'], config: embedConfig() });
    const w = t.world;
    const secret = await w.submit('alice', 'genesis_memory', 'write', { text: 'the vault code is 4471' });
    const secretId = (secret as { value: { entry_id: number } }).value.entry_id;
    await w.submit('bob', 'genesis_memory', 'write', { text: 'bob notes' });
    await indexRounds(t, 3);
    // An extra argument: refused by the strict schema.
    const extra = await w.submit('bob', 'genesis_memory', 'search', { query: 'vault', mode: 'meaning', prepared: { hits: [{ id: secretId, score: 1 }] } });
    expect(!extra.ok && extra.error.code).toBe('INVALID_ARGS');
    // Through the transparent door: the world runs the search's own prepare (nothing the caller sends), over bob's
    // memory only, so alice's entry never comes back.
    const fwd = await w.submit('bob', 'genesis_store', 'invoke', { id: 'genesis_memory', method: 'search', args: { query: 'vault code', mode: 'meaning' } });
    expect(fwd.ok, JSON.stringify(fwd)).toBe(true);
    expect(JSON.stringify(fwd)).not.toContain('4471');
    const fwdAlice = await w.submit('bob', 'genesis_store', 'invoke', { id: 'genesis_memory', method: 'search', args: { query: 'vault code', memory_id: 'alice.memory' } });
    expect(!fwdAlice.ok && fwdAlice.error.code).toBe('ACCESS_DENIED');
    // Nested in sandboxed code: words only; alice's memory refused.
    t.ok('bob', 'genesis_store', 'write', codeArtifact('peek', `export function run(){
      const out = [];
      for (const a of [{ query: 'vault code', mode: 'meaning' }, { query: 'vault code', memory_id: 'alice.memory' }]) {
        try { out.push(JSON.stringify(invoke('genesis_memory', 'search', a))) } catch (e) { out.push(String(e && e.code || e)) }
      }
      return out.join('|');
    }`, [{ name: 'run' }]));
    const nested = await w.submit('bob', 'peek', 'run', {});
    expect(nested.ok).toBe(true);
    expect(String((nested as { value: unknown }).value)).not.toContain('4471');
    expect(JSON.stringify([extra, fwd, fwdAlice, nested])).not.toContain('4471');
  });

  it("BLOCKED: a forgotten entry's reused id never returns its old text to the principal who now holds the id", async () => {
    t = await openTestWorld({ principals: ['alice', 'bob'], config: embedConfig() });
    const w = t.world;
    const a = await w.submit('alice', 'genesis_memory', 'write', { text: 'the vault code is 4471' });
    const id = (a as { value: { entry_id: number } }).value.entry_id;
    await indexRounds(t, 3);
    await w.submit('alice', 'genesis_memory', 'forget', { entry_id: id });
    // SQLite hands the largest id out again: bob's entry takes alice's old id while the store still holds her vector.
    const b = await w.submit('bob', 'genesis_memory', 'write', { text: 'groceries: milk' });
    expect((b as { value: { entry_id: number } }).value.entry_id).toBe(id);
    for (const mode of ['meaning', 'hybrid'] as const) {
      for (const who of ['alice', 'bob']) {
        const r = await w.submit(who, 'genesis_memory', 'search', { query: 'vault code secret', mode });
        expect(JSON.stringify(r)).not.toContain('4471');
      }
    }
    // Bob asking alice's memory outright: refused, nothing shown.
    const denied = await w.submit('bob', 'genesis_memory', 'search', { query: 'vault code', memory_id: 'alice.memory', mode: 'hybrid' });
    expect(!denied.ok && denied.error.code).toBe('ACCESS_DENIED');
    await indexRounds(t, 3);
    const after = await w.submit('bob', 'genesis_memory', 'search', { query: 'secret pin', mode: 'meaning' });
    expect(texts(after).join()).not.toContain('4471');
  });
});
