import { SafeError } from '../kernel/errors.js';
import { type Key, Rejected, RejectedLine } from './key.js';
import type { FieldsOf, Section } from './section.js';

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

interface ReadOptions {
  /** Reads `NAME_KIND` (e.g. LOG_MAX_RETRY_SSHD) instead of the key itself. */
  readonly kind?: string;
  /** Reports a missing value (the key has no default). */
  readonly required?: boolean;
}

/**
 * Reads keys of the table (src/config/keys/) from the environment and collects problems
 * instead of throwing, so the caller can report all of them at once. Every message names the
 * key and what it expects; a secret's value is never repeated.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The environment name of a key, or of its per-kind override. */
  static nameOf(key: Key, kind?: string): string {
    return kind === undefined ? key.name : `${key.name}_${kind.toUpperCase()}`;
  }

  has(key: Key, kind?: string): boolean {
    return this.raw(key, kind) !== undefined;
  }

  raw(key: Key, kind?: string): string | undefined {
    const value = this.env[EnvReader.nameOf(key, kind)]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** A problem found by a section's own cross-key check; `got` is hidden for secrets. */
  problem(key: Key, expected: string, got?: string, kind?: string): void {
    const name = EnvReader.nameOf(key, kind);
    this.problems.push(
      got === undefined
        ? `${name} is missing: expected ${expected}`
        : `${name}=${key.secret ? '<hidden>' : quote(got)} is invalid: expected ${expected}`,
    );
  }

  /** A problem about several keys at once (e.g. "at least one of A / B"). */
  problemOf(keys: readonly Key[], text: string): void {
    this.problems.push(`${keys.map((k) => k.name).join(' / ')} ${text}`);
  }

  value<T>(key: Key<T, true>, options?: ReadOptions): T;
  value<T>(key: Key<T, false>, options?: ReadOptions): T | undefined;
  value<T>(key: Key<T>, options: ReadOptions = {}): T | undefined {
    return this.read(key, options, () => key.fallback());
  }

  /**
   * Every key of a section that names a `field`, read in table order into an object under
   * those names: a section whose values need no cross-key check is read by this alone.
   */
  fields<K extends Readonly<Record<string, Key>>>(section: Section<K>): FieldsOf<K> {
    const out: Record<string, unknown> = {};
    for (const key of Object.values<Key>(section.keys)) {
      if (key.field !== undefined) out[key.field] = this.read(key, {}, () => key.fallback());
    }
    // The mapped type names each field from the table, which the loop builds at run time.
    return out as FieldsOf<K>;
  }

  /**
   * A per-kind override (`NAME_KIND`) whose default is the section's, e.g. the base key's
   * value or a kind's built-in default.
   */
  perKind<T>(key: Key<T>, kind: string, fallback: T): T {
    return this.read(key, { kind }, () => fallback);
  }

  private read<T, F extends T | undefined>(key: Key<T>, options: ReadOptions, fallback: () => F): T | F {
    const raw = this.raw(key, options.kind);
    if (raw === undefined) {
      const value = fallback();
      if (value === undefined && options.required) this.problem(key, key.expected(), undefined, options.kind);
      return value;
    }
    const value = key.parse(raw);
    if (value instanceof RejectedLine) {
      this.problems.push(`${EnvReader.nameOf(key, options.kind)} ${value.line}`);
      return fallback();
    }
    if (value === undefined || value instanceof Rejected) {
      const details = value instanceof Rejected ? value.details : [];
      if (details.length === 0) this.problem(key, key.expected(), raw, options.kind);
      for (const detail of details) this.problem(key, `${key.expected()} (${detail})`, raw, options.kind);
      return fallback();
    }
    return value;
  }
}

function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}
