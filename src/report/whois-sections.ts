import type { AllowlistEntry, Ban } from '../domain/ban.js';
import { formatDuration } from '../kernel/duration.js';
import { untrustedText } from '../kernel/untrusted-text.js';
import type { DetectorWindow, Whois } from './whois-data.js';

/** One part of a whois answer: a heading and its lines, the same for Discord and the terminal. */
export interface WhoisSection {
  readonly title: string;
  readonly lines: readonly string[];
}

const at = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function network(w: Whois): string {
  const f = w.facts;
  return f ? `AS${f.asn} ${untrustedText(f.asName, 60)}, country ${f.country}` : 'unknown';
}

function windowLine(x: DetectorWindow): string {
  const name = `${x.sourceId} ${x.detector}`;
  const account = x.account === undefined ? '' : ` · account "${untrustedText(x.account, 40)}"`;
  // A "seen before" baseline carries no count (seen-detector.ts), a window always does.
  if (x.count === undefined) {
    const first = x.firstAt === undefined ? at(x.lastAt) : at(x.firstAt);
    return `${name}: first seen ${first}${x.flagged ? ' (reported)' : ' (learned quietly)'}${account}`;
  }
  const window = x.windowMs === undefined ? 'its window' : `a ${formatDuration(x.windowMs)} window`;
  const span = x.firstAt === undefined ? `until ${at(x.lastAt)}` : `${at(x.firstAt)} → ${at(x.lastAt)}`;
  return `${name}: ${x.count} in ${window}, ${span}${x.flagged ? ' · over the threshold' : ''}${account}`;
}

function banLine(b: Ban, now: number): string {
  const end =
    b.removedAt !== undefined
      ? `${b.removedWhy ?? 'removed'} ${at(b.removedAt)}`
      : b.expiresAt > now
        ? `until ${at(b.expiresAt)}`
        : `ran out ${at(b.expiresAt)}`;
  return `#${b.id} ${at(b.createdAt)} → ${end}: ${untrustedText(b.reason, 120)}`;
}

function bans(w: Whois): WhoisSection {
  const now = w.activeBans.map((b) =>
    b.target === w.ip
      ? `Banned now: yes, until ${at(b.expiresAt)} (${untrustedText(b.reason, 120)})`
      : `Banned now: yes, as part of ${b.target} until ${at(b.expiresAt)} (${untrustedText(b.reason, 120)})`,
  );
  return {
    title: `Bans (${w.banHistory.length})`,
    lines: [...(now.length > 0 ? now : ['Banned now: no']), ...w.banHistory.map((b) => banLine(b, w.now))],
  };
}

function allowLine(e: AllowlistEntry, now: number): string {
  const until =
    e.expiresAt === undefined
      ? ''
      : e.expiresAt > now
        ? ` until ${at(e.expiresAt)}`
        : ` (expired ${at(e.expiresAt)})`;
  return `${e.cidr}${until}: ${untrustedText(e.note, 100) || 'no note'}`;
}

function sessions(w: Whois): WhoisSection {
  if (w.sessions.kind === 'unavailable')
    return { title: 'Plex sessions now', lines: ['Plex did not answer: unknown'] };
  const list = w.sessions.sessions;
  return {
    title: `Plex sessions now (${list.length})`,
    lines:
      list.length === 0
        ? ['none']
        : list.map(
            (s) =>
              `${untrustedText(s.userTitle ?? 'unknown user', 40)} · ${untrustedText(s.title ?? '?', 60)} · ${untrustedText(s.product ?? '?', 30)} on ${untrustedText(s.platform ?? '?', 30)}`,
          ),
  };
}

function internetDb(w: Whois): string[] {
  const r = w.internetDb;
  switch (r.kind) {
    case 'off':
      return ['not asked (WHOIS_INTERNETDB is off)'];
    case 'not-public':
      return ['not asked: not a public address'];
    case 'ipv6':
      return ['not asked: InternetDB covers IPv4 only'];
    case 'not-indexed':
      return ['not indexed (never seen by its scanners; not the same as nothing open)'];
    case 'rate-limited':
      return ['InternetDB refused: too many lookups, try later'];
    case 'error':
      return ['InternetDB lookup failed'];
    case 'indexed': {
      const list = (items: readonly string[]) =>
        items.length === 0 ? 'none' : items.map((i) => untrustedText(i, 60)).join(', ');
      return [
        `ports: ${r.ports.length === 0 ? 'none' : r.ports.join(', ')}`,
        `hostnames: ${list(r.hostnames)}`,
        `tags: ${list(r.tags)}`,
        `vulns: ${list(r.vulns)}`,
      ];
    }
  }
}

/** The answer, in the order a person reads it: who, what the logs saw, what was done, who used it. */
export function whoisSections(w: Whois): WhoisSection[] {
  const older = w.findingCount - w.findings.length;
  return [
    { title: 'Address', lines: [`Scope: ${w.scope.kind} (${w.scope.reason})`, `Network: ${network(w)}`] },
    {
      title: `Seen in the logs (${w.seen.length})`,
      lines:
        w.seen.length === 0
          ? ['never']
          : w.seen.map(
              (s) =>
                `${s.sourceId}: first ${s.firstSeen ?? 'unknown'}, last ${at(s.lastAt)} · ${s.failures} failures, ${s.clientErrors} 4xx, ${s.badTokens} bad tokens`,
            ),
    },
    {
      title: `Detector windows (${w.windows.length})`,
      lines: w.windows.length === 0 ? ['none open'] : w.windows.map(windowLine),
    },
    {
      title: `Findings (${w.findingCount})`,
      lines: [
        ...w.findings.map((f) => `[${f.status}] ${f.severity} ${f.title} (last ${at(f.lastSeenAt)})`),
        ...(older > 0 ? [`${older} older not listed`] : []),
      ],
    },
    bans(w),
    { title: `Allow-list entries (${w.allows.length})`, lines: w.allows.map((e) => allowLine(e, w.now)) },
    sessions(w),
    {
      title: `Accounts seen from it (${w.accounts.length})`,
      lines: w.accounts.length === 0 ? ['none'] : w.accounts.map((a) => untrustedText(a, 60)),
    },
    { title: 'InternetDB', lines: internetDb(w) },
  ];
}
