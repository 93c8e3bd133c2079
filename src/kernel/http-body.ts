import { type Dispatcher, errors as undiciErrors } from 'undici';

/**
 * Reads a response body as UTF-8 but never more than `limit` bytes: servers we audit (Plex, a
 * router) answer small documents, and a broken or hostile one must not make us buffer forever.
 */
export async function readBodyLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  tooLarge: () => Error,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether an undici failure was a timeout, and the system error code if there was one. */
export function classifyRequestFailure(
  error: unknown,
  signal: AbortSignal,
): { timedOut: boolean; code: string | undefined } {
  const timedOut =
    signal.aborted ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return { timedOut, code };
}
