import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  Client,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { ProposalBoard } from '../actions/proposal-board.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import type { DiscordConfig } from '../config/index.js';
import type { AppContext } from '../domain/app-context.js';

/** What commands and events get: the app context plus the Discord pieces. */
export interface BotContext extends AppContext {
  readonly discord: DiscordConfig;
  readonly client: Client;
  readonly alerts: AlertOutbox;
  /** Posts and edits action proposals in the alert channel. */
  readonly board: ProposalBoard;
  readonly startedAt: number;
  /** When the next scheduled scan fires, if scheduled. */
  nextScanAt(): number | undefined;
}

export interface Command {
  /** Equals the file name in src/commands and the slash command's name. */
  readonly name: string;
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Whether the deferred reply is visible only to the caller. */
  readonly ephemeral: boolean;
  /**
   * Checks the arguments without I/O before anything is deferred; throw UserError to send an
   * ephemeral explanation and run nothing.
   */
  validate?(interaction: ChatInputCommandInteraction, ctx: BotContext): void;
  /** Runs after the reply was deferred; finishes with interaction.editReply. */
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}
