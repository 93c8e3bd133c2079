import { request, errors as undiciErrors } from 'undici';

/** A failed call to a service outside the house (plex.tv, InternetDB), with a message safe to show. */
export class OutsideError extends Error {
  override readonly name = 'OutsideError';
  constructor(
    message: string,
    readonly kind: 'timeout' | 'unreachable' | 'bad-response',
  ) {
    super(message);
  }
}

export interface JsonResponse {
  readonly status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  readonly body: unknown;
}

const MAX_BODY = 2 * 1024 * 1024;

/**
 * GET a JSON document with a hard bound on time and size. Non-2xx answers are returned (callers
 * give 404/429 meaning); only transport failures and oversize bodies throw.
 */
export async function getJson(
  url: string,
  opts: { signal: AbortSignal; timeoutMs: number; headers?: Record<string, string>; label: string },
): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([opts.signal, timeout]);
  try {
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'plex-warden', ...opts.headers },
      signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        response.body.destroy();
        throw new OutsideError(`${opts.label} answered more than ${MAX_BODY} bytes`, 'bad-response');
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, body };
  } catch (error) {
    if (error instanceof OutsideError) throw error;
    if (opts.signal.aborted)
      throw new OutsideError(`${opts.label} was stopped before it finished`, 'timeout');
    if (
      timeout.aborted ||
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError
    ) {
      throw new OutsideError(`${opts.label} got no answer within ${opts.timeoutMs} ms`, 'timeout');
    }
    const code =
      (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? 'error';
    throw new OutsideError(`${opts.label} failed (${code})`, 'unreachable');
  }
}
