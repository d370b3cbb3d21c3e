import * as z from 'zod';
import { defineMethod, type HandlerContext } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { OPERATOR, requireReleasable, type Artifact } from '../../src/kernel/artifact.ts';
import { WRITE, artifactIdArg, maxFeeArg } from '../shared.ts';
import { ENTRY_OVERHEAD_BYTES, MemoryEntries, ftsQuery, fuse, type MemoryEntry } from './entries.ts';

/** Entries one memory may hold: a limit on everything. */
const MAX_ENTRIES = 10_000;
const tag = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a tag is 1-32 characters of a-z, 0-9, _ and -');

const memoryIdArg = artifactIdArg("A memory artifact; default: your own ('<you>.memory', made on your first write).").optional();

/** The memory a call means: the one named, or the caller's own (created, private to it, on first write). */
function memoryFor(ctx: HandlerContext, id: string | undefined, create: boolean): Artifact {
  const { artifacts } = ctx.services;
  const target = id ?? `${ctx.caller}.memory`;
  const a = artifacts.get(target);
  // A deleted memory stays deleted (ids are never reused): DELETED, saying when and by whom.
  if (a && a.deleted_at !== null) return artifacts.require(target);
  if (a) {
    if (a.kind !== 'memory') throw new KernelError('INVALID_ARGS', `'${target}' is a ${a.kind} artifact, not a memory.`, { memory_id: target });
    return a;
  }
  if (id !== undefined || !create) {
    if (id === undefined) throw new KernelError('NOT_FOUND', 'You have no memory yet: memory_write makes it.', { memory_id: target });
    return artifacts.require(target);
  }
  return artifacts.insert(
    { id: target, kind: 'memory', description: `Memory of ${ctx.caller}`, content: '', code: '', interface: null, has_standing: false, can_execute: false, owner: ctx.caller, created_by: ctx.caller, access_contract_id: 'genesis_contract_private' },
    ctx.now,
  );
}

export const write = defineMethod({
  artifact: 'genesis_memory',
  name: 'write',
  tool: 'memory_write',
  title: 'Remember something',
  description:
    "Add an entry (text, optional tags) to a memory: your own by default ('<you>.memory', private to you, made on your first write), or another memory whose contract lets you write. Each entry counts against the memory owner's disk quota (its bytes plus 64); where the world embeds memories for search by meaning, it also costs your cpu_ms window for embedding it (memory.write_cpu_ms, plus memory.write_cpu_ms_per_1k_chars per 1,000 characters).",
  input: z.object({
    text: z.string().min(1).max(4_000).describe('What to remember.'),
    tags: z.array(tag).max(8).optional().describe('Labels to filter by later.'),
    memory_id: memoryIdArg,
    max_fee: maxFeeArg,
  }),
  output: z.object({ memory_id: z.string(), entry_id: z.int(), entries: z.int(), size_bytes: z.int() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const m = memoryFor(ctx, args.memory_id, true);
    // Listed in escrow, a memory stays as the buyer saw it.
    if (m.listing) requireReleasable(m, 'written');
    if (m.owner !== ctx.caller || args.memory_id !== undefined) ctx.authorize('write', m, args.max_fee);
    const entries = new MemoryEntries(ctx.services.store);
    if (entries.count(m.id) >= MAX_ENTRIES) throw new KernelError('LIMIT_EXCEEDED', `${m.id} holds ${MAX_ENTRIES} entries, the most one memory may. Forget some (memory_forget) first.`, { memory_id: m.id });
    // Embedding the entry later (when the world has an embedder) is the writer's CPU, taken now.
    const mem = ctx.config.memory;
    if (mem.embeddings.provider !== 'none' && ctx.caller !== OPERATOR) ctx.services.rates.consume(ctx.caller, 'cpu_ms', mem.write_cpu_ms + Math.ceil((args.text.length * mem.write_cpu_ms_per_1k_chars) / 1_000), ctx.now);
    const tags = [...new Set(args.tags ?? [])];
    const size = Buffer.byteLength(args.text) + Buffer.byteLength(tags.join(' ')) + ENTRY_OVERHEAD_BYTES;
    ctx.services.artifacts.grow(m, size);
    const id = entries.add(m.id, args.text, tags, size, ctx.now);
    return { memory_id: m.id, entry_id: id, entries: entries.count(m.id), size_bytes: ctx.services.artifacts.get(m.id)!.size_bytes };
  },
});

const MODES = ['hybrid', 'words', 'meaning'] as const;
type Mode = (typeof MODES)[number];
/** Nearest entries asked of the vector store per result wanted (some may be filtered out by tags or lag). */
const CANDIDATES_PER_RESULT = 4;

export const search = defineMethod({
  artifact: 'genesis_memory',
  name: 'search',
  tool: 'memory_search',
  title: 'Search a memory',
  description:
    "Find entries in a memory (your own by default, or one whose contract lets you read it), best first, optionally only those with one of `tags`. mode 'words' matches words (full-text, bm25); 'meaning' finds entries close in meaning (embeddings, where the world has them); 'hybrid' (the default) merges both. The reply's mode says what ran: without embeddings it is 'words'. Without a query, the newest entries.",
  input: z.object({
    query: z.string().max(500).optional().describe('What to look for.'),
    mode: z.enum(MODES).optional().describe("'hybrid' (default), 'words' or 'meaning'."),
    tags: z.array(tag).max(8).optional(),
    limit: z.int().min(1).max(50).optional().describe('Entries to return (default 10).'),
    memory_id: memoryIdArg,
    max_fee: maxFeeArg,
  }),
  output: z.object({
    memory_id: z.string(),
    mode: z.enum([...MODES, 'newest']),
    results: z.array(z.object({ entry_id: z.int(), text: z.string(), tags: z.array(z.string()), created_at: z.int(), score: z.number().nullable() })),
  }),
  annotations: WRITE,
  recordsInvocation: false,
  // The query's embedding and the nearest entries come from outside the world, before the command: only
  // ids and scores, which the handler narrows to what the caller may read.
  prepare: async (args, caller, env) => {
    const mode: Mode = args.mode ?? 'hybrid';
    if (mode === 'words' || args.query === undefined || args.query.trim() === '' || !env.nearestMemories) return null;
    const limit = (args.limit ?? 10) * CANDIDATES_PER_RESULT;
    const { hits, ms } = await env.nearestMemories(args.memory_id ?? `${caller}.memory`, args.query, limit);
    return { value: { hits: hits.map((h) => ({ id: h.id, score: Math.round(h.score * 1e6) / 1e6 })) }, hostMs: ms };
  },
  handler: (ctx, args) => {
    const m = memoryFor(ctx, args.memory_id, false);
    if (m.owner !== ctx.caller || args.memory_id !== undefined) ctx.authorize('read', m, args.max_fee);
    const entries = new MemoryEntries(ctx.services.store);
    const limit = args.limit ?? 10;
    const tags = args.tags ?? [];
    const out = (mode: Mode | 'newest', rows: (MemoryEntry & { score: number | null })[]) => ({
      memory_id: m.id,
      mode,
      results: rows.slice(0, limit).map((r) => ({ entry_id: r.id, text: r.text, tags: r.tags, created_at: r.created_at, score: r.score })),
    });
    if (args.query === undefined) return out('newest', entries.search(m.id, null, tags, limit));
    const query = ftsQuery(args.query);
    const asked: Mode = args.mode ?? 'hybrid';
    if (args.query.trim() === '') throw new KernelError('INVALID_ARGS', 'The query is empty. Give something to look for, or leave query out for the newest entries.', {});
    const hits = nearestHits(ctx.prepared);
    if (asked === 'meaning' && hits === null) {
      const failed = failure(ctx.prepared);
      if (failed?.code === 'RATE_LIMITED') throw new KernelError('RATE_LIMITED', `Search by meaning was not started: ${failed.reason}. Wait for the window to refill, or use mode 'words'.`, { memory_id: m.id }, { retryAfterMs: 5_000 });
      if (failed !== null) throw new KernelError('UPSTREAM_ERROR', `Search by meaning failed (${failed.reason}). Retry shortly, or use mode 'words'.`, { memory_id: m.id }, { retryAfterMs: 5_000 });
      throw new KernelError('INVALID_ARGS', "Search by meaning is not available here: the world has no embedder configured (memory.embeddings), or the call was nested in code (which searches words only). Use mode 'words' or 'hybrid'.", { memory_id: m.id });
    }
    const byMeaning = hits === null ? null : entries.current(m.id, hits, tags);
    if (query === null && byMeaning === null) throw new KernelError('INVALID_ARGS', 'The query has no words to look for. Give some words, or leave query out for the newest entries.', {});
    const byWords = query === null || asked === 'meaning' ? [] : entries.search(m.id, query, tags, limit * 2);
    if (byMeaning === null || asked === 'words') return out('words', byWords);
    if (asked === 'meaning') return out('meaning', byMeaning);
    return out('hybrid', fuse(byWords, byMeaning));
  },
});

/** The nearest entries a prepare found, or null when none was looked for. */
function nearestHits(prepared: unknown): { id: number; score: number }[] | null {
  if (typeof prepared !== 'object' || prepared === null || !Array.isArray((prepared as { hits?: unknown }).hits)) return null;
  return (prepared as { hits: { id: number; score: number }[] }).hits;
}

/** Why a prepare failed, if it did (World.submit records the failure in place of a result). */
function failure(prepared: unknown): { reason: string; code: string | null } | null {
  if (typeof prepared !== 'object' || prepared === null) return null;
  const { prepare_failed: reason, code } = prepared as { prepare_failed?: unknown; code?: unknown };
  return typeof reason === 'string' ? { reason, code: typeof code === 'string' ? code : null } : null;
}


export const forget = defineMethod({
  artifact: 'genesis_memory',
  name: 'forget',
  tool: 'memory_forget',
  title: 'Forget an entry',
  description: "Remove an entry from a memory (your own by default, or one whose contract lets you write), freeing its bytes from the owner's disk quota.",
  input: z.object({ entry_id: z.int().min(1), memory_id: memoryIdArg, max_fee: maxFeeArg }),
  output: z.object({ memory_id: z.string(), entry_id: z.int(), freed_bytes: z.int() }),
  annotations: { ...WRITE, destructiveHint: true },
  handler: (ctx, args) => {
    const m = memoryFor(ctx, args.memory_id, false);
    if (m.listing) requireReleasable(m, 'changed');
    if (m.owner !== ctx.caller || args.memory_id !== undefined) ctx.authorize('write', m, args.max_fee);
    const freed = new MemoryEntries(ctx.services.store).remove(m.id, args.entry_id);
    if (freed === null) throw new KernelError('NOT_FOUND', `${m.id} has no entry ${args.entry_id}. memory_search lists entries with their ids.`, { memory_id: m.id, entry_id: args.entry_id });
    ctx.services.artifacts.grow(m, -freed);
    return { memory_id: m.id, entry_id: args.entry_id, freed_bytes: freed };
  },
});
