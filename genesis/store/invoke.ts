import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { artifactIdArg } from '../shared.ts';

export const invoke = defineMethod({
  artifact: 'genesis_store',
  name: 'invoke',
  tool: 'artifact_invoke',
  title: 'Invoke an artifact',
  description:
    "Call a method of an executable artifact (find them with store_search, read their interface with artifact_info). You pay the method's price to the artifact's owner only if the call succeeds, plus any contract fee. Attach scrip with pay (it goes to the artifact itself, and comes back if the call fails). CPU your call burns counts against your cpu_ms window even if it fails.",
  input: z.object({
    id: artifactIdArg('Executable artifact to call.'),
    method: z.string().min(1).max(64).describe('Method name from its interface.'),
    args: z.record(z.string(), z.unknown()).optional().describe("Named arguments matching the method's inputSchema."),
    pay: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe("Scrip to attach (like msg.value): moved to the artifact's own account before its code runs, returned if the call fails. The artifact needs standing."),
  }),
  output: z.unknown(),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  // The door itself, exposed as a method: the call is made by the same caller, no extra hop.
  forward: (args) => ({ target: args.id, method: args.method, args: args.args ?? {}, pay: args.pay ?? 0 }),
  handler: () => {
    throw new Error('genesis_store.invoke is forwarded by the kernel and never handled');
  },
});
