import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { GRANT_ASSETS } from '../../src/kernel/config.ts';
import { validateNewId } from '../../src/kernel/artifact.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { WRITE, principalArg } from '../shared.ts';
import { GENESIS_CODE } from '../code/index.ts';

const grantsSchema = z.object(Object.fromEntries(GRANT_ASSETS.map((a) => [a, z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional()])) as Record<(typeof GRANT_ASSETS)[number], z.ZodOptional<z.ZodInt>>);

export const createPrincipal = defineMethod({
  artifact: 'genesis_world',
  name: 'create_principal',
  tool: 'operator_create_principal',
  title: 'Create a principal',
  description: "Operator only. Creates a principal (an agent artifact with standing that owns itself, readable by all) and issues its starting allocation, the config's principal_defaults overridden by grants.",
  input: z.object({
    id: principalArg('New principal id.'),
    description: z.string().max(500).optional(),
    grants: grantsSchema.optional().describe('Starting allocation per asset; unlisted assets use principal_defaults.'),
  }),
  output: z.object({ principal: z.string(), grants: z.record(z.string(), z.int()) }),
  annotations: WRITE,
  operatorOnly: true,
  handler: (ctx, args) => {
    const { artifacts, ledger } = ctx.services;
    validateNewId(args.id, ctx.caller, (id) => artifacts.meta(id));
    if (artifacts.meta(args.id)) throw new KernelError('CONFLICT', `'${args.id}' already exists. Choose another id.`, { id: args.id });
    // Grants first: the principal's own artifact counts against the disk quota they include.
    artifacts.openAccount(args.id, ctx.now);
    const grants: Record<string, number> = {};
    for (const asset of GRANT_ASSETS) {
      const amount = args.grants?.[asset] ?? ctx.config.principal_defaults[asset];
      grants[asset] = amount;
      if (amount > 0) ledger.issue(args.id, asset, amount, ctx.posting('grant'));
    }
    // The principal owns itself (not the operator); freeware keeps it discoverable while only it may change it.
    artifacts.insert(
      {
        id: args.id,
        kind: 'agent',
        description: args.description ?? '',
        content: '',
        code: '',
        interface: null,
        has_standing: true,
        can_execute: false,
        owner: args.id,
        created_by: ctx.caller,
        access_contract_id: 'genesis_contract_freeware',
      },
      ctx.now,
    );
    // Each principal brings the services its share of disk, so no agent can fill a service for the rest.
    for (const c of GENESIS_CODE) if (c.diskPerPrincipal) ledger.issue(c.id, 'disk_bytes', c.diskPerPrincipal, ctx.posting(`service disk share of ${args.id}`));
    ctx.emit('principal_created', { principal: args.id, artifact: args.id }, { grants });
    return { principal: args.id, grants };
  },
});
