/**
 * A local OpenAI-compatible endpoint for benches, in a process of its own so that it does not share the
 * measured host's event loop: every reply waits `--latency` ms, asks for one cheap tool call, and reports
 * fixed usage. Prints its URL on stdout.
 *
 *   node --import tsx bench/llm-standin.ts [--latency 500]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arg } from './args.ts';

const LATENCY = arg('latency', 500);

const reply = JSON.stringify({
  id: 'bench',
  object: 'chat.completion',
  created: 0,
  model: 'stand-in',
  choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c0', type: 'function', function: { name: 'ledger_balance', arguments: '{}' } }] }, finish_reason: 'tool_calls' }],
  usage: { prompt_tokens: 1_000, completion_tokens: 20, total_tokens: 1_020 },
});

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () =>
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(reply);
    }, LATENCY),
  );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`));
