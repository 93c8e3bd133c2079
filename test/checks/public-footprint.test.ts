import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publicFootprint } from '../../src/checks/public-footprint.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';

describe('public-footprint', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('lists indexed ports with the source of the IP, labelled "no crawl date"', async () => {
    lab.internetDb.answers.set('203.0.113.7', { ports: [443, 32400], hostnames: ['home.example.net'] });
    const result = await lab.scan([publicFootprint], { PUBLIC_IP: '203.0.113.7' });
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'open-ports',
        severity: 'medium',
        evidence:
          'InternetDB (no crawl date) lists 203.0.113.7 (from PUBLIC_IP) with ports 443, 32400 (Plex); hostnames home.example.net',
      }),
    ]);
  });

  it('raises to high when a LAN-only or admin port is indexed, and lists vulns as leads', async () => {
    lab.internetDb.answers.set('203.0.113.7', { ports: [22, 1900, 32400], vulns: ['CVE-2023-38408'] });
    const result = await lab.scan([publicFootprint], { PUBLIC_IP: '203.0.113.7' });
    expect(keysOf(result.findings)).toEqual([
      ['open-ports', 'high'],
      ['vulns', 'medium'],
    ]);
    const ports = result.findings.find((f) => f.key === 'open-ports');
    expect(ports?.evidence).toContain(
      '22 (SSH), 1900 (SSDP/DLNA discovery (DDoS amplification)), 32400 (Plex)',
    );
    expect(ports?.fix).toContain('22, 1900');
    expect(result.findings.find((f) => f.key === 'vulns')?.evidence).toContain('not confirmed');
  });

  it('learns the IP from /myplex/account when PUBLIC_IP is not set', async () => {
    lab.plex.state.myplexAccount.publicAddress = '::ffff:198.51.100.20';
    lab.internetDb.answers.set('198.51.100.20', { ports: [32400] });
    const result = await lab.scan([publicFootprint]);
    expect(lab.internetDb.requests).toEqual(['198.51.100.20']);
    expect(result.findings[0]?.evidence).toContain('198.51.100.20 (from Plex /myplex/account publicAddress)');
  });

  it('says "never indexed, not safe" on 404', async () => {
    const result = await lab.scan([publicFootprint], { PUBLIC_IP: '203.0.113.8' });
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'not-indexed',
        severity: 'info',
        evidence: expect.stringContaining('Never indexed is not the same as nothing open'),
      }),
    ]);
  });

  it('keeps earlier findings open when rate limited (429): unknown is not fixed', async () => {
    lab.internetDb.answers.set('203.0.113.7', { ports: [22] });
    await lab.scan([publicFootprint], { PUBLIC_IP: '203.0.113.7' });
    lab.internetDb.answers.set('203.0.113.7', { status: 429 });
    const limited = await lab.scan([publicFootprint]);
    expect(limited.findings).toEqual([
      expect.objectContaining({ key: 'could-not-run', evidence: expect.stringContaining('429') }),
    ]);
    expect(limited.changes.resolved).toEqual([]);
    expect(lab.ctx.repos.findings.get('public-footprint:open-ports')?.status).toBe('open');
  });

  it('cuts a hanging InternetDB at OUTSIDE_TIMEOUT', async () => {
    lab.internetDb.answers.set('203.0.113.7', 'hang');
    const started = performance.now();
    const result = await lab.scan([publicFootprint], { PUBLIC_IP: '203.0.113.7', OUTSIDE_TIMEOUT: '300ms' });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'could-not-run',
        evidence: expect.stringMatching(
          /^InternetDB lookup to http:\/\/127.0.0.1:\d+ got no answer within 300 ms$/,
        ),
      }),
    ]);
  });

  it.each([
    ['100.64.12.34', 'cgnat', 'nothing inbound reaches the house'],
    ['192.168.0.2', 'private-wan', 'double NAT'],
  ])('explains %s without asking InternetDB', async (ip, key, text) => {
    const result = await lab.scan([publicFootprint], { PUBLIC_IP: ip });
    expect(result.findings).toEqual([
      expect.objectContaining({ key, severity: 'info', evidence: expect.stringContaining(text) }),
    ]);
    expect(lab.internetDb.requests).toEqual([]);
  });

  it('says the IP is unknown when no source knows it', async () => {
    const result = await lab.scan([publicFootprint]);
    expect(keysOf(result.findings)).toEqual([['no-public-ip', 'info']]);
  });

  it('still works from PUBLIC_IP while Plex is down', async () => {
    lab.plex.state.mode = 'hang';
    lab.internetDb.answers.set('203.0.113.7', { ports: [] });
    const result = await lab.scan([publicFootprint], { PUBLIC_IP: '203.0.113.7', PLEX_TIMEOUT: '200ms' });
    expect(keysOf(result.findings)).toEqual([['indexed-empty', 'info']]);
  });
});

describe('public-footprint when the IP source goes away', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('keeps the findings learned through Plex open while Plex is down', async () => {
    lab.plex.state.myplexAccount.publicAddress = '198.51.100.20';
    lab.internetDb.answers.set('198.51.100.20', { ports: [22] });
    await lab.scan([publicFootprint]);
    lab.plex.state.mode = 'html';
    const down = await lab.scan([publicFootprint]);
    expect(down.checks[0]?.status).toBe('skipped');
    expect(down.changes.resolved).toEqual([]);
  });
});
