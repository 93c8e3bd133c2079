// Before undici: it reads globalThis.Headers as it loads (see the module).
import './web-globals.js';
import { type Dispatcher, request, errors as undiciErrors } from 'undici';
import type * as v from 'valibot';
import { ServiceError, type ServiceFailure } from './errors.js';
import { checkSchema } from './schema.js';

/** Builds the error a client throws, so Plex callers still see a PlexError, the router a RouterError. */
export type ServiceErrorFactory = (
  kind: ServiceFailure,
  message: string,
  status: number | undefined,
  options: ErrorOptions | undefined,
) => ServiceError;

export interface HttpRequest {
  /** Names the service in every error message: "Plex", "plex.tv", "InternetDB", "the router". */
  readonly service: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** One deadline for connecting, the headers and the whole body. */
  readonly timeoutMs: number;
  /** Upper bound on the body; the services we talk to answer small documents, garbage can be endless. */
  readonly maxBodyBytes: number;
  /** The caller's stop (a scan stopped, shutdown); ends the request as `aborted`. */
  readonly signal?: AbortSignal | undefined;
  readonly dispatcher?: Dispatcher;
  /** Short name of the call in messages, e.g. "GET /identity"; defaults to method and path. */
  readonly label?: string;
  readonly fail?: ServiceErrorFactory;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The label and the service, for messages about this answer that callers throw. */
  readonly label: string;
}

/**
 * The one bounded HTTP request of the bot. Every status below 300 and every 4xx/5xx comes back
 * to the caller, who gives it meaning (404 "not indexed", 401 "token rejected"); these throw a
 * ServiceError with a kind instead: no answer in time (`timeout`), the caller's signal
 * (`aborted`), no connection (`unreachable`), a body over the cap (`too-large`) and any 3xx
 * (`redirect`: undici's `request` does not follow redirects, and we never want it to — a
 * redirect could carry our token headers to another host).
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.url);
  const label = req.label ?? `${req.method} ${url.pathname}`;
  const fail: ServiceErrorFactory =
    req.fail ??
    ((kind, message, status, options) => new ServiceError(req.service, kind, message, status, options));
  // The label names the path; the origin says which server. Never the query or user info.
  const where = `${label} to ${url.protocol}//${url.host}`;
  const deadline = AbortSignal.timeout(req.timeoutMs);
  const { signal, release } = req.signal ? either(req.signal, deadline) : { signal: deadline, release() {} };
  const failure = (error: unknown): ServiceError => {
    if (error instanceof ServiceError) return error;
    if (req.signal?.aborted)
      return fail('aborted', `${where} was stopped before it finished`, undefined, { cause: error });
    if (
      deadline.aborted ||
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError
    ) {
      return fail('timeout', `${where} got no answer within ${req.timeoutMs} ms`, undefined, {
        cause: error,
      });
    }
    return fail('unreachable', `${where} failed (${systemCode(error)})`, undefined, { cause: error });
  };
  try {
    return await exchange();
  } finally {
    release();
  }

  async function exchange(): Promise<HttpResponse> {
    if (signal.aborted) throw failure(signal.reason);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: req.method,
        ...(req.headers ? { headers: { ...req.headers } } : {}),
        ...(req.body !== undefined ? { body: req.body } : {}),
        signal,
        ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
    } catch (error) {
      throw failure(error);
    }
    const status = response.statusCode;
    try {
      if (status >= 300 && status < 400) {
        discard(response.body);
        throw fail(
          'redirect',
          `${where} answered a redirect (HTTP ${status}), which is not followed`,
          status,
          undefined,
        );
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > req.maxBodyBytes) {
        discard(response.body);
        throw tooLarge();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        size += buffer.length;
        if (size > req.maxBodyBytes) {
          discard(response.body);
          throw tooLarge();
        }
        chunks.push(buffer);
      }
      return {
        status,
        headers: response.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        label: where,
      };
    } catch (error) {
      throw failure(error);
    }

    function tooLarge(): ServiceError {
      return fail('too-large', `${where} answered more than ${req.maxBodyBytes} bytes`, status, undefined);
    }
  }
}

/**
 * Aborts when the caller's signal or the deadline does. Not AbortSignal.any: on Node 20 a
 * composite stays in its sources' dependants after the request is over while a source lives on
 * (https://github.com/nodejs/node/issues/55351), and a job hands every run the signal of the
 * job itself, which lives as long as the bot. These listeners go when the request ends.
 */
function either(source: AbortSignal, deadline: AbortSignal): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSource = () => controller.abort(source.reason);
  const onDeadline = () => controller.abort(deadline.reason);
  if (source.aborted) onSource();
  source.addEventListener('abort', onSource, { once: true });
  deadline.addEventListener('abort', onDeadline, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      source.removeEventListener('abort', onSource);
      deadline.removeEventListener('abort', onDeadline);
    },
  };
}

/** Whether the answer is a 2xx. */
export function isOk(response: HttpResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/**
 * Parses an answer's body as JSON and checks it against a schema: anything else is a
 * `malformed` ServiceError naming the first problem's path (never the body itself).
 */
export function parseJsonBody<const S extends v.GenericSchema>(
  response: HttpResponse,
  schema: S,
  fail: (message: string) => ServiceError,
): v.InferOutput<S> {
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    const what = response.text.trimStart().startsWith('<') ? 'XML or HTML' : 'something that is not JSON';
    throw fail(`${response.label} answered ${what}`);
  }
  return checkSchema(json, schema, (problem) =>
    fail(`${response.label} answered an unexpected shape (${problem})`),
  );
}

/** Drops a body we will not read; the error its destruction emits is expected, not unhandled. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** The system error code (ECONNREFUSED, ENOTFOUND) of a failed connection, else undici's own. */
function systemCode(error: unknown): string {
  const own = codeOf(error);
  const cause = error instanceof Error ? codeOf(error.cause) : undefined;
  if (own !== undefined && !own.startsWith('UND_ERR_')) return own;
  return cause ?? own ?? (error instanceof Error ? error.name : 'error');
}

function codeOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'string'
    ? value.code
    : undefined;
}
