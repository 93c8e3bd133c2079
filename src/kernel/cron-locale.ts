import { createRequire } from 'node:module';

interface LuxonSettings {
  defaultLocale: string | null | undefined;
}

/**
 * Gives luxon (loaded by cron-parser, under node-schedule) a default locale before its first
 * date. Without one, luxon asks Intl for the system locale (`new Intl.DateTimeFormat()
 * .resolvedOptions().locale`, luxon src/impl/locale.js `systemLocale`,
 * https://github.com/moment/luxon), and the first Intl object maps ICU's locale and calendar data
 * in Node's binary: ~6 MB of RSS the bot would carry from start for a name it never uses.
 * cron-parser builds its dates from Date objects and milliseconds (lib/date.js) and never formats
 * or parses text with a locale, so the schedule is the same whatever the locale; an explicit
 * default set elsewhere is kept (https://moment.github.io/luxon/api-docs/index.html#settings).
 */
export function setCronLocale(): void {
  const luxon =
    // Bundled (scripts/build.ts), the copy cron-parser uses; see src/kernel/web-globals.ts.
    (typeof require === 'function' ? require('luxon') : createRequire(import.meta.url)('luxon')) as {
      Settings: LuxonSettings;
    };
  luxon.Settings.defaultLocale ||= 'en-US';
}
