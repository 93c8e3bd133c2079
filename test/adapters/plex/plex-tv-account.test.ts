import { describe, expect, it } from 'vitest';
import { parseAccount, parseDevices, parseSharedUsers } from '../../../src/adapters/plex/plex-tv-account.js';

const fail = (problem: string) => new Error(problem);

// devices.xml as python-plexapi's MyPlexDevice reads it (pkkid/python-plexapi plexapi/myplex.py):
// Device attributes incl. token and publicAddress, epoch-second times, Connection children.
const DEVICES = `<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer publicAddress="198.51.100.20">
<Device name="Living room" publicAddress="198.51.100.20" product="Plex for Roku" productVersion="8.2" platform="Roku" platformVersion="12" device="Roku Ultra" model="4800X" vendor="Roku" provides="player" clientIdentifier="abc" version="8.2" id="123456" token="DEVICE-TOKEN-ONE" createdAt="1700000000" lastSeenAt="1767000000" screenResolution="1920x1080" screenDensity="">
  <Connection uri="http://192.168.1.50:8060"/>
</Device>
<Device name="Odd" id="not-a-number" token="DEVICE-TOKEN-TWO"/>
<Device name="No times" id="99" accessToken="DEVICE-TOKEN-THREE" product="Plex Web" platform="Chrome"/>
</MediaContainer>`;

describe('plex.tv account parsing', () => {
  it('reads the devices, drops every token inside the parser, and skips a device without a usable id', () => {
    const devices = parseDevices(DEVICES, fail);
    expect(devices).toEqual([
      {
        id: '123456',
        name: 'Living room',
        product: 'Plex for Roku',
        platform: 'Roku',
        clientIdentifier: 'abc',
        publicAddress: '198.51.100.20',
        createdAt: 1_700_000_000_000,
        lastSeenAt: 1_767_000_000_000,
        connections: ['http://192.168.1.50:8060'],
      },
      {
        id: '99',
        name: 'No times',
        product: 'Plex Web',
        platform: 'Chrome',
        clientIdentifier: '',
        publicAddress: '',
        createdAt: undefined,
        lastSeenAt: undefined,
        connections: [],
      },
    ]);
    expect(JSON.stringify(devices)).not.toMatch(/DEVICE-TOKEN/);
  });

  it('says what is wrong with an answer that is not devices.xml, never quoting it', () => {
    expect(() => parseDevices('{"token":"DEVICE-TOKEN-ONE"}', fail)).toThrow('top level: expected XML');
    expect(() => parseDevices('<html><body>maintenance</body></html>', fail)).toThrow(/MediaContainer/);
  });

  it('reads two-factor and backup codes as booleans in any of Plex’s spellings; no twoFactorEnabled is an error', () => {
    expect(
      parseAccount({ twoFactorEnabled: 1, backupCodesCreated: '0', homeSize: 3, authToken: 'x' }, fail),
    ).toEqual({
      username: '',
      twoFactorEnabled: true,
      backupCodesCreated: false,
      hasPassword: false,
      homeAdmin: false,
      homeSize: 3,
    });
    expect(() => parseAccount({ username: 'owner' }, fail)).toThrow(/twoFactorEnabled/);
  });

  it('reads users with their server shares; home users without a username use their title', () => {
    const users = parseSharedUsers(
      `<MediaContainer size="2">
<User id="11" title="Grandma" username="grandma" home="0" allowSync="1" allowCameraUpload="0" allowChannels="0" restricted="0">
  <Server id="1" serverId="2" machineIdentifier="m1" name="Home" lastSeenAt="1767000000" numLibraries="3" allLibraries="1" owned="1" pending="0"/>
</User>
<User id="12" title="Kid" username="" home="1" restricted="1"/>
</MediaContainer>`,
      fail,
    );
    expect(
      users.map((u) => [
        u.name,
        u.home,
        u.allowSync,
        u.servers.map((s) => [s.machineIdentifier, s.allLibraries, s.numLibraries]),
      ]),
    ).toEqual([
      ['grandma', false, true, [['m1', true, 3]]],
      ['Kid', true, false, []],
    ]);
  });
});
