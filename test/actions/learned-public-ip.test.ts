import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { publicFootprint } from '../../src/checks/public-footprint.js';
import { FakePlex } from '../harness/fake-plex.js';
import { tempDir, testContext, testEnv } from '../harness/test-env.js';

describe('the public IP a scan learned', () => {
  let dir: ReturnType<typeof tempDir>;
  let plex: FakePlex;
  let ctx: AppContext | undefined;

  beforeEach(async () => {
    dir = tempDir();
    plex = new FakePlex();
    plex.state.myplexAccount.publicAddress = '198.51.100.40';
    await plex.start();
  });
  afterEach(async () => {
    ctx?.close();
    await plex.stop();
    dir.remove();
  });

  it('is never blocked, even without PUBLIC_IP configured, and survives a restart', async () => {
    const env = testEnv({ databasePath: `${dir.path}/db.sqlite`, plexUrl: plex.url });
    ctx = testContext(env, { checks: [publicFootprint] });
    expect(ctx.actions.bans.check('198.51.100.40').ok).toBe(true);
    await ctx.runner.run({ trigger: 'cli' });
    const refused = ctx.actions.bans.check('198.51.100.40');
    expect(refused.ok).toBe(false);
    ctx.close();
    ctx = testContext(env, { checks: [publicFootprint] });
    const afterRestart = ctx.actions.bans.check('198.51.100.40');
    expect(afterRestart.ok).toBe(false);
    if (!afterRestart.ok) expect(afterRestart.reason).toMatch(/public IP|own/i);
    expect(ctx.actions.bans.check('198.51.100.41').ok).toBe(true);
  });
});
