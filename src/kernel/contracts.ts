import * as z from 'zod';
import type { Artifact, ArtifactMeta } from './artifact.ts';
import { invalidArgs } from './errors.ts';

export const ACTIONS = ['read', 'write', 'invoke', 'delete', 'transfer'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * What a code contract declares about itself, read once when it is written (`export const terms = …`)
 * and shown by artifact_info, so a caller can see them before acting without running anyone's code:
 * - `fees`: the most it may charge per action (a decision asking more is denied, fail closed; absent: 0);
 * - `listed`: whether everyone may discover the artifacts it governs (search, listings, info) — their
 *   metadata, never their content. Absent: only their owners see them.
 * - `shared`: whether other agents may put their artifacts under it. While it governs another agent's
 *   artifact, its code and terms cannot change and it cannot be deleted, so what they chose stays what
 *   governs them. Absent: only its own agent's artifacts may use it.
 */
export const ContractTermsSchema = z
  .object({
    fees: z.partialRecord(z.enum(['read', 'write', 'invoke', 'delete', 'transfer']), z.int().min(0).max(Number.MAX_SAFE_INTEGER)).optional(),
    listed: z.boolean().optional(),
    shared: z.boolean().optional(),
  })
  .strict();
export type ContractTerms = z.infer<typeof ContractTermsSchema>;

/** The fee schedule anyone can read: what each action may cost at most under a contract. */
export type FeeSchedule = Record<Action, number>;

export function feeSchedule(terms: ContractTerms | null): FeeSchedule {
  return Object.fromEntries(ACTIONS.map((a) => [a, terms?.fees?.[a] ?? 0])) as FeeSchedule;
}

export interface PermissionRequest {
  caller: string;
  action: Action;
  target: ArtifactMeta;
  method?: string;
  args?: unknown;
}

export interface Decision {
  allowed: boolean;
  reason: string;
  /** Scrip the caller pays the contract's owner when the action happens. */
  cost: number;
  /** The contract that decided (after any fallback). */
  contract: string;
}

type BuiltinRule = (req: PermissionRequest) => { allowed: boolean; reason: string };

const ownerOnly = (what: string) => (r: PermissionRequest) =>
  r.caller === r.target.owner
    ? { allowed: true, reason: `${r.caller} owns ${r.target.id}` }
    : { allowed: false, reason: `${what}: only the owner (${r.target.owner}) may ${r.action} ${r.target.id}` };

/**
 * The built-in contracts. They consult `owner` as data; none of them is a bypass, and the kernel
 * never checks ownership itself: whatever contract an artifact names decides, including for its owner.
 */
export const BUILTIN_CONTRACTS: Readonly<Record<string, { description: string; rule: BuiltinRule }>> = {
  genesis_contract_freeware: {
    description: 'Anyone may read and invoke; only the owner may write, delete or transfer.',
    rule: (r) =>
      r.action === 'read' || r.action === 'invoke'
        ? { allowed: true, reason: `freeware: anyone may ${r.action}` }
        : ownerOnly('freeware')(r),
  },
  genesis_contract_private: {
    description: 'Only the owner may do anything, including read and invoke.',
    rule: ownerOnly('private'),
  },
  genesis_contract_public: {
    description: 'Anyone may read, invoke, write and delete; only the owner may transfer ownership.',
    rule: (r) => (r.action === 'transfer' ? ownerOnly('public')(r) : { allowed: true, reason: `public: anyone may ${r.action}` }),
  },
  genesis_contract_self_owned: {
    description: 'Only the artifact itself (its own code acting) or its owner may do anything.',
    rule: (r) =>
      r.caller === r.target.id || r.caller === r.target.owner
        ? { allowed: true, reason: `self_owned: ${r.caller} is the artifact or its owner` }
        : { allowed: false, reason: `self_owned: only ${r.target.id} itself or its owner ${r.target.owner} may ${r.action} it` },
  },
};

export const isBuiltinContract = (id: string): boolean => Object.hasOwn(BUILTIN_CONTRACTS, id);

/**
 * Contracts under which a new owner gets what it was given: only the owner may change or remove it.
 * (Under public anyone may delete it; under self_owned its own code may give itself away.)
 */
export const HANDOVER_CONTRACTS = ['genesis_contract_freeware', 'genesis_contract_private'] as const;
export const isHandoverContract = (id: string): boolean => (HANDOVER_CONTRACTS as readonly string[]).includes(id);

/**
 * Refuses to hand `a` over unless it is under a handover contract. `risk` says what could go wrong
 * under its current contract; `before` names the step the owner wants to take after switching.
 */
export function requireHandoverContract(a: ArtifactMeta, risk: string, before: string): void {
  if (isHandoverContract(a.access_contract_id)) return;
  throw invalidArgs(`'${a.id}' is governed by '${a.access_contract_id}', under which ${risk}. Switch it to ${HANDOVER_CONTRACTS.join(' or ')} (artifact_write access_contract_id) before ${before}.`, {
    id: a.id,
    contract: a.access_contract_id,
  });
}

export function decideBuiltin(contract: string, req: PermissionRequest): Decision {
  const c = BUILTIN_CONTRACTS[contract];
  if (!c) throw new Error(`unknown builtin contract ${contract}`);
  const { allowed, reason } = c.rule(req);
  return { allowed, reason, cost: 0, contract };
}

/**
 * Checks what a code contract returned. Anything but {allowed: boolean, reason?: string, cost?: int}
 * denies: a contract that returns garbage fails closed.
 */
export function parseContractDecision(contract: string, raw: unknown, maxCost: number, action: Action, terms: ContractTerms | null): Decision {
  const deny = (why: string): Decision => ({ allowed: false, reason: `contract ${contract} ${why}; denied (fail closed)`, cost: 0, contract });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return deny('did not return an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.allowed !== 'boolean') return deny('returned no boolean `allowed`');
  const reason = typeof o.reason === 'string' ? o.reason.slice(0, 500) : o.allowed ? 'allowed' : 'denied';
  let cost = 0;
  if (o.cost !== undefined) {
    if (!Number.isSafeInteger(o.cost) || (o.cost as number) < 0 || (o.cost as number) > maxCost) return deny(`returned an invalid cost (${String(o.cost)})`);
    cost = o.cost as number;
    const declared = feeSchedule(terms)[action];
    // A fee nobody could have read beforehand is never charged: the contract fails closed instead.
    if (o.allowed && cost > declared) return deny(`asked a fee of ${cost} to ${action}, more than the ${declared} its terms declare`);
  }
  return { allowed: o.allowed, reason: `${contract}: ${reason}`, cost: o.allowed ? cost : 0, contract };
}

/**
 * Whether `caller` may discover `target` (see it in searches and listings, describe it): decided from
 * what the governing contract declares, never by running its code, so discovery costs the searcher
 * nothing an artifact's author controls. Built-in contracts: anyone who may read or invoke it. Code
 * contracts: everyone if its terms say `listed`, otherwise the artifact's owner only.
 */
export function discoverable(caller: string, target: ArtifactMeta, lookup: (id: string) => ArtifactMeta | undefined, fallback: string): boolean {
  const id = target.access_contract_id;
  const contract = isBuiltinContract(id) ? undefined : lookup(id);
  const usable = contract && contract.deleted_at === null && contract.kind === 'contract' ? contract : null;
  if (usable) return usable.terms?.listed === true || caller === target.owner;
  const builtin = isBuiltinContract(id) ? id : fallback;
  const req = { caller, target, action: 'read' as const };
  return decideBuiltin(builtin, req).allowed || decideBuiltin(builtin, { ...req, action: 'invoke' }).allowed;
}

/**
 * `discoverable` as an SQL condition on an artifact row aliased `a`, for `caller`: the same rule, so a
 * search can page over exactly what the caller may see (counting hidden rows would tell of them). The
 * built-in contracts' parts are found by asking their rules, not restated.
 */
export function discoverableSql(caller: string, fallback: string): { clause: string; params: unknown[] } {
  const probe = (id: string, as: 'stranger' | 'itself'): boolean => {
    const target = { id: 'x', owner: 'o' } as ArtifactMeta;
    const who = as === 'stranger' ? 's' : 'x';
    return decideBuiltin(id, { caller: who, target, action: 'read' }).allowed || decideBuiltin(id, { caller: who, target, action: 'invoke' }).allowed;
  };
  const builtins = Object.keys(BUILTIN_CONTRACTS);
  const open = builtins.filter((id) => probe(id, 'stranger'));
  const selfSeeing = builtins.filter((id) => !probe(id, 'stranger') && probe(id, 'itself'));
  const list = (ids: string[]) => (ids.length === 0 ? "''" : ids.map((id) => `'${id}'`).join(', '));
  const usable = `SELECT 1 FROM artifacts c WHERE c.id = a.access_contract_id AND c.kind = 'contract' AND c.deleted_at IS NULL`;
  const clause = `(a.owner = ?
    OR a.access_contract_id IN (${list(open)})
    OR (a.access_contract_id IN (${list(selfSeeing)}) AND a.id = ?)
    OR EXISTS (${usable} AND json_extract(c.terms, '$.listed') = 1)
    ${open.includes(fallback) ? `OR (a.access_contract_id NOT IN (${list(builtins)}) AND NOT EXISTS (${usable}))` : ''})`;
  return { clause, params: [caller, caller] };
}

/** No principal has an empty id, so this "caller" sees only what everyone may see. */
const ANYONE = '';

/**
 * Whether everyone may discover `target`. What the public event log says about an artifact depends on
 * it: for one that is not public, events carry no metadata (see EventPayloads).
 */
export function isPublicArtifact(target: ArtifactMeta, lookup: (id: string) => ArtifactMeta | undefined, fallback: string): boolean {
  return discoverable(ANYONE, target, lookup, fallback);
}

/** A contract artifact usable for decisions: live, of kind contract, with code. */
export function usableContract(a: Artifact | undefined): string | null {
  if (!a) return 'does not exist';
  if (a.deleted_at !== null) return 'was deleted';
  if (a.kind !== 'contract') return `is a ${a.kind} artifact, not a contract`;
  if (a.code.trim() === '') return 'has no code';
  return null;
}
