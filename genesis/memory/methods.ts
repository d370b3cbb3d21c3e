import * as z from 'zod';
import { defineMethod, type HandlerContext } from '../../src/kernel/genesis.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import type { Artifact } from '../../src/kernel/artifact.ts';
import { WRITE, artifactIdArg, maxFeeArg } from '../shared.ts';
import { ENTRY_OVERHEAD_BYTES, MemoryEntries, ftsQuery } from './entries.ts';

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
    "Add an entry (text, optional tags) to a memory: your own by default ('<you>.memory', private to you, made on your first write), or another memory whose contract lets you write. Each entry counts against the memory owner's disk quota (its bytes plus 64).",
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
    if (m.owner !== ctx.caller || args.memory_id !== undefined) ctx.authorize('write', m, args.max_fee);
    const entries = new MemoryEntries(ctx.services.store);
    if (entries.count(m.id) >= MAX_ENTRIES) throw new KernelError('LIMIT_EXCEEDED', `${m.id} holds ${MAX_ENTRIES} entries, the most one memory may. Forget some (memory_forget) first.`, { memory_id: m.id });
    const tags = [...new Set(args.tags ?? [])];
    const size = Buffer.byteLength(args.text) + Buffer.byteLength(tags.join(' ')) + ENTRY_OVERHEAD_BYTES;
    ctx.services.artifacts.grow(m, size);
    const id = entries.add(m.id, args.text, tags, size, ctx.now);
    return { memory_id: m.id, entry_id: id, entries: entries.count(m.id), size_bytes: ctx.services.artifacts.get(m.id)!.size_bytes };
  },
});

export const search = defineMethod({
  artifact: 'genesis_memory',
  name: 'search',
  tool: 'memory_search',
  title: 'Search a memory',
  description:
    'Find entries in a memory (your own by default, or one whose contract lets you read it) by words, best match first (full-text, bm25), optionally only those with one of `tags`. Without a query, the newest entries.',
  input: z.object({
    query: z.string().max(500).optional().describe('Words to look for (any of them).'),
    tags: z.array(tag).max(8).optional(),
    limit: z.int().min(1).max(50).optional().describe('Entries to return (default 10).'),
    memory_id: memoryIdArg,
    max_fee: maxFeeArg,
  }),
  output: z.object({ memory_id: z.string(), results: z.array(z.object({ entry_id: z.int(), text: z.string(), tags: z.array(z.string()), created_at: z.int(), score: z.number().nullable() })) }),
  annotations: WRITE,
  recordsInvocation: false,
  handler: (ctx, args) => {
    const m = memoryFor(ctx, args.memory_id, false);
    if (m.owner !== ctx.caller || args.memory_id !== undefined) ctx.authorize('read', m, args.max_fee);
    const query = args.query === undefined ? null : ftsQuery(args.query);
    if (args.query !== undefined && query === null) throw new KernelError('INVALID_ARGS', 'The query has no words to look for. Give some words, or leave query out for the newest entries.', {});
    const rows = new MemoryEntries(ctx.services.store).search(m.id, query, args.tags ?? [], args.limit ?? 10);
    return { memory_id: m.id, results: rows.map((r) => ({ entry_id: r.id, text: r.text, tags: r.tags, created_at: r.created_at, score: r.score })) };
  },
});

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
    if (m.owner !== ctx.caller || args.memory_id !== undefined) ctx.authorize('write', m, args.max_fee);
    const freed = new MemoryEntries(ctx.services.store).remove(m.id, args.entry_id);
    if (freed === null) throw new KernelError('NOT_FOUND', `${m.id} has no entry ${args.entry_id}. memory_search lists entries with their ids.`, { memory_id: m.id, entry_id: args.entry_id });
    ctx.services.artifacts.grow(m, -freed);
    return { memory_id: m.id, entry_id: args.entry_id, freed_bytes: freed };
  },
});
