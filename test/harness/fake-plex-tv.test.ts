import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePlexTvFeeds } from './fake-plex-tv-feeds.js';
import { accountDevice, sharedUser } from './plex-account-fixtures.js';

/** The fake plex.tv account is only useful if it is as strict as plex.tv. */
describe('fake plex.tv account', () => {
  let tv: FakePlexTvFeeds;
  beforeEach(async () => {
    tv = new FakePlexTvFeeds();
    await tv.start();
    tv.account.devices = [accountDevice('TV')];
    tv.account.users = [sharedUser(7, 'friend')];
  });
  afterEach(() => tv.stop());

  const call = async (method: 'GET' | 'DELETE', path: string, headers: Record<string, string> = {}) => {
    const res = await request(`${tv.url}${path}`, { method, headers });
    return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
  };
  const owner = () => ({ 'x-plex-token': tv.account.ownerToken });

  it('refuses every account endpoint without the owner’s token, and changes nothing', async () => {
    for (const [method, path] of [
      ['GET', '/api/v2/user'],
      ['GET', '/devices.xml'],
      ['GET', '/api/users'],
      ['DELETE', `/devices/${tv.account.devices[0]?.id}.xml`],
      ['DELETE', '/api/v2/sharings/7'],
    ] as const) {
      expect((await call(method, path, { 'x-plex-token': 'a-friends-token' })).status).toBe(401);
      expect((await call(method, path)).status).toBe(401);
    }
    expect(tv.account.devices).toHaveLength(1);
    expect(tv.account.users).toHaveLength(1);
    expect(tv.account.changes).toEqual([]);
  });

  it('answers devices.xml and /api/users as XML whatever Accept says, with the device token in it', async () => {
    const devices = await call('GET', '/devices.xml', { ...owner(), accept: 'application/json' });
    expect(devices.type).toMatch(/xml/);
    expect(devices.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<MediaContainer /);
    expect(devices.text).toMatch(/<Device [^>]*token="device-token-\d+-SECRET"/);
    expect(devices.text).toMatch(/<Connection uri="http:\/\/192\.168\.1\.40:32500"\/>/);
    const users = await call('GET', '/api/users', owner());
    expect(users.text).toMatch(/<User [^>]*username="friend"[^>]*><Server [^>]*allLibraries="0"/);
  });

  it('answers /api/v2/user as JSON with Accept: application/json and as XML without', async () => {
    const json = await call('GET', '/api/v2/user', { ...owner(), accept: 'application/json' });
    expect(JSON.parse(json.text)).toMatchObject({ twoFactorEnabled: true, backupCodesCreated: true });
    const xml = await call('GET', '/api/v2/user', owner());
    expect(xml.type).toMatch(/xml/);
    expect(xml.text).toContain('twoFactorEnabled="1"');
  });

  it('deletes only the device or share named, and 404s what is not there', async () => {
    const id = tv.account.devices[0]?.id;
    expect((await call('DELETE', `/devices/${id}.xml`, owner())).status).toBe(200);
    expect((await call('DELETE', `/devices/${id}.xml`, owner())).status).toBe(404);
    expect((await call('DELETE', '/api/home/users/7', owner())).status).toBe(404);
    expect((await call('DELETE', '/api/v2/sharings/7', owner())).status).toBe(204);
    expect(tv.account.changes.map((c) => c.path)).toEqual([`/devices/${id}.xml`, '/api/v2/sharings/7']);
  });
});
