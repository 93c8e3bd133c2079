import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plexAccount } from '../../src/checks/plex-account.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { ownedServer } from '../harness/plex-account-fixtures.js';

describe('plex-account', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    lab.plexTv.state.resources = ownedServer();
  });
  afterEach(() => lab.stop());

  it('two-factor off is a high finding with the fix, on the very first scan', async () => {
    lab.plexTv.account.twoFactorEnabled = false;
    lab.plexTv.account.backupCodesCreated = false;
    const result = await lab.scan([plexAccount]);
    expect(keysOf(result.findings)).toEqual([['two-factor-off', 'high']]);
    expect(result.findings[0]?.evidence).toContain('twoFactorEnabled=false');
    expect(result.findings[0]?.fix).toMatch(/two-step verification/);
  });

  it('two-factor without backup codes is low; with both nothing is said', async () => {
    lab.plexTv.account.backupCodesCreated = false;
    expect(keysOf((await lab.scan([plexAccount])).findings)).toEqual([['no-backup-codes', 'low']]);
    lab.plexTv.account.backupCodesCreated = true;
    const after = await lab.scan([plexAccount]);
    expect(after.findings).toEqual([]);
    expect(after.changes.resolved.map((f) => f.key)).toEqual(['no-backup-codes']);
  });

  it('says so, and reads nothing of the account, when the token is not the owner’s', async () => {
    lab.plexTv.state.resources = ownedServer(false);
    const result = await lab.scan([plexAccount]);
    expect(keysOf(result.findings)).toEqual([['not-owner', 'info']]);
    expect(result.findings[0]?.evidence).toContain('not checked');
    expect(lab.plexTv.requests.some((r) => r.path === '/api/v2/user')).toBe(false);
  });

  it('says so when plex.tv refuses the token', async () => {
    lab.plexTv.state.token = 'someone-else';
    lab.plexTv.account.ownerToken = 'someone-else';
    const result = await lab.scan([plexAccount]);
    expect(keysOf(result.findings)).toEqual([['not-owner', 'info']]);
    expect(result.findings[0]?.evidence).toMatch(/did not accept PLEX_TOKEN/);
  });

  it('an answer without twoFactorEnabled is could-not-run, naming the field, never a guess', async () => {
    lab.plexTv.account.userBody = { id: 1, username: 'owner' };
    const result = await lab.scan([plexAccount]);
    expect(keysOf(result.findings)).toEqual([['could-not-run', 'low']]);
    expect(result.findings[0]?.evidence).toContain('twoFactorEnabled');
  });

  it('plex.tv not answering skips quietly (findings stay as they were), it is not news about the account', async () => {
    lab.plexTv.account.twoFactorEnabled = false;
    expect(keysOf((await lab.scan([plexAccount])).findings)).toEqual([['two-factor-off', 'high']]);
    await lab.plexTv.stop();
    const result = await lab.scan([plexAccount]);
    expect(result.findings).toEqual([]);
    expect(result.changes.resolved).toEqual([]);
  });
});
