import { describe, expect, it } from 'vitest';
import { proposalEmbed } from '../../src/actions/proposal-embed.js';
import { createFirewall } from '../../src/adapters/firewall/create-firewall.js';
import type { Proposal } from '../../src/domain/proposal.js';
import { actionsConfig } from '../harness/actions-fixture.js';
import { ManualClock } from '../harness/manual-clock.js';

const base: Proposal = {
  id: 7,
  action: { kind: 'block-ip', target: '203.0.113.7', reason: 'x', force: false },
  summary: 'Block 203.0.113.7 for 1d: x',
  origin: 'finding',
  requestedBy: 'finding:ssh-brute-force:203.0.113.7',
  channelId: 'c',
  messageId: 'm',
  requiredApprovals: 2,
  approvers: ['500000000000000005'],
  status: 'pending',
  createdAt: 0,
  expiresAt: 1_800_000,
  decidedBy: undefined,
  decidedAt: undefined,
  finishedAt: undefined,
  outcome: undefined,
  note: undefined,
};

const field = (p: Proposal, name: string) => proposalEmbed(p).fields?.find((f) => f.name === name)?.value;

describe('proposalEmbed', () => {
  it('shows who the address belongs to, through the one label', () => {
    const facts = { lookup: () => ({ asn: 64500, asName: 'Example Hosting', country: 'NL' }) };
    const value = proposalEmbed(base, facts).fields?.find((f) => f.name === 'Address')?.value;
    expect(value).toBe('203.0.113.7 · AS64500 Example Hosting · NL');
    expect(field(base, 'Address')).toBe('203.0.113.7');
    expect(field({ ...base, action: { kind: 'remote-access-off' } }, 'Address')).toBeUndefined();
  });

  it('shows approvals so far, the requester and the expiry while pending', () => {
    expect(field(base, 'Approvals')).toBe('1/2: <@500000000000000005>');
    expect(field(base, 'Requested by')).toBe('a finding (ssh-brute-force:203.0.113.7)');
    expect(field(base, 'Expires')).toBe('<t:1800:R>');
    expect(proposalEmbed(base).footer?.text).toMatch(/react ✅ to run it or ❌ to drop it/);
  });

  it('shows the outcome and closes once decided', () => {
    const done = { ...base, status: 'done' as const, outcome: 'Blocked.', requestedBy: '500000000000000005' };
    expect(field(done, 'Status')).toBe('Done');
    expect(field(done, 'Outcome')).toBe('Blocked.');
    expect(field(done, 'Requested by')).toBe('<@500000000000000005>');
    expect(field(done, 'Expires')).toBeUndefined();
    expect(proposalEmbed(done).footer?.text).toBe('This proposal is closed.');
    const cancelled = { ...base, status: 'cancelled' as const, decidedBy: '600000000000000006' };
    expect(field(cancelled, 'Cancelled by')).toBe('<@600000000000000006>');
    expect(field({ ...base, status: 'expired' }, 'Status')).toBe('Expired — nothing was done');
  });

  it('keeps within Discord limits', () => {
    const long = {
      ...base,
      summary: 'x'.repeat(5_000),
      status: 'failed' as const,
      outcome: 'y'.repeat(5_000),
    };
    const embed = proposalEmbed(long);
    expect(embed.description?.length).toBeLessThanOrEqual(4_096);
    expect(field(long, 'Outcome')?.length).toBeLessThanOrEqual(1_024);
  });
});

describe('createFirewall', () => {
  it.each(['nftables', 'fail2ban', 'ufw', 'none'] as const)('builds the %s backend', (name) => {
    expect(createFirewall(actionsConfig({ FIREWALL_BACKEND: name }), new ManualClock()).name).toBe(name);
  });

  it('builds the command backend with its script', () => {
    const config = actionsConfig({ FIREWALL_BACKEND: 'command', BLOCK_COMMAND: '/usr/local/bin/block' });
    expect(createFirewall(config, new ManualClock()).name).toBe('command');
  });
});
