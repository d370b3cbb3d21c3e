import { WriteLockBusy, type Store } from '../kernel/db/store.ts';
import type { Config } from '../kernel/config.ts';
import type { Embedder } from './embedder.ts';
import { LocalEmbedder } from './local-embedder.ts';
import { OpenAIEmbedder } from './openai-embedder.ts';
import { LibsqlVectorStore } from './libsql-vectors.ts';
import { QdrantVectorStore } from './qdrant-vectors.ts';
import type { VectorHit, VectorStore } from './vector-store.ts';

type MemoryConfig = Config['memory'];

/** Vectors dropped per indexing round (removals are cheap: no embedding). */
const DROP_BATCH = 256;
const META_KEY = 'memory_embedding';
/** Query embeddings remembered. */
const QUERY_CACHE = 512;
/** Rounds an entry may fail to embed on its own before it is left out of search by meaning. */
const MAX_FAILURES = 3;

interface Todo {
  entry_id: number;
  memory_id: string;
  rev: number;
}

/**
 * Search by meaning over memory entries: an embedder, a vector store, and the indexer that keeps the store
 * in step with the entries. The entries table is the truth; `memory_vector_todo` (kept by triggers, so no
 * write can forget it) lists what the store still has to add or drop, each change numbered, so a round
 * that embedded an entry while it changed leaves the later change to the next round.
 */
export class SemanticMemory {
  private opened: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private indexing: Promise<number> | null = null;
  private closed = false;
  private readonly queries = new Map<string, Float32Array>();
  /** The last indexing failure (shown to operators; the indexer keeps trying). */
  lastError: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly config: MemoryConfig,
    readonly embedder: Embedder,
    readonly vectors: VectorStore,
  ) {}

  /** The configured embedder and store, or null when embeddings are off (full-text search only). */
  static fromConfig(store: Store, config: MemoryConfig): SemanticMemory | null {
    const e = config.embeddings;
    if (e.provider === 'none') {
      // Nothing indexes while embeddings are off, and turning them on rebuilds the store from every entry: pending drops are moot.
      if (store.one("SELECT 1 AS x FROM memory_vector_todo WHERE op = 'drop' LIMIT 1")) store.writeTx(() => store.run("DELETE FROM memory_vector_todo WHERE op = 'drop'"));
      return null;
    }
    const embedder: Embedder =
      e.provider === 'local'
        ? new LocalEmbedder()
        : new OpenAIEmbedder({ baseUrl: e.base_url!, model: e.model!, timeoutMs: e.timeout_ms, ...(e.api_key_env ? { apiKeyEnv: e.api_key_env } : {}), ...(e.dimensions ? { dimensions: e.dimensions } : {}) });
    const v = config.vector_store;
    const key = v.api_key_env ? process.env[v.api_key_env] : undefined;
    const vectors: VectorStore = v.kind === 'qdrant' ? new QdrantVectorStore({ url: v.url!, collection: v.collection, timeoutMs: v.timeout_ms, ...(key ? { apiKey: key } : {}) }) : new LibsqlVectorStore(store);
    return new SemanticMemory(store, config, embedder, vectors);
  }

  /**
   * Starts the embedder and opens the store. If the model or the store changed since the vectors were
   * made, they are dropped and every entry is queued again.
   */
  open(): Promise<void> {
    this.opened ??= this.openOnce().catch((err: unknown) => {
      this.opened = null;
      throw err;
    });
    return this.opened;
  }

  private async openOnce(): Promise<void> {
    await this.embedder.start();
    const v = this.config.vector_store;
    const fingerprint = `${this.embedder.id}|${this.vectors.kind}${v.kind === 'qdrant' ? `:${v.url}/${v.collection}` : ''}`;
    const before = this.store.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', META_KEY)?.value;
    const fresh = before !== fingerprint;
    await this.vectors.open(this.embedder.dims, fresh);
    if (!fresh) return;
    this.store.writeTx(() => {
      this.store.run("INSERT INTO memory_vector_todo (entry_id, op, memory_id, rev) SELECT id, 'add', memory_id, 0 FROM memory_entries WHERE true ON CONFLICT (entry_id) DO UPDATE SET op = 'add', failures = 0");
      this.store.run("DELETE FROM memory_vector_todo WHERE op = 'drop'");
      this.store.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', META_KEY, fingerprint);
    });
  }

  /** Entries of `memoryId` nearest `text` (only those the store holds as they are now). */
  async nearest(memoryId: string, text: string, limit: number): Promise<{ hits: VectorHit[]; ms: number }> {
    await this.open();
    // Remembered per memory: a hit must tell nobody what was asked of someone else's memory.
    const key = `${memoryId}\u0000${text}`;
    let vector = this.queries.get(key);
    let ms = 0;
    if (vector === undefined) {
      const r = await this.embedder.embed([text]);
      vector = r.vectors[0]!;
      ms = r.ms;
      // Hosted agents ask with the same goal every step: remembered (a bounded map, oldest out first).
      if (this.queries.size >= QUERY_CACHE) this.queries.delete(this.queries.keys().next().value!);
      this.queries.set(key, vector);
    }
    const started = performance.now();
    const hits = await this.vectors.nearest(memoryId, vector, limit);
    return { hits, ms: ms + (this.vectors.kind === 'libsql' ? performance.now() - started : 0) };
  }

  /** Indexes in the background every `everyMs` (unref'd: it never keeps the process alive). */
  start(everyMs = 250): void {
    if (this.timer || this.closed) return;
    const tick = async () => {
      try {
        while (!this.closed && (await this.indexOnce()) > 0);
        this.lastError = null;
      } catch (err) {
        if (!(err instanceof WriteLockBusy)) this.lastError = (err as Error).message;
      }
      if (!this.closed) this.timer = setTimeout(tick, everyMs).unref();
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  /** One round: drops, then one batch of adds. Returns the changes made (0: nothing left to do). */
  indexOnce(): Promise<number> {
    this.indexing ??= this.round().finally(() => (this.indexing = null));
    return this.indexing;
  }

  private async round(): Promise<number> {
    await this.open();
    const drops = this.store.all<Todo>("SELECT entry_id, memory_id, rev FROM memory_vector_todo WHERE op = 'drop' ORDER BY entry_id LIMIT ?", DROP_BATCH);
    if (drops.length > 0) {
      await this.vectors.remove(drops.map((d) => d.entry_id));
      this.done(drops, 'drop');
      return drops.length;
    }
    const adds = this.store.all<Todo & { text: string }>(
      "SELECT t.entry_id, t.memory_id, t.rev, e.text FROM memory_vector_todo t JOIN memory_entries e ON e.id = t.entry_id WHERE t.op = 'add' AND t.failures < ? ORDER BY t.entry_id LIMIT ?",
      MAX_FAILURES,
      this.config.index_batch,
    );
    if (adds.length === 0) return 0;
    let embedded: { rows: typeof adds; vectors: Float32Array[] };
    try {
      embedded = { rows: adds, vectors: (await this.embedder.embed(adds.map((a) => a.text))).vectors };
    } catch (err) {
      // One entry the model refuses (too long for it, say) must not hold back everyone's: the batch is
      // tried one entry at a time, and an entry that fails MAX_FAILURES times is left to search by words.
      embedded = await this.oneByOne(adds, err as Error);
    }
    await this.vectors.upsert(embedded.rows.map((a, i) => ({ id: a.entry_id, memoryId: a.memory_id, vector: embedded.vectors[i]! })));
    this.done(embedded.rows, 'add');
    return adds.length;
  }

  private async oneByOne<T extends Todo & { text: string }>(rows: T[], batchError: Error): Promise<{ rows: T[]; vectors: Float32Array[] }> {
    const ok: T[] = [];
    const vectors: Float32Array[] = [];
    const failed: T[] = [];
    for (const r of rows) {
      try {
        vectors.push((await this.embedder.embed([r.text])).vectors[0]!);
        ok.push(r);
      } catch {
        failed.push(r);
      }
    }
    // Everything failing alone too: the model is down, not the entries. Nothing is held against them.
    if (ok.length === 0) throw batchError;
    this.store.writeTx(() => {
      for (const r of failed) this.store.run("UPDATE memory_vector_todo SET failures = failures + 1 WHERE entry_id = ? AND op = 'add' AND rev = ?", r.entry_id, r.rev);
    }, { wait: false });
    if (failed.length) this.lastError = `entries ${failed.map((f) => f.entry_id).join(', ')} could not be embedded: ${batchError.message}`;
    return { rows: ok, vectors };
  }

  /** Clears the work done, unless the entry changed meanwhile (a later rev is the next round's). */
  private done(rows: readonly Todo[], op: 'add' | 'drop'): void {
    this.store.writeTx(() => {
      for (const r of rows) this.store.run('DELETE FROM memory_vector_todo WHERE entry_id = ? AND op = ? AND rev = ?', r.entry_id, op, r.rev);
    }, { wait: false });
  }

  /** Entries waiting to be indexed, those given up on excepted (for status displays and tests). */
  backlog(): number {
    return this.store.one<{ n: number }>("SELECT count(*) AS n FROM memory_vector_todo WHERE op = 'drop' OR failures < ?", MAX_FAILURES)!.n;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.indexing?.catch(() => {});
    await this.embedder.close();
    await this.vectors.close();
  }
}
