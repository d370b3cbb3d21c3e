import { Option, type Command } from 'commander';
import { wholeNumber, type WorldOptions } from './options.ts';

const admin = () => import('./world.ts');

/** Resolves on SIGINT/SIGTERM. */
const untilSignal = () =>
  new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

interface AgentLine {
  id: string;
  owner: string;
  state: string;
  reason: string | null;
  steps: number;
  last_step_at: number | null;
  last_error: string | null;
  llm_budget_micro_usd: number;
}

/** `ecology agents …`: the operator's view and control of hosted agents, and a process to host them. */
export function addAgentCommands(program: Command, setExit: (code: number) => void, worldOpts: (c: Command) => Command): void {
  const agents = program.command('agents').description('Hosted LLM agents: list, trace, pause, resume, step one, or host them in this process.');

  worldOpts(
    agents
      .command('list')
      .description('List hosted agents: state and why, steps, LLM budget, last error.')
      .addOption(new Option('--state <state>', 'only agents in this state').choices(['running', 'sleeping', 'frozen', 'paused']))
      .option('--json', 'one JSON object per line'),
  ).action(async (opts: WorldOptions & { state?: string; json?: boolean }) => {
    const { operator, withWorld } = await admin();
    const rows = await withWorld(opts, (w) => {
      const out: AgentLine[] = [];
      let after: string | undefined;
      do {
        const page = operator(w, 'list', { ...(opts.state ? { state: opts.state } : {}), ...(after ? { after } : {}), limit: 500 }, 'genesis_agents') as { agents: AgentLine[]; next_after?: string } | null;
        if (page === null) return null;
        out.push(...page.agents);
        after = page.next_after;
      } while (after !== undefined);
      return out;
    });
    if (rows === null) return setExit(1);
    if (opts.json) return void rows.forEach((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
    if (rows.length === 0) return void process.stdout.write('No hosted agents. A principal spawns one with the agent_spawn tool.\n');
    const width = Math.max(...rows.map((r) => r.id.length));
    for (const r of rows) {
      const last = r.last_step_at === null ? 'never stepped' : `last step ${new Date(r.last_step_at).toISOString()}`;
      process.stdout.write(`${r.id.padEnd(width)}  ${r.state.padEnd(8)}  ${String(r.steps).padStart(5)} steps  ${String(r.llm_budget_micro_usd).padStart(10)} µ$  owner ${r.owner}  ${last}${r.reason ? `  (${r.reason})` : ''}${r.last_error ? `\n${' '.repeat(width + 2)}last error: ${r.last_error}` : ''}\n`);
    }
  });

  worldOpts(
    agents
      .command('trace <id>')
      .description("An agent's most recent steps, newest first: prompt size, the model's reply, tool calls and results, tokens, cost, latency.")
      .option('--limit <n>', 'how many steps', wholeNumber(1, 100), 5),
  ).action(async (id: string, opts: WorldOptions & { limit: number }) => {
    const { operator, withWorld } = await admin();
    const out = (await withWorld(opts, (w) => operator(w, 'trace', { id, limit: opts.limit }, 'genesis_agents'))) as { traces: unknown[] } | null;
    if (out === null) return setExit(1);
    for (const t of out.traces) process.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
  });

  worldOpts(agents.command('pause <id>').description('Stop an agent taking steps (every host process sees it) until resumed.').option('--reason <text>', 'why, shown in its status')).action(
    async (id: string, opts: WorldOptions & { reason?: string }) => {
      const { operator, withWorld } = await admin();
      const out = await withWorld(opts, (w) => operator(w, 'pause', { id, ...(opts.reason ? { reason: opts.reason } : {}) }, 'genesis_agents'));
      if (out === null) return setExit(1);
      process.stdout.write(`${JSON.stringify(out)}\n`);
    },
  );

  worldOpts(agents.command('resume <id>').description('Let a paused or sleeping agent run again.')).action(async (id: string, opts: WorldOptions) => {
    const { operator, withWorld } = await admin();
    const out = await withWorld(opts, (w) => operator(w, 'resume', { id }, 'genesis_agents'));
    if (out === null) return setExit(1);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  });

  worldOpts(agents.command('step <id>').description('Run one step of an agent now, whatever its state (a paused agent too), and print its trace.')).action(async (id: string, opts: WorldOptions) => {
    const [{ openWorld }, { worldHandler }, { AgentHost }, { withProgress }] = await Promise.all([import('./world.ts'), import('../mcp/http.ts'), import('../agents/host.ts'), import('./progress.ts')]);
    const world = await openWorld(opts, {}, true);
    const handler = worldHandler(world);
    const host = new AgentHost(world, handler, { onError: (e) => process.stderr.write(`ecology agents: ${e.message}\n`) });
    try {
      const outcome = await withProgress(`Stepping ${id}`, () => host.step(id, true));
      process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
      setExit(outcome.kind === 'done' && outcome.ok ? 0 : 1);
    } finally {
      await host.stop();
      await handler.close();
      await world.close();
    }
  });

  worldOpts(agents.command('run').description('Host every awake agent in this process (as `ecology serve` does, without HTTP) until SIGINT/SIGTERM.')).action(async (opts: WorldOptions) => {
    const [{ openWorld }, { worldHandler }, { AgentHost }] = await Promise.all([import('./world.ts'), import('../mcp/http.ts'), import('../agents/host.ts')]);
    const stopped = untilSignal();
    const world = await openWorld(opts, {}, true);
    const handler = worldHandler(world);
    const host = new AgentHost(world, handler, { onError: (e) => process.stderr.write(`ecology agents: ${e.message}\n`) }).start();
    world.semantic?.start();
    world.followBridges();
    if (world.bridges) void world.registerBridges({ onlyMissing: true }).catch(() => undefined);
    process.stderr.write(`agent-ecology: hosting the agents of ${opts.db} (at most ${world.config.agents.max_running} stepping at once)\n`);
    const signal = await stopped;
    process.stderr.write(`agent-ecology: ${signal}: abandoning steps in flight\n`);
    await host.stop();
    await handler.close();
    await world.close();
    setExit(0);
  });
}
