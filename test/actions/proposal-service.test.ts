import { describe, expect, it } from 'vitest';
import { FirewallError } from '../../src/adapters/firewall/types.js';
import type { ProposalAction } from '../../src/domain/proposal.js';
import { actionsFixture, type MemoryFirewall, openTestDatabase } from '../harness/actions-fixture.js';
import { captureLogger, entryWithReference } from '../harness/capture-logger.js';
import { tempDir } from '../harness/test-env.js';

const block: ProposalAction = {
  kind: 'block-ip',
  target: '203.0.113.7',
  reason: 'brute force',
  force: false,
};

function posted(
  f: ReturnType<typeof actionsFixture>,
  action: ProposalAction = block,
  messageId = '900000000000000001',
) {
  const p = f.proposals.create({ action, origin: 'command', requestedBy: '100000000000000001' });
  return f.proposals.attachMessage(p.id, '800000000000000001', messageId);
}

const approver = (userId: string, decision: 'approve' | 'cancel' = 'approve') => ({
  messageId: '900000000000000001',
  userId,
  decision,
  isBot: false,
  isApprover: true,
  stillApprovers: async (ids: readonly string[]) => new Set(ids),
});

describe('ProposalService', () => {
  it('stores the proposal before any message, then keys it by message id', () => {
    const f = actionsFixture();
    const p = f.proposals.create({ action: block, origin: 'command', requestedBy: 'u1' });
    expect(p).toMatchObject({ status: 'pending', messageId: undefined, requiredApprovals: 1 });
    expect(p.expiresAt - p.createdAt).toBe(30 * 60_000);
    f.proposals.attachMessage(p.id, 'c1', 'm1');
    expect(f.proposals.byMessageId('m1')?.id).toBe(p.id);
  });

  it('ignores bots and refuses non-approvers without counting them', async () => {
    const f = actionsFixture();
    posted(f);
    expect((await f.proposals.react({ ...approver('bot'), isBot: true })).kind).toBe('ignored-bot');
    expect((await f.proposals.react({ ...approver('rando'), isApprover: false })).kind).toBe('not-approver');
    const p = f.proposals.byMessageId('900000000000000001');
    expect(p).toMatchObject({ status: 'pending', approvers: [] });
    expect((f.firewall as MemoryFirewall).calls).toEqual([]);
    expect((await f.proposals.react({ ...approver('x'), messageId: 'other' })).kind).toBe('unknown');
  });

  it("runs on an approver's ✅, records the outcome and who approved", async () => {
    const f = actionsFixture();
    posted(f);
    const verdict = await f.proposals.react(approver('u2'));
    expect(verdict.kind).toBe('executed');
    expect(verdict).toMatchObject({
      proposal: {
        status: 'done',
        approvers: ['u2'],
        decidedBy: 'u2',
        outcome: expect.stringMatching(/^Blocked 203\.0\.113\.7 for 1d/),
      },
    });
    expect((f.firewall as MemoryFirewall).entries.has('203.0.113.7')).toBe(true);
    expect(f.bans.active()[0]).toMatchObject({
      proposalId: verdict.kind === 'executed' ? verdict.proposal.id : -1,
    });
    const steps = f.audit.forProposal(1).map((e) => e.action);
    expect(steps).toEqual([
      'proposal.created',
      'proposal.posted',
      'proposal.approved',
      'proposal.running',
      'ban.added',
      'proposal.done',
    ]);
    // A later ✅ changes nothing.
    expect((await f.proposals.react(approver('u3'))).kind).toBe('closed');
    expect((f.firewall as MemoryFirewall).calls.filter((c) => c.startsWith('block'))).toHaveLength(1);
  });

  it('needs APPROVALS_REQUIRED distinct approvers; the same approver twice counts once', async () => {
    const f = actionsFixture({ env: { APPROVALS_REQUIRED: '2' } });
    posted(f);
    expect(await f.proposals.react(approver('u2'))).toMatchObject({ kind: 'approval-recorded', isNew: true });
    expect(await f.proposals.react(approver('u2'))).toMatchObject({
      kind: 'approval-recorded',
      isNew: false,
    });
    expect((f.firewall as MemoryFirewall).calls).toEqual([]);
    expect(await f.proposals.react(approver('u3'))).toMatchObject({
      kind: 'executed',
      proposal: { status: 'done', approvers: ['u2', 'u3'] },
    });
  });

  it('re-checks earlier approvals when the proposal would run: a lost role is dropped and it waits', async () => {
    const f = actionsFixture({ env: { APPROVALS_REQUIRED: '2' } });
    posted(f);
    await f.proposals.react(approver('u2'));
    const asked: string[][] = [];
    const verdict = await f.proposals.react({
      ...approver('u3'),
      stillApprovers: async (ids) => {
        asked.push([...ids]);
        return new Set<string>();
      },
    });
    expect(asked).toEqual([['u2']]);
    expect(verdict).toMatchObject({
      kind: 'approval-recorded',
      proposal: {
        status: 'pending',
        approvers: ['u3'],
        note: expect.stringMatching(/<@u2> is no longer an approver/),
      },
    });
    expect((f.firewall as MemoryFirewall).calls).toEqual([]);
    expect(f.audit.recent(1)[0]).toMatchObject({ action: 'proposal.approval-dropped', target: 'u2' });
    // Another current approver completes it; "Running…" is shown before the action finishes.
    const seen: string[] = [];
    const done = await f.proposals.react({
      ...approver('u4'),
      onClaimed: async (p) => {
        seen.push(`${p.status} ${(f.firewall as MemoryFirewall).calls.length}`);
      },
    });
    expect(seen).toEqual(['running 0']);
    expect(done).toMatchObject({ kind: 'executed', proposal: { status: 'done', approvers: ['u3', 'u4'] } });
  });

  it('runs nothing when Discord cannot say who the approvers are (fails closed)', async () => {
    const f = actionsFixture({ env: { APPROVALS_REQUIRED: '2' } });
    posted(f);
    await f.proposals.react(approver('u2'));
    const verdict = await f.proposals.react({
      ...approver('u3'),
      stillApprovers: async () => {
        throw new Error('Discord 503');
      },
    });
    expect(verdict).toMatchObject({ kind: 'approval-recorded', proposal: { status: 'pending' } });
    expect(verdict.kind === 'approval-recorded' ? verdict.proposal.note : '').toMatch(/Could not re-check/);
    expect((f.firewall as MemoryFirewall).calls).toEqual([]);
    expect((await f.proposals.react(approver('u3'))).kind).toBe('executed');
  });

  it('runs once when two approvers react in the same instant', async () => {
    const f = actionsFixture();
    posted(f);
    const verdicts = await Promise.all([
      f.proposals.react(approver('u2')),
      f.proposals.react(approver('u3')),
    ]);
    expect(verdicts.map((v) => v.kind).sort()).toEqual(['closed', 'executed']);
    expect((f.firewall as MemoryFirewall).calls.filter((c) => c.startsWith('block'))).toHaveLength(1);
  });

  it('runs once across two processes sharing the database file', async () => {
    const dir = tempDir('pw-actions-');
    const path = `${dir.path}/db.sqlite`;
    const a = actionsFixture({ db: openTestDatabase(path) });
    posted(a);
    const b = actionsFixture({ db: openTestDatabase(path), clock: a.clock });
    const verdicts = await Promise.all([
      a.proposals.react(approver('u2')),
      b.proposals.react(approver('u3')),
    ]);
    expect(verdicts.map((v) => v.kind).sort()).toEqual(['closed', 'executed']);
    const blocks = [a, b].flatMap((x) =>
      (x.firewall as MemoryFirewall).calls.filter((c) => c.startsWith('block')),
    );
    expect(blocks).toHaveLength(1);
    a.db.close();
    b.db.close();
    dir.remove();
  });

  it('❌ from an approver cancels; the proposal never runs afterwards', async () => {
    const f = actionsFixture();
    posted(f);
    expect((await f.proposals.react({ ...approver('rando', 'cancel'), isApprover: false })).kind).toBe(
      'not-approver',
    );
    expect(await f.proposals.react(approver('u2', 'cancel'))).toMatchObject({
      kind: 'cancelled',
      proposal: { status: 'cancelled', decidedBy: 'u2' },
    });
    expect((await f.proposals.react(approver('u3'))).kind).toBe('closed');
    expect((f.firewall as MemoryFirewall).calls).toEqual([]);
  });

  it('an expired proposal never runs, by reaction or after the sweep', async () => {
    const f = actionsFixture({ env: { PROPOSAL_TTL: '10m' } });
    posted(f);
    f.clock.advance(10 * 60_000);
    expect(await f.proposals.react(approver('u2'))).toMatchObject({
      kind: 'expired',
      proposal: { status: 'expired' },
    });
    expect((await f.proposals.react(approver('u2'))).kind).toBe('closed');
    posted(f, block, '900000000000000002');
    expect(f.proposals.nextExpiry()).toBe(f.clock.now() + 10 * 60_000);
    f.clock.advance(11 * 60_000);
    expect(f.proposals.expireDue().map((p) => p.messageId)).toEqual(['900000000000000002']);
    expect((f.firewall as MemoryFirewall).calls).toEqual([]);
  });

  it('a refused target fails with the policy reason; a firewall error shows a reference, not its text', async () => {
    const f = actionsFixture();
    posted(f, { kind: 'block-ip', target: '192.168.1.9', reason: 'x', force: false });
    expect(await f.proposals.react(approver('u2'))).toMatchObject({
      kind: 'executed',
      proposal: { status: 'failed', outcome: expect.stringMatching(/private address/) },
    });
    posted(f, block, '900000000000000002');
    (f.firewall as MemoryFirewall).failNext = new Error('nft: secret internal detail');
    const v = await f.proposals.react({ ...approver('u2'), messageId: '900000000000000002' });
    expect(v).toMatchObject({
      proposal: { status: 'failed', outcome: expect.stringMatching(/reference [0-9a-f]{8}/) },
    });
    expect(v.kind === 'executed' && v.proposal.outcome).not.toMatch(/secret internal/);
  });

  it('an unexpected failure shows a reference logged with the full error; a firewall error its own text', async () => {
    const { logger, entries } = captureLogger();
    const f = actionsFixture({ logger });
    posted(f, block);
    (f.firewall as MemoryFirewall).failNext = new TypeError('secret internal detail');
    const crashed = await f.proposals.react(approver('u2'));
    const outcome = crashed.kind === 'executed' ? crashed.proposal.outcome : '';
    const reference = /reference ([0-9a-f]{8})/.exec(outcome ?? '')?.[1];
    expect(outcome).not.toMatch(/secret internal/);
    expect(JSON.stringify(entryWithReference(entries, reference))).toContain('secret internal detail');

    posted(f, block, '900000000000000002');
    (f.firewall as MemoryFirewall).failNext = new FirewallError('block 203.0.113.7: nft exited with 1', {
      backend: 'nftables',
      exitCode: 1,
      stderr: 'Error: No such file or directory',
    });
    const refused = await f.proposals.react({ ...approver('u2'), messageId: '900000000000000002' });
    expect(refused).toMatchObject({
      proposal: { status: 'failed', outcome: 'block 203.0.113.7: nft exited with 1' },
    });
    // The program's own output is for the log, not for Discord.
    expect(entries.at(-1)).toMatchObject({
      level: 'warn',
      error: { details: { stderr: 'Error: No such file or directory' } },
    });
  });

  it('force lets an approved proposal block a LAN address', async () => {
    const f = actionsFixture();
    posted(f, { kind: 'block-ip', target: '192.168.1.9', reason: 'x', force: true });
    expect(await f.proposals.react(approver('u2'))).toMatchObject({
      proposal: { status: 'done', outcome: expect.stringMatching(/Forced over: private, lan\./) },
    });
  });

  it('unblock and remote access run through their executors', async () => {
    const f = actionsFixture();
    await f.bans.block({ input: '203.0.113.7', reason: 'x', origin: 'command', requestedBy: 'u1' });
    posted(f, { kind: 'unblock-ip', target: '203.0.113.7' }, 'm-unblock');
    expect(await f.proposals.react({ ...approver('u2'), messageId: 'm-unblock' })).toMatchObject({
      proposal: { status: 'done', outcome: 'Unblocked 203.0.113.7.' },
    });
    expect(f.bans.active()).toEqual([]);
    posted(f, { kind: 'remote-access-on', forMs: 3_600_000 }, 'm-on');
    expect(await f.proposals.react({ ...approver('u2'), messageId: 'm-on' })).toMatchObject({
      proposal: { status: 'done', outcome: expect.stringMatching(/^Remote access is on for 1h/) },
    });
    f.remote.verifyOk = false;
    posted(f, { kind: 'remote-access-off' }, 'm-off');
    expect(await f.proposals.react({ ...approver('u2'), messageId: 'm-off' })).toMatchObject({
      proposal: { status: 'failed', outcome: expect.stringMatching(/could not be verified/) },
    });
    expect(f.remote.calls).toEqual(['on 3600000', 'off']);
  });

  it('a proposal left running by a crash is marked failed on start and never re-run', async () => {
    const f = actionsFixture();
    const p = posted(f);
    f.proposalsRepo.claimForRun(p.id, f.clock.now(), 'u2');
    expect(f.proposals.failInterrupted().map((x) => x.id)).toEqual([p.id]);
    expect(f.proposals.byId(p.id)).toMatchObject({ status: 'failed' });
    expect((await f.proposals.react(approver('u3'))).kind).toBe('closed');
    expect((f.firewall as MemoryFirewall).calls).toEqual([]);
  });

  it('settle() waits for an action that is still running (graceful shutdown)', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const f = actionsFixture();
    const firewall = f.firewall as MemoryFirewall;
    const original = firewall.block.bind(firewall);
    firewall.block = async (...args) => {
      await gate;
      return original(...args);
    };
    posted(f);
    const reacting = f.proposals.react(approver('u2'));
    await new Promise((r) => setTimeout(r, 20));
    let settled = false;
    const settling = f.proposals.settle().then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    release();
    await settling;
    expect(f.proposals.byMessageId('900000000000000001')?.status).toBe('done');
    await reacting;
  });
});
