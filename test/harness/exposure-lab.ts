import type { AppContext, AppContextOverrides } from '../../src/app/app-context.js';
import type { Check } from '../../src/checks/types.js';
import type { Finding } from '../../src/domain/finding.js';
import type { ScanResult } from '../../src/exposure/scan-runner.js';
import { FakeInternetDb } from './fake-internetdb.js';
import { FakePlex } from './fake-plex.js';
import { FakePlexTvFeeds } from './fake-plex-tv-feeds.js';
import { tempDir, testContext, testEnv } from './test-env.js';

/**
 * Fake Plex, fake plex.tv and fake InternetDB on loopback, plus a context over a temp database:
 * what every exposure check test needs. `open` builds the context once; `scan` reuses it so check
 * state (baselines) carries over between scans like in production.
 */
export class ExposureLab {
  readonly plex = new FakePlex();
  readonly plexTv = new FakePlexTvFeeds();
  readonly internetDb = new FakeInternetDb();
  private dir: ReturnType<typeof tempDir> | undefined;
  private context: AppContext | undefined;

  async start(): Promise<this> {
    this.dir = tempDir();
    await Promise.all([this.plex.start(), this.plexTv.start(), this.internetDb.start()]);
    return this;
  }

  get databasePath(): string {
    if (!this.dir) throw new Error('lab not started');
    return `${this.dir.path}/db.sqlite`;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return testEnv({
      databasePath: this.databasePath,
      plexUrl: this.plex.url,
      PLEX_TV_URL: this.plexTv.url,
      INTERNETDB_URL: this.internetDb.url,
      LAN_CIDRS: '192.168.1.0/24',
      ...extra,
    }) as Record<string, string>;
  }

  open(checks: readonly Check[], extra: Record<string, string> = {}, overrides: AppContextOverrides = {}) {
    this.context?.close();
    this.context = testContext(this.env(extra), { checks, ...overrides });
    return this.context;
  }

  get ctx(): AppContext {
    if (!this.context) throw new Error('call open() first');
    return this.context;
  }

  /** Opens a context when none is open, then runs one scan. */
  async scan(checks: readonly Check[], extra: Record<string, string> = {}): Promise<ScanResult> {
    if (!this.context) this.open(checks, extra);
    return this.ctx.runner.run({ trigger: 'cli' });
  }

  async stop(): Promise<void> {
    this.context?.close();
    this.context = undefined;
    await Promise.all([this.plex.stop(), this.plexTv.stop(), this.internetDb.stop()]);
    this.dir?.remove();
  }
}

/** The findings of one check, as [key, severity] pairs, sorted: easy to compare exactly. */
export function keysOf(findings: readonly Finding[], checkId?: string): [string, string][] {
  return findings
    .filter((f) => checkId === undefined || f.checkId === checkId)
    .map((f): [string, string] => [f.key, f.severity])
    .sort((a, b) => a[0].localeCompare(b[0]));
}
