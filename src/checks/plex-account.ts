/**
 * plex-account — two-factor sign-in on the plex.tv account that owns the server.
 *
 * Why it matters: the owner's password opens every library, every device and every share; after
 * plex.tv's 2022 breach owners were told to reset it and sign out every device. Two-factor keeps a
 * leaked password from being enough; backup codes keep the owner from being locked out (and from
 * turning two-factor off again to get back in).
 * Reads `GET https://plex.tv/api/v2/user` with the owner's token: `twoFactorEnabled` and
 * `backupCodesCreated` (python-plexapi plexapi/myplex.py, MyPlexAccount). Runs only when
 * PLEX_TOKEN is the owner's (the server is listed as `owned` in the account's resources); says so
 * otherwise, and the other account checks stay quiet.
 * False positives: none known; an account that signs in only through Google/Apple/Facebook still
 * has a plex.tv two-factor setting of its own.
 * Fix: plex.tv > Account settings > Security: turn on two-step verification, save backup codes.
 */
import type { FindingDraft } from '../domain/finding.js';
import { ownerVerdict } from '../exposure/plex-account.js';
import type { Check } from './types.js';

const SETTINGS = 'https://www.plex.tv/account/ (Account settings > Security)';

export const plexAccount: Check = {
  id: 'plex-account',
  title: 'Two-factor sign-in on the Plex account',
  async run(ctx) {
    const verdict = await ownerVerdict(ctx);
    if (verdict.kind === 'not-owner') {
      return [
        {
          key: 'not-owner',
          severity: 'info',
          title: "The Plex account checks need the server owner's token",
          evidence: `${verdict.why}; two-factor, signed-in devices and shares were not checked.`,
          fix: "Set PLEX_TOKEN to the server owner's token (plex-warden plex-login signs in as the owner).",
        },
      ];
    }
    const account = await ctx.plexTv.account(ctx.signal);
    const findings: FindingDraft[] = [];
    if (!account.twoFactorEnabled) {
      findings.push({
        key: 'two-factor-off',
        severity: 'high',
        title: 'Two-factor sign-in is off on the Plex account that owns the server',
        evidence: `plex.tv /api/v2/user: twoFactorEnabled=false, hasPassword=${account.hasPassword}. A leaked or reused password alone opens the account, its server and every share.`,
        fix: `Turn on two-step verification at ${SETTINGS} and save the backup codes somewhere safe.`,
      });
    } else if (!account.backupCodesCreated) {
      findings.push({
        key: 'no-backup-codes',
        severity: 'low',
        title: 'Two-factor is on, but no backup codes were created',
        evidence: 'plex.tv /api/v2/user: twoFactorEnabled=true, backupCodesCreated=false.',
        fix: `Create backup codes at ${SETTINGS}: a lost phone then does not lock the owner out.`,
      });
    }
    return findings;
  },
};
