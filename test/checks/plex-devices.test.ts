import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEW_DEVICE_WINDOW_MS, plexDevices } from '../../src/checks/plex-devices.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { ManualClock } from '../harness/manual-clock.js';

// Shape of a real `GET /devices` entry: id, name, platform (often empty), clientIdentifier,
// createdAt; no product (https://www.plexopedia.com/plex-media-server/api/server/devices/).
let nextId = 1;
const device = (clientIdentifier: string, name: string, platform = 'Android') => ({
  id: nextId++,
  name,
  platform,
  clientIdentifier,
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

describe('plex-devices on older servers', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it("keys devices without clientIdentifier by the server's id, and skips entries with neither", async () => {
    lab.open([plexDevices], {}, { clock: new ManualClock() });
    lab.plex.state.devices = [{ id: 1, name: 'Plex Web (Firefox)', platform: '', createdAt: 1_451_188_204 }];
    expect((await lab.scan([plexDevices])).findings).toEqual([]);
    lab.plex.state.devices.push({ id: 2, name: 'Desktop', platform: '', createdAt: 1_451_189_307 });
    lab.plex.state.devices.push({ name: 'no identity at all' });
    const result = await lab.scan([plexDevices]);
    expect(keysOf(result.findings)).toEqual([['new:id:2', 'medium']]);
    expect(result.findings[0]?.evidence).not.toContain('product=');
  });

  it('reports an answer whose Device is not a list as could-not-run, naming the field', async () => {
    lab.open([plexDevices], {}, { clock: new ManualClock() });
    lab.plex.state.routes['/devices'] = {
      status: 200,
      body: { MediaContainer: { size: 1, Device: { id: 1 } } },
    };
    const result = await lab.scan([plexDevices]);
    expect(keysOf(result.findings)).toEqual([['could-not-run', 'low']]);
    expect(result.findings[0]?.evidence).toContain('GET /devices answered an unexpected shape at Device');
  });
});
