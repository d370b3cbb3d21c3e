import type { Command } from 'commander';
import type { WorldOptions } from './options.ts';

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
        if (!w.bridges) return [];
        return w.bridges.definitions().map((d) => {
          const a = w.kernel.services.artifacts.get(d.artifactId);
          return { id: d.artifactId, state: d.disabled ? `off: ${d.disabled}` : 'on', isolation: d.settings.isolation, fee: d.settings.fee, tools: a?.interface?.length ?? null, source: d.source };
        });
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

  worldOpts(bridge.command('refresh').description("Start each bridge's upstream once, and write its artifact from its tool list.")).action(async (opts: WorldOptions) => {
    const { withWorld } = await import('./world.ts');
    const failed = await withWorld(opts, (w) => w.registerBridges());
    for (const [id, why] of Object.entries(failed)) process.stderr.write(`ecology bridge refresh: ${id}: ${why}\n`);
    setExit(Object.keys(failed).length === 0 ? 0 : 1);
  });
}
