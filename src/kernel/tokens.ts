import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from './db/store.ts';

/**
 * Bearer tokens: `eco_<id>_<secret>`. The id is public (listing, revoking); the secret is 256 random
 * bits shown once, and only its SHA-256 is stored, so the database never holds a usable token.
 */
const TOKEN = /^eco_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface TokenRow {
  id: string;
  principal: string;
  created_at: number;
  revoked_at: number | null;
}

const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export function mintToken(): { id: string; secret: string; token: string; hash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `eco_${id}_${secret}`, hash: digest(secret).toString('hex') };
}

export class Tokens {
  constructor(private readonly store: Store) {}

  insert(id: string, principal: string, hash: string, at: number): void {
    this.store.run('INSERT INTO tokens (id, principal, hash, created_at) VALUES (?, ?, ?, ?)', id, principal, hash, at);
  }

  /** Revokes one token by id, or every live token of a principal. Returns the ids revoked. */
  revoke(idOrPrincipal: string, at: number): string[] {
    const rows = this.store.all<{ id: string }>(
      'UPDATE tokens SET revoked_at = ? WHERE (id = ? OR principal = ?) AND revoked_at IS NULL RETURNING id',
      at,
      idOrPrincipal,
      idOrPrincipal,
    );
    return rows.map((r) => r.id).sort();
  }

  list(): TokenRow[] {
    return this.store.all<TokenRow>('SELECT id, principal, created_at, revoked_at FROM tokens ORDER BY created_at, id');
  }

  /**
   * The principal a token authenticates, or null: malformed, unknown, revoked, or its principal is no
   * longer a live principal. Compared in constant time.
   */
  verify(token: string): string | null {
    const m = TOKEN.exec(token);
    if (!m) return null;
    const row = this.store.one<{ principal: string; hash: string; revoked_at: number | null; has_standing: number | null; deleted_at: number | null }>(
      `SELECT t.principal, t.hash, t.revoked_at, a.has_standing, a.deleted_at
       FROM tokens t LEFT JOIN artifacts a ON a.id = t.principal WHERE t.id = ?`,
      m[1],
    );
    if (!row || row.revoked_at !== null || row.has_standing !== 1 || row.deleted_at !== null) return null;
    const expected = Buffer.from(row.hash, 'hex');
    const actual = digest(m[2]!);
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? row.principal : null;
  }
}
