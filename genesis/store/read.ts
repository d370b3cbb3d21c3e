import * as z from 'zod';
import { defineMethod } from '../../src/kernel/genesis.ts';
import { WRITE, artifactIdArg, metaSchema, metaView } from '../shared.ts';

export const read = defineMethod({
  artifact: 'genesis_store',
  name: 'read',
  tool: 'artifact_read',
  title: 'Read an artifact',
  description:
    "Read an artifact's content and code with its metadata, if its contract lets you read it (a contract may charge a fee, paid to the contract's owner). A deleted artifact answers DELETED with when and by whom.",
  input: z.object({ id: artifactIdArg('Artifact to read.') }),
  output: metaSchema.extend({ content: z.string(), code: z.string() }),
  // Not read-only for clients: the artifact's contract may charge a fee for the read, which moves scrip
  // (so a retry can carry an idempotency_key). Still a look, not an invocation, in the world's records.
  annotations: WRITE,
  recordsInvocation: false,
  handler: (ctx, args) => {
    const a = ctx.services.artifacts.require(args.id);
    ctx.authorize('read', a);
    return { ...metaView(a), content: a.content, code: a.code };
  },
});
