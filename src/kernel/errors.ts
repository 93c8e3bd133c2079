import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from './logger.js';

/**
 * The one base of errors whose message is written for the reader and is safe to show anywhere:
 * in Discord, in a terminal, in a finding's evidence. Everything else is unexpected and is shown
 * only as a generic line with a reference (see `presentError`).
 */
export abstract class SafeError extends Error {}

/** A mistake the user can fix: a bad argument, a refused action, a missing setting. */
export class UserError extends SafeError {
  override readonly name: string = 'UserError';
}

/** How a call to an outside service failed, for callers that decide on it (retry, skip, report). */
export type ServiceFailure =
  | 'timeout'
  | 'unreachable'
  | 'aborted'
  | 'http-status'
  // A credential was not accepted (401/403, plex.tv's 498): callers tell the user to sign in again.
  | 'unauthorized'
  | 'too-large'
  | 'redirect'
  | 'malformed'
  | 'refused';

/**
 * An outside service (Plex, plex.tv, InternetDB, the router, the firewall) did not do what was
 * asked. The message names the service and what happened, never a token or a URL's query.
 */
export class ServiceError extends SafeError {
  override readonly name: string = 'ServiceError';
  constructor(
    readonly service: string,
    readonly kind: ServiceFailure,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const require = createRequire(import.meta.url);

/** A short reference printed to the user and logged with the full error, to find one in the other. */
export function errorReference(): string {
  // Loaded here, on the rare unexpected error: every CLI command imports this module, and
  // loading node:crypto is a few ms of its start-up (bench/startup.ts).
  const { randomBytes } = require('node:crypto') as typeof Crypto;
  return randomBytes(4).toString('hex');
}

export interface PresentedError {
  /** Safe to show: the error's own text, or a generic line with the reference. */
  readonly text: string;
  /** Set when the error was unexpected; the full error was logged under it. */
  readonly reference?: string;
}

/**
 * Every boundary (interaction pipeline, scan runner, log reviewer, proposals, doctor, CLI) turns
 * an error into what the user sees here: a SafeError's text as it is; anything else a generic
 * line with a short reference, while the full error goes to the log under that reference.
 */
export function presentError(
  error: unknown,
  logger: Pick<Logger, 'error'>,
  context: Record<string, unknown> & { readonly during: string },
): PresentedError {
  if (error instanceof SafeError) return { text: error.message };
  const reference = errorReference();
  logger.error(`unexpected error ${context.during}`, { ...context, error, reference });
  return { text: `unexpected error (reference ${reference})`, reference };
}

/**
 * `presentError` for a boundary nobody watches (a scheduled scan or review, an outbox retry):
 * the log is the only reader, so a SafeError's text goes there too, at warn, with the error.
 */
export function logError(
  error: unknown,
  logger: Pick<Logger, 'error' | 'warn'>,
  context: Record<string, unknown> & { readonly during: string },
): PresentedError {
  const presented = presentError(error, logger, context);
  // The error itself goes along: a ServiceError's cause or details (a firewall's stderr) are
  // for the admin reading the log, not for the message.
  if (presented.reference === undefined)
    logger.warn(`failed ${context.during}`, { ...context, reason: presented.text, error });
  return presented;
}
