/**
 * firewall — can FIREWALL_BACKEND actually ban? Checks what a ban needs (our nftables table, the
 * fail2ban jail, ufw, the script) without banning anything. Skipped with FIREWALL_BACKEND=none
 * only in the sense that it then warns: approved bans would be recorded and not enforced.
 */

import { createFirewall } from '../adapters/firewall/create-firewall.js';
import { firewallHealth } from '../adapters/firewall/firewall-health.js';
import { systemClock } from '../kernel/clock.js';
import type { Probe } from './types.js';

export const firewall: Probe = {
  id: 'firewall',
  title: 'Firewall backend',
  timeoutMs: 15_000,
  async run(ctx) {
    const backend = createFirewall(ctx.config.actions, systemClock);
    const health = await firewallHealth(backend, ctx.config.actions, ctx.signal);
    return health.fix === undefined
      ? { status: health.status, detail: `${backend.name}: ${health.detail}` }
      : { status: health.status, detail: `${backend.name}: ${health.detail}`, fix: health.fix };
  },
};
