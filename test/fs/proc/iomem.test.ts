// The e820 part of /proc/iomem: the resource tree e820__reserve_resources() and
// e820__reserve_resources_late() build, the kernel's sections inside System RAM, the RAM buffers,
// and the filter that takes device lines out of a capture.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { E820Type, type E820Entry } from '../../../src/arch/x86/e820-types.js';
import { debianKernelSections, iomemLines, iomemPredictable, iomemTree, ramAlignment } from '../../../src/fs/proc/iomem.js';
import { directMap, meminfoLines, vmallocTotalKb } from '../../../src/fs/proc/meminfo.js';
import { emitIomem, parseIomem } from '../../../src/trace/formats/iomem.js';
import { emitMeminfo } from '../../../src/trace/formats/meminfo.js';
import { memblockAdd, memblockCreate } from '../../../src/mm/memblock.js';

const { RAM, RESERVED, ACPI, NVS, SOFT_RESERVED, PRAM } = E820Type;
const e = (addr: number, end: number, type: number): E820Entry => ({ addr, size: end - addr, type });

// pc-4g after trim_bios_range(): page 0 reserved, 0x9fc00.. reserved, the BIOS at 0xf0000, RAM to
// 0xbffe0000, RAM 4G..5G, and QEMU's reservation at 0xfd00000000.
const pc4g = [
  e(0, 0x1000, RESERVED), e(0x1000, 0x9fc00, RAM), e(0x9fc00, 0xa0000, RESERVED), e(0xf0000, 0x100000, RESERVED),
  e(0x100000, 0xbffe0000, RAM), e(0xbffe0000, 0xc0000000, RESERVED), e(0xfffc0000, 0x100000000, RESERVED),
  e(0x100000000, 0x140000000, RAM), e(0xfd00000000, 0x10000000000, RESERVED),
];

describe('iomemTree', () => {
  it('pc-4g: the corpus capture less its device lines, line for line', () => {
    const got = emitIomem(iomemLines(iomemTree({ entries: pc4g }, debianKernelSections(0x1000000, 0x4400000))));
    assert.deepEqual(got, [
      '00000000-00000fff : Reserved',
      '00001000-0009fbff : System RAM',
      '0009fc00-0009ffff : Reserved',
      '000f0000-000fffff : Reserved',
      '00100000-bffdffff : System RAM',
      '  01000000-01e01d31 : Kernel code',
      '  02000000-028eafff : Kernel rodata',
      '  02a00000-02c4897f : Kernel data',
      '  03310000-043fffff : Kernel bss',
      'bffe0000-bfffffff : Reserved',
      'fffc0000-ffffffff : Reserved',
      '100000000-13fffffff : System RAM',
      'fd00000000-ffffffffff : Reserved',
    ]);
  });

  it('RAM buffers fill what no resource holds up to the RAM alignment (memmap=exactmap)', () => {
    //  RAM [1M, 0x3e900000)     gap     RAM [0x40800000, 0xbffe0000)   gap to 3G
    //  |------------------|RAM buffer|  |------------------------|RAM buffer|
    const t = [e(0, 0xa0000, RAM), e(0x100000, 0x3e900000, RAM), e(0x40800000, 0xbffe0000, RAM)];
    assert.deepEqual(emitIomem(iomemLines(iomemTree({ entries: t }, undefined))), [
      '00000000-0009ffff : System RAM',
      '00100000-3e8fffff : System RAM',
      '3e900000-3fffffff : RAM buffer',
      '40800000-bffdffff : System RAM',
      'bffe0000-bfffffff : RAM buffer',
    ]);
  });

  it('a RAM buffer stops at the next resource and is not made where one already is', () => {
    const t = [e(0x100000, 0x3e900000, RAM), e(0x3f000000, 0x3f001000, NVS), e(0x3f800000, 0x3fa00000, RESERVED)];
    assert.deepEqual(emitIomem(iomemLines(iomemTree({ entries: t }, undefined))), [
      '00100000-3e8fffff : System RAM',
      '3e900000-3effffff : RAM buffer',
      '3f000000-3f000fff : ACPI Non-volatile Storage',
      '3f001000-3f7fffff : RAM buffer',
      '3f800000-3f9fffff : Reserved',
      '3fa00000-3fffffff : RAM buffer',
    ]);
  });

  it('names every e820 type as e820_type_to_string() does', () => {
    const t = [e(0x100000, 0x200000, ACPI), e(0x200000, 0x300000, SOFT_RESERVED), e(0x300000, 0x400000, PRAM), e(0x400000, 0x500000, 99)];
    assert.deepEqual(iomemLines(iomemTree({ entries: t }, undefined)).map((l) => l.name), ['ACPI Tables', 'Soft Reserved', 'Persistent Memory (legacy)', 'Unknown E820 type']);
  });

  it('ram_alignment(): 64K in the first MiB, 1M below 16M, 64M above', () => {
    assert.deepEqual([0x9fc00, 0x800000, 0x3e900000].map(ramAlignment), [0x10000, 0x100000, 0x4000000]);
  });
});

describe('iomemPredictable', () => {
  it('drops device lines and lifts what they held', () => {
    const cap = [
      '000f0000-000fffff : Reserved',
      '  000f0000-000fffff : System ROM',
      'b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]',
      '  b0000000-bfffffff : Reserved',
      '    b0000000-bfffffff : pnp 00:04',
      '06400000-06400fff : hmem.0',
      '  06400000-06400fff : Soft Reserved',
    ];
    assert.deepEqual(emitIomem(iomemPredictable(parseIomem(cap))), [
      '000f0000-000fffff : Reserved', 'b0000000-bfffffff : Reserved', '06400000-06400fff : Soft Reserved',
    ]);
  });
});

describe('meminfo', () => {
  it('pc-4g: the direct map at boot is 4194176 kB, 4K pages for the first 2M and the tail below 3G', () => {
    const mb = memblockCreate({});
    for (const x of pc4g.filter((x) => x.type === RAM)) memblockAdd(mb, x.addr, x.size);
    const dm = directMap(mb, 0x140000, false);
    assert.equal((dm.k4 + dm.m2 + dm.g1) / 1024, 4194176);
    assert.deepEqual(dm, { k4: 3968 * 1024, m2: 4190208 * 1024, g1: 0 });
  });

  it('VmallocTotal: 32 TiB or 12800 TiB less 1 KiB', () => {
    assert.equal(vmallocTotalKb(false), 34359738367);
    assert.equal(vmallocTotalKb(true), 13743895347199);
  });

  it('prints the predicted lines in the kernel\'s order and layout', () => {
    assert.deepEqual(emitMeminfo(meminfoLines({ totalramPages: 1002287, hugepagesParam: false, l5: false, cpuGbpages: false })), [
      'MemTotal:        4009148 kB', 'VmallocTotal:   34359738367 kB', 'HugePages_Total:       0', 'HugePages_Free:        0',
      'HugePages_Rsvd:        0', 'HugePages_Surp:        0', 'Hugepagesize:       2048 kB', 'Hugetlb:               0 kB',
    ]);
  });
});
