import type { AddressFactsLookup } from '../domain/address-facts.js';
/**
 * The Discord side of proposals: posts the message (after the row exists), records its id,
 * adds ✅ and ❌, edits the message as the proposal moves on, and turns findings that suggest
 * an action into proposals (or, with AUTO_BLOCK, into bans). Talks to Discord through REST
 * only, so it works for messages the client never cached (after a restart).
 */

import { DiscordAPIError, type REST, Routes } from 'discord.js';
import { discordAnswer, MessageSchema } from '../adapters/discord/api-schemas.js';
import { refusalFor } from '../adapters/discord/authorize.js';
import type { ActionsConfig } from '../config/actions.js';
import type { DiscordConfig } from '../config/index.js';
import { type Finding, type SuggestedAction, severityRank } from '../domain/finding.js';
import type { Proposal } from '../domain/proposal.js';
import { formatDuration } from '../kernel/duration.js';
import { UserError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { Actions } from './actions.js';
import { proposalButtons } from './proposal-buttons.js';
import { APPROVE_EMOJI, CANCEL_EMOJI, proposalEmbed } from './proposal-embed.js';
import type { Decision, ReactionVerdict } from './proposal-reaction.js';
import type { NewProposal } from './proposal-service.js';
import type { SkippedSuggestion, SuggestedActions, SuggestedActionsReport } from './suggested-actions.js';

/**
 * A nonce for the proposal's post, derived from what is stored (id and creation time never
 * change and are never reused), so every retry of the post, by @discordjs/rest or after a crash,
 * carries the same one and Discord's enforce_nonce returns the first message instead of a second
 * (https://discord.com/developers/docs/resources/message#create-message). ≤ 25 characters.
 */
export function proposalNonce(proposal: Pick<Proposal, 'id' | 'createdAt'>): string {
  return `pp${proposal.id.toString(36)}.${proposal.createdAt.toString(36)}`.slice(0, 25);
}

export interface ProposalBoardDeps {
  readonly rest: REST;
  /** The admin channel (ALERT_CHANNEL_ID) where proposals are posted. */
  readonly channelId: string;
  readonly actions: Actions;
  readonly config: ActionsConfig;
  readonly logger: Logger;
  /** Who may decide (the same server-side check as commands). */
  readonly discord: DiscordConfig;
  /** Plain lines go through the alert outbox: stored, sent once with a stored nonce, in order. */
  readonly post: (content: string) => Promise<void>;
  /** ASN/country next to a proposal's address; unknown when absent. */
  readonly addressFacts?: AddressFactsLookup;
  /** Of earlier approvers, those who may approve right now (fetched fresh, see current-approvers). */
  readonly stillApprovers: (userIds: readonly string[]) => Promise<ReadonlySet<string>>;
}

export class ProposalBoard implements SuggestedActions {
  /** Set once the actions have started: before that, reactions are not replayed. */
  private live = false;

  constructor(private readonly deps: ProposalBoardDeps) {}

  /** The one path for a decision, live or replayed: authorize on the server, then the once-only rule. */
  async decide(input: Decision): Promise<ReactionVerdict> {
    const { actions, discord, logger } = this.deps;
    const refusal = refusalFor(discord, {
      guildId: input.guildId,
      userId: input.userId,
      isBot: input.isBot,
      roleIds: input.roleIds,
    });
    const verdict = await actions.proposals.react({
      messageId: input.messageId,
      userId: input.userId,
      decision: input.decision,
      isBot: input.isBot,
      isApprover: refusal === undefined,
      stillApprovers: this.deps.stillApprovers,
      onClaimed: (running) => this.update(running),
    });
    logger.info('proposal decision', {
      user: input.userId,
      decision: input.decision,
      verdict: verdict.kind,
      refusal,
    });
    switch (verdict.kind) {
      case 'approval-recorded':
      case 'cancelled':
      case 'expired':
      case 'executed':
        await this.update(verdict.proposal).catch((error: unknown) =>
          logger.warn('could not edit a proposal message', { proposalId: verdict.proposal.id, error }),
        );
    }
    return verdict;
  }

  /**
   * On every ready session: Discord replays nothing to a new session
   * (https://discord.com/developers/docs/topics/gateway#resuming), so a ✅ given while the bot was
   * offline would never count. Reads the ✅/❌ users of every pending proposal
   * (resources/message#get-reactions) and applies them as if they had just arrived.
   */
  async replayReactions(): Promise<void> {
    if (!this.live) return;
    const { actions, rest, discord, logger } = this.deps;
    for (const proposal of actions.proposals.pendingWithMessage()) {
      const { channelId, messageId } = proposal;
      if (!channelId || !messageId) continue;
      for (const [emoji, decision] of [
        [CANCEL_EMOJI, 'cancel'],
        [APPROVE_EMOJI, 'approve'],
      ] as const) {
        let users: { id: string; bot?: boolean }[];
        try {
          users = (await rest.get(
            Routes.channelMessageReaction(channelId, messageId, encodeURIComponent(emoji)),
            {
              query: new URLSearchParams({ limit: '100' }),
            },
          )) as { id: string; bot?: boolean }[];
        } catch (error) {
          logger.warn('could not read the reactions of a proposal', { proposalId: proposal.id, error });
          continue;
        }
        for (const user of users) {
          if (user.bot) continue;
          const member = (await rest
            .get(Routes.guildMember(discord.guildId, user.id))
            .catch(() => undefined)) as { roles?: string[] } | undefined;
          await this.decide({
            messageId,
            userId: user.id,
            isBot: false,
            // Someone who left the server (10007) decides nothing: no guild, no roles.
            guildId: member ? discord.guildId : null,
            roleIds: member?.roles ?? [],
            decision,
          });
        }
      }
    }
  }

  /** Called once the actions have started (startBot), then replays what was missed. */
  async goLive(): Promise<void> {
    this.live = true;
    await this.replayReactions();
  }

  /** Store → post → record message id → add ✅ then ❌. Returns the proposal with its message id. */
  async propose(input: NewProposal): Promise<Proposal> {
    const { actions, rest, channelId, logger } = this.deps;
    const stored = actions.proposals.create(input);
    let messageId: string | undefined;
    let failure: unknown;
    // A post whose answer was lost (connection cut, timeout) is sent again with the same nonce:
    // Discord answers it with the first message, so there is never a second, orphan proposal.
    for (let attempt = 0; attempt < 2 && messageId === undefined; attempt += 1) {
      try {
        const message = discordAnswer(
          await rest.post(Routes.channelMessages(channelId), {
            body: {
              embeds: [proposalEmbed(stored, this.deps.addressFacts)],
              components: proposalButtons(stored),
              allowed_mentions: { parse: [] },
              nonce: proposalNonce(stored),
              enforce_nonce: true,
            },
          }),
          MessageSchema,
          'the posted proposal',
        );
        messageId = message.id;
      } catch (error) {
        failure = error;
        // Discord answered: it refused, and the same request would be refused again.
        if (error instanceof DiscordAPIError) break;
      }
    }
    if (messageId === undefined) {
      logger.error('could not post a proposal', { proposalId: stored.id, error: failure });
      actions.proposals.abandon(stored.id, 'The proposal message could not be posted to Discord.');
      throw new UserError(
        'The proposal could not be posted in the alert channel; nothing will run. Try again shortly.',
      );
    }
    const posted = actions.proposals.attachMessage(stored.id, channelId, messageId);
    for (const emoji of [APPROVE_EMOJI, CANCEL_EMOJI]) {
      try {
        await rest.put(Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent(emoji)));
      } catch (error) {
        // Approvers can still add the reaction themselves; the proposal stands.
        logger.warn('could not add a reaction to a proposal', { proposalId: stored.id, emoji, error });
      }
    }
    return posted;
  }

  /** Edits the proposal message to show its current state. */
  async update(proposal: Proposal): Promise<void> {
    if (!proposal.channelId || !proposal.messageId) return;
    await this.deps.rest.patch(Routes.channelMessage(proposal.channelId, proposal.messageId), {
      body: {
        embeds: [proposalEmbed(proposal, this.deps.addressFacts)],
        components: proposalButtons(proposal),
        allowed_mentions: { parse: [] },
      },
    });
  }

  /** A plain line in the admin channel (auto-blocks, drift found on start). */
  async notice(content: string): Promise<void> {
    await this.deps.post(content.slice(0, 2_000));
  }

  /**
   * Why each suggested block would not become a proposal (keyed by finding fingerprint), without
   * acting: the digest line of that finding says so. Suggestions that would be proposed are absent.
   */
  notProposed(findings: readonly Finding[]): ReadonlyMap<string, string> {
    return new Map(findings.flatMap((f) => this.triage(f)).map((s) => [s.fingerprint, s.reason]));
  }

  private triage(finding: Finding): SkippedSuggestion[] {
    const action = finding.action;
    if (action?.kind !== 'block-ip') return [];
    const { actions } = this.deps;
    const skip = (reason: string) => [{ fingerprint: finding.fingerprint, reason }];
    const verdict = actions.bans.check(action.ip);
    if (!verdict.ok) return skip(verdict.reason);
    const target = verdict.target.text;
    if (actions.bans.active().some((b) => b.target === target)) return skip(`${target} is already blocked`);
    if (actions.proposals.pendingBlockExists(target))
      return skip(`a proposal to block ${target} is already waiting`);
    return [];
  }

  /**
   * For findings that carry `action: {kind: 'block-ip'}`: a proposal each — or, with
   * AUTO_BLOCK and a severe enough finding, a ban right away. Skips targets already banned or
   * already proposed, and targets the policy refuses (a finding never forces).
   */
  async proposeSuggestedActions(findings: readonly Finding[]): Promise<SuggestedActionsReport> {
    const { actions, config, logger } = this.deps;
    const proposed: Proposal[] = [];
    const autoBlocked: string[] = [];
    const skipped: { fingerprint: string; reason: string }[] = [];
    for (const finding of findings) {
      const action = finding.action;
      const propose =
        action?.kind === 'sign-out-device' || action?.kind === 'remove-share'
          ? () => this.proposeAccountChange(finding, action)
          : action?.kind === 'stop-stream'
            ? () => this.proposeStopStream(finding, action)
            : undefined;
      if (action?.kind === 'stop-stream' && this.deps.actions.proposals.pendingStopExists(action.sessionId)) {
        // Two checks can ask to stop the same stream (a new address and a sharing signal):
        // one proposal, and the second finding's digest line says why it has none.
        skipped.push({
          fingerprint: finding.fingerprint,
          reason: 'a proposal to stop this stream is already waiting',
        });
        continue;
      }
      if (propose) {
        try {
          proposed.push(await propose());
        } catch (error) {
          logger.error('could not act on a suggested action', { fingerprint: finding.fingerprint, error });
          skipped.push({ fingerprint: finding.fingerprint, reason: 'failed; see the log' });
        }
        continue;
      }
      if (action?.kind !== 'block-ip') continue;
      const refused = this.triage(finding);
      if (refused.length > 0) {
        for (const s of refused) {
          // Said, not dropped: the digest line of the finding carries the same reason.
          logger.info('suggested action not proposed', {
            fingerprint: s.fingerprint,
            ip: action.ip,
            reason: s.reason,
          });
          skipped.push(s);
        }
        continue;
      }
      const verdict = actions.bans.check(action.ip);
      if (!verdict.ok) continue;
      const target = verdict.target.text;
      const requestedBy = `finding:${finding.fingerprint}`;
      const reason = action.reason.slice(0, 300);
      try {
        if (config.autoBlock && severityRank(finding.severity) >= severityRank(config.autoBlockMinSeverity)) {
          const result = await actions.bans.block({
            input: target,
            durationMs: action.durationMs,
            reason,
            origin: 'auto',
            requestedBy,
          });
          autoBlocked.push(target);
          await this.notice(
            `Auto-blocked ${target} for ${formatDuration(result.durationMs)} (AUTO_BLOCK, ${finding.severity}): ${reason}. Use /unblock to lift it.`,
          ).catch((error: unknown) => logger.warn('could not announce an auto-block', { error }));
          continue;
        }
        proposed.push(
          await this.propose({
            action: { kind: 'block-ip', target, durationMs: action.durationMs, reason, force: false },
            origin: 'finding',
            requestedBy,
            summary:
              `${finding.title} (${finding.severity}). Block ${target} for ${formatDuration(action.durationMs)}? Reason: ${reason}`.slice(
                0,
                1_000,
              ),
          }),
        );
      } catch (error) {
        logger.error('could not act on a suggested action', { fingerprint: finding.fingerprint, error });
        skipped.push({ fingerprint: finding.fingerprint, reason: 'failed; see the log' });
      }
    }
    return { proposed, autoBlocked, skipped };
  }

  /** Never automatic, like a block: an approver decides whether the viewer is cut off. */
  private proposeStopStream(
    finding: Finding,
    action: Extract<SuggestedAction, { kind: 'stop-stream' }>,
  ): Promise<Proposal> {
    const reason = action.reason.slice(0, 200);
    return this.propose({
      action: {
        kind: 'stop-stream',
        sessionId: action.sessionId,
        user: action.user,
        address: action.address,
        reason,
      },
      origin: 'finding',
      requestedBy: `finding:${finding.fingerprint}`,
      summary:
        `${finding.title} (${finding.severity}). Stop the stream of ${action.user} from ${action.address}? The viewer sees: "${reason}". Needs Plex Pass.`.slice(
          0,
          1_000,
        ),
    });
  }

  /** Never automatic: these change the owner's plex.tv account, so an approver always decides. */
  private proposeAccountChange(
    finding: Finding,
    action: Extract<SuggestedAction, { kind: 'sign-out-device' | 'remove-share' }>,
  ): Promise<Proposal> {
    const what =
      action.kind === 'sign-out-device'
        ? `Sign "${action.name}" out of the Plex account?`
        : `Remove the access of ${action.name}?`;
    return this.propose({
      action:
        action.kind === 'sign-out-device'
          ? { kind: 'sign-out-device', deviceId: action.deviceId, name: action.name }
          : { kind: 'remove-share', userId: action.userId, home: action.home, name: action.name },
      origin: 'finding',
      requestedBy: `finding:${finding.fingerprint}`,
      summary:
        `${finding.title} (${finding.severity}). ${what} This changes the owner's plex.tv account, not just this bot.`.slice(
          0,
          1_000,
        ),
    });
  }
}
