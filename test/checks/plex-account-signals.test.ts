import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CityDatabase } from '../../src/adapters/ip-facts/city-database.js';
import type { AppContextOverrides } from '../../src/app/app-context.js';
import { NEW_COUNTRY_WINDOW_MS, plexAccountSignals } from '../../src/checks/plex-account-signals.js';
import { STOP_REASON } from '../../src/checks/plex-sessions.js';
import type { AddressFacts } from '../../src/domain/address-facts.js';
import type { Finding } from '../../src/domain/finding.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { ManualClock } from '../harness/manual-clock.js';

/**
 * Addresses of MaxMind's test data (maxmind/MaxMind-DB source-data/GeoLite2-City-Test.json), the
 * networks of the city fixture (test/fixtures/ip-city): London, Boxford (GB), Linköping (SE),
 * Milton (US); 2001:218::/32 is Japan without a city. Their networks here are a fixed table.
 */
const LONDON = '81.2.69.142';
const BOXFORD = '2.125.160.216';
const LINKOPING = '89.160.20.112';
const MILTON = '216.160.83.56';
const TOKYO_A = '2001:218::1';
const TOKYO_B = '2001:218::2';
const HOME = '198.51.100.10';

const TABLE: Record<string, AddressFacts> = {
  [LONDON]: { asn: 64500, asName: 'Example London Net', country: 'GB' },
  [BOXFORD]: { asn: 64501, asName: 'Example Oxford Net', country: 'GB' },
  [LINKOPING]: { asn: 64502, asName: 'Example Nordic Net', country: 'SE' },
  [MILTON]: { asn: 64503, asName: 'Example Cable', country: 'US' },
  [TOKYO_A]: { asn: 64504, asName: 'Example Japan Net', country: 'JP' },
  [TOKYO_B]: { asn: 64504, asName: 'Example Japan Net', country: 'JP' },
};
const facts = { lookup: (ip: string) => TABLE[ip] };
const cityFixture = (name: string) => fileURLToPath(new URL(`../fixtures/ip-city/${name}`, import.meta.url));
const withCities = () => new CityDatabase([cityFixture('geolite2-city-test.mmdb')]);

const FRIEND = { id: 7, title: 'friend' };

/** A /status/sessions item in the recorded shape (home-assistant/core plex session_base.xml). */
function session(address: string, id: string, device = `device-${id}`, user = FRIEND) {
  const lan = address.startsWith('192.168.');
  return {
    title: 'Movie',
    User: user,
    Player: {
      address,
      local: lan ? 1 : 0,
      machineIdentifier: device,
      product: 'Plex Web',
      platform: 'Chrome',
      secure: 1,
      relayed: 0,
    },
    Session: { id, location: lan ? 'lan' : 'wan', bandwidth: 4000 },
  };
}

const only = (findings: readonly Finding[], prefix: string) =>
  findings.filter((f) => f.key.startsWith(prefix));

describe('plex-account-signals', () => {
  let lab: ExposureLab;
  let clock: ManualClock;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    clock = new ManualClock();
  });
  afterEach(() => lab.stop());

  const open = (extra: Record<string, string> = {}, overrides: AppContextOverrides = {}) =>
    lab.open(
      [plexAccountSignals],
      { PUBLIC_IP: HOME, ...extra },
      { clock, addressFacts: facts, ...overrides },
    );
  const scan = () => lab.scan([plexAccountSignals]);
  const playing = (...items: unknown[]) => {
    lab.plex.state.sessions = items;
  };

  it('learns every user quietly on the first scan', async () => {
    open({}, { locations: withCities() });
    playing(session(LONDON, 's1'), session(LINKOPING, 's2', 'tv', { id: 8, title: 'cousin' }));
    expect((await scan()).findings).toEqual([]);
    clock.advance(5 * 60_000);
    expect((await scan()).findings).toEqual([]);
  });

  it('reports a new country once, with the address label and times, and a stream-stop proposal', async () => {
    open();
    playing(session(LONDON, 's1'));
    await scan();
    clock.advance(3_600_000);
    playing(session(LINKOPING, 's2'));
    const first = await scan();
    expect(keysOf(first.findings)).toEqual([['new-country:id:7:SE', 'medium']]);
    const [finding] = first.findings;
    expect(finding?.evidence).toContain(
      'user=friend; 89.160.20.112 · AS64502 Example Nordic Net · SE since 2026-01-01T01:00:00Z; countries seen before: GB.',
    );
    expect(finding?.action).toEqual({
      kind: 'stop-stream',
      sessionId: 's2',
      user: 'friend',
      address: LINKOPING,
      reason: STOP_REASON,
    });
    clock.advance(10 * 60_000);
    const again = await scan();
    expect(again.changes.opened).toEqual([]);
    expect(keysOf(again.findings)).toEqual([['new-country:id:7:SE', 'medium']]);
    // Once the day is over the country is one of theirs.
    playing();
    await scan();
    clock.advance(NEW_COUNTRY_WINDOW_MS);
    playing(session(LINKOPING, 's3'));
    expect((await scan()).findings).toEqual([]);
  });

  it('learns the single country of a user it has never seen quietly', async () => {
    open();
    playing(session(LONDON, 's1'));
    await scan();
    clock.advance(60_000);
    playing(session(LONDON, 's1'), session(MILTON, 's9', 'p', { id: 9, title: 'new friend' }));
    expect((await scan()).findings).toEqual([]);
  });

  it('two countries at once: the new one is reported, and with city data the trip too', async () => {
    open({}, { locations: withCities() });
    playing(session(LONDON, 's1'));
    await scan();
    clock.advance(60_000);
    playing(session(LONDON, 's1'), session(LINKOPING, 's2'));
    const result = await scan();
    expect(keysOf(result.findings)).toEqual([
      ['new-country:id:7:SE', 'medium'],
      ['travel:id:7:s1:s2', 'high'],
    ]);
    const travel = only(result.findings, 'travel:')[0];
    expect(travel?.title).toBe('Impossible travel for friend: London → Linköping, 1,172 km');
    expect(travel?.evidence).toContain('both playing at the same time');
    expect(travel?.action).toMatchObject({ kind: 'stop-stream', sessionId: 's2' });
  });

  it(`reports more public addresses at once than SHARING_MAX_ADDRESSES (default 2), not 2`, async () => {
    open({}, { locations: withCities() });
    await scan();
    playing(session(LONDON, 's1'), session(BOXFORD, 's2'));
    clock.advance(60_000);
    expect(only((await scan()).findings, 'sharing:')).toEqual([]);
    playing(session(LONDON, 's1'), session(BOXFORD, 's2'), session(MILTON, 's3'));
    clock.advance(60_000);
    const [sharing] = only((await scan()).findings, 'sharing:');
    expect(sharing).toMatchObject({
      key: 'sharing:id:7',
      severity: 'medium',
      title: 'friend is streaming from 3 public addresses at once (more than 2)',
    });
    expect(sharing?.evidence).toContain(
      '81.2.69.142 · AS64500 Example London Net · GB since 2026-01-01T00:01:00Z',
    );
    expect(sharing?.evidence).toContain(
      '216.160.83.56 · AS64503 Example Cable · US since 2026-01-01T00:02:00Z',
    );
    // The stream that came last is the one proposed for stopping (JBOPS kill_more_than).
    expect(sharing?.action).toMatchObject({ kind: 'stop-stream', sessionId: 's3', address: MILTON });
  });

  it('counts two IPv6 addresses of one /64 as one address', async () => {
    open();
    await scan();
    playing(session(TOKYO_A, 's1'), session(TOKYO_B, 's2'), session(LONDON, 's3'));
    clock.advance(60_000);
    expect(only((await scan()).findings, 'sharing:')).toEqual([]);
    playing(session(TOKYO_A, 's1'), session(TOKYO_B, 's2'), session(LONDON, 's3'), session(BOXFORD, 's4'));
    clock.advance(60_000);
    const [sharing] = only((await scan()).findings, 'sharing:');
    expect(sharing?.title).toContain('3 public addresses');
    expect(sharing?.evidence).toContain(
      '2001:218::/64 (2001:218::1 · AS64504 Example Japan Net · JP, 2001:218::2 · AS64504 Example Japan Net · JP)',
    );
  });

  it('never counts LAN streams or the household address: nothing for one user on LAN and WAN at home', async () => {
    open({ SHARING_MAX_ADDRESSES: '1' }, { locations: withCities() });
    playing(session(LONDON, 's0'));
    await scan();
    clock.advance(60_000);
    playing(session('192.168.1.50', 's1'), session(HOME, 's2'), session(LONDON, 's0'));
    expect((await scan()).findings).toEqual([]);
    playing(session('192.168.1.50', 's1'), session(HOME, 's2'));
    clock.advance(60_000);
    expect((await scan()).findings).toEqual([]);
  });

  it('reports impossible travel between two sessions from the fixture cities, not a plausible one', async () => {
    open({}, { locations: withCities() });
    playing(session(LONDON, 's1'));
    await scan();
    playing();
    clock.advance(60_000);
    await scan();
    // London last seen at 00:00, Linköping four hours later: ~1,200 km at ~300 km/h is a flight.
    clock.advance(4 * 3_600_000 - 60_000);
    playing(session(LINKOPING, 's2'));
    expect(only((await scan()).findings, 'travel:')).toEqual([]);
    playing();
    clock.advance(60_000);
    await scan();
    // Linköping to Milton (US) in an hour: ~7,500 km/h.
    clock.advance(3_600_000);
    playing(session(MILTON, 's3'));
    const [travel] = only((await scan()).findings, 'travel:');
    expect(travel).toMatchObject({
      key: 'travel:id:7:s2:s3',
      severity: 'high',
      title: 'Impossible travel for friend: Linköping → Milton, 7,552 km',
    });
    expect(travel?.evidence).toContain(
      '89.160.20.112 · AS64502 Example Nordic Net · SE (Linköping) last seen 2026-01-01T04:00:00Z; 216.160.83.56 · AS64503 Example Cable · US (Milton) first seen 2026-01-01T05:01:00Z',
    );
    expect(travel?.evidence).toContain(
      "7,552 km (less the databases' accuracy), 1h 1m apart = 7,428 km/h; TRAVEL_MAX_SPEED=500 km/h.",
    );
  });

  it('does not call one device moving between networks travel (a VPN), nor a country without a city', async () => {
    open({}, { locations: withCities() });
    playing(session(LONDON, 's1', 'phone'));
    await scan();
    clock.advance(60_000);
    playing(session(MILTON, 's2', 'phone'), session(TOKYO_A, 's3', 'tablet'));
    expect(only((await scan()).findings, 'travel:')).toEqual([]);
  });

  it('TRAVEL_MAX_SPEED decides what is impossible', async () => {
    open({ TRAVEL_MAX_SPEED: '2000' }, { locations: withCities() });
    playing(session(LONDON, 's1'));
    await scan();
    playing();
    clock.advance(3_600_000);
    await scan();
    playing(session(LINKOPING, 's2'));
    expect(only((await scan()).findings, 'travel:')).toEqual([]);
  });

  it('without city data impossible travel is off, the other signals still work', async () => {
    open();
    expect(lab.ctx.locations.state()).toEqual({ available: false, detail: 'IP_CITY_DB is not set' });
    playing(session(LONDON, 's1'));
    await scan();
    clock.advance(60_000);
    playing(session(LONDON, 's1'), session(MILTON, 's2'));
    expect(keysOf((await scan()).findings)).toEqual([['new-country:id:7:US', 'medium']]);
  });

  it('keeps learned countries and sessions across a restart', async () => {
    open({ IP_CITY_DB: cityFixture('geolite2-city-test.mmdb') });
    playing(session(LONDON, 's1'));
    await scan();
    playing();
    clock.advance(60_000);
    await scan();
    // The bot restarts: a new context over the same database file, no baseline again.
    open({ IP_CITY_DB: cityFixture('geolite2-city-test.mmdb') });
    expect(lab.ctx.locations.state().available).toBe(true);
    clock.advance(30 * 60_000);
    playing(session(MILTON, 's2'));
    expect(keysOf((await scan()).findings)).toEqual([
      ['new-country:id:7:US', 'medium'],
      ['travel:id:7:s1:s2', 'high'],
    ]);
  });
});
