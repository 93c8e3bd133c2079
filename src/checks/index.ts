import { plexReachable } from './plex-reachable.js';
import type { Check } from './types.js';

/** Every check, in display order. Adding a check = one file + one line here. */
export const checks: readonly Check[] = [plexReachable];
