import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database.js';
import { channelPermissions, INVITE_PERMISSIONS } from '../../src/doctor/discord-permissions.js';
import { probes } from '../../src/doctor/index.js';
import { runCliInProcess } from '../harness/cli-runner.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { FakePlexTv } from '../harness/fake-plex-tv.js';
import { botEnv, TEST_DISCORD_TOKEN, TEST_IDS, tempDir } from '../harness/test-env.js';

const P = PermissionFlagsBits;
const NEEDED = P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AddReactions | P.ReadMessageHistory;
const BOT_ROLE = '700000000000000007';

describe('plex-warden doctor', () => {
  let dir: ReturnType<typeof tempDir>;
  let discord: FakeDiscord;
  let plex: FakePlex;
  let plexTv: FakePlexTv;

  const env = (extra: Record<string, string> = {}) =>
    botEnv(
      discord,
      { databasePath: join(dir.path, 'db.sqlite'), plexUrl: plex.url },
      { PLEX_TV_URL: plexTv.url, PLEX_TOKEN: plexTv.accountToken, ...extra },
      ['APPROVER_USER_IDS'],
    );
  const line = (stdout: string, title: string) =>
    stdout.split('\n').find((l) => l.slice(2).startsWith(title)) ?? '';

  beforeEach(async () => {
    dir = tempDir();
    discord = new FakeDiscord();
    await discord.start();
    plexTv = new FakePlexTv();
    await plexTv.start();
    plex = new FakePlex({ token: plexTv.accountToken });
    await plex.start();
    // A healthy install: the bot's own role grants what it needs.
    discord.roles.push({ id: BOT_ROLE, name: 'plex-warden', permissions: String(NEEDED | P.ManageMessages) });
    discord.memberRoles.set(TEST_IDS.bot, [BOT_ROLE]);
    discord.acceptedToken = TEST_DISCORD_TOKEN;
  });
  afterEach(async () => {
    await discord.stop();
    await plex.stop();
    await plexTv.stop();
    dir.remove();
  });

  it('all green: one ✔ line per probe and exit 0', async () => {
    const { code, stdout } = await runCliInProcess(['doctor'], env());
    expect(code).toBe(0);
    for (const title of [
      'Configuration',
      'Database',
      'Discord token',
      'Alert channel permissions',
      'Plex server',
      'plex.tv',
    ]) {
      expect(line(stdout, title), title).toMatch(/^✔ /);
    }
    expect(line(stdout, 'Discord token')).toContain(`signed in as plex-warden (id ${TEST_IDS.bot})`);
    expect(line(stdout, 'Plex server')).toContain(
      `Plex ${plex.state.identity.version} at ${plex.url} accepts the token`,
    );
    expect(line(stdout, 'plex.tv')).toContain('the token belongs to owner');
    // Plex saw the installation's one identifier, the same that plex-login uses.
    const db = new BetterSqlite3(join(dir.path, 'db.sqlite'), { readonly: true });
    const id = (
      db.prepare("SELECT value FROM settings WHERE key = 'plex.clientIdentifier'").get() as { value: string }
    ).value;
    db.close();
    expect(new Set(plex.requests.map((r) => r.clientIdentifier))).toEqual(new Set([id]));
    expect(new Set(plexTv.requests.map((r) => r.clientIdentifier))).toEqual(new Set([id]));
    expect(stdout).not.toContain(TEST_DISCORD_TOKEN);
    expect(stdout).not.toContain(plexTv.accountToken);
  });

  it('a bad configuration is a ✘ line naming every problem, exit 2, and nothing is contacted', async () => {
    const { code, stdout } = await runCliInProcess(
      ['doctor'],
      env({ ALERT_CHANNEL_ID: 'general', PLEX_URL: 'plex' }),
    );
    expect(code).toBe(2);
    expect(line(stdout, 'Configuration')).toMatch(/^✘ Configuration\s+2 problems/);
    expect(stdout).toMatch(/ALERT_CHANNEL_ID="general" is invalid/);
    expect(stdout).toMatch(/PLEX_URL is invalid \(value not shown\)/);
    expect(discord.calls).toHaveLength(0);
    expect(plex.requests).toHaveLength(0);
  });

  it('a rejected Discord token says how to reset it; permissions are then skipped', async () => {
    discord.acceptedToken = 'another-token';
    const { code, stdout } = await runCliInProcess(['doctor'], env());
    expect(code).toBe(1);
    expect(line(stdout, 'Discord token')).toMatch(/^✘ .*Discord answered 401.*not valid/);
    expect(stdout).toMatch(/→ Developer Portal > your application > Bot > Reset Token/);
    expect(line(stdout, 'Alert channel permissions')).toMatch(/^- /);
  });

  it('names each missing permission and why, computed from roles and channel overwrites', async () => {
    // The role grants everything, but the channel denies Embed Links and Add Reactions to it.
    discord.channelOverwrites = [
      { id: BOT_ROLE, type: 0, allow: '0', deny: String(P.EmbedLinks | P.AddReactions) },
    ];
    const { code, stdout } = await runCliInProcess(['doctor'], env());
    expect(code).toBe(1);
    const perms = line(stdout, 'Alert channel permissions');
    expect(perms).toMatch(/^✘ /);
    expect(perms).toContain('Embed Links (to alerts are embeds');
    expect(perms).toContain('Add Reactions (to put ✅/❌ under proposals)');
    expect(perms).not.toContain('Send Messages');
  });

  it('Manage Messages missing is only a warning (exit 0)', async () => {
    const role = discord.roles.find((r) => r.id === BOT_ROLE);
    if (role) role.permissions = String(NEEDED);
    const { code, stdout } = await runCliInProcess(['doctor'], env());
    expect(code).toBe(0);
    expect(line(stdout, 'Alert channel permissions')).toMatch(/^! .*optional Manage Messages is missing/);
  });

  it('an alert channel the bot cannot see is a ✘ with what to do', async () => {
    discord.hiddenChannels.add(TEST_IDS.channel);
    const { code, stdout } = await runCliInProcess(['doctor'], env());
    expect(code).toBe(1);
    expect(line(stdout, 'Alert channel permissions')).toMatch(
      /^✘ Alert channel permissions\s+the bot cannot see ALERT_CHANNEL_ID/,
    );
  });

  it('Plex down, Plex rejecting the token, plex.tv hanging: each its own ✘ line, bounded in time', async () => {
    plex.state.token = 'rotated-000000000';
    plexTv.mode = 'hang';
    const started = performance.now();
    const { code, stdout } = await runCliInProcess(['doctor'], env({ PLEX_TIMEOUT: '500ms' }));
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(code).toBe(1);
    expect(line(stdout, 'Plex server')).toMatch(/^✘ Plex server\s+Plex .* rejects PLEX_TOKEN/);
    expect(stdout).toMatch(/→ .*plex-warden plex-login/);
    expect(line(stdout, 'plex.tv')).toMatch(/^✘ .*got no answer within 500 ms/);
    const e = env();
    await plex.stop();
    const down = await runCliInProcess(['doctor', '--only', 'plex-server'], e);
    expect(down.code).toBe(1);
    expect(line(down.stdout, 'Plex server')).toMatch(
      /^✘ Plex server\s+GET \/identity .* failed \(ECONNREFUSED\)/,
    );
  });

  it('a locked database is a ✘ line, and Plex probes skip rather than invent a client identifier', async () => {
    const path = join(dir.path, 'db.sqlite');
    openDatabase(path).close();
    const holder = new BetterSqlite3(path);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    holder.prepare("INSERT INTO settings (key, value) VALUES ('x', 'y')").run();
    try {
      const { code, stdout } = await runCliInProcess(
        ['doctor', '--only', 'database', '--only', 'plex-server'],
        env(),
      );
      expect(code).toBe(1);
      expect(line(stdout, 'Database')).toMatch(/^✘ Database\s+The database .* is locked by another process/);
      expect(line(stdout, 'Plex server')).toMatch(/^- Plex server\s+needs the database/);
      expect(plex.requests).toHaveLength(0);
    } finally {
      holder.close();
    }
  });

  it('without Discord keys the Discord lines are skipped and the rest still runs', async () => {
    const e = env();
    for (const key of [
      'DISCORD_TOKEN',
      'DISCORD_APPLICATION_ID',
      'DISCORD_GUILD_ID',
      'ALERT_CHANNEL_ID',
      'APPROVER_ROLE_IDS',
    ])
      delete (e as Record<string, string | undefined>)[key];
    const { code, stdout } = await runCliInProcess(['doctor'], e);
    expect(code).toBe(0);
    expect(line(stdout, 'Configuration')).toMatch(/no Discord keys/);
    expect(line(stdout, 'Discord token')).toMatch(/^- /);
  });

  it('rejects an unknown --only probe with exit 2', async () => {
    const { code, stderr } = await runCliInProcess(['doctor', '--only', 'nope'], env());
    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown probe "nope"/);
  });

  it('checks every log source is readable and names the one that is not', async () => {
    const readable = join(dir.path, 'access.log');
    writeFileSync(readable, '');
    const plexLogs = join(dir.path, 'Logs');
    mkdirSync(plexLogs);
    writeFileSync(join(plexLogs, 'Plex Media Server.log'), '');
    const good = await runCliInProcess(
      ['doctor'],
      env({ LOG_SOURCES: `nginx:${readable},plex:${plexLogs}` }),
    );
    expect(line(good.stdout, 'Log sources')).toMatch(/^✔ Log sources\s+2 sources readable/);
    const missing = join(dir.path, 'nope.log');
    const bad = await runCliInProcess(['doctor'], env({ LOG_SOURCES: `nginx:${readable},sshd:${missing}` }));
    expect(bad.code).toBe(1);
    expect(line(bad.stdout, 'Log sources')).toMatch(
      /^✘ Log sources\s+sshd: cannot read .*nope\.log \(ENOENT\)/,
    );
    const none = await runCliInProcess(['doctor'], env());
    expect(line(none.stdout, 'Log sources')).toBe('');
  });

  it('says whether impossible travel has its city data (IP_CITY_DB)', async () => {
    const fixture = fileURLToPath(new URL('../fixtures/ip-city/geolite2-city-test.mmdb', import.meta.url));
    const unset = await runCliInProcess(['doctor', '--only', 'city-database'], env());
    expect(unset.code).toBe(0);
    expect(line(unset.stdout, 'City database')).toMatch(
      /^- City database\s+IP_CITY_DB is not set: the impossible-travel signal is off$/,
    );
    const good = await runCliInProcess(['doctor', '--only', 'city-database'], env({ IP_CITY_DB: fixture }));
    expect(line(good.stdout, 'City database')).toMatch(
      /^✔ City database\s+1 file \(GeoLite2-City, built \d{4}-\d\d-\d\d\): impossible travel is on$/,
    );
    const missing = join(dir.path, 'gone.mmdb');
    const bad = await runCliInProcess(['doctor', '--only', 'city-database'], env({ IP_CITY_DB: missing }));
    // A warning, not a failure: the other signals and everything else still work.
    expect(bad.code).toBe(0);
    expect(line(bad.stdout, 'City database')).toMatch(
      /^! City database\s+no readable file; left out: .*gone\.mmdb: cannot read \(ENOENT\): the impossible-travel signal is off$/,
    );
    expect(bad.stdout).toMatch(/→ Point IP_CITY_DB at readable \.mmdb city files/);
  });

  it('says whether the firewall backend can ban, without banning', async () => {
    const recorded = join(dir.path, 'calls.txt');
    const script = join(dir.path, 'block.sh');
    writeFileSync(script, `#!/bin/sh\necho "$@" >> '${recorded}'\n`);
    const notExecutable = await runCliInProcess(
      ['doctor'],
      env({ FIREWALL_BACKEND: 'command', BLOCK_COMMAND: script }),
    );
    expect(line(notExecutable.stdout, 'Firewall backend')).toMatch(/^✘ Firewall backend\s+command:/);
    expect(notExecutable.code).toBe(1);
    chmodSync(script, 0o755);
    const usable = await runCliInProcess(
      ['doctor'],
      env({ FIREWALL_BACKEND: 'command', BLOCK_COMMAND: script }),
    );
    expect(line(usable.stdout, 'Firewall backend')).toMatch(/^✔ Firewall backend\s+command: .*executable/);
    expect(existsSync(recorded)).toBe(false);
    const recordOnly = await runCliInProcess(['doctor'], env());
    expect(line(recordOnly.stdout, 'Firewall backend')).toMatch(
      /^! Firewall backend\s+none: .*nothing is enforced/,
    );
  });
});

describe('doctor internals', () => {
  it('registers every probe file exactly once, under its file name', () => {
    const files = readdirSync(join(import.meta.dirname, '../../src/doctor'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'types.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(probes.map((p) => p.id).sort()).toEqual(files);
  });

  it('computes permissions like Discord: owner and Administrator get all, member overwrite wins', () => {
    const base = {
      guildId: '1',
      ownerId: '9',
      memberId: '5',
      roles: [
        { id: '1', permissions: String(P.ViewChannel) },
        { id: '2', permissions: String(P.SendMessages) },
        { id: '3', permissions: String(P.Administrator) },
      ],
      memberRoleIds: ['2'],
      overwrites: [] as { id: string; type: 0 | 1; allow: string; deny: string }[],
    };
    expect(channelPermissions(base)).toBe(P.ViewChannel | P.SendMessages);
    expect(channelPermissions({ ...base, memberRoleIds: ['3'] }) & P.ManageMessages).toBe(P.ManageMessages);
    expect(channelPermissions({ ...base, ownerId: '5' }) & P.EmbedLinks).toBe(P.EmbedLinks);
    const denyEveryone = { id: '1', type: 0 as const, allow: '0', deny: String(P.ViewChannel) };
    expect(channelPermissions({ ...base, overwrites: [denyEveryone] }) & P.ViewChannel).toBe(0n);
    const allowMember = { id: '5', type: 1 as const, allow: String(P.ViewChannel), deny: '0' };
    expect(channelPermissions({ ...base, overwrites: [denyEveryone, allowMember] }) & P.ViewChannel).toBe(
      P.ViewChannel,
    );
  });

  it('the invite permission integer is the six permissions the README lists', () => {
    expect(INVITE_PERMISSIONS).toBe(93248n);
  });
});
