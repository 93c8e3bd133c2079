import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plexPublishedUrls } from '../../src/checks/plex-published-urls.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';

describe('plex-published-urls', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  const ours = (connections: unknown[]) => [
    { name: 'Home Plex', clientIdentifier: 'a'.repeat(40), provides: 'server', connections },
    { name: 'Other', clientIdentifier: 'b'.repeat(40), provides: 'server', connections: [] },
  ];

  it('is quiet with no custom URLs, relay off, and only local connections on plex.tv', async () => {
    lab.plexTv.state.resources = ours([
      {
        protocol: 'https',
        address: '192.168.1.10',
        port: 32400,
        uri: 'https://x',
        local: true,
        relay: false,
      },
    ]);
    const result = await lab.scan([plexPublishedUrls]);
    expect(result.findings).toEqual([]);
    const call = lab.plexTv.requests.find((r) => r.path === '/api/v2/resources');
    expect(call?.hadToken).toBe(true);
    expect(JSON.stringify(call?.query)).not.toContain(lab.plex.state.token);
  });

  it('flags a plain-http custom URL as high and an https one as info, without paths', async () => {
    lab.plex.setPref(
      'customConnections',
      'http://plex.example.com:32400/web?X-Plex-Token=leak, https://plex.example.com',
    );
    const result = await lab.scan([plexPublishedUrls]);
    expect(keysOf(result.findings)).toEqual([
      ['custom:plex.example.com:443', 'info'],
      ['http:plex.example.com:32400', 'high'],
    ]);
    const http = result.findings.find((f) => f.key.startsWith('http:'));
    expect(http?.evidence).toBe(
      'customConnections contains http://plex.example.com:32400: clients anywhere send their token over it unencrypted',
    );
    expect(JSON.stringify(result.findings)).not.toContain('leak');
  });

  it('reports the relay as info', async () => {
    lab.plex.setPref('RelayEnabled', 1);
    const result = await lab.scan([plexPublishedUrls]);
    expect(result.findings).toEqual([
      expect.objectContaining({ key: 'relay', severity: 'info', evidence: 'RelayEnabled=1' }),
    ]);
  });

  it('flags a public plain-http connection that plex.tv hands out', async () => {
    lab.plexTv.state.resources = ours([
      {
        protocol: 'http',
        address: '203.0.113.7',
        port: 32400,
        uri: 'http://203.0.113.7:32400',
        local: false,
        relay: false,
      },
      {
        protocol: 'https',
        address: '192.168.1.10',
        port: 32400,
        uri: 'https://y',
        local: true,
        relay: false,
      },
    ]);
    const result = await lab.scan([plexPublishedUrls]);
    expect(keysOf(result.findings)).toEqual([['published-http:203.0.113.7:32400', 'high']]);
  });

  it('still reports the settings when plex.tv hangs, bounded by OUTSIDE_TIMEOUT', async () => {
    lab.plexTv.state.mode = 'hang';
    lab.plex.setPref('customConnections', 'http://1.2.3.4:32400');
    const started = performance.now();
    const result = await lab.scan([plexPublishedUrls], { OUTSIDE_TIMEOUT: '300ms' });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(keysOf(result.findings)).toEqual([['http:1.2.3.4:32400', 'high']]);
  });
});
