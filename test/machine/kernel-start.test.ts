// kernelStart: where the loader put the kernel image (_text). The default reservations and the
// brk area move with it, as in the corpus UEFI boots, where OVMF's EFI stub loaded the kernel at
// 0x1600000: image [0x1600000, 0x4a00000), reserve_brk() [0x4a00000-0x4a10fff].
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEBIAN_BRK } from '../../src/arch/x86/brk.js';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { machineNew } from '../../src/kernel/machine.js';
import { parseMachine } from '../../src/machine/index.js';

const spec = (extra: string) => parseMachine(`machine: q35\nmemory: 2G\n${extra}`, 'm.yaml');
const image = (extra: string) => spec(extra).firmware.earlyReserved.find((r) => r.what === 'kernel image');

describe('kernelStart', () => {
  it('moves the kernel image reservation and the brk area together', () => {
    const fw = spec('kernelStart: 0x1600000\n').firmware;
    assert.deepEqual(image('kernelStart: 0x1600000\n'), { base: 0x1600000, size: 0x3400000, what: 'kernel image' });
    assert.deepEqual(fw.brk, { start: 0x4a00000, end: 0x4a11000, limit: 0x4a30000 });
  });

  it('16M is the default placement', () => {
    assert.deepEqual(image('kernelStart: 16M\n'), image(''));
    assert.deepEqual(spec('kernelStart: 16M\n').firmware.brk, DEBIAN_BRK);
    assert.equal(spec('').firmware.brk, undefined);
  });

  it('the first MEMBLOCK dump shows the moved image and brk as one reservation', () => {
    const s = spec('kernelStart: 0x1600000\n');
    const lines = bootMachine(machineNew(s.name, s.firmware)).printk.lines.map((l) => l.text);
    assert.ok(lines.some((t) => /^ reserved\[0x2\]\t\[0x0000000001600000-0x0000000004a10fff\]/.test(t)), lines.filter((t) => t.includes('reserved[')).join('\n'));
  });

  it('with earlyReserved, only the brk moves: the list names the image itself', () => {
    const s = spec('kernelStart: 0x1600000\nearlyReserved:\n  - { start: 0x1600000, end: 0x4a00000, what: kernel image }\n');
    assert.deepEqual(s.firmware.earlyReserved, [{ base: 0x1600000, size: 0x3400000, what: 'kernel image' }]);
    assert.equal(s.firmware.brk?.start, 0x4a00000);
  });
});
