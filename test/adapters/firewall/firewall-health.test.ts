import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandBackend } from '../../../src/adapters/firewall/command.js';
import { Fail2banBackend } from '../../../src/adapters/firewall/fail2ban.js';
import { firewallHealth } from '../../../src/adapters/firewall/firewall-health.js';
import { NftablesBackend } from '../../../src/adapters/firewall/nftables.js';
import { NoneBackend } from '../../../src/adapters/firewall/none.js';
import { actionsConfig } from '../../harness/actions-fixture.js';
import { ManualClock } from '../../harness/manual-clock.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('firewallHealth', () => {
  it('warns that the none backend enforces nothing', async () => {
    expect(await firewallHealth(new NoneBackend(), actionsConfig())).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/nothing is enforced/),
    });
  });

  it('checks that the command script is executable, without running it', async () => {
    const script = join(dir, 'block.sh');
    const marker = join(dir, 'ran');
    writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\n`);
    const config = actionsConfig({ FIREWALL_BACKEND: 'command', BLOCK_COMMAND: script });
    const backend = new CommandBackend({ command: script, timeoutMs: 1_000 });
    expect(await firewallHealth(backend, config)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/EACCES/),
    });
    chmodSync(script, 0o755);
    expect(await firewallHealth(backend, config)).toMatchObject({ status: 'ok' });
    const missing = actionsConfig({ FIREWALL_BACKEND: 'command', BLOCK_COMMAND: join(dir, 'nope') });
    expect(await firewallHealth(backend, missing)).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/chmod/),
    });
    expect(() => rmSync(marker)).toThrow();
  });

  it('fails with the reason and a fix when nft cannot run', async () => {
    const backend = new NftablesBackend({
      table: 'plex_warden',
      nft: [join(dir, 'no-nft')],
      timeoutMs: 1_000,
      clock: new ManualClock(),
    });
    expect(await firewallHealth(backend, actionsConfig({ FIREWALL_BACKEND: 'nftables' }))).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/CAP_NET_ADMIN/),
    });
  });

  it("says plainly when fail2ban's socket cannot be reached, and what granting it means", async () => {
    // fail2ban-client's words for a socket the user may not write (fail2ban/client/fail2banclient.py).
    const client = join(dir, 'fail2ban-client');
    writeFileSync(
      client,
      "#!/bin/sh\necho 'ERROR  Permission denied to socket: /var/run/fail2ban/fail2ban.sock, (you must be root)' >&2\nexit 255\n",
    );
    chmodSync(client, 0o755);
    const backend = new Fail2banBackend({
      client: [client],
      configDir: undefined,
      jail: 'plex-warden',
      timeoutMs: 2_000,
    });
    const health = await firewallHealth(backend, actionsConfig({ FIREWALL_BACKEND: 'fail2ban' }));
    expect(health).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/cannot reach fail2ban's socket/),
      fix: expect.stringMatching(/same as root.*FIREWALL_BACKEND=nftables.*FIREWALL_BACKEND=crowdsec/),
    });
  });
});
