// `meminit serve` without a browser: every route, the boot's event stream, the LRU, and the
// promise that no request — malformed, huge, hostile or unknown — crashes the server or gets
// more than a one-line {error}.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BootError } from '../../src/arch/x86/setup.js';
import { presetRecord, runBootPhases } from '../../src/server/boot.js';
import { startServer, type MeminitServer } from '../../src/server/server.js';
import type { BenchResponse, BinsResponse, BootEvent, MachineSummary, PfnInfoResponse, PresetInfo } from '../../src/web/api-types.js';
import { bootReady, get, postJson, send, sseEvents, testServer, upload, type Reply } from './client.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const corpus = (name: string) => readFileSync(join(root, 'test', 'corpus', name), 'utf8');

let srv: MeminitServer & { errors: string[] };
before(async () => {
  srv = await testServer();
});
after(async () => {
  await srv.close();
});

/** A 4xx with a one-line {error} matching `re`, and nothing that looks like a stack. */
function assertError(r: Reply, status: number, re?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const body = r.json<{ error: string }>();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.ok(!body.error.includes('\n') && !/\bat .+:\d+:\d+\)?/.test(body.error), body.error);
  if (re) assert.match(body.error, re);
}

describe('routes', () => {
  it('GET / serves the page with a strict content security policy', async () => {
    const r = await get(srv, '/');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.match(r.text, /<canvas id="map"/);
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
    const js = await get(srv, '/main.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.equal((await get(srv, '/style.css')).status, 200);
    const head = await send(srv, 'HEAD', '/index.html');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  it('GET /api/presets lists the built-in machines', async () => {
    const r = await get(srv, '/api/presets');
    assert.equal(r.status, 200);
    const names = r.json<PresetInfo[]>().map((p) => p.name);
    for (const n of ['default', 'seed', 'pc-1g']) assert.ok(names.includes(n), n);
  });

  it('POST /api/boot returns an id, and the event stream shows each phase as it runs', async () => {
    const r = await postJson(srv, { preset: 'pc-1g' });
    assert.equal(r.status, 201);
    const { id, status } = r.json<{ id: string; status: string }>();
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(status, 'booting');
    assert.equal(r.headers.location, `/api/machine/${id}`);
    const sse = await get(srv, `/api/machine/${id}/events`);
    assert.match(String(sse.headers['content-type']), /^text\/event-stream/);
    const evs = sseEvents(sse.text);
    const data = evs.map((e) => e.data as BootEvent);
    assert.deepEqual(data.map((e) => `${e.type}:${e.name}:${e.state}`), [
      ...['e820', 'memblock', 'numa', 'zones', 'resources', 'percpu', 'zonelists', 'mm_init', 'memmap'].flatMap((p) => [`phase:${p}:start`, `phase:${p}:end`]), 'done:ready:end',
    ]);
    assert.deepEqual(evs.map((e) => e.id), data.map((e) => String(e.seq)));
    assert.deepEqual(evs.map((e) => e.event), data.map((e) => e.type));
    for (let i = 1; i < data.length; i++) assert.ok(data[i]!.t >= data[i - 1]!.t, 'times never go back');
    // The phases' kernel lines follow one another and cover the whole log.
    const ends = data.filter((e) => e.state === 'end' && e.lines).map((e) => e.lines!);
    const m = (await get(srv, `/api/machine/${id}`)).json<MachineSummary>();
    assert.equal(ends[0]![0], 0);
    for (let i = 1; i < ends.length; i++) assert.equal(ends[i]![0], ends[i - 1]![1]);
    assert.equal(ends.at(-1)![1], m.printk!.length);
  });

  it('the event stream resumes after Last-Event-ID', async () => {
    const id = await bootReady(srv, 'pc-1g');
    const r = await send(srv, 'GET', `/api/machine/${id}/events`, { headers: { 'Last-Event-ID': '7' } });
    assert.deepEqual(sseEvents(r.text).map((e) => e.id), ['8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18']);
  });

  it('GET /api/machine/:id summarises nodes, zones, sections, memory blocks, e820, kernel lines and zoneinfo', async () => {
    const id = await bootReady(srv, 'pc-1g');
    const r = await get(srv, `/api/machine/${id}`);
    assert.equal(r.status, 200);
    const m = r.json<MachineSummary>();
    assert.equal(m.status, 'ready');
    assert.deepEqual(m.source, { kind: 'preset', name: 'pc-1g' });
    assert.equal(m.extentPfn, 0x40000);
    assert.equal(m.nodes!.length, 1);
    const zones = m.nodes![0]!.zones.filter((z) => z.spanned > 0);
    assert.deepEqual(zones.map((z) => [z.name, z.startPfn, z.endPfn, z.spanned, z.present]), [
      ['DMA', 0x1, 0x1000, 4095, 3998],
      ['DMA32', 0x1000, 0x3ffe0, 0x3efe0, 0x3efe0],
    ]);
    assert.ok(zones.every((z) => z.managedEstimate > 0 && z.managedEstimate <= z.present));
    assert.equal(m.nodes![0]!.firstDeferredPfn, 0x10000);
    assert.deepEqual(m.sections, { pages: 32768, count: 8, present: [[0, 8]] });
    assert.deepEqual(m.memoryBlocks, { pages: 32768, count: 8, runs: [{ first: 0, end: 8, nid: 0 }] });
    assert.deepEqual(m.e820![1], { addr: 0x1000, size: 0x9e000 + 0xc00, type: 1, label: 'usable' });
    assert.ok(m.printk!.some((l) => l.startsWith('Built 1 zonelists')));
    // With its struct pages, the machine knows its managed pages too.
    assert.match(m.zoneinfo!, /^Node 0, zone      DMA\n(?: {8}(?:min|low|high) +\d+\n){3} {8}spanned  4095\n {8}present  3998\n {8}managed  \d+\n {8}protection: \(0(?:, \d+){4}\)\n {2}start_pfn: {11}1\n/);
    assert.equal(m.events.at(-1)!.type, 'done');
  });

  it('GET …/bins counts each state per bin, defaulting to the whole machine', async () => {
    const id = await bootReady(srv, 'pc-1g');
    const whole = (await get(srv, `/api/machine/${id}/bins`)).json<BinsResponse>();
    assert.deepEqual([whole.start, whole.end, whole.bins, whole.counts.length], [0, 0x40000, 1024, 1024]);
    assert.deepEqual(whole.states, ['hole', 'reserved', 'free', 'deferred', 'device', 'offline']);
    assert.equal(whole.counts.flat().reduce((a, b) => a + b, 0), 0x40000);
    const first = (await get(srv, `/api/machine/${id}/bins?start=0&end=0x100&bins=4`)).json<BinsResponse>();
    assert.deepEqual(first.counts, [[1, 63, 0, 0, 0, 0], [0, 64, 0, 0, 0, 0], [33, 31, 0, 0, 0, 0], [64, 0, 0, 0, 0, 0]]);
  });

  it('GET …/pfn/:pfn says what is at a pfn, with its struct page', async () => {
    const id = await bootReady(srv, 'pc-1g');
    const p = (await get(srv, `/api/machine/${id}/pfn/0x9f`)).json<PfnInfoResponse>();
    const { page, memoryBlock, ...rest } = p;
    assert.deepEqual(rest, { pfn: 0x9f, phys: 0x9f000, nid: 0, zone: 'DMA', section: 0, sectionPresent: true, block: 0, state: 'hole', e820: 'usable' });
    // memory0 as sysfs shows it: online, spanning DMA and DMA32 (so no zone of its own).
    assert.deepEqual(memoryBlock, { id: 0, state: 'online', zone: null, nid: 0, validZones: 'none', startPfn: 0, pages: 32768, hotAdded: false });
    // A hole inside a present section: reserved by memmap_init's unavailable ranges.
    assert.deepEqual([page!.flags, page!.zone, page!.refcount, page!.page], [['reserved'], 'DMA', 1, '0xffffea00000027c0']);
    assert.match(page!.text[1]!, /^flags: 0x[0-9a-f]{16}\(reserved\) node:0 zone:DMA$/);
    const q = (await get(srv, `/api/machine/${id}/pfn/${0x20000}`)).json<PfnInfoResponse>();
    assert.deepEqual([q.zone, q.section, q.block, q.state], ['DMA32', 4, 4, 'deferred']);
    assert.equal(q.page!.zone, 'DMA32');
    const beyond = (await get(srv, `/api/machine/${id}/pfn/0x100000`)).json<PfnInfoResponse>();
    assert.deepEqual([beyond.nid, beyond.zone, beyond.state, beyond.sectionPresent, beyond.page], [null, null, 'hole', false, null]);
    assert.match(beyond.pageError!, /^pfn 0x100000 has no struct page/);
  });

  it('GET …/page/:pfn is the struct page alone, and a clear error without one', async () => {
    const id = await bootReady(srv, 'pc-1g');
    const ok = await get(srv, `/api/machine/${id}/page/0x30000`);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json<{ buddyOrder: number; mapcount: string }>().buddyOrder, 10);
    const cases: [string, number, RegExp][] = [
      ['0x100000', 404, /pfn 0x100000 has no struct page/],
      ['12ab', 400, /pfn="12ab": expected a whole number/],
      ['%zz', 400, /expected a whole number/],
      [String(2 ** 53), 400, /pfn=.*: (at most|expected)/],
    ];
    for (const [pfn, status, re] of cases) {
      const r = await get(srv, `/api/machine/${id}/page/${pfn}`);
      assert.equal(r.status, status, pfn);
      assert.match(r.json<{ error: string }>().error, re);
    }
  });

  it('GET /api/bench: the seed figures always, the results when bench/results.json exists', async () => {
    const r = (await get(srv, '/api/bench')).json<BenchResponse>();
    assert.deepEqual(r.seed.marks.map((m) => m.mpagesPerSec), [26.8, 72.9, 95]);
    const dir = mkdtempSync(join(tmpdir(), 'meminit-bench-'));
    const none = await startServer({ port: 0, benchResults: join(dir, 'absent.json') });
    try {
      const n = (await get(none, '/api/bench')).json<BenchResponse>();
      assert.equal(n.results, null);
      assert.match(n.reason!, /no benchmark results yet/);
    } finally {
      await none.close();
    }
    writeFileSync(join(dir, 'bad.json'), '{"node": {"bytes": 1}, "runs": [{"strategy": 3}]}');
    const bad = await startServer({ port: 0, benchResults: join(dir, 'bad.json') });
    try {
      const b = (await get(bad, '/api/bench')).json<BenchResponse>();
      assert.equal(b.results, null);
      assert.match(b.reason!, /a run lacks/);
    } finally {
      await bad.close();
    }
  });

  it('boots uploaded machine files (YAML and JSON)', async () => {
    const yaml = readFileSync(join(root, 'examples', 'machines', 'pc-1g.yaml'), 'utf8');
    const r = await upload(srv, 'pc-1g.yaml', yaml, 'application/yaml');
    assert.equal(r.status, 201, r.text);
    const { id } = r.json<{ id: string }>();
    await get(srv, `/api/machine/${id}/events`);
    const m = (await get(srv, `/api/machine/${id}`)).json<MachineSummary>();
    assert.deepEqual([m.status, m.source.kind, m.extentPfn], ['ready', 'machine-file', 0x40000]);
    const j = await upload(srv, 'tiny.json', JSON.stringify({ machine: 'pc', memory: '512M' }), 'application/json');
    assert.equal(j.status, 201, j.text);
  });

  it('replays an uploaded boot log in one phase, with how it compared to the kernel', async () => {
    const r = await upload(srv, 'q35-6g-numa3-memless.log', corpus('q35-6g-numa3-memless.log'));
    assert.equal(r.status, 201, r.text);
    const { id, status } = r.json<{ id: string; status: string }>();
    assert.equal(status, 'ready');
    const m = (await get(srv, `/api/machine/${id}`)).json<MachineSummary>();
    assert.equal(m.source.kind, 'boot-log');
    assert.equal(m.nodes!.length, 3);
    assert.equal(m.replay!.mismatches, 0);
    assert.ok(m.replay!.matched > 50);
    const evs = sseEvents((await get(srv, `/api/machine/${id}/events`)).text).map((e) => e.data as BootEvent);
    assert.deepEqual(evs.map((e) => `${e.type}:${e.name}:${e.state}`), ['phase:replay:start', 'phase:replay:end', 'done:ready:end']);
    assert.equal(evs[0]!.t, 0);
  });

  it('reports a machine still booting, and a boot that fails, without crashing', async () => {
    const rec = presetRecord('pc-1g');
    srv.store.add(rec);
    const s = (await get(srv, `/api/machine/${rec.id}`)).json<MachineSummary>();
    assert.equal(s.status, 'booting');
    assert.equal(s.nodes, undefined);
    assertError(await get(srv, `/api/machine/${rec.id}/bins`), 409, /still booting/);
    // A live stream gets the events as they come, then ends after done.
    const live = get(srv, `/api/machine/${rec.id}/events`);
    await new Promise((r) => setTimeout(r, 20));
    await runBootPhases(rec, [{ name: 'e820', run: () => { throw new BootError('no RAM'); }, detail: () => '' }]);
    const evs = sseEvents((await live).text).map((e) => e.data as BootEvent);
    assert.deepEqual(evs.map((e) => `${e.type}:${e.name}:${e.state}`), ['phase:e820:start', 'phase:e820:end', 'done:failed:end']);
    assert.equal(evs[2]!.detail, 'pc-1g: kernel would panic: no RAM');
    const f = (await get(srv, `/api/machine/${rec.id}`)).json<MachineSummary>();
    assert.deepEqual([f.status, f.error], ['failed', 'pc-1g: kernel would panic: no RAM']);
    assertError(await get(srv, `/api/machine/${rec.id}/pfn/1`), 409, /boot failed/);
  });
});

describe('the machine LRU', () => {
  it('keeps the most recently used machines and forgets the oldest', async () => {
    const small = await testServer(2);
    try {
      const a = await bootReady(small, 'pc-1g');
      const b = await bootReady(small, 'pc-1g');
      assert.equal((await get(small, `/api/machine/${a}`)).status, 200, 'a is now more recent than b');
      const c = await bootReady(small, 'pc-1g');
      assertError(await get(small, `/api/machine/${b}`), 404, /evicted/);
      for (const id of [a, c]) assert.equal((await get(small, `/api/machine/${id}`)).status, 200);
      assert.equal(small.store.size, 2);
    } finally {
      await small.close();
    }
  });
});

describe('static files: only the built page, nothing outside it', () => {
  const attempts = [
    '/../package.json', '/..%2fpackage.json', '/%2e%2e/package.json', '/%2E%2E%2F%2E%2E%2Fpackage.json', '/.%2e/.%2e/README.md',
    '/a/../../package.json', '/..\\package.json', '/%5c..%5cpackage.json', '/../../../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/%252e%252e/package.json', '//etc/passwd', '/index.html%00.js', '/%00', '/%',
    '/main.ts', '/map.js.map', '/.gitignore', '/src/web/main.ts', '/dist/web/index.html', '/nope.html',
  ];
  for (const path of attempts) {
    it(`refuses ${path}`, async () => {
      const r = await get(srv, path);
      assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
      assertError(r, r.status);
      assert.ok(!r.text.includes('"name": "meminit"') && !r.text.includes('root:'), 'leaked a file');
    });
  }

  it('does not follow a link out of the assets folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meminit-assets-'));
    writeFileSync(join(dir, 'index.html'), '<p>ok</p>');
    symlinkSync(join(root, 'package.json'), join(dir, 'leak.html'));
    const s = await startServer({ port: 0, assetsDir: dir });
    try {
      assert.equal((await get(s, '/')).text, '<p>ok</p>');
      assertError(await get(s, '/leak.html'), 404);
    } finally {
      await s.close();
    }
  });
});

describe('bad requests get a one-line error and the server lives on', () => {
  const table: [string, () => Promise<Reply>, number, RegExp][] = [
    ['malformed JSON', () => send(srv, 'POST', '/api/boot', { headers: { 'Content-Type': 'application/json' }, body: '{"preset": ' }), 400, /malformed JSON/],
    ['a JSON array', () => postJson(srv, ['default']), 400, /expected \{"preset": NAME\}/],
    ['JSON null', () => postJson(srv, null), 400, /expected \{"preset": NAME\}/],
    ['a number as preset', () => postJson(srv, { preset: 5 }), 400, /expected \{"preset": NAME\}/],
    ['an unknown preset', () => postJson(srv, { preset: 'nope' }), 400, /unknown preset "nope"; available: default/],
    ['no Content-Type', () => send(srv, 'POST', '/api/boot', { body: '{"preset":"default"}' }), 415, /application\/json/],
    ['a preset as text/plain', () => send(srv, 'POST', '/api/boot', { headers: { 'Content-Type': 'text/plain' }, body: '{"preset":"default"}' }), 415, /application\/json/],
    ['an upload as multipart', () => upload(srv, 'm.yaml', 'machine: pc', 'multipart/form-data; boundary=x'), 415, /m\.yaml: Content-Type multipart\/form-data is not accepted/],
    ['an upload as image/png', () => upload(srv, 'boot.log', 'x', 'image/png'), 415, /not accepted/],
    ['an unknown kind', () => send(srv, 'POST', '/api/boot?file=a.log&kind=elf', { headers: { 'Content-Type': 'text/plain' }, body: 'x' }), 400, /kind=elf: expected machine or log/],
    ['an empty upload', () => upload(srv, 'boot.log', ''), 400, /boot\.log: empty file/],
    ['a binary upload', () => upload(srv, 'boot.log', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])), 400, /not a text file \(NUL byte at offset 4\)/],
    ['invalid UTF-8', () => upload(srv, 'm.yaml', Buffer.from([0x6d, 0x3a, 0x20, 0xc3, 0x28]), 'application/yaml'), 400, /not valid UTF-8/],
    ['malformed YAML', () => upload(srv, 'bad.yaml', 'machine: q35\nnodes: [\n  - memory: 4G\n', 'application/yaml'), 400, /^bad\.yaml: line \d+, column \d+: YAML syntax error/],
    ['malformed JSON machine', () => upload(srv, 'bad.json', '{"machine": "pc",', 'application/json'), 400, /bad\.json: .*JSON syntax error/],
    ['a machine with a wrong field', () => upload(srv, 'm.yaml', 'machine: pc\nmemory: banana\n', 'application/yaml'), 400, /^m\.yaml: /],
    ['text that is no boot log', () => upload(srv, 'notes.txt', 'hello\nworld\n'), 400, /nothing to replay/],
    ['a directory in the file name', () => upload(srv, '../../etc/bad.yaml', 'machine: [', 'application/yaml'), 400, /^bad\.yaml: /],
    ['an unknown machine id', () => get(srv, '/api/machine/0123456789abcdef'), 404, /no machine 0123456789abcdef/],
    ['a malformed machine id', () => get(srv, '/api/machine/../../etc'), 404, /no such API route/],
    ['an unknown API route', () => get(srv, '/api/nothing'), 404, /no such API route/],
    ['DELETE on presets', () => send(srv, 'DELETE', '/api/presets'), 405, /use GET/],
    ['GET on boot', () => get(srv, '/api/boot'), 405, /use POST/],
    ['PUT on the page', () => send(srv, 'PUT', '/index.html', { body: 'x' }), 405, /use GET/],
    ['a foreign Host header', () => send(srv, 'GET', '/api/presets', { headers: { Host: 'evil.example:8080' } }), 403, /loopback/],
  ];
  for (const [what, req, status, re] of table) {
    it(`${what} → ${status}`, async () => assertError(await req(), status, re));
  }

  it('uploads over the limit → 413, declared or streamed', async () => {
    const declared = await send(srv, 'POST', '/api/boot?file=big.log', { headers: { 'Content-Type': 'text/plain', 'Content-Length': 9 * 1024 * 1024 }, body: 'x' });
    assertError(declared, 413, /limit is 8388608 bytes \(8 MiB\)/);
    const streamed = await send(srv, 'POST', '/api/boot?file=big.log', { headers: { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' }, body: Buffer.alloc(9 * 1024 * 1024, 0x61) });
    assertError(streamed, 413, /limit is 8388608 bytes/);
    const machine = await upload(srv, 'big.yaml', `# ${'x'.repeat(2 * 1024 * 1024)}\nmachine: pc\n`, 'application/yaml');
    assertError(machine, 413, /machine files are limited to 1048576 bytes/);
  });

  it('bad bins and pfn numbers → 400 naming the parameter', async () => {
    const id = await bootReady(srv, 'pc-1g');
    const bad: [string, RegExp][] = [
      ['start=abc', /start="abc": expected a whole number/], ['start=-1', /start="-1"/], ['start=1.5', /start="1.5"/],
      ['start=1e3', /start="1e3"/], ['start=0x', /start="0x"/], ['end=0', /end \(0\) must be above start \(0\)/],
      ['start=10&end=5', /end \(5\) must be above start \(10\)/], [`end=${2 ** 41}`, /end=\d+: at most 1099511627776/],
      ['start=99999999999999999999', /start="99999999999999999999"/], ['bins=0', /bins must be at least 1/],
      ['bins=5000', /bins=5000: at most 4096/], ['start=0&end=10&bins=11', /bins \(11\) is more than the 10 pfns/],
    ];
    for (const [q, re] of bad) assertError(await get(srv, `/api/machine/${id}/bins?${q}`), 400, re);
    for (const p of ['abc', '-1', '0x10000000000', '1.5', '']) assertError(await get(srv, `/api/machine/${id}/pfn/${p}`), 400, /^pfn=/);
  });

  it('still answers, and logged no internal error', async () => {
    assert.equal((await get(srv, '/api/presets')).status, 200);
    assert.deepEqual(srv.errors, []);
  });
});
