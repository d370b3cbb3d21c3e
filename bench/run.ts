/**
 * `npm run bench [-- --seconds 2 --rounds 5 --concurrency 16]`: the kernel benchmarks, then the MCP
 * benchmarks. Each reports ratios against a baseline measured in the same run, never absolute targets.
 */
import { kernelBench } from './kernel.ts';
import { mcpBench } from './mcp.ts';

await kernelBench();
await mcpBench();
