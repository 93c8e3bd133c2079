import { kinds as k } from '../key.js';
import { section } from '../section.js';

export const PLEX = section('plex', 'Plex', {
  PLEX_URL: k.url({
    field: 'url',
    default: 'http://127.0.0.1:32400',
    description: "Your Plex Media Server, as the bot's host reaches it (LAN address, port 32400).",
  }),
  PLEX_TOKEN: k.secret({
    field: 'token',
    minLength: 8,
    expected: 'the X-Plex-Token of the server owner (at least 8 characters, no spaces)',
    description: "The server owner's X-Plex-Token. Without it only unauthenticated checks run.",
  }),
  PLEX_TIMEOUT: k.duration({
    field: 'timeoutMs',
    default: '5s',
    min: '100ms',
    max: '2m',
    description: 'How long one Plex request may take.',
  }),
  PLEX_DOWN_GRACE: k.duration({
    field: 'downGraceMs',
    default: '60s',
    min: '1s',
    max: '1h',
    description:
      'How long Plex, or its Remote Access, may be unreachable before the bot reports it, without\nwaiting for a scan (the Plex notification websocket and /identity polls every half of it\nnotice). 1s to 1h.',
  }),
  PLEX_TV_URL: k.url({
    field: 'tvUrl',
    default: 'https://plex.tv',
    description: 'plex.tv base URL; change only for a proxy or a test server.',
  }),
});
