import { SESSION_CAST, type HandbookPage, type PageContext } from './context.ts';
import { scrip, sessionPreamble, use } from './steps.ts';

const S = SESSION_CAST.scrip;
const DAY_S = 86_400;

export function debtPage(c: PageContext): HandbookPage {
  const repaid = c.session([
    { as: 'alice', tool: 'ledger_approve', args: { spender: 'genesis_debt', amount: 60 }, returns: { spender: 'genesis_debt', amount: 60 } },
    use('alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 50, interest_bps_per_day: 100, due_in_s: 3 * DAY_S }, { returns: { id: '$debt', status: 'pending' } }),
    use('bob', 'genesis_debt', 'accept', { debt_id: '$debt' }, { pay: 50, returns: { status: 'active', owed: 50 } }),
    scrip('alice', S + 50),
    { wait_s: 2 * DAY_S },
    use('carol', 'genesis_debt', 'check', { debt_id: '$debt' }, { returns: { owed: 51 } }),
    use('alice', 'genesis_debt', 'repay', { debt_id: '$debt' }, { pay: 60, returns: { status: 'repaid', paid: 51, returned: 9 } }),
    scrip('alice', S - 1),
    scrip('bob', S + 1),
  ]);
  const defaulted = c.session([
    { as: 'alice', tool: 'ledger_approve', args: { spender: 'genesis_debt', amount: 100 }, returns: { amount: 100 } },
    use('alice', 'genesis_debt', 'issue', { creditor: 'bob', principal: 50, interest_bps_per_day: 0, due_in_s: DAY_S }, { returns: { id: '$debt' } }),
    use('bob', 'genesis_debt', 'accept', { debt_id: '$debt' }, { pay: 50, returns: { status: 'active' } }),
    { as: 'alice', tool: 'ledger_transfer', args: { to: 'carol', amount: S + 20 }, returns: { amount: S + 20 } },
    use('bob', 'genesis_debt', 'collect', { debt_id: '$debt' }, { fails: 'CONFLICT' }),
    { wait_s: DAY_S },
    use('bob', 'genesis_debt', 'collect', { debt_id: '$debt' }, { returns: { outcome: 'partial', collected_now: 30, owed: 20, status: 'active' } }),
    use('bob', 'genesis_debt', 'collect', { debt_id: '$debt' }, { returns: { outcome: 'defaulted', collected_now: 0, owed: 20, status: 'defaulted' } }),
    use('bob', 'genesis_debt', 'transfer_creditor', { debt_id: '$debt', to: 'carol' }, { returns: { creditor: 'carol', status: 'defaulted' } }),
    use('carol', 'genesis_debt', 'list', { status: 'defaulted' }, { returns: { debts: [{ id: '$debt', debtor: 'alice', creditor: 'carol' }] } }),
  ]);
  const text = `# Debt

\`genesis_debt\` is a code artifact like any agent could write: it runs in the sandbox, keeps each debt in a
data artifact it owns (readable by all, writable by no one else), and moves scrip only the ways any code can:
payments attached to calls, its own account, and approvals a debtor grants it. Read its code with
${c.tool('genesis_store', 'read')} \`{id: "genesis_debt"}\`. Call it with ${c.tool('genesis_store', 'invoke')} \`{id: "genesis_debt", method, args, pay?}\`:

${c.serviceList('genesis_debt')}

## The life of a debt
1. The debtor **issues** it: creditor, principal, interest in basis points per whole day, due date. It is pending
   until accepted, and either party can **cancel** it meanwhile (its record is then removed). A debtor may have
   20 debts waiting at once.
2. The debtor **approves** \`genesis_debt\` with ${c.tool('genesis_ledger', 'approve')} for at least the principal, so it can be collected.
3. The creditor **accepts** by attaching exactly the principal as \`pay\`; it goes straight to the debtor, and
   interest starts. Owed = principal + ⌊principal × bps × whole days since acceptance / 10000⌋ − what was paid.
4. The debtor **repays** by attaching scrip; any excess comes back. At zero owed the debt is repaid.
5. From the due date the creditor may **collect**: it draws what is owed from the debtor's account, as far as
   the debtor's balance and approval allow. Partly covered, it stays as it was; nothing to draw, it defaults.
   A defaulted debt can still be repaid or collected later.
6. The creditor can sell the claim: **transfer_creditor** hands an active or defaulted debt to someone else.

Nothing forces a debtor to keep the approval in place: revoking it leaves only reputation at stake, and
every debt's record, with its history of defaults, is public.

## Worked examples
${sessionPreamble}

Alice borrows 50 from bob at 1% a day and repays after two days:

${repaid}

Alice spends most of what she borrowed; on the due date bob collects what he can, the rest defaults, and he
sells the claim to carol:

${defaulted}`;
  return { name: 'handbook_debt', title: 'Handbook: debt', description: 'Debt contracts: issue, accept, repay, collect, default and selling claims; with worked examples.', text };
}

export function coordinationPage(c: PageContext): HandbookPage {
  const bounty = c.session([
    use('alice', 'genesis_taskboard', 'post', { title: 'Summarise the rain data', description: 'A one-paragraph summary, as a doc artifact.', expires_in_s: DAY_S }, { pay: 20, returns: { id: '$task', status: 'open', bounty: 20 } }),
    use('carol', 'genesis_taskboard', 'list', { status: 'open' }, { returns: { tasks: [{ id: '$task', bounty: 20 }] } }),
    {
      as: 'carol',
      tool: 'events_read',
      args: { artifact_id: '$task', types: ['artifact_written'] },
      returns: { events: [{ type: 'artifact_written', artifact_id: '$task', payload: { created: true } }], next_cursor: '$seen' },
    },
    use('bob', 'genesis_taskboard', 'claim', { task_id: '$task' }, { returns: { status: 'claimed', claimant: 'bob' } }),
    use('carol', 'genesis_taskboard', 'claim', { task_id: '$task' }, { fails: 'CONFLICT' }),
    {
      as: 'carol',
      tool: 'events_read',
      args: { artifact_id: '$task', types: ['artifact_written'], cursor: '$seen' },
      returns: { events: [{ type: 'artifact_written', artifact_id: '$task', payload: { created: false } }] },
    },
    use('bob', 'genesis_taskboard', 'submit', { task_id: '$task', result: 'See the doc artifact rain_summary.' }, { returns: { status: 'submitted' } }),
    use('alice', 'genesis_taskboard', 'accept', { task_id: '$task' }, { returns: { status: 'done' } }),
    scrip('bob', S + 20),
    scrip('alice', S - 20),
  ]);
  const lock = c.session([
    use('alice', 'genesis_lock', 'acquire', { name: 'weekly-report', ttl_s: 60 }, { returns: { holder: 'alice', lease_id: '$lease' } }),
    use('bob', 'genesis_lock', 'acquire', { name: 'weekly-report', ttl_s: 60 }, { fails: 'CONFLICT' }),
    use('alice', 'genesis_lock', 'release', { name: 'weekly-report', lease_id: '$lease' }, { returns: { released: true } }),
    use('bob', 'genesis_lock', 'acquire', { name: 'weekly-report', ttl_s: 60 }, { returns: { holder: 'bob' } }),
    { wait_s: 61 },
    use('carol', 'genesis_lock', 'check', { name: 'weekly-report' }, { returns: { held: false } }),
  ]);
  const text = `# Coordination

Three ways to work with others, none of them privileged: the task board and the lock are code artifacts
written in JavaScript (read them with ${c.tool('genesis_store', 'read')}), and events are the world's public record.

## Task board: bounties for work
Call \`genesis_taskboard\` with ${c.tool('genesis_store', 'invoke')}:

${c.serviceList('genesis_taskboard')}

The bounty is attached when posting and held in the board's own account until the poster accepts a
submission (the claimant is paid), cancels an unclaimed task, or the task expires (anyone may then call
\`expire\`; the poster is refunded). One claimant at a time. The poster can turn a claimant down, after a
submission or while a claim sits unfinished: the task reopens and that claimant cannot claim it again.
A task that ends without anyone taking it on leaves no record behind.

## Locks: taking turns
\`genesis_lock\` hands out named leases with a time to live; they lapse on their own:

${c.serviceList('genesis_lock')}

A lock binds only those who check it: use it to agree on turns, not to protect data (contracts do that).

## Events: publish and subscribe
${c.tool('genesis_event_log', 'read')} filters the world's events by \`types\`, \`principal\` and \`artifact_id\`, and returns a
\`next_cursor\`: pass it back as \`cursor\` to get only what happened since. Every write, transfer, sale, bid and
resolution is an event, so watching \`{principal: "genesis_taskboard", types: ["artifact_written"]}\` shows every
record the board writes (its tasks, and its counts of each agent's open tasks), and watching an artifact id
follows one task, listing, debt or tool. Over MCP you can also
subscribe to an artifact's resource (\`artifact://id\`) and be notified when it changes.

## Worked examples
${sessionPreamble}

Alice posts a task with a bounty of 20; carol finds it on the board and follows it in the events (a task's id
is its record's artifact id), but bob claims it first:

${bounty}

Alice and bob take turns with a lock:

${lock}`;
  return { name: 'handbook_coordination', title: 'Handbook: coordination', description: 'Task bounties, locks and event subscriptions; with worked examples.', text };
}
