import { existsSync } from 'node:fs';
import { World, type OpenWorldOptions } from '../world.ts';
import { OPERATOR } from '../kernel/door.ts';
import type { InvokeResult } from '../kernel/kernel.ts';
import type { WorldOptions } from './options.ts';

/**
 * Opens the world named on the command line, with errors that say what to do. With `mustExist`, a
 * path that holds no world is refused instead of becoming a new, empty world (a mistyped --db).
 */
export async function openWorld(opts: WorldOptions, extra: Omit<OpenWorldOptions, 'path' | 'configFile'> = {}, mustExist = false): Promise<World> {
  if (mustExist && !existsSync(opts.db)) {
    throw new Error(`There is no world at ${opts.db}. Check --db, or create the world with: ecology principal create <id> --db ${opts.db}`);
  }
  try {
    return await World.open({ path: opts.db, ...extra, ...(opts.config === undefined ? {} : { configFile: opts.config }) });
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (/ConnectionFailed|unable to open|not a database|readonly|read-only|disk I\/O/i.test(msg)) {
      throw new Error(`Cannot open the world database at ${opts.db} (${msg.slice(0, 200)}). Check that its directory exists and is writable and that the file is an agent-ecology world.`);
    }
    throw err;
  }
}

/** Opens the world named on the command line (which must exist unless `create`), runs `fn`, and always closes it. */
export async function withWorld<T>(opts: WorldOptions, fn: (world: World) => T | Promise<T>, create = false): Promise<T> {
  const world = await openWorld(opts, { sandbox: 'own' }, !create);
  try {
    return await fn(world);
  } finally {
    await world.close();
  }
}

/** Runs an operator command; prints its error and returns null on failure. */
export function operator(world: World, method: string, args: Record<string, unknown>, target = 'genesis_world'): unknown {
  const r: InvokeResult = world.invoke(OPERATOR, target, method, args);
  if (r.ok) return r.value;
  process.stderr.write(`ecology: ${r.error.code}: ${r.error.message}\n`);
  return null;
}

export interface PrincipalRow {
  id: string;
  description: string;
  created_by: string;
  created_at: number;
  scrip: number;
  live_tokens: number;
  deleted_at?: number;
}

/** Every principal, page by page (the operator method returns at most 100 at a time); null on failure. */
export function listPrincipals(world: World, includeDeleted: boolean): PrincipalRow[] | null {
  const rows: PrincipalRow[] = [];
  let after: string | undefined;
  do {
    const page = operator(world, 'list_principals', { ...(after === undefined ? {} : { after }), include_deleted: includeDeleted }) as { principals: PrincipalRow[]; next_after?: string } | null;
    if (page === null) return null;
    rows.push(...page.principals);
    after = page.next_after;
  } while (after !== undefined);
  return rows;
}
