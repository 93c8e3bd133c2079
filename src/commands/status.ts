import { SlashCommandBuilder } from 'discord.js';
import { formatDuration } from '../util/duration.js';
import type { Command } from './types.js';

export const status: Command = {
  name: 'status',
  data: new SlashCommandBuilder()
    .setName('status')
    .setDescription('How plex-warden itself is doing')
    .toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const now = ctx.clock.now();
    const last = ctx.repos.scanRuns.latest();
    const next = ctx.nextScanAt();
    const running = ctx.runner.current;
    const open = ctx.repos.findings.open();
    const rss = process.memoryUsage().rss;
    const when = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;
    await interaction.editReply({
      embeds: [
        {
          title: 'plex-warden status',
          color: 0x1e88e5,
          fields: [
            { name: 'Uptime', value: formatDuration(now - ctx.startedAt), inline: true },
            { name: 'Memory', value: `${Math.round(rss / 1024 / 1024)} MB RSS`, inline: true },
            { name: 'Open findings', value: String(open.length), inline: true },
            {
              name: 'Last scan',
              value: last
                ? `#${last.id} ${when(last.finishedAt ?? last.startedAt)} — ${last.summary ?? ''}`
                : 'none yet',
            },
            {
              name: 'Next scan',
              value: running ? `running now (#${running.runId})` : next ? when(next) : 'not scheduled',
            },
            { name: 'Alerts waiting for Discord', value: String(ctx.alerts.pending), inline: true },
          ],
        },
      ],
    });
  },
};
