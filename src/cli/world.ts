import { World } from '../world.ts';
import { OPERATOR } from '../kernel/door.ts';
import type { InvokeResult } from '../kernel/kernel.ts';

export interface WorldOptions {
  db: string;
  config?: string;
}

/** Opens the world named on the command line, runs `fn`, and always closes it. */
export async function withWorld<T>(opts: WorldOptions, fn: (world: World) => T | Promise<T>): Promise<T> {
  const world = await World.open({ path: opts.db, sandbox: 'own', ...(opts.config === undefined ? {} : { configFile: opts.config }) });
  try {
    return await fn(world);
  } finally {
    await world.close();
  }
}

/** Runs an operator command; prints its error and returns null on failure. */
export function operator(world: World, method: string, args: Record<string, unknown>): unknown {
  const r: InvokeResult = world.invoke(OPERATOR, 'genesis_world', method, args);
  if (r.ok) return r.value;
  process.stderr.write(`ecology: ${r.error.code}: ${r.error.message}\n`);
  return null;
}
