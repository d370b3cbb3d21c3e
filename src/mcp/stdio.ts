import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { McpRequestContext, McpServer } from '@modelcontextprotocol/server';
import { artifactUri } from './resources.ts';
import { createFactory, serverParts } from './server.ts';
import { ArtifactWatcher } from './watch.ts';
import { screenedInput } from './wire.ts';
import type { World } from '../world.ts';

export interface StdioOptions {
  /** How often to look for artifact changes to notify about. */
  watchMs?: number;
}

/**
 * Serves the world over stdio as one principal (named on the command line; stdio has no other
 * identity). stdout carries only protocol; everything else goes to stderr. Resolves when the client
 * closes stdin or the process is told to stop.
 */
export async function serveWorldStdio(world: World, principal: string, opts: StdioOptions = {}): Promise<void> {
  const connections: { server: McpServer; legacy: boolean; subscribed: Set<string> }[] = [];
  const build = createFactory(serverParts(world), () => principal);
  const factory = (ctx: McpRequestContext): McpServer => {
    const subscribed = new Set<string>();
    const server = build(ctx, subscribed);
    connections.push({ server, legacy: ctx.era === 'legacy', subscribed });
    return server;
  };
  // Lines that are not JSON-RPC are answered here with a JSON-RPC error; the SDK would drop them silently.
  const wire: StdioServerTransport = new StdioServerTransport(
    screenedInput(process.stdin, (error) => void wire.send(error).catch(() => {})),
    process.stdout,
  );
  const handle = serveStdio(factory, { transport: wire, onerror: (e) => process.stderr.write(`agent-ecology stdio: ${e.message}\n`) });
  const watcher = new ArtifactWatcher(world, (ids) => {
    for (const c of connections) {
      for (const id of ids) {
        const uri = artifactUri(id);
        // Legacy clients get only what they subscribed to; modern listen streams are filtered by the SDK.
        if (c.legacy && !c.subscribed.has(uri)) continue;
        void c.server.server.sendResourceUpdated({ uri }).catch(() => {});
      }
    }
  }).start(opts.watchMs ?? 250);
  // Entries written here are embedded here too: a world served only over stdio still searches by meaning.
  world.semantic?.start();
  // Bridges registered by `ecology init` or `ecology serve` are called from here too; their upstreams start on use.
  world.followBridges();

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.stdin.once('end', stop);
    process.stdin.once('close', stop);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  watcher.stop();
  await handle.close();
}
