// `meminit serve` as a user starts it: the URL it prints, a busy port, a bad flag, and the
// warning a non-loopback --host gets.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostWarning, parsePort } from '../../src/cli/serve.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'meminit');

describe('meminit serve', () => {
  it('prints its loopback URL, serves the API there, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /serving the web UI at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
        setTimeout(() => reject(new Error(`no URL within 10 s: ${out}`)), 10_000);
      });
      const r = await fetch(`${url}api/presets`);
      assert.equal(r.status, 200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('says in one line that a busy port is busy, and exits 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [bin, 'serve', '--port', String(port)], { cwd: root, encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, `meminit: port ${port} on 127.0.0.1 is in use; pick another with --port N (0: any free port)\n`);
    } finally {
      blocker.close();
    }
  });

  it('refuses a port that is no port', () => {
    const r = spawnSync(process.execPath, [bin, 'serve', '--port', 'http'], { cwd: root, encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'meminit: --port http: expected a port number from 0 to 65535\n');
    assert.throws(() => parsePort('65536'), /expected a port number/);
    assert.equal(parsePort('8080'), 8080);
  });

  it('warns when asked to listen beyond loopback, and only then', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(hostWarning(h), undefined, h);
    for (const h of ['0.0.0.0', '::', '192.168.1.5']) assert.match(hostWarning(h)!, /^warning: listening on .*anyone who can reach it/, h);
  });
});
