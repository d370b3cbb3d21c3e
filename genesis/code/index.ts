import { readFileSync } from 'node:fs';
import type { InterfaceMethod } from '../../src/kernel/artifact.ts';
import type { GenesisCodeDef } from '../../src/kernel/genesis.ts';

const source = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');
const str = (description: string, max = 200) => ({ type: 'string', minLength: 1, maxLength: max, description });
const int = (description: string, minimum = 0, maximum = 9007199254740991) => ({ type: 'integer', minimum, maximum, description });
const obj = (properties: Record<string, object>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });
const method = (name: string, description: string, inputSchema: object): InterfaceMethod => ({ name, description, inputSchema: inputSchema as Record<string, unknown>, price: 0 });
const DEBT_ID = str('A debt id (genesis_debt.debt_...).', 34);
const TASK_ID = str('A task id (genesis_taskboard.task_...).', 39);
const LOCK = str('Lock name: a-z, 0-9, _ and -.', 46);
const CURSOR = int('next_cursor from the previous call.', 0, 1_000_000_000);

export const DEBT: GenesisCodeDef = {
  id: 'genesis_debt',
  description: 'Debt contracts between principals: issue, accept (the lender attaches the loan), repay, collect on the due date, sell the claim. Simple integer interest from acceptance.',
  code: source('./debt.js'),
  diskBytes: 50_000_000,
  // 40 open and 20 finished debts of about 1 KB per agent, and its tallies.
  diskPerPrincipal: 96_000,
  interface: [
    method('issue', 'As the debtor, propose a debt to a creditor: principal, interest in basis points per whole day since acceptance, and when it falls due. Before the creditor accepts, approve genesis_debt to draw what you will owe (ledger_approve).', obj(
      { creditor: str('Who lends.', 64), principal: int('Scrip borrowed.', 1), interest_bps_per_day: int('Simple interest per whole day, in basis points (100 = 1%).', 0, 10_000), due_in_s: int('Seconds from now until it is due.', 1, 10 * 365 * 86_400) },
      ['creditor', 'principal', 'interest_bps_per_day', 'due_in_s'],
    )),
    method('accept', 'As the creditor, accept a pending debt by attaching exactly its principal as pay; it is forwarded to the debtor at once and interest starts.', obj({ debt_id: DEBT_ID }, ['debt_id'])),
    method('cancel', 'As the debtor or the creditor, call off a debt that is still pending; its record is removed. An agent may have 20 debts waiting at once.', obj({ debt_id: DEBT_ID }, ['debt_id'])),
    method('repay', 'As the debtor, repay by attaching scrip as pay; it goes to the creditor, and anything beyond what you owe comes back.', obj({ debt_id: DEBT_ID }, ['debt_id'])),
    method('collect', "As the creditor, once it is due, draw what is owed from the debtor's account through their approval: in full, partially if they are short, or the debt defaults if nothing can be drawn.", obj({ debt_id: DEBT_ID }, ['debt_id'])),
    method('transfer_creditor', 'As the creditor, hand the claim on an active or defaulted debt to another principal.', obj({ debt_id: DEBT_ID, to: str('The new creditor.', 64) }, ['debt_id', 'to'])),
    method('obligations', 'How many debts a principal still owes or has offered to owe (pending, active or defaulted, as debtor). While any is open, the principal cannot be deleted.', obj({ principal: str('Whose debts.', 64) }, ['principal'])),
    method('check', 'One debt, with what is owed now.', obj({ debt_id: DEBT_ID }, ['debt_id'])),
    method('list', "Debts where a principal (you by default) is debtor or creditor, optionally by status (pending, active, repaid, defaulted), most recently changed first (debts called off leave no record). Each call reads up to 50 records; if complete is false, pass next_cursor as cursor for more.", obj({ principal: str('Whose debts.', 64), status: { type: 'string', enum: ['pending', 'active', 'repaid', 'defaulted'] }, cursor: CURSOR }, [])),
  ],
};

export const TASKBOARD: GenesisCodeDef = {
  id: 'genesis_taskboard',
  description: 'A bounty board: post a task with the bounty attached (held by the board), claim it, submit work, and the poster accepts (the bounty is paid) or rejects; unclaimed or unfinished tasks refund on expiry.',
  code: source('./taskboard.js'),
  diskBytes: 50_000_000,
  // 10 open and 10 finished tasks of at most about 24 KB per agent, and its tallies.
  diskPerPrincipal: 512_000,
  interface: [
    method('post', 'Post a task; attach the bounty as pay. The board holds it until you accept a submission, cancel, or the task expires.', obj(
      { title: str('What needs doing.'), description: str('Details and acceptance criteria.', 2_000), expires_in_s: int('Seconds until it expires and the bounty returns to you.', 1, 365 * 86_400) },
      ['title', 'expires_in_s'],
    )),
    method('claim', 'Claim an open task (one claimant at a time; not your own, nor through your wallets).', obj({ task_id: TASK_ID }, ['task_id'])),
    method('submit', 'As the claimant, submit your result (text, or an artifact id).', obj({ task_id: TASK_ID, result: str('The result, or where to find it.', 2_000) }, ['task_id', 'result'])),
    method('accept', 'As the poster, accept the submitted work: the bounty goes to the claimant.', obj({ task_id: TASK_ID }, ['task_id'])),
    method('reject', 'As the poster, turn down the claimant (after a submission, or while a claim sits unfinished): the task reopens for anyone else; that claimant cannot claim it again.', obj({ task_id: TASK_ID, reason: str('Why.', 500) }, ['task_id'])),
    method('cancel', 'As the poster, withdraw an unclaimed task, or settle one past its expiry; the bounty comes back.', obj({ task_id: TASK_ID }, ['task_id'])),
    method('expire', 'Settle a task past its expiry (anyone may): the bounty returns to the poster.', obj({ task_id: TASK_ID }, ['task_id'])),
    method('obligations', 'How many tasks a principal has posted that are not over (open, claimed or submitted): the board holds their bounties for it. While any is open, the principal cannot be deleted.', obj({ principal: str('Whose tasks.', 64) }, ['principal'])),
    method('check', 'One task.', obj({ task_id: TASK_ID }, ['task_id'])),
    method('list', 'Tasks, most recently changed first, optionally by status (open, claimed, submitted, done, cancelled, expired). Each call reads up to 50 records; if complete is false, pass next_cursor as cursor for more.', obj({ status: { type: 'string', enum: ['open', 'claimed', 'submitted', 'done', 'cancelled', 'expired'] }, cursor: CURSOR }, [])),
  ],
};

export const LOCK_SERVICE: GenesisCodeDef = {
  id: 'genesis_lock',
  description: 'Named leases with a time to live, for agents that need to take turns: acquire, renew, release, check.',
  code: source('./lock.js'),
  diskBytes: 10_000_000,
  // 100 lock names of about 700 bytes per agent, and its tally.
  diskPerPrincipal: 96_000,
  interface: [
    method('acquire', 'Take the lock for ttl_s seconds, unless someone else holds it (CONFLICT says until when). Returns your lease_id. Holders need an account; each agent may bring at most 100 new lock names into being.', obj({ name: LOCK, ttl_s: int('Seconds the lease lasts.', 1, 86_400) }, ['name', 'ttl_s'])),
    method('renew', 'Extend your lease.', obj({ name: LOCK, lease_id: str('Your lease.', 40), ttl_s: int('Seconds from now.', 1, 86_400) }, ['name', 'lease_id', 'ttl_s'])),
    method('release', 'Give the lock up.', obj({ name: LOCK, lease_id: str('Your lease.', 40) }, ['name', 'lease_id'])),
    method('check', 'Whether the lock is held, by whom and until when.', obj({ name: LOCK }, ['name'])),
  ],
};

export const RECORDS: GenesisCodeDef = {
  id: 'genesis_records',
  description: 'A library the genesis services import, and any code may: its own data records (trusting only those it created), fresh ids, per-agent tallies, makers, refusing unwanted pay.',
  code: source('./records.js'),
  diskBytes: 0,
  interface: null,
};

export const GENESIS_CODE: readonly GenesisCodeDef[] = [RECORDS, DEBT, TASKBOARD, LOCK_SERVICE];
