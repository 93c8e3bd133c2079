import { REST } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createActions } from '../../src/actions/actions.js';
import { ProposalBoard } from '../../src/actions/proposal-board.js';
import { createRepositories } from '../../src/adapters/sqlite/index.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { MemoryFirewall, openTestDatabase } from '../harness/actions-fixture.js';
import { ManualClock } from '../harness/manual-clock.js';
import { botEnv, testConfig, testEnv } from '../harness/test-env.js';

const fail = (): never => {
  throw new Error('no Discord config');
};

describe('ProposalBoard', () => {
  const dbs: { close(): void }[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });

  it('closes the stored proposal when its message cannot be posted, so it can never run', async () => {
    const db = openTestDatabase();
    dbs.push(db);
    const clock = new ManualClock();
    const config = testConfig(testEnv({ databasePath: ':memory:', plexUrl: 'http://127.0.0.1:9' }));
    const firewall = new MemoryFirewall(clock);
    const jobs = new JobScheduler({ clock, timers: clock, logger: silentLogger() });
    const actions = createActions({
      config,
      jobs,
      repos: createRepositories(db),
      logger: silentLogger(),
      clock,
      firewall,
      scope: AddressScope.fromConfig(config.network, { now: () => clock.now() }),
    });
    // Nothing listens on port 9: every REST call fails at once.
    const rest = new REST({ api: 'http://127.0.0.1:9/api', retries: 0, timeout: 2_000 }).setToken(
      'x'.repeat(60),
    );
    const board = new ProposalBoard({
      rest,
      channelId: '300000000000000003',
      actions,
      config: config.actions,
      logger: silentLogger(),
      discord:
        testConfig(
          botEnv(
            { apiUrl: 'http://127.0.0.1:9/api' },
            { databasePath: ':memory:', plexUrl: 'http://127.0.0.1:9' },
          ),
        ).discord ?? fail(),
      post: async () => undefined,
      stillApprovers: async (ids) => new Set(ids),
    });
    await expect(
      board.propose({
        action: { kind: 'block-ip', target: '203.0.113.7', reason: 'x', force: false },
        origin: 'command',
        requestedBy: '500000000000000005',
      }),
    ).rejects.toMatchObject({ name: 'UserError', message: expect.stringMatching(/could not be posted/) });
    expect(actions.proposals.byId(1)).toMatchObject({ status: 'failed', messageId: undefined });
    expect(actions.audit.forProposal(1).map((e) => e.action)).toEqual([
      'proposal.created',
      'proposal.abandoned',
    ]);
    expect(firewall.calls).toEqual([]);
  });
});
