import { initial } from './001-initial.js';
import { actions } from './004-actions.js';
import type { Migration } from './types.js';

/** Forward-only, in order. Append; never edit a migration that has shipped. */
export const migrations: readonly Migration[] = [initial, actions];
