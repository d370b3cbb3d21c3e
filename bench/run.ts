/**
 * `npm run bench [-- --seconds 2 --rounds 5 --concurrency 16 --stall-seconds 20]`: the kernel
 * benchmarks, the MCP benchmarks, then the stall bench (a bystander's latency under CPU attackers).
 * Each reports against a baseline measured in the same run, never absolute targets.
 * `--only startup|kernel|mcp|stall|agents|memory|bridges|packages` runs one of them. `startup` times whole CLI processes against `node -e ''`.
 */
import { kernelBench } from './kernel.ts';
import { mcpBench } from './mcp.ts';
import { stallBench } from './stall.ts';
import { startupBench } from './startup.ts';
import { agentsBench } from './agents.ts';
import { memoryBench } from './memory.ts';
import { packagesBench } from './packages.ts';
import { bridgesBench } from './bridges.ts';
import { text } from './args.ts';

const benches = { startup: startupBench, kernel: kernelBench, mcp: mcpBench, stall: stallBench, agents: agentsBench, memory: memoryBench, bridges: bridgesBench, packages: packagesBench };
const only = text('only', '') || undefined;
if (only !== undefined && !(only in benches)) throw new Error(`--only takes one of: ${Object.keys(benches).join(', ')}`);
for (const [name, bench] of Object.entries(benches)) if (only === undefined || only === name) await bench();
