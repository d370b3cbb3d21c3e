import type { HandlerContext } from '../../src/kernel/genesis.ts';

/** Items listed per kind: the inventory is a public event, so it is bounded. */
const MAX = 50;

/**
 * What a frozen agent holds, published with `agent_frozen` (the vulture's dinner bell): its balances,
 * the artifacts it owns that everyone may see, its open escrow listings and its debts.
 */
export function inventoryOf(ctx: HandlerContext, id: string): Record<string, unknown> {
  const { store, ledger, artifacts } = ctx.services;
  const owned = store
    .all<{ id: string }>('SELECT id FROM artifacts WHERE owner = ? AND deleted_at IS NULL AND id <> ? ORDER BY id LIMIT ?', id, id, MAX * 4)
    .map((r) => artifacts.meta(r.id)!)
    .filter((m) => ctx.isPublic(m))
    .slice(0, MAX)
    .map((m) => ({ id: m.id, kind: m.kind }));
  const listings = store.all<{ id: string; artifact_id: string; price: number }>("SELECT id, artifact_id, price FROM escrow_listings WHERE seller = ? AND status = 'active' ORDER BY id LIMIT ?", id, MAX);
  const debts = store
    .all<{ id: string; content: string }>("SELECT id, content FROM artifacts WHERE owner = 'genesis_debt' AND deleted_at IS NULL AND created_by = 'genesis_debt' AND content LIKE ? ORDER BY id LIMIT ?", `%${JSON.stringify(id)}%`, MAX * 4)
    .flatMap((r) => {
      try {
        const d = JSON.parse(r.content) as { debtor?: string; creditor?: string; status?: string; principal?: number };
        return d.debtor === id || d.creditor === id ? [{ id: r.id, role: d.debtor === id ? 'debtor' : 'creditor', status: d.status, principal: d.principal }] : [];
      } catch {
        return [];
      }
    })
    .slice(0, MAX);
  const approvals = ctx.services.allowances.of(id, ctx.now).granted.slice(0, MAX).map((a) => ({ spender: a.spender, amount: a.amount }));
  return { balances: ledger.balances(id), artifacts: owned, listings, debts, approvals };
}
