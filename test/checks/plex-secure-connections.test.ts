import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plexSecureConnections } from '../../src/checks/plex-secure-connections.js';
import { ExposureLab } from '../harness/exposure-lab.js';

describe('plex-secure-connections', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('is quiet when secure connections are Required', async () => {
    const result = await lab.scan([plexSecureConnections]);
    expect(result.findings).toEqual([]);
  });

  it.each([
    [1, 'medium', 'secureConnections=1 (Preferred)'],
    [2, 'high', 'secureConnections=2 (Disabled)'],
    ['2', 'high', 'secureConnections=2 (Disabled)'],
  ] as const)('flags secureConnections=%s as %s, naming setting and value', async (value, severity, text) => {
    lab.plex.setPref('secureConnections', value);
    const result = await lab.scan([plexSecureConnections]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'not-required',
        severity,
        evidence: expect.stringContaining(text),
        fix: expect.stringContaining('Required'),
      }),
    ]);
  });

  it('explains a value it does not know instead of guessing', async () => {
    lab.plex.setPref('secureConnections', 7);
    const result = await lab.scan([plexSecureConnections]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        severity: 'medium',
        evidence: expect.stringContaining('secureConnections=7'),
      }),
    ]);
  });

  it('reports "could not run" when Plex omits the setting', async () => {
    lab.plex.state.prefs = lab.plex.state.prefs.filter((p) => p.id !== 'secureConnections');
    const result = await lab.scan([plexSecureConnections]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'could-not-run',
        evidence: expect.stringContaining('secureConnections'),
      }),
    ]);
  });

  it('stays silent when Plex is down (plex-reachable reports that once)', async () => {
    lab.plex.state.mode = 'html';
    const result = await lab.scan([plexSecureConnections]);
    expect(result.checks[0]?.status).toBe('skipped');
    expect(result.findings).toEqual([]);
  });
});
