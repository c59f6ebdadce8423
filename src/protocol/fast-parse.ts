import type { z } from 'zod';
import { isPlainObject } from '../db/json-object';
import { generatedFunction } from '../generated-code';

/**
 * `schema.safeParse` for the schemas run once per synced record, two to three times faster on the
 * records that pass (2.2-2.6 against 5.3-8.1 us a record in a loop). zod runs every field through its
 * generic machinery (a payload object, an issues list, each check looked up and dispatched): about
 * 7 us per pulled record during a sync, then the largest single cost on the thread that decodes
 * pulled pages (bench/sync-client.bench.ts).
 *
 * The fast path is built from the schema's own definition (its shape, types, checks and their
 * limits), so the schema stays the one source of the rules; it only ever says "this passes, and
 * here is zod's output for it". Anything else (a failure, or a construct it does not know, such as
 * a transform or coercion) goes to zod itself, which gives the verdict and the error message. So the
 * fast path must never accept what zod refuses, nor output anything else than zod would:
 * test/protocol/fast-parse.test.ts checks that on random records near the rules' edges.
 */
export function fastSafeParse<S extends z.ZodType>(schema: S): (input: unknown) => z.ZodSafeParseResult<z.output<S>> {
  const fast = fastPath(schema);
  return (input) => {
    const passed = fast(input);
    return passed ? { success: true, data: passed.data as z.output<S> } : schema.safeParse(input);
  };
}

/**
 * The fast path alone: zod's output for a value it vouches for, else null (zod must decide).
 * `compile: false` builds it without generated code, as where a content security policy forbids it.
 */
export function fastPath(schema: z.ZodType, options: { compile?: boolean } = {}): (input: unknown) => { data: unknown } | null {
  const step = stepFor(schema, options.compile ?? true);
  return (input) => {
    const data = step(input);
    return data === MISS ? null : { data };
  };
}

/** The fast path could not vouch for a value: zod decides. */
const MISS: unique symbol = Symbol('miss');
type Step = (value: unknown) => unknown;

/** zod's definition of a schema or check: internal, so read loosely and only for what is known here. */
type Def = Record<string, any>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** String formats whose check is exactly their pattern. */
const PATTERN_FORMATS = new Set(['regex', 'uuid', 'guid']);

function stepFor(schema: z.ZodType, compile: boolean): Step {
  const def = defOf(schema);
  const step = (() => {
    switch (def.type) {
      case 'object':
        return objectStep(def, compile);
      case 'array':
        return arrayStep(def, compile);
      case 'string':
        return stringStep(def);
      case 'number':
        return numberStep(def);
      case 'boolean':
        return def.checks?.length || def.coerce ? null : (v: unknown) => (typeof v === 'boolean' ? v : MISS);
      case 'enum':
        return enumStep(def);
      case 'optional':
        return innerStep(def, compile, (inner) => (v) => (v === undefined ? undefined : inner(v)));
      case 'nullable':
        return innerStep(def, compile, (inner) => (v) => (v === null ? null : inner(v)));
      case 'custom':
        return def.checks?.length || def.when ? null : (v: unknown) => (def.fn(v) === true ? v : MISS);
      default:
        return null;
    }
  })();
  return step ?? delegateTo(schema);
}

/** A part of the schema the fast path does not know: zod parses that value itself. */
function delegateTo(schema: z.ZodType): Step {
  return (value) => {
    const result = schema.safeParse(value);
    return result.success ? result.data : MISS;
  };
}

function innerStep(def: Def, compile: boolean, wrap: (inner: Step) => Step): Step | null {
  return def.checks?.length ? null : wrap(stepFor(def.innerType, compile));
}

function objectStep(def: Def, compile: boolean): Step | null {
  const catchall = def.catchall === undefined ? 'strip' : defOf(def.catchall).type;
  if (def.checks?.length || (catchall !== 'strip' && catchall !== 'never')) return null;
  const fields = Object.entries(def.shape as Record<string, z.ZodType>).map(([key, schema]) => ({
    key,
    optional: defOf(schema).type === 'optional',
    parse: stepFor(schema, compile),
  }));
  // zod itself gives a key named __proto__ its own meaning.
  if (fields.some((f) => f.key === '__proto__')) return null;
  const known = new Set(fields.map((f) => f.key));
  const strict = catchall === 'never';
  return (compile ? compiledObjectStep(fields, known, strict) : null) ?? loopObjectStep(fields, known, strict);
}

interface Field {
  key: string;
  optional: boolean;
  parse: Step;
}

/**
 * The object step as straight-line code (src/generated-code.ts): about half the time per record of
 * the loop below, which does the same where code cannot be generated.
 */
function compiledObjectStep(fields: readonly Field[], known: ReadonlySet<string>, strict: boolean): Step | null {
  const lines = fields.map(({ key, optional }, i) => {
    const name = JSON.stringify(key);
    return [
      `value = input[${name}];`,
      `if (value === undefined) { ${optional ? '' : 'return MISS;'} } else {`,
      `  parsed = step${i}(value);`,
      '  if (parsed === MISS) return MISS;',
      `  if (output === null && parsed !== value) output = copyFields(input, fields, ${i});`,
      `  if (output !== null) output[${name}] = parsed;`,
      '}',
    ].join('\n');
  });
  const body = [
    'return function objectStep(input) {',
    '  if (!isPlainObject(input)) return MISS;',
    '  const unknownKeys = scanKeys(input, known, strict);',
    '  if (unknownKeys === MISS) return MISS;',
    '  let output = unknownKeys ? {} : null;',
    '  let value, parsed;',
    ...lines,
    '  return output ?? input;',
    '};',
  ].join('\n');
  const steps = Object.fromEntries(fields.map((field, i) => [`step${i}`, field.parse]));
  return generatedFunction<Step>({ MISS, isPlainObject, scanKeys, known, strict, copyFields, fields, ...steps }, body);
}

function loopObjectStep(fields: readonly Field[], known: ReadonlySet<string>, strict: boolean): Step {
  return (input) => {
    if (!isPlainObject(input)) return MISS;
    const unknownKeys = scanKeys(input, known, strict);
    if (unknownKeys === MISS) return MISS;
    // zod outputs a new object; one equal to the input (nothing trimmed, nothing stripped) is the
    // input itself here, saving a copy of every record.
    let output: Record<string, unknown> | null = unknownKeys ? {} : null;
    for (let i = 0; i < fields.length; i++) {
      const { key, optional, parse } = fields[i]!;
      const value = input[key];
      if (value === undefined) {
        if (!optional) return MISS;
        continue;
      }
      const parsed = parse(value);
      if (parsed === MISS) return MISS;
      if (output === null && parsed !== value) output = copyFields(input, fields, i);
      if (output !== null) output[key] = parsed;
    }
    return output ?? input;
  };
}

/** Whether `input` has keys the shape does not know (zod strips them), or MISS when it may not have any. */
function scanKeys(input: Record<string, unknown>, known: ReadonlySet<string>, strict: boolean): boolean | typeof MISS {
  let unknownKeys = false;
  for (const key in input) {
    if (known.has(key)) continue;
    if (strict) return MISS;
    unknownKeys = true;
  }
  return unknownKeys;
}

/** The first `count` fields of `input` that it has, as a new object. */
function copyFields(input: Record<string, unknown>, fields: readonly { key: string }[], count: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const { key } = fields[i]!;
    if (input[key] !== undefined) copy[key] = input[key];
  }
  return copy;
}

/** Checks on a length (strings and arrays), in the order the schema lists them; null if one is unknown. */
function lengthChecks(def: Def, own: (check: Def) => ((v: string) => unknown) | null | undefined): ((v: never) => unknown)[] | null {
  const steps: ((v: never) => unknown)[] = [];
  for (const check of def.checks ?? []) {
    const c = defOf(check);
    const step = (() => {
      switch (c.check) {
        case 'min_length':
          return (v: { length: number }) => (v.length >= c.minimum ? v : MISS);
        case 'max_length':
          return (v: { length: number }) => (v.length <= c.maximum ? v : MISS);
        case 'length_equals':
          return (v: { length: number }) => (v.length === c.length ? v : MISS);
        default:
          return own(c);
      }
    })();
    if (!step) return null;
    // A check with a condition runs only when zod would run it.
    steps.push(c.when ? (v: never) => (c.when({ value: v, issues: [] }) ? step(v as never) : v) : (step as (v: never) => unknown));
  }
  return steps;
}

function runAll(steps: ((v: never) => unknown)[], value: unknown): unknown {
  let current = value;
  for (const step of steps) {
    current = step(current as never);
    if (current === MISS) return MISS;
  }
  return current;
}

function stringStep(def: Def): Step | null {
  if (def.coerce) return null;
  const formatted = def.format !== undefined;
  if (formatted && (!PATTERN_FORMATS.has(def.format) || !(def.pattern instanceof RegExp))) return null;
  const checks = lengthChecks(def, (c) => {
    if (c.check === 'overwrite') {
      return (v: string) => {
        const written: unknown = c.tx(v);
        return typeof written === 'string' ? written : MISS;
      };
    }
    if (c.check === 'string_format' && PATTERN_FORMATS.has(c.format) && c.pattern instanceof RegExp) return matches(c.pattern);
    return null;
  });
  if (!checks) return null;
  const format = formatted ? matches(def.pattern) : null;
  return (value) => {
    if (typeof value !== 'string') return MISS;
    if (format && format(value) === MISS) return MISS;
    return runAll(checks, value);
  };
}

function matches(pattern: RegExp): (v: string) => unknown {
  return (v) => {
    pattern.lastIndex = 0;
    return pattern.test(v) ? v : MISS;
  };
}

function numberStep(def: Def): Step | null {
  if (def.coerce) return null;
  const steps: ((v: number) => unknown)[] = [];
  // z.int() carries its format on the type itself; .int() adds it as a check.
  const formats = [def.format, ...(def.checks ?? []).map((check: unknown) => defOf(check)).filter((c: Def) => c.check === 'number_format').map((c: Def) => c.format)];
  for (const format of formats) {
    if (format === undefined || format === 'float64') continue;
    if (format !== 'safeint') return null;
    steps.push((v) => (Number.isSafeInteger(v) ? v : MISS));
  }
  for (const check of def.checks ?? []) {
    const c = defOf(check);
    if (c.when) return null;
    if (c.check === 'number_format') continue;
    if (c.check === 'greater_than' && typeof c.value === 'number') steps.push((v) => ((c.inclusive ? v >= c.value : v > c.value) ? v : MISS));
    else if (c.check === 'less_than' && typeof c.value === 'number') steps.push((v) => ((c.inclusive ? v <= c.value : v < c.value) ? v : MISS));
    else return null;
  }
  return (value) => (typeof value === 'number' && Number.isFinite(value) ? runAll(steps as never, value) : MISS);
}

function enumStep(def: Def): Step | null {
  if (def.checks?.length) return null;
  const values = new Set(Object.values(def.entries as Record<string, unknown>));
  return (value) => (values.has(value) ? value : MISS);
}

function arrayStep(def: Def, compile: boolean): Step | null {
  const checks = lengthChecks(def, () => null);
  if (!checks) return null;
  const element = stepFor(def.element, compile);
  return (value) => {
    if (!Array.isArray(value)) return MISS;
    // As for objects: the input itself when no element changed.
    let output: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const parsed = element(value[i]);
      if (parsed === MISS) return MISS;
      if (output === null && parsed !== value[i]) output = value.slice(0, i);
      if (output !== null) output[i] = parsed;
    }
    return runAll(checks, output ?? value);
  };
}
