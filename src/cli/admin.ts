import type { Command } from 'commander';
import { wholeNumber, type WorldOptions } from './options.ts';

/** The world and its operator calls, loaded when a command runs. */
const admin = () => import('./world.ts');

/** `ecology principal …` and `ecology token …`: the operator's administration of who exists and who may connect. */
export function addAdminCommands(program: Command, setExit: (code: number) => void, worldOpts: (c: Command) => Command): void {
  const principal = program.command('principal').description('Manage principals (agents and people who act in the world).');
  worldOpts(
    principal
      .command('create <id>')
      .description('Create a principal with the starting allocation from the config (override scrip with --scrip).')
      .option('--scrip <n>', 'starting scrip instead of the config default', wholeNumber(0))
      .option('--description <text>', 'what this principal is'),
  ).action(async (id: string, opts: WorldOptions & { scrip?: number; description?: string }) => {
    const { operator, withWorld } = await admin();
    const out = await withWorld(opts, (w) =>
      operator(w, 'create_principal', { id, grants: opts.scrip === undefined ? {} : { scrip: opts.scrip }, ...(opts.description ? { description: opts.description } : {}) }),
      true,
    );
    if (out === null) return setExit(1);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  });

  worldOpts(
    principal
      .command('list')
      .description('List principals: id, scrip, live tokens, who made it and when.')
      .option('--all', 'include deleted principals')
      .option('--json', 'one JSON object per line'),
  ).action(async (opts: WorldOptions & { all?: boolean; json?: boolean }) => {
    const { listPrincipals, withWorld } = await admin();
    const rows = await withWorld(opts, (w) => listPrincipals(w, opts.all === true));
    if (rows === null) return setExit(1);
    if (opts.json) {
      for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
      return;
    }
    if (rows.length === 0) {
      process.stdout.write(`No principals yet. Create one with: ecology init --db ${opts.db}\n`);
      return;
    }
    const width = Math.max(...rows.map((r) => r.id.length));
    for (const r of rows) {
      const made = `made by ${r.created_by} ${new Date(r.created_at).toISOString()}`;
      const gone = r.deleted_at === undefined ? '' : `  deleted ${new Date(r.deleted_at).toISOString()}`;
      process.stdout.write(`${r.id.padEnd(width)}  ${String(r.scrip).padStart(8)} scrip  ${r.live_tokens} token${r.live_tokens === 1 ? ' ' : 's'}  ${made}${gone}${r.description ? `  ${r.description}` : ''}\n`);
    }
  });

  const token = program.command('token').description('Manage bearer tokens for the HTTP transport.');
  worldOpts(token.command('create <principal>').description('Create a token for a principal and print it (shown once; only its hash is stored).')).action(
    async (p: string, opts: WorldOptions) => {
      const { operator, withWorld } = await admin();
      const out = (await withWorld(opts, (w) => operator(w, 'create_token', { principal: p }))) as { token: string } | null;
      if (out === null) return setExit(1);
      process.stdout.write(`${out.token}\n`);
    },
  );
  worldOpts(token.command('revoke <principal-or-token-id>').description('Revoke one token by id, or all tokens of a principal.')).action(
    async (target: string, opts: WorldOptions) => {
      const { operator, withWorld } = await admin();
      const out = await withWorld(opts, (w) => operator(w, 'revoke_token', { target }));
      if (out === null) return setExit(1);
      process.stdout.write(`${JSON.stringify(out)}\n`);
    },
  );
  worldOpts(token.command('list').description('List tokens: id, principal, created, revoked. Never the secrets.')).action(async (opts: WorldOptions) => {
    const { operator, withWorld } = await admin();
    const out = (await withWorld(opts, (w) => operator(w, 'list_tokens', {}))) as { tokens: { token_id: string; principal: string; created_at: number; revoked_at?: number }[] } | null;
    if (out === null) return setExit(1);
    for (const t of out.tokens) {
      process.stdout.write(`${t.token_id}  ${t.principal}  created ${new Date(t.created_at).toISOString()}${t.revoked_at ? `  revoked ${new Date(t.revoked_at).toISOString()}` : ''}\n`);
    }
  });
}
