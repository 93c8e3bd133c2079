import { SlashCommandBuilder } from 'discord.js';

/** A slash command's definition, started from its name and description (both shown in Discord). */
export function slashCommand(name: string, description: string): SlashCommandBuilder {
  return new SlashCommandBuilder().setName(name).setDescription(description);
}
