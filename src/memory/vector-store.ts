/**
 * Where memory entries' embeddings live, for nearest-neighbour search within one memory. The world's
 * database stays the truth (entries, their text, who may read them); a vector store is an index derived
 * from it, rebuilt from the entries when the embedding model changes, so it may lag behind them and must
 * never be trusted for anything but candidate ids. Two implementations share one contract test suite
 * (tests/memory/vector-store.contract.ts): libSQL's own vectors, in the world's file, and Qdrant, for scale.
 */
export interface VectorPoint {
  /** The memory entry's id. */
  id: number;
  memoryId: string;
  vector: Float32Array;
}

export interface VectorHit {
  id: number;
  /** Cosine similarity, -1 to 1 (higher is nearer). */
  score: number;
}

export interface VectorStore {
  /** 'libsql' or 'qdrant': shown to operators. */
  readonly kind: string;
  /** Makes the store ready for vectors of `dims` dimensions. `fresh` drops every vector held (a new model). */
  open(dims: number, fresh: boolean): Promise<void>;
  /** Adds or replaces points (an id seen before is overwritten, memory and all). */
  upsert(points: readonly VectorPoint[]): Promise<void>;
  /** Removes points; ids it does not hold are ignored. */
  remove(ids: readonly number[]): Promise<void>;
  /** The points of `memoryId` nearest `vector`, nearest first, at most `limit`. */
  nearest(memoryId: string, vector: Float32Array, limit: number): Promise<VectorHit[]>;
  close(): Promise<void>;
}

/** Vectors compared by cosine everywhere: unit length makes stores agree on scores. */
export function normalize(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

/** Refuses a vector of the wrong size (a model changed without a rebuild) before it reaches a store. */
export function checkDims(dims: number, v: Float32Array): void {
  if (dims === 0) throw new Error('the vector store is not open');
  if (v.length !== dims) throw new Error(`a vector of ${v.length} dimensions given to a store of ${dims}`);
}
