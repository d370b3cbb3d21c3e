import type { Artifact, ArtifactMeta } from './artifact.ts';
import { invalidArgs } from './errors.ts';

export const ACTIONS = ['read', 'write', 'invoke', 'delete', 'transfer'] as const;
export type Action = (typeof ACTIONS)[number];

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
export function parseContractDecision(contract: string, raw: unknown, maxCost: number): Decision {
  const deny = (why: string): Decision => ({ allowed: false, reason: `contract ${contract} ${why}; denied (fail closed)`, cost: 0, contract });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return deny('did not return an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.allowed !== 'boolean') return deny('returned no boolean `allowed`');
  const reason = typeof o.reason === 'string' ? o.reason.slice(0, 500) : o.allowed ? 'allowed' : 'denied';
  let cost = 0;
  if (o.cost !== undefined) {
    if (!Number.isSafeInteger(o.cost) || (o.cost as number) < 0 || (o.cost as number) > maxCost) return deny(`returned an invalid cost (${String(o.cost)})`);
    cost = o.cost as number;
  }
  return { allowed: o.allowed, reason: `${contract}: ${reason}`, cost: o.allowed ? cost : 0, contract };
}

/** A contract artifact usable for decisions: live, of kind contract, with code. */
export function usableContract(a: Artifact | undefined): string | null {
  if (!a) return 'does not exist';
  if (a.deleted_at !== null) return 'was deleted';
  if (a.kind !== 'contract') return `is a ${a.kind} artifact, not a contract`;
  if (a.code.trim() === '') return 'has no code';
  return null;
}
