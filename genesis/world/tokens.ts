import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { mintToken } from '../../src/kernel/tokens.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { READ, WRITE, principalArg } from '../shared.ts';

export const createToken = defineMethod({
  artifact: 'genesis_world',
  name: 'create_token',
  tool: 'operator_create_token',
  title: 'Create a bearer token',
  description: 'Operator only. Issues a bearer token that authenticates HTTP clients as the principal. The token is returned once; only its hash is kept.',
  input: z.object({ principal: principalArg('Principal the token acts as.') }),
  output: z.object({ token_id: z.string(), principal: z.string(), token: z.string() }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    ctx.services.artifacts.requirePrincipal(args.principal, 'token holder');
    if (args.principal.startsWith('genesis_')) throw new KernelError('ACCESS_DENIED', 'Tokens cannot act as the world\'s own principals.', { principal: args.principal });
    const t = mintToken();
    ctx.services.tokens.insert(t.id, args.principal, t.hash, ctx.now);
    ctx.emit('token_created', { principal: args.principal }, { token_id: t.id });
    return { token_id: t.id, principal: args.principal, token: t.token };
  },
});

export const revokeToken = defineMethod({
  artifact: 'genesis_world',
  name: 'revoke_token',
  tool: 'operator_revoke_token',
  title: 'Revoke bearer tokens',
  description: 'Operator only. Revokes one token (by token id) or every live token of a principal (by principal id).',
  input: z.object({ target: z.string().min(1).max(64).describe('A token id, or a principal id to revoke all its tokens.') }),
  output: z.object({ revoked: z.array(z.string()) }),
  annotations: { ...WRITE, idempotentHint: true },
  operatorOnly: true,
  handler: (ctx, args) => {
    const revoked = ctx.services.tokens.revoke(args.target, ctx.now);
    if (revoked.length === 0) throw new KernelError('NOT_FOUND', `No live token has id '${args.target}' or belongs to principal '${args.target}'. List tokens with \`ecology token list\`.`, { target: args.target });
    ctx.emit('token_revoked', {}, { token_ids: revoked });
    return { revoked };
  },
});

export const listTokens = defineMethod({
  artifact: 'genesis_world',
  name: 'list_tokens',
  tool: 'operator_list_tokens',
  title: 'List bearer tokens',
  description: 'Operator only. Lists every token: id, principal, when created and when revoked. Never the secret.',
  input: z.object({}),
  output: z.object({ tokens: z.array(z.object({ token_id: z.string(), principal: z.string(), created_at: z.int(), revoked_at: z.int().optional() })) }),
  annotations: READ,
  operatorOnly: true,
  handler: (ctx) => ({
    tokens: ctx.services.tokens.list().map((t) => ({ token_id: t.id, principal: t.principal, created_at: t.created_at, ...(t.revoked_at === null ? {} : { revoked_at: t.revoked_at }) })),
  }),
});
