import { botCli } from './bot.js';
import { doctorCli } from './doctor.js';
import { plexLoginCli } from './plex-login.js';
import { registerCommandsCli } from './register-commands.js';
import { replayCli } from './replay.js';
import { reportCli } from './report.js';
import { reviewCli } from './review.js';
import { scanCli } from './scan.js';
import type { CliCommand } from './types.js';

/** Every CLI subcommand. Adding one = one file + one line here. */
export const cliCommands: readonly CliCommand[] = [
  botCli,
  scanCli,
  reviewCli,
  replayCli,
  reportCli,
  registerCommandsCli,
  plexLoginCli,
  doctorCli,
];
