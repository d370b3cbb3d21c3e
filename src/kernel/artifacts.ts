import { KernelError, assert, notFound } from './errors.ts';
import { OPERATOR as OPERATOR_ID, isWorldArtifact, sizeOf, type PricesHeld, type Artifact, type ArtifactFields, type ArtifactKind, type ArtifactMeta, type Imports, type InterfaceMethod } from './artifact.ts';
import type { ContractTerms } from './contracts.ts';
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
  listing: string | null;
  terms: string | null;
  prices_held: string | null;
  imports: string | null;
}

const HEAD_COLUMNS =
  'id, kind, description, owner, created_by, access_contract_id, has_standing, can_execute, size_bytes, version, created_at, updated_at, deleted_at, deleted_by, listing, terms, prices_held, imports';
const COLUMNS = `${HEAD_COLUMNS}, interface, content, code`;

/**
 * Interfaces and code keyed by (id, version). Every change to an artifact bumps its version, in any
 * process, so a hit is exactly what the database holds: loading kilobytes of schema or code on every
 * command costs more than the rest of the lookup. Parsed interfaces are frozen because shared.
 */
class VersionCache<T> {
  private readonly entries = new Map<string, { version: number; value: T }>();
  constructor(private readonly max: number) {}
  get(id: string, version: number): T | undefined {
    const e = this.entries.get(id);
    return e && e.version === version ? e.value : undefined;
  }
  set(id: string, version: number, value: T): T {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(id, { version, value });
    return value;
  }
}

function parseInterface(text: string | null): InterfaceMethod[] | null {
  return text === null ? null : deepFreeze(JSON.parse(text) as InterfaceMethod[]);
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

type HeadRow = Omit<ArtifactRow, 'interface' | 'content' | 'code'>;

function metaFromRow(r: HeadRow, iface: InterfaceMethod[] | null): ArtifactMeta {
  // Terms are a few bytes, on contracts only: parsed when present, frozen because shared.
  return {
    ...r,
    interface: iface,
    has_standing: r.has_standing === 1,
    can_execute: r.can_execute === 1,
    terms: r.terms === null ? null : deepFreeze(JSON.parse(r.terms) as ContractTerms),
    prices_held: r.prices_held === null ? null : deepFreeze(JSON.parse(r.prices_held) as PricesHeld),
    imports: r.imports === null ? null : deepFreeze(JSON.parse(r.imports) as Imports),
  };
}

export interface NewArtifact extends ArtifactFields {
  id: string;
  owner: string;
  created_by: string;
  access_contract_id: string;
  terms?: ContractTerms | null;
  /** Direct imports of its code, as resolved (see Libraries). */
  imports?: Imports | null;
  /** Bytes of pinned library code it runs against, charged with it. */
  pinned_bytes?: number;
}

/**
 * Artifact rows, their full-text index and their owners' disk usage. It enforces storage facts
 * (quota, tombstones); who may do what is the contracts' business, decided before these calls.
 */
export class Artifacts {
  private readonly interfaces = new VersionCache<InterfaceMethod[] | null>(2_000);
  private readonly codes = new VersionCache<string>(500);

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    /** Bytes charged per artifact beyond its fields (limits.artifact_overhead_bytes). */
    private readonly overheadBytes: number,
  ) {}

  /** The artifact, tombstoned or not; undefined if the id was never used. */
  get(id: string): Artifact | undefined {
    const r = this.store.one<ArtifactRow>(`SELECT ${COLUMNS} FROM artifacts WHERE id = ?`, id);
    if (!r) return undefined;
    const { interface: text, content, code, ...head } = r;
    const iface = this.interfaces.get(id, r.version) ?? this.interfaces.set(id, r.version, parseInterface(text));
    return { ...metaFromRow(head, iface), content, code };
  }

  /** Everything but content and code: what most decisions need, without loading the big columns. */
  meta(id: string): ArtifactMeta | undefined {
    const r = this.store.one<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM artifacts WHERE id = ?`, id);
    if (!r) return undefined;
    let iface = this.interfaces.get(id, r.version);
    if (iface === undefined) {
      const text = this.store.one<{ interface: string | null }>('SELECT interface FROM artifacts WHERE id = ?', id)!.interface;
      iface = this.interfaces.set(id, r.version, parseInterface(text));
    }
    return metaFromRow(r, iface);
  }

  /** The code of a known version (cached: invoking the same artifact again loads no code). */
  code(a: Pick<ArtifactMeta, 'id' | 'version'>): string {
    const hit = this.codes.get(a.id, a.version);
    if (hit !== undefined) return hit;
    const row = this.store.one<{ code: string; version: number }>('SELECT code, version FROM artifacts WHERE id = ?', a.id);
    return row ? this.codes.set(a.id, row.version, row.code) : '';
  }

  /** The live artifact, or NOT_FOUND / DELETED with what to do instead. */
  require(id: string): Artifact {
    const a = this.get(id);
    if (!a) throw notFound('Artifact', id, 'Find artifacts with store_search.');
    if (a.deleted_at !== null) throw deletedError(a);
    return a;
  }

  /** Like `require`, without content and code. */
  requireMeta(id: string): ArtifactMeta {
    const a = this.meta(id);
    if (!a) throw notFound('Artifact', id, 'Find artifacts with store_search.');
    if (a.deleted_at !== null) throw deletedError(a);
    return a;
  }

  /** Whether `id` exists, has standing, and is live: three columns, for the checks on every command's path. */
  standing(id: string): { has_standing: boolean; deleted_at: number | null; deleted_by: string | null; listing: string | null } | undefined {
    const r = this.store.one<{ has_standing: number; deleted_at: number | null; deleted_by: string | null; listing: string | null }>(
      'SELECT has_standing, deleted_at, deleted_by, listing FROM artifacts WHERE id = ?',
      id,
    );
    return r && { has_standing: r.has_standing === 1, deleted_at: r.deleted_at, deleted_by: r.deleted_by, listing: r.listing };
  }

  /**
   * The world principal answerable for `id`: the principal the operator created (or the genesis artifact)
   * at the root of who created what. An agent's wallets, relays and scripts all answer to that agent, however
   * long the chain: it is recorded when each artifact is made.
   */
  makerOf(id: string): string {
    return this.store.one<{ maker: string | null }>('SELECT maker FROM artifacts WHERE id = ?', id)?.maker ?? id;
  }

  /** The maker a new artifact made by `creator` answers to. */
  private makerFor(id: string, creator: string): string {
    return creator === OPERATOR_ID || isWorldArtifact(id) ? id : this.makerOf(creator);
  }

  /** True when `id` is a live principal: an artifact with standing and a ledger account. */
  isPrincipal(id: string): boolean {
    const s = this.standing(id);
    return s !== undefined && s.has_standing && s.deleted_at === null;
  }

  /** Throws a clear error unless `id` is a live principal (missing, deleted or without standing). */
  requirePrincipal(id: string, role: string): void {
    const s = this.standing(id);
    if (!s) throw notFound('Principal', id, `Check the ${role} id; principals are listed by store_search with has_standing: true.`, { role });
    if (s.deleted_at !== null) throw deletedError({ id, deleted_at: s.deleted_at, deleted_by: s.deleted_by });
    if (!s.has_standing) {
      throw new KernelError('INVALID_ARGS', `'${id}' is an artifact without standing: it has no ledger account and cannot act as ${role}.`, { id, role });
    }
  }

  insert(n: NewArtifact, at: number): Artifact {
    const size = sizeOf(n, this.overheadBytes) + (n.pinned_bytes ?? 0);
    if (n.has_standing) this.openAccount(n.id, at);
    this.adjustDisk(n.owner, size);
    const r = this.store.run(
      `INSERT INTO artifacts (id, kind, description, content, code, interface, owner, created_by, access_contract_id,
         has_standing, can_execute, size_bytes, version, created_at, updated_at, terms, imports, maker)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
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
      n.terms ? JSON.stringify(n.terms) : null,
      n.imports ? JSON.stringify(n.imports) : null,
      this.makerFor(n.id, n.created_by),
    );
    this.index(Number(r.lastInsertRowid), n.id, n);
    return this.get(n.id)!;
  }

  /**
   * Makes `id` able to hold ledger balances. Done by `insert` for artifacts with standing; call it first
   * when a principal must receive assets (its disk quota) before its own artifact can be stored.
   */
  openAccount(id: string, at: number): void {
    this.store.run('INSERT INTO principals (id, disk_used, created_at) VALUES (?, 0, ?) ON CONFLICT (id) DO NOTHING', id, at);
  }

  /** Replaces the writable fields of a live artifact; the version always increases. */
  update(
    prev: Artifact,
    next: ArtifactFields & { access_contract_id: string; terms?: ContractTerms | null; prices_held?: PricesHeld | null; imports: Imports | null; pinned_bytes: number },
    at: number,
  ): Artifact {
    assert(prev.deleted_at === null, 'update of a tombstone');
    assert(next.has_standing === prev.has_standing, 'has_standing is immutable');
    // Bytes it holds outside its row (a memory's entries) stay charged whatever its fields become.
    const held = this.store.one<{ held_bytes: number }>('SELECT held_bytes FROM artifacts WHERE id = ?', prev.id)!.held_bytes;
    if (held > 0 && next.kind !== prev.kind) {
      throw new KernelError('INVALID_ARGS', `'${prev.id}' holds ${held} bytes of ${prev.kind} entries, so its kind cannot change. Remove them first (memory_forget), or write a new artifact.`, { id: prev.id, kind: prev.kind, held_bytes: held });
    }
    const size = sizeOf({ ...next, id: prev.id }, this.overheadBytes) + next.pinned_bytes + held;
    this.adjustDisk(prev.owner, size - prev.size_bytes);
    this.store.run(
      `UPDATE artifacts SET kind = ?, description = ?, content = ?, code = ?, interface = ?, access_contract_id = ?,
         can_execute = ?, size_bytes = ?, version = version + 1, updated_at = ?, terms = ?, prices_held = ?, imports = ? WHERE id = ?`,
      next.kind,
      next.description,
      next.content,
      next.code,
      next.interface === null ? null : JSON.stringify(next.interface),
      next.access_contract_id,
      next.can_execute ? 1 : 0,
      size,
      at,
      next.terms === undefined ? (prev.terms ? JSON.stringify(prev.terms) : null) : next.terms ? JSON.stringify(next.terms) : null,
      next.prices_held ? JSON.stringify(next.prices_held) : null,
      next.imports ? JSON.stringify(next.imports) : null,
      prev.id,
    );
    this.index(this.seqOf(prev.id), prev.id, next);
    return this.get(prev.id)!;
  }

  /**
   * Leaves a tombstone: its id, kind, owner and who deleted it when. Description, interface, content and
   * code go (a tombstone keeps nothing a stranger could learn from, or that costs disk), as do its search
   * words but its id, and all its bytes are freed.
   */
  tombstone(a: ArtifactMeta, by: string, at: number): Artifact {
    assert(a.deleted_at === null, 'double delete');
    this.adjustDisk(a.owner, -a.size_bytes);
    this.store.run(
      `UPDATE artifacts SET description = '', interface = NULL, content = '', code = '', can_execute = 0, size_bytes = 0,
         terms = NULL, prices_held = NULL, imports = NULL, version = version + 1, updated_at = ?, deleted_at = ?, deleted_by = ? WHERE id = ?`,
      at,
      at,
      by,
      a.id,
    );
    this.index(this.seqOf(a.id), a.id, { description: '', interface: null });
    return this.get(a.id)!;
  }

  /**
   * Makes `id` answer to `maker`, with every artifact it created (a hosted agent changing hands: it and its
   * work stop counting as the seller's).
   */
  setMaker(id: string, maker: string): void {
    this.store.run('UPDATE artifacts SET maker = ? WHERE id = ? OR (created_by = ? AND maker IS NOT NULL)', maker, id, id);
  }

  /** Marks an artifact as held by an escrow listing (or releases it with null). */
  setListing(id: string, listing: string | null): void {
    this.store.run('UPDATE artifacts SET listing = ? WHERE id = ?', listing, id);
  }

  /** Moves ownership; the artifact's bytes move from one owner's disk quota to the other's. */
  setOwner(a: ArtifactMeta, to: string, at: number): Artifact {
    this.adjustDisk(to, a.size_bytes);
    this.adjustDisk(a.owner, -a.size_bytes);
    this.store.run('UPDATE artifacts SET owner = ?, version = version + 1, updated_at = ? WHERE id = ?', to, at, a.id);
    return this.get(a.id)!;
  }

  /**
   * Grows (or shrinks) a live artifact by `delta` bytes held outside its row (a memory's entries), charged
   * to its owner like its fields: QUOTA_EXCEEDED past the owner's disk. The bytes move and go with it.
   */
  grow(a: Pick<Artifact, 'id' | 'owner' | 'deleted_at'>, delta: number): void {
    assert(a.deleted_at === null, 'grow of a tombstone');
    this.adjustDisk(a.owner, delta);
    this.store.run('UPDATE artifacts SET size_bytes = size_bytes + ?1, held_bytes = held_bytes + ?1 WHERE id = ?2', delta, a.id);
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

export function deletedError(a: Pick<ArtifactMeta, 'id' | 'deleted_at' | 'deleted_by'>): KernelError {
  return new KernelError(
    'DELETED',
    `Artifact '${a.id}' was deleted by ${a.deleted_by} at ${new Date(a.deleted_at!).toISOString()}. Its id cannot be reused; write a new artifact instead.`,
    { id: a.id, deleted_at: a.deleted_at, deleted_by: a.deleted_by },
  );
}
