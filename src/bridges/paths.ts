import { existsSync, realpathSync } from 'node:fs';
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
