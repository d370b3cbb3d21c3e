// Worker entry. Node 20 does not apply the parent's --import hooks to a worker's first module, so
// the TypeScript worker is loaded after registering tsx here. Plain JS on purpose: nothing to compile.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
