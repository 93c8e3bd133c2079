import { badPlexToken } from './bad-plex-token.js';
import { bruteForce } from './brute-force.js';
import { firstSeenRemote } from './first-seen-remote.js';
import { ownerNewAddress } from './owner-new-address.js';
import { probing } from './probing.js';
import type { Detector } from './types.js';

/** Every log detector; LOG_DETECTORS_<KIND> picks among these ids. */
export const detectors: readonly Detector[] = [
  bruteForce,
  probing,
  badPlexToken,
  firstSeenRemote,
  ownerNewAddress,
];
