import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE, artifactIdArg, maxFeeArg, metaSchema, metaView } from '../shared.ts';

export const read = defineMethod({
  artifact: 'genesis_store',
  name: 'read',
  tool: 'artifact_read',
  title: 'Read an artifact',
  description:
    "Read an artifact's content and code with its metadata, if its contract lets you read it. A contract may charge a fee (paid to its owner), only if you accept it with max_fee; artifact_info shows its fees first. A deleted artifact answers DELETED with when and by whom.",
  input: z.object({ id: artifactIdArg('Artifact to read.'), max_fee: maxFeeArg }),
  output: metaSchema.extend({ content: z.string(), code: z.string() }),
  // Not read-only for clients: the artifact's contract may charge a fee for the read, which moves scrip
  // (so a retry can carry an idempotency_key). Still a look, not an invocation, in the world's records.
  annotations: WRITE,
  recordsInvocation: false,
  handler: (ctx, args) => {
    const a = ctx.services.artifacts.require(args.id);
    ctx.authorize('read', a, args.max_fee);
    return { ...metaView(a, ctx.now), content: a.content, code: a.code };
  },
});
