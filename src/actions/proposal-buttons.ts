import { type APIActionRowComponent, type APIButtonComponent, ButtonStyle, ComponentType } from 'discord.js';
import type { Proposal } from '../domain/proposal.js';

const PREFIX = 'pw-proposal';

/**
 * Approve and Cancel beside the ✅/❌ reactions. The custom id carries the proposal id and which
 * button it is, nothing else: who may decide, and whether the proposal is still open, are checked
 * on the server when the click arrives. Disabled once the proposal is closed.
 * https://discord.com/developers/docs/components/reference#button (custom_id ≤ 100 characters).
 */
export function proposalButtons(
  proposal: Pick<Proposal, 'id' | 'status'>,
): APIActionRowComponent<APIButtonComponent>[] {
  const disabled = proposal.status !== 'pending';
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Success,
          label: 'Approve',
          custom_id: `${PREFIX}:approve:${proposal.id}`,
          disabled,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Danger,
          label: 'Cancel',
          custom_id: `${PREFIX}:cancel:${proposal.id}`,
          disabled,
        },
      ],
    },
  ];
}

/** The proposal id and decision of one of our buttons, or undefined for anything else. */
export function parseProposalButton(
  customId: string,
): { id: number; decision: 'approve' | 'cancel' } | undefined {
  const match = /^pw-proposal:(approve|cancel):(\d{1,12})$/.exec(customId);
  if (!match?.[1] || !match[2]) return undefined;
  return { id: Number(match[2]), decision: match[1] === 'approve' ? 'approve' : 'cancel' };
}
