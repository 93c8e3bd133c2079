/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` runs one. Each prints a table
 * comparing us with a peer tool on the same input in the same run: quote the ratios, since
 * these machines are noisy.
 */
const benches: Record<string, () => Promise<{ default: () => Promise<void> }>> = {
  soak: () => import('./soak.js'),
  scan: () => import('./scan.js'),
  upnp: () => import('./upnp.js'),
  'log-review': () => import('./log-review.js'),
  'firewall-block': () => import('./firewall-block.js'),
  report: () => import('./report.js'),
  startup: () => import('./startup.js'),
  'address-lookup': () => import('./address-lookup.js'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(benches).join(', ') || 'none yet'}`,
  );
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  const load = benches[name];
  if (!load) continue;
  console.log(`\n== bench: ${name} ==`);
  const module = await load();
  await module.default();
}
