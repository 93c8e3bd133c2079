import { badPlexToken } from './bad-plex-token.js';
import { bruteForce } from './brute-force.js';
import { firstSeenRemote } from './first-seen-remote.js';
import { ownerNewAddress } from './owner-new-address.js';
import { probing } from './probing.js';
import type { Detector } from './types.js';

/** Every log detector; LOG_DETECTORS_<KIND> picks among these ids (config derives them from here). */
export const detectors = [
  bruteForce,
  probing,
  badPlexToken,
  firstSeenRemote,
  ownerNewAddress,
] as const satisfies readonly Detector[];

export type LogDetectorId = (typeof detectors)[number]['id'];
export const LOG_DETECTOR_IDS: readonly LogDetectorId[] = detectors.map((d) => d.id);
