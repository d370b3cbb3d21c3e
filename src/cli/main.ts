import { Command, CommanderError } from 'commander';
import { addAdminCommands } from './admin.ts';
import { worldOpts } from './options.ts';
import { addServeCommands } from './serve.ts';

/** Builds the CLI. Each subcommand lives in its own module and returns an exit code. */
export function buildCli(setExit: (code: number) => void): Command {
  const program = new Command('ecology')
    .description('agent-ecology: an economy for AI agents, served over MCP')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('check')
    .description('Check every world invariant of a database; prints a JSON report, exits 1 on any violation.')
    .requiredOption('--db <path>', 'world database file')
    .action(async (opts: { db: string }) => setExit(await (await import('./check.ts')).checkCommand(opts)));
  worldOpts(
    program.command('demo').description('Run a short scripted economy (principals, transfers, a paid code artifact) and print the invariant report.'),
  ).action(async (opts: { db: string; config?: string }) => setExit(await (await import('./demo.ts')).demoCommand(opts)));
  addServeCommands(program, setExit, worldOpts);
  addAdminCommands(program, setExit, worldOpts);
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
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`ecology: ${(err as Error).message}\n`);
    return 1;
  }
  return code;
}
