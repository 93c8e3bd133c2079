import { openNotificationSocket } from '../adapters/plex/plex-notifications.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { publishChanges } from '../alerts/publish-changes.js';
import { PlexLiveWatcher } from '../exposure/plex-live-watcher.js';
import { ScanInProgressError, ScanStoppedError } from '../exposure/scan-runner.js';
import type { AppContext } from './app-context.js';

const RETRY_MS = 1_000;
const MAX_WAIT_MS = 10 * 60_000;

/**
 * The live watcher wired to this app: the notification socket on PLEX_URL (token in the
 * header), /identity as the probe, and the scan runner for the checks it triggers, whose
 * changes are published like a scan's. A full scan running meanwhile is waited for, not doubled.
 */
export function createLiveWatcher(ctx: AppContext, alerts: AlertOutbox): PlexLiveWatcher {
  const { plex } = ctx.config;
  const token = plex.token;
  const clientIdentifier = ctx.repos.settings.plexClientIdentifier();
  return new PlexLiveWatcher({
    clock: ctx.clock,
    logger: ctx.logger.child({ component: 'plex-live' }),
    downGraceMs: plex.downGraceMs,
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
      const started = Date.now();
      for (;;) {
        if (signal.aborted) return;
        try {
          const result = await ctx.runner.run({ trigger: 'event', checkIds });
          await publishChanges(ctx, alerts, result.changes, `Live check (${checkIds.join(', ')})`);
          return;
        } catch (error) {
          if (error instanceof ScanStoppedError) return;
          if (!(error instanceof ScanInProgressError) || Date.now() - started > MAX_WAIT_MS) throw error;
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    },
  });
}
