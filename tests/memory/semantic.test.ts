import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { conceptEmbedding, llmStandIn, type StandInReply } from '../helpers/llm.ts';
import { openTestWorld, stateOf, tempDir, type TestWorld } from '../helpers/world.ts';
import { qdrantStandIn, type QdrantStandIn } from './qdrant-standin.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';

/**
 * A stand-in embeddings model with a little sense of meaning: words are folded to a concept (scrip, coins
 * and money are one), each concept is a dimension. So 'pay coins' is near 'send scrip' without sharing a word.
 */
const CONCEPTS: Record<string, string> = { scrip: 'money', coins: 'money', money: 'money', cash: 'money', send: 'give', pay: 'give', transfer: 'give', give: 'give', weather: 'sky', sunny: 'sky', rain: 'sky' };
const DIMS = 32;
const embedText = (text: string): number[] => conceptEmbedding(CONCEPTS, DIMS, text, 0);

let embeddings: Awaited<ReturnType<typeof llmStandIn>>;
let mode: 'ok' | 'fail' | 'nan' | 'short' = 'ok';
beforeAll(async () => {
  embeddings = await llmStandIn((body): StandInReply => {
    const input = (body as unknown as { input: string[] }).input;
    if (mode === 'fail') return { status: 500, json: { error: { message: 'model overloaded' } } };
    const data = input.map((t, index) => ({ object: 'embedding', index, embedding: mode === 'nan' ? [Number.NaN] : embedText(t) }));
    return { json: { object: 'list', model: 'standin-embed', data: mode === 'short' ? data.slice(1) : data, usage: { prompt_tokens: 1, total_tokens: 1 } } };
  });
});
afterAll(() => embeddings.close());

const embedConfig = (extra: Record<string, unknown> = {}): ConfigInput => ({ memory: { embeddings: { provider: 'openai', base_url: embeddings.url, model: 'standin-embed' }, ...extra } }) as ConfigInput;

async function indexAll(t: TestWorld): Promise<void> {
  while ((await t.world.semantic!.indexOnce()) > 0);
}

function texts(r: InvokeResult): string[] {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return (r.value as { results: { text: string }[] }).results.map((x) => x.text);
}
const valueOf = <T = any>(r: InvokeResult): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};

describe('memory search by meaning (embeddings from an OpenAI-compatible endpoint, vectors in libSQL)', () => {
  let t: TestWorld;
  afterEach(async () => {
    mode = 'ok';
    const report = t.world.check();
    await t.world.close();
    expect(report.violations).toEqual([]);
  });

  it('finds entries close in meaning that share no word, merges both in hybrid, and records what it found with the command', async () => {
    t = await openTestWorld({ principals: ['alice'], config: embedConfig() });
    const w = t.world;
    for (const text of ['send 5 scrip to bob on friday', 'the weather is sunny today', 'carol sells a sorting tool']) {
      const r = await w.submit('alice', 'genesis_memory', 'write', { text });
      expect(r.ok).toBe(true);
    }
    expect(w.semantic!.backlog()).toBe(3);
    await indexAll(t);
    expect(w.semantic!.backlog()).toBe(0);
    // By words, 'pay coins' matches nothing; by meaning it is the payment.
    const words = await w.submit('alice', 'genesis_memory', 'search', { query: 'pay coins', mode: 'words' });
    expect(words.ok && texts(words)).toEqual([]);
    const meaning = await w.submit('alice', 'genesis_memory', 'search', { query: 'pay coins', mode: 'meaning', limit: 1 });
    expect(meaning.ok && (meaning.value as { mode: string }).mode).toBe('meaning');
    expect(texts(meaning)).toEqual(['send 5 scrip to bob on friday']);
    // Hybrid: the word match (sorting) and the meaning match (rain ~ sunny weather) both come back.
    const hybrid = await w.submit('alice', 'genesis_memory', 'search', { query: 'sorting rain' });
    expect(hybrid.ok && (hybrid.value as { mode: string }).mode).toBe('hybrid');
    expect(texts(hybrid).slice(0, 2).sort()).toEqual(['carol sells a sorting tool', 'the weather is sunny today']);
    // The command log keeps the ids and scores found outside the world, so a replay needs no embedder.
    const row = w.store.one<{ prepared: string }>('SELECT prepared FROM commands WHERE id = ?', meaning.command_id)!;
    expect(JSON.parse(row.prepared).hits[0]).toMatchObject({ id: expect.any(Number), score: expect.any(Number) });
  });

  it("charges the writer's cpu_ms for embedding, and a search's embedding to the searcher, refused or not", async () => {
    t = await openTestWorld({ principals: ['alice', 'bob'], config: embedConfig({ write_cpu_ms: 7, write_cpu_ms_per_1k_chars: 0 }) });
    const w = t.world;
    const used = (p: string) => w.kernel.services.rates.status(p, 'cpu_ms', t.clock.now()).used;
    const before = used('alice');
    await w.submit('alice', 'genesis_memory', 'write', { text: 'my secret: the vault code is 1234' });
    expect(used('alice')).toBe(before + 7);
    await indexAll(t);
    // Bob asks alice's private memory by meaning: refused, nothing of it shown, the work charged to bob.
    const state = stateOf(w);
    const r = await w.submit('bob', 'genesis_memory', 'search', { query: 'vault code', mode: 'meaning', memory_id: 'alice.memory' });
    expect(!r.ok && r.error.code).toBe('ACCESS_DENIED');
    expect(JSON.stringify(r)).not.toContain('1234');
    expect(stateOf(w)).toBe(state);
    expect(w.store.one<{ prepared: string | null }>('SELECT prepared FROM commands WHERE id = ?', r.command_id)?.prepared).toContain('hits');
  });

  it('never returns a forgotten entry, though the vector store still holds it; a reused id is re-embedded', async () => {
    t = await openTestWorld({ principals: ['alice'], config: embedConfig() });
    const w = t.world;
    const a = await w.submit('alice', 'genesis_memory', 'write', { text: 'pay the rent in scrip' });
    await indexAll(t);
    const id = valueOf(a).entry_id;
    await w.submit('alice', 'genesis_memory', 'forget', { entry_id: id });
    // The store lags (not indexed since): the handler still refuses the stale id.
    const r = await w.submit('alice', 'genesis_memory', 'search', { query: 'money', mode: 'meaning' });
    expect(r.ok && texts(r)).toEqual([]);
    // SQLite reuses the largest id once it is gone: the new entry must be found by its own meaning only.
    const b = await w.submit('alice', 'genesis_memory', 'write', { text: 'sunny weather all week' });
    expect(valueOf(b).entry_id).toBe(id);
    const before = await w.submit('alice', 'genesis_memory', 'search', { query: 'money', mode: 'meaning' });
    expect(before.ok && texts(before)).toEqual([]);
    await indexAll(t);
    const sky = await w.submit('alice', 'genesis_memory', 'search', { query: 'rain', mode: 'meaning', limit: 1 });
    expect(texts(sky)).toEqual(['sunny weather all week']);
    expect((w.store.one<{ n: number }>('SELECT count(*) AS n FROM memory_vectors')!).n).toBe(1);
  });

  it('bad input and a failing embedder: clear errors, words still work, nothing changes', async () => {
    t = await openTestWorld({ principals: ['alice'], config: embedConfig() });
    const w = t.world;
    await w.submit('alice', 'genesis_memory', 'write', { text: 'send scrip to bob' });
    await indexAll(t);
    const state = stateOf(w);
    const empty = await w.submit('alice', 'genesis_memory', 'search', { query: '   ', mode: 'meaning' });
    expect(!empty.ok && empty.error.code).toBe('INVALID_ARGS');
    const badMode = await w.submit('alice', 'genesis_memory', 'search', { query: 'x', mode: 'vibes' });
    expect(!badMode.ok && badMode.error.code).toBe('INVALID_ARGS');
    // Calls that skip the fair queue (nested in code, or World.invoke) have no embedding: meaning is refused with a way out, hybrid is words.
    t.fail('alice', 'genesis_memory', 'search', { query: 'bob', mode: 'meaning' }, 'INVALID_ARGS');
    expect(t.ok('alice', 'genesis_memory', 'search', { query: 'bob' }).mode).toBe('words');
    mode = 'fail';
    const failed = await w.submit('alice', 'genesis_memory', 'search', { query: 'pay coins now', mode: 'meaning' });
    expect(!failed.ok && failed.error.code).toBe('UPSTREAM_ERROR');
    expect(!failed.ok && failed.error.message).toMatch(/mode 'words'/);
    const fallback = await w.submit('alice', 'genesis_memory', 'search', { query: 'bob money' });
    expect(fallback.ok && (fallback.value as { mode: string }).mode).toBe('words');
    expect(texts(fallback)).toEqual(['send scrip to bob']);
    expect(stateOf(w)).toBe(state);
  });

  it('an endpoint returning malformed vectors leaves entries waiting and the indexer saying why', async () => {
    t = await openTestWorld({ principals: ['alice'], config: embedConfig() });
    const w = t.world;
    await indexAll(t);
    for (const m of ['nan', 'short'] as const) {
      mode = m;
      await w.submit('alice', 'genesis_memory', 'write', { text: `entry while ${m}` });
      await expect(w.semantic!.indexOnce()).rejects.toThrow(m === 'nan' ? /not a list of numbers/ : /returned \d+ vectors for \d+ texts/);
      expect(w.semantic!.backlog()).toBeGreaterThan(0);
    }
    mode = 'ok';
    await indexAll(t);
    expect(w.semantic!.backlog()).toBe(0);
  });

  it('a new embedding model rebuilds the index from the entries', async () => {
    const tmp = tempDir();
    try {
      const path = `${tmp.dir}/w.db`;
      t = await openTestWorld({ path, principals: ['alice'], config: embedConfig() });
      await t.world.submit('alice', 'genesis_memory', 'write', { text: 'send scrip to bob' });
      await indexAll(t);
      await t.world.close();
      t = await openTestWorld({ path, config: { memory: { embeddings: { provider: 'openai', base_url: embeddings.url, model: 'standin-embed-2' } } } });
      // Same size, yet another model: the fingerprint differs, so every entry is embedded again.
      await t.world.semantic!.open();
      expect(t.world.semantic!.backlog()).toBe(1);
      await indexAll(t);
      const r = await t.world.submit('alice', 'genesis_memory', 'search', { query: 'coins', mode: 'meaning' });
      expect(texts(r)).toEqual(['send scrip to bob']);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('memory search by meaning with vectors in Qdrant (a local stand-in: no Qdrant server runs here)', () => {
  let q: QdrantStandIn;
  let t: TestWorld;
  beforeAll(async () => {
    q = await qdrantStandIn();
  });
  afterAll(() => q.close());
  afterEach(async () => {
    q.delayMs = 0;
    const report = t.world.check();
    await t.world.close();
    expect(report.violations).toEqual([]);
  });

  it('indexes into the collection and searches within one memory', async () => {
    t = await openTestWorld({ principals: ['alice', 'bob'], config: embedConfig({ vector_store: { kind: 'qdrant', url: q.url, collection: 'mem_a' } }) });
    const w = t.world;
    await w.submit('alice', 'genesis_memory', 'write', { text: 'send scrip to bob' });
    await w.submit('bob', 'genesis_memory', 'write', { text: 'pay coins to alice' });
    await indexAll(t);
    expect(q.collections.get('mem_a')!.points.size).toBe(2);
    expect(q.collections.get('mem_a')!.indexes.has('memory_id')).toBe(true);
    const r = await w.submit('alice', 'genesis_memory', 'search', { query: 'money', mode: 'meaning' });
    expect(texts(r)).toEqual(['send scrip to bob']);
    await w.submit('alice', 'genesis_memory', 'forget', { entry_id: 1 });
    await indexAll(t);
    expect(q.collections.get('mem_a')!.points.size).toBe(1);
  });

  it('a slow vector store never holds the write lock: other commands commit while a search waits', async () => {
    t = await openTestWorld({ principals: ['alice', 'bob'], config: embedConfig({ vector_store: { kind: 'qdrant', url: q.url, collection: 'mem_b' } }) });
    const w = t.world;
    await w.submit('alice', 'genesis_memory', 'write', { text: 'send scrip to bob' });
    await indexAll(t);
    q.delayMs = 800;
    const started = performance.now();
    const search = w.submit('alice', 'genesis_memory', 'search', { query: 'money', mode: 'meaning' });
    let committed = 0;
    let lastCommitMs = 0;
    for (let i = 0; i < 20; i++) {
      const r = await w.submit('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1 });
      expect(r.ok).toBe(true);
      committed++;
      lastCommitMs = performance.now() - started;
    }
    const r = await search;
    const searchMs = performance.now() - started;
    expect(texts(r)).toEqual(['send scrip to bob']);
    expect(committed).toBe(20);
    expect(lastCommitMs).toBeLessThan(searchMs);
  });
});
