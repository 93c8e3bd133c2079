import type {
  AutocompleteInteraction,
  ButtonInteraction,
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
  /**
   * A click on a button this command put on its reply (custom id `commandButtonId(name, …)`).
   * Runs after the same server-side authorization as the command, deferred ephemerally; finishes
   * with interaction.editReply. The custom id is the user's to forge: re-check everything in it.
   */
  click?(interaction: ButtonInteraction, rest: string, ctx: BotContext): Promise<void>;
}

const BUTTON_PREFIX = 'pw-cmd';

/**
 * The custom id of a command's button: the command, then what the button is about. Discord allows
 * 100 characters (https://discord.com/developers/docs/components/reference#button).
 */
export function commandButtonId(command: string, rest: string): string {
  const id = `${BUTTON_PREFIX}:${command}:${rest}`;
  if (id.length > 100) throw new Error(`button custom id over 100 characters: ${command}`);
  return id;
}

/** The command and the rest of a command button's custom id, or undefined for any other id. */
export function parseCommandButtonId(customId: string): { command: string; rest: string } | undefined {
  const match = /^pw-cmd:([a-z-]{1,32}):(.{1,90})$/.exec(customId);
  if (!match?.[1] || !match[2]) return undefined;
  return { command: match[1], rest: match[2] };
}
