/**
 * What each approved proposal does, one case per action kind. Only ProposalService calls it,
 * after the once-only claim; it returns the outcome line or throws (a UserError's text is
 * shown as is, anything else becomes a reference).
 */
import type { PlexClient } from '../adapters/plex/plex-client.js';
import type { PlexTvClient } from '../adapters/plex/plex-tv-client.js';
import type { AuditLogRepository } from '../adapters/sqlite/audit-log-repository.js';
import type { Proposal, ProposalAction } from '../domain/proposal.js';
import type { Clock } from '../kernel/clock.js';
import { formatDuration } from '../kernel/duration.js';
import { UserError } from '../kernel/errors.js';
import type { AllowlistService } from './allowlist-service.js';
import type { BanService } from './ban-service.js';
import type { RemoteAccessPort } from './remote-access-port.js';

export interface ActionRunnerDeps {
  readonly bans: BanService;
  readonly allowlist: AllowlistService;
  readonly audit: AuditLogRepository;
  /** Undefined when remote access control is not wired (the command says so). */
  readonly remoteAccess: RemoteAccessPort | undefined;
  readonly clock: Clock;
  /** plex.tv with the owner's token: signing out devices, removing shares. */
  readonly plexTv?: PlexTvClient | undefined;
  /** Throws unless PLEX_TOKEN is still the server owner's; asked before every account action. */
  readonly assertOwner?: ((signal: AbortSignal) => Promise<void>) | undefined;
  /** The Plex Media Server: stopping streams. */
  readonly plex?: Pick<PlexClient, 'terminateSession'> | undefined;
}

export class ActionRunner {
  constructor(private readonly deps: ActionRunnerDeps) {}

  async perform(proposal: Proposal): Promise<string> {
    const action = proposal.action;
    switch (action.kind) {
      case 'block-ip': {
        const result = await this.deps.bans.block({
          input: action.target,
          durationMs: action.durationMs,
          reason: action.reason,
          origin: proposal.origin,
          requestedBy: proposal.requestedBy,
          force: action.force,
          proposalId: proposal.id,
        });
        const until = Math.floor(result.ban.expiresAt / 1_000);
        const repeat = result.ban.level > 0 ? ` Repeat offender (level ${result.ban.level}).` : '';
        const enforced =
          this.deps.bans.backendName === 'none'
            ? ' Recorded only: FIREWALL_BACKEND=none enforces nothing.'
            : '';
        const forced = result.forcedOver.length > 0 ? ` Forced over: ${result.forcedOver.join(', ')}.` : '';
        return `Blocked ${result.target.text} for ${formatDuration(result.durationMs)} (until <t:${until}:f>) with ${this.deps.bans.backendName}.${repeat}${forced}${enforced}`;
      }
      case 'allow-cidr': {
        const by = proposal.decidedBy ?? proposal.requestedBy;
        const { isNew } = this.deps.allowlist.add({
          cidr: action.cidr,
          note: action.note,
          actor: by,
          proposalId: proposal.id,
        });
        return `${action.cidr} is ${isNew ? 'now' : 'still'} on the allow-list${action.note ? ` (${action.note})` : ''}: blocks inside it are refused and its log findings dropped.`;
      }
      case 'unblock-ip': {
        const { target, ban } = await this.deps.bans.unblock(
          action.target,
          proposal.decidedBy ?? 'system',
          proposal.id,
        );
        return ban
          ? `Unblocked ${target.text}.`
          : `${target.text} had no active ban; removed from the firewall anyway.`;
      }
      case 'remote-access-off': {
        const outcome = await this.remote().turnOff(AbortSignal.timeout(60_000));
        if (!outcome.ok)
          throw new UserError(['Remote access off could not be verified.', ...outcome.lines].join('\n'));
        return ['Remote access is off.', ...outcome.lines].join('\n');
      }
      case 'sign-out-device': {
        const signal = AbortSignal.timeout(30_000);
        const status = await (await this.account(signal)).signOutDevice(action.deviceId, signal);
        return `Signed "${action.name}" (plex.tv device ${action.deviceId}) out of the Plex account: plex.tv answered HTTP ${status}. Its token no longer works; the next scan confirms it is gone.`;
      }
      case 'remove-share': {
        const signal = AbortSignal.timeout(30_000);
        const status = await (await this.account(signal)).removeShare(
          { id: action.userId, home: action.home },
          signal,
        );
        return `Removed the ${action.home ? 'Plex Home membership' : 'share'} of ${action.name} (plex.tv user ${action.userId}): plex.tv answered HTTP ${status}.`;
      }
      case 'stop-stream': {
        const { plex } = this.deps;
        if (!plex) throw new UserError('Stopping streams is not set up in this bot.');
        const status = await plex.terminateSession(
          action.sessionId,
          action.reason,
          AbortSignal.timeout(30_000),
        );
        // What a server without Plex Pass answers is not publicly recorded (unverified), so
        // every non-2xx reads as refused, with both likely causes named.
        if (status < 200 || status >= 300)
          throw new UserError(
            `Plex refused (HTTP ${status}): stopping a stream needs Plex Pass, or the session has already ended.`,
          );
        return `Plex accepted: the stream of ${action.user} from ${action.address} was stopped (HTTP ${status}). The viewer was told: "${action.reason}".`;
      }
      case 'remote-access-on': {
        const options = action.forMs === undefined ? {} : { forMs: action.forMs };
        const outcome = await this.remote().turnOn(options, AbortSignal.timeout(60_000));
        if (!outcome.ok)
          throw new UserError(['Remote access on could not be verified.', ...outcome.lines].join('\n'));
        return [
          action.forMs === undefined
            ? 'Remote access is on.'
            : `Remote access is on for ${formatDuration(action.forMs)}.`,
          ...outcome.lines,
        ].join('\n');
      }
    }
  }

  /** The owner's plex.tv, after asking again that the token is still the owner's. */
  private async account(signal: AbortSignal): Promise<PlexTvClient> {
    const { plexTv, assertOwner } = this.deps;
    if (!plexTv || !assertOwner) throw new UserError('plex.tv account actions are not set up in this bot.');
    await assertOwner(signal);
    return plexTv;
  }

  private remote(): RemoteAccessPort {
    if (!this.deps.remoteAccess) throw new UserError('Remote access control is not set up in this bot.');
    return this.deps.remoteAccess;
  }
}

export function describeAction(action: ProposalAction): string {
  switch (action.kind) {
    case 'block-ip': {
      const duration =
        action.durationMs === undefined ? 'the default time' : formatDuration(action.durationMs);
      return `Block ${action.target} for ${duration}${action.force ? ' (forced)' : ''}: ${action.reason}`;
    }
    case 'unblock-ip':
      return `Unblock ${action.target}`;
    case 'allow-cidr':
      return `Allow-list ${action.cidr}${action.force ? ' (forced)' : ''}: never block it, drop its log findings${action.note ? ` (${action.note})` : ''}`;
    case 'remote-access-off':
      return 'Turn Plex remote access off and remove router mappings to the Plex port';
    case 'sign-out-device':
      return `Sign the device "${action.name}" out of the owner's Plex account (this changes the owner's plex.tv account: the device's token stops working and it must sign in again)`;
    case 'remove-share':
      return `Remove the ${action.home ? 'Plex Home membership' : 'share'} of ${action.name} (this changes the owner's plex.tv account: ${action.name} loses access to the server)`;
    case 'remote-access-on':
      return action.forMs === undefined
        ? 'Turn Plex remote access on'
        : `Turn Plex remote access on for ${formatDuration(action.forMs)}, then off again`;
    case 'stop-stream':
      return `Stop the stream of ${action.user} from ${action.address} (the viewer sees: "${action.reason}")`;
  }
}

export function targetOf(action: ProposalAction): string | undefined {
  if (action.kind === 'allow-cidr') return action.cidr;
  if (action.kind === 'stop-stream') return action.address;
  return action.kind === 'block-ip' || action.kind === 'unblock-ip' ? action.target : undefined;
}
