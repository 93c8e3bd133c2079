import type { ActionsConfig } from '../../config/actions.js';
import type { Clock } from '../../kernel/clock.js';
import { CommandBackend } from './command.js';
import { CrowdsecBackend } from './crowdsec.js';
import { Fail2banBackend } from './fail2ban.js';
import { NftablesBackend } from './nftables.js';
import { NoneBackend } from './none.js';
import type { FirewallBackend } from './types.js';
import { UfwBackend } from './ufw.js';

/** Builds the configured backend; called once from the composition root. */
export function createFirewall(config: ActionsConfig, clock: Clock): FirewallBackend {
  const timeoutMs = config.firewallTimeoutMs;
  switch (config.firewallBackend) {
    case 'nftables':
      return new NftablesBackend({ table: config.nftTable, nft: [config.nftPath], timeoutMs, clock });
    case 'crowdsec':
      return new CrowdsecBackend({
        cscli: config.crowdsecConfig ? [config.cscliPath, '-c', config.crowdsecConfig] : [config.cscliPath],
        timeoutMs,
        clock,
      });
    case 'fail2ban':
      return new Fail2banBackend({
        client: [config.fail2banClient],
        configDir: config.fail2banConfigDir,
        jail: config.fail2banJail,
        timeoutMs,
      });
    case 'ufw':
      return new UfwBackend({ ufw: [config.ufwPath], timeoutMs });
    case 'command':
      if (!config.blockCommand) throw new Error('FIREWALL_BACKEND=command needs BLOCK_COMMAND');
      return new CommandBackend({ command: config.blockCommand, timeoutMs });
    case 'none':
      return new NoneBackend();
  }
}
