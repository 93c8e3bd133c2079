import { getEventListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/kernel/errors.js';
import { httpRequest, parseJsonBody } from '../../src/kernel/http-request.js';
import { closedPort } from '../harness/closed-port.js';
import { LoopbackHttpServer } from '../harness/loopback-http-server.js';

let server: LoopbackHttpServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = new LoopbackHttpServer('test server');
  return server.start(handler);
}

const base = { service: 'Test', method: 'GET', timeoutMs: 2_000, maxBodyBytes: 1_024 } as const;

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}

describe('httpRequest', () => {
  it('returns the status and the body, 4xx included', async () => {
    const url = await serve((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end(req.url === '/missing' ? 'nope' : '{"a":1}');
    });
    const ok = await httpRequest({ ...base, url: `${url}/x` });
    expect(ok).toMatchObject({ status: 200, text: '{"a":1}' });
    expect(
      parseJsonBody(ok, v.object({ a: v.number() }), (m) => new ServiceError('Test', 'malformed', m)),
    ).toEqual({
      a: 1,
    });
    expect((await httpRequest({ ...base, url: `${url}/missing` })).status).toBe(404);
  });

  it('times out on a server that accepts and never answers', async () => {
    const url = await serve(() => undefined);
    const started = performance.now();
    const error = await failure(httpRequest({ ...base, url, timeoutMs: 200 }));
    expect(error).toMatchObject({ service: 'Test', kind: 'timeout' });
    expect(error.message).toContain('within 200 ms');
    expect(performance.now() - started).toBeLessThan(1_900);
  });

  it('times out on a body that trickles without end, within the one deadline', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const error = await failure(httpRequest({ ...base, url, timeoutMs: 300, maxBodyBytes: 1_000_000 }));
    expect(error.kind).toBe('timeout');
  });

  it('refuses a body larger than the cap, declared or streamed', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': '5000' });
        res.end('y'.repeat(5000));
        return;
      }
      res.writeHead(200);
      res.write('z'.repeat(800));
      res.end('z'.repeat(800));
    });
    expect(await failure(httpRequest({ ...base, url: `${url}/declared` }))).toMatchObject({
      kind: 'too-large',
      status: 200,
    });
    const streamed = await failure(httpRequest({ ...base, url: `${url}/chunked` }));
    expect(streamed.kind).toBe('too-large');
    expect(streamed.message).toContain('more than 1024 bytes');
  });

  it('refuses a redirect and does not follow it', async () => {
    let followed = false;
    const url = await serve((req, res) => {
      if (req.url === '/elsewhere') {
        followed = true;
        res.end('{}');
        return;
      }
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    const error = await failure(httpRequest({ ...base, url: `${url}/start` }));
    expect(error).toMatchObject({ kind: 'redirect', status: 302 });
    expect(followed).toBe(false);
  });

  it('stops when the caller aborts, as aborted and not as a timeout', async () => {
    const url = await serve(() => undefined);
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('scan stopped')), 100);
    const error = await failure(httpRequest({ ...base, url, timeoutMs: 5_000, signal: abort.signal }));
    expect(error.kind).toBe('aborted');
    const already = await failure(httpRequest({ ...base, url, signal: AbortSignal.abort() }));
    expect(already.kind).toBe('aborted');
  });

  it('leaves nothing on a long-lived caller signal once each request is over', async () => {
    const url = await serve((req, res) => {
      if (req.url !== '/slow') res.end('ok');
    });
    const job = new AbortController(); // a job's signal lives as long as the bot
    for (let i = 0; i < 50; i += 1) {
      expect(await httpRequest({ ...base, url, signal: job.signal })).toMatchObject({ text: 'ok' });
    }
    // Node keeps AbortSignal.any composites here (nodejs/node#55351); absent: nothing to count.
    const dependants = Object.getOwnPropertySymbols(job.signal).find(
      (s) => s.description === 'kDependantSignals',
    );
    expect(getEventListeners(job.signal, 'abort')).toHaveLength(0);
    const kept = dependants ? (job.signal as unknown as Record<symbol, Set<unknown>>)[dependants] : undefined;
    expect(kept?.size ?? 0).toBe(0);
    // And it still stops a request in flight.
    setTimeout(() => job.abort(new Error('job stopped')), 50);
    const stopped = await failure(httpRequest({ ...base, url: `${url}/slow`, signal: job.signal }));
    expect(stopped.kind).toBe('aborted');
  });

  it('reports a refused connection as unreachable with the system code', async () => {
    const port = await closedPort();
    const error = await failure(httpRequest({ ...base, url: `http://127.0.0.1:${port}/` }));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never shows a URL query or user info in its messages', async () => {
    const url = await serve(() => undefined);
    const withSecrets = url.replace('http://', 'http://owner:pa55word@');
    const error = await failure(
      httpRequest({ ...base, url: `${withSecrets}/library?X-Plex-Token=s3cret`, timeoutMs: 100 }),
    );
    expect(error.message).not.toMatch(/s3cret|pa55word|owner/);
    expect(error.message).toContain('/library');
  });

  it('builds the caller’s error class through the factory', async () => {
    class OwnError extends ServiceError {}
    const url = await serve((_req, res) => {
      res.writeHead(301, { location: '/' });
      res.end();
    });
    const error = await failure(
      httpRequest({
        ...base,
        url,
        fail: (kind, message, status) => new OwnError('Own', kind, message, status),
      }),
    );
    expect(error).toBeInstanceOf(OwnError);
  });

  it('names where a JSON answer went wrong, never the body', async () => {
    const url = await serve((_req, res) => res.end('{"a":"secret-ish"}'));
    const response = await httpRequest({ ...base, url });
    const error = (() => {
      try {
        parseJsonBody(response, v.object({ a: v.number() }), (m) => new ServiceError('Test', 'malformed', m));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ServiceError);
    expect(String(error)).toContain('a:');
    expect(String(error)).not.toContain('secret-ish');
  });
});
