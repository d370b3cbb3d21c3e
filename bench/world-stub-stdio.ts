/**
 * Diagnostic for the MCP bench: the world's own stdio server, except that after the first real call
 * of each method the kernel's answer is replayed from memory. Against echo it shows what the world's
 * MCP layer costs (tool schemas, validation, rendering) apart from the kernel command.
 *
 *   node --import tsx bench/world-stub-stdio.ts <world.db> <principal>
 */
import { World } from '../src/world.ts';
import { serveWorldStdio } from '../src/mcp/stdio.ts';

const [path, principal] = process.argv.slice(2) as [string, string];
const world = await World.open({ path });
const real = world.invoke.bind(world);
const answers = new Map<string, ReturnType<World['invoke']>>();
world.invoke = (caller, target, method, args, opts) => {
  const key = `${target}.${method}`;
  let answer = answers.get(key);
  if (!answer) {
    answer = real(caller, target, method, args, opts);
    answers.set(key, answer);
  }
  return answer;
};
await serveWorldStdio(world, principal);
await world.close();
