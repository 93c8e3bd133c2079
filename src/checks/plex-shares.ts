/**
 * plex-shares — who can reach the server's libraries: friends and Plex Home users, with what.
 *
 * Why it matters: a share is a door into the server that outlives the reason it was opened, and
 * someone with the owner's password can quietly add one. "Be cautious with user permissions" is
 * the first advice for a shared server.
 * Reads `https://plex.tv/api/users` (python-plexapi plexapi/myplex.py, MyPlexUser: home,
 * restricted, allowSync, allowCameraUpload, allowChannels; MyPlexServerShare per `Server`:
 * machineIdentifier, allLibraries, numLibraries, pending) and keeps the shares of this server.
 * The first scan learns them quietly. A share added or widened (all libraries, more libraries,
 * downloads, camera upload, channels, an invite accepted) since the last scan is medium, with a
 * removal proposal; a share removed is info. /shares lists them.
 * False positives: the owner sharing with family on purpose (the alert has done its job).
 * Fix: remove shares nobody meant (approve the proposal, or plex.tv > Manage Library Access).
 */
import * as v from 'valibot';
import type { SharedUser } from '../adapters/plex/plex-tv-account.js';
import type { FindingDraft } from '../domain/finding.js';
import { requireOwner } from '../exposure/plex-account.js';
import { requirePlex } from '../exposure/plex-availability.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import type { Check, CheckContext } from './types.js';

/** What one user may do on this server: the facts compared between scans. */
const ShareGrantSchema = v.object({
  userId: v.string(),
  name: v.string(),
  home: v.boolean(),
  restricted: v.boolean(),
  allLibraries: v.boolean(),
  numLibraries: v.optional(v.number()),
  pending: v.boolean(),
  allowSync: v.boolean(),
  allowCameraUpload: v.boolean(),
  allowChannels: v.boolean(),
});
export type ShareGrant = Readonly<v.InferOutput<typeof ShareGrantSchema>>;

const ShareBaselineSchema = v.object({ grants: v.record(v.string(), ShareGrantSchema) });

/** The users with a share of this server (plex.tv's list covers every server of the owner). */
export function grantsOf(users: readonly SharedUser[], machineIdentifier: string): ShareGrant[] {
  return users.flatMap((u) => {
    const share = u.servers.find((s) => s.machineIdentifier === machineIdentifier);
    // A home user without a Server entry still reaches the server as a member of the Home.
    if (!share && !u.home) return [];
    return [
      {
        userId: u.id,
        name: u.name,
        home: u.home,
        restricted: u.restricted,
        allLibraries: share?.allLibraries ?? false,
        ...(share?.numLibraries === undefined ? {} : { numLibraries: share.numLibraries }),
        pending: share?.pending ?? false,
        allowSync: u.allowSync,
        allowCameraUpload: u.allowCameraUpload,
        allowChannels: u.allowChannels,
      },
    ];
  });
}

/** One line per grant, as /shares and the findings show it. */
export function describeGrant(g: ShareGrant): string {
  const who = `${untrustedText(g.name, 40)} (${g.home ? (g.restricted ? 'managed home user' : 'home user') : 'friend'})`;
  const libraries = g.allLibraries
    ? 'all libraries'
    : g.numLibraries === undefined
      ? 'some libraries'
      : `${g.numLibraries} librar${g.numLibraries === 1 ? 'y' : 'ies'}`;
  const extras = [
    g.allowSync ? 'downloads allowed' : undefined,
    g.allowCameraUpload ? 'camera upload' : undefined,
    g.allowChannels ? 'channels' : undefined,
    g.pending ? 'invite pending' : undefined,
  ].filter((x) => x !== undefined);
  return `${who}: ${libraries}${extras.length > 0 ? `, ${extras.join(', ')}` : ''}`;
}

/** The ways a grant reaches further than before (empty: not wider). */
function widenings(before: ShareGrant, after: ShareGrant): string[] {
  const out: string[] = [];
  if (after.allLibraries && !before.allLibraries) out.push('now all libraries');
  else if (
    !after.allLibraries &&
    after.numLibraries !== undefined &&
    (before.numLibraries ?? 0) < after.numLibraries
  )
    out.push(`libraries ${before.numLibraries ?? '?'} → ${after.numLibraries}`);
  if (after.allowSync && !before.allowSync) out.push('downloads now allowed');
  if (after.allowCameraUpload && !before.allowCameraUpload) out.push('camera upload now allowed');
  if (after.allowChannels && !before.allowChannels) out.push('channels now allowed');
  if (before.pending && !after.pending) out.push('invite accepted');
  if (after.home && !before.home) out.push('now in the Plex Home');
  return out;
}

/** This server's shares, for the check and /shares. */
export async function readGrants(ctx: CheckContext): Promise<ShareGrant[]> {
  await requireOwner(ctx);
  const { identity } = await requirePlex(ctx);
  const users = await ctx.plexTv.sharedUsers(ctx.signal);
  return grantsOf(users, identity?.machineIdentifier ?? '');
}

export const plexShares: Check = {
  id: 'plex-shares',
  title: 'Who the Plex server is shared with',
  async run(ctx) {
    const grants = await readGrants(ctx);
    const current = Object.fromEntries(grants.map((g) => [g.userId, g]));
    const baseline = ctx.state.get('baseline', ShareBaselineSchema);
    ctx.state.set('baseline', { grants: current });
    if (!baseline) {
      ctx.logger.info('shares learned', { users: grants.length });
      return [];
    }
    const findings: FindingDraft[] = [];
    for (const grant of grants) {
      const before = baseline.grants[grant.userId];
      const changes = before ? widenings(before, grant) : ['new share'];
      if (changes.length === 0) continue;
      const name = untrustedText(grant.name, 40);
      findings.push({
        key: `wider:${keyPart(grant.userId)}:${keyPart(changes.join(','))}`,
        severity: 'medium',
        title: before
          ? `Someone's access to the server was widened: ${name}`
          : `Someone was given access to the server: ${name}`,
        evidence: `${describeGrant(grant)} (${changes.join('; ')}).`,
        fix: 'If nobody meant this: approve the removal proposal (or plex.tv > Manage Library Access), then change the Plex password.',
        action: { kind: 'remove-share', userId: grant.userId, home: grant.home, name },
      });
    }
    for (const [userId, before] of Object.entries(baseline.grants)) {
      if (current[userId]) continue;
      findings.push({
        key: `removed:${keyPart(userId)}`,
        severity: 'info',
        title: `A share of the server was removed: ${untrustedText(before.name, 40)}`,
        evidence: `Before: ${describeGrant(before)}. plex.tv no longer lists this user for this server.`,
        fix: 'Nothing to do if this was meant.',
      });
    }
    return findings;
  },
};
