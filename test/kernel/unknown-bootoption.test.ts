// What parse_args() hands to init, and print_unknown_bootoptions()'s memblock buffer.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseArgs } from '../../src/kernel/cmdline.js';
import { printUnknownBootoptions, unknownBootoptions } from '../../src/kernel/unknown-bootoption.js';
import { MiB, tinyMachine } from './start-kernel-fixture.js';

const unknown = (cmdline: string) => unknownBootoptions(parseArgs(cmdline).args);

describe('unknown_bootoption', () => {
  const cases: [string, string[], string[]][] = [
    // early_param()s, a __setup("console="), and nokaslr, which only the decompressor reads
    ['console=ttyS0 memblock=debug ignore_loglevel nokaslr', ['nokaslr'], []],
    ['initrd=initrd efi=debug add_efi_memmap earlyprintk=ttyS0 numa=fake=4 movable_node', [], []],
    // a value makes it an environment variable; later ones replace earlier ones of that name
    ['foo=1 bar foo=2', ['bar'], ['foo=2']],
    // TERM= replaces envp_init[1], which the notice does not list
    ['TERM=xterm', [], []],
    // "module.param", sysctl aliases, boot-loader tags, core_param()s
    ['page_alloc.shuffle=1 hung_task_panic=1 BOOT_IMAGE=/boot/vmlinuz kexec panic=10', [], []],
    // __setup("console=") needs its '='; early params match the name exactly
    ['console memblockx quietly', ['console', 'memblockx', 'quietly'], []],
    // mem_encrypt= and no5lvl are read from the raw command line, not registered
    ['mem_encrypt=on no5lvl', ['no5lvl'], ['mem_encrypt=on']],
    // setup_transparent_hugepage() returns 0 on a value it cannot parse
    ['transparent_hugepage=never transparent_hugepage=sometimes', [], ['transparent_hugepage=sometimes']],
    // parse_args() stops at "--": the rest goes to init later, unannounced
    ['nokaslr -- single', ['nokaslr'], []],
    ['memhp-default-state=online dhash_entries=4096 hashdist=0', [], []],
  ];
  for (const [cmdline, argv, envp] of cases) {
    it(cmdline, () => assert.deepEqual(unknown(cmdline), { argv, envp, panicLater: false }));
  }

  it('the 33rd argument for init sets panic_later', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    assert.equal(unknown(words(32)).panicLater, false);
    assert.equal(unknown(words(33)).panicLater, true);
    assert.equal(unknown(words(40)).argv.length, 33);
  });
});

describe('print_unknown_bootoptions', () => {
  it('nokaslr: 9 bytes (a space, 7 letters, a NUL), noticed and freed', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], cmdline: 'console=ttyS0 nokaslr' });
    printUnknownBootoptions(m);
    const top = 64 * MiB - 64;
    assert.deepEqual(trace, [
      'memblock_alloc_try_nid: 9 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 start_kernel',
      `memblock_reserve: [0x${top.toString(16).padStart(16, '0')}-0x${(top + 8).toString(16).padStart(16, '0')}] memblock_alloc_range_nid`,
      'Unknown kernel command line parameters "nokaslr", will be passed to user space.',
      `memblock_phys_free: [0x${top.toString(16).padStart(16, '0')}-0x${(top + 8).toString(16).padStart(16, '0')}] start_kernel`,
    ]);
    assert.equal(m.memblock!.reserved.regions.filter((r) => r.size).length, 0);
  });

  it('argv first, then the environment: " a b=1" is 7 bytes', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], cmdline: 'b=1 a' });
    printUnknownBootoptions(m);
    assert.match(trace[0]!, /^memblock_alloc_try_nid: 7 bytes /);
    assert.equal(trace[2], 'Unknown kernel command line parameters "a b=1", will be passed to user space.');
  });

  it('nothing unknown: no allocation (the KASLR corpus boot)', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], cmdline: 'console=ttyS0 memblock=debug ignore_loglevel' });
    printUnknownBootoptions(m);
    assert.deepEqual(trace, []);
  });
});
