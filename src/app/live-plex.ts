import { openNotificationSocket } from '../adapters/plex/plex-notifications.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { publishChanges } from '../alerts/publish-changes.js';
import { plexRemoteAccess } from '../checks/plex-remote-access.js';
import { PlexLiveWatcher } from '../exposure/plex-live-watcher.js';
import { recordRemoteReachability } from '../exposure/remote-reachability.js';
import { ScanInProgressError, ScanStoppedError } from '../exposure/scan-runner.js';
import type { AppContext } from './app-context.js';

/**
 * The live watcher wired to this app: the notification socket on PLEX_URL (token in the
 * header), /identity as the probe, and the scan runner for the checks it triggers, whose
 * changes are published like a scan's. A full scan running meanwhile is waited for (the
 * watcher's job retries on the scheduler), not doubled. `reachability` notifications are kept
 * in plex-remote-access's state, where that check reads them.
 */
export function createLiveWatcher(ctx: AppContext, alerts: AlertOutbox): PlexLiveWatcher {
  const { plex } = ctx.config;
  const token = plex.token;
  const clientIdentifier = ctx.repos.settings.plexClientIdentifier();
  const remoteState = ctx.repos.checkState.forCheck(plexRemoteAccess.id, () => ctx.clock.now());
  return new PlexLiveWatcher({
    clock: ctx.clock,
    logger: ctx.logger.child({ component: 'plex-live' }),
    jobs: ctx.jobs,
    downGraceMs: plex.downGraceMs,
    recordReachability: (reachable) => recordRemoteReachability(remoteState, reachable, ctx.clock.now()),
    openSocket:
      token === undefined
        ? undefined
        : (handlers) =>
            openNotificationSocket({
              baseUrl: plex.url,
              token,
              clientIdentifier,
              openTimeoutMs: plex.timeoutMs,
              ...handlers,
            }),
    probe: async () => {
      await ctx.plex.identity();
    },
    runChecks: async (checkIds, signal) => {
      if (signal.aborted) return 'done';
      try {
        const result = await ctx.runner.run({ trigger: 'event', checkIds });
        await publishChanges(ctx, alerts, result.changes, `Live check (${checkIds.join(', ')})`);
        return 'done';
      } catch (error) {
        if (error instanceof ScanStoppedError) return 'done';
        if (error instanceof ScanInProgressError) return 'busy';
        throw error;
      }
    },
  });
}
