import { InvalidArgumentError, type Command } from 'commander';

/**
 * What the command-line modules share without loading the world: option definitions and parsers. The
 * world, the MCP server and the sandbox are imported by each command's action, when it runs, so
 * `ecology --help` and a mistyped command answer without loading them.
 */
export interface WorldOptions {
  db: string;
  config?: string;
}

/** The options every command that opens a world takes. */
export const worldOpts = (c: Command): Command =>
  c.option('--db <path>', 'world database file', 'world.db').option('--config <path>', 'JSON config file (stored in the world)');

/** A commander option parser for a whole number in [min, max]: digits only (no '', ' ', 0x10 or 1e3). */
export const wholeNumber =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (v: string): number => {
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    return n;
  };
