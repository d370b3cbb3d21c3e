import { describe, expect, it } from 'vitest';
import { LocalEmbedder } from '../../src/memory/local-embedder.ts';
import { callOk, httpClient, useServedWorld } from '../helpers/mcp.ts';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('the offline embedding model (Universal Sentence Encoder from an npm package, in a worker thread)', () => {
  it('embeds offline: paraphrases are near, unrelated sentences far; limits are enforced', async () => {
    const e = new LocalEmbedder();
    try {
      const { vectors, ms } = await e.embed(['send 5 scrip to bob', 'transfer five coins to Bob', 'what is the weather like today?']);
      expect(e.dims).toBe(512);
      expect(vectors.map((v) => v.length)).toEqual([512, 512, 512]);
      expect(cos(vectors[0]!, vectors[0]!)).toBeCloseTo(1, 4);
      expect(cos(vectors[0]!, vectors[1]!)).toBeGreaterThan(0.5);
      expect(cos(vectors[0]!, vectors[2]!)).toBeLessThan(0.25);
      expect(ms).toBeGreaterThan(0);
      await expect(e.embed([])).rejects.toThrow(/1-64 texts/);
      await expect(e.embed(['x'.repeat(8_001)])).rejects.toThrow(/at most 8000/);
    } finally {
      await e.close();
    }
  });
});

describe('memory_search by meaning through the real MCP client, with the offline model', () => {
  const served = useServedWorld(['alice'], { config: { memory: { embeddings: { provider: 'local' } } } });

  it('an outside client finds what it wrote by meaning, not words', async () => {
    const { world, http, tokens } = served();
    const client = await httpClient(http.url, tokens.alice!, 'modern');
    try {
      for (const text of ['send 5 scrip to bob', 'the mint auction closes at noon', 'my favourite colour is green']) await callOk(client, 'memory_write', { text });
      while ((await world.semantic!.indexOnce()) > 0);
      const r = await callOk(client, 'memory_search', { query: 'transfer five coins to Bob', mode: 'meaning', limit: 2 });
      expect(r.mode).toBe('meaning');
      expect(r.results[0].text).toBe('send 5 scrip to bob');
      expect(r.results[0].score).toBeGreaterThan(r.results[1].score);
      const h = await callOk(client, 'memory_search', { query: 'when does bidding end' });
      expect(h.mode).toBe('hybrid');
      expect(h.results[0].text).toBe('the mint auction closes at noon');
    } finally {
      await client.close();
    }
  });
});
