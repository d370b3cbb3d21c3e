import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { READ } from '../shared.ts';

const PAGE = 100;

export const listPrincipals = defineMethod({
  artifact: 'genesis_world',
  name: 'list_principals',
  tool: 'operator_list_principals',
  title: 'List principals',
  description: "Operator only. Lists the world's principals (not its built-in services), by id: who made each, when, its scrip and how many live tokens it has.",
  input: z.object({
    after: z.string().max(64).optional().describe('Continue after this id (next_after of the previous page); omit to start at the beginning.'),
    limit: z.int().min(1).max(PAGE).optional().describe(`Principals per page (default and most ${PAGE}).`),
    include_deleted: z.boolean().optional().describe('Also list deleted principals (default false).'),
  }),
  output: z.object({
    principals: z.array(
      z.object({
        id: z.string(),
        description: z.string(),
        created_by: z.string(),
        created_at: z.int(),
        scrip: z.int(),
        live_tokens: z.int(),
        deleted_at: z.int().optional(),
      }),
    ),
    next_after: z.string().optional(),
  }),
  annotations: READ,
  operatorOnly: true,
  handler: (ctx, args) => {
    const limit = args.limit ?? PAGE;
    const rows = ctx.services.store.all<{ id: string; description: string; created_by: string; created_at: number; deleted_at: number | null; live_tokens: number }>(
      `SELECT a.id, a.description, a.created_by, p.created_at, a.deleted_at,
              (SELECT count(*) FROM tokens t WHERE t.principal = a.id AND t.revoked_at IS NULL) AS live_tokens
         FROM principals p JOIN artifacts a ON a.id = p.id
        WHERE a.has_standing = 1 AND a.id > ? AND a.id NOT LIKE 'genesis\\_%' ESCAPE '\\' AND (? OR a.deleted_at IS NULL)
        ORDER BY a.id LIMIT ?`,
      args.after ?? '',
      args.include_deleted ? 1 : 0,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    return {
      principals: page.map((r) => ({
        id: r.id,
        description: r.description,
        created_by: r.created_by,
        created_at: r.created_at,
        scrip: ctx.services.ledger.balance(r.id, 'scrip'),
        live_tokens: r.live_tokens,
        ...(r.deleted_at === null ? {} : { deleted_at: r.deleted_at }),
      })),
      ...(rows.length > limit ? { next_after: page[page.length - 1]!.id } : {}),
    };
  },
});
