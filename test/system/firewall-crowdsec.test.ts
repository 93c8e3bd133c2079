import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BlockTarget, parseBlockTarget } from '../../src/actions/block-policy.js';
import { CrowdsecBackend, parseDecisionList } from '../../src/adapters/firewall/crowdsec.js';
import { firewallHealth } from '../../src/adapters/firewall/firewall-health.js';
import { systemClock } from '../../src/kernel/clock.js';
import { actionsConfig, actionsFixture } from '../harness/actions-fixture.js';
import { type CrowdsecLab, startCrowdsec } from '../harness/crowdsec-lab.js';
import { NetnsLab } from '../harness/netns-lab.js';
import { describeSystem } from '../harness/system-gate.js';
import { tempDir } from '../harness/test-env.js';

function target(text: string): BlockTarget {
  const t = parseBlockTarget(text);
  if (!t) throw new Error(`bad target ${text}`);
  return t;
}

/**
 * The CrowdSec backend against a real CrowdSec local API in a loopback-only namespace (see
 * crowdsec-lab.ts): block → `cscli decisions list` shows it with our reason → unblock removes
 * it (and only ours) → a decision deleted behind the bot's back is re-applied on start.
 */
describeSystem('crowdsec backend against a real local API', ['crowdsec', 'cscli', 'ip'], () => {
  const lab = new NetnsLab('cs');
  let dir: ReturnType<typeof tempDir>;
  let cs: CrowdsecLab;
  let backend: CrowdsecBackend;

  /** What an admin sees: `cscli decisions list -o json`. */
  const listed = () => parseDecisionList(cs.run(['decisions', 'list', '-o', 'json']));

  beforeAll(async () => {
    dir = tempDir('pw-crowdsec-');
    cs = await startCrowdsec(lab, dir.path);
    backend = new CrowdsecBackend({ cscli: cs.cscli, timeoutMs: 10_000, clock: systemClock });
  }, 30_000);

  afterAll(() => {
    lab.cleanup();
    dir?.remove();
  });

  it('block → cscli lists the decision with our reason → unblock removes ours, not CrowdSec’s own', async () => {
    await backend.prepare();
    await backend.block(target('203.0.113.7'), 3_600_000, 'plex-warden: brute force; $(id)');
    await backend.block(target('198.51.100.0/24'), 7_200_000, 'plex-warden: scan');
    const decisions = listed();
    expect(decisions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          value: '203.0.113.7',
          scope: 'Ip',
          origin: 'cscli',
          scenario: 'plex-warden: brute force; $(id)',
        }),
        expect.objectContaining({ value: '198.51.100.0/24', scope: 'Range', scenario: 'plex-warden: scan' }),
      ]),
    );
    const ours = await backend.list();
    expect(ours.map((e) => e.target).sort()).toEqual(['198.51.100.0/24', '203.0.113.7']);
    const left = ours.find((e) => e.target === '203.0.113.7')?.expiresAt ?? 0;
    expect(left - Date.now()).toBeGreaterThan(3_500_000);
    expect(left - Date.now()).toBeLessThanOrEqual(3_600_000);

    // Someone else's decision for the same address (a CrowdSec scenario, or the admin), longer
    // than ours: `decisions list` now hides ours, the backend still finds it.
    cs.run(['decisions', 'add', '--ip', '203.0.113.7', '--duration', '5h', '--reason', 'admin-manual']);
    expect((await backend.list()).map((e) => e.target).sort()).toEqual(['198.51.100.0/24', '203.0.113.7']);
    // A second block refreshes: still one decision of ours.
    await backend.block(target('203.0.113.7'), 600_000, 'plex-warden: again');
    expect(
      listed().filter((d) => d.scenario.startsWith('plex-warden') && d.value === '203.0.113.7'),
    ).toHaveLength(1);

    await backend.unblock(target('203.0.113.7'));
    await backend.unblock(target('203.0.113.7'));
    await backend.unblock(target('198.51.100.0/24'));
    expect((await backend.list()).map((e) => e.target)).toEqual([]);
    expect(listed()).toEqual([expect.objectContaining({ value: '203.0.113.7', scenario: 'admin-manual' })]);
    cs.run(['decisions', 'delete', '--ip', '203.0.113.7']);
  });

  it('re-applies a decision deleted behind the bot’s back when it starts (reconcile)', async () => {
    const f = actionsFixture({ firewall: () => backend, publicIp: '192.0.2.1' });
    await f.bans.block({ input: '203.0.113.8', reason: 'probe', origin: 'command', requestedBy: 'u1' });
    expect(listed().map((d) => d.value)).toEqual(['203.0.113.8']);
    cs.run(['decisions', 'delete', '--ip', '203.0.113.8']);
    expect(listed()).toEqual([]);
    const report = await f.bans.reconcile();
    expect(report.reapplied).toEqual(['203.0.113.8']);
    expect(listed()).toEqual([
      expect.objectContaining({ value: '203.0.113.8', scenario: 'plex-warden: probe' }),
    ]);
    await f.bans.unblock('203.0.113.8', 'u1');
    expect(listed()).toEqual([]);
  });

  it('doctor: proves it can add and delete a decision for a documentation address', async () => {
    const health = await firewallHealth(backend, actionsConfig({ FIREWALL_BACKEND: 'crowdsec' }));
    expect(health).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/took and deleted .*192\.0\.2\.254/),
    });
    expect(listed()).toEqual([]);
    const down = new CrowdsecBackend({
      cscli: [...cs.cscli.slice(0, -1), `${dir.path}/missing.yaml`],
      timeoutMs: 10_000,
      clock: systemClock,
    });
    expect(await firewallHealth(down, actionsConfig({ FIREWALL_BACKEND: 'crowdsec' }))).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/cscli/),
    });
  });

  it('never leaves the namespace: CrowdSec there has no route but loopback', () => {
    expect(lab.ip(cs.ns, ['route', 'show'])).toBe('');
    expect(lab.exec(cs.ns, 'ip', ['-o', 'link', 'show']).trim().split('\n')).toHaveLength(1);
  });
});
