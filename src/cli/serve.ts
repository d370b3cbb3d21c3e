import { Option, type Command } from 'commander';
import { DEFAULT_SESSION_LIMITS } from '../mcp/session-limits.ts';
import { wholeNumber, type WorldOptions } from './options.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface ServeFlags {
  port: number;
  host: string;
  allowedHost?: string[];
  allowedOrigin?: string[];
  maxSessions: number;
  maxSessionsPerPrincipal: number;
  maxListensPerPrincipal: number;
  maxListens: number;
  conformanceFixtures?: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logFormat: 'pretty' | 'json';
  agents: boolean;
}

/** Resolves on SIGINT/SIGTERM. */
const untilSignal = () =>
  new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

export function addServeCommands(program: Command, setExit: (code: number) => void, worldOpts: (c: Command) => Command): void {
  // What serving needs (express, the MCP SDK, the world) loads only when a server starts.
  worldOpts(
    program
      .command('serve')
      .description('Serve the world over Streamable HTTP at /mcp (bearer-token auth), and run its background ticker.')
      .option('--port <port>', 'TCP port (0 picks a free one)', wholeNumber(0, 65_535), 8787)
      .option('--host <host>', 'address to bind; 0.0.0.0 or :: needs --allowed-host', '127.0.0.1')
      .option('--allowed-host <name>', 'extra Host header name to accept (repeatable)', collect)
      .option('--allowed-origin <origin>', 'browser origin (scheme://host[:port]) allowed by CORS and Origin checks (repeatable)', collect)
      .option('--max-sessions <n>', '2025-era sessions held at once, everyone together (when full: the oldest of whoever holds the most closes)', wholeNumber(1), DEFAULT_SESSION_LIMITS.maxSessions)
      .option('--max-sessions-per-principal <n>', "2025-era sessions of one principal (beyond it its own oldest closes)", wholeNumber(1), DEFAULT_SESSION_LIMITS.maxSessionsPerPrincipal)
      .option('--max-listens-per-principal <n>', '2026-era subscriptions/listen streams one principal may hold open (beyond it: 429)', wholeNumber(1), DEFAULT_SESSION_LIMITS.maxListensPerPrincipal)
      .option('--max-listens <n>', 'subscriptions/listen streams held at once, everyone together (when full: the oldest of whoever holds the most closes)', wholeNumber(1), DEFAULT_SESSION_LIMITS.maxListens)
      .addOption(new Option('--log-level <level>', 'least severe log lines to write (one info line per request)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
      .addOption(new Option('--log-format <format>', 'pretty: one readable line per request; json: one JSON object per line, for machines').choices(['pretty', 'json']).default('pretty'))
      .option('--no-agents', "do not host the world's agents in this process (run `ecology agents run` elsewhere, or none)")
      .option('--conformance-fixtures', 'serve the MCP conformance suite fixtures instead of the world'),
  ).action(async (opts: WorldOptions & ServeFlags) => {
    const [{ requireRebindingProtection, startHttp }, { conformanceFactory }, { openWorld, listPrincipals }, { createLogger }] = await Promise.all([
      import('../mcp/http.ts'),
      import('../mcp/conformance/index.ts'),
      import('./world.ts'),
      import('./logger.ts'),
    ]);
    const logger = createLogger(opts.logLevel, opts.logFormat);
    // Refuse an unprotected bind before opening anything.
    requireRebindingProtection({ host: opts.host, ...(opts.allowedHost ? { allowedHosts: opts.allowedHost } : {}) });
    // Listen for signals first: a signal during start-up must also end in a clean shutdown.
    const stopped = untilSignal();
    // The fixtures are a separate server: no world behind them.
    const world = opts.conformanceFixtures ? null : await openWorld(opts);
    const http = await startHttp(world, {
      port: opts.port,
      host: opts.host,
      ...(opts.allowedHost ? { allowedHosts: opts.allowedHost } : {}),
      ...(opts.allowedOrigin ? { allowedOrigins: opts.allowedOrigin } : {}),
      ...(opts.conformanceFixtures ? { fixtures: conformanceFactory } : {}),
      sessions: { maxSessions: opts.maxSessions, maxSessionsPerPrincipal: opts.maxSessionsPerPrincipal, maxListensPerPrincipal: opts.maxListensPerPrincipal, maxListens: opts.maxListens },
      logger,
    }).catch(async (err: unknown) => {
      await world?.close();
      throw err;
    });
    logger.info(`agent-ecology: ${opts.conformanceFixtures ? 'conformance fixtures' : `world ${opts.db}`} at ${http.url}`);
    if (world && (listPrincipals(world, false) ?? []).length === 0) {
      logger.warn(`This world has no principals yet, so every request will get 401. Create one and its token with: ecology init --db ${opts.db}`);
    }
    const agents = world && opts.agents && world.config.agents.enabled ? new (await import('../agents/host.ts')).AgentHost(world, http.handler, { onError: (e) => logger.warn(`agents: ${e.message}`) }).start() : null;
    if (agents) logger.info(`agent-ecology: hosting the world's agents (at most ${world!.config.agents.max_running} stepping at once)`);
    // Bridges register in the background (each upstream starts once to list its tools, then idles out).
    if (world?.bridges) {
      world.followBridges();
      void world
        .registerBridges()
        .then((failed) => {
          for (const [id, why] of Object.entries(failed)) logger.warn(`bridge ${id}: ${why}`);
        })
        .catch((err: unknown) => logger.warn(`bridges: ${(err as Error).message}`));
    }
    const signal = await stopped;
    logger.info(`agent-ecology: ${signal}: finishing in-flight requests`);
    await agents?.stop();
    await http.close();
    await world?.close();
    setExit(0);
  });

  worldOpts(
    program
      .command('stdio')
      .description('Serve the world over stdio as one principal (for Claude Desktop and other local MCP clients).')
      .requiredOption('--as <principal>', 'the principal this connection acts as'),
  ).action(async (opts: WorldOptions & { as: string }) => {
    const [{ serveWorldStdio }, { openWorld }] = await Promise.all([import('../mcp/stdio.ts'), import('./world.ts')]);
    const world = await openWorld(opts, {}, true);
    try {
      if (opts.as.startsWith('genesis_')) {
        process.stderr.write(`ecology stdio: '${opts.as}' is a built-in service of the world, not a principal. Connect as a principal you created (ecology principal create <id> --db ${opts.db}).\n`);
        return setExit(2);
      }
      if (!world.kernel.services.artifacts.isPrincipal(opts.as)) {
        process.stderr.write(`ecology stdio: '${opts.as}' is not a principal of ${opts.db}. Create it with: ecology principal create ${opts.as} --db ${opts.db}\n`);
        return setExit(2);
      }
      await serveWorldStdio(world, opts.as);
    } finally {
      await world.close();
    }
    setExit(0);
  });
}
