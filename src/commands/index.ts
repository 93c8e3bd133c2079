import { allow } from './allow.js';
import { allowlist } from './allowlist.js';
import { block } from './block.js';
import { blocks } from './blocks.js';
import { devices } from './devices.js';
import { findings } from './findings.js';
import { help } from './help.js';
import { remoteAccess } from './remote-access.js';
import { report } from './report.js';
import { scan } from './scan.js';
import { sessions } from './sessions.js';
import { shares } from './shares.js';
import { snooze } from './snooze.js';
import { status } from './status.js';
import type { Command } from './types.js';
import { unblock } from './unblock.js';
import { whois } from './whois.js';

/** Every slash command. Adding one = one file + one line here. */
export const commands: readonly Command[] = [
  scan,
  findings,
  snooze,
  status,
  help,
  block,
  unblock,
  blocks,
  allow,
  allowlist,
  remoteAccess,
  devices,
  shares,
  report,
  sessions,
  whois,
];
