// setup_command_line(): saved_command_line and static_command_line, strlen + 1 bytes each.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setupCommandLine, setupCommandLineSizes, strlen } from '../../src/kernel/setup-command-line.js';
import { requests, tailMachine } from '../arch/x86/setup-arch-tail-fixture.js';

const DEFAULT = 'console=ttyS0 memblock=debug ignore_loglevel nokaslr';

describe('setup_command_line()', () => {
  it('the default 52-character line: 53 bytes twice; OVMF\'s "initrd=initrd" makes it 67', () => {
    assert.deepEqual(setupCommandLineSizes(DEFAULT), [53, 53]);
    assert.deepEqual(setupCommandLineSizes(`${DEFAULT} initrd=initrd`), [67, 67]);
  });

  it('bootconfig: "kernel." keys in front of both, " -- " and "init." keys after the saved one', () => {
    // xlen 10, boot line 5, init args 3 (+4): saved 10 + 5 + 1 + 7, static 10 + 5 + 1.
    assert.deepEqual(setupCommandLineSizes('quiet', 'loglevel=3', 'abc'), [23, 16]);
  });

  it('strlen counts UTF-8 bytes', () => {
    assert.deepEqual(['', 'nokaslr', 'é', '€', '😀'].map(strlen), [0, 7, 2, 3, 4]);
  });

  it('allocates both with caller start_kernel', () => {
    const { m, trace } = tailMachine({ cmdline: DEFAULT });
    setupCommandLine(m);
    assert.deepEqual(requests(trace), ['53 start_kernel', '53 start_kernel']);
  });
});
