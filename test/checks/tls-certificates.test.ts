import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsCertificates } from '../../src/checks/tls-certificates.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { tempDir } from '../harness/test-env.js';
import { type KeyPair, TestCertificates } from '../harness/tls-certs.js';

const DAY = 86_400_000;

describe('tls-certificates (real local TLS servers)', () => {
  const dir = tempDir('plex-warden-tls-');
  const servers: (Server | TcpServer)[] = [];
  const ports: Record<string, number> = {};
  let caFile = '';
  let lab: ExposureLab;

  const sockets = new Set<Socket>();
  const listen = async (name: string, server: Server | TcpServer) => {
    servers.push(server);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports[name] = (server.address() as AddressInfo).port;
  };
  const tlsServer = (pair: KeyPair) => createServer({ key: pair.key, cert: pair.cert }, (s) => s.end());

  beforeAll(async () => {
    const certs = await TestCertificates.create(dir.path);
    caFile = certs.caFile;
    const now = Date.now();
    const ip = 'IP:127.0.0.1';
    const made = {
      good: await certs.leaf('good', ip, new Date(now - DAY), new Date(now + 90 * DAY)),
      soon: await certs.leaf('soon', ip, new Date(now - 80 * DAY), new Date(now + 10 * DAY + 3_600_000)),
      expired: await certs.leaf('expired', ip, new Date(now - 100 * DAY), new Date(now - 2 * DAY)),
      wronghost: await certs.leaf(
        'wronghost',
        'DNS:other.example',
        new Date(now - DAY),
        new Date(now + 90 * DAY),
      ),
      selfsigned: await certs.selfSigned('selfsigned', ip),
    };
    for (const [name, pair] of Object.entries(made)) await listen(name, tlsServer(pair));
    // Accepts the connection and never speaks TLS: the handshake must be cut at the timeout.
    await listen(
      'silent',
      createTcpServer(() => undefined),
    );
    lab = await new ExposureLab().start();
  });
  afterAll(async () => {
    await lab?.stop();
    for (const socket of sockets) socket.destroy();
    for (const server of servers) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    dir.remove();
  });

  const scan = async (...names: string[]) => {
    lab.open([tlsCertificates], {
      TLS_ENDPOINTS: names.map((n) => `https://127.0.0.1:${ports[n]}`).join(','),
      TLS_CA_FILE: caFile,
      OUTSIDE_TIMEOUT: '400ms',
    });
    return lab.scan([tlsCertificates]);
  };

  it('is quiet for a good certificate from a trusted CA', async () => {
    expect((await scan('good')).findings).toEqual([]);
  });

  it('warns at the 14-day step for a certificate expiring in 10 days', async () => {
    const result = await scan('soon');
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: `expiring:127.0.0.1:${ports.soon}`,
        severity: 'medium',
        evidence: expect.stringMatching(
          /CN=soon, issuer plex-warden test CA\) expires on \d{4}-\d\d-\d\d \(within 14 days\)$/,
        ),
      }),
    ]);
  });

  it('flags an expired certificate as high', async () => {
    const result = await scan('expired');
    expect(keysOf(result.findings)).toEqual([[`expired:127.0.0.1:${ports.expired}`, 'high']]);
    expect(result.findings[0]?.fix).toContain('Renew');
  });

  it('flags a certificate for another name as high, naming what it covers', async () => {
    const result = await scan('wronghost');
    expect(keysOf(result.findings)).toEqual([[`hostname:127.0.0.1:${ports.wronghost}`, 'high']]);
    expect(result.findings[0]?.evidence).toContain('DNS:other.example');
  });

  it('flags a self-signed certificate as medium', async () => {
    const result = await scan('selfsigned');
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: `self-signed:127.0.0.1:${ports.selfsigned}`,
        severity: 'medium',
        evidence: expect.stringContaining('DEPTH_ZERO_SELF_SIGNED_CERT'),
      }),
    ]);
  });

  it('without TLS_CA_FILE, a private CA is reported as untrusted', async () => {
    lab.open([tlsCertificates], { TLS_ENDPOINTS: `127.0.0.1:${ports.good}` });
    const result = await lab.scan([tlsCertificates]);
    expect(keysOf(result.findings)).toEqual([[`untrusted:127.0.0.1:${ports.good}`, 'medium']]);
  });

  it('checks every endpoint in parallel; a silent one is cut at the timeout, the others still report', async () => {
    const started = performance.now();
    const result = await scan('good', 'soon', 'expired', 'wronghost', 'selfsigned', 'silent');
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(keysOf(result.findings).map(([k, s]) => `${k.split(':')[0]} ${s}`)).toEqual([
      'expired high',
      'expiring medium',
      'hostname high',
      'self-signed medium',
      'unreachable low',
    ]);
    expect(result.findings.find((f) => f.key.startsWith('unreachable'))?.evidence).toContain(
      'no TLS handshake within 400 ms',
    );
  });

  it('keeps the last certificate findings of an endpoint that stops answering', async () => {
    lab.open([tlsCertificates], {
      TLS_ENDPOINTS: `https://127.0.0.1:${ports.expired}`,
      TLS_CA_FILE: caFile,
      OUTSIDE_TIMEOUT: '400ms',
    });
    await lab.scan([tlsCertificates]);
    const server = servers[Object.keys(ports).indexOf('expired')];
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    const gone = await lab.scan([tlsCertificates]);
    expect(gone.changes.resolved).toEqual([]);
    expect(keysOf(gone.findings).map(([k, s]) => `${k.split(':')[0]} ${s}`)).toEqual([
      'expired high',
      'unreachable low',
    ]);
  });

  it('rejects a malformed TLS_ENDPOINTS at configuration time', () => {
    expect(() => lab.open([tlsCertificates], { TLS_ENDPOINTS: 'http://plain.example' })).toThrow(
      /TLS_ENDPOINTS/,
    );
  });
});
