import fc from 'fast-check';

/**
 * fast-check arbitraries from a tool's JSON input schema (the draft-07 subset our registry emits:
 * objects, strings with length and pattern, integers and numbers with bounds, booleans, enums, arrays).
 *
 * Written here rather than taken from npm: json-schema-fast-check is archived and needs fast-check 1,
 * and zod-fast-check needs zod 3 and fast-check < 4; neither works with zod 4 or our fast-check 4. The
 * schemas are flat and small, so a generator for exactly what they use is short.
 */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
}

const MAX = Number.MAX_SAFE_INTEGER;

/** Nested `depth` levels deep: past the kernel's nesting limit (64) and the wire's (1,024). */
const deep = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { v };
  return v;
};

/** An object with `key` as its own enumerable property, even `__proto__` (as JSON.parse would make it). */
export function withOwn(o: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...o };
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Keys an attacker tries: prototype pollution, forged identity, and built-in names. */
const oddKeys = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'from', 'caller', 'principal_id', 'owner', ''),
  fc.string({ maxLength: 12 }),
);

/** Values of every JSON type and none, edges, odd text and oversize or over-deep structures. */
export function weirdValues(opts: { jsonOnly: boolean }): fc.Arbitrary<unknown> {
  const constants: unknown[] = [
    null, true, false, 0, -0, -1, 1.5, 1e308, -1e308, MAX + 2, -MAX - 2, 2 ** 63,
    '', ' ', '\u0000', '\uD800', '\uDFFF\uD800', 'e\u0301', '\u202Eevil', '𝟘𝟙', 'ｇｅｎｅｓｉｓ_ledger', 'GENESIS_LEDGER', '../etc/passwd',
    '__proto__', 'constructor', '{"a":1}', 'SELECT * FROM accounts; --', "' OR 1=1 --", '"*"', 'NEAR(a b)', '-1', '1e3', '0x10',
    [], {}, [[[]]], [null], { __proto__: null }, withOwn({}, '__proto__', { polluted: true }), withOwn({}, 'constructor', { prototype: { polluted: true } }),
    'x'.repeat(600 * 1024), 'é'.repeat(70_000), deep(80), deep(2_000), Array.from({ length: 5_000 }, (_, i) => i),
  ];
  if (!opts.jsonOnly) constants.push(NaN, Infinity, -Infinity, undefined, () => 1, Symbol('s'), 10n, new Date(0), new Map());
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...constants) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.integer({ min: -MAX, max: MAX }) },
    { weight: 1, arbitrary: fc.double({ noNaN: true }) },
  );
}

/**
 * Values the schema accepts, drawn toward edges and toward `pool`: ids that match the schema but name
 * something hostile (another principal's artifact, a genesis service, nothing at all).
 */
export function validOf(s: JsonSchema, pool: readonly string[], overrides: Record<string, fc.Arbitrary<unknown>> = {}): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'object': {
      if (!s.properties) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
      const model = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, overrides[k] ?? validOf(v, pool)]));
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in model) });
    }
    case 'array':
      return fc.array(validOf(s.items ?? {}, pool), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)) });
    case 'integer':
    case 'number': {
      const min = s.minimum ?? -MAX;
      const max = s.maximum ?? MAX;
      const any = s.type === 'integer' ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
      return fc.oneof(fc.constantFrom(min, max, Math.min(min + 1, max), Math.max(min, Math.min(0, max))), fc.integer({ min: Math.max(min, 0), max: Math.min(max, 10) }), any);
    }
    case 'boolean':
      return fc.boolean();
    case 'string': {
      const pattern = s.pattern === undefined ? null : new RegExp(s.pattern, 'u');
      const fits = (x: string) => x.length >= (s.minLength ?? 0) && x.length <= (s.maxLength ?? Infinity) && (pattern === null || pattern.test(x));
      const free = pattern ? fc.stringMatching(pattern) : fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 24, 24), unit: 'grapheme' });
      const ids = pool.filter(fits);
      return fc.oneof(...(ids.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...ids) }] : []), { weight: 1, arbitrary: free.filter(fits) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values that break `s` in a way its own keywords name: out of range, too long, off pattern, not in the enum. */
function breaking(s: JsonSchema): unknown[] {
  const out: unknown[] = [];
  if (s.type === 'integer' || s.type === 'number') {
    if (s.minimum !== undefined) out.push(s.minimum - 1);
    if (s.maximum !== undefined) out.push(s.maximum + 1);
    if (s.type === 'integer') out.push(0.5, (s.minimum ?? 0) + 0.25);
    out.push(String(s.minimum ?? 1));
  }
  if (s.type === 'string') {
    if (s.maxLength !== undefined) out.push('a'.repeat(s.maxLength + 1));
    if ((s.minLength ?? 0) > 0) out.push('');
    if (s.pattern !== undefined) out.push('', 'A', 'a b', '-lead', 'a'.repeat(65), 'é', 'a/b', 'a\u0000');
    if (s.enum) out.push('nope', String(s.enum[0]).toUpperCase());
  }
  if (s.type === 'array') out.push('not an array', [null], Array.from({ length: (s.maxItems ?? 1_000) + 1 }, () => ({})));
  return out;
}

/** Objects that violate `s`: a required key missing, a value of the wrong type or out of range, an extra key, or no object at all. */
export function invalidOf(s: JsonSchema, pool: readonly string[], opts: { jsonOnly: boolean; overrides?: Record<string, fc.Arbitrary<unknown>> }): fc.Arbitrary<unknown> {
  const weird = weirdValues(opts);
  const props = Object.entries(s.properties ?? {});
  type Mutation = (o: Record<string, unknown>) => unknown;
  const mutations: fc.Arbitrary<Mutation>[] = [
    fc.tuple(oddKeys, weird).map(([k, v]): Mutation => (o) => withOwn(o, k, v)),
  ];
  const required = (s.required ?? []).filter((k) => s.properties?.[k]);
  if (required.length > 0) {
    mutations.push(
      fc.constantFrom(...required).map((k): Mutation => (o) => {
        const { [k]: _dropped, ...rest } = o;
        return rest;
      }),
    );
  }
  for (const [k, sub] of props) {
    const bad = breaking(sub);
    const value = bad.length > 0 ? fc.oneof(fc.constantFrom(...bad), weird) : weird;
    mutations.push(value.map((v): Mutation => (o) => withOwn(o, k, v)));
  }
  if (!opts.jsonOnly) mutations.push(fc.constantFrom<unknown>(null, undefined, [], 'args', 42, [{}]).map((v): Mutation => () => v));
  return fc.tuple(validOf(s, pool, opts.overrides) as fc.Arbitrary<Record<string, unknown>>, fc.oneof(...mutations)).map(([o, m]) => m(o));
}
