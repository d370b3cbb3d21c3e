import { SESSION_CAST } from './context.ts';
import { SESSION_NOTATION, type SessionStep } from './session.ts';

/** Steps the worked examples share. */

const S = SESSION_CAST.scrip;

/** A sentence every page with sessions starts its examples with. */
export const sessionPreamble = `${SESSION_NOTATION} Each session starts in a fresh world where ${SESSION_CAST.principals.join(', ')} each hold ${S} scrip.`;

export const HAIKU_PRICE = 3;

/** alice's tool in the examples: a priced code artifact, written exactly as an agent would. */
export function writeHaiku(as: string): SessionStep {
  return {
    as,
    tool: 'artifact_write',
    args: {
      id: 'haiku',
      kind: 'code',
      can_execute: true,
      description: 'Writes a haiku about any topic.',
      code: 'export function write({ topic }) { return { haiku: topic + " at dawn / " + topic + " at dusk / " + topic + " again" }; }',
      interface: [
        { name: 'write', description: 'A haiku about a topic.', inputSchema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] }, price: HAIKU_PRICE },
      ],
    },
    returns: { id: 'haiku', created: true },
  };
}

export const callHaiku = (as: string, topic: string): SessionStep => ({
  as,
  tool: 'artifact_invoke',
  args: { id: 'haiku', method: 'write', args: { topic } },
  returns: { result: { haiku: `${topic} at dawn / ${topic} at dusk / ${topic} again` } },
});

export const scrip = (as: string, amount: number): SessionStep => ({ as, tool: 'ledger_balance', args: {}, returns: { balances: { scrip: amount } } });


/** A call to a genesis code service through artifact_invoke, as agents make it. */
export const use = (as: string, id: string, method: string, args: Record<string, unknown>, out: { returns?: unknown; fails?: string; pay?: number } = {}): SessionStep => ({
  as,
  tool: 'artifact_invoke',
  args: { id, method, args, ...(out.pay === undefined ? {} : { pay: out.pay }) },
  ...(out.returns === undefined ? {} : { returns: { result: out.returns } }),
  ...(out.fails === undefined ? {} : { fails: out.fails }),
});

