import { createRequire } from 'node:module';
import { CHART_WIDTH, FONT_FAMILY } from './report-chart.js';

const require = createRequire(import.meta.url);

/**
 * Inter (SIL OFL 1.1, https://github.com/rsms/inter) as TTF from @expo-google-fonts/inter:
 * resvg reads TrueType/OpenType, not WOFF. Only these files are loaded (`loadSystemFonts:
 * false`), so the picture is the same on a bare server as on a desktop.
 */
export const FONT_FILES: readonly string[] = [
  require.resolve('@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf'),
  require.resolve('@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf'),
  require.resolve('@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf'),
];

/** SVG to PNG with resvg (https://github.com/thx/resvg-js), at the SVG's own width. */
export function renderPng(svg: string): Buffer {
  // Loaded on the first picture, not at start: the native library and its setup cost the bot
  // ~3.5 MB RSS for a chart posted once a week (heap and smaps at ready, bench soak).
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: CHART_WIDTH },
    font: { loadSystemFonts: false, fontFiles: [...FONT_FILES], defaultFontFamily: FONT_FAMILY },
    background: '#f3f4f6',
  });
  return resvg.render().asPng();
}
