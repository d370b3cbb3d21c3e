import { join } from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/kernel/db/store.ts';
import { MIGRATIONS } from '../../src/kernel/db/migrations.ts';
import { VirtualClock } from '../../src/kernel/clock.ts';
import { Stats } from '../../src/kernel/stats.ts';
import { tempDir } from '../helpers/world.ts';

const open = (path: string) => new Store({ path, busyTimeoutMs: 1000, synchronous: 'NORMAL', now: () => 1 });

describe('store', () => {
  it('applies numbered migrations at open and records the schema version', () => {
    const s = open(':memory:');
    expect(s.schemaVersion()).toBe(MIGRATIONS.length);
    expect(s.all<{ version: number }>('SELECT version FROM schema_version').map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    s.close();
  });

  it('uses WAL for files and re-opening does not re-apply migrations', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'w.db');
      open(path).close();
      const s = open(path);
      expect(s.one<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode).toBe('wal');
      expect(s.all('SELECT * FROM schema_version')).toHaveLength(MIGRATIONS.length);
      s.close();
    } finally {
      cleanup();
    }
  });

  it('migration 4 keeps every command of a version-3 world and the heartbeat still finds the newest', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'w.db');
      const raw = new Database(path);
      raw.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
      for (let v = 1; v <= 3; v++) {
        raw.exec(MIGRATIONS[v - 1]!);
        raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, 0)').run(v);
      }
      const insert = raw.prepare(
        "INSERT INTO commands (id, at, principal, target, method, args, idempotency_key, ok, error_code, result_hash, cpu_ms) VALUES (?, ?, ?, 'genesis_ledger', 'balance', '[]', NULL, 1, NULL, 'h', 0)",
      );
      insert.run('cmd_00000000a0000aaaa', 10, 'alice');
      insert.run('cmd_00000000c0000aaaa', 12, 'alice');
      insert.run('cmd_00000000b0000aaaa', 11, 'bob');
      raw.close();
      const s = open(path);
      expect(s.schemaVersion()).toBe(MIGRATIONS.length);
      expect(s.all('SELECT principal, id, at FROM commands ORDER BY id')).toEqual([
        { principal: 'alice', id: 'cmd_00000000a0000aaaa', at: 10 },
        { principal: 'bob', id: 'cmd_00000000b0000aaaa', at: 11 },
        { principal: 'alice', id: 'cmd_00000000c0000aaaa', at: 12 },
      ]);
      expect(new Stats(s).lastActionAt('alice')).toBe(12);
      expect(new Stats(s).lastActionAt('carol')).toBeNull();
      expect(s.all("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events'")).toEqual([]);
      s.close();
    } finally {
      cleanup();
    }
  });

  it('a new file takes the configured page size and an existing file keeps its own', () => {
    const { dir, cleanup } = tempDir();
    const pageSize = (s: Store) => s.one<{ page_size: number }>('PRAGMA page_size')?.page_size;
    const withPages = (path: string, size?: number) => new Store({ path, busyTimeoutMs: 1000, synchronous: 'NORMAL', now: () => 1, ...(size ? { pageSize: size } : {}) });
    try {
      const small = join(dir, 'small.db');
      withPages(small, 1024).close();
      const reopened = withPages(small, 8192);
      expect(pageSize(reopened)).toBe(1024);
      expect(reopened.schemaVersion()).toBe(MIGRATIONS.length);
      reopened.close();

      // A world made before page sizes were configurable (SQLite's 4 KiB) opens unchanged and keeps working.
      const old = join(dir, 'old.db');
      withPages(old).close();
      const s = withPages(old, 1024);
      expect(pageSize(s)).toBe(4096);
      s.writeTx(() => s.run('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)', 999, 2));
      expect(s.one<{ n: number }>('SELECT COUNT(*) AS n FROM schema_version WHERE version = 999')?.n).toBe(1);
      s.close();
    } finally {
      cleanup();
    }
  });

  it('refuses a database from a newer build with a clear error', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'w.db');
      open(path).close();
      const raw = new Database(path);
      raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, 0)').run(MIGRATIONS.length + 1);
      raw.close();
      expect(() => open(path)).toThrow(/newer than this build/);
    } finally {
      cleanup();
    }
  });

  it('a throw at any point rolls back everything, including nested savepoints', () => {
    const s = open(':memory:');
    s.db.exec('CREATE TABLE t (x INTEGER)');
    expect(() =>
      s.writeTx(() => {
        s.run('INSERT INTO t VALUES (1)');
        s.writeTx(() => s.run('INSERT INTO t VALUES (2)'));
        throw new Error('late failure');
      }),
    ).toThrow('late failure');
    expect(s.all('SELECT * FROM t')).toEqual([]);
    // A failed savepoint undoes only itself.
    s.writeTx(() => {
      s.run('INSERT INTO t VALUES (1)');
      expect(() => s.writeTx(() => { s.run('INSERT INTO t VALUES (2)'); throw new Error('inner'); })).toThrow('inner');
      s.run('INSERT INTO t VALUES (3)');
    });
    expect(s.all<{ x: number }>('SELECT x FROM t ORDER BY x').map((r) => r.x)).toEqual([1, 3]);
    s.close();
  });

  it('refuses an async transaction body, which would commit too early', () => {
    const s = open(':memory:');
    s.db.exec('CREATE TABLE t (x INTEGER)');
    expect(() => s.writeTx(async () => s.run('INSERT INTO t VALUES (1)'))).toThrow(/synchronous/);
    expect(s.all('SELECT * FROM t')).toEqual([]);
    s.close();
  });

  it('a second writer waits for the lock and then proceeds (BEGIN IMMEDIATE + busy timeout)', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'w.db');
      const a = open(path);
      const b = new Store({ path, busyTimeoutMs: 50, synchronous: 'NORMAL', now: () => 1 });
      a.db.exec('BEGIN IMMEDIATE');
      expect(() => b.writeTx(() => b.run("INSERT INTO meta VALUES ('k', 'v')"))).toThrow(/busy/);
      a.db.exec('COMMIT');
      b.writeTx(() => b.run("INSERT INTO meta VALUES ('k', 'v')"));
      expect(a.one<{ value: string }>("SELECT value FROM meta WHERE key = 'k'")?.value).toBe('v');
      a.close();
      b.close();
    } finally {
      cleanup();
    }
  });
});

describe('clock', () => {
  it('is virtual in tests and never goes backwards', () => {
    const c = new VirtualClock(1000);
    expect(c.advance(5)).toBe(1005);
    expect(() => c.set(10)).toThrow(/backwards/);
    expect(() => c.advance(-1)).toThrow();
    expect(c.set(2000)).toBe(2000);
  });
});

describe('regression: libsql get() returns stale rows after all() and repeats old errors', () => {
  it('Store.one sees fresh rows after Store.all on the same statement', () => {
    const s = open(':memory:');
    s.db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER CHECK (x >= 0)); INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
    const sql = 'SELECT x FROM t WHERE id = ?';
    const seen: unknown[] = [];
    for (const id of [1, 2, 3]) {
      seen.push(s.all<{ x: number }>(sql, id)[0]?.x);
      seen.push(s.one<{ x: number }>(sql, id === 3 ? 1 : id + 1)?.x);
    }
    expect(seen).toEqual([10, 20, 20, 30, 30, 10]);
    s.close();
  });

  it('a statement that failed works again with good parameters', () => {
    const s = open(':memory:');
    s.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER CHECK (x >= 0)); INSERT INTO t VALUES (1, 10)');
    const sql = 'UPDATE t SET x = x + ? WHERE id = ? RETURNING x';
    expect(() => s.one(sql, -100, 1)).toThrow(/CHECK/);
    expect(s.one<{ x: number }>(sql, 1, 1)?.x).toBe(11);
    expect(() => s.one(sql, -100, 1)).toThrow(/CHECK/);
    expect(s.one<{ x: number }>(sql, 1, 1)?.x).toBe(12);
    s.close();
  });
});
