import * as z from 'zod';
import { renderSession, type SessionStep } from './session.ts';
import type { Config } from '../../kernel/config.ts';
import type { GenesisMethod, GenesisRegistry } from '../../kernel/genesis.ts';

export interface HandbookPage {
  name: string;
  title: string;
  description: string;
  text: string;
}

/** Who takes part in the worked examples: each session starts in a fresh world where they hold this much. */
export const SESSION_CAST = { principals: ['alice', 'bob', 'carol'], scrip: 100 } as const;

/**
 * What a page is written with. Every tool and service method it names is looked up here, so a page
 * that mentions something that no longer exists fails when the handbook is built, not when an agent
 * reads it.
 */
export interface PageContext {
  config: Config;
  /** A genesis method's MCP tool name, in backticks. */
  tool(artifact: string, method: string): string;
  /** Every public tool of a genesis artifact, with its arguments and description. */
  toolList(artifact: string): string;
  /** Every method of a genesis code service, with its arguments and description. */
  serviceList(id: string): string;
  /** A worked example, checked against the registry and rendered. */
  session(steps: readonly SessionStep[]): string;
}

export function pageContext(registry: GenesisRegistry, config: Config): PageContext {
  const toolNames = new Map(registry.publicMethods().map((m) => [m.tool, m]));
  const method = (artifact: string, name: string): GenesisMethod => {
    const def = registry.method(artifact, name);
    if (!def || def.operatorOnly) throw new Error(`handbook refers to ${artifact}.${name}, which is not a public genesis method`);
    return def;
  };
  const service = (id: string) => {
    const def = registry.code.find((c) => c.id === id);
    if (!def?.interface) throw new Error(`handbook refers to the genesis service ${id}, which does not exist`);
    return { ...def, interface: def.interface };
  };
  return {
    config,
    tool: (artifact, name) => `\`${method(artifact, name).tool}\``,
    toolList: (artifact) =>
      registry
        .artifact(artifact)!
        .methods.filter((x) => !x.operatorOnly)
        .map((x) => `- \`${x.tool}\` (${argList(z.toJSONSchema(x.input, { target: 'draft-7', io: 'input' }))}): ${x.description}`)
        .join('\n'),
    serviceList: (id) =>
      service(id)
        .interface.map((x) => `- \`${x.name}\` (${argList(x.inputSchema)}): ${x.description}`)
        .join('\n'),
    session: (steps) => {
      for (const s of steps) {
        if (!('tool' in s)) continue;
        if (!toolNames.has(s.tool)) throw new Error(`handbook session calls ${s.tool}, which is not a public tool`);
        if (s.tool === 'artifact_invoke' && typeof s.args.id === 'string' && s.args.id.startsWith('genesis_')) {
          const svc = service(s.args.id);
          if (!svc.interface.some((m) => m.name === s.args.method)) throw new Error(`handbook session calls ${s.args.id}.${String(s.args.method)}, which does not exist`);
        }
      }
      return renderSession(steps);
    },
  };
}

/** `name` for each argument of a JSON Schema object, `name?` when optional. */
function argList(schema: { properties?: Record<string, unknown>; required?: string[] } | Record<string, unknown>): string {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] };
  const props = Object.keys(s.properties ?? {});
  if (props.length === 0) return 'no arguments';
  const req = new Set(s.required ?? []);
  return props.map((k) => `${k}${req.has(k) ? '' : '?'}`).join(', ');
}
