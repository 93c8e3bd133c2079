import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plexRemoteAccess } from '../../src/checks/plex-remote-access.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';

describe('plex-remote-access', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  const mapped = () => {
    lab.plex.state.myplexAccount = {
      ...lab.plex.state.myplexAccount,
      mappingState: 'mapped',
      publicAddress: '203.0.113.7',
      publicPort: 32400,
    };
  };

  it('is quiet with Remote Access off and nothing mapped', async () => {
    expect((await lab.scan([plexRemoteAccess])).findings).toEqual([]);
  });

  it('reports Remote Access on (low) with the public address and the setting', async () => {
    lab.plex.setPref('PublishServerOnPlexOnlineKey', true);
    mapped();
    const result = await lab.scan([plexRemoteAccess]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'enabled',
        severity: 'low',
        evidence: 'PublishServerOnPlexOnlineKey=1, mappingState=mapped, public address 203.0.113.7:32400',
      }),
    ]);
  });

  it('reads 1/0 booleans as well as true/false', async () => {
    lab.plex.setPref('PublishServerOnPlexOnlineKey', '1');
    mapped();
    expect(keysOf((await lab.scan([plexRemoteAccess])).findings)).toEqual([['enabled', 'low']]);
  });

  it('adds the mapping error when Remote Access is on but not mapped', async () => {
    lab.plex.setPref('PublishServerOnPlexOnlineKey', true);
    lab.plex.state.myplexAccount.mappingState = 'unknown';
    lab.plex.state.myplexAccount.mappingError = 'unreachable';
    const result = await lab.scan([plexRemoteAccess]);
    expect(keysOf(result.findings)).toEqual([
      ['enabled', 'low'],
      ['mapping-failed', 'info'],
    ]);
    expect(result.findings.find((f) => f.key === 'mapping-failed')?.evidence).toContain(
      'mappingError=unreachable',
    );
  });

  it('flags a mapping that survives Remote Access being switched off (medium)', async () => {
    mapped();
    const result = await lab.scan([plexRemoteAccess]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'still-mapped',
        severity: 'medium',
        evidence: expect.stringContaining('PublishServerOnPlexOnlineKey=0, mappingState=mapped'),
      }),
    ]);
  });

  it('flags a manual port forward left behind with Remote Access off (medium)', async () => {
    lab.plex.setPref('ManualPortMappingMode', true);
    lab.plex.setPref('ManualPortMappingPort', 44400);
    const result = await lab.scan([plexRemoteAccess]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'manual-port',
        severity: 'medium',
        evidence: 'ManualPortMappingMode=1, ManualPortMappingPort=44400, PublishServerOnPlexOnlineKey=0',
        fix: expect.stringContaining('44400'),
      }),
    ]);
  });

  it('resolves the finding once Remote Access is switched off again', async () => {
    lab.plex.setPref('PublishServerOnPlexOnlineKey', true);
    mapped();
    await lab.scan([plexRemoteAccess]);
    lab.plex.setPref('PublishServerOnPlexOnlineKey', false);
    lab.plex.state.myplexAccount.mappingState = 'unknown';
    const second = await lab.scan([plexRemoteAccess]);
    expect(second.changes.resolved.map((f) => f.key)).toEqual(['enabled']);
  });
});
