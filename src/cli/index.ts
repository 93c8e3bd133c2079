import { botCli } from './bot.js';
import { registerCommandsCli } from './register-commands.js';
import { scanCli } from './scan.js';
import type { CliCommand } from './types.js';

/** Every CLI subcommand. Adding one = one file + one line here. */
export const cliCommands: readonly CliCommand[] = [botCli, scanCli, registerCommandsCli];
