import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { artifactIdArg, maxFeeArg } from '../shared.ts';

export const invoke = defineMethod({
  artifact: 'genesis_store',
  name: 'invoke',
  tool: 'artifact_invoke',
  title: 'Invoke an artifact',
  description:
    "Call a method of an executable artifact (find them with store_search, read their interface with artifact_info). You pay the method's price to the artifact's owner only if the call succeeds (cap it with max_price), plus a contract fee only if you accept it with max_fee. Attach scrip with pay (it goes to the artifact itself, and comes back if the call fails). CPU your call burns counts against your cpu_ms window even if it fails, and every nested call the code makes against your calls window (at most max_calls).",
  input: z.object({
    id: artifactIdArg('Executable artifact to call.'),
    method: z.string().min(1).max(64).describe('Method name from its interface.'),
    args: z.record(z.string(), z.unknown()).optional().describe("Named arguments matching the method's inputSchema."),
    pay: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe("Scrip to attach (like msg.value): moved to the artifact's own account before its code runs, returned if the call fails. The artifact needs standing."),
    max_price: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe('Refuse the call (CONFLICT) rather than pay a price above this. Without it you pay the price artifact_info shows; raises take effect only after a notice period.'),
    max_fee: maxFeeArg,
    max_calls: z.int().min(1).max(100_001).optional().describe('The most calls this call may draw from your calls window, nested calls the code makes included (default 64; more is refused with LIMIT_EXCEEDED, and nothing happens).'),
  }),
  output: z.unknown(),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  // The door itself, exposed as a method: the call is made by the same caller, no extra hop.
  forward: (args) => ({
    target: args.id,
    method: args.method,
    args: args.args ?? {},
    options: {
      pay: args.pay ?? 0,
      maxFee: args.max_fee ?? 0,
      ...(args.max_price === undefined ? {} : { maxPrice: args.max_price }),
      ...(args.max_calls === undefined ? {} : { maxCalls: args.max_calls }),
    },
  }),
  handler: () => {
    throw new Error('genesis_store.invoke is forwarded by the kernel and never handled');
  },
});
