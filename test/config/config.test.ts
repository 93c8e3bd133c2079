import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import schedule from 'node-schedule';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readEnvironment } from '../../src/config/index.js';
import { TEST_DISCORD_TOKEN, TEST_IDS } from '../harness/test-env.js';

const discordEnv = {
  DISCORD_TOKEN: TEST_DISCORD_TOKEN,
  DISCORD_APPLICATION_ID: TEST_IDS.application,
  DISCORD_GUILD_ID: TEST_IDS.guild,
  ALERT_CHANNEL_ID: TEST_IDS.channel,
  APPROVER_ROLE_IDS: TEST_IDS.approverRole,
};

function problems(env: Record<string, string>, requireDiscord = true): string[] {
  try {
    loadConfig(env, { requireDiscord });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('names every missing key of the bot in one report', () => {
    const found = problems({});
    for (const key of [
      'DISCORD_TOKEN',
      'DISCORD_APPLICATION_ID',
      'DISCORD_GUILD_ID',
      'ALERT_CHANNEL_ID',
      'APPROVER_ROLE_IDS',
    ]) {
      expect(found.some((p) => p.includes(key))).toBe(true);
    }
    expect(found.length).toBeGreaterThanOrEqual(5);
  });

  it('needs no Discord settings for scan, and defaults the rest', () => {
    const config = loadConfig({}, { requireDiscord: false });
    expect(config.discord).toBeNull();
    expect(config.plex.url).toBe('http://127.0.0.1:32400');
    expect(config.core.databasePath).toBe('./data/plex-warden.sqlite');
    expect(Object.isFrozen(config.core)).toBe(true);
  });

  it('still validates Discord settings that are present when not required', () => {
    expect(problems({ DISCORD_GUILD_ID: 'abc' }, false).join('\n')).toMatch(
      /DISCORD_GUILD_ID="abc" is invalid: expected a Discord id/,
    );
  });

  it('names malformed ids, URLs, cron expressions and durations with what is expected', () => {
    const found = problems({
      ...discordEnv,
      DISCORD_GUILD_ID: '12345',
      PLEX_URL: 'plex.local:32400',
      DISCORD_API_URL: 'ftp://x',
      SCAN_SCHEDULE: 'every hour',
      CHECK_TIMEOUT: 'soon',
      LOG_LEVEL: 'loud',
      APPROVER_USER_IDS: '123,abc',
    }).join('\n');
    expect(found).toMatch(/DISCORD_GUILD_ID="12345" is invalid: expected a Discord id \(17-20 digits/);
    expect(found).toMatch(/PLEX_URL is invalid \(value not shown\): expected an absolute http or https URL/);
    expect(found).toMatch(/DISCORD_API_URL is invalid \(value not shown\)/);
    expect(found).toMatch(/SCAN_SCHEDULE="every hour" is invalid: expected a cron expression/);
    expect(found).toMatch(/CHECK_TIMEOUT="soon" is invalid: expected a duration/);
    expect(found).toMatch(/LOG_LEVEL="loud" is invalid: expected one of error, warn, info, debug/);
    expect(found).toMatch(/APPROVER_USER_IDS="123,abc" is invalid/);
  });

  it('refuses a cron time node-schedule could never fire at, naming the key; what it accepts, node-schedule schedules', () => {
    const found = problems({ ...discordEnv, SCAN_SCHEDULE: '61 * * * *', REPORT_SCHEDULE: '0 9 * * 1 2026' });
    expect(found.join('\n')).toMatch(/SCAN_SCHEDULE="61 \* \* \* \*" is invalid: expected a cron expression/);
    expect(found.join('\n')).toMatch(
      /REPORT_SCHEDULE="0 9 \* \* 1 2026" is invalid: expected a cron expression/,
    );
    const config = loadConfig(
      { SCAN_SCHEDULE: '*/15 9-17 * * 1-5', REPORT_SCHEDULE: '30 */2 * * * *' },
      { requireDiscord: false },
    );
    for (const expression of [config.core.scanSchedule, config.core.reportSchedule]) {
      const job = schedule.scheduleJob(expression, () => undefined);
      expect(job).not.toBeNull();
      job?.cancel();
    }
  });

  it('refuses credentials or a token in any URL key, naming the key and never the value', () => {
    const found = problems({
      ...discordEnv,
      PLEX_URL: 'http://10.0.0.2:32400/?X-Plex-Token=tok-abcdef123',
      PLEX_TV_URL: 'https://owner:hunter2@plex.tv',
      INTERNETDB_URL: 'https://internetdb.shodan.io/#frag',
      ROUTER_UPNP_URL: 'http://192.168.1.1:5000/rootDesc.xml?key=abc',
    }).join('\n');
    expect(found).toMatch(/PLEX_URL carries a query or fragment \(it looks like a token\)/);
    expect(found).toMatch(/PLEX_TV_URL carries a user name or password/);
    expect(found).toMatch(/INTERNETDB_URL carries a query or fragment/);
    expect(found).toMatch(/ROUTER_UPNP_URL carries a query or fragment/);
    for (const secret of ['tok-abcdef123', 'hunter2', 'owner', 'key=abc'])
      expect(found).not.toContain(secret);
  });

  it('never echoes a secret it rejects', () => {
    const found = problems({ ...discordEnv, DISCORD_TOKEN: 'short secret value' }).join('\n');
    expect(found).toMatch(/DISCORD_TOKEN=.*<hidden>/);
    expect(found).not.toContain('short secret value');
  });

  it('requires at least one approver', () => {
    const { APPROVER_ROLE_IDS: _, ...rest } = discordEnv;
    expect(problems(rest).join('\n')).toMatch(/at least one approver/);
  });

  it('reads .env under the process environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-env-'));
    try {
      writeFileSync(join(dir, '.env'), 'PLEX_URL=http://10.0.0.2:32400\nLOG_LEVEL=debug\n# comment\n');
      const env = readEnvironment({ LOG_LEVEL: 'warn' }, join(dir, '.env'));
      const config = loadConfig(env, { requireDiscord: false });
      expect(config.plex.url).toBe('http://10.0.0.2:32400');
      expect(config.core.logLevel).toBe('warn');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('zero-padded IPv4 in the network settings', () => {
  it.each([
    ['LAN_CIDRS', '010.0.0.0/8'],
    ['ALLOWLIST', '198.51.100.7,010.1.2.3'],
    ['PUBLIC_IP', '203.0.113.007'],
  ])('%s=%s is refused with the reason', (key, value) => {
    const found = problems({ ...discordEnv, [key]: value }).join('\n');
    expect(found).toMatch(new RegExp(key));
    expect(found).toMatch(/leading zeros/);
  });
});
