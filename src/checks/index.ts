import { exposedServices } from './exposed-services.js';
import { plexAccount } from './plex-account.js';
import { plexAccountDevices } from './plex-account-devices.js';
import { plexAccountSignals } from './plex-account-signals.js';
import { plexAllowedNetworks } from './plex-allowed-networks.js';
import { plexDevices } from './plex-devices.js';
import { plexLanServices } from './plex-lan-services.js';
import { plexPublishedUrls } from './plex-published-urls.js';
import { plexReachable } from './plex-reachable.js';
import { plexRemoteAccess } from './plex-remote-access.js';
import { plexSecureConnections } from './plex-secure-connections.js';
import { plexSessions } from './plex-sessions.js';
import { plexShares } from './plex-shares.js';
import { plexVersion } from './plex-version.js';
import { publicFootprint } from './public-footprint.js';
import { routerUpnp } from './router-upnp.js';
import { tlsCertificates } from './tls-certificates.js';
import type { Check } from './types.js';

/** Every check, in display order. Adding a check = one file + one line here. */
export const checks: readonly Check[] = [
  plexReachable,
  plexRemoteAccess,
  plexSecureConnections,
  plexAllowedNetworks,
  plexPublishedUrls,
  plexLanServices,
  plexVersion,
  plexDevices,
  plexSessions,
  plexAccountSignals,
  plexAccount,
  plexAccountDevices,
  plexShares,
  routerUpnp,
  publicFootprint,
  tlsCertificates,
  exposedServices,
];
