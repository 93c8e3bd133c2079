import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plexLanServices } from '../../src/checks/plex-lan-services.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';

describe('plex-lan-services', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('reports GDM (on by default) as info only', async () => {
    const result = await lab.scan([plexLanServices]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'gdm',
        severity: 'info',
        evidence: expect.stringContaining('GdmEnabled=1'),
      }),
    ]);
  });

  it('reports nothing with GDM and DLNA off', async () => {
    lab.plex.setPref('GdmEnabled', '0');
    expect((await lab.scan([plexLanServices])).findings).toEqual([]);
  });

  it('flags DLNA on as low, naming the setting and its ports', async () => {
    lab.plex.setPref('DlnaEnabled', true);
    lab.plex.setPref('GdmEnabled', false);
    const result = await lab.scan([plexLanServices]);
    expect(keysOf(result.findings)).toEqual([['dlna', 'low']]);
    expect(result.findings[0]?.evidence).toBe('DlnaEnabled=1 (tcp 32469, udp 1900)');
    expect(result.findings[0]?.fix).toContain('Enable the DLNA server');
  });
});
