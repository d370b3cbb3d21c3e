import * as z from 'zod';
import { KernelError, accessDenied, invalidArgs, notFound } from '../../src/kernel/errors.ts';
import { defineMethod, type HandlerContext } from '../../src/kernel/genesis.ts';
import { holdPrices, isWorldArtifact, listedError, type ArtifactMeta, validateFields, validateId, validateNewId, WRITABLE_KINDS, type Artifact, type ArtifactFields, type Imports } from '../../src/kernel/artifact.ts';
import { deletedError } from '../../src/kernel/artifacts.ts';
import { ContractTermsSchema, isBuiltinContract, usableContract, type ContractTerms } from '../../src/kernel/contracts.ts';
import { DESTROY, artifactIdArg, interfaceMethodSchema, maxFeeArg } from '../shared.ts';
import { codeHash, recordOrigin } from '../mint/state.ts';

export const write = defineMethod({
  artifact: 'genesis_store',
  name: 'write',
  tool: 'artifact_write',
  title: 'Write an artifact',
  description:
    "Create an artifact, or update one your contract lets you write. Omitted fields keep their current values. Data: set content. Code you can sell: kind 'code', can_execute true, code (an ES module exporting one function per method, `export function name(args, ctx)`) and interface (methods with JSON Schema inputSchema and a scrip price). Access: access_contract_id names the contract (default genesis_contract_freeware); only the owner may change it. Bytes count against your disk quota.",
  input: z.object({
    id: artifactIdArg("Artifact id: 1-64 of a-z, 0-9, '_', '-' and '.'. Ids starting 'genesis_' are the world's; an id 'x.anything' can be created only by the artifact x or its owner (your own namespace is 'yourid.')."),
    kind: z.enum(WRITABLE_KINDS).optional().describe('data, code, contract, agent, memory, library or doc. New artifacts default to code if executable, else data.'),
    description: z.string().optional().describe('Short searchable summary.'),
    content: z.string().optional().describe('Text or JSON text.'),
    code: z.string().optional().describe('ES module source for executables, contracts and libraries.'),
    interface: z.array(interfaceMethodSchema).optional().describe('Methods of an executable artifact.'),
    access_contract_id: z.string().min(1).max(64).optional().describe('Contract deciding who may read, write, invoke, delete and transfer it.'),
    has_standing: z.boolean().optional().describe('Give the artifact its own ledger account (set at creation only).'),
    can_execute: z.boolean().optional().describe('Make it invocable; needs code and an interface.'),
    max_fee: maxFeeArg,
  }),
  output: z.object({ id: z.string(), version: z.int(), created: z.boolean(), size_bytes: z.int(), disk_used: z.int(), disk_quota: z.int() }),
  // Destructive: writing an existing id replaces its content and code, and no earlier version is kept.
  annotations: DESTROY,
  handler: (ctx, args) => {
    const { artifacts } = ctx.services;
    validateId(args.id);
    const prev = artifacts.get(args.id);
    const written = prev ? update(ctx, prev, args) : create(ctx, args);
    ctx.emit('artifact_written', { principal: ctx.caller, artifact: written.id }, {
      version: written.version,
      created: !prev,
      ...(ctx.isPublic(written) ? { kind: written.kind, size_bytes: written.size_bytes } : {}),
    });
    return {
      id: written.id,
      version: written.version,
      created: !prev,
      size_bytes: written.size_bytes,
      disk_used: artifacts.diskUsed(written.owner),
      disk_quota: ctx.services.ledger.balance(written.owner, 'disk_bytes'),
    };
  },
});

type WriteArgs = {
  id: string;
  kind?: ArtifactFields['kind'] | undefined;
  description?: string | undefined;
  content?: string | undefined;
  code?: string | undefined;
  interface?: ArtifactFields['interface'] | undefined;
  access_contract_id?: string | undefined;
  has_standing?: boolean | undefined;
  can_execute?: boolean | undefined;
  max_fee?: number | undefined;
};

function create(ctx: HandlerContext, args: WriteArgs): Artifact {
  validateNewId(args.id, ctx.caller, (id) => ctx.services.artifacts.meta(id));
  const owner = ctx.services.artifacts.meta(ctx.caller);
  if (!owner?.has_standing) {
    throw new KernelError('ACCESS_DENIED', `'${ctx.caller}' has no standing, so it cannot own artifacts. Give the calling artifact standing, or write from a principal.`, { caller: ctx.caller });
  }
  const canExecute = args.can_execute ?? false;
  const fields: ArtifactFields = {
    kind: args.kind ?? (canExecute ? 'code' : 'data'),
    description: args.description ?? '',
    content: args.content ?? '',
    code: args.code ?? '',
    interface: args.interface ?? null,
    has_standing: args.has_standing ?? false,
    can_execute: canExecute,
  };
  const contract = args.access_contract_id ?? ctx.config.contracts.default;
  checkContract(ctx, contract, ctx.caller);
  validateFields(fields, ctx.config.limits);
  const { terms, imports, pinned_bytes } = checkCode(ctx, args.id, fields, true);
  return ctx.services.artifacts.insert({ ...fields, id: args.id, owner: ctx.caller, created_by: ctx.caller, access_contract_id: contract, terms, imports, pinned_bytes }, ctx.now);
}

function update(ctx: HandlerContext, prev: Artifact, args: WriteArgs): Artifact {
  if (prev.deleted_at !== null) throw deletedError(prev);
  if (isWorldArtifact(prev.id)) throw accessDenied(`'${prev.id}' is one of the world's own artifacts; nobody can rewrite it through the store. Write an artifact of your own instead.`, { id: prev.id });
  if (prev.listing) throw listedError(prev, 'written');
  ctx.authorize('write', prev, args.max_fee);
  if (args.has_standing !== undefined && args.has_standing !== prev.has_standing) {
    throw invalidArgs('has_standing is fixed when an artifact is created. Create a new artifact instead.', { id: prev.id });
  }
  const next = {
    kind: args.kind ?? (prev.kind as ArtifactFields['kind']),
    description: args.description ?? prev.description,
    content: args.content ?? prev.content,
    code: args.code ?? prev.code,
    interface: args.interface ?? prev.interface,
    has_standing: prev.has_standing,
    can_execute: args.can_execute ?? prev.can_execute,
    access_contract_id: args.access_contract_id ?? prev.access_contract_id,
  };
  if (next.access_contract_id !== prev.access_contract_id) {
    // A contract that lets others write must not let them take the artifact over by replacing it.
    if (ctx.caller !== prev.owner) {
      throw accessDenied(`Only the owner (${prev.owner}) may change the contract of '${prev.id}'; its contract lets you write its other fields.`, { id: prev.id, owner: prev.owner });
    }
    checkContract(ctx, next.access_contract_id, prev.owner);
  }
  validateFields(next, ctx.config.limits);
  if (prev.kind === 'contract' && (next.code !== prev.code || next.kind !== prev.kind)) requireUnusedByOthers(ctx, prev, 'rewritten');
  const codeChanged = next.code !== prev.code || JSON.stringify(next.interface) !== JSON.stringify(prev.interface) || next.kind !== prev.kind || next.can_execute !== prev.can_execute;
  // Imports are pinned anew only when code is written: changing a price or a description keeps the
  // library versions the code runs against (a buyer repricing an app must not pull in a rewritten library).
  const kept = { terms: prev.terms, imports: prev.imports, pinned_bytes: ctx.services.libraries.pinnedBytes(prev.id) };
  const code = codeChanged ? checkCode(ctx, prev.id, next, args.code !== undefined) : kept;
  const prices_held = holdPrices(prev, next.interface, ctx.now, ctx.config.market.price_notice_ms);
  if (behaviourChanged(prev, next) || JSON.stringify(code.imports) !== JSON.stringify(prev.imports)) ctx.services.stats.reset(prev.id, ctx.now, 'code');
  return ctx.services.artifacts.update(prev, { ...next, ...code, prices_held }, ctx.now);
}

/**
 * Checks that an artifact owned by `owner` may be put under contract `id`: a live contract, of the owner's
 * own agent or declared `shared` (a shared contract cannot change while it governs other agents' artifacts).
 */
function checkContract(ctx: HandlerContext, id: string, owner: string): void {
  if (isBuiltinContract(id)) return;
  const c = ctx.services.artifacts.get(id);
  const why = usableContract(c);
  if (why === 'does not exist') throw notFound('Contract', id, 'Use a built-in contract (genesis_contract_freeware, _private, _public, _self_owned) or write a contract artifact first.');
  if (why !== null) throw invalidArgs(`'${id}' cannot serve as a contract: it ${why}.`, { contract: id });
  const { artifacts } = ctx.services;
  if (artifacts.makerOf(c!.owner) !== artifacts.makerOf(owner) && c!.terms?.shared !== true) {
    throw invalidArgs(`'${id}' belongs to another agent (${c!.owner}) and is not shared: its owner could rewrite it under you. Use a contract of your own, a built-in one, or one whose terms declare shared: true (those cannot change while they govern others' artifacts).`, { contract: id, owner: c!.owner });
  }
}

/**
 * CONFLICT if `contract` governs a live artifact of another agent than its owner's: what others chose
 * must not change (or vanish) under them. Its owner can write a new contract instead.
 */
export function requireUnusedByOthers(ctx: HandlerContext, contract: ArtifactMeta, verb: string): void {
  const maker = ctx.services.artifacts.makerOf(contract.owner);
  const n = ctx.services.store.one<{ n: number }>(
    `SELECT COUNT(*) AS n FROM artifacts a JOIN artifacts o ON o.id = a.owner
     WHERE a.access_contract_id = ? AND a.deleted_at IS NULL AND COALESCE(o.maker, o.id) <> ?`,
    contract.id,
    maker,
  )!.n;
  if (n > 0) {
    throw new KernelError('CONFLICT', `Contract '${contract.id}' governs ${n} artifact(s) of other agents, who chose it as it is, so it cannot be ${verb}. Write a new contract for the change; they can move to it themselves.`, { contract: contract.id, governs: n });
  }
}

/** Whether what a call does may have changed: its code, or its methods' names and schemas (not their prices). */
function behaviourChanged(prev: Artifact, next: ArtifactFields): boolean {
  const shape = (i: ArtifactFields['interface']) => JSON.stringify((i ?? []).map(({ price: _p, ...m }) => m));
  return next.code !== prev.code || shape(next.interface) !== shape(prev.interface);
}

/** What a write learns by loading the code: a contract's terms, and the library versions the code runs against. */
interface CodeFacts {
  terms: ContractTerms | null;
  imports: Imports | null;
  pinned_bytes: number;
}

/**
 * Loads the module and checks it exports what the artifact promises: each method, or check_permission.
 * Pins the libraries it imports at their current versions (kept for as long as it runs against them,
 * and charged with it), and returns a contract's declared terms.
 */
function checkCode(ctx: HandlerContext, id: string, f: ArtifactFields, repin: boolean): CodeFacts {
  const { libraries, artifacts } = ctx.services;
  if (f.code.trim() === '') {
    libraries.unpin(id);
    return { terms: null, imports: null, pinned_bytes: 0 };
  }
  const { exports, terms, pinned } = ctx.inspectModule(id, f.code, repin);
  const needed = [...(f.can_execute ? (f.interface ?? []).map((m) => m.name) : []), ...(f.kind === 'contract' ? ['check_permission'] : [])];
  const missing = needed.filter((name) => exports[name] !== 'function');
  if (missing.length > 0) {
    throw invalidArgs(`The code does not export ${missing.map((m) => `function ${m}`).join(', ')}. Export one function per ${f.kind === 'contract' ? 'contract entry point' : 'interface method'}: export function ${missing[0]}(args, ctx) { … }.`, {
      missing,
      exports: Object.keys(exports),
    });
  }
  const contract = f.kind === 'contract' ? contractTerms(terms) : null;
  // The first artifact to hold a piece of code is its original; the mint scores copies 0.
  recordOrigin(ctx.services.store, codeHash(f.code), id, ctx.now);
  if (!pinned) return { terms: contract, imports: artifacts.meta(id)?.imports ?? null, pinned_bytes: libraries.pinnedBytes(id) };
  const pinned_bytes = libraries.pin(id, pinned.closure, (p) => {
    const lib = artifacts.get(p.id)!;
    return { code: lib.code, imports: lib.imports };
  });
  return { terms: contract, imports: pinned.imports, pinned_bytes };
}

function contractTerms(terms: unknown): ContractTerms | null {
  if (terms === undefined) return null;
  const parsed = ContractTermsSchema.safeParse(terms);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalidArgs(`The contract's exported terms are malformed: ${issues.join('; ')}. Export terms like { fees: { read: 5, invoke: 0 }, listed: true } (fees: the most it charges per action; listed: whether everyone may discover what it governs).`, { issues });
  }
  return parsed.data;
}
