import { request } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackHttpServer } from './loopback-http-server.js';

describe('LoopbackHttpServer (the fakes’ HTTP server)', () => {
  const server = new LoopbackHttpServer('test server');
  afterEach(() => server.stop());

  it('a socket handed to an upgrade handler survives a reset: no error escapes the test run', async () => {
    let outcome: { threw: boolean; destroyed: boolean } | undefined;
    let handled!: () => void;
    const upgraded = new Promise<void>((resolve) => {
      handled = resolve;
    });
    await server.start((_req, res) => res.end(), {
      onUpgrade: (_req, socket: Socket) => {
        // What a client's RST does to the socket while the fake writes its refusal.
        let threw = false;
        try {
          socket.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        } catch {
          threw = true;
        }
        outcome = { threw, destroyed: socket.destroyed };
        handled();
      },
    });
    const req = request({
      host: '127.0.0.1',
      port: server.port,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket' },
    });
    req.on('error', () => undefined);
    req.end();
    await upgraded;
    expect(outcome).toEqual({ threw: false, destroyed: true });
  });
});
