import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exposedServices } from '../../src/checks/exposed-services.js';
import { closedPort } from '../harness/closed-port.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';

describe('exposed-services', () => {
  let lab: ExposureLab;
  let service: Server;
  let port: number;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    service = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    port = (service.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await lab.stop();
    await new Promise<void>((resolve) => service.close(() => resolve()));
  });

  it('is quiet with no services configured, and sends nothing', async () => {
    expect((await lab.scan([exposedServices], { PUBLIC_IP: '203.0.113.7' })).findings).toEqual([]);
    expect(lab.internetDb.requests).toEqual([]);
  });

  it('flags a service whose port the public footprint lists (high), naming both sides', async () => {
    lab.internetDb.answers.set('203.0.113.7', { ports: [port, 32400] });
    const result = await lab.scan([exposedServices], {
      PUBLIC_IP: '203.0.113.7',
      EXPOSED_SERVICES: `tautulli=127.0.0.1:${port}`,
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'exposed:tautulli',
        severity: 'high',
        evidence: `tautulli=127.0.0.1:${port} answers on the LAN; port ${port} is open from outside according to InternetDB (no crawl date) for 203.0.113.7`,
        fix: expect.stringContaining(`port ${port}`),
      }),
    ]);
  });

  it('is quiet for a service that answers on the LAN but is not seen from outside', async () => {
    lab.internetDb.answers.set('203.0.113.7', { ports: [32400] });
    const result = await lab.scan([exposedServices], {
      PUBLIC_IP: '203.0.113.7',
      EXPOSED_SERVICES: `sonarr=127.0.0.1:${port}`,
    });
    expect(result.findings).toEqual([]);
  });

  it('reports a service that does not answer on the LAN as info, promptly', async () => {
    const dead = await closedPort();
    lab.internetDb.answers.set('203.0.113.7', { ports: [] });
    const result = await lab.scan([exposedServices], {
      PUBLIC_IP: '203.0.113.7',
      EXPOSED_SERVICES: `ssh=127.0.0.1:${dead}`,
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'down:ssh',
        severity: 'info',
        evidence: expect.stringContaining('ECONNREFUSED'),
      }),
    ]);
  });

  it('says when there is no outside view to compare with', async () => {
    const result = await lab.scan([exposedServices], { EXPOSED_SERVICES: `radarr=127.0.0.1:${port}` });
    expect(keysOf(result.findings)).toEqual([['no-outside-view', 'info']]);
  });

  it('rejects a malformed EXPOSED_SERVICES at configuration time', () => {
    expect(() => lab.open([exposedServices], { EXPOSED_SERVICES: 'tautulli=192.168.1.10' })).toThrow(
      /EXPOSED_SERVICES="tautulli=192.168.1.10" is invalid/,
    );
  });
});

describe('exposed-services when the outside view goes away', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('keeps an "exposed" finding open while InternetDB is rate limited', async () => {
    lab.internetDb.answers.set('203.0.113.7', { ports: [22] });
    const env = { PUBLIC_IP: '203.0.113.7', EXPOSED_SERVICES: 'ssh=127.0.0.1:22' };
    const first = await lab.scan([exposedServices], env);
    expect(keysOf(first.findings)[0]).toEqual(['exposed:ssh', 'high']);
    lab.internetDb.answers.set('203.0.113.7', { status: 429 });
    const limited = await lab.scan([exposedServices]);
    expect(limited.checks[0]?.status).toBe('skipped');
    expect(limited.changes.resolved).toEqual([]);
  });
});
