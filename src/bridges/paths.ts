import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A path argument that would leave the caller's folder (or try a trick to): refused before the upstream is called. */
export class PathRefused extends Error {}

/** Argument names that hold paths in the filesystem server's tools. */
const PATH_KEYS = new Set(['path', 'paths', 'source', 'destination']);

/** The deepest existing ancestor of `p`, resolved through symlinks (what the OS would really open). */
function realExisting(p: string): string {
  let at = p;
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) return at;
    at = up;
  }
  return join(realpathSync(at), relative(at, p));
}

function confineOne(root: string, value: unknown, key: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4_096) throw new PathRefused(`${key} must be a path of 1-4096 characters`);
  if (/[\0\\]/.test(value)) throw new PathRefused(`${key} may not contain NUL or backslashes`);
  if (/%[0-9a-f]{2}/i.test(value)) throw new PathRefused(`${key} may not contain percent-encoded characters`);
  if (value.startsWith('~')) throw new PathRefused(`${key} may not start with ~: paths are inside your own folder`);
  if (value.split('/').includes('..')) throw new PathRefused(`${key} may not contain '..': paths are inside your own folder`);
  const full = isAbsolute(value) ? resolve(value) : resolve(root, value);
  if (full !== root && !full.startsWith(root + sep)) throw new PathRefused(`${key} '${value}' is outside your folder; give a path relative to it`);
  const real = realExisting(full);
  const realRoot = realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new PathRefused(`${key} '${value}' leads outside your folder through a link`);
  return full;
}

/**
 * The arguments with every path confined to `root` (the caller's folder): relative paths are made absolute
 * inside it; absolute ones must already be inside it; '..', '~', encoded characters and links out are refused.
 */
export function confinePaths(root: string, args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...args };
  for (const [k, v] of Object.entries(args)) {
    if (!PATH_KEYS.has(k)) continue;
    if (Array.isArray(v)) {
      if (v.length > 100) throw new PathRefused(`${k} may list at most 100 paths`);
      out[k] = v.map((p, i) => confineOne(root, p, `${k}[${i}]`));
    } else {
      out[k] = confineOne(root, v, k);
    }
  }
  return out;
}

/** A call that could take its caller's folder past what it may hold: refused before the upstream is called. */
export class FolderFull extends Error {}

const BLOCK = 4_096;

/** Disk a folder takes, in whole blocks per entry (so many small files count as what they cost); stops counting past `limit`. */
export function folderBytes(dir: string, limit: number): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0 && total <= limit) {
    const at = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      continue;
    }
    for (const name of names) {
      const p = join(at, name);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      total += Math.max(1, Math.ceil(st.size / BLOCK)) * BLOCK;
      if (st.isDirectory()) stack.push(p);
      if (total > limit) break;
    }
  }
  return total;
}

/** Arguments this small (a read, a deletion, a file written again with less) are let through past the limit, up to SLACK more. */
const SMALL = 1_024;
const SLACK = 64 * BLOCK;

/**
 * Refuses a call whose arguments (`adding` bytes, about the most it can write) could take `dir` past `limit`.
 * A small call may go a little past it, so a full folder can still be read and made smaller.
 */
export function requireFolderRoom(dir: string, limit: number, adding: number): void {
  const cap = adding <= SMALL ? limit + SLACK : limit;
  const used = folderBytes(dir, cap);
  if (used + adding > cap) {
    throw new FolderFull(`your folder holds ${used > cap ? `more than ${cap}` : used} bytes (in 4 KB blocks) of the ${limit} it may, and a call with ${adding} bytes of arguments could take it past that. Make room first (write big files again with less in them, delete_entities from a graph), or keep data in artifacts`);
  }
}
