import { createHash } from 'node:crypto';
import { ID_PATTERN, MAX_ID_CHARS, PACKAGE_PREFIX } from '../../src/kernel/artifact.ts';
import type { Store } from '../../src/kernel/db/store.ts';

/** One installed package version, as the world keeps it (its code is the library artifact's). */
export interface PackageRow {
  name: string;
  version: string;
  artifact_id: string;
  integrity: string;
  license: string;
  bytes: number;
  /** Every package bundled in, the root first, and the install scripts none of which ran. */
  details: string;
  installed_by: string;
  installed_at: number;
}

/**
 * The library artifact's id for a package version: readable where it fits the id rules and is free, a hash where
 * not. Readable ids can meet (`@acme/kit` and `acme__kit`, `a.b` and `a_b`): the one installed second gets the hash,
 * so nobody can lock a package out by installing a look-alike first.
 */
export function packageArtifactId(name: string, version: string, taken: (id: string) => boolean): string {
  const readable = `${PACKAGE_PREFIX}${name.replace(/^@/, '').replace('/', '__').replaceAll('.', '_')}_${version.toLowerCase().replace(/[.+]/g, '_')}`;
  if (readable.length <= MAX_ID_CHARS && ID_PATTERN.test(readable) && !taken(readable)) return readable;
  return `${PACKAGE_PREFIX}${createHash('sha256').update(`${name}@${version}`).digest('hex').slice(0, 32)}`;
}

const COLUMNS = 'name, version, artifact_id, integrity, license, bytes, details, installed_by, installed_at';

export class Packages {
  constructor(private readonly store: Store) {}

  get(name: string, version: string): PackageRow | undefined {
    return this.store.one<PackageRow>(`SELECT ${COLUMNS} FROM packages WHERE name = ? AND version = ?`, name, version);
  }

  /** Every installed version of a package, newest install first. */
  versions(name: string, limit = 100): PackageRow[] {
    return this.store.all<PackageRow>(`SELECT ${COLUMNS} FROM packages WHERE name = ? ORDER BY installed_at DESC, version DESC LIMIT ?`, name, limit);
  }

  /** Installed package names (with their version count), by name after `after`, optionally containing `query`. */
  names(query: string | null, after: string | null, limit: number): { name: string; versions: number }[] {
    return this.store.all<{ name: string; versions: number }>(
      `SELECT name, COUNT(*) AS versions FROM packages WHERE name > ? ${query ? "AND instr(name, ?) > 0" : ''} GROUP BY name ORDER BY name LIMIT ?`,
      ...[after ?? '', ...(query ? [query] : []), limit],
    );
  }

  insert(r: PackageRow): void {
    this.store.run(`INSERT INTO packages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.name, r.version, r.artifact_id, r.integrity, r.license, r.bytes, r.details, r.installed_by, r.installed_at);
  }
}
