import type { FakeAccountDevice, FakeSharedUser } from './fake-plex-tv.js';

/** The fake Plex's machineIdentifier (fake-plex.ts identity). */
export const SERVER_ID = 'a'.repeat(40);

/**
 * The server as an owned resource of the account (`/api/v2/resources`: clientIdentifier, owned,
 * as python-plexapi's MyPlexResource reads them).
 */
export function ownedServer(owned = true): unknown[] {
  return [
    {
      name: 'Home server',
      product: 'Plex Media Server',
      provides: 'server',
      clientIdentifier: SERVER_ID,
      owned,
      connections: [],
    },
  ];
}

let nextDevice = 500_000_001;
/** A `devices.xml` Device (MyPlexDevice attributes), with its own token as plex.tv sends it. */
export function accountDevice(name: string, over: Partial<FakeAccountDevice> = {}): FakeAccountDevice {
  const id = nextDevice++;
  return {
    id,
    name,
    product: 'Plex for Android (TV)',
    productVersion: '10.26.0.3232',
    platform: 'Android',
    platformVersion: '12',
    device: 'SHIELD Android TV',
    clientIdentifier: `client-${id}`,
    provides: 'player,client',
    publicAddress: '198.51.100.20',
    createdAt: 1_767_000_000,
    lastSeenAt: 1_767_000_000,
    token: `device-token-${id}-SECRET`,
    connections: ['http://192.168.1.40:32500'],
    ...over,
  };
}

/** A `/api/users` User (MyPlexUser) sharing SERVER_ID (MyPlexServerShare). */
export function sharedUser(id: number, username: string, over: Partial<FakeSharedUser> = {}): FakeSharedUser {
  return {
    id,
    title: username,
    username,
    email: `${username}@example.com`,
    home: false,
    restricted: false,
    allowSync: false,
    allowCameraUpload: false,
    allowChannels: false,
    servers: [
      {
        id: id * 10,
        serverId: 9_000,
        machineIdentifier: SERVER_ID,
        name: 'Home server',
        lastSeenAt: 1_767_000_000,
        numLibraries: 2,
        allLibraries: false,
        owned: true,
        pending: false,
      },
    ],
    ...over,
  };
}
