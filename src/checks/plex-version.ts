/**
 * plex-version — is the server up to date, and is its version in a known-vulnerable range?
 *
 * Why it matters: Plex servers are always on and often reachable from outside; published flaws
 * (CVE-2020-5741 was used in a real intrusion) get exploited against servers nobody updated.
 * Sources: the server's own updater (`/updater/status`) and plex.tv's public downloads feed;
 * the vulnerable ranges come from a sourced table (src/exposure/plex-advisories.ts). One finding
 * names every advisory that applies; the release to update to is the highest fixed version among
 * them.
 * False positives: an install that cannot update itself (Docker, NAS packages: the updater's
 * `canInstall="0"`) still needs the update, by hand; beta builds newer than the public feed are
 * never flagged as outdated.
 * Fix: update Plex (Settings > General, the package manager, or pull the new Docker image).
 */

import * as v from 'valibot';
import { PlexError } from '../adapters/plex/plex-client.js';
import { PlexTvError, UnknownFeedPlatformError } from '../adapters/plex/plex-tv-client.js';
import { comparePlexVersions, shortPlexVersion } from '../adapters/plex/plex-version-number.js';
import { type FindingDraft, FindingDraftSchema, type Severity, severityRank } from '../domain/finding.js';
import {
  affectedRange,
  affects,
  highestFix,
  PLEX_ADVISORIES,
  type PlexAdvisory,
  publishedText,
  severityOf,
} from '../exposure/plex-advisories.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { readPendingUpdates } from '../exposure/plex-resources.js';
import { type Check, CheckError } from './types.js';

const UPDATE_FIX =
  'Update Plex: Settings > General > Updates, your package manager, or pull the new Docker image and recreate the container.';

function advisoryLine(a: PlexAdvisory): string {
  const fixed = a.fixedIn ? `fixed in ${a.fixedIn}` : `no fixed release named (affected ${affectedRange(a)})`;
  return `${a.name} [${severityOf(a)}; ${publishedText(a)}; ${fixed}]: ${a.summary} (${a.sources[0]})`;
}

function vulnerableFinding(current: string, platform: string | undefined, applying: PlexAdvisory[]) {
  const severity = applying
    .map(severityOf)
    .reduce<Severity>((top, s) => (severityRank(s) > severityRank(top) ? s : top), 'info');
  const target = highestFix(applying);
  const unfixed = applying.filter((a) => !a.fixedIn).map((a) => a.name);
  const fix = [
    UPDATE_FIX,
    target ? `Version ${target} or later fixes every advisory listed that names a fix.` : '',
    unfixed.length > 0
      ? `No source names the release that fixes ${unfixed.join(', ')}: update to the newest release.`
      : '',
  ];
  const finding: FindingDraft = {
    key: 'vulnerable',
    severity,
    title: `Plex ${current} is affected by ${applying.length} published flaw${applying.length === 1 ? '' : 's'}${target ? `; update to ${target} or later` : ''}`,
    evidence: `version=${current}${platform ? ` (${platform})` : ''}; ${applying.map(advisoryLine).join('; ')}`,
    fix: fix.filter(Boolean).join(' '),
  };
  return finding;
}

export const plexVersion: Check = plexCheck({
  id: 'plex-version',
  title: 'Plex version: updates and known vulnerabilities',
  async run(ctx, { identity, server }) {
    const version = (typeof server?.version === 'string' ? server.version : undefined) ?? identity?.version;
    if (!version || comparePlexVersions(version, version) === undefined) {
      throw new CheckError(`Plex reports a version the bot cannot read (${String(version).slice(0, 40)})`);
    }
    const platform = typeof server?.platform === 'string' ? server.platform : undefined;
    const current = shortPlexVersion(version);
    const findings: FindingDraft[] = [];

    const applying = (PLEX_ADVISORIES as readonly PlexAdvisory[]).filter((a) =>
      affects(a, version, platform),
    );
    if (applying.length > 0) findings.push(vulnerableFinding(current, platform, applying));

    const feedNote: string[] =
      platform === undefined
        ? ["the server reports no platform, so plex.tv's downloads feed was not asked"]
        : [];
    const [updater, latest] = await Promise.all([
      // The updater is a second opinion: its failure must not hide the advisory finding above.
      readPendingUpdates(ctx).catch((error: unknown) => {
        if (!(error instanceof PlexError)) throw error;
        ctx.logger.warn('Plex updater not readable', { reason: error.message });
        return undefined;
      }),
      platform === undefined
        ? Promise.resolve(undefined)
        : ctx.shared
            .once(`plex-tv:downloads:${platform}`, () => ctx.plexTv.latestVersion(platform, ctx.signal))
            .catch((error: unknown) => {
              if (!(error instanceof PlexTvError)) throw error;
              if (error instanceof UnknownFeedPlatformError) feedNote.push(error.message);
              ctx.logger.warn('plex.tv downloads feed not readable', { reason: error.message });
              return undefined;
            }),
    ]);
    const reasons: string[] = [];
    const newer = (updater?.pending ?? []).filter(
      (r) => r.version && (comparePlexVersions(r.version, version) ?? 0) > 0,
    );
    const selfUpdate =
      updater?.canInstall === false
        ? ' (this install cannot update itself: canInstall=0)'
        : updater?.canInstall === true
          ? ' (this install can update itself)'
          : '';
    for (const release of newer.slice(0, 3)) {
      reasons.push(
        `the server's updater offers ${shortPlexVersion(release.version ?? '')}, state=${release.state ?? '?'}${selfUpdate}`,
      );
    }
    if (latest && (comparePlexVersions(latest, version) ?? 0) > 0) {
      reasons.push(`plex.tv's public downloads list ${shortPlexVersion(latest)}`);
    }
    if (reasons.length > 0) {
      const update: FindingDraft = {
        key: 'update-available',
        severity: 'low',
        title: 'A newer Plex Media Server is available',
        evidence: `version=${current}; ${[...reasons, ...feedNote].join('; ')}`,
        fix: UPDATE_FIX,
      };
      findings.push(update);
      ctx.state.set('update', { version: current, finding: update });
    } else if (updater === undefined && latest === undefined) {
      // Neither source answered: unknown is not fixed, keep last scan's answer for this version.
      const last = ctx.state.get('update', v.object({ version: v.string(), finding: FindingDraftSchema }));
      if (last?.version === current) findings.push(last.finding);
    } else {
      ctx.state.set('update', null);
    }
    return findings;
  },
});
