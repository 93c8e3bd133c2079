import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppContext, type AppContextOverrides, createAppContext } from '../../src/app/app-context.js';
import { type Config, type Env, loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/kernel/logger.js';

export const TEST_IDS = {
  application: '100000000000000001',
  guild: '200000000000000002',
  channel: '300000000000000003',
  approverRole: '400000000000000004',
  approverUser: '500000000000000005',
  otherUser: '600000000000000006',
  bot: '100000000000000001',
} as const;

export const TEST_DISCORD_TOKEN = `${Buffer.from(TEST_IDS.bot).toString('base64url')}.GfakeT.abcdefghijklmnopqrstuvwxyz0123456789AB`;

/** A temp folder removed after the test; holds the SQLite file. */
export function tempDir(prefix = 'plex-warden-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A complete environment for tests: loopback endpoints only, router discovery and NAT-PMP off
 * (they would reach the real LAN), a database in a temp folder.
 */
export function testEnv(overrides: Env & { databasePath: string; plexUrl: string }): Env {
  const { databasePath, plexUrl, ...rest } = overrides;
  return {
    DATABASE_PATH: databasePath,
    PLEX_URL: plexUrl,
    PLEX_TOKEN: 'fake-plex-token-0123456789',
    PLEX_TIMEOUT: '2s',
    CHECK_TIMEOUT: '3s',
    LOG_LEVEL: 'error',
    ROUTER_DISCOVERY: 'off',
    NATPMP_GATEWAY: 'off',
    PLEX_TV_URL: 'http://127.0.0.1:9',
    INTERNETDB_URL: 'http://127.0.0.1:9',
    ...rest,
  };
}

/** Approver keys a bot test may leave out, to cover configurations with only one kind of approver. */
export type OptionalApproverKey = 'APPROVER_ROLE_IDS' | 'APPROVER_USER_IDS';

/**
 * testEnv() plus the Discord keys the bot needs, pointed at a fake Discord. `extra` is applied last
 * so a test can override any key; `omit` drops approver keys a test deliberately does not set.
 */
export function botEnv(
  discord: { apiUrl: string },
  base: { databasePath: string; plexUrl: string },
  extra: Env = {},
  omit: readonly OptionalApproverKey[] = [],
): Env {
  const approvers: Env = {
    APPROVER_ROLE_IDS: TEST_IDS.approverRole,
    APPROVER_USER_IDS: TEST_IDS.approverUser,
  };
  for (const key of omit) delete (approvers as Record<string, string | undefined>)[key];
  return testEnv({
    ...base,
    DISCORD_TOKEN: TEST_DISCORD_TOKEN,
    DISCORD_APPLICATION_ID: TEST_IDS.application,
    DISCORD_GUILD_ID: TEST_IDS.guild,
    ALERT_CHANNEL_ID: TEST_IDS.channel,
    ...approvers,
    DISCORD_API_URL: discord.apiUrl,
    ...extra,
  });
}

export function testConfig(env: Env, requireDiscord = false): Config {
  return loadConfig(env, { requireDiscord });
}

export function testContext(env: Env, overrides: AppContextOverrides = {}): AppContext {
  return createAppContext(testConfig(env), { logger: silentLogger(), ...overrides });
}
