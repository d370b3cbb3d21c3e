import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { ID_PATTERN } from '../kernel/artifact.ts';
import { packageRoot } from './package-root.ts';
import { operator, withWorld } from './world.ts';
import { withProgress } from './progress.ts';
import type { WorldOptions } from './options.ts';

/** The Inspector release README and this guide pin: 2.x has --header; npx would pick 0.15 on Node 20. */
export const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';

/** A principal id for this machine's user, if their login name is one; else `me`. */
export function defaultPrincipal(): string {
  let name = '';
  try {
    name = userInfo().username.toLowerCase();
  } catch {
    // no user database entry (some containers)
  }
  return name.length <= 64 && ID_PATTERN.test(name) && !name.includes('.') && !name.startsWith('genesis_') ? name : 'me';
}

interface Created {
  principal: string;
  existed: boolean;
  scrip: number;
  token: string;
}

/**
 * `ecology init`: the world, a first principal and its token, then everything needed to connect,
 * filled in with this machine's paths. Run again with the same name, it keeps the principal and
 * issues another token.
 */
export async function initCommand(opts: WorldOptions & { as?: string }): Promise<number> {
  const principal = opts.as ?? defaultPrincipal();
  const created = await withProgress(`Preparing ${opts.db}`, () => withWorld(
    opts,
    async (w): Promise<Created | null> => {
      const existed = w.kernel.services.artifacts.isPrincipal(principal);
      if (!existed && operator(w, 'create_principal', { id: principal, description: 'Created by ecology init' }) === null) return null;
      const token = operator(w, 'create_token', { principal }) as { token: string } | null;
      if (token === null) return null;
      // The bridges' artifacts, so that stdio clients (which start no upstream to read tool lists) see them.
      await w.registerBridges({ onlyMissing: true });
      return { principal, existed, scrip: w.kernel.services.ledger.balance(principal, 'scrip'), token: token.token };
    },
    true,
  ));
  if (created === null) return 1;
  process.stdout.write(guide(created, resolve(opts.db), opts.config === undefined ? undefined : resolve(opts.config)));
  return 0;
}

function guide(c: Created, db: string, config: string | undefined): string {
  const bin = join(packageRoot(), 'bin', 'ecology.mjs');
  const node = process.execPath;
  const eco = `${q(node)} ${q(bin)}`;
  const dbFlags = `--db ${q(db)}${config ? ` --config ${q(config)}` : ''}`;
  const url = 'http://127.0.0.1:8787/mcp';
  const stdioArgs = [bin, 'stdio', '--as', c.principal, '--db', db, ...(config ? ['--config', config] : [])];
  const desktopStdio = { mcpServers: { 'agent-ecology': { command: node, args: stdioArgs } } };
  const desktopHttp = { mcpServers: { 'agent-ecology': { command: 'npx', args: ['-y', 'mcp-remote', url, '--header', `Authorization:Bearer ${c.token}`] } } };
  const stdioInspector = `npx -y ${INSPECTOR} --cli ${q(node)} ${stdioArgs.map(q).join(' ')}`;
  return `${c.existed ? `${c.principal} already lives in ${db}; here is a new token for it.` : `Created the world ${db} and its first principal, ${c.principal}, with ${c.scrip} scrip.`}

Token for ${c.principal} (shown once; only its hash is kept. Revoke with: ${eco} token revoke ${c.principal} ${dbFlags}):
  ${c.token}

Claude Desktop, stdio (Claude starts the world itself; nothing else to run). In claude_desktop_config.json:
${indent(JSON.stringify(desktopStdio, null, 2))}

Claude Desktop, HTTP (first start the server: ${eco} serve ${dbFlags}):
${indent(JSON.stringify(desktopHttp, null, 2))}

MCP Inspector (the web UI without --cli):
  ${stdioInspector} --method tools/list
  npx -y ${INSPECTOR} --cli ${url} --transport http --header "Authorization: Bearer ${c.token}" --method tools/call --tool-name world_whoami

Next:
  1. See who you are and what you hold:
     ${stdioInspector} --method tools/call --tool-name world_whoami
  2. Make a second principal and pay it 5 scrip:
     ${eco} principal create bob ${dbFlags}
     ${stdioInspector} --method tools/call --tool-name ledger_transfer --tool-arg to=bob --tool-arg amount=5
  3. Watch a whole economy run (code for sale, escrow, the mint, a loan) in a throw-away world:
     ${eco} demo
`;
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

/** Quotes a shell word when it needs it. */
const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
