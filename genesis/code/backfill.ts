import type { SettleContext } from '../../src/kernel/scheduler.ts';

/** The key of genesis_records' hashed record ids (FNV-1a, 64 bits over UTF-16 code units), as records.js makes them. */
function hashedId(prefix: string, text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return prefix + h.toString(16).padStart(16, '0');
}

/** Which records of which service hold their principal, as the services' own code counts them. */
const HOLDERS = [
  { service: 'genesis_debt', party: 'debtor', open: ['pending', 'active', 'defaulted'] },
  { service: 'genesis_taskboard', party: 'poster', open: ['open', 'claimed', 'submitted'] },
] as const;

const DONE = 'obligations_counted';

/**
 * Seed (once per world): counts the debts and tasks that were open before the services kept per-principal
 * counts of them (genesis_records' `open_` tallies), so a principal who owed a debt from before cannot be
 * deleted either. Worlds made since start with the mark set, as their counts were kept from the first.
 */
export function countOpenObligations(ctx: SettleContext): void {
  const { store, artifacts } = ctx.services;
  if (store.one("SELECT 1 AS x FROM meta WHERE key = ?", DONE)) return;
  for (const h of HOLDERS) {
    const rows = store.all<{ who: string; n: number }>(
      `SELECT json_extract(content, '$.${h.party}') AS who, COUNT(*) AS n FROM artifacts
       WHERE owner = ?1 AND created_by = ?1 AND deleted_at IS NULL AND json_valid(content)
         AND json_extract(content, '$.status') IN (${h.open.map(() => '?').join(', ')}) AND json_extract(content, '$.${h.party}') IS NOT NULL
       GROUP BY who`,
      h.service,
      ...h.open,
    );
    for (const r of rows) {
      const id = `${h.service}.${hashedId('open_', r.who)}`;
      const content = JSON.stringify({ maker: r.who, open: r.n });
      const prev = artifacts.get(id);
      const fields = { kind: 'data' as const, description: `open items of ${r.who}`, content, code: '', interface: null, has_standing: false, can_execute: false };
      if (!prev) artifacts.insert({ ...fields, id, owner: h.service, created_by: h.service, access_contract_id: 'genesis_contract_freeware' }, ctx.now);
      else if (prev.deleted_at === null) artifacts.update(prev, { ...fields, access_contract_id: prev.access_contract_id, imports: null, pinned_bytes: 0 }, ctx.now);
    }
  }
  store.run("INSERT INTO meta (key, value) VALUES (?, '1')", DONE);
}
