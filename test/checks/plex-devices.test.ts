import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEW_DEVICE_WINDOW_MS, plexDevices } from '../../src/checks/plex-devices.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { ManualClock } from '../harness/manual-clock.js';

const device = (id: string, name: string, platform = 'Android') => ({
  clientIdentifier: id,
  name,
  platform,
  product: 'Plex for Android',
  createdAt: 1_767_225_600,
});

describe('plex-devices', () => {
  let lab: ExposureLab;
  let clock: ManualClock;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    clock = new ManualClock();
    lab.plex.state.devices = [device('tv-1', 'Living room TV', 'Roku'), device('phone-1', "Mum's phone")];
    lab.open([plexDevices], {}, { clock });
  });
  afterEach(() => lab.stop());

  it('learns the first baseline quietly, then reports a device never seen before', async () => {
    expect((await lab.scan([plexDevices])).findings).toEqual([]);
    expect((await lab.scan([plexDevices])).findings).toEqual([]);
    lab.plex.state.devices.push(device('evil-9', 'DESKTOP-X1', 'Windows'));
    clock.advance(60_000);
    const result = await lab.scan([plexDevices]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'new:evil-9',
        severity: 'medium',
        evidence: expect.stringContaining('name=DESKTOP-X1, platform=Windows'),
      }),
    ]);
  });

  it('keeps the new device open for a day (one alert), then folds it into the baseline', async () => {
    await lab.scan([plexDevices]);
    lab.plex.state.devices.push(device('new-2', 'iPad'));
    const first = await lab.scan([plexDevices]);
    expect(first.changes.opened.map((f) => f.key)).toEqual(['new:new-2']);
    clock.advance(3_600_000);
    const again = await lab.scan([plexDevices]);
    expect(again.changes.opened).toEqual([]);
    expect(again.changes.changed).toEqual([]);
    clock.advance(NEW_DEVICE_WINDOW_MS);
    const later = await lab.scan([plexDevices]);
    expect(later.changes.resolved.map((f) => f.key)).toEqual(['new:new-2']);
  });

  it('keeps the baseline across a restart', async () => {
    await lab.scan([plexDevices]);
    lab.open([plexDevices], {}, { clock });
    lab.plex.state.devices.push(device('after-restart', 'Chromecast'));
    expect(keysOf((await lab.scan([plexDevices])).findings)).toEqual([['new:after-restart', 'medium']]);
  });

  it('neutralises markdown and mentions in a device name chosen by the client', async () => {
    await lab.scan([plexDevices]);
    lab.plex.state.devices.push(device('x', '@everyone **pwned** `rm`'));
    const [finding] = (await lab.scan([plexDevices])).findings;
    expect(finding?.title).not.toMatch(/[@*`]/);
    expect(finding?.evidence).not.toMatch(/[@*`]/);
  });
});
