/**
 * Issue 11: memory search by meaning. Each figure beside its baseline from the same run:
 * 1. the offline embedder: sentences per second in batches of 16 (the indexer's) and one at a time (a query);
 * 2. libSQL vectors: an insert with the DiskANN index against one without, and a search of one memory of
 *    2,000 and of 10,000 vectors (exact comparison and through `vector_top_k`);
 * 3. memory_search end to end through the fair queue: mode 'meaning' against mode 'words', as calls/s.
 *
 *   npm run bench -- --only memory [--memory-entries 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/kernel/db/store.ts';
import { LibsqlVectorStore } from '../src/memory/libsql-vectors.ts';
import { LocalEmbedder } from '../src/memory/local-embedder.ts';
import { normalize } from '../src/memory/vector-store.ts';
import { World } from '../src/world.ts';
import { arg } from './args.ts';

const ENTRIES = arg('memory-entries', 10_000);
const DIMS = 512;

function rnd(seed: number): Float32Array {
  let x = seed >>> 0;
  return normalize(Array.from({ length: DIMS }, () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5));
}

async function timeIt(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t) / n;
}

async function embedder(): Promise<void> {
  const e = new LocalEmbedder();
  const sentences = Array.from({ length: 256 }, (_, i) => `agent ${i} sold a sorting tool for ${i % 17} scrip to buyer ${i * 7}`);
  await e.embed(['warm up']);
  const batched = await timeIt(16, (i) => e.embed(sentences.slice(i * 16, i * 16 + 16)));
  const single = await timeIt(64, (i) => e.embed([sentences[i]!]));
  console.log(`embedder (local, in a worker): batch of 16 ${batched.toFixed(1)} ms (${(16_000 / batched).toFixed(0)} sentences/s); one sentence ${single.toFixed(1)} ms (${(1000 / single).toFixed(0)}/s)`);
  await e.close();
}

async function vectors(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-vectors-'));
  try {
    const open = (name: string) => new Store({ path: join(dir, name), busyTimeoutMs: 1_000, synchronous: 'NORMAL', now: () => 0 });
    // Baseline: the same rows in a table without the index.
    const plain = open('plain.db');
    plain.db.exec(`CREATE TABLE v (id INTEGER PRIMARY KEY, m TEXT, e F32_BLOB(${DIMS}))`);
    const base = await timeIt(500, (i) => plain.writeTx(() => plain.run('INSERT INTO v VALUES (?, ?, vector32(?))', i + 1, 'a', Buffer.from(rnd(i).buffer))));
    plain.close();
    const store = open('indexed.db');
    const s = new LibsqlVectorStore(store);
    await s.open(DIMS, true);
    const batch = 100;
    let id = 0;
    const insert = await timeIt(ENTRIES / batch, () => s.upsert(Array.from({ length: batch }, () => ({ id: ++id, memoryId: id <= 2_000 ? 'small' : 'big', vector: rnd(id) }))));
    console.log(`libSQL vectors: insert with the DiskANN index ${(insert / batch).toFixed(2)} ms a vector, baseline without it ${base.toFixed(2)} ms (${(insert / batch / base).toFixed(1)}x)`);
    const small = await timeIt(50, (i) => s.nearest('small', rnd(1e6 + i), 10));
    const big = await timeIt(50, (i) => s.nearest('big', rnd(2e6 + i), 10));
    const exact = new LibsqlVectorStore(store, Number.MAX_SAFE_INTEGER);
    await exact.open(DIMS, false);
    const bigExact = await timeIt(50, (i) => exact.nearest('big', rnd(2e6 + i), 10));
    console.log(`libSQL search, top 10: 2,000 vectors (exact) ${small.toFixed(2)} ms; ${ENTRIES - 2_000} vectors through vector_top_k ${big.toFixed(2)} ms against ${bigExact.toFixed(2)} ms comparing all`);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function endToEnd(): Promise<void> {
  const world = await World.open({ config: { memory: { embeddings: { provider: 'local' } }, principal_defaults: { calls: 10_000_000, cpu_ms: 10_000_000, disk_bytes: 100_000_000 } } });
  try {
    world.createPrincipal('alice');
    for (let i = 0; i < 500; i++) await world.submit('alice', 'genesis_memory', 'write', { text: `note ${i}: bob sells tool ${i % 37} for ${i % 11} scrip` });
    while ((await world.semantic!.indexOnce()) > 0);
    const queries = Array.from({ length: 200 }, (_, i) => `who sells tool ${i} cheaply`);
    const words = await timeIt(200, (i) => world.submit('alice', 'genesis_memory', 'search', { query: queries[i]!, mode: 'words' }));
    // Fresh queries each time: the cache of query embeddings would flatter the figure.
    const meaning = await timeIt(200, (i) => world.submit('alice', 'genesis_memory', 'search', { query: `${queries[i]!} today`, mode: 'meaning' }));
    const cached = await timeIt(200, (i) => world.submit('alice', 'genesis_memory', 'search', { query: `${queries[i]!} today`, mode: 'meaning' }));
    console.log(`memory_search over 500 entries: words ${words.toFixed(2)} ms; meaning ${meaning.toFixed(2)} ms (${(meaning / words).toFixed(1)}x), with the query's embedding cached ${cached.toFixed(2)} ms (${(cached / words).toFixed(1)}x)`);
  } finally {
    await world.close();
  }
}

export async function memoryBench(): Promise<void> {
  console.log('\n== memory (issue 11) ==');
  await embedder();
  await vectors();
  await endToEnd();
}
