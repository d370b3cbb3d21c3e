import { QdrantVectorStore } from '../../src/memory/qdrant-vectors.ts';
import { qdrantStandIn } from './qdrant-standin.ts';
import { vectorStoreContract } from './vector-store.contract.ts';

// No Qdrant server can run here: the adapter is tested against a local stand-in of the endpoints it uses.
vectorStoreContract('qdrant (local stand-in)', async () => {
  const q = await qdrantStandIn();
  const make = () => new QdrantVectorStore({ url: q.url, collection: 'test_memory', timeoutMs: 5_000 });
  return { store: make(), reopen: make, cleanup: () => q.close() };
});
