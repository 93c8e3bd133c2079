import type { LogDetectorId, LogDetectorSettings } from '../../config/logs.js';
import type { FindingDraft, SuggestedAction } from '../../domain/finding.js';
import type { Detection } from '../detectors/types.js';

type ActionRule = (
  ip: string,
  detection: Detection,
  settings: LogDetectorSettings,
) => SuggestedAction | undefined;

/**
 * Blocks for the source kind's LOG_BAN_DURATION, with the detector's grounds as the reason. The
 * target is the finding's key address: one address, or the IPv6 network (a /64 by default,
 * never wider than the block policy's /48) its rotating addresses shared.
 */
const block: ActionRule = (ip, detection, settings) => ({
  kind: 'block-ip',
  ip,
  durationMs: settings.banDurationMs,
  reason: detection.grounds,
});

const nothing: ActionRule = () => undefined;

/**
 * What each detector's finding proposes, in one place (fail2ban keeps the jail's action apart from
 * its filter the same way). Every detector has a row: the type fails for a missing one.
 */
export const SUGGESTED_ACTIONS = {
  'brute-force': block,
  probing: block,
  // A family device with an expired token looks the same from here: tell, do not block.
  'bad-plex-token': nothing,
  // Somebody got in: a block would not undo it; the fix is revoking sessions and passwords.
  'first-seen-remote': nothing,
  'owner-new-address': nothing,
} as const satisfies Record<LogDetectorId, ActionRule>;

/** The finding a detection becomes, with the action its detector's row suggests (if any). */
export function toFindingDraft(
  detector: LogDetectorId,
  ip: string,
  detection: Detection,
  settings: LogDetectorSettings,
): FindingDraft {
  const { grounds: _grounds, ...draft } = detection;
  const action = SUGGESTED_ACTIONS[detector](ip, detection, settings);
  return action ? { ...draft, action } : draft;
}
