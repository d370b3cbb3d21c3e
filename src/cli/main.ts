import { Command, CommanderError } from 'commander';
import { addAdminCommands } from './admin.ts';
import { worldOpts } from './options.ts';
import { addServeCommands } from './serve.ts';
import { addAgentCommands } from './agents.ts';
import { addBridgeCommands } from './bridges.ts';
import { addCapabilityCommands } from './capabilities.ts';
import { packageVersion } from './package-root.ts';

/** Builds the CLI. Each subcommand lives in its own module and returns an exit code. */
export function buildCli(setExit: (code: number) => void): Command {
  const program = new Command('ecology')
    .description('agent-ecology: an economy for AI agents, served over MCP. New here? Run: ecology init')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  worldOpts(
    program
      .command('init')
      .description('Create the world and a first principal with a token, and print how to connect Claude Desktop and the MCP Inspector.')
      .option('--as <name>', "the first principal's id (default: your login name, or 'me')"),
  ).action(async (opts: { db: string; config?: string; as?: string }) => setExit(await (await import('./init.ts')).initCommand(opts)));
  program
    .command('check')
    .description('Check every world invariant of a database; prints a JSON report, exits 1 on any violation.')
    .requiredOption('--db <path>', 'world database file')
    .action(async (opts: { db: string }) => setExit(await (await import('./check.ts')).checkCommand(opts)));
  program
    .command('demo')
    .description('Run a short scripted economy (principals, a paid code artifact, escrow, the mint, a loan, a bounty) in a throw-away world, and print the invariant report.')
    .option('--db <path>', 'run in this world file instead of a throw-away one (it gains the demo principals and artifacts)')
    .option('--config <path>', 'JSON config file')
    .action(async (opts: { db?: string; config?: string }) => setExit(await (await import('./demo.ts')).demoCommand(opts)));
  addServeCommands(program, setExit, worldOpts);
  addAdminCommands(program, setExit, worldOpts);
  addAgentCommands(program, setExit, worldOpts);
  addBridgeCommands(program, setExit, worldOpts);
  addCapabilityCommands(program, setExit, worldOpts);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildCli((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // --help and --version end by "throwing" with exit code 0.
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`ecology: ${(err as Error).message}\n`);
    return 1;
  }
  return code;
}
