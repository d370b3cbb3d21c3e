import { Ajv, type ValidateFunction } from 'ajv';
import { invalidArgs } from './errors.ts';

/**
 * JSON Schema support for agent-written interfaces. Validation runs in the host thread, so the
 * keywords whose cost is not linear in the input are refused at write time: regexes (`pattern`,
 * `patternProperties`, `format`) could backtrack for minutes, `uniqueItems` is quadratic on objects,
 * and `$ref` could recurse. Everything else Ajv checks in one pass over data already size-capped.
 */
const FORBIDDEN_KEYWORDS = ['pattern', 'patternProperties', 'format', 'uniqueItems', '$ref', '$dynamicRef', '$recursiveRef', '$defs', 'definitions'];
const MAX_SCHEMA_DEPTH = 8;
/**
 * Subschemas one schema may have. Validating costs about (subschemas x data size): with at most this
 * many, and arguments to code capped (limits.max_invoke_args_bytes), no call's validation holds the host long.
 */
export const MAX_SCHEMA_NODES = 64;

const ajv = new Ajv({ strict: true, allErrors: false, validateSchema: true, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();
const MAX_CACHED = 2_000;

/** Compiles a schema (cached by its text, which fully determines it) or throws INVALID_ARGS saying why. */
export function compileSchema(schema: unknown, where: string): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  const nodes = { n: 0 };
  checkShape(schema, where, 0, nodes);
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(schema as object);
  } catch (err) {
    throw invalidArgs(`${where} is not a valid JSON Schema: ${(err as Error).message}. Use draft-07 JSON Schema keywords.`, { where });
  } finally {
    // Ajv keeps every schema object it compiled; ours are cached above (bounded), so it need not.
    ajv.removeSchema(schema as object);
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(key, fn);
  return fn;
}

/** Checks `data` against a compiled schema; the message lists what is wrong and where. */
export function schemaErrors(fn: ValidateFunction, data: unknown): string | null {
  if (fn(data)) return null;
  return (fn.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

function checkShape(node: unknown, where: string, depth: number, nodes: { n: number }): void {
  if (depth > MAX_SCHEMA_DEPTH) throw invalidArgs(`${where} nests deeper than ${MAX_SCHEMA_DEPTH} levels. Flatten it.`, { where });
  if (Array.isArray(node)) {
    for (const item of node) checkShape(item, where, depth + 1, nodes);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (++nodes.n > MAX_SCHEMA_NODES) {
    throw invalidArgs(`${where} has more than ${MAX_SCHEMA_NODES} subschemas; validating it would cost too much. Simplify it, and check the rest in your code.`, { where, limit: MAX_SCHEMA_NODES });
  }
  for (const [k, v] of Object.entries(node)) {
    if (FORBIDDEN_KEYWORDS.includes(k)) {
      throw invalidArgs(`${where} uses '${k}', which interfaces do not support (its validation cost is unbounded). Check that constraint in your code instead.`, {
        where,
        keyword: k,
      });
    }
    if (DATA_KEYWORDS.has(k)) continue;
    if (NAMED_SUBSCHEMAS.has(k) && v !== null && typeof v === 'object') {
      // Keys here are user-chosen property names, not keywords.
      for (const sub of Object.values(v)) checkShape(sub, where, depth + 1, nodes);
      continue;
    }
    checkShape(v, where, depth + 1, nodes);
  }
}

const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'required', 'description', 'title', '$comment']);
const NAMED_SUBSCHEMAS = new Set(['properties', 'dependentSchemas', 'dependencies']);
