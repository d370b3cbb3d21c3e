/** Turns texts into vectors. Implementations run their work off the world's event loop (a worker or a remote endpoint). */
export interface Embedder {
  /** Names the model and its vector size: a different id means stored vectors are no longer comparable. */
  readonly id: string;
  /** Vector size (known once `start` has resolved). */
  readonly dims: number;
  start(): Promise<void>;
  /** One unit vector per text, in order; `ms` is the host CPU time it took (what the caller is charged). */
  embed(texts: readonly string[]): Promise<{ vectors: Float32Array[]; ms: number }>;
  close(): Promise<void>;
}

/** Texts embedded per request and characters per text: a limit on everything. */
export const MAX_BATCH = 64;
export const MAX_TEXT_CHARS = 8_000;

export function checkBatch(texts: readonly string[]): void {
  if (texts.length === 0 || texts.length > MAX_BATCH) throw new Error(`embed 1-${MAX_BATCH} texts at a time, not ${texts.length}`);
  for (const t of texts) if (typeof t !== 'string' || t.length > MAX_TEXT_CHARS) throw new Error(`each text to embed must be a string of at most ${MAX_TEXT_CHARS} characters`);
}
