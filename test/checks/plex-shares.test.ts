import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plexShares } from '../../src/checks/plex-shares.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { ownedServer, sharedUser } from '../harness/plex-account-fixtures.js';

describe('plex-shares', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    lab.plexTv.state.resources = ownedServer();
    lab.plexTv.account.users = [
      sharedUser(101, 'grandma'),
      sharedUser(102, 'kid', { home: true, restricted: true }),
    ];
  });
  afterEach(() => lab.stop());

  it('learns the shares quietly, then a new friend with all libraries is one medium finding', async () => {
    expect((await lab.scan([plexShares])).findings).toEqual([]);
    const stranger = sharedUser(103, 'stranger', { allowSync: true });
    const [server] = stranger.servers;
    if (server) server.allLibraries = true;
    lab.plexTv.account.users.push(stranger);
    const result = await lab.scan([plexShares]);
    expect(result.findings.map((f) => [f.key.split(':').slice(0, 2).join(':'), f.severity])).toEqual([
      ['wider:103', 'medium'],
    ]);
    expect(result.findings[0]?.title).toBe('Someone was given access to the server: stranger');
    expect(result.findings[0]?.evidence).toContain('stranger (friend): all libraries, downloads allowed');
    expect(result.findings[0]?.action).toEqual({
      kind: 'remove-share',
      userId: '103',
      home: false,
      name: 'stranger',
    });
  });

  it('a share widened is medium; one removed is info', async () => {
    await lab.scan([plexShares]);
    const grandma = lab.plexTv.account.users[0];
    const server = grandma?.servers[0];
    if (!grandma || !server) throw new Error('fixture');
    server.numLibraries = 5;
    grandma.allowSync = true;
    lab.plexTv.account.users = lab.plexTv.account.users.filter((u) => u.id !== 102);
    const result = await lab.scan([plexShares]);
    const sorted = [...result.findings].sort((a, b) => a.key.localeCompare(b.key));
    expect(sorted.map((f) => f.severity)).toEqual(['info', 'medium']);
    expect(sorted[0]?.key).toBe('removed:102');
    expect(sorted[1]?.evidence).toContain('libraries 2 → 5; downloads now allowed');
  });

  it('ignores shares of the owner’s other servers', async () => {
    await lab.scan([plexShares]);
    const elsewhere = sharedUser(104, 'cabin-friend');
    const [server] = elsewhere.servers;
    if (server) server.machineIdentifier = 'b'.repeat(40);
    lab.plexTv.account.users.push(elsewhere);
    expect((await lab.scan([plexShares])).findings).toEqual([]);
  });

  it('plex.tv answering something that is not its XML is could-not-run', async () => {
    lab.plexTv.state.mode = 'error';
    const result = await lab.scan([plexShares]);
    expect(keysOf(result.findings)).toEqual([['could-not-run', 'low']]);
  });
});
