import type { Command } from 'commander';
import type { WorldOptions } from './options.ts';
import type { World } from '../world.ts';
import { inert } from '../kernel/artifact.ts';

interface RequestView {
  id: string;
  capability: string;
  status: string;
  demand: number;
  offered: number;
  created_at: number;
  note: string | null;
  backers?: { principal: string; reason: string; offer: number }[];
}

/** `ecology capability …`: the operator's review queue of what agents ask for that scrip cannot buy. */
export function addCapabilityCommands(program: Command, setExit: (code: number) => void, worldOpts: (c: Command) => Command): void {
  const cap = program.command('capability').description('Review what agents ask the operator for (API keys, paid services, bridges, budget): list, show, approve, deny.');

  worldOpts(cap.command('list').description('Capability requests, open ones first unless --status says otherwise.').option('--status <status>', 'open, granted or denied').option('--json', 'one JSON object per line')).action(
    async (opts: WorldOptions & { status?: string; json?: boolean }) => {
      setExit(
        await operate(opts, async (w) => {
          const rows: RequestView[] = [];
          let cursor: string | null = null;
          do {
            const page = (await call(w, 'list', { status: opts.status ?? 'open', ...(cursor ? { cursor } : {}) })) as { requests: RequestView[]; next_cursor: string | null };
            rows.push(...page.requests);
            cursor = page.next_cursor;
          } while (cursor);
          if (rows.length === 0 && !opts.json) process.stdout.write(`No ${opts.status ?? 'open'} capability requests.\n`);
          for (const r of rows) {
            const line = opts.json ? JSON.stringify(r) : `${r.id}  ${r.status.padEnd(7)}  demand ${String(r.demand).padEnd(3)} offered ${String(r.offered).padEnd(6)} ${r.capability}`;
            // Agents wrote the capabilities: control characters are shown escaped, never sent to the terminal.
            process.stdout.write(`${inert(line)}\n`);
          }
        }),
      );
    },
  );

  worldOpts(cap.command('show').description('One request: who backs it, why, and what each offers.').argument('<id>')).action(async (id: string, opts: WorldOptions) => {
    setExit(
      await operate(opts, async (w) => {
        const r = await find(w, id);
        process.stdout.write(`${r.id}: ${inert(r.capability)}\nstatus ${r.status}, demand ${r.demand}, offered ${r.offered} scrip${r.note ? `\nnote: ${inert(r.note)}` : ''}\n`);
        // Agents wrote these reasons: shown as quoted data, one line each, control characters escaped.
        for (const b of r.backers ?? []) process.stdout.write(`  ${b.principal} offers ${b.offer}: ${inert(JSON.stringify(b.reason))}\n`);
      }),
    );
  });

  worldOpts(
    cap
      .command('approve')
      .description("Grant a request: backers' offers are paid to the operator; grants are issued to each backer (once per maker).")
      .argument('<id>')
      .option('--note <text>', 'what the backers should know (how to use it); public: every agent can read it, so never put a secret here')
      .option('--grant <asset=amount...>', 'issue this to each backer (once per maker: an agent and its wallets share one), e.g. llm_budget_micro_usd=100000')
      .option('--bridge <id>', 'a bridge enabled for it (add it first with ecology bridge add)'),
  ).action(async (id: string, opts: WorldOptions & { note?: string; grant?: string[]; bridge?: string }) => {
    setExit(
      await operate(opts, async (w) => {
        const grants = (opts.grant ?? []).map((g) => {
          const [asset, amount] = g.split('=');
          if (!asset || !amount || !/^\d+$/.test(amount)) throw new Error(`--grant ${g}: write asset=amount, e.g. llm_budget_micro_usd=100000`);
          return { asset, amount: Number(amount) };
        });
        const r = (await call(w, 'approve', { id, ...(opts.note ? { note: opts.note } : {}), ...(grants.length ? { grants } : {}), ...(opts.bridge ? { bridge: opts.bridge } : {}) })) as { paid: number; backers: number };
        process.stdout.write(`granted ${id}: ${r.backers} backers, ${r.paid} scrip paid\n`);
      }),
    );
  });

  worldOpts(cap.command('deny').description('Deny a request and refund every offer.').argument('<id>').option('--note <text>', 'why')).action(async (id: string, opts: WorldOptions & { note?: string }) => {
    setExit(
      await operate(opts, async (w) => {
        const r = (await call(w, 'deny', { id, ...(opts.note ? { note: opts.note } : {}) })) as { refunded: number };
        process.stdout.write(`denied ${id}: ${r.refunded} scrip refunded\n`);
      }),
    );
  });
}

class Refused extends Error {}

/** Runs `fn` on the world named on the command line; the exit code (1 with the error printed on a refusal). */
async function operate(opts: WorldOptions, fn: (w: World) => Promise<void>): Promise<number> {
  const { withWorld } = await import('./world.ts');
  try {
    await withWorld(opts, fn);
    return 0;
  } catch (err) {
    process.stderr.write(`ecology capability: ${(err as Error).message}\n`);
    return err instanceof Refused ? 1 : 2;
  }
}

async function call(w: World, method: string, args: Record<string, unknown>): Promise<unknown> {
  const r = await w.submit(w.operator, 'genesis_capabilities', method, args);
  if (!r.ok) throw new Refused(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function find(w: World, id: string): Promise<RequestView> {
  for (const status of ['open', 'granted', 'denied']) {
    let cursor: string | null = null;
    do {
      const page = (await call(w, 'list', { status, ...(cursor ? { cursor } : {}) })) as { requests: RequestView[]; next_cursor: string | null };
      const hit = page.requests.find((r) => r.id === id);
      if (hit) return hit;
      cursor = page.next_cursor;
    } while (cursor);
  }
  throw new Refused(`NOT_FOUND: there is no capability request ${id}. ecology capability list shows them.`);
}
