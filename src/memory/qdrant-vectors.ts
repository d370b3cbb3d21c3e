import { QdrantClient } from '@qdrant/js-client-rest';
import { checkDims, type VectorHit, type VectorPoint, type VectorStore } from './vector-store.ts';

export interface QdrantOptions {
  url: string;
  apiKey?: string;
  collection: string;
  timeoutMs: number;
}

/**
 * Embeddings in a Qdrant collection (for worlds whose memories outgrow the world's file): one point per
 * entry, id = entry id, payload `memory_id` (keyword-indexed, so a search stays inside one memory).
 */
export class QdrantVectorStore implements VectorStore {
  readonly kind = 'qdrant';
  private readonly client: QdrantClient;
  private dims = 0;

  constructor(private readonly opts: QdrantOptions) {
    // No version check: it costs a request at start, and stand-ins (tests) have no version to report.
    this.client = new QdrantClient({ url: opts.url, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}), checkCompatibility: false, timeout: opts.timeoutMs });
  }

  async open(dims: number, fresh: boolean): Promise<void> {
    const name = this.opts.collection;
    const exists = (await this.client.collectionExists(name)).exists;
    let size: number | undefined;
    if (exists) {
      const info = await this.client.getCollection(name);
      const vectors = info.config.params.vectors as { size?: number } | undefined;
      size = vectors?.size;
    }
    if (exists && (fresh || size !== dims)) await this.client.deleteCollection(name);
    if (!exists || fresh || size !== dims) {
      await this.client.createCollection(name, { vectors: { size: dims, distance: 'Cosine' } });
      await this.client.createPayloadIndex(name, { field_name: 'memory_id', field_schema: 'keyword', wait: true });
    }
    this.dims = dims;
  }

  async upsert(points: readonly VectorPoint[]): Promise<void> {
    if (points.length === 0) return;
    for (const p of points) checkDims(this.dims, p.vector);
    await this.client.upsert(this.opts.collection, { wait: true, points: points.map((p) => ({ id: p.id, vector: Array.from(p.vector), payload: { memory_id: p.memoryId } })) });
  }

  async remove(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.delete(this.opts.collection, { wait: true, points: [...ids] });
  }

  async nearest(memoryId: string, vector: Float32Array, limit: number): Promise<VectorHit[]> {
    checkDims(this.dims, vector);
    const r = await this.client.query(this.opts.collection, {
      query: Array.from(vector),
      filter: { must: [{ key: 'memory_id', match: { value: memoryId } }] },
      limit,
      with_payload: false,
      with_vector: false,
    });
    return r.points.map((p) => ({ id: Number(p.id), score: p.score }));
  }

  async close(): Promise<void> {}

}
