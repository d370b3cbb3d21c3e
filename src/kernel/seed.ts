import { indexArtifact } from './artifacts.ts';
import { BUILTIN_CONTRACTS } from './contracts.ts';
import { genesisInterface, type GenesisRegistry } from './genesis.ts';
import type { Config } from './config.ts';
import type { Store } from './db/store.ts';
import type { InterfaceMethod } from './artifact.ts';

/** Owner of genesis artifacts without standing (the operator is itself a genesis principal). */
const SYSTEM_OWNER = 'genesis_operator';
const SYSTEM_CONTRACT = 'genesis_contract_freeware';

interface SeedRow {
  id: string;
  kind: 'genesis' | 'code' | 'library';
  description: string;
  content: string;
  code: string;
  interface: InterfaceMethod[] | null;
  has_standing: boolean;
  can_execute: boolean;
  owner: string;
}

/**
 * Makes the genesis artifacts exist as artifacts, with interfaces generated from the registry, so
 * code and agents discover them like any other. Idempotent: run at every open; a changed definition
 * bumps the version. Genesis artifacts take no disk: the world generates them.
 */
export function seedGenesis(store: Store, registry: GenesisRegistry, config: Config, now: number): void {
  const rows: SeedRow[] = [
    ...registry.artifacts.map((d) => {
      const iface = genesisInterface(d, config.costs);
      return {
        id: d.id,
        kind: 'genesis' as const,
        description: d.description,
        content: d.description,
        code: '',
        interface: iface.length > 0 ? iface : null,
        has_standing: d.hasStanding,
        can_execute: iface.length > 0,
        owner: d.hasStanding ? d.id : SYSTEM_OWNER,
      };
    }),
    // A genesis service owns itself: no one, not even the operator, can rewrite it through the store.
    // A genesis library has no account; the operator holds it, under the same contract.
    ...registry.code.map((c) => ({
      id: c.id,
      kind: c.interface === null ? ('library' as const) : ('code' as const),
      description: c.description,
      content: '',
      code: c.code,
      interface: c.interface,
      has_standing: c.interface !== null,
      can_execute: c.interface !== null,
      owner: c.interface === null ? SYSTEM_OWNER : c.id,
    })),
    ...Object.entries(BUILTIN_CONTRACTS).map(([id, c]) => ({
      id,
      kind: 'genesis' as const,
      description: `Built-in contract. ${c.description}`,
      content: c.description,
      code: '',
      interface: null,
      has_standing: false,
      can_execute: false,
      owner: SYSTEM_OWNER,
    })),
  ];
  store.writeTx(() => {
    for (const r of rows) upsert(store, r, now);
  });
}

function upsert(store: Store, r: SeedRow, now: number): void {
  const iface = r.interface === null ? null : JSON.stringify(r.interface);
  const prev = store.one<{ seq: number; description: string; content: string; code: string; interface: string | null }>(
    'SELECT seq, description, content, code, interface FROM artifacts WHERE id = ?',
    r.id,
  );
  if (prev && prev.description === r.description && prev.content === r.content && prev.code === r.code && prev.interface === iface) return;
  if (r.has_standing) store.run('INSERT INTO principals (id, disk_used, created_at) VALUES (?, 0, ?) ON CONFLICT (id) DO NOTHING', r.id, now);
  let seq: number;
  if (prev) {
    store.run(
      'UPDATE artifacts SET description = ?, content = ?, code = ?, interface = ?, can_execute = ?, version = version + 1, updated_at = ? WHERE id = ?',
      r.description,
      r.content,
      r.code,
      iface,
      r.can_execute ? 1 : 0,
      now,
      r.id,
    );
    seq = prev.seq;
  } else {
    const res = store.run(
      `INSERT INTO artifacts (id, kind, description, content, code, interface, owner, created_by, access_contract_id, has_standing, can_execute, size_bytes, version, created_at, updated_at, maker)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'genesis_operator', ?, ?, ?, 0, 1, ?, ?, ?)`,
      r.id,
      r.kind,
      r.description,
      r.content,
      r.code,
      iface,
      r.owner,
      SYSTEM_CONTRACT,
      r.has_standing ? 1 : 0,
      r.can_execute ? 1 : 0,
      now,
      now,
      r.id,
    );
    seq = Number(res.lastInsertRowid);
  }
  indexArtifact(store, seq, r.id, r.description, r.interface);
}
