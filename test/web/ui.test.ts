// The web UI in a real browser: Debian's chromium driven by playwright-core boots a preset,
// checks the map is drawn and the zone legend lists the zones, clicks the map, zooms, uploads
// a malformed machine file and sees the error, and saves a screenshot in test-artifacts/; then
// boots the hotplug preset, onlines and offlines a DIMM's block from the inspector, and sees
// the kernel's refusal when a boot block will not go offline.
// Without /usr/bin/chromium the test says so loudly and counts as skipped.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer } from '../../src/server/server.js';
import { STATE_COLORS } from '../../src/web/colors.js';

/** Debian's chromium; MEMINIT_CHROMIUM points elsewhere (e.g. to see the skip path). */
const CHROMIUM = process.env.MEMINIT_CHROMIUM ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const artifacts = join(root, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
mkdirSync(artifacts, { recursive: true });

if (!haveChromium) {
  process.stderr.write([
    '',
    '='.repeat(72),
    `BROWSER TESTS SKIPPED: ${CHROMIUM} is missing, so the web UI was not tested in a browser.`,
    'Install Debian\'s chromium to run them:   apt-get install -y chromium',
    '='.repeat(72),
    '',
  ].join('\n') + '\n');
}

// The little of the DOM the in-page probes touch (this project compiles without the DOM lib).
interface ProbeCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
declare const document: { querySelector(sel: string): (ProbeCanvas & { textContent: string | null }) | null };

/** Poll `ok` every 50 ms for up to 10 s. */
async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await ok()) return;
  assert.fail(`timed out waiting until ${what}`);
}

/** Pixels of the map canvas in `hex` colour (device pixels). */
function countColour(page: Page, hex: string): Promise<number> {
  return page.evaluate((color) => {
    const c = document.querySelector('#map')!;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b && d[i + 3] === 255) n++;
    return n;
  }, hex);
}

/** A fresh chromium profile on a fresh server. */
async function launch(): Promise<{ srv: Awaited<ReturnType<typeof startServer>>; ctx: BrowserContext; profile: string }> {
  const srv = await startServer({ port: 0 });
  const profile = mkdtempSync(join(tmpdir(), 'meminit-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 800 },
  });
  return { srv, ctx, profile };
}

/**
 * One browser test: a fresh server and profile, a page that records page errors and console
 * errors (but those `expected` matches: a refusal the test provokes), `body` run on it, then no
 * problem may be left; everything is torn down whatever happens.
 */
async function withPage(
  expected: RegExp, body: (page: Page, srv: Awaited<ReturnType<typeof startServer>>, problems: string[]) => Promise<void>,
): Promise<void> {
  const { srv, ctx, profile } = await launch();
  const problems: string[] = [];
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && !expected.test(m.text()) && problems.push(`console: ${m.text()}`));
    await body(page, srv, problems);
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
    await srv.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('web UI in chromium', () => {
  it('boots a preset, draws the map and legend, shows a pfn on click, and shows upload errors',
    { skip: haveChromium ? false : `${CHROMIUM} missing: apt-get install -y chromium`, timeout: 60_000 }, async () => {
      // A 400 from an upload is expected; anything else on the console is a bug.
      await withPage(/status of 4\d\d/, async (page, srv, problems) => {
        page.on('request', (r) => !r.url().startsWith(srv.url) && !r.url().startsWith('data:') && problems.push(`fetched ${r.url()}`));
        await page.goto(srv.url);
        await page.waitForSelector('#preset option[value="default"]', { state: 'attached' });

        await page.selectOption('#preset', 'default');
        await page.click('#boot');
        await page.waitForSelector('#zone-legend li');
        const zones = await page.locator('#zone-legend li .name').allTextContents();
        assert.deepEqual(zones, ['DMA', 'DMA32', 'Normal']);
        const states = await page.locator('#state-legend li .name').allTextContents();
        assert.deepEqual(states, ['hole', 'reserved', 'free', 'deferred', 'device', 'offline']);

        // The map is drawn from the bins: free, deferred and device columns are all on the canvas.
        await until(async () => (await countColour(page, STATE_COLORS.free)) > 0, 'the map is drawn');
        for (const s of ['free', 'deferred', 'device'] as const) assert.ok((await countColour(page, STATE_COLORS[s])) > 1000, `${s} is drawn`);

        // The timeline got every phase from the event stream.
        await page.waitForSelector('#timeline-status:has-text("booted in")');
        const phases = await page.locator('#timeline li').evaluateAll((els) => els.map((e) => e.getAttribute('data-phase')));
        assert.deepEqual(phases, ['e820', 'memblock', 'numa', 'zones', 'resources', 'percpu', 'zonelists', 'mm_init', 'memmap']);
        assert.match(await page.locator('#zoneinfo').textContent() ?? '', /Node 1, zone   Normal\n(?: {8}(?:min|low|high) +\d+\n){3} {8}spanned  786432/);
        assert.match(await page.locator('#kernel').textContent() ?? '', /Built 2 zonelists, mobility grouping on\./);
        assert.match(await page.locator('#zones').textContent() ?? '', /node 1 · pfn 0x180000–0x240000/);

        // Click 10% into the map (pfn 0x40000, 1 GiB: node 0, DMA32, free).
        const box = (await page.locator('#map').boundingBox())!;
        await page.mouse.click(box.x + box.width * 0.1 + 1, box.y + 120);
        await page.waitForSelector('#pfn-info dl');
        const info = (await page.locator('#pfn-info').textContent()) ?? '';
        assert.match(info, /pfn0x4[0-9a-f]{4} \(phys 0x4[0-9a-f]{7}\)/);
        assert.match(info, /statefree/);
        assert.match(info, /nodenode 0/);
        assert.match(info, /zoneDMA32/);
        assert.match(info, /memory blockmemory8/);
        // The struct page inspector: the same decoding as `meminit page`.
        await page.waitForSelector('#struct-page');
        assert.match(await page.locator('#page-nid-zone').textContent() ?? '', /^node 0 · DMA32$/);
        const flags = (await page.locator('#page-flags').textContent()) ?? '';
        assert.ok(flags === '(none)' || /^[a-z_]+( \| [a-z_]+)*$/.test(flags), flags);
        assert.match(await page.locator('#struct-page pre').textContent() ?? '', /^page:0xffffea00010[0-9a-f]{5} refcount:\d+ mapcount:/);
        assert.match(await page.locator('#struct-page').textContent() ?? '', /pageblockMovable/);

        // A typed pfn: a reserved page of the kernel image, decoded.
        await page.fill('#pfn-input', '0x1000');
        await page.click('#pfn-go');
        await page.waitForSelector('#struct-page pre:has-text("pfn:0x1000")');
        assert.match(await page.locator('#page-flags').textContent() ?? '', /reserved/);
        // An invalid pfn: the server's one line, in the inspector.
        await page.fill('#pfn-input', '12zz');
        await page.click('#pfn-go');
        await page.waitForSelector('#page-error');
        assert.match(await page.locator('#page-error').textContent() ?? '', /pfn="12zz": expected a whole number/);
        // A pfn with no struct page (beyond the end of RAM): said as clearly.
        await page.fill('#pfn-input', '0x300000');
        await page.click('#pfn-go');
        await page.waitForSelector('#page-error:has-text("has no struct page")');

        // The benchmark plot: bars per strategy and thread count, the seed's figures marked.
        await page.waitForSelector('#bench-svg');
        assert.equal(await page.locator('#bench-svg .seed-mark').count(), 3);
        assert.match(await page.locator('#bench-caption').textContent() ?? '', /seed series/);

        await page.click('#zoom-reset');
        await page.mouse.click(box.x + box.width * 0.1 + 1, box.y + 120);
        await page.waitForSelector('#struct-page');
        await page.screenshot({ path: join(artifacts, 'ui-default.png'), fullPage: true });

        // The wheel zooms in around the cursor.
        const before = await page.locator('#map-view').textContent();
        await page.mouse.move(box.x + box.width / 2, box.y + 120);
        await page.mouse.wheel(0, -600);
        await page.waitForFunction((b) => document.querySelector('#map-view')!.textContent !== b, before);
        assert.doesNotMatch(await page.locator('#map-view').textContent() ?? '', /10 GiB of 10 GiB/);

        // A malformed machine file: the server's one-line error appears in the page.
        await page.setInputFiles('#upload', { name: 'bad.yaml', mimeType: 'application/yaml', buffer: Buffer.from('machine: q35\nnodes: [\n') });
        await page.waitForSelector('#error:not([hidden])');
        assert.match(await page.locator('#error').textContent() ?? '', /^bad\.yaml: line 3, column 1: YAML syntax error/);
        // And text that is no boot log.
        await page.setInputFiles('#upload', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some notes\n') });
        await page.waitForSelector('#error:has-text("nothing to replay")');
        await page.screenshot({ path: join(artifacts, 'ui-upload-error.png') });
      });
    });

  it('hotplug preset: onlines a DIMM block as Movable and offlines it again, and shows the kernel\'s refusal',
    { skip: haveChromium ? false : `${CHROMIUM} missing: apt-get install -y chromium`, timeout: 60_000 }, async () => {
      // A 409 from a refused write is expected; anything else on the console is a bug.
      await withPage(/status of 409/, async (page, srv) => {
        await page.goto(srv.url);
        await page.waitForSelector('#preset option[value="hotplug"]', { state: 'attached' });
        await page.selectOption('#preset', 'hotplug');
        await page.click('#boot');
        await page.waitForSelector('#zone-legend li');
        assert.deepEqual(await page.locator('#zone-legend li .name').allTextContents(), ['DMA', 'DMA32']);
        // The DIMMs came up offline (Debian's default): the map has offline columns at 4–5.5 GiB.
        await until(async () => (await countColour(page, STATE_COLORS.offline)) > 1000, 'the DIMMs are drawn offline');
        const offlineBefore = await countColour(page, STATE_COLORS.offline);
        const box = (await page.locator('#map').boundingBox())!;
        const zoneinfo = async (): Promise<string> => (await page.locator('#zoneinfo').textContent()) ?? '';
        const movable = (zi: string): string => /Node 0, zone  Movable\n(?: {8}.*\n)*/.exec(zi)?.[0] ?? '';
        assert.match(movable(await zoneinfo()), /present  0\n/);

        // Click into memory32 (pfn 0x100000–0x108000 of 0x160000: 72.7–74.4% across).
        await page.mouse.click(box.x + box.width * 0.735, box.y + 120);
        await page.waitForSelector('.block-actions[data-block="32"]');
        assert.equal(await page.locator('#block-state').textContent(), 'offline');
        assert.equal(await page.locator('#block-valid-zones').textContent(), 'Normal Movable');
        assert.deepEqual(await page.locator('.block-actions button').allTextContents(), ['online', 'online_kernel', 'online_movable', 'offline', 'remove']);

        await page.click('.block-actions button[data-action="online_movable"]');
        await page.waitForSelector('#block-result:has-text("memory32: online_movable → online (Movable)")');
        assert.equal(await page.locator('#block-state').textContent(), 'online');
        assert.equal(await page.locator('#block-zone').textContent(), ' · Movable');
        assert.equal(await page.locator('#block-valid-zones').textContent(), 'Movable');
        assert.match(movable(await zoneinfo()), /spanned  32768\n {8}present  32768\n {8}managed  32768\n/);
        assert.deepEqual(await page.locator('#zone-legend li .name').allTextContents(), ['DMA', 'DMA32', 'Movable']);
        assert.match(await page.locator('#zones').textContent() ?? '', /Movable0x100000–0x108000/);
        assert.match(await page.locator('#pfn-info').textContent() ?? '', /statefree/);
        // The map: memory32's columns went from offline to free.
        await until(async () => (await countColour(page, STATE_COLORS.offline)) < offlineBefore * 0.95, 'the map redraws memory32 online');
        const offlineOnline = await countColour(page, STATE_COLORS.offline);
        await page.screenshot({ path: join(artifacts, 'ui-hotplug.png'), fullPage: true });

        await page.click('.block-actions button[data-action="offline"]');
        await page.waitForSelector('#block-result:has-text("memory32: offline → offline")');
        assert.equal(await page.locator('#block-valid-zones').textContent(), 'Normal Movable');
        assert.match(movable(await zoneinfo()), /present  0\n/);
        assert.deepEqual(await page.locator('#zone-legend li .name').allTextContents(), ['DMA', 'DMA32']);
        // (The pick marker now covers a few of the pixels that were offline before the click.)
        await until(async () => (await countColour(page, STATE_COLORS.offline)) > offlineOnline + 0.9 * (offlineBefore - offlineOnline), 'the map redraws memory32 offline');

        // memory0 spans DMA and DMA32: the kernel refuses to offline it, and the page says so.
        await page.fill('#pfn-input', '0x1000');
        await page.click('#pfn-go');
        await page.waitForSelector('.block-actions[data-block="0"]');
        assert.equal(await page.locator('#block-valid-zones').textContent(), 'none');
        await page.click('.block-actions button[data-action="offline"]');
        await page.waitForSelector('#block-result.page-error');
        assert.equal(await page.locator('#block-result').textContent(), 'memory0: echo offline > state: write error: Invalid argument');
        assert.equal(await page.locator('#block-state').textContent(), 'online');
        await page.screenshot({ path: join(artifacts, 'ui-hotplug-error.png') });
      });
    });
});
