import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlexClient, PlexError } from '../../../src/adapters/plex/plex-client.js';
import { plexDirectAddress } from '../../../src/adapters/plex/plex-direct.js';
import { tempDir } from '../../harness/test-env.js';
import { TestCertificates } from '../../harness/tls-certs.js';

const HASH = '0123456789abcdef0123456789abcdef';

describe('plex.direct names', () => {
  it('decodes the address from the name, IPv4 and IPv6', () => {
    expect(plexDirectAddress(`192-168-1-10.${HASH}.plex.direct`)).toBe('192.168.1.10');
    expect(plexDirectAddress(`2001-db8--1.${HASH}.plex.direct`)).toBe('2001:db8::1');
    expect(plexDirectAddress(`192-168-1-10.${HASH}.plex.direct.evil.example`)).toBeUndefined();
    expect(plexDirectAddress('192-168-1-10.nothex.plex.direct')).toBeUndefined();
    expect(plexDirectAddress(`999-1-1-1.${HASH}.plex.direct`)).toBeUndefined();
  });
});

describe('PlexClient over https with a plex.direct certificate', () => {
  const dir = tempDir('plex-warden-direct-');
  let server: Server;
  let port = 0;
  let ca = '';
  let otherCa = '';
  const seen: { host?: string; token?: string }[] = [];

  beforeAll(async () => {
    const certs = await TestCertificates.create(`${dir.path}/a`);
    const other = await TestCertificates.create(`${dir.path}/b`);
    const now = Date.now();
    const pair = await certs.leaf(
      'plex',
      `DNS:*.${HASH}.plex.direct`,
      new Date(now - 86_400_000),
      new Date(now + 30 * 86_400_000),
    );
    const { readFileSync } = await import('node:fs');
    ca = readFileSync(certs.caFile, 'utf8');
    otherCa = readFileSync(other.caFile, 'utf8');
    server = createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
      seen.push({ host: req.headers.host, token: req.headers['x-plex-token'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          MediaContainer: { machineIdentifier: 'a'.repeat(40), version: '1.43.3.10861-x', claimed: '1' },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dir.remove();
  });

  const client = (caPem: string) =>
    new PlexClient({
      baseUrl: `https://127-0-0-1.${HASH}.plex.direct:${port}`,
      token: 'fake-plex-token-0123456789',
      clientIdentifier: '11111111-2222-3333-4444-555555555555',
      timeoutMs: 2_000,
      ca: caPem,
    });

  it('connects without DNS and verifies the certificate for the plex.direct name', async () => {
    const identity = await client(ca).identity();
    expect(identity).toEqual({ machineIdentifier: 'a'.repeat(40), version: '1.43.3.10861-x', claimed: true });
    expect(seen.at(-1)?.host).toBe(`127-0-0-1.${HASH}.plex.direct:${port}`);
  });

  it('refuses a certificate it cannot verify instead of silently trusting it', async () => {
    const before = seen.length;
    const error = await client(otherCa)
      .get('/')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlexError);
    expect((error as PlexError).kind).toBe('unreachable');
    expect(seen.length).toBe(before);
  });
});
