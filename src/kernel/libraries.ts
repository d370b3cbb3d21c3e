import { byteLength, isWorldArtifact, type Imports } from './artifact.ts';
import { KernelError, assert } from './errors.ts';
import type { Store } from './db/store.ts';

/** A library at one version: what an importer runs against. */
export interface Pin {
  id: string;
  version: number;
}

export type { Imports } from './artifact.ts';

/**
 * Imports are pinned. When code is written, each library it imports (and theirs, transitively) resolves to
 * the version current then, and that version's code is kept as an immutable snapshot for as long as
 * anything pins it. The code keeps running against those versions whatever the library's owner does
 * later: a buyer gets what was sold, not whatever the seller rewrites the library into (the rug pull).
 *
 * Module names in the sandbox carry the version (`lib@3`), so two importers can run different versions
 * in one command. The world's own libraries (`genesis_…`) are never pinned: nobody can rewrite them.
 */
export class Libraries {
  constructor(private readonly store: Store) {}

  /** The sandbox module name of a pin. */
  static moduleName(p: Pin): string {
    return `${p.id}@${p.version}`;
  }

  /** A module name back to its pin (null for an unversioned name: a world library, or legacy code). */
  static parse(name: string): Pin | null {
    const at = name.lastIndexOf('@');
    if (at <= 0) return null;
    const version = Number(name.slice(at + 1));
    return Number.isSafeInteger(version) && version > 0 ? { id: name.slice(0, at), version } : null;
  }

  static isPinnable(id: string): boolean {
    return !isWorldArtifact(id);
  }

  /** A kept version: its code and its own direct imports (null for a library written before pinning); undefined if none is kept. */
  snapshot(p: Pin): { code: string; imports: Imports | null } | undefined {
    const r = this.store.one<{ code: string; imports: string }>('SELECT code, imports FROM library_versions WHERE id = ? AND version = ?', p.id, p.version);
    return r && { code: r.code, imports: JSON.parse(r.imports) as Imports | null };
  }

  /**
   * Records that `artifactId`'s code runs against `closure` (every library version it loads), replacing
   * what it pinned before, and keeps a snapshot of each. `current` reads a library's code and imports
   * at a version that is still its latest (the only kind a write can newly pin). Returns the bytes of
   * the kept code the artifact now pins, which its owner is charged for like its own.
   */
  pin(artifactId: string, closure: readonly Pin[], current: (p: Pin) => { code: string; imports: Imports | null }): number {
    const before = this.pinsOf(artifactId);
    this.store.run('DELETE FROM artifact_pins WHERE artifact_id = ?', artifactId);
    let bytes = 0;
    for (const p of closure) {
      assert(Libraries.isPinnable(p.id), `world library ${p.id} pinned`);
      if (!this.snapshot(p)) {
        const { code, imports } = current(p);
        this.store.run(
          'INSERT INTO library_versions (id, version, code, imports, size_bytes) VALUES (?, ?, ?, ?, ?)',
          p.id,
          p.version,
          code,
          JSON.stringify(imports),
          byteLength(code),
        );
      }
      this.store.run('INSERT INTO artifact_pins (artifact_id, dep_id, dep_version) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', artifactId, p.id, p.version);
      bytes += this.store.one<{ n: number }>('SELECT size_bytes AS n FROM library_versions WHERE id = ? AND version = ?', p.id, p.version)!.n;
    }
    this.collect(before);
    return bytes;
  }

  /** The artifact no longer runs anything (deleted): its pins go, and snapshots nothing else pins. */
  unpin(artifactId: string): void {
    const before = this.pinsOf(artifactId);
    this.store.run('DELETE FROM artifact_pins WHERE artifact_id = ?', artifactId);
    this.collect(before);
  }

  pinsOf(artifactId: string): Pin[] {
    return this.store.all<{ id: string; version: number }>('SELECT dep_id AS id, dep_version AS version FROM artifact_pins WHERE artifact_id = ? ORDER BY dep_id, dep_version', artifactId);
  }

  /** Bytes of kept code an artifact pins (part of its size). */
  pinnedBytes(artifactId: string): number {
    return this.store.one<{ n: number }>(
      `SELECT COALESCE(SUM(v.size_bytes), 0) AS n FROM artifact_pins p JOIN library_versions v ON v.id = p.dep_id AND v.version = p.dep_version WHERE p.artifact_id = ?`,
      artifactId,
    )!.n;
  }

  /** Drops the snapshots among `pins` that nothing pins any more. */
  private collect(pins: readonly Pin[]): void {
    for (const p of pins) {
      this.store.run(
        'DELETE FROM library_versions WHERE id = ?1 AND version = ?2 AND NOT EXISTS (SELECT 1 FROM artifact_pins WHERE dep_id = ?1 AND dep_version = ?2)',
        p.id,
        p.version,
      );
    }
  }
}

/** NOT_FOUND for an import that cannot be resolved, saying what to do instead. */
export function importError(name: string, why: string): KernelError {
  return new KernelError('NOT_FOUND', `Cannot import '${name}': ${why}`, { name });
}
