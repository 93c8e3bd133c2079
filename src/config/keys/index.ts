import type { Key } from '../key.js';
import { ACTIONS } from './actions.js';
import { CORE } from './core.js';
import { DISCORD } from './discord.js';
import { EXPOSURE } from './exposure.js';
import { LOGS } from './logs.js';
import { NETWORK } from './network.js';
import { PLEX } from './plex.js';
import { ROUTER } from './router.js';
import { SIGNALS } from './signals.js';

export { ACTIONS, FIREWALL_BACKENDS } from './actions.js';
export { CORE } from './core.js';
export { DISCORD } from './discord.js';
export { EXPOSURE } from './exposure.js';
export { LOGS } from './logs.js';
export { NETWORK } from './network.js';
export { PLEX } from './plex.js';
export { ROUTER } from './router.js';
export { SIGNALS } from './signals.js';

/**
 * The configuration table, one row per key: name, section, kind, default and description,
 * one file per section, in `.env.example` order. Every reader in src/config reads through it,
 * and `.env.example` is rendered from it (`npm run env-example`);
 * test/config/env-example.test.ts keeps the two equal.
 */
export const HEADER = [
  'plex-warden configuration. Copy to .env and fill in; the process environment overrides .env.',
  'Every key is optional unless marked REQUIRED. `plex-warden scan` needs no Discord keys at all.',
];

/** The sections in `.env.example` order. */
export const SECTIONS = [CORE, DISCORD, PLEX, NETWORK, EXPOSURE, SIGNALS, ROUTER, LOGS, ACTIONS] as const;

/** Every key in order. */
export const CONFIG_KEYS: readonly Key[] = SECTIONS.flatMap((s) => Object.values<Key>(s.keys));
