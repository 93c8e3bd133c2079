import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RouterFacts } from '../../src/exposure/router-facts.js';
import { LAB, RouterLab } from '../harness/router-lab.js';
import { describeSystem } from '../harness/system-gate.js';

const PROBE = resolve('test/harness/router-probe.ts');
const ROGUE = resolve('test/harness/rogue-ssdp.ts');
/** A second address in the router namespace: "another host" the rogue points at. */
const VICTIM = '192.168.77.30';

describeSystem('SSDP answers are trusted only for their own host (namespaces)', ['ip'], () => {
  let lab: RouterLab;
  let output = '';

  beforeAll(async () => {
    lab = new RouterLab('ssdp-trust');
    lab.netns.ip(lab.router, ['addr', 'add', `${VICTIM}/24`, 'dev', 'lan0']);
    const rogue = lab.netns.spawn(lab.router, process.execPath, [
      '--import',
      'tsx',
      ROGUE,
      `http://${VICTIM}:5000/rootDesc.xml`,
      VICTIM,
      '5000',
      LAB.router,
    ]);
    rogue.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    rogue.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const deadline = Date.now() + 15_000;
    while (!output.includes('READY')) {
      if (Date.now() > deadline) throw new Error(`rogue responder did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 30_000);

  afterAll(() => {
    lab?.cleanup();
  });

  it('refuses a rogue LAN device pointing discovery at another host, and never contacts that host', async () => {
    const facts = await lab.runScript<RouterFacts>(lab.lan, PROBE, {
      op: 'facts',
      env: { ROUTER_DISCOVERY: 'ssdp', ROUTER_DISCOVERY_TIMEOUT: '1s', NATPMP_GATEWAY: 'off' },
    });
    // The rogue did answer the bot's M-SEARCH ...
    expect(output).toContain(`ANSWERED ${LAB.lanHost}`);
    // ... and the answer was dropped: nobody usable answered, and the other host saw nothing.
    expect(facts.upnpStatus).toBe('silent');
    expect(facts.upnpAvailable).toBe(false);
    expect(output).not.toContain('CONNECT');
    // Control: the other host's listener does see a connection from the LAN host, so the
    // silence above means the bot never tried.
    lab.netns.httpStatus(lab.lan, `http://${VICTIM}:5000/rootDesc.xml`);
    const deadline = Date.now() + 3_000;
    while (!output.includes('CONNECT') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(output).toContain(`CONNECT ${LAB.lanHost}`);
  }, 30_000);
});
