import { assertAccountOwner } from '../actions/account-owner.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import type { AccountDevice } from '../adapters/plex/plex-tv-account.js';
import { UserError } from '../kernel/errors.js';
import { untrustedText } from '../kernel/untrusted-text.js';
import type { BotContext, Command } from './types.js';

/** Discord: 25 fields per embed, 6,000 characters per message; stay well inside both. */
const MAX_FIELDS = 20;
const MAX_VALUE = 200;

const day = (ms: number | undefined) => (ms === undefined ? 'unknown' : `<t:${Math.floor(ms / 1_000)}:R>`);

async function accountDevices(ctx: BotContext, signal: AbortSignal): Promise<AccountDevice[]> {
  await assertAccountOwner(ctx.plex, ctx.plexTv, signal);
  return ctx.plexTv.devices(signal);
}

export const devices: Command = {
  name: 'devices',
  data: slashCommand('devices', "Devices signed in to the owner's Plex account; propose signing one out")
    .addSubcommand((s) =>
      s.setName('list').setDescription('Every signed-in device, most recently seen first'),
    )
    .addSubcommand((s) =>
      s
        .setName('sign-out')
        .setDescription("Propose signing a device out of the owner's Plex account")
        .addStringOption((o) =>
          o
            .setName('id')
            .setDescription('The device id shown by /devices list')
            .setRequired(true)
            .setMaxLength(15),
        ),
    )
    .toJSON(),
  ephemeral: true,
  validate(interaction) {
    if (interaction.options.getSubcommand(true) !== 'sign-out') return;
    if (!/^\d{1,15}$/.test(interaction.options.getString('id', true)))
      throw new UserError('`id` is the number shown by /devices list.');
  },
  async execute(interaction, ctx) {
    const signal = AbortSignal.timeout(20_000);
    const list = await accountDevices(ctx, signal);
    if (interaction.options.getSubcommand(true) === 'sign-out') {
      const id = interaction.options.getString('id', true);
      const device = list.find((d) => d.id === id);
      if (!device)
        throw new UserError(`No device with id ${id} is signed in to the account (see /devices list).`);
      const name = untrustedText(device.name, 40);
      const proposal = await ctx.board.propose({
        action: { kind: 'sign-out-device', deviceId: device.id, name },
        origin: 'command',
        requestedBy: interaction.user.id,
        summary: `Sign "${name}" (${untrustedText(device.product, 40)}, ${untrustedText(device.platform, 30)}) out of the Plex account? This changes the owner's plex.tv account: the device's token stops working.`,
      });
      await interaction.editReply({
        content: `Proposal #${proposal.id} to sign "${name}" out is waiting in <#${ctx.discord.alertChannelId}>.`,
        allowedMentions: { parse: [] },
      });
      return;
    }
    const sorted = [...list].sort((a, b) => (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0));
    await interaction.editReply({
      embeds: [
        {
          title: `Devices signed in to the Plex account (${list.length})`,
          color: 0x1e88e5,
          description:
            list.length === 0
              ? 'No device is signed in.'
              : 'Sign one out with `/devices sign-out id:<id>` (an approver confirms).',
          fields: sorted.slice(0, MAX_FIELDS).map((d) => ({
            name: `${untrustedText(d.name, 60)} · id ${d.id}`,
            value:
              `${untrustedText(d.product, 40)} on ${untrustedText(d.platform, 30)} · last seen ${day(d.lastSeenAt)} · signed in ${day(d.createdAt)}${d.publicAddress ? ` · ${untrustedText(d.publicAddress, 45)}` : ''}`.slice(
                0,
                MAX_VALUE,
              ),
          })),
          footer: list.length > MAX_FIELDS ? { text: `…and ${list.length - MAX_FIELDS} more` } : undefined,
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
