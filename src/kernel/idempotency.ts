import { byteLength } from './artifact.ts';
import type { Artifacts } from './artifacts.ts';
import type { Store } from './db/store.ts';

/** A kept first result, replayed for a retry with the same key and request. */
export interface KeptResult {
  request_hash: string;
  result: string;
  command_id: string;
}

/** Bytes a kept result costs beyond its text: its key, hashes and row. */
const ROW_BYTES = 160;

/**
 * Results kept for idempotency keys. A kept result is stored for its principal, so it counts against that
 * principal's disk quota until it expires (`limits.idempotency_ttl_ms` after the command): retries come
 * soon after a failure, and a key is no way to store data for free.
 */
export class Idempotency {
  constructor(
    private readonly store: Store,
    private readonly artifacts: Artifacts,
    private readonly ttlMs: number,
  ) {}

  /** The live kept result for `key`, if any. */
  find(principal: string, key: string, now: number): KeptResult | undefined {
    return this.store.one<KeptResult>(
      'SELECT request_hash, result, command_id FROM idempotency WHERE principal = ? AND key = ? AND at > ?',
      principal,
      key,
      now - this.ttlMs,
    );
  }

  /** Keeps a first result, charged to the principal's disk quota (QUOTA_EXCEEDED if it has no room); drops its expired ones first. */
  keep(principal: string, key: string, requestHash: string, result: string, commandId: string, now: number): void {
    this.expire(principal, now);
    const size = ROW_BYTES + byteLength(key) + byteLength(result);
    this.artifacts.adjustDisk(principal, size);
    this.store.run(
      `INSERT INTO idempotency (principal, key, request_hash, result, command_id, at, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (principal, key) DO UPDATE SET request_hash = excluded.request_hash, result = excluded.result, command_id = excluded.command_id, at = excluded.at, size_bytes = excluded.size_bytes`,
      principal,
      key,
      requestHash,
      result,
      commandId,
      now,
      size,
    );
  }

  /** Drops the principal's expired results and gives their bytes back. */
  private expire(principal: string, now: number): void {
    const cutoff = now - this.ttlMs;
    const freed = this.store.one<{ n: number | null }>('SELECT SUM(size_bytes) AS n FROM idempotency WHERE principal = ? AND at <= ?', principal, cutoff)?.n ?? 0;
    if (freed === 0) return;
    this.store.run('DELETE FROM idempotency WHERE principal = ? AND at <= ?', principal, cutoff);
    this.artifacts.adjustDisk(principal, -freed);
  }
}
