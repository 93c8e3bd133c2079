/**
 * plex-version — is the server up to date, and is its version in a known-vulnerable range?
 *
 * Why it matters: Plex servers are always on and often reachable from outside; published flaws
 * (CVE-2020-5741 was used in a real intrusion) get exploited against servers nobody updated.
 * Sources: the server's own updater (`/updater/status`) and plex.tv's public downloads feed;
 * the vulnerable ranges come from a curated table (src/exposure/plex-advisories.ts).
 * False positives: a Docker install cannot update itself (state "notify"); beta builds newer
 * than the public feed are never flagged as outdated.
 * Fix: update Plex (Settings > General, the package manager, or pull the new Docker image).
 */

import * as v from 'valibot';
import { PlexError } from '../adapters/plex/plex-client.js';
import { PlexTvError } from '../adapters/plex/plex-tv-client.js';
import { comparePlexVersions, shortPlexVersion } from '../adapters/plex/plex-version-number.js';
import { type FindingDraft, FindingDraftSchema } from '../domain/finding.js';
import { affectedRange, affects, PLEX_ADVISORIES, type PlexAdvisory } from '../exposure/plex-advisories.js';
import { requirePlex } from '../exposure/plex-availability.js';
import { readPendingUpdates } from '../exposure/plex-resources.js';
import { type Check, CheckError } from './types.js';

const UPDATE_FIX =
  'Update Plex: Settings > General > Updates, your package manager, or pull the new Docker image and recreate the container.';

export const plexVersion: Check = {
  id: 'plex-version',
  title: 'Plex version: updates and known vulnerabilities',
  async run(ctx) {
    const { identity, server } = await requirePlex(ctx);
    const version = (typeof server?.version === 'string' ? server.version : undefined) ?? identity?.version;
    if (!version || comparePlexVersions(version, version) === undefined) {
      throw new CheckError(`Plex reports a version the bot cannot read (${String(version).slice(0, 40)})`);
    }
    const platform = typeof server?.platform === 'string' ? server.platform : undefined;
    const current = shortPlexVersion(version);
    const findings: FindingDraft[] = [];

    for (const advisory of PLEX_ADVISORIES as readonly PlexAdvisory[]) {
      if (!affects(advisory, version, platform)) continue;
      findings.push({
        key: `vulnerable:${advisory.id}`,
        severity: advisory.severity,
        title: `Plex ${current} is affected by ${advisory.name}`,
        evidence: `version=${current}${platform ? ` (${platform})` : ''}; affected ${affectedRange(advisory)}: ${advisory.summary}${advisory.url ? ` — ${advisory.url}` : ''}`,
        fix: `${UPDATE_FIX} ${advisory.fixedIn ? `Version ${advisory.fixedIn} or later is fixed.` : ''}`.trim(),
      });
    }

    const [pending, latest] = await Promise.all([
      // The updater is a second opinion: its failure must not hide the advisory findings above.
      readPendingUpdates(ctx).catch((error: unknown) => {
        if (!(error instanceof PlexError)) throw error;
        ctx.logger.warn('Plex updater not readable', { reason: error.message });
        return undefined;
      }),
      ctx.shared
        .once(`plex-tv:downloads:${platform ?? 'Linux'}`, () =>
          ctx.plexTv.latestVersion(platform ?? 'Linux', ctx.signal),
        )
        .catch((error: unknown) => {
          if (!(error instanceof PlexTvError)) throw error;
          ctx.logger.warn('plex.tv downloads feed not readable', { reason: error.message });
          return undefined;
        }),
    ]);
    const reasons: string[] = [];
    const newer = (pending ?? []).filter(
      (r) => r.version && (comparePlexVersions(r.version, version) ?? 0) > 0,
    );
    for (const release of newer.slice(0, 3)) {
      const note = release.state === 'notify' ? ' (this install cannot update itself)' : '';
      reasons.push(
        `the server's updater offers ${shortPlexVersion(release.version ?? '')}, state=${release.state ?? '?'}${note}`,
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
        evidence: `version=${current}; ${reasons.join('; ')}`,
        fix: UPDATE_FIX,
      };
      findings.push(update);
      ctx.state.set('update', { version: current, finding: update });
    } else if (pending === undefined && latest === undefined) {
      // Neither source answered: unknown is not fixed, keep last scan's answer for this version.
      const last = ctx.state.get('update', v.object({ version: v.string(), finding: FindingDraftSchema }));
      if (last?.version === current) findings.push(last.finding);
    } else {
      ctx.state.set('update', null);
    }
    return findings;
  },
};
