/**
 * A URL as it may be shown anywhere (logs, findings, Discord, errors): scheme, host, port and
 * path only. User info, query and fragment are where tokens and passwords live
 * (`?X-Plex-Token=`, `user:pass@`), so they are dropped, also from text that does not parse.
 */
export function displayUrl(text: string): string {
  const noQuery = text.split(/[?#]/, 1)[0] ?? '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url && url.host !== '') {
    const path = url.pathname === '/' && !noQuery.endsWith('/') ? '' : url.pathname;
    return `${url.protocol}//${url.host}${path}`;
  }
  // "scheme://user:pass@host/..." or "user:pass@host/...": keep what follows the @.
  return noQuery.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1');
}
