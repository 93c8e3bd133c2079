import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEW_ACCOUNT_DEVICE_WINDOW_MS, plexAccountDevices } from '../../src/checks/plex-account-devices.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { ManualClock } from '../harness/manual-clock.js';
import { accountDevice, ownedServer } from '../harness/plex-account-fixtures.js';

const DAY = 86_400_000;

describe('plex-account-devices', () => {
  let lab: ExposureLab;
  let clock: ManualClock;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    clock = new ManualClock();
    lab.plexTv.state.resources = ownedServer();
    const recent = Math.floor(clock.now() / 1_000) - 3_600;
    lab.plexTv.account.devices = [
      accountDevice('Living room TV', { lastSeenAt: recent }),
      accountDevice("Mum's iPhone", { product: 'Plex for iOS', platform: 'iOS', lastSeenAt: recent }),
    ];
    lab.open([plexAccountDevices], {}, { clock });
  });
  afterEach(() => lab.stop());

  it('learns the list quietly on the first scan, then one medium finding naming a new device', async () => {
    expect((await lab.scan([plexAccountDevices])).findings).toEqual([]);
    const now = Math.floor(clock.now() / 1_000);
    const intruder = accountDevice('DESKTOP-7QX', {
      product: 'Plex Web',
      platform: 'Chrome',
      publicAddress: '203.0.113.77',
      createdAt: now - 120,
      lastSeenAt: now - 60,
    });
    lab.plexTv.account.devices.push(intruder);
    clock.advance(60_000);
    const result = await lab.scan([plexAccountDevices]);
    expect(keysOf(result.findings)).toEqual([[`new:${intruder.id}`, 'medium']]);
    const [finding] = result.findings;
    expect(finding?.title).toContain('DESKTOP-7QX');
    expect(finding?.evidence).toContain('name=DESKTOP-7QX, product=Plex Web, platform=Chrome');
    expect(finding?.evidence).toContain(`created ${new Date((now - 120) * 1_000).toISOString()}`);
    expect(finding?.evidence).toContain(`last seen ${new Date((now - 60) * 1_000).toISOString()}`);
    expect(finding?.evidence).toContain('public address 203.0.113.77');
    expect(finding?.action).toEqual({
      kind: 'sign-out-device',
      deviceId: String(intruder.id),
      name: 'DESKTOP-7QX',
    });
  });

  it('never proposes signing out the bot itself (its own client identifier)', async () => {
    expect((await lab.scan([plexAccountDevices])).findings).toEqual([]);
    const self = accountDevice('plex-warden', {
      product: 'plex-warden',
      clientIdentifier: lab.ctx.repos.settings.plexClientIdentifier(),
    });
    const stranger = accountDevice('DESKTOP-7QX');
    lab.plexTv.account.devices.push(self, stranger);
    clock.advance(60_000);
    const result = await lab.scan([plexAccountDevices]);
    expect(keysOf(result.findings)).toEqual([[`new:${stranger.id}`, 'medium']]);
  });

  it("names the new device's network and country where the shipped databases know them", async () => {
    const facts = {
      lookup: (ip: string) =>
        ip === '203.0.113.77' ? { asn: 64500, asName: 'Example Hosting', country: 'NL' } : undefined,
    };
    lab.open([plexAccountDevices], {}, { clock, addressFacts: facts });
    await lab.scan([plexAccountDevices]);
    lab.plexTv.account.devices.push(accountDevice('DESKTOP-7QX', { publicAddress: '203.0.113.77' }));
    clock.advance(60_000);
    const [finding] = (await lab.scan([plexAccountDevices])).findings;
    expect(finding?.evidence).toContain('public address 203.0.113.77 · AS64500 Example Hosting · NL');
  });

  it('lists devices unused for DEVICE_STALE_AFTER in one low finding', async () => {
    lab.open([plexAccountDevices], { DEVICE_STALE_AFTER: '30d' }, { clock });
    const old = Math.floor((clock.now() - 45 * DAY) / 1_000);
    lab.plexTv.account.devices.push(
      accountDevice('Old laptop', { product: 'Plex for Windows', lastSeenAt: old }),
      accountDevice('Hotel TV', { product: 'Plex for Roku', lastSeenAt: old - 86_400 }),
    );
    expect((await lab.scan([plexAccountDevices])).findings).toEqual([]);
    const result = await lab.scan([plexAccountDevices]);
    expect(keysOf(result.findings)).toEqual([['stale', 'low']]);
    expect(result.findings[0]?.title).toBe('2 devices signed in but unused: sign them out');
    expect(result.findings[0]?.evidence).toMatch(/Hotel TV .*; Old laptop/);
    expect(result.findings[0]?.evidence).not.toContain('Living room TV');
  });

  it('a device signed out is resolved on the next scan; after a day a new one joins the list', async () => {
    await lab.scan([plexAccountDevices]);
    const newcomer = accountDevice('iPad');
    lab.plexTv.account.devices.push(newcomer);
    expect((await lab.scan([plexAccountDevices])).changes.opened.map((f) => f.key)).toEqual([
      `new:${newcomer.id}`,
    ]);
    clock.advance(NEW_ACCOUNT_DEVICE_WINDOW_MS);
    expect((await lab.scan([plexAccountDevices])).changes.resolved.map((f) => f.key)).toEqual([
      `new:${newcomer.id}`,
    ]);
    const second = accountDevice('Chromecast');
    lab.plexTv.account.devices.push(second);
    await lab.scan([plexAccountDevices]);
    lab.plexTv.account.devices = lab.plexTv.account.devices.filter((d) => d.id !== second.id);
    expect((await lab.scan([plexAccountDevices])).changes.resolved.map((f) => f.key)).toEqual([
      `new:${second.id}`,
    ]);
  });

  it('never keeps, shows or stores a device token', async () => {
    await lab.scan([plexAccountDevices]);
    const fresh = accountDevice('Phone');
    lab.plexTv.account.devices.push(fresh);
    const result = await lab.scan([plexAccountDevices]);
    const devices = await lab.ctx.plexTv.devices();
    expect(JSON.stringify(devices)).not.toMatch(/SECRET/);
    expect(JSON.stringify(result)).not.toMatch(/SECRET/);
    expect(result.findings).toHaveLength(1);
  });

  it('neutralises markdown and mentions in a device name', async () => {
    await lab.scan([plexAccountDevices]);
    lab.plexTv.account.devices.push(accountDevice('@everyone **pwned** `x`'));
    const [finding] = (await lab.scan([plexAccountDevices])).findings;
    expect(finding?.title).not.toMatch(/[@*`]/);
    expect(finding?.evidence).not.toMatch(/[@*`]/);
  });

  it('stays quiet (skipped, reported by plex-account) without the owner’s token', async () => {
    lab.plexTv.state.resources = ownedServer(false);
    const result = await lab.scan([plexAccountDevices]);
    expect(result.findings).toEqual([]);
    expect(lab.plexTv.requests.some((r) => r.path === '/devices.xml')).toBe(false);
  });
});
