import cronParser from 'cron-parser';
import { parseDuration } from '../kernel/duration.js';
import { SafeError } from '../kernel/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by loadConfig with every problem found, so a user fixes them all in one go. */
export class ConfigError extends SafeError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

const SNOWFLAKE = /^\d{17,20}$/;

interface Options<T> {
  required?: boolean;
  default?: T;
}

/**
 * Reads typed values from the environment and collects problems instead of throwing, so the
 * caller can report all of them at once. Every message names the key and what it expects.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  raw(key: string): string | undefined {
    const value = this.env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  problem(key: string, expected: string, got?: string): void {
    this.problems.push(
      got === undefined
        ? `${key} is missing: expected ${expected}`
        : `${key}=${quote(got)} is invalid: expected ${expected}`,
    );
  }

  /** Reads one key with a custom parser that returns undefined for invalid input. */
  parse<T>(
    key: string,
    expected: string,
    opts: Options<T>,
    parse: (raw: string) => T | undefined,
  ): T | undefined {
    return this.read(key, expected, opts, parse);
  }

  private read<T>(
    key: string,
    expected: string,
    opts: Options<T>,
    parse: (raw: string) => T | undefined,
    secret = false,
  ): T | undefined {
    const raw = this.raw(key);
    if (raw === undefined) {
      if (opts.required && opts.default === undefined) this.problem(key, expected);
      return opts.default;
    }
    const value = parse(raw);
    if (value === undefined) {
      this.problem(key, expected, secret ? '<hidden>' : raw);
      return opts.default;
    }
    return value;
  }

  string(
    key: string,
    opts: Options<string> & { pattern?: RegExp; expected?: string } = {},
  ): string | undefined {
    const expected = opts.expected ?? 'a non-empty value';
    return this.read(key, expected, opts, (raw) =>
      opts.pattern && !opts.pattern.test(raw) ? undefined : raw,
    );
  }

  secret(
    key: string,
    opts: Options<string> & { minLength?: number; expected?: string } = {},
  ): string | undefined {
    const min = opts.minLength ?? 1;
    const expected = opts.expected ?? `a secret of at least ${min} characters`;
    return this.read(
      key,
      expected,
      opts,
      (raw) => (raw.length >= min && !/\s/.test(raw) ? raw : undefined),
      true,
    );
  }

  /**
   * An absolute URL without user info, query or fragment. A token or password in a URL ends up
   * in logs, finding evidence and error messages, so it is refused; the problem names the key
   * and never echoes the value (it may be the secret itself).
   */
  url(key: string, opts: Options<string> & { protocols?: readonly string[] } = {}): string | undefined {
    const protocols = opts.protocols ?? ['http:', 'https:'];
    const expected = `an absolute ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL such as ${protocols[0]}//host:port`;
    const raw = this.raw(key);
    if (raw === undefined) {
      if (opts.required && opts.default === undefined) this.problem(key, expected);
      return opts.default;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.problems.push(`${key} is invalid (value not shown): expected ${expected}`);
      return opts.default;
    }
    if (url.username || url.password || url.search || url.hash) {
      const what = url.username || url.password ? 'a user name or password' : 'a query or fragment';
      const hint = /token|key|pass|secret|auth/i.test(url.search) ? ' (it looks like a token)' : '';
      this.problems.push(
        `${key} carries ${what}${hint} (value not shown): expected ${expected} with credentials in their own keys (e.g. PLEX_TOKEN)`,
      );
      return opts.default;
    }
    if (!protocols.includes(url.protocol)) {
      this.problems.push(`${key} is invalid (value not shown): expected ${expected}`);
      return opts.default;
    }
    return raw.replace(/\/+$/, '');
  }

  snowflake(key: string, opts: Options<string> = {}): string | undefined {
    return this.read(
      key,
      'a Discord id (17-20 digits; enable Developer Mode and use "Copy ID")',
      opts,
      (raw) => (SNOWFLAKE.test(raw) ? raw : undefined),
    );
  }

  snowflakeList(key: string): string[] {
    return (
      this.read(key, 'a comma-separated list of Discord ids (17-20 digits each)', { default: [] }, (raw) => {
        const ids = splitList(raw);
        return ids.every((id) => SNOWFLAKE.test(id)) ? ids : undefined;
      }) ?? []
    );
  }

  list(
    key: string,
    opts: Options<string[]> & { item?: (s: string) => boolean; expected?: string } = {},
  ): string[] {
    const expected = opts.expected ?? 'a comma-separated list';
    return (
      this.read(key, expected, { ...opts, default: opts.default ?? [] }, (raw) => {
        const items = splitList(raw);
        return opts.item && !items.every(opts.item) ? undefined : items;
      }) ?? []
    );
  }

  int(key: string, opts: Options<number> & { min?: number; max?: number } = {}): number | undefined {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const expected = `a whole number from ${min} to ${max}`;
    return this.read(key, expected, opts, (raw) => {
      if (!/^-?\d+$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= min && n <= max ? n : undefined;
    });
  }

  duration(key: string, opts: Options<number> & { minMs?: number; maxMs?: number } = {}): number | undefined {
    const expected = 'a duration such as 30s, 15m, 2h or 7d';
    return this.read(key, expected, opts, (raw) => {
      const ms = parseDuration(raw);
      if (ms === undefined) return undefined;
      if (opts.minMs !== undefined && ms < opts.minMs) return undefined;
      if (opts.maxMs !== undefined && ms > opts.maxMs) return undefined;
      return ms;
    });
  }

  bool(key: string, opts: Options<boolean> = {}): boolean | undefined {
    return this.read(key, 'true or false', opts, (raw) => {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return undefined;
    });
  }

  oneOf<const T extends string>(key: string, values: readonly T[], opts: Options<T> = {}): T | undefined {
    return this.read(key, `one of ${values.join(', ')}`, opts, (raw) =>
      values.find((v) => v === raw.toLowerCase()),
    );
  }

  cron(key: string, opts: Options<string> = {}): string | undefined {
    return this.read(key, 'a cron expression with 5 or 6 fields, such as "*/15 * * * *"', opts, (raw) => {
      const fields = raw.split(/\s+/);
      if (fields.length < 5 || fields.length > 6) return undefined;
      try {
        cronParser.parseExpression(raw);
        return raw;
      } catch {
        return undefined;
      }
    });
  }
}

export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}
