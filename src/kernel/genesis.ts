import * as z from 'zod';
import type { Action, Decision } from './contracts.ts';
import type { ArtifactMeta, InterfaceMethod } from './artifact.ts';
import type { Config } from './config.ts';
import type { EventPayloads, EventType } from './events.ts';
import type { Posting } from './ledger.ts';
import type { Services } from './services.ts';
import type { Settler } from './scheduler.ts';
import type { ModuleReport } from './guest.ts';

/**
 * The shape of a genesis method definition. Genesis services live in `genesis/`; the kernel only
 * knows this contract. One definition drives dispatch here and, elsewhere, the MCP tools, the
 * artifact interface and the handbook, so none of them can drift from the code.
 */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface HandlerContext {
  /** The immediate caller, bound by the kernel. Handlers never take a caller argument. */
  readonly caller: string;
  readonly now: number;
  readonly commandId: string;
  readonly config: Config;
  readonly services: Services;
  /**
   * Asks the target's contract; throws ACCESS_DENIED with the contract's reason, or CONFLICT if it asks a
   * fee above `maxFee` (default 0); pays an accepted fee.
   */
  authorize(action: Action, target: ArtifactMeta, maxFee?: number): Decision;
  /** True if the caller may discover the artifact, decided from declared terms (no code runs, nothing is paid). */
  canSee(target: ArtifactMeta): boolean;
  /** True if everyone may discover the artifact: only then may public events describe it. */
  isPublic(target: ArtifactMeta): boolean;
  posting(cause: string): Posting;
  emit<T extends EventType>(type: T, refs: { principal?: string | null; artifact?: string | null }, payload: EventPayloads[T]): void;
  /** Loads an ES module in the sandbox (no invoke): its exports with their types, and any exported `terms`; INVALID_ARGS if it fails. */
  inspectModule(id: string, code: string, repin: boolean): ModuleReport;
  /** Schedules work to settle at `dueAt` (an id names it: scheduling again replaces it). */
  schedule(id: string, kind: string, dueAt: number, payload: unknown): void;
  unschedule(id: string): void;
  /** A deterministic, unguessable id for something this command creates (replays give the same id). */
  newId(prefix: string, salt: string): string;
  /** A nested invoke through the door, made by this genesis artifact (in this command, one level deeper). */
  invoke(target: string, method: string, args: unknown): unknown;
  /**
   * What the method's `prepare` learnt outside the world before this command (see GenesisMethod.prepare);
   * undefined for a nested call, a call with no prepare, or one whose prepare found nothing or failed.
   */
  readonly prepared: unknown;
}

/**
 * Services that wait on the outside world (an embedding model, a vector store), offered to `prepare`.
 * Each is absent when the world has none configured.
 */
export interface PrepareServices {
  /** Entry ids of `memoryId` nearest in meaning to `text`, nearest first, with what finding them cost. */
  nearestMemories?(memoryId: string, text: string, limit: number): Promise<{ hits: { id: number; score: number }[]; ms: number }>;
  /** Fetches and bundles an npm package (or finds it installed), for package_install; absent when installs are off. */
  installPackage?(name: string, version: string | undefined, caller: string): Promise<Prepared>;
}

/** What a prepare learnt (recorded with the command, so a replay needs no outside service) and the host CPU it took. */
export interface Prepared {
  value: unknown;
  hostMs: number;
}

export interface GenesisMethod {
  artifact: string;
  name: string;
  /** MCP tool name: snake_case, at most 64 characters. */
  tool: string;
  title: string;
  description: string;
  input: z.ZodObject;
  output: z.ZodType;
  annotations: ToolAnnotations;
  /** Only the operator principal may call it (world administration); never an MCP tool. */
  operatorOnly?: boolean;
  /**
   * Whether a call is recorded as an invocation (stats and an invoke event). Defaults to "not read-only";
   * a look that may still pay a contract's fee (store.read) is not read-only, yet is no invocation.
   */
  recordsInvocation?: boolean;
  /** A transparent door: the call is replaced by another invoke with the same caller (store.invoke). */
  forward?: (args: never) => Forward;
  /**
   * Work done before the command, outside the write transaction (DESIGN: reserve, work, settle), for
   * top-level calls made through the fair queue: the handler finds its result in `ctx.prepared`, and the
   * caller pays its host time as CPU whether the command then succeeds or not. `args` are parsed by the
   * method's schema first (invalid ones skip it, and the command refuses them as usual). The result must
   * only narrow what the handler looks at: the handler still decides who may see what.
   */
  prepare?: (args: never, caller: string, env: PrepareServices) => Promise<Prepared | null>;
  handler: (ctx: HandlerContext, args: never) => unknown;
}

/** The call a forwarding method stands for, with the options the caller gave it (pay, max_fee, max_price). */
export interface Forward {
  target: string;
  method: string;
  args: unknown;
  options: { pay?: number; maxFee?: number; maxPrice?: number; maxCalls?: number };
}

/** Typed helper: the handler sees parsed input and must return the declared output. */
export function defineMethod<I extends z.ZodObject, O extends z.ZodType>(def: {
  artifact: string;
  name: string;
  tool: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  operatorOnly?: boolean;
  recordsInvocation?: boolean;
  forward?: (args: z.output<I>) => Forward;
  prepare?: (args: z.output<I>, caller: string, env: PrepareServices) => Promise<Prepared | null>;
  handler: (ctx: HandlerContext, args: z.output<I>) => z.input<O>;
}): GenesisMethod {
  // Inputs are strict: an unknown key (say a forged `from`) is an error, never silently dropped.
  return { ...def, input: def.input.strict() } as unknown as GenesisMethod;
}

export interface GenesisArtifactDef {
  id: string;
  description: string;
  /** Principals among genesis artifacts hold accounts (mint, burn, escrow custody, operator). */
  hasStanding: boolean;
  methods: GenesisMethod[];
  /** Scheduled work this artifact settles, by kind. */
  settlers?: Record<string, Settler>;
  /** Runs at every open, as the operator, after the artifacts exist (for example to schedule work). Idempotent. */
  seed?: Settler;
}

/**
 * A pre-seeded code artifact: a service written in JavaScript and run in the sandbox like any agent's
 * code, with no privilege an agent lacks. A service (with an interface) owns itself and has standing, so
 * it can hold scrip and own the data artifacts that keep its state; a library (no interface) is code for
 * others to import. Only the id is reserved.
 */
export interface GenesisCodeDef {
  id: string;
  description: string;
  code: string;
  /** Methods of a service; null for a library. */
  interface: InterfaceMethod[] | null;
  /** Disk quota the world issues a service (topped up at open) for the data artifacts it keeps. */
  diskBytes: number;
  /**
   * More disk issued to the service for each principal the operator creates: what one agent can make the
   * service keep is capped per agent, so each brings its own share and none can fill it for the rest.
   */
  diskPerPrincipal?: number;
}

export class GenesisRegistry {
  private readonly byKey = new Map<string, GenesisMethod>();

  constructor(
    readonly artifacts: readonly GenesisArtifactDef[],
    readonly code: readonly GenesisCodeDef[] = [],
  ) {
    const ids = new Set<string>();
    for (const { id } of [...artifacts, ...code]) {
      if (!id.startsWith('genesis_')) throw new Error(`genesis artifact ${id} must have an id starting 'genesis_'`);
      if (ids.has(id)) throw new Error(`genesis artifact ${id} is defined twice`);
      ids.add(id);
    }
    const tools = new Set<string>();
    for (const a of artifacts) {
      for (const m of a.methods) {
        if (m.artifact !== a.id) throw new Error(`method ${m.name} declares artifact ${m.artifact} but is listed under ${a.id}`);
        if (!/^[a-z][a-z0-9_]{0,63}$/.test(m.tool)) throw new Error(`tool name ${m.tool} is not snake_case within 64 characters`);
        if (tools.has(m.tool)) throw new Error(`tool name ${m.tool} is defined twice`);
        tools.add(m.tool);
        this.byKey.set(`${a.id}.${m.name}`, m);
      }
    }
  }

  method(artifact: string, name: string): GenesisMethod | undefined {
    return this.byKey.get(`${artifact}.${name}`);
  }

  artifact(id: string): GenesisArtifactDef | undefined {
    return this.artifacts.find((a) => a.id === id);
  }

  /** Every method callable by agents (not operator-only). */
  publicMethods(): GenesisMethod[] {
    return this.artifacts.flatMap((a) => a.methods.filter((m) => !m.operatorOnly));
  }
}

/** The artifact `interface` of a genesis artifact, generated from its definitions. */
export function genesisInterface(def: GenesisArtifactDef, costs: Config['costs']): InterfaceMethod[] {
  return def.methods
    .filter((m) => !m.operatorOnly)
    .map((m) => ({
      name: m.name,
      description: m.description,
      inputSchema: z.toJSONSchema(m.input, { target: 'draft-7', io: 'input' }) as Record<string, unknown>,
      outputSchema: z.toJSONSchema(m.output, { target: 'draft-7', io: 'output' }) as Record<string, unknown>,
      price: costs[`${m.artifact}.${m.name}`] ?? 0,
    }));
}
