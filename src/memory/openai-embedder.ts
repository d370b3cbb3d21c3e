import OpenAI from 'openai';
import { checkBatch, type Embedder } from './embedder.ts';
import { normalize } from './vector-store.ts';

export interface OpenAIEmbedderOptions {
  baseUrl: string;
  model: string;
  apiKeyEnv?: string;
  /** Asked of models that can shorten their vectors (OpenAI's text-embedding-3); absent, the model's own size. */
  dimensions?: number;
  timeoutMs: number;
}

const MAX_DIMS = 8_192;

/**
 * Embeddings from an OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp's server).
 * The key is read from the environment at start, never stored. The reply is checked: one finite vector per
 * text, all the same size.
 */
export class OpenAIEmbedder implements Embedder {
  private size = 0;
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAIEmbedderOptions) {
    const key = opts.apiKeyEnv === undefined ? 'none' : process.env[opts.apiKeyEnv];
    this.client = new OpenAI({ baseURL: opts.baseUrl, apiKey: key || 'none', timeout: opts.timeoutMs, maxRetries: 1 });
  }

  get id(): string {
    return `openai:${this.opts.baseUrl}:${this.opts.model}:${this.size}`;
  }

  get dims(): number {
    return this.size;
  }

  async start(): Promise<void> {
    if (this.size > 0) return;
    // The size a model returns is learnt from one small call (and checked against every later one).
    const { vectors } = await this.call(['dimension probe']);
    this.size = vectors[0]!.length;
  }

  async embed(texts: readonly string[]): Promise<{ vectors: Float32Array[]; ms: number }> {
    checkBatch(texts);
    await this.start();
    return this.call(texts);
  }

  async close(): Promise<void> {}

  private async call(texts: readonly string[]): Promise<{ vectors: Float32Array[]; ms: number }> {
    const r = await this.client.embeddings.create({ model: this.opts.model, input: [...texts], encoding_format: 'float', ...(this.opts.dimensions ? { dimensions: this.opts.dimensions } : {}) });
    const started = performance.now();
    const data = Array.isArray(r?.data) ? r.data : [];
    if (data.length !== texts.length) throw new Error(`the embeddings endpoint returned ${data.length} vectors for ${texts.length} texts`);
    const byIndex = [...data].sort((a, b) => a.index - b.index);
    const vectors = byIndex.map((d) => {
      const v = d.embedding as unknown;
      if (!Array.isArray(v) || v.length === 0 || v.length > MAX_DIMS || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new Error('the embeddings endpoint returned a vector that is not a list of numbers');
      if (this.size > 0 && v.length !== this.size) throw new Error(`the embeddings endpoint returned ${v.length} dimensions where it gave ${this.size} before`);
      return normalize(v as number[]);
    });
    // The wait is the endpoint's; this process's cost is reading the reply.
    return { vectors, ms: performance.now() - started };
  }
}
