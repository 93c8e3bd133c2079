import winston from 'winston';
import type { LogLevel } from './log-levels.js';

export type Logger = winston.Logger;

export { LOG_LEVELS, type LogLevel } from './log-levels.js';

const REDACTED = '[redacted]';

/** Keys whose values are secrets wherever they appear in structured log data. */
const SECRET_KEY =
  /^(x-plex-token|token|authtoken|accesstoken|plexonlinetoken|password|passphrase|authorization|customcertificatekey|secret|apikey)$/i;

const SECRET_PATTERNS: readonly RegExp[] = [
  // X-Plex-Token in URLs and headers, any casing.
  /(x-plex-token[=:]\s*)[^&\s"',;]+/gi,
  // Authorization headers.
  /((?:authorization|bot|bearer)[:=]?\s+)[A-Za-z0-9._~+/-]{20,}=*/gi,
  // Discord bot tokens: base64 user id . timestamp . hmac.
  /[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g,
  // Interaction and webhook tokens inside Discord REST paths.
  /(\/(?:interactions\/\d+|webhooks\/\d+)\/)[A-Za-z0-9._-]{20,}/g,
];

export class Redactor {
  private readonly secrets: readonly string[];

  constructor(secrets: readonly (string | undefined | null)[]) {
    this.secrets = secrets
      .filter((s): s is string => typeof s === 'string' && s.length >= 6)
      .sort((a, b) => b.length - a.length);
  }

  text(input: string): string {
    let out = input;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    for (const pattern of SECRET_PATTERNS) {
      out = out.replace(pattern, (_match, prefix?: string) =>
        typeof prefix === 'string' ? `${prefix}${REDACTED}` : REDACTED,
      );
    }
    return out;
  }

  value(input: unknown, depth = 0): unknown {
    if (typeof input === 'string') return this.text(input);
    if (depth > 6 || input === null || typeof input !== 'object') return input;
    if (input instanceof Error) {
      // Own fields too (a ServiceError's service, kind and status, a FirewallError's details)
      // and the cause: what the user saw in one line, the log has in full.
      const out: Record<string, unknown> = {
        name: input.name,
        message: this.text(input.message),
        stack: input.stack ? this.text(input.stack) : undefined,
      };
      for (const [key, item] of Object.entries(input)) {
        if (key !== 'name') out[key] = SECRET_KEY.test(key) ? REDACTED : this.value(item, depth + 1);
      }
      if (input.cause !== undefined) out.cause = this.value(input.cause, depth + 1);
      return out;
    }
    if (Array.isArray(input)) return input.map((item) => this.value(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input)) {
      out[key] =
        SECRET_KEY.test(key) && item !== undefined && item !== null && item !== ''
          ? REDACTED
          : this.value(item, depth + 1);
    }
    return out;
  }
}

const META_SKIP = new Set(['level', 'message', 'timestamp']);

/** A winston format that scrubs secrets from the message and every metadata field. */
const redact = winston.format((info, opts?: unknown) => {
  const { redactor } = opts as { redactor: Redactor };
  info.message =
    typeof info.message === 'string' ? redactor.text(info.message) : redactor.value(info.message);
  for (const key of Object.keys(info)) {
    if (META_SKIP.has(key)) continue;
    info[key] = SECRET_KEY.test(key) ? REDACTED : redactor.value(info[key]);
  }
  if (typeof info.stack === 'string') info.stack = redactor.text(info.stack);
  return info;
});

export interface LoggerOptions {
  level: LogLevel;
  format: 'auto' | 'json' | 'pretty';
  secrets: readonly (string | undefined | null)[];
  /** Where lines go; defaults to stderr so `scan --json` keeps stdout clean. */
  stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const redactor = new Redactor(options.secrets);
  const stream = options.stream ?? process.stderr;
  const pretty =
    options.format === 'pretty' ||
    (options.format === 'auto' && (stream as { isTTY?: boolean }).isTTY === true);
  const base = winston.format.combine(
    winston.format.errors({ stack: true }),
    redact({ redactor }),
    winston.format.timestamp(),
  );
  const shape = pretty
    ? winston.format.combine(
        winston.format.colorize(),
        winston.format.printf(({ level, message, timestamp, stack, ...meta }) => {
          const extra = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
          return `${String(timestamp).slice(11, 19)} ${level} ${String(message)}${extra}${stack ? `\n${String(stack)}` : ''}`;
        }),
      )
    : winston.format.json();
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(base, shape),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ silent: true })],
  });
}
