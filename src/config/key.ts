import { createRequire } from 'node:module';
import { setCronLocale } from '../kernel/cron-locale.js';
import { parseDuration } from '../kernel/duration.js';
import { parseCidr } from '../net/ip.js';

/** What a parser returns for input it refuses: each detail becomes its own problem line. */
export class Rejected {
  readonly details: readonly string[];
  constructor(...details: string[]) {
    this.details = details;
  }
}

/** A refusal whose whole problem line (after the key name) is given, e.g. never showing the value. */
export class RejectedLine extends Rejected {
  constructor(readonly line: string) {
    super();
  }
}

type Parse<T> = (raw: string) => T | Rejected | undefined;

/**
 * cron-parser (and luxon under it) is loaded when a cron value is first read, not at start.
 * Bundled (scripts/build.ts), esbuild makes this require() the minified copy node-schedule uses
 * too; from source an ES module has no `require` (see src/kernel/web-globals.ts).
 */
let cronParser: typeof import('cron-parser') | undefined;
const loadCronParser = () => {
  setCronLocale();
  cronParser ??= (
    typeof require === 'function' ? require('cron-parser') : createRequire(import.meta.url)('cron-parser')
  ) as typeof import('cron-parser');
  return cronParser;
};

/**
 * One configuration key: the row of the table (src/config/keys/). `D` says whether it has a
 * default, so a reader given a key with a default returns a value, never `undefined`.
 */
export interface Key<T = unknown, D extends boolean = boolean> {
  readonly name: string;
  readonly section: string;
  readonly kind: string;
  /** The comment lines above the key in `.env.example` (a function when they list derived ids). */
  describe(): readonly string[];
  /** The default as written in `.env.example`; empty when computed at run time or absent. */
  readonly defaultText: string;
  readonly hasDefault: D;
  /** Rejected values are shown as `<hidden>`, never echoed. */
  readonly secret: boolean;
  /** Kinds (lower case) whose `NAME_KIND` keys override this one, e.g. LOG_MAX_RETRY_SSHD. */
  readonly perKind: (() => readonly string[]) | undefined;
  /** Only the per-kind keys exist (`.env.example` shows a commented example instead). */
  readonly perKindOnly: boolean;
  /** A commented `# NAME...=value` line shown after the key, e.g. one per-kind override. */
  readonly example: string | undefined;
  /** The property of its section's config it fills as read (`EnvReader.fields`); undefined when derived. */
  readonly field: string | undefined;
  /** What a valid value looks like, for the problem line; a function when values are derived. */
  expected(): string;
  parse(raw: string): T | Rejected | undefined;
  fallback(): D extends true ? T : undefined;
}

/** A key before its section and name are assigned by `section()` in the table. */
export type Draft<T, D extends boolean> = Omit<Key<T, D>, 'name' | 'section'>;

interface Common {
  /** One string; `\n` starts a new comment line. A function when it lists derived ids. */
  readonly description: string | (() => string);
  readonly perKind?: () => readonly string[];
  readonly perKindOnly?: boolean;
  readonly example?: string;
  readonly field?: string;
}

interface WithDefault<V> extends Common {
  /** As written in `.env.example`; parsed by the key's own parser (a test checks it parses). */
  readonly default?: V;
}

type HasDefault<O> = O extends { default: string | (() => string) } ? true : false;

/** A `field` given in the options, kept as its literal so the section's config type can be checked. */
export type FieldOf<O> = O extends { readonly field: infer F extends string }
  ? { readonly field: F }
  : unknown;

function draft<T, O extends WithDefault<string | (() => string)>>(
  kind: string,
  o: O,
  expected: () => string,
  parse: Parse<T>,
  secret = false,
): Draft<T, HasDefault<O>> & FieldOf<O> {
  const def = o.default;
  const fallback = () => {
    if (def === undefined) return undefined;
    const value = parse(typeof def === 'function' ? def() : def);
    if (value === undefined || value instanceof Rejected) {
      throw new Error(`the default of a ${kind} key does not parse: ${String(def)}`);
    }
    return value;
  };
  const key: Draft<T, boolean> = {
    kind,
    describe: () => (typeof o.description === 'function' ? o.description() : o.description).split('\n'),
    defaultText: typeof def === 'string' ? def : '',
    hasDefault: def !== undefined,
    secret,
    perKind: o.perKind,
    perKindOnly: o.perKindOnly ?? false,
    example: o.example,
    field: o.field,
    expected,
    parse,
    fallback,
  };
  // The conditional types cannot be checked through the runtime `def !== undefined` and `o.field`.
  return key as Draft<T, HasDefault<O>> & FieldOf<O>;
}

export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Parses every item of a comma-separated list; one refused item refuses the list. */
export function listOf<T>(parse: Parse<T>): (raw: string) => T[] | Rejected | undefined {
  return (raw) => {
    const out: T[] = [];
    const details: string[] = [];
    let bad = false;
    for (const item of splitList(raw)) {
      const value = parse(item);
      if (value instanceof Rejected) {
        bad = true;
        details.push(...value.details);
      } else if (value === undefined) bad = true;
      else out.push(value);
    }
    if (!bad) return out;
    return details.length > 0 ? new Rejected(...details) : undefined;
  };
}

const SNOWFLAKE = /^\d{17,20}$/;

export const kinds = {
  string<const O extends WithDefault<string> & { pattern?: RegExp; expected?: string }>(o: O) {
    const { pattern } = o;
    return draft<string, O>(
      'string',
      o,
      () => o.expected ?? 'a non-empty value',
      (raw) => (pattern && !pattern.test(raw) ? undefined : raw),
    );
  },

  secret<const O extends Common & { minLength: number; expected: string }>(o: O) {
    return draft<string, O>(
      'secret',
      o,
      () => o.expected,
      (raw) => (raw.length >= o.minLength && !/\s/.test(raw) ? raw : undefined),
      true,
    );
  },

  url<const O extends WithDefault<string> & { protocols?: readonly string[] }>(o: O) {
    const protocols = o.protocols ?? ['http:', 'https:'];
    return draft<string, O>(
      'url',
      o,
      () =>
        `an absolute ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL such as ${protocols[0]}//host:port`,
      (raw) => urlValue(raw, protocols),
    );
  },

  id<const O extends Common>(o: O) {
    return draft<string, O>(
      'id',
      o,
      () => 'a Discord id (17-20 digits; enable Developer Mode and use "Copy ID")',
      (raw) => (SNOWFLAKE.test(raw) ? raw : undefined),
    );
  },

  idList<const O extends Common>(o: O) {
    const parse = listOf((s) => (SNOWFLAKE.test(s) ? s : undefined));
    return draft<string[], O & { default: '' }>(
      'id list',
      { ...o, default: '' },
      () => 'a comma-separated list of Discord ids (17-20 digits each)',
      (raw) => (raw === '' ? [] : parse(raw)),
    );
  },

  int<const O extends WithDefault<string> & { min: number; max: number }>(o: O) {
    return draft<number, O>(
      'int',
      o,
      () => `a whole number from ${o.min} to ${o.max}`,
      (raw) => {
        if (!/^-?\d+$/.test(raw)) return undefined;
        const n = Number(raw);
        return n >= o.min && n <= o.max ? n : undefined;
      },
    );
  },

  /** Bounds are durations too (`100ms`, `10m`), so the problem line shows them as written. */
  duration<const O extends WithDefault<string> & { min: string; max?: string }>(o: O) {
    const min = mustDuration(o.min);
    const max = o.max === undefined ? Number.POSITIVE_INFINITY : mustDuration(o.max);
    const range = o.max === undefined ? `of at least ${o.min}` : `from ${o.min} to ${o.max}`;
    return draft<number, O>(
      'duration',
      o,
      () => `a duration ${range}, such as 30s, 15m, 2h or 7d`,
      (raw) => {
        const ms = parseDuration(raw);
        return ms !== undefined && ms >= min && ms <= max ? ms : undefined;
      },
    );
  },

  bool<const O extends WithDefault<string>>(o: O) {
    return draft<boolean, O>(
      'bool',
      o,
      () => 'true or false',
      (raw) => {
        const v = raw.toLowerCase();
        if (['1', 'true', 'yes', 'on'].includes(v)) return true;
        if (['0', 'false', 'no', 'off'].includes(v)) return false;
        return undefined;
      },
    );
  },

  /** `values` may be a function so the allowed values derive from a registry. */
  enum<const V extends string, const O extends WithDefault<string>>(
    values: readonly V[] | (() => readonly V[]),
    o: O,
  ) {
    const all = () => (typeof values === 'function' ? values() : values);
    return draft<V, O>(
      'enum',
      o,
      () => `one of ${all().join(', ')}`,
      (raw) => all().find((v) => v === raw.toLowerCase()),
    );
  },

  enumList<const V extends string, const O extends WithDefault<string>>(values: () => readonly V[], o: O) {
    const parse = listOf((s) => values().find((v) => v === s));
    return draft<V[], O>('enum list', o, () => `a comma-separated list of ${values().join(', ')}`, parse);
  },

  /** IP addresses or CIDRs, normalised (`10.1.2.3/8` becomes `10.0.0.0/8`). */
  cidrList<const O extends WithDefault<string> & { expected: string }>(o: O) {
    const parse = listOf((s) => parseCidr(s)?.text);
    return draft<string[], O>(
      'cidr list',
      o,
      () => o.expected,
      (raw) => (raw === '' ? [] : parse(raw)),
    );
  },

  /**
   * Read with cron-parser, the parser node-schedule runs cron strings through (node-schedule
   * lib/Job.js), so a value accepted here is one the job scheduler's node-schedule timer fires.
   */
  cron<const O extends WithDefault<string>>(o: O) {
    return draft<string, O>(
      'cron',
      o,
      () => 'a cron expression with 5 or 6 fields, such as "*/15 * * * *"',
      (raw) => {
        // The default is proven by the key-table test (every default parses); not parsing it
        // here keeps cron-parser and luxon out of commands that never schedule (`replay`).
        if (raw === o.default) return raw;
        const fields = raw.split(/\s+/);
        if (fields.length < 5 || fields.length > 6) return undefined;
        try {
          loadCronParser().parseExpression(raw);
          return raw;
        } catch {
          return undefined;
        }
      },
    );
  },

  /** Bytes: `0`, `512k`, `64m`, `2g` (binary units). */
  size<const O extends WithDefault<string> & { min: number }>(o: O) {
    return draft<number, O>(
      'size',
      o,
      () =>
        o.min > 0 ? 'a size of at least 1 byte such as 512k, 64m or 2g' : 'a size such as 0, 512k, 64m or 2g',
      (raw) => {
        const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(raw);
        if (!m) return undefined;
        const unit = BYTE_UNITS[(m[2] ?? '').toLowerCase()];
        if (unit === undefined) return undefined;
        const n = Number(m[1]) * unit;
        return Number.isSafeInteger(n) && n >= o.min ? n : undefined;
      },
    );
  },

  timezone<const O extends WithDefault<string>>(o: O) {
    return draft<string, O>(
      'timezone',
      o,
      () => 'an IANA time zone such as Europe/Berlin or UTC',
      (raw) => {
        // What Intl answers for UTC, without paying for Intl's first use (ICU's data) at start.
        if (raw === 'UTC') return raw;
        try {
          return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
        } catch {
          return undefined;
        }
      },
    );
  },

  /** A kind of its own: the parser and what it expects are the table row's. */
  custom<T, const O extends WithDefault<string> & { kind: string; expected: () => string }>(
    parse: Parse<T>,
    o: O,
  ) {
    return draft<T, O>(o.kind, o, o.expected, parse);
  },
};

/**
 * An absolute URL without user info, query or fragment. A token or password in a URL ends up
 * in logs, finding evidence and error messages, so it is refused, and the value is never
 * echoed (it may be the secret itself).
 */
function urlValue(raw: string, protocols: readonly string[]): string | RejectedLine {
  const expected = `an absolute ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL such as ${protocols[0]}//host:port`;
  const invalid = new RejectedLine(`is invalid (value not shown): expected ${expected}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid;
  }
  if (url.username || url.password || url.search || url.hash) {
    const what = url.username || url.password ? 'a user name or password' : 'a query or fragment';
    const hint = /token|key|pass|secret|auth/i.test(url.search) ? ' (it looks like a token)' : '';
    return new RejectedLine(
      `carries ${what}${hint} (value not shown): expected ${expected} with credentials in their own keys (e.g. PLEX_TOKEN)`,
    );
  }
  if (!protocols.includes(url.protocol)) return invalid;
  return raw.replace(/\/+$/, '');
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function mustDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`not a duration: ${text}`);
  return ms;
}
