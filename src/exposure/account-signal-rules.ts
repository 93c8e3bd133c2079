/**
 * The account-sharing rules of plex-account-signals, as pure functions over what the scans saw.
 * After Tracearr's rule engine (connorgallopo/Tracearr apps/server/src/services/rules.ts:
 * `impossible_travel` compares a user's session with their earlier ones by distance over time,
 * skipping the same device; `device_velocity` counts a user's distinct addresses with IPv6 masked
 * to a /64, apps/server/src/utils/ip.ts toIpNetworkKey) and JBOPS (blacktwin/JBOPS
 * killstream/kill_more_than.py: a user's streams from different addresses beyond a limit, the
 * newest one is the one to stop). Here they only detect; stopping is a proposal.
 */
import type { SeenSession } from '../domain/account-signals.js';
import { ipv6Range } from '../logs/detectors/ipv6-range.js';
import { EARTH_MEAN_RADIUS_KM, greatCircleKm } from '../net/great-circle.js';

/**
 * Places closer than this are never "travel": city databases place a city's addresses tens of
 * kilometres off. Tracearr's `simultaneous_locations` rule defaults to the same 100 km
 * (apps/web/src/pages/Rules.tsx DEFAULT_PARAMS: minDistanceKm 100).
 */
export const MIN_TRAVEL_KM = 100;

/**
 * IPv6 addresses count once per /64: one subscriber line rotates addresses inside it. Tautulli
 * does the same for its concurrent-streams notice (Tautulli plexpy/notification_handler.py
 * `on_concurrent` with NOTIFY_CONCURRENT_BY_IP groups IPv6 by helpers.get_ipv6_network_address,
 * plexpy/config.py NOTIFY_CONCURRENT_IPV6_CIDR default '/64'), as does Tracearr (prefix 64).
 */
export const SHARING_IPV6_PREFIX = 64;

/** The key under which an address counts as one sharer: itself, or its IPv6 /64. */
export function sharerKey(address: string): string {
  return ipv6Range(address, SHARING_IPV6_PREFIX) ?? address;
}

/** Addresses grouped by sharer key, in the order first seen. */
export function sharers<T extends { readonly address: string }>(sessions: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const s of sessions) {
    const key = sharerKey(s.address);
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  return groups;
}

/**
 * How long ago a session can matter to impossible travel: after the time it takes to cross half
 * the earth (the longest great circle) at the allowed speed, every trip is possible.
 */
export function travelWindowMs(maxSpeedKmh: number): number {
  return Math.ceil(((Math.PI * EARTH_MEAN_RADIUS_KM) / maxSpeedKmh) * 3_600_000);
}

export interface Trip {
  readonly from: SeenSession;
  readonly to: SeenSession;
  /** Great-circle distance less both accuracy radii (never more than what was certainly covered). */
  readonly distanceKm: number;
  /** `to.firstSeen - from.lastSeen`, 0 when both were playing at the same time. */
  readonly gapMs: number;
  /** Infinity when both were playing at once. */
  readonly speedKmh: number;
}

const placed = (s: SeenSession) =>
  s.latitude !== undefined && s.longitude !== undefined && s.city !== undefined;

/**
 * The trip from an earlier session to a later one, or undefined when it is not comparable: no
 * city-level place for either (a country's centre is not a place), the same session, or the
 * same device (one player moving between networks, e.g. a VPN, as Tracearr skips it).
 * The time is the longest the user could have had: from the last scan that saw the first session
 * to the first scan that saw the second; the distance the shortest: less both accuracy radii.
 * So a trip called impossible is impossible however the scans fell.
 */
export function tripBetween(from: SeenSession, to: SeenSession): Trip | undefined {
  if (from.session === to.session || !placed(from) || !placed(to)) return undefined;
  if (from.device !== undefined && from.device === to.device) return undefined;
  const km =
    greatCircleKm(
      { latitude: from.latitude ?? 0, longitude: from.longitude ?? 0 },
      { latitude: to.latitude ?? 0, longitude: to.longitude ?? 0 },
    ) -
    (from.accuracyKm ?? 0) -
    (to.accuracyKm ?? 0);
  const distanceKm = Math.max(0, km);
  const gapMs = Math.max(0, to.firstSeen - from.lastSeen);
  const speedKmh = gapMs === 0 ? Number.POSITIVE_INFINITY : distanceKm / (gapMs / 3_600_000);
  return { from, to, distanceKm, gapMs, speedKmh };
}

/**
 * The fastest impossible trip into `current` from any of `others`: far enough apart
 * (MIN_TRAVEL_KM), faster than allowed, and `others` started first (two sessions playing at once
 * are reported once, on the later one).
 */
export function impossibleTrip(
  current: SeenSession,
  others: readonly SeenSession[],
  maxSpeedKmh: number,
): Trip | undefined {
  let worst: Trip | undefined;
  for (const other of others) {
    const earlier =
      other.firstSeen < current.firstSeen ||
      (other.firstSeen === current.firstSeen && other.session < current.session);
    if (!earlier) continue;
    const trip = tripBetween(other, current);
    if (!trip || trip.distanceKm < MIN_TRAVEL_KM || trip.speedKmh <= maxSpeedKmh) continue;
    if (!worst || trip.speedKmh > worst.speedKmh) worst = trip;
  }
  return worst;
}
