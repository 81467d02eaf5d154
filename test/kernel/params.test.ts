// parseKernelParams(): the memory parameters of 6.1, their defaults, the mem=/memmap= operations
// in order, and the errors for values the kernel warns about, misreads or crashes on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { E820Type } from '../../src/arch/x86/e820-types.js';
import { parseEarlyParam } from '../../src/kernel/early-param.js';
import { parseKernelParams, type EarlyArg, type MemmapOp } from '../../src/kernel/params.js';
import { Printk } from '../../src/kernel/printk.js';

const G = 2 ** 30;
const M = 2 ** 20;
const { RAM, RESERVED, ACPI, PRAM } = E820Type;

const memmapOps = (cmdline: string): MemmapOp[] =>
  parseKernelParams(cmdline).early.flatMap((a: EarlyArg) => (a.kind === 'memmap' ? a.ops : []));
const errorsOf = (cmdline: string) => parseKernelParams(cmdline).errors;

describe('parseKernelParams: defaults and simple parameters', () => {
  it('an empty command line gives the kernel defaults', () => {
    const p = parseKernelParams('');
    assert.equal(p.memblockDebug, false);
    assert.deepEqual(p.kernelcore, { pages: 0, percent: 0 });
    assert.equal(p.onlinePolicy, 'contig-zones');
    assert.deepEqual([p.early, p.unknown, p.errors], [[], [], []]);
  });

  it('reads the corpus command line', () => {
    const p = parseKernelParams('console=ttyS0 memblock=debug ignore_loglevel nokaslr');
    assert.equal(p.memblockDebug, true);
    assert.equal(p.ignoreLoglevel, true);
    assert.equal(p.nokaslr, true);
    assert.deepEqual(p.unknown, [{ param: 'console', val: 'ttyS0' }]);
    assert.deepEqual(p.early.map((a) => a.kind), ['other', 'ignore_loglevel']);
  });

  it('memory hotplug and allocator knobs, with dashes or underscores', () => {
    const p = parseKernelParams(
      'movable-node memory-hotplug.memmap_on_memory memhp_default_state=online_movable ' +
        'memory_hotplug.online_policy=auto-movable page_alloc.shuffle=1 mem_encrypt=on numa=noacpi',
    );
    assert.equal(p.movableNode, true);
    assert.equal(p.memmapOnMemory, true);
    assert.equal(p.memhpDefaultState, 'online_movable');
    assert.equal(p.onlinePolicy, 'auto-movable');
    assert.equal(p.pageAllocShuffle, true);
    assert.equal(p.memEncrypt, true);
    assert.deepEqual(p.numa, { off: false, noacpi: true, nohmat: false, fake: undefined });
    assert.deepEqual(p.errors, []);
  });

  it('numa= prefixes: "offline" counts as off; fake= keeps its string', () => {
    assert.equal(parseKernelParams('numa=offline').numa.off, true);
    assert.equal(parseKernelParams('numa=fake=4').numa.fake, '4');
  });

  it('memblock=: any value containing "debug" turns debugging on', () => {
    assert.equal(parseKernelParams('memblock=nodebug').memblockDebug, true);
    assert.equal(parseKernelParams('memblock').memblockDebug, false);
  });

  it('kernelcore= and movablecore=: sizes in pages, percentages, mirror', () => {
    const p = parseKernelParams('kernelcore=2G movablecore=10%');
    assert.deepEqual(p.kernelcore, { pages: (2 * G) / 4096, percent: 0 });
    assert.deepEqual(p.movablecore, { pages: 0, percent: 10 });
    // A later percentage leaves the earlier size in place; the percentage wins when used.
    assert.deepEqual(parseKernelParams('kernelcore=1G kernelcore=25%').kernelcore, { pages: G / 4096, percent: 25 });
    const m = parseKernelParams('kernelcore=mirror');
    assert.equal(m.mirroredKernelcore, true);
    assert.deepEqual(m.kernelcore, { pages: 0, percent: 0 });
    assert.deepEqual(parseKernelParams('kernelcore=0x1001').kernelcore, { pages: 1, percent: 0 });
  });

  it('the last occurrence wins for scalar parameters', () => {
    assert.equal(parseKernelParams('page_alloc.shuffle=1 page_alloc.shuffle=0').pageAllocShuffle, false);
  });

  it('text after "--" is for init, not parsed', () => {
    const p = parseKernelParams('mem=1G -- mem=2G');
    assert.equal(p.afterDashes, 'mem=2G');
    assert.equal(p.maxMemSize, G);
  });
});

describe('mem=', () => {
  const cases: [string, EarlyArg][] = [
    ['mem=3G', { kind: 'mem', param: 'mem', opt: { kind: 'limit', size: 3 * G } }],
    ['mem=0x80000000', { kind: 'mem', param: 'mem', opt: { kind: 'limit', size: 2 * G } }],
    ['mem=nopentium', { kind: 'mem', param: 'mem', opt: { kind: 'nopentium' } }],
    ['mem=foo', { kind: 'mem', param: 'mem', opt: { kind: 'invalid', userdef: true } }],
    ['mem=16E', { kind: 'mem', param: 'mem', opt: { kind: 'invalid', userdef: true } }],
    ['mem=8P', { kind: 'mem', param: 'mem', opt: { kind: 'invalid', userdef: true } }],
    ['mem', { kind: 'mem', param: 'mem', opt: { kind: 'invalid', userdef: false } }],
  ];
  for (const [cmdline, want] of cases) {
    it(cmdline, () => assert.deepEqual(parseKernelParams(cmdline).early, [want]));
  }

  it('reports bad values with what the kernel does', () => {
    assert.deepEqual(errorsOf('mem=foo'), [{
      param: 'mem', value: 'foo', expected: 'a size nn[KMGTPE] below 2^52',
      kernel: 'returns -EINVAL ("Malformed early option") after setting userdef: the map is reprinted unchanged',
    }]);
    assert.match(errorsOf('mem=2Gx')[0]!.kernel, /ignores the trailing "x"/);
    assert.match(errorsOf('mem=8P')[0]!.kernel, /2\^52/);
    assert.match(errorsOf('mem=nopentium')[0]!.kernel, /x86_32 only/);
    assert.equal(parseKernelParams('mem=2Gx').maxMemSize, 2 * G);
  });
});

describe('memmap=', () => {
  const cases: [string, MemmapOp[]][] = [
    ['memmap=exactmap', [{ kind: 'exactmap' }]],
    ['memmap=1G@4G', [{ kind: 'add', start: 4 * G, size: G, type: RAM }]],
    ['memmap=64K#0x7ff00000', [{ kind: 'add', start: 0x7ff00000, size: 64 * 1024, type: ACPI }]],
    ['memmap=64M$0x60000000', [{ kind: 'add', start: 0x60000000, size: 64 * M, type: RESERVED }]],
    ['memmap=512M!0x80000000', [{ kind: 'add', start: 0x80000000, size: 512 * M, type: PRAM }]],
    ['memmap=1G%4G-1+12', [{ kind: 'update', start: 4 * G, size: G, from: RAM, to: PRAM }]],
    ['memmap=1G%4G+0x2', [{ kind: 'add', start: 4 * G, size: G, type: RESERVED }]],
    ['memmap=1G%4G-1', [{ kind: 'remove', start: 4 * G, size: G, type: RAM }]],
    ['memmap=1G%4G', [{ kind: 'remove', start: 4 * G, size: G, type: undefined }]],
    ['memmap=1G%4G-4294967297+2', [{ kind: 'update', start: 4 * G, size: G, from: 1, to: 2 }]],
    ['memmap=3G', [{ kind: 'limit', size: 3 * G }]],
    ['memmap=exactmap,640K@0,1G@1M', [
      { kind: 'exactmap' },
      { kind: 'add', start: 0, size: 640 * 1024, type: RAM },
      { kind: 'add', start: M, size: G, type: RAM },
    ]],
    ['memmap=1G@4G memmap=2G$8G', [
      { kind: 'add', start: 4 * G, size: G, type: RAM },
      { kind: 'add', start: 8 * G, size: 2 * G, type: RESERVED },
    ]],
    // Accepted by the kernel as written, reported as errors here:
    ['memmap=exactmapX', [{ kind: 'exactmap' }]],
    ['memmap=1G@4Gjunk', [{ kind: 'add', start: 4 * G, size: G, type: RAM }]],
    ['memmap=0@1G', [{ kind: 'add', start: G, size: 0, type: RAM }]],
    ['memmap=K', [{ kind: 'limit', size: 0 }]],
    // Refused:
    ['memmap=foo', [{ kind: 'invalid', userdef: false }]],
    ['memmap=1G%4G-1x', [{ kind: 'invalid', userdef: true }]],
    ['memmap=1G%4G-1+1', [{ kind: 'invalid', userdef: true }]],
    ['memmap=1G@0x10000000000000', [{ kind: 'invalid', userdef: true }]],
    ['memmap=1G,', [{ kind: 'limit', size: G }, { kind: 'invalid', userdef: false }]],
    ['memmap', []],
  ];
  for (const [cmdline, ops] of cases) {
    it(cmdline, () => assert.deepEqual(memmapOps(cmdline), ops));
  }

  it('errors name the parameter and say what the kernel does', () => {
    const expected = 'exactmap, nn[KMG], or nn[KMG] followed by @ss, #ss, $ss, !ss or %ss[-old][+new]';
    assert.deepEqual(errorsOf('memmap=1G@4Gjunk'), [{
      param: 'memmap', value: '1G@4Gjunk', expected,
      kernel: 'applied, then returns -EINVAL for the trailing "junk" (ignored)',
    }]);
    assert.match(errorsOf('memmap=1G%4G-1+1')[0]!.kernel, /BUG_ON/);
    assert.match(errorsOf('memmap=K')[0]!.kernel, /removes all RAM/);
    assert.match(errorsOf('memmap=0@1G')[0]!.kernel, /empty entry/);
    assert.match(errorsOf('memmap=exactmapX')[0]!.kernel, /read as exactmap/);
    assert.match(errorsOf('memmap=1G@0x10000000000000')[0]!.kernel, /2\^52/);
    assert.equal(errorsOf('memmap=1G@4G,2G$8G').length, 0);
  });
});

describe('malformed values of the other parameters', () => {
  const cases: [string, RegExp][] = [
    ['kernelcore', /NULL dereference/],
    ['movablecore', /Malformed early option/],
    ['kernelcore=abc', /reads it as 0/],
    ['movablecore=150%', /WARN_ON/],
    ['numa', /Malformed early option/],
    ['numa=on', /ignored silently/],
    ['nokaslr=1', /KASLR stays on/],
    ['page_alloc.shuffle', /invalid for parameter/],
    ['memory_hotplug.memmap_on_memory=maybe', /invalid for parameter/],
    ['memory_hotplug.online_policy=movable', /invalid for parameter/],
    ['memhp_default_state=movable', /ignored silently/],
    ['mem_encrypt=yes', /leaves SME off/],
  ];
  for (const [cmdline, kernel] of cases) {
    it(cmdline, () => {
      const errors = errorsOf(cmdline);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.param, cmdline.split('=')[0]);
      assert.match(errors[0]!.kernel, kernel);
    });
  }

  it('memhp_default_state without "=" is not the parameter at all', () => {
    assert.deepEqual(parseKernelParams('memhp_default_state').unknown, [{ param: 'memhp_default_state', val: undefined }]);
  });

  it('a bad bool keeps the previous value', () => {
    assert.equal(parseKernelParams('page_alloc.shuffle=1 page_alloc.shuffle=x').pageAllocShuffle, true);
  });
});

describe('parseEarlyParam (parse_early_param)', () => {
  it('prints in command-line order: handler lines, then "Malformed early option" for failures', () => {
    const log = new Printk();
    const calls: string[] = [];
    const p = parseKernelParams('numa ignore_loglevel mem=nopentium memmap=1G@0 movable-node movablecore');
    parseEarlyParam(p, {
      mem: (opt) => {
        calls.push(`mem ${opt.kind}`);
        return opt.kind === 'limit' ? 0 : -22;
      },
      memmap: (ops) => {
        calls.push(`memmap ${ops.length}`);
        return 0;
      },
    }, log);
    assert.deepEqual(calls, ['mem nopentium', 'memmap 1']);
    assert.deepEqual(log.lines.map((l) => l.text), [
      "Malformed early option 'numa'",
      'printk: debug: ignoring loglevel setting.',
      "Malformed early option 'mem'",
      "Malformed early option 'movablecore'",
    ]);
  });
});
