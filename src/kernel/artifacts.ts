import { KernelError, assert, notFound } from './errors.ts';
import { sizeOf, type Artifact, type ArtifactFields, type ArtifactKind, type InterfaceMethod } from './artifact.ts';
import type { Store } from './db/store.ts';
import type { Ledger } from './ledger.ts';

interface ArtifactRow {
  id: string;
  kind: ArtifactKind;
  description: string;
  content: string;
  code: string;
  interface: string | null;
  owner: string;
  created_by: string;
  access_contract_id: string;
  has_standing: number;
  can_execute: number;
  size_bytes: number;
  version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  deleted_by: string | null;
}

const COLUMNS =
  'id, kind, description, content, code, interface, owner, created_by, access_contract_id, has_standing, can_execute, size_bytes, version, created_at, updated_at, deleted_at, deleted_by';

function fromRow(r: ArtifactRow): Artifact {
  return {
    ...r,
    interface: r.interface === null ? null : (JSON.parse(r.interface) as InterfaceMethod[]),
    has_standing: r.has_standing === 1,
    can_execute: r.can_execute === 1,
  };
}

export interface NewArtifact extends ArtifactFields {
  id: string;
  owner: string;
  created_by: string;
  access_contract_id: string;
}

/**
 * Artifact rows, their full-text index and their owners' disk usage. It enforces storage facts
 * (quota, tombstones); who may do what is the contracts' business, decided before these calls.
 */
export class Artifacts {
  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
  ) {}

  /** The artifact, tombstoned or not; undefined if the id was never used. */
  get(id: string): Artifact | undefined {
    const r = this.store.one<ArtifactRow>(`SELECT ${COLUMNS} FROM artifacts WHERE id = ?`, id);
    return r ? fromRow(r) : undefined;
  }

  /** The live artifact, or NOT_FOUND / DELETED with what to do instead. */
  require(id: string): Artifact {
    const a = this.get(id);
    if (!a) throw notFound('Artifact', id, 'Find artifacts with store_search.');
    if (a.deleted_at !== null) throw deletedError(a);
    return a;
  }

  /** True when `id` is a live principal: an artifact with standing and a ledger account. */
  isPrincipal(id: string): boolean {
    const r = this.store.one<{ ok: number }>(
      'SELECT 1 AS ok FROM principals p JOIN artifacts a ON a.id = p.id WHERE p.id = ? AND a.deleted_at IS NULL',
      id,
    );
    return r !== undefined;
  }

  /** The live principal, or a clear error for a missing, deleted or non-standing id. */
  requirePrincipal(id: string, role: string): Artifact {
    const a = this.get(id);
    if (!a) throw notFound('Principal', id, `Check the ${role} id; principals are listed by store_search with has_standing: true.`, { role });
    if (a.deleted_at !== null) throw deletedError(a);
    if (!a.has_standing) {
      throw new KernelError('INVALID_ARGS', `'${id}' is an artifact without standing: it has no ledger account and cannot act as ${role}.`, { id, role });
    }
    return a;
  }

  insert(n: NewArtifact, at: number): Artifact {
    const size = sizeOf(n);
    if (n.has_standing) {
      this.store.run('INSERT INTO principals (id, disk_used, created_at) VALUES (?, 0, ?)', n.id, at);
    }
    this.adjustDisk(n.owner, size);
    const r = this.store.run(
      `INSERT INTO artifacts (id, kind, description, content, code, interface, owner, created_by, access_contract_id,
         has_standing, can_execute, size_bytes, version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      n.id,
      n.kind,
      n.description,
      n.content,
      n.code,
      n.interface === null ? null : JSON.stringify(n.interface),
      n.owner,
      n.created_by,
      n.access_contract_id,
      n.has_standing ? 1 : 0,
      n.can_execute ? 1 : 0,
      size,
      at,
      at,
    );
    this.index(Number(r.lastInsertRowid), n.id, n);
    return this.get(n.id)!;
  }

  /** Replaces the writable fields of a live artifact; the version always increases. */
  update(prev: Artifact, next: ArtifactFields & { access_contract_id: string }, at: number): Artifact {
    assert(prev.deleted_at === null, 'update of a tombstone');
    assert(next.has_standing === prev.has_standing, 'has_standing is immutable');
    const size = sizeOf(next);
    this.adjustDisk(prev.owner, size - prev.size_bytes);
    this.store.run(
      `UPDATE artifacts SET kind = ?, description = ?, content = ?, code = ?, interface = ?, access_contract_id = ?,
         can_execute = ?, size_bytes = ?, version = version + 1, updated_at = ? WHERE id = ?`,
      next.kind,
      next.description,
      next.content,
      next.code,
      next.interface === null ? null : JSON.stringify(next.interface),
      next.access_contract_id,
      next.can_execute ? 1 : 0,
      size,
      at,
      prev.id,
    );
    this.index(this.seqOf(prev.id), prev.id, next);
    return this.get(prev.id)!;
  }

  /** Leaves a tombstone: metadata and who deleted it stay; content and code go and all its bytes are freed. */
  tombstone(a: Artifact, by: string, at: number): Artifact {
    assert(a.deleted_at === null, 'double delete');
    this.adjustDisk(a.owner, -a.size_bytes);
    this.store.run(
      `UPDATE artifacts SET content = '', code = '', can_execute = 0, size_bytes = 0, version = version + 1,
         updated_at = ?, deleted_at = ?, deleted_by = ? WHERE id = ?`,
      at,
      at,
      by,
      a.id,
    );
    return this.get(a.id)!;
  }

  /** Moves ownership; the artifact's bytes move from one owner's disk quota to the other's. */
  setOwner(a: Artifact, to: string, at: number): Artifact {
    this.adjustDisk(to, a.size_bytes);
    this.adjustDisk(a.owner, -a.size_bytes);
    this.store.run('UPDATE artifacts SET owner = ?, version = version + 1, updated_at = ? WHERE id = ?', to, at, a.id);
    return this.get(a.id)!;
  }

  diskUsed(principal: string): number {
    return this.store.one<{ disk_used: number }>('SELECT disk_used FROM principals WHERE id = ?', principal)?.disk_used ?? 0;
  }

  countOwned(owner: string): number {
    return this.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM artifacts WHERE owner = ? AND deleted_at IS NULL', owner)!.n;
  }

  /** Adds `delta` bytes to an owner's usage; QUOTA_EXCEEDED if that passes their disk_bytes allocation. */
  adjustDisk(owner: string, delta: number): void {
    if (delta === 0) return;
    if (delta < 0) {
      this.store.run('UPDATE principals SET disk_used = disk_used + ? WHERE id = ?', delta, owner);
      return;
    }
    const used = this.diskUsed(owner);
    const quota = this.ledger.balance(owner, 'disk_bytes');
    if (used + delta > quota) {
      throw new KernelError(
        'QUOTA_EXCEEDED',
        `${owner} would use ${used + delta} bytes of disk but its quota is ${quota}. Delete or shrink artifacts, or obtain disk_bytes from another principal (rights_transfer).`,
        { principal: owner, used, needed: delta, quota },
      );
    }
    const r = this.store.run('UPDATE principals SET disk_used = disk_used + ? WHERE id = ?', delta, owner);
    assert(r.changes === 1, `owner ${owner} has no principal row`);
  }

  private seqOf(id: string): number {
    return this.store.one<{ seq: number }>('SELECT seq FROM artifacts WHERE id = ?', id)!.seq;
  }

  private index(seq: number, id: string, f: Pick<ArtifactFields, 'description' | 'interface'>): void {
    indexArtifact(this.store, seq, id, f.description, f.interface);
  }
}

/** (Re)indexes an artifact for store_search: its id, description and method names and descriptions. */
export function indexArtifact(store: Store, seq: number, id: string, description: string, iface: InterfaceMethod[] | null): void {
  const interfaceText = (iface ?? []).map((m) => `${m.name} ${m.description}`).join('\n');
  store.run('DELETE FROM artifacts_fts WHERE rowid = ?', seq);
  store.run('INSERT INTO artifacts_fts (rowid, id, description, interface_text) VALUES (?, ?, ?, ?)', seq, id, description, interfaceText);
}

export function deletedError(a: Artifact): KernelError {
  return new KernelError(
    'DELETED',
    `Artifact '${a.id}' was deleted by ${a.deleted_by} at ${new Date(a.deleted_at!).toISOString()}. Its id cannot be reused; write a new artifact instead.`,
    { id: a.id, deleted_at: a.deleted_at, deleted_by: a.deleted_by },
  );
}
