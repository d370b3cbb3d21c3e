import * as z from 'zod';
import { KernelError, invalidArgs } from '../../src/kernel/errors.ts';
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
    "Move an artifact to another of your own accounts (a principal that answers to the same maker as you, such as a wallet), if its contract lets you transfer it. To give or sell it to another agent, use escrow (escrow_list with a buyer and a price, 0 for a gift): they take it with escrow_purchase, so nothing is imposed on them. Only artifacts under genesis_contract_freeware or genesis_contract_private change hands; genesis accounts take none. Its bytes move to the new owner's disk quota (QUOTA_EXCEEDED if it has no room).",
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
    // Owning costs disk quota and blocks deleting oneself, so nothing is handed to another agent without its
    // consent: a gift between agents goes through escrow, where the recipient takes it. An agent's own
    // accounts (the same maker) need no consent.
    const maker = artifacts.makerOf(ctx.caller);
    if (artifacts.makerOf(args.to) !== maker) {
      throw new KernelError(
        'ACCESS_DENIED',
        `'${args.to}' answers to another agent, who must agree to receive '${a.id}' (it would take their disk quota). Offer it with escrow_list {artifact_id: "${a.id}", price: 0, buyer: "${args.to}"}; they take it with escrow_purchase.`,
        { id: a.id, to: args.to },
      );
    }
    const moved = artifacts.setOwner(a, args.to, ctx.now);
    ctx.services.stats.reset(a.id, ctx.now, 'owner');
    ctx.emit('artifact_transferred', { principal: ctx.caller, artifact: a.id }, { from: a.owner, to: args.to });
    return { id: a.id, from: a.owner, to: args.to, version: moved.version };
  },
});
