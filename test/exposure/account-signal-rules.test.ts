import { describe, expect, it } from 'vitest';
import type { SeenSession } from '../../src/domain/account-signals.js';
import {
  impossibleTrip,
  MIN_TRAVEL_KM,
  sharerKey,
  sharers,
  travelWindowMs,
  tripBetween,
} from '../../src/exposure/account-signal-rules.js';
import { greatCircleKm } from '../../src/net/great-circle.js';

const HOUR = 3_600_000;
const at = (
  session: string,
  latitude: number,
  longitude: number,
  firstSeen: number,
  lastSeen = firstSeen,
  extra: Partial<SeenSession> = {},
): SeenSession => ({
  user: 'id:7',
  session,
  address: '198.51.100.1',
  device: `d-${session}`,
  country: undefined,
  city: session,
  latitude,
  longitude,
  accuracyKm: 0,
  firstSeen,
  lastSeen,
  ...extra,
});

describe('great-circle distance', () => {
  it('matches known distances', () => {
    // Paris–London is ~344 km; a quarter of the equator ~10,008 km.
    expect(
      greatCircleKm({ latitude: 48.8566, longitude: 2.3522 }, { latitude: 51.5074, longitude: -0.1278 }),
    ).toBeCloseTo(343.9, 0);
    expect(greatCircleKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 90 })).toBeCloseTo(
      10_007.6,
      0,
    );
    expect(greatCircleKm({ latitude: 10, longitude: 10 }, { latitude: 10, longitude: 10 })).toBe(0);
  });
});

describe('sharers', () => {
  it('keeps IPv4 addresses apart and folds IPv6 into its /64', () => {
    expect(sharerKey('198.51.100.7')).toBe('198.51.100.7');
    expect(sharerKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    const groups = sharers([
      { address: '2001:db8:1:2::1' },
      { address: '2001:db8:1:2:ffff::9' },
      { address: '2001:db8:1:3::1' },
      { address: '198.51.100.7' },
    ]);
    expect([...groups.keys()]).toEqual(['2001:db8:1:2::/64', '2001:db8:1:3::/64', '198.51.100.7']);
  });
});

describe('trips', () => {
  const paris = (s: string, t: number, last = t, extra = {}) => at(s, 48.8566, 2.3522, t, last, extra);
  const london = (s: string, t: number, last = t, extra = {}) => at(s, 51.5074, -0.1278, t, last, extra);

  it('measures from the last sight of the first to the first sight of the second', () => {
    const trip = tripBetween(paris('a', 0, HOUR), london('b', 3 * HOUR));
    expect(trip?.gapMs).toBe(2 * HOUR);
    expect(trip?.speedKmh).toBeCloseTo(344 / 2, -1);
  });

  it('takes both accuracy radii off the distance', () => {
    const trip = tripBetween(
      paris('a', 0, 0, { accuracyKm: 100 }),
      london('b', HOUR, HOUR, { accuracyKm: 50 }),
    );
    expect(trip?.distanceKm).toBeCloseTo(344 - 150, 0);
  });

  it('is infinitely fast when both play at once', () => {
    expect(tripBetween(paris('a', 0, 5 * HOUR), london('b', HOUR))?.speedKmh).toBe(Number.POSITIVE_INFINITY);
  });

  it('does not compare the same device, the same session, or a place without a city', () => {
    expect(
      tripBetween(paris('a', 0, 0, { device: 'x' }), london('b', 1, 1, { device: 'x' })),
    ).toBeUndefined();
    expect(tripBetween(paris('a', 0), paris('a', 1))).toBeUndefined();
    expect(tripBetween(paris('a', 0, 0, { city: undefined }), london('b', 1))).toBeUndefined();
  });

  it('reports only fast trips over MIN_TRAVEL_KM, the fastest one, once for two sessions at once', () => {
    const now = 10 * HOUR;
    const cur = london('cur', now);
    const tokyo = at('tokyo', 35.68, 139.75, now - 2 * HOUR, now - HOUR);
    const slowParis = paris('slow', 0, now - 3 * HOUR);
    expect(impossibleTrip(cur, [slowParis], 500)).toBeUndefined();
    expect(impossibleTrip(cur, [slowParis, tokyo], 500)?.from.session).toBe('tokyo');
    // Closer than MIN_TRAVEL_KM is never travel, however fast.
    const near = at('near', 51.5074 + (MIN_TRAVEL_KM - 10) / 111.2, -0.1278, now, now);
    expect(impossibleTrip(london('b', now), [near], 500)).toBeUndefined();
    // Two playing at once: reported on the later (or, at a tie, the greater id) only.
    const a = paris('a', now);
    const b = london('b', now);
    expect(impossibleTrip(b, [a, b], 500)?.from.session).toBe('a');
    expect(impossibleTrip(a, [a, b], 500)).toBeUndefined();
  });

  it('keeps sessions as long as any trip could still be impossible', () => {
    expect(travelWindowMs(500)).toBe(Math.ceil((Math.PI * 6_371.0088 * HOUR) / 500));
    expect(travelWindowMs(500) / HOUR).toBeCloseTo(40, 0);
  });
});
