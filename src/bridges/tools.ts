import type { Tool } from '@modelcontextprotocol/client';

/** A tool name as MCP allows it (and the world can name a method by it). */
export const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** Characters of an upstream's description kept: it is untrusted data, shown as data, never our own descriptions. */
export const MAX_TEXT = 1_000;
/** An input schema larger than this is not used to check arguments (the upstream checks them itself). */
export const MAX_SCHEMA_BYTES = 16_384;
export const PERMISSIVE = { type: 'object' } as const;
/** JSON characters of a whole tool list registered, well inside a command's arguments (limits.max_args_bytes). */
const MAX_LIST_BYTES = 256 * 1024;

/**
 * What the world keeps of an upstream's tool list: tools with names MCP allows (the first of each name), their
 * descriptions cut to MAX_TEXT, schemas over MAX_SCHEMA_BYTES made permissive, and the whole list kept small
 * enough to register (past MAX_LIST_BYTES, schemas and then descriptions are dropped). So a lying tool list
 * (bad names, huge schemas) costs the upstream those tools, never the bridge its registration.
 */
export function fitTools(tools: readonly Tool[]): Tool[] {
  const seen = new Set<string>();
  const kept: Tool[] = [];
  let left = MAX_LIST_BYTES;
  for (const t of tools) {
    if (typeof t.name !== 'string' || !TOOL_NAME.test(t.name) || seen.has(t.name)) continue;
    seen.add(t.name);
    const description = typeof t.description === 'string' ? t.description.slice(0, MAX_TEXT) : undefined;
    const small = JSON.stringify(t.inputSchema ?? PERMISSIVE).length <= MAX_SCHEMA_BYTES;
    const tries: Tool[] = [
      { name: t.name, ...(description ? { description } : {}), inputSchema: small ? t.inputSchema : PERMISSIVE },
      { name: t.name, ...(description ? { description } : {}), inputSchema: PERMISSIVE },
      { name: t.name, inputSchema: PERMISSIVE },
    ];
    const fit = tries.find((x) => JSON.stringify(x).length <= left);
    if (!fit) break;
    left -= JSON.stringify(fit).length;
    kept.push(fit);
  }
  return kept;
}
