import { help } from './help.js';
import { scan } from './scan.js';
import { status } from './status.js';
import type { Command } from './types.js';

/** Every slash command. Adding one = one file + one line here. */
export const commands: readonly Command[] = [scan, status, help];
