import { stat } from 'node:fs/promises';
import { slashCommand } from '../adapters/discord/slash-command.js';
import { boundedText } from '../alerts/bounded-list.js';
import { LIMITS, truncate } from '../alerts/embeds.js';
import type { AppContext } from '../domain/app-context.js';
import { formatDuration } from '../kernel/duration.js';
import { thousands } from '../kernel/thousands.js';
import type { Command } from './types.js';

export const status: Command = {
  name: 'status',
  data: slashCommand('status', 'How plex-warden itself is doing').toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const now = ctx.clock.now();
    const last = ctx.repos.scanRuns.latest();
    const next = ctx.nextScanAt();
    const running = ctx.runner.current;
    const open = ctx.repos.findings.open();
    const rss = process.memoryUsage().rss;
    const when = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;
    const bans = ctx.actions.bans.active();
    const stuck = ctx.actions.bans.stuck();
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
                ? truncate(
                    `#${last.id} ${when(last.finishedAt ?? last.startedAt)} — ${last.summary ?? ''}`,
                    LIMITS.fieldValue,
                  )
                : 'none yet',
            },
            {
              name: 'Next scan',
              value: running ? `running now (#${running.runId})` : next ? when(next) : 'not scheduled',
            },
            { name: 'Log sources', value: await logPositions(ctx) },
            { name: 'Account signals', value: accountSignals(ctx) },
            {
              name: 'Bans active',
              value: `${bans.length} (firewall: ${ctx.actions.firewall.name})`,
              inline: true,
            },
            ...(stuck.length > 0
              ? [
                  {
                    name: 'Bans the firewall would not remove',
                    value: `${
                      boundedText(
                        stuck.map((b) => b.target),
                        { max: LIMITS.fieldValue - STUCK_NOTE.length, separator: ', ' },
                      ).text
                    }${STUCK_NOTE}`,
                  },
                ]
              : []),
            { name: 'Proposals pending', value: String(ctx.actions.proposals.pendingCount()), inline: true },
            { name: 'Alerts waiting for Discord', value: String(ctx.alerts.pending), inline: true },
            {
              name: 'Alerts set aside',
              value:
                ctx.alerts.setAside === 0
                  ? '0'
                  : `${ctx.alerts.setAside} (Discord refused them even one finding per message; see the log)`,
              inline: true,
            },
          ],
        },
      ],
    });
  },
};

const STUCK_NOTE = ' — expired, removal failed; check the firewall, then /unblock.';

/** plex-account-signals: what is on, and whether impossible travel has the city data it needs. */
function accountSignals(ctx: AppContext): string {
  const { signals } = ctx.config;
  const city = ctx.locations.state();
  const travel = city.available
    ? `impossible travel on (over ${signals.travelMaxSpeedKmh} km/h; ${city.detail})`
    : `impossible travel off: ${city.detail} (README, Account signals)`;
  return truncate(
    `new country and sharing (more than ${signals.sharingMaxAddresses} addresses) on; ${travel}`,
    300,
  );
}

/** One line per source: lines read so far and how far the review is behind the end of the file. */
async function logPositions(ctx: AppContext): Promise<string> {
  const { sources } = ctx.config.logs;
  if (sources.length === 0) return 'none configured (LOG_SOURCES)';
  const lines: string[] = [];
  for (const source of sources) {
    const row = ctx.repos.logReview.file(source.id);
    if (!row) {
      lines.push(`\`${source.id}\`: not read yet`);
      continue;
    }
    let lag = 'size unknown';
    try {
      const size = (await stat(row.path)).size;
      lag = size >= row.offset ? `${formatBytes(size - row.offset)} behind` : 'file shrank (re-reading)';
    } catch {
      lag = 'file missing now';
    }
    lines.push(`\`${source.id}\`: ${thousands(row.lines)} lines read, ${lag}`);
  }
  // Three fields of at most 1,024 each (this, the last scan and stuck bans) keep the embed < 6,000.
  return boundedText(lines, { max: LIMITS.fieldValue }).text;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
