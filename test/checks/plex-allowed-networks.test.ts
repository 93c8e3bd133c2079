import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plexAllowedNetworks } from '../../src/checks/plex-allowed-networks.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';

describe('plex-allowed-networks', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  const scanWith = async (value: string) => {
    lab.plex.setPref('allowedNetworks', value);
    return lab.scan([plexAllowedNetworks]);
  };

  it('is quiet with an empty list', async () => {
    expect((await scanWith('')).findings).toEqual([]);
  });

  it.each([
    ['0.0.0.0/0', 'public:0.0.0.0/0'],
    ['0.0.0.0/0.0.0.0', 'public:0.0.0.0/0'],
    ['::/0', 'public:::/0'],
    ['203.0.113.0/24', 'public:203.0.113.0/24'],
    ['8.8.8.8', 'public:8.8.8.8/32'],
    // Starts private but spills into public space: 10.0.0.0/7 also covers 11.0.0.0/8.
    ['10.0.0.0/7', 'public:10.0.0.0/7'],
  ])('treats %s as critical', async (value, key) => {
    const result = await scanWith(value);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key,
        severity: 'critical',
        evidence: expect.stringContaining(`allowedNetworks contains ${value}`),
        fix: expect.stringContaining('allowed without auth'),
      }),
    ]);
  });

  it.each([
    ['10.0.0.0/8', 'wider-than-lan:10.0.0.0/8'],
    ['192.168.0.0/255.255.0.0', 'wider-than-lan:192.168.0.0/16'],
    ['172.17.0.0/16', 'wider-than-lan:172.17.0.0/16'],
  ])('flags %s, wider than LAN_CIDRS, as high', async (value, key) => {
    const result = await scanWith(value);
    expect(keysOf(result.findings)).toEqual([[key, 'high']]);
    expect(result.findings[0]?.evidence).toContain('not inside LAN_CIDRS (192.168.1.0/24)');
  });

  it('reports a LAN subnet in both notations as info only', async () => {
    const result = await scanWith('192.168.1.0/24, 192.168.1.20/255.255.255.255');
    expect(keysOf(result.findings)).toEqual([
      ['lan:192.168.1.0/24', 'info'],
      ['lan:192.168.1.20/32', 'info'],
    ]);
  });

  it('reports an unreadable entry (non-contiguous mask, junk) without crashing', async () => {
    const result = await scanWith('192.168.1.0/255.0.255.0,<script>');
    expect(keysOf(result.findings).map(([, s]) => s)).toEqual(['low', 'low']);
    expect(result.findings.every((f) => !f.evidence.includes('<'))).toBe(true);
  });

  it('reports each entry of a mixed list with its own severity', async () => {
    const result = await scanWith('192.168.1.0/24,0.0.0.0/0,10.0.0.0/8');
    expect(keysOf(result.findings)).toEqual([
      ['lan:192.168.1.0/24', 'info'],
      ['public:0.0.0.0/0', 'critical'],
      ['wider-than-lan:10.0.0.0/8', 'high'],
    ]);
  });
});
