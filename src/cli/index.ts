import type { CliCommand } from './types.js';

/**
 * Every CLI subcommand: what `--help` shows, and how to load it. A subcommand's module (and so
 * discord.js, SQLite, the checks) is imported only when it runs, so `--help`, `scan` and `replay`
 * start without what they do not use. Adding one = one file + one entry here.
 */
export const cliCommands: readonly CliCommand[] = [
  {
    name: 'bot',
    summary: 'Run the Discord bot: scheduled scans, alerts, slash commands (the default)',
    usage: 'plex-warden bot',
    config: 'discord',
    load: () => import('./bot.js'),
  },
  {
    name: 'scan',
    summary: 'Run the checks once and print the findings (no Discord needed)',
    usage: 'plex-warden scan [--json] [--check ID]...',
    config: 'plex',
    load: () => import('./scan.js'),
  },
  {
    name: 'review',
    summary: 'Review new lines of every LOG_SOURCES file once and print the findings (no Discord needed)',
    usage: 'plex-warden review [--json]',
    config: 'plex',
    load: () => import('./review.js'),
  },
  {
    name: 'replay',
    summary: 'Dry-run one log file through a parser and the detectors (touches no state)',
    usage:
      'plex-warden replay FILE --kind KIND [--docker | --journal [--match UNIT-OR-PROCESS]...] [--json]   (a wrong KIND lists the kinds)',
    config: 'plex',
    load: () => import('./replay.js'),
  },
  {
    name: 'report',
    summary: 'Write the picture of the last days (PNG) and print the exposure grade (no Discord needed)',
    usage: 'plex-warden report --out FILE.png [--days N (1-31, default 7)] [--json]',
    config: 'plex',
    load: () => import('./report.js'),
  },
  {
    name: 'whois',
    summary:
      'Print what the bot knows about an address: scope, network and country, bans, allow-list, findings',
    usage: 'plex-warden whois IP [--json]',
    config: 'plex',
    load: () => import('./whois.js'),
  },
  {
    name: 'register-commands',
    summary: 'Register the slash commands to DISCORD_GUILD_ID (the bot also does this at start)',
    usage: 'plex-warden register-commands',
    config: 'discord',
    load: () => import('./register-commands.js'),
  },
  {
    name: 'plex-login',
    summary: 'Sign in to plex.tv in the browser and print a PLEX_TOKEN for .env',
    usage: 'plex-warden plex-login [--timeout 10m] [--interval 2s]',
    config: 'plex',
    load: () => import('./plex-login.js'),
  },
  {
    name: 'doctor',
    summary: 'Check configuration, database, Discord token and permissions, Plex and plex.tv',
    usage: 'plex-warden doctor [--only ID]...',
    // Loads the configuration itself: a bad configuration is one of the things it reports.
    config: 'none',
    load: () => import('./doctor.js'),
  },
];
