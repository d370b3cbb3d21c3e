import { KernelError, invalidArgs, accessDenied } from './errors.ts';
import { compileSchema } from './schema.ts';
import type { Config } from './config.ts';
import type { ContractTerms } from './contracts.ts';

export const ARTIFACT_KINDS = ['data', 'code', 'contract', 'agent', 'memory', 'library', 'doc', 'genesis', 'bridge'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];
/** Kinds an agent may write; `genesis` belongs to the world. */
export const WRITABLE_KINDS = ARTIFACT_KINDS.filter((k) => k !== 'genesis' && k !== 'bridge') as Exclude<ArtifactKind, 'genesis' | 'bridge'>[];

/**
 * 1-64 characters; dot-separated segments, each starting with a letter or digit. The segment before the
 * first dot names a namespace (see `validateNewId`).
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*$/;
export const MAX_ID_CHARS = 64;
export const ID_RULE = "1-64 characters of a-z, 0-9, '_', '-' and '.', each dot-separated part starting with a letter or digit";
export const RESERVED_PREFIX = 'genesis_';
/** Bridges to upstream MCP servers (`mcp_<server>`): the world's too, registered by the operator only. */
export const BRIDGE_PREFIX = 'mcp_';
/** Installed npm packages (`npm_<name>_<version>`): the world's, one library per version, written only by package_install. */
export const PACKAGE_PREFIX = 'npm_';
/** The principal that administers the world; never reachable over MCP. */
export const OPERATOR = 'genesis_operator';
export const METHOD_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

/**
 * The direct imports an artifact's (or a library version's) code resolved when it was written: a library's
 * name → its version, or an npm package's import → the library artifact of the version it resolved to.
 */
export type Imports = Record<string, number | string>;

export interface InterfaceMethod {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  /** Scrip paid by the caller to the artifact's owner on success. */
  price: number;
}

export interface Artifact {
  id: string;
  kind: ArtifactKind;
  description: string;
  content: string;
  code: string;
  interface: InterfaceMethod[] | null;
  owner: string;
  created_by: string;
  access_contract_id: string;
  has_standing: boolean;
  can_execute: boolean;
  size_bytes: number;
  version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  deleted_by: string | null;
  /** The escrow listing holding it; while set, nobody may write, delete or transfer it. */
  listing: string | null;
  /** For a contract: what it declared in `export const terms` when written (fees, listing). */
  terms: ContractTerms | null;
  /** Prices still held at their old level while a raise is under notice, by method (see `effectivePrice`). */
  prices_held: PricesHeld | null;
  /** The library versions its current code imports directly, as resolved when written (null: written before pinning). */
  imports: Imports | null;
}

/** A method's previous, lower price, which callers still pay until `until` (world ms). */
export type PricesHeld = Record<string, { price: number; until: number }>;

/**
 * The price a caller pays for `method` at `now`: the interface's price, unless a raise is still under
 * notice, in which case the old one. So an owner cannot raise a price between a caller reading it and
 * calling (the price switch); a rise takes effect only after the notice period artifact_info shows.
 */
export function effectivePrice(a: Pick<ArtifactMeta, 'prices_held'>, m: InterfaceMethod, now: number): number {
  const held = a.prices_held?.[m.name];
  return held !== undefined && held.until > now ? Math.min(held.price, m.price) : m.price;
}

/**
 * The holds after an owner writes `next` over `prev`: a method whose price goes up keeps charging what
 * callers paid so far until `noticeMs` from now; a cut takes effect at once. Re-announcing a price no
 * higher than one already under notice keeps that notice's end. A method dropped from the interface
 * keeps its price on hold for a notice period too, so dropping it and adding it back dearer is a raise
 * like any other.
 */
export function holdPrices(prev: Pick<ArtifactMeta, 'interface' | 'prices_held'>, next: InterfaceMethod[] | null, now: number, noticeMs: number): PricesHeld | null {
  if (noticeMs === 0) return null;
  const held: PricesHeld = {};
  const before = new Map((prev.interface ?? []).map((m) => [m.name, m]));
  const pendingOf = (name: string) => {
    const p = prev.prices_held?.[name];
    return p !== undefined && p.until > now ? p : undefined;
  };
  // What a caller pays now for each method it could call (or could until it was dropped, under notice).
  const baseline = (name: string): number | undefined => {
    const m = before.get(name);
    return m ? effectivePrice(prev, m, now) : pendingOf(name)?.price;
  };
  const names = new Set<string>([...before.keys(), ...Object.keys(prev.prices_held ?? {})]);
  const after = new Map((next ?? []).map((m) => [m.name, m]));
  for (const name of new Set([...names, ...after.keys()])) {
    const base = baseline(name);
    if (base === undefined) continue;
    const m = after.get(name);
    const pending = pendingOf(name);
    if (!m) {
      held[name] = pending ?? { price: base, until: now + noticeMs };
      continue;
    }
    if (m.price <= base) continue;
    const announced = before.get(name)?.price ?? pending?.price ?? base;
    held[name] = pending !== undefined && m.price <= announced ? { price: base, until: pending.until } : { price: base, until: now + noticeMs };
  }
  return Object.keys(held).length > 0 ? held : null;
}

/** What anyone allowed to see an artifact learns about it: everything but content and code. */
export type ArtifactMeta = Omit<Artifact, 'content' | 'code'>;

export function toMeta(a: ArtifactMeta | Artifact): ArtifactMeta {
  if (!('content' in a) && !('code' in a)) return a;
  const { content: _c, code: _k, ...meta } = a as Artifact;
  return meta;
}

const utf8 = new TextEncoder();
export const byteLength = (s: string): number => (s.length === 0 ? 0 : utf8.encode(s).length);

/**
 * The disk an artifact takes, as charged to its owner's quota: its fields' bytes, plus a fixed overhead
 * for its row, indexes and search entry (measured at about 210 bytes for an empty artifact with a short
 * id), so even empty artifacts cost something and none can be made for free.
 */
export function sizeOf(a: Pick<Artifact, 'id' | 'description' | 'content' | 'code' | 'interface'>, overheadBytes: number): number {
  return overheadBytes + byteLength(a.id) + byteLength(a.description) + byteLength(a.content) + byteLength(a.code) + (a.interface ? byteLength(JSON.stringify(a.interface)) : 0);
}

export function validateId(id: string): void {
  if (id.length > MAX_ID_CHARS || !ID_PATTERN.test(id)) {
    throw invalidArgs(`Artifact id '${truncate(id, 80)}' is malformed. Use ${ID_RULE}.`, {
      id: truncate(id, 80),
      pattern: ID_PATTERN.source,
    });
  }
}

/** One of the world's own artifacts (a plain `genesis_` id, not a record in a genesis service's namespace). */
export const isWorldArtifact = (id: string): boolean => (id.startsWith(RESERVED_PREFIX) || id.startsWith(BRIDGE_PREFIX) || id.startsWith(PACKAGE_PREFIX)) && namespaceOf(id) === null;

/** The artifact whose namespace `id` is in (the part before its first dot), or null for a plain id. */
export function namespaceOf(id: string): string | null {
  const dot = id.indexOf('.');
  return dot < 0 ? null : id.slice(0, dot);
}

/**
 * Checks that `creator` may bring `id` into being. Ids `p.anything` are reserved to the artifact `p`
 * and its owner: a service keeps its records there, and nobody can take one of their ids first (a
 * squatter could otherwise lock the service's users out). Plain ids starting `genesis_`, `mcp_` or `npm_` are the world's.
 * `lookup` reads the namespace's artifact (owner and tombstone), so this stays a pure rule.
 */
export function validateNewId(id: string, creator: string, lookup: (id: string) => Pick<ArtifactMeta, 'owner' | 'deleted_at'> | undefined): void {
  validateId(id);
  const ns = namespaceOf(id);
  if (ns !== null) {
    const home = lookup(ns);
    if (!home || home.deleted_at !== null || (creator !== ns && creator !== home.owner)) {
      throw accessDenied(`Ids starting '${ns}.' are reserved to the artifact '${ns}'${home && home.deleted_at === null ? ` and its owner (${home.owner})` : ', which does not exist'}. Choose an id without a dot, or one in your own namespace ('${creator}.…').`, { id, namespace: ns });
    }
    return;
  }
  const prefix = [RESERVED_PREFIX, BRIDGE_PREFIX, PACKAGE_PREFIX].find((p) => id.startsWith(p));
  if (prefix !== undefined) {
    throw accessDenied(`Ids starting with '${prefix}' are reserved for the world's own artifacts${prefix === PACKAGE_PREFIX ? ' (npm packages, installed with package_install)' : ''}. Choose another id.`, { id });
  }
}

export interface ArtifactFields {
  kind: ArtifactKind;
  description: string;
  content: string;
  code: string;
  interface: InterfaceMethod[] | null;
  has_standing: boolean;
  can_execute: boolean;
}

/** Checks the whole artifact as it would be after a write. Every message says how to fix it. */
export function validateFields(f: ArtifactFields, limits: Config['limits']): void {
  if (!(WRITABLE_KINDS as readonly string[]).includes(f.kind)) {
    throw invalidArgs(`Kind '${f.kind}' cannot be written. Use one of: ${WRITABLE_KINDS.join(', ')}.`, { kind: f.kind });
  }
  if (f.description.length > limits.max_description_chars) {
    throw invalidArgs(`description has ${f.description.length} characters; the limit is ${limits.max_description_chars}. Shorten it.`, {
      limit: limits.max_description_chars,
    });
  }
  const contentBytes = byteLength(f.content);
  if (contentBytes > limits.max_content_bytes) {
    throw invalidArgs(`content is ${contentBytes} bytes; the limit is ${limits.max_content_bytes}. Split it across several artifacts.`, {
      bytes: contentBytes,
      limit: limits.max_content_bytes,
    });
  }
  const codeBytes = byteLength(f.code);
  if (codeBytes > limits.max_code_bytes) {
    throw invalidArgs(`code is ${codeBytes} bytes; the limit is ${limits.max_code_bytes}. Move shared code into a library artifact.`, {
      bytes: codeBytes,
      limit: limits.max_code_bytes,
    });
  }
  // The cheap checks first: compiling an interface's schemas is the costly one.
  if (f.can_execute) {
    if (!f.interface || f.interface.length === 0) {
      throw invalidArgs('An executable artifact (can_execute: true) needs an interface listing at least one method.', {});
    }
    if (f.code.trim() === '') {
      throw invalidArgs('An executable artifact (can_execute: true) needs code: an ES module exporting one function per interface method.', {});
    }
  }
  if (f.interface !== null) validateInterface(f.interface, limits);
  if (f.kind === 'contract' && f.code.trim() === '') {
    throw invalidArgs("A contract artifact needs code: an ES module exporting check_permission(request, ctx) that returns {allowed, reason, cost?}.", {});
  }
}

export function validateInterface(methods: unknown, limits: Config['limits']): asserts methods is InterfaceMethod[] {
  if (!Array.isArray(methods)) throw invalidArgs('interface must be a list of methods: [{name, description, inputSchema, outputSchema?, price}].', {});
  if (methods.length > limits.max_interface_methods) {
    throw invalidArgs(`interface lists ${methods.length} methods; the limit is ${limits.max_interface_methods}.`, { limit: limits.max_interface_methods });
  }
  const bytes = byteLength(JSON.stringify(methods));
  if (bytes > limits.max_interface_bytes) {
    throw invalidArgs(`interface is ${bytes} bytes; the limit is ${limits.max_interface_bytes}. Shorten descriptions or schemas.`, { limit: limits.max_interface_bytes });
  }
  const seen = new Set<string>();
  methods.forEach((m: unknown, i) => {
    const where = `interface[${i}]`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw invalidArgs(`${where} must be an object {name, description, inputSchema, outputSchema?, price}.`, {});
    const o = m as Record<string, unknown>;
    const allowed = new Set(['name', 'description', 'inputSchema', 'outputSchema', 'price']);
    for (const k of Object.keys(o)) if (!allowed.has(k)) throw invalidArgs(`${where} has unknown field '${k}'. Allowed: ${[...allowed].join(', ')}.`, { field: k });
    if (typeof o.name !== 'string' || !METHOD_NAME_PATTERN.test(o.name)) {
      throw invalidArgs(`${where}.name must match ${METHOD_NAME_PATTERN.source}.`, { name: o.name });
    }
    if (seen.has(o.name)) throw invalidArgs(`${where}.name '${o.name}' is listed twice. Method names must be unique.`, { name: o.name });
    seen.add(o.name);
    if (typeof o.description !== 'string' || o.description.length > 1000) throw invalidArgs(`${where}.description must be a string of at most 1000 characters.`, {});
    if (!Number.isSafeInteger(o.price) || (o.price as number) < 0 || (o.price as number) > limits.max_price) {
      throw invalidArgs(`${where}.price must be an integer from 0 to ${limits.max_price} (scrip per successful call).`, { price: o.price });
    }
    checkObjectSchema(o.inputSchema, `${where}.inputSchema`);
    if (o.outputSchema !== undefined) checkObjectSchema(o.outputSchema, `${where}.outputSchema`, false);
  });
}

function checkObjectSchema(s: unknown, where: string, mustBeObjectType = true): void {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw invalidArgs(`${where} must be a JSON Schema object.`, { where });
  if (mustBeObjectType && (s as Record<string, unknown>).type !== 'object') {
    throw invalidArgs(`${where} must describe an object (type: "object"): methods take named arguments.`, { where });
  }
  compileSchema(s, where);
}

/** CONFLICT for an artifact held by an escrow listing: it cannot be changed until the listing ends. */
export function listedError(a: Pick<ArtifactMeta, 'id' | 'listing'>, action: string): KernelError {
  return new KernelError('CONFLICT', `'${a.id}' is held in escrow (listing ${a.listing}), so it cannot be ${action}. The seller can cancel the listing with escrow_cancel.`, {
    id: a.id,
    listing: a.listing,
  });
}

/**
 * Refuses to let `a` leave its owner's hands (be `verb`: sold, transferred, deleted) while it is the
 * world's own or held in escrow. `listedVerb` words the escrow case where it differs.
 */
export function requireReleasable(a: Pick<ArtifactMeta, 'id' | 'listing'>, verb: string, listedVerb = verb): void {
  if (isWorldArtifact(a.id)) throw accessDenied(`'${a.id}' belongs to the world and cannot be ${verb}.`, { id: a.id });
  if (a.listing) throw listedError(a, listedVerb);
}

export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

/** Characters that act on a terminal or disguise text rather than show: controls (escape sequences, CR, C1), invisible and direction marks. */
export const CONTROL_CHARS = /[\p{Cc}\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** `s` with every control character written out as a \u escape, so printing it cannot act on a terminal. */
export const inert = (s: string): string => s.replace(CONTROL_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
