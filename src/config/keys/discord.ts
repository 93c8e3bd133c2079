import { kinds as k } from '../key.js';
import { section } from '../section.js';

export const DISCORD = section('discord', 'Discord (REQUIRED for the bot)', {
  DISCORD_TOKEN: k.secret({
    minLength: 50,
    expected: 'the bot token from the Developer Portal (Bot > Reset Token)',
    description: 'Bot token: Developer Portal > your application > Bot > Reset Token. Never share it.',
  }),
  DISCORD_APPLICATION_ID: k.id({
    description: 'Application id: Developer Portal > General Information > Application ID.',
  }),
  DISCORD_GUILD_ID: k.id({
    description: 'The server (guild) the bot serves; commands from anywhere else are refused.',
  }),
  ALERT_CHANNEL_ID: k.id({
    description: 'The private admin channel where findings and proposals are posted.',
  }),
  APPROVER_ROLE_IDS: k.idList({
    description:
      'Who may use commands and approve actions: role ids and/or user ids, comma-separated.\nAt least one of the two is required. Members of these roles:',
  }),
  APPROVER_USER_IDS: k.idList({ description: 'These users:' }),
  DISCORD_API_URL: k.url({
    default: 'https://discord.com/api',
    description: 'REST base URL; change only to point the bot at a proxy or a test server.',
  }),
});
