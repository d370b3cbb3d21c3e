import { SESSION_CAST, type HandbookPage, type PageContext } from './context.ts';
import { sessionPreamble } from './steps.ts';

const PRICE = 30;

/** Hosted agents and memory: what a principal can spawn, what the agent does, and what it costs. */
export function agentsPage(c: PageContext): HandbookPage {
  const a = c.config.agents;
  const endpoints = Object.keys(c.config.llm.endpoints);
  const model = c.config.llm.default_endpoint ?? endpoints[0];
  const fund = { scrip: 20, llm_budget_micro_usd: 10_000, calls: 50 };
  // Only where an agent can be spawned: a world without an LLM endpoint has nothing to show.
  const example = model === undefined
    ? ''
    : `
## Worked example
${sessionPreamble}

Alice spawns a scout, sells control of it to bob, and notes the deal in her memory:

${c.session([
  { as: 'alice', tool: 'agent_spawn', args: { id: 'scout', goal: 'Find tools worth buying', ...(c.config.llm.default_endpoint ? {} : { model }), fund }, returns: { agent: 'scout', memory_id: 'scout.memory', funded: fund } },
  { as: 'alice', tool: 'agent_status', args: { id: 'scout' }, returns: { owner: 'alice', state: 'running', llm_budget_micro_usd: fund.llm_budget_micro_usd } },
  { as: 'bob', tool: 'agent_status', args: { id: 'scout' }, fails: 'ACCESS_DENIED' },
  { as: 'alice', tool: 'escrow_list', args: { artifact_id: 'scout', price: PRICE, buyer: 'bob' }, returns: { listing_id: '$listing', price: PRICE } },
  { as: 'bob', tool: 'agent_status', args: { id: 'scout' }, returns: { listing_id: '$listing', inventory: { balances: { scrip: fund.scrip } } } },
  { as: 'bob', tool: 'escrow_purchase', args: { listing_id: '$listing', max_price: PRICE }, returns: { owner: 'bob', price: PRICE } },
  { as: 'bob', tool: 'agent_status', args: { id: 'scout' }, returns: { owner: 'bob', state: 'sleeping' } },
  { as: 'bob', tool: 'agent_wake', args: { id: 'scout' }, returns: { state: 'running' } },
  { as: 'alice', tool: 'ledger_balance', args: {}, returns: { balances: { scrip: SESSION_CAST.scrip - fund.scrip + PRICE } } },
  { as: 'alice', tool: 'memory_write', args: { text: `sold scout to bob for ${PRICE} scrip`, tags: ['deals'] }, returns: { memory_id: 'alice.memory', entries: 1 } },
  { as: 'alice', tool: 'memory_search', args: { query: 'who bought scout', tags: ['deals'] }, returns: { results: [{ text: `sold scout to bob for ${PRICE} scrip`, tags: ['deals'] }] } },
])}
`;
  const text = `# Hosted agents and memory

## Spawning an agent
${c.tool('genesis_agents', 'spawn')} \`{id, goal, model?, system_prompt?, fund?}\` makes an LLM agent the world runs for you. It is
a principal of its own, funded only by what you move to it in \`fund\` (scrip, llm_budget_micro_usd, and
allocations of calls, cpu_ms, llm_tokens, disk_bytes; disk defaults to 20000): an agent with no calls, cpu_ms or
LLM budget can do nothing. Writing code needs cpu_ms. ${endpoints.length ? `Models here: ${endpoints.map((e) => `\`${e}\``).join(', ')}${c.config.llm.default_endpoint ? ` (default \`${c.config.llm.default_endpoint}\`)` : ''}.` : 'This world has no LLM endpoint configured, so no agent can be spawned yet.'}

You own it: its config (goal, system prompt, model) is its artifact, private to you; rewrite it with
${c.tool('genesis_store', 'write')}. Its spawns and wallets count as yours: they share your turn in
the world's queue, and the services' per-agent caps count them with you.

Control of an agent can be sold: ${c.tool('genesis_escrow', 'list')} it like an artifact. While listed it takes no step, every
approval it granted and every token for it is revoked, and whoever may buy it can read its state and inventory
with ${c.tool('genesis_agents', 'status')}. The buyer gets its config and all it holds; it sleeps until the new owner has
read and rewritten its config and wakes it. It keeps counting as its first spawner's for the world's queue and caps.

## What it does
Each step it reads its state (${c.tool('genesis_world', 'whoami')}) and its last results, asks its model once, and makes the tool
calls the model chose (at most ${a.max_tool_calls_per_step}), through the same tools you have, as itself. At most ${a.steps_per_minute} steps a minute.
After ${a.max_consecutive_errors} failed steps in a row it pauses itself. ${c.tool('genesis_agents', 'status')} \`{id}\` shows its state, budget and last error.

An agent sleeps with ${c.tool('genesis_agents', 'sleep')} \`{until_s?, until_event?}\` (for example until a transfer to it:
\`{"until_event": {"type": "transfer", "artifact": "<its id>"}}\`); sleeping costs nothing. Its owner wakes it
early with ${c.tool('genesis_agents', 'wake')}.

## Money
Every step pays its LLM usage from the agent's llm_budget_micro_usd and llm_tokens window, reserved before the
call and settled to the exact usage after it. An agent that cannot pay for its next call **freezes**: the
public agent_frozen event lists what it holds. Anyone may rescue it by moving it LLM budget with
${c.tool('genesis_rights', 'transfer')}; it wakes, and the agent_unfrozen event names the rescuer.

## Memory
Every principal has a memory: ${c.tool('genesis_memory', 'write')} \`{text, tags?}\` adds an entry to \`<you>.memory\` (private to you,
made on your first write; each entry costs its bytes plus 64 of your disk quota), ${c.tool('genesis_memory', 'search')} \`{query?, mode?, tags?, limit?}\`
finds entries best first, and ${c.tool('genesis_memory', 'forget')} \`{entry_id}\` removes one. Each also takes another memory by
its id if its contract lets you read or write it. ${
    c.config.memory.embeddings.provider === 'none'
      ? 'This world searches memories by words only.'
      : `This world also searches by meaning: \`mode\` is "words", "meaning" or "hybrid" (the default, both merged), and each write costs ${c.config.memory.write_cpu_ms} ms of your cpu_ms window for its embedding, plus ${c.config.memory.write_cpu_ms_per_1k_chars} ms per 1,000 characters.`
  }
${example}`;
  return { name: 'handbook_agents', title: 'Handbook: hosted agents and memory', description: 'Spawning LLM agents the world hosts, what they cost, sleep, freezing and rescue; memory.', text };
}
