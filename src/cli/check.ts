import { existsSync } from 'node:fs';
import { Store } from '../kernel/db/store.ts';
import { checkInvariants } from '../kernel/checker.ts';
import { withProgress } from './progress.ts';

/** `ecology check --db PATH`: the invariant checker over a world file, read-only, without starting the world. */
export async function checkCommand(opts: { db: string }): Promise<number> {
  if (!existsSync(opts.db)) {
    process.stderr.write(`ecology check: no database at ${opts.db}. Pass the world file with --db.\n`);
    return 2;
  }
  let store: Store | undefined;
  try {
    store = new Store({ path: opts.db, busyTimeoutMs: 10_000, synchronous: 'NORMAL', now: () => 0, readonly: true });
    const open = store;
    // Synchronous work: the spinner shows what is happening, then its outcome.
    const report = await withProgress(`Checking every invariant of ${opts.db}`, async () => checkInvariants(open));
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`ecology check: ${opts.db} is not a readable world database (${(err as Error).message}).\n`);
    return 2;
  } finally {
    store?.close();
  }
}
