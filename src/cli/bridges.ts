import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { WorldOptions } from './options.ts';
import type { World } from '../world.ts';

interface BridgeLine {
  id: string;
  state: string;
  isolation: string;
  fee: number;
  tools: number | null;
  source: string;
}

/** `ecology bridge …`: the world's upstream MCP servers, as its config and bridges/ define them. */
export function addBridgeCommands(program: Command, setExit: (code: number) => void, worldOpts: (c: Command) => Command): void {
  const bridge = program.command('bridge').description("The world's bridges to upstream MCP servers: list them, or refresh their artifacts from the upstreams.");

  worldOpts(bridge.command('list').description('Every bridge: on or off (and why), isolation, fee, tools registered.').option('--json', 'one JSON object per line')).action(
    async (opts: WorldOptions & { json?: boolean }) => {
      const { withWorld } = await import('./world.ts');
      const rows = await withWorld(opts, (w): BridgeLine[] => {
        const host = w.bridgeHost;
        if (!host) return [];
        const lines = host.manager.definitions().map((d) => {
          const a = w.kernel.services.artifacts.get(d.artifactId);
          return { id: d.artifactId, state: d.disabled ? `off: ${d.disabled}` : 'on', isolation: d.settings.isolation, fee: d.settings.fee, tools: a?.interface?.length ?? null, source: d.source };
        });
        const removed = host.removed().map((name) => ({ id: `mcp_${name.replaceAll('-', '_')}`, state: 'off: removed (ecology bridge add brings it back)', isolation: '-', fee: 0, tools: null, source: 'this world' }));
        return [...lines, ...removed];
      });
      if (rows.length === 0) process.stdout.write('No bridges: bridges.enabled is false, or the bridges folder is empty.\n');
      for (const r of rows) {
        process.stdout.write(
          opts.json ? `${JSON.stringify(r)}\n` : `${r.id.padEnd(26)} ${r.state.padEnd(34)} ${r.isolation.padEnd(9)} fee ${String(r.fee).padEnd(4)} ${r.tools === null ? 'not registered (ecology bridge refresh)' : `${r.tools} tools`}\n`,
        );
      }
      setExit(0);
    },
  );

  worldOpts(
    bridge
      .command('add')
      .description("Add an upstream server to this world, or replace one of the same name, and register its artifact from its tool list. Give a definition file (bridges/*.json's format, or a Claude Desktop config's mcpServers block), or a name and the command after --.")
      .argument('<file-or-name>', 'a JSON definition file, or the new server\'s name (a-z, 0-9, -)')
      .argument('[command...]', 'after --: the command that starts the server over stdio, and its arguments')
      .option('--url <url>', 'a Streamable HTTP server instead of a command')
      .option('--description <text>', 'what it does, for agents (default: its name)')
      .option('--fee <scrip>', 'scrip per call, burned', (v) => Number.parseInt(v, 10))
      .option('--isolation <kind>', "'shared' (one upstream for all) or 'principal' (one per caller, in its own folder)")
      .option('--env <NAME...>', "environment variables to pass it from the world's (it is off until they are set)"),
  ).action(async (source: string, command: string[], opts: WorldOptions & AddOptions) => {
    let defs: Record<string, unknown>[];
    try {
      defs = definitionsToAdd(source, command, opts);
    } catch (err) {
      process.stderr.write(`ecology bridge add: ${(err as Error).message}\n`);
      return setExit(2);
    }
    const { withWorld } = await import('./world.ts');
    setExit(await withWorld(opts, async (w) => {
      for (const definition of defs) {
        const r = await w.submit(w.operator, 'genesis_bridges', 'define', { definition });
        if (!r.ok) {
          process.stderr.write(`ecology bridge add: ${r.error.code}: ${r.error.message}\n`);
          return 1;
        }
        const { id, replaced } = r.value as { id: string; replaced: boolean };
        process.stdout.write(`${replaced ? 'replaced' : 'added'} ${id}\n`);
      }
      return reportReload(w, 'add');
    }));
  });

  worldOpts(bridge.command('remove').description('Remove a server from this world (whichever list defined it). Its artifact stays, off, with its record.').argument('<name>', 'the server\'s name')).action(
    async (name: string, opts: WorldOptions) => {
      const { withWorld } = await import('./world.ts');
      setExit(await withWorld(opts, async (w) => {
        const id = await operatorChange(w, 'remove', name);
        if (id === null) return 1;
        process.stdout.write(`removed ${id}; serving processes stop its upstreams within a second\n`);
        return reportReload(w, 'remove');
      }));
    },
  );

  worldOpts(bridge.command('restart').description("Restart a bridge's upstreams in every process serving this world (each starts again on its next call), and read its tool list afresh.").argument('<name>', 'the server\'s name')).action(
    async (name: string, opts: WorldOptions) => {
      const { withWorld } = await import('./world.ts');
      setExit(await withWorld(opts, async (w) => {
        const id = await operatorChange(w, 'restart', name);
        if (id === null) return 1;
        const failed = (await w.bridgeHost?.restart(id)) ?? {};
        for (const [bad, why] of Object.entries(failed)) process.stderr.write(`ecology bridge restart: ${bad}: ${why}\n`);
        process.stdout.write(`restarting ${id}: serving processes stop its upstreams within a second; its tool list was read afresh\n`);
        return Object.keys(failed).length === 0 ? 0 : 1;
      }));
    },
  );

  worldOpts(bridge.command('refresh').description("Start each bridge's upstream once, and write its artifact from its tool list.")).action(async (opts: WorldOptions) => {
    const { withWorld } = await import('./world.ts');
    const failed = await withWorld(opts, (w) => w.registerBridges());
    for (const [id, why] of Object.entries(failed)) process.stderr.write(`ecology bridge refresh: ${id}: ${why}\n`);
    setExit(Object.keys(failed).length === 0 ? 0 : 1);
  });
}

interface AddOptions {
  url?: string;
  description?: string;
  fee?: number;
  isolation?: string;
  env?: string[];
}

/**
 * The definitions `bridge add` was given: each server of a file (one definition, or a Claude Desktop config's
 * mcpServers block: each server its own definition), or one made from a name and a command or URL.
 */
function definitionsToAdd(source: string, command: string[], o: AddOptions): Record<string, unknown>[] {
  const ecology = { ...(o.description ? { description: o.description } : {}), ...(o.fee !== undefined ? { fee: o.fee } : {}), ...(o.isolation ? { isolation: o.isolation } : {}) };
  if (command.length === 0 && o.url === undefined) {
    let json: { mcpServers?: Record<string, unknown>; ecology?: Record<string, unknown> };
    try {
      json = JSON.parse(readFileSync(source, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read ${source} as a JSON definition (${(err as Error).message}). Give a file, or a name and the command after --: ecology bridge add weather -- npx -y some-mcp-server`);
    }
    const servers = Object.entries(json?.mcpServers ?? {});
    if (servers.length === 0) throw new Error(`${source} has no mcpServers entry. A definition looks like bridges/everything.json.`);
    const own = Object.keys(ecology).length ? { ...(json.ecology ?? { description: `The upstream MCP server '${servers[0]![0]}'.` }), ...ecology } : json.ecology;
    if (servers.length > 1 && own) throw new Error(`${source} defines ${servers.length} servers: settings (ecology, --fee, --description) need one server per file.`);
    return servers.map(([name, server]) => ({ mcpServers: { [name]: server }, ...(own ? { ecology: own } : {}) }));
  }
  if (Number.isNaN(o.fee)) throw new Error('--fee must be a whole number of scrip');
  const env = Object.fromEntries((o.env ?? []).map((n) => [n, `\${env:${n}}`]));
  const server = o.url !== undefined ? { url: o.url } : { command: command[0], args: command.slice(1), ...(o.env?.length ? { env } : {}) };
  return [{ mcpServers: { [source]: server }, ecology: { description: `The upstream MCP server '${source}'.`, ...ecology } }];
}

/** After a change: registers what changed in this world (starting its upstream once to read its tools); the exit code. */
async function reportReload(w: World, verb: string): Promise<number> {
  if (!w.bridgeHost) process.stderr.write(`ecology bridge ${verb}: kept, but bridges.enabled is false in this world's config, so no process runs bridges.\n`);
  const failed = (await w.bridgeHost?.reload()) ?? {};
  for (const [id, why] of Object.entries(failed)) process.stderr.write(`ecology bridge ${verb}: ${id} is kept but off for now: ${why}\n`);
  return Object.keys(failed).length === 0 ? 0 : 1;
}

/** The operator's remove or restart of a server: its artifact's id, or null after printing why not. */
async function operatorChange(w: World, verb: 'remove' | 'restart', server: string): Promise<string | null> {
  const r = await w.submit(w.operator, 'genesis_bridges', verb, { server });
  if (r.ok) return (r.value as { id: string }).id;
  process.stderr.write(`ecology bridge ${verb}: ${r.error.code}: ${r.error.message}\n`);
  return null;
}
