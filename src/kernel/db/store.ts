import Database from 'libsql';
import { KernelError, assert } from '../errors.ts';
import { MIGRATIONS } from './migrations.ts';

export type Db = InstanceType<typeof Database>;
/** A prepared statement; parameters are positional. */
type Stmt = {
  run(...p: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...p: unknown[]): unknown[];
  get(...p: unknown[]): unknown;
  raw(on?: boolean): Stmt;
  columns(): { name: string }[];
};
/** A statement in raw mode (rows as arrays, ~2x faster to read in libsql) with its column names. */
type RawStmt = { stmt: Stmt; names: string[] };
export type Row = Record<string, unknown>;

export interface StoreOptions {
  path: string;
  busyTimeoutMs: number;
  synchronous: 'NORMAL' | 'FULL';
  /** WAL pages between automatic checkpoints (SQLite's default when absent). */
  walAutocheckpoint?: number;
  /** Bytes per page for a new file (SQLite fixes it at creation; an existing file keeps its own). */
  pageSize?: number;
  /** World clock; stamps migrations so that even bookkeeping time is an input. */
  now: () => number;
  /** Open without writing anything: no migrations, no journal-mode change (for `ecology check`). */
  readonly?: boolean;
}

/**
 * Thrown by a write transaction asked not to wait (`writeTx(fn, { wait: false })`) when another process
 * holds the world's write lock: nothing has run, and the caller should try again shortly. Waiting in
 * SQLite's busy handler would block this process's event loop (every other client of it) instead.
 */
export class WriteLockBusy extends Error {
  constructor() {
    super('another process holds the write lock');
  }
}

/**
 * The only holder of the database connection. Every write goes through `writeTx` (BEGIN IMMEDIATE),
 * so several processes can share one file: SQLite serialises writers and the busy timeout waits.
 * Nested work inside a command uses savepoints, so a failed nested invoke undoes only itself.
 */
function named(names: string[], values: unknown[]): Row {
  const row: Row = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
  return row;
}

/** Work that must happen at transaction boundaries (flushing buffered rows, dropping undone ones). */
export interface TxListener {
  /** Before a savepoint opens and before the top-level commit: write what is buffered. */
  flush(): void;
  /** After a rollback (top-level or to a savepoint): forget what was buffered since the last flush. */
  discard(): void;
}

export class Store {
  readonly db: Db;
  readonly path: string;
  private readonly statements = new Map<string, Stmt>();
  private readonly rawStatements = new Map<string, RawStmt>();
  /** Statements read with `get()` by `one`, kept apart from `all`'s (see `one`). */
  private readonly singleStatements = new Map<string, RawStmt>();
  private depth = 0;
  private readonly busyTimeoutMs: number;
  private savepointSeq = 0;
  private readonly listeners: TxListener[] = [];

  constructor(opts: StoreOptions) {
    this.path = opts.path;
    this.busyTimeoutMs = Math.trunc(opts.busyTimeoutMs);
    this.db = new Database(opts.path, opts.readonly ? { readonly: true } : {});
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    if (opts.readonly) return;
    // Only a file with no pages yet takes a page size; on an existing one SQLite would ignore it.
    if (opts.pageSize !== undefined && this.one<{ page_count: number }>('PRAGMA page_count')?.page_count === 0) {
      this.db.pragma(`page_size = ${Math.trunc(opts.pageSize)}`);
    }
    if (opts.path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous}`);
    if (opts.walAutocheckpoint !== undefined) this.db.pragma(`wal_autocheckpoint = ${Math.trunc(opts.walAutocheckpoint)}`);
    this.db.pragma('foreign_keys = ON');
    this.migrate(opts.now);
  }

  /** Runs `fn` against one consistent snapshot (a read transaction), unless already in a transaction. */
  readTx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec('BEGIN');
    this.depth = 1;
    try {
      return fn();
    } finally {
      this.depth = 0;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    }
  }

  /** A cached prepared statement: preparing is the dominant cost of small queries. */
  stmt(sql: string): Stmt {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql) as unknown as Stmt;
      this.statements.set(sql, s);
    }
    return s;
  }

  private raw(sql: string): RawStmt {
    let r = this.rawStatements.get(sql);
    if (!r) {
      r = this.prepareRaw(sql);
      this.rawStatements.set(sql, r);
    }
    return r;
  }

  private prepareRaw(sql: string): RawStmt {
    const stmt = (this.db.prepare(sql) as unknown as Stmt).raw(true);
    return { stmt, names: stmt.columns().map((c) => c.name) };
  }

  /**
   * First row or undefined, read as an array and named here (libsql's object rows cost twice as much).
   * `one` uses `get()` (one native call; `all()` takes two and a 100-slot buffer) on statements of its
   * own, because libsql 0.5.29 breaks `get()` in two ways (see tests/kernel/store.test.ts): after an
   * `all()` on the same statement it returns the previous rows, and after an error the statement keeps
   * throwing that error. So `one` never shares a statement with `all`, and drops a statement that threw.
   */
  one<T = Row>(sql: string, ...params: unknown[]): T | undefined {
    let r = this.singleStatements.get(sql);
    if (!r) {
      r = this.prepareRaw(sql);
      this.singleStatements.set(sql, r);
    }
    let row: unknown[] | undefined;
    try {
      row = r.stmt.get(...params) as unknown[] | undefined;
    } catch (err) {
      this.singleStatements.delete(sql);
      throw err;
    }
    return row === undefined ? undefined : (named(r.names, row) as T);
  }

  all<T = Row>(sql: string, ...params: unknown[]): T[] {
    const { stmt, names } = this.raw(sql);
    return (stmt.all(...params) as unknown[][]).map((v) => named(names, v) as T);
  }

  run(sql: string, ...params: unknown[]): { changes: number; lastInsertRowid: number | bigint } {
    return this.stmt(sql).run(...params);
  }

  listen(l: TxListener): void {
    this.listeners.push(l);
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /**
   * Runs `fn` in a write transaction. At the top level this is BEGIN IMMEDIATE … COMMIT; inside an open
   * transaction it is a savepoint. A throw rolls back exactly this level and rethrows.
   * `fn` must be synchronous: an async function would commit when it returns its promise.
   */
  writeTx<T>(fn: () => T, opts: { wait?: boolean } = {}): T {
    if (this.depth === 0) return this.topLevel(fn, opts.wait ?? true);
    return this.savepoint(fn);
  }

  private topLevel<T>(fn: () => T, wait: boolean): T {
    if (wait) this.begin();
    else this.beginNoWait();
    this.depth = 1;
    try {
      const out = fn();
      assert(!(out instanceof Promise), 'writeTx callback must be synchronous');
      for (const l of this.listeners) l.flush();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const l of this.listeners) l.discard();
      throw err;
    } finally {
      this.depth = 0;
    }
  }

  private begin(): void {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      const msg = (err as Error).message ?? '';
      if (/busy|locked/i.test(msg)) {
        throw new KernelError('TIMEOUT', 'The world database is busy with other writers. Retry shortly.', { cause: msg }, { retryAfterMs: 100 });
      }
      throw err;
    }
  }

  /** BEGIN IMMEDIATE without SQLite's busy handler: WriteLockBusy at once if another process writes. */
  private beginNoWait(): void {
    this.db.exec('PRAGMA busy_timeout = 0');
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if (/busy|locked/i.test((err as Error).message ?? '')) throw new WriteLockBusy();
      throw err;
    } finally {
      this.db.exec(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  private savepoint<T>(fn: () => T): T {
    const name = `sp${++this.savepointSeq}`;
    for (const l of this.listeners) l.flush();
    this.db.exec(`SAVEPOINT ${name}`);
    this.depth++;
    try {
      const out = fn();
      assert(!(out instanceof Promise), 'writeTx callback must be synchronous');
      this.db.exec(`RELEASE ${name}`);
      return out;
    } catch (err) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      for (const l of this.listeners) l.discard();
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** Consistent copy of the database into a new file (checkpoint). */
  vacuumInto(path: string): void {
    assert(this.depth === 0, 'cannot checkpoint inside a transaction');
    this.db.prepare('VACUUM INTO ?').run(path);
  }

  close(): void {
    this.statements.clear();
    this.rawStatements.clear();
    this.singleStatements.clear();
    if (this.db.open) this.db.close();
  }

  private migrate(now: () => number): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    this.writeTx(() => {
      const row = this.one<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
      const current = row?.v ?? 0;
      const latest = MIGRATIONS.length;
      if (current > latest) {
        throw new KernelError('CONFLICT', `The database is at schema version ${current}, newer than this build knows (${latest}). Upgrade agent-ecology to open it.`);
      }
      for (let v = current + 1; v <= latest; v++) {
        this.db.exec(MIGRATIONS[v - 1]!);
        this.run('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)', v, now());
      }
    });
  }

  schemaVersion(): number {
    return this.one<{ v: number }>('SELECT MAX(version) AS v FROM schema_version')?.v ?? 0;
  }
}
