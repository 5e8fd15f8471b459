// Opens one assetcost HTML report in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and checks what a reader would see:
//   - no script error and no console error;
//   - no request leaves the page (every request but the page's own file:// URL is blocked and reported);
//   - every chart rendered: each svg.chart has a non-empty box and drawn shapes and text, and no id on the page
//     is used twice (inline SVGs share the page's ids, so a chart would clip by another chart's paths);
//   - the headline figures, read from the rendered DOM (data-metric / data-value), are written to a JSON file
//     for the comparison with the published tables;
//   - a screenshot of the page (the viewport and the whole page).
// Usage: node check-report.mjs REPORT.html OUT_PREFIX   (writes OUT_PREFIX.png, OUT_PREFIX-full.png,
// OUT_PREFIX-figures.json); exit 0 when every check passes, 1 otherwise, with one line per problem.
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [report, prefix] = process.argv.slice(2);
if (!report || !prefix) {
  console.error('usage: node check-report.mjs REPORT.html OUT_PREFIX');
  process.exit(2);
}
const url = pathToFileURL(resolve(report)).href;
const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  page.on('pageerror', e => problems.push(`script error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  await page.route('**/*', route => {
    const target = route.request().url();
    if (target === url) return route.continue();
    problems.push(`request to the network: ${target}`);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  const charts = await page.$$eval('svg.chart', svgs => svgs.map(s => {
    const box = s.getBoundingClientRect();
    return {
      label: s.getAttribute('aria-label'),
      width: box.width, height: box.height,
      shapes: s.querySelectorAll('path, rect, line, polyline, circle').length,
      texts: s.querySelectorAll('text').length,
    };
  }));
  if (charts.length === 0) problems.push('no chart on the page');
  // Inline SVGs share the page's ids: a repeated id makes one chart clip or fill by another's definitions.
  const repeated = await page.$$eval('[id]', els => {
    const seen = new Map();
    for (const e of els) seen.set(e.id, (seen.get(e.id) || 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n}x)`);
  });
  if (repeated.length > 0) problems.push(`ids used more than once: ${repeated.slice(0, 5).join(', ')}`);
  for (const c of charts) {
    if (c.width < 100 || c.height < 50) problems.push(`chart "${c.label}" has an empty box (${c.width}x${c.height})`);
    if (c.shapes < 5) problems.push(`chart "${c.label}" drew ${c.shapes} shapes`);
    if (c.texts < 3) problems.push(`chart "${c.label}" has ${c.texts} text elements (title, axes, legend)`);
  }
  const figures = await page.$$eval('[data-metric]', els => els.map(e => ({
    metric: e.getAttribute('data-metric'), value: e.getAttribute('data-value'), shown: e.textContent.trim(),
  })));
  if (figures.length === 0) problems.push('no headline figure (data-metric) on the page');
  // The period and, on report.html, the maturity rule the headline's comparison used (data-mature-*), so that
  // ReportFigures recomputes the comparison by the same rule.
  const period = await page.$eval('[data-from]', e => ({ ...e.dataset }))
    .catch(() => null);
  writeFileSync(`${prefix}-figures.json`, JSON.stringify({ report, period, charts, figures }, null, 2));
  await page.screenshot({ path: `${prefix}.png` });
  await page.screenshot({ path: `${prefix}-full.png`, fullPage: true });
  console.log(`${report}: ${charts.length} charts, ${figures.length} headline figures`);
} finally {
  await browser.close();
}
for (const p of problems) console.error(`${report}: ${p}`);
process.exit(problems.length === 0 ? 0 : 1);
