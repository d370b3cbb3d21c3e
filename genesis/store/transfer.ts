import * as z from 'zod';
import { invalidArgs } from '../../src/kernel/errors.ts';
import { requireHandoverContract } from '../../src/kernel/contracts.ts';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { requireReleasable } from '../../src/kernel/artifact.ts';
import { requireRecipient, WRITE, artifactIdArg, principalArg } from '../shared.ts';

export const transfer = defineMethod({
  artifact: 'genesis_store',
  name: 'transfer',
  tool: 'artifact_transfer',
  title: 'Transfer an artifact',
  description:
    "Give an artifact to another principal, if its contract lets you transfer it. Only artifacts under genesis_contract_freeware or genesis_contract_private change hands, so the new owner controls what it receives; genesis accounts take none. Its bytes move to the new owner's disk quota (QUOTA_EXCEEDED if they have no room). To sell safely, use escrow instead.",
  input: z.object({ id: artifactIdArg('Artifact to transfer.'), to: principalArg('New owner (a principal).') }),
  output: z.object({ id: z.string(), from: z.string(), to: z.string(), version: z.int() }),
  annotations: WRITE,
  handler: (ctx, args) => {
    const { artifacts } = ctx.services;
    const a = artifacts.requireMeta(args.id);
    requireReleasable(a, 'transferred');
    ctx.authorize('transfer', a);
    requireRecipient(ctx, args.to, 'new owner');
    // The recipient has not agreed to anything: under these contracts the new owner alone controls (and can
    // delete) what it is given; others could keep it in the sender's hands, on the recipient's disk.
    requireHandoverContract(a, 'its new owner would not fully control it', 'giving it away, so its new owner controls it');
    if (args.to === a.owner) throw invalidArgs(`'${args.to}' already owns '${a.id}'.`, { id: a.id });
    const moved = artifacts.setOwner(a, args.to, ctx.now);
    ctx.services.stats.reset(a.id, ctx.now, 'owner');
    ctx.emit('artifact_transferred', { principal: ctx.caller, artifact: a.id }, { from: a.owner, to: args.to });
    return { id: a.id, from: a.owner, to: args.to, version: moved.version };
  },
});
