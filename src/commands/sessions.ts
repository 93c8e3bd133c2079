import { SlashCommandBuilder } from 'discord.js';
import { boundedFields } from '../alerts/bounded-list.js';
import { LIMITS } from '../alerts/embeds.js';
import { isRemoteSession } from '../checks/plex-sessions.js';
import { readSessions } from '../exposure/plex-resources.js';
import { untrustedText } from '../kernel/untrusted-text.js';
import type { Command } from './types.js';

/** Room the title and description leave of the 6,000 characters per message. */
const FIELD_CHARS = LIMITS.charsPerMessage - 1_000;

/** What is streaming now (`GET /status/sessions`), remote streams first. Approvers only, like every command. */
export const sessions: Command = {
  name: 'sessions',
  data: new SlashCommandBuilder()
    .setName('sessions')
    .setDescription('What is streaming from the Plex server right now, and from where')
    .toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const list = await readSessions({ plex: ctx.plex, signal: AbortSignal.timeout(20_000) });
    const rows = list
      .map((s) => ({ s, remote: isRemoteSession(s, ctx.scope) }))
      .sort((a, b) => Number(b.remote) - Number(a.remote));
    const fields = rows.map(({ s, remote }) => ({
      name: `${remote ? 'Remote' : 'LAN'} · ${untrustedText(s.userTitle, 40)} · ${untrustedText(s.title, 60)}`,
      value: [
        `from ${s.address ?? 'unknown address'}`,
        `${untrustedText(s.product, 30)} on ${untrustedText(s.platform, 30)}`,
        `secure=${s.secure === undefined ? '?' : s.secure ? '1' : '0'}`,
        ...(s.sessionId === undefined ? [] : [`session ${untrustedText(s.sessionId, 40)}`]),
      ].join(' · '),
    }));
    const bounded = boundedFields(fields, { chars: FIELD_CHARS });
    const remote = rows.filter((r) => r.remote).length;
    await interaction.editReply({
      embeds: [
        {
          title: `Streams now (${list.length}, ${remote} remote)`,
          color: 0x1e88e5,
          description:
            list.length === 0
              ? 'Nothing is streaming.'
              : 'A remote stream found by a scan gets a proposal to stop it (Plex Pass only).',
          fields: bounded.shown,
          ...(bounded.note ? { footer: { text: bounded.note } } : {}),
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
