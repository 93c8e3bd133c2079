/**
 * plex-account-signals — signs that one Plex user's account is used by more than one person,
 * from the streams playing now (Tracearr's and JBOPS's rules, see exposure/account-signal-rules):
 * - a country this user has never streamed from (medium);
 * - more public addresses at once than SHARING_MAX_ADDRESSES (IPv6 counted per /64) (medium);
 * - impossible travel: two places of the user further apart than TRAVEL_MAX_SPEED could cover in
 *   the time between the streams (high). Needs city data (IP_CITY_DB); without it this part is
 *   off and /status and the doctor say so.
 *
 * Why it matters: a shared or leaked password looks exactly like this, and each extra viewer
 * holds a token to the server.
 * LAN streams and streams from the household's own public address never count. The first scan
 * learns every user's countries quietly, and so does a user's first stream from a single
 * country; countries and recent sessions are kept in the database (bounded) across restarts.
 * False positives: travel and holidays (a new country), a phone switching between Wi-Fi and
 * mobile data (two addresses), VPNs and corporate proxies (a far-away exit).
 * Fix: ask the user. If it is not them: approve the stream-stop proposal, then remove their
 * access or have them change the password with "sign out connected devices". Never automatic.
 */
import * as v from 'valibot';
import type { SeenSession, UserCountry } from '../domain/account-signals.js';
import type { FindingDraft, SuggestedAction } from '../domain/finding.js';
import { impossibleTrip, sharers, type Trip, travelWindowMs } from '../exposure/account-signal-rules.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { currentSessions, type PlexSession } from '../exposure/plex-resources.js';
import { formatDuration } from '../kernel/duration.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import { addressLabel } from '../net/address-label.js';
import { isRemoteSession, STOP_REASON } from './plex-sessions.js';
import type { CheckContext } from './types.js';

/** A country counts as new for a day: the same evening's streams stay one alert. */
export const NEW_COUNTRY_WINDOW_MS = 24 * 3_600_000;

interface Live {
  readonly plex: PlexSession;
  readonly seen: SeenSession;
  readonly who: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function userKeyOf(s: PlexSession): string | undefined {
  if (s.userId !== undefined) return `id:${s.userId}`;
  return s.userTitle === undefined ? undefined : `name:${s.userTitle}`;
}

function whoOf(s: PlexSession): string {
  const name = untrustedText(s.userTitle, 40);
  return s.userId === 1 ? `${name} (the owner account)` : name;
}

function stopAction(live: Live): SuggestedAction | undefined {
  const id = live.plex.sessionId;
  return id === undefined
    ? undefined
    : { kind: 'stop-stream', sessionId: id, user: live.who, address: live.seen.address, reason: STOP_REASON };
}

const withAction = (draft: FindingDraft, live: Live): FindingDraft => {
  const action = stopAction(live);
  return action ? { ...draft, action } : draft;
};

/** `81.2.69.142 · AS… · GB (London)`: the address label, with the city when there is one. */
function place(ctx: CheckContext, s: SeenSession): string {
  const label = addressLabel(s.address, ctx.addressFacts);
  return s.city ? `${label} (${untrustedText(s.city, 40)})` : label;
}

/** What the scans saw of one remote session: first seen kept from earlier scans. */
function observe(
  ctx: CheckContext,
  s: PlexSession,
  user: string,
  now: number,
  earlier: SeenSession[],
): SeenSession {
  const address = s.address ?? 'unknown';
  const session = s.sessionId ?? `${address}/${s.device ?? s.product ?? '?'}`;
  const before = earlier.find((e) => e.session === session);
  const facts = ctx.addressFacts?.lookup(address);
  const location = ctx.locations.lookup(address);
  const country = facts && facts.country !== '??' ? facts.country : location?.country;
  return {
    user,
    session,
    address,
    device: s.device,
    country,
    city: location?.city,
    latitude: location?.latitude,
    longitude: location?.longitude,
    accuracyKm: location?.accuracyKm,
    firstSeen: before?.firstSeen ?? now,
    lastSeen: now,
  };
}

function newCountryFindings(
  ctx: CheckContext,
  user: string,
  live: readonly Live[],
  quiet: boolean,
  now: number,
  learned: UserCountry[],
): FindingDraft[] {
  const known = ctx.accountSignals.countries(user);
  const shown = [...new Set(live.flatMap((l) => (l.seen.country ? [l.seen.country] : [])))];
  // A user never seen before, from one country: their home, learned quietly.
  const firstHome = known.size === 0 && shown.length === 1;
  const findings: FindingDraft[] = [];
  for (const country of shown) {
    const firstSeen = known.get(country) ?? (quiet || firstHome ? 0 : now);
    learned.push({ user, country, firstSeen });
    if (firstSeen === 0 || now - firstSeen >= NEW_COUNTRY_WINDOW_MS) continue;
    const here = live.filter((l) => l.seen.country === country);
    const first = here[0];
    if (!first) continue;
    const before = [...known.keys()].filter((c) => c !== country).sort();
    findings.push(
      withAction(
        {
          key: `new-country:${keyPart(user)}:${country}`,
          severity: 'medium',
          title: `${first.who} is streaming from a country never seen for them: ${country}`,
          evidence: `user=${first.who}; ${here.map((l) => `${place(ctx, l.seen)} since ${iso(l.seen.firstSeen)}`).join('; ')}; countries seen before: ${before.length > 0 ? before.join(', ') : 'none'}.`,
          fix: 'If this is not a trip of theirs, the account is shared or its password leaked: ask them, stop the stream (the proposal), then remove their access or have them change the password with "sign out connected devices".',
        },
        first,
      ),
    );
  }
  return findings;
}

function sharingFinding(ctx: CheckContext, user: string, live: readonly Live[]): FindingDraft | undefined {
  const max = ctx.config.signals.sharingMaxAddresses;
  const groups = sharers(live.map((l) => ({ address: l.seen.address, live: l })));
  if (groups.size <= max) return undefined;
  const lines = [...groups.entries()].map(([key, members]) => {
    const addresses = [...new Set(members.map((m) => m.address))];
    const since = Math.min(...members.map((m) => m.live.seen.firstSeen));
    const label = addresses.map((a) => addressLabel(a, ctx.addressFacts)).join(', ');
    return addresses.length > 1 || key.includes('/')
      ? `${key} (${label}) since ${iso(since)}`
      : `${label} since ${iso(since)}`;
  });
  // JBOPS kill_more_than.py stops the stream that came last; so does the proposal.
  const newest = [...live].sort((a, b) => b.seen.firstSeen - a.seen.firstSeen)[0];
  if (!newest) return undefined;
  return withAction(
    {
      key: `sharing:${keyPart(user)}`,
      severity: 'medium',
      title: `${newest.who} is streaming from ${groups.size} public addresses at once (more than ${max})`,
      evidence: `user=${newest.who}; ${lines.join('; ')}. Limit SHARING_MAX_ADDRESSES=${max}; IPv6 counts per /64, LAN and the household's own address not at all.`,
      fix: 'Several homes on one account: ask the user. If it is not theirs, stop the newest stream (the proposal) and remove their access or have them change the password; raise SHARING_MAX_ADDRESSES if they really travel with several devices.',
    },
    newest,
  );
}

function travelFinding(ctx: CheckContext, live: Live, trip: Trip): FindingDraft {
  const { from, to } = trip;
  const max = ctx.config.signals.travelMaxSpeedKmh;
  const km = Math.round(trip.distanceKm).toLocaleString('en-US');
  const how =
    trip.gapMs === 0
      ? 'both playing at the same time'
      : `${formatDuration(trip.gapMs)} apart = ${Math.round(trip.speedKmh).toLocaleString('en-US')} km/h`;
  const cities = `${untrustedText(from.city, 40)} → ${untrustedText(to.city, 40)}`;
  return withAction(
    {
      key: `travel:${keyPart(to.user)}:${keyPart(from.session, 40)}:${keyPart(to.session, 40)}`,
      severity: 'high',
      title: `Impossible travel for ${live.who}: ${cities}, ${km} km`,
      evidence: `user=${live.who}; ${place(ctx, from)} last seen ${iso(from.lastSeen)}; ${place(ctx, to)} first seen ${iso(to.firstSeen)}; at least ${km} km (less the databases' accuracy), ${how}; TRAVEL_MAX_SPEED=${max} km/h.`,
      fix: 'Nobody streams from two places this far apart this fast: the account is shared or its password or token leaked. Stop the stream (the proposal), then remove their access or have them change the password with "sign out connected devices".',
    },
    live,
  );
}

export const plexAccountSignals = plexCheck({
  id: 'plex-account-signals',
  title: 'Account sharing signals (new country, many addresses, impossible travel)',
  async run(ctx) {
    const sessions = await currentSessions(ctx);
    const now = ctx.clock.now();
    const quiet = ctx.state.get('learned', v.literal(true)) === undefined;
    const maxSpeed = ctx.config.signals.travelMaxSpeedKmh;
    const since = now - travelWindowMs(maxSpeed);
    const travel = ctx.locations.state().available;
    const byUser = new Map<string, PlexSession[]>();
    for (const s of sessions) {
      const user = userKeyOf(s);
      // No address: nothing to place or count (plex-sessions still reports the stream).
      if (!user || s.address === undefined || !isRemoteSession(s, ctx.scope)) continue;
      byUser.set(user, [...(byUser.get(user) ?? []), s]);
    }
    const findings: FindingDraft[] = [];
    const countries: UserCountry[] = [];
    const seen: SeenSession[] = [];
    for (const [user, list] of byUser) {
      const earlier = ctx.accountSignals.sessions(user, since);
      const live = list.map((s) => ({ plex: s, seen: observe(ctx, s, user, now, earlier), who: whoOf(s) }));
      seen.push(...live.map((l) => l.seen));
      findings.push(...newCountryFindings(ctx, user, live, quiet, now, countries));
      const sharing = sharingFinding(ctx, user, live);
      if (sharing) findings.push(sharing);
      if (!travel || quiet) continue;
      const current = new Set(live.map((l) => l.seen.session));
      const others = [...earlier.filter((e) => !current.has(e.session)), ...live.map((l) => l.seen)];
      for (const l of live) {
        const trip = impossibleTrip(l.seen, others, maxSpeed);
        if (trip) findings.push(travelFinding(ctx, l, trip));
      }
    }
    ctx.accountSignals.commit({ now, countries, sessions: seen, keepSessionsSince: since });
    if (quiet) {
      ctx.state.set('learned', true);
      ctx.logger.info('account signals learned', { users: byUser.size, countries: countries.length });
    }
    return findings;
  },
});
