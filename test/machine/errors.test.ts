// Every class of bad input gives one line naming the file, the field and what was expected.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPreset, MachineError, parseMachine } from '../../src/machine/index.js';
import { loadMachineFile } from '../../src/machine/load-file.js';

const F = 'machine.yaml: ';
const cases: [what: string, yaml: string, message: string][] = [
  ['a size that is no size', 'nodes:\n  - memory: 1G\n  - memory:\n      - { start: 4G, size: 4Q }\n',
    'nodes[1].memory[0].size: expected a size like 4G or 0x100000000, got "4Q"'],
  ['a size of the wrong type', 'memory: true\n', 'memory: expected a size like 4G or 0x100000000, got true'],
  ['node memory of the wrong type', 'nodes: [{memory: true}]\n', 'nodes[0].memory: expected a size like 4G or 0x100000000 or a list of ranges, got true'],
  ['an e820 type number out of range', 'e820:\n  - {start: 0, size: 1G, type: 0}\n',
    'e820[0].type: expected one of usable, reserved, acpi, nvs, unusable, pmem, pram, soft-reserved or a type number, got 0'],
  ['a YAML 1.1 boolean', 'e820: [{start: 0, size: 1G, type: usable}]\nsrat: {memory: [{node: 0, start: 0, size: 1G, hotplug: yes}]}\n',
    'srat.memory[0].hotplug: expected true or false, got "yes"'],
  ['a zero size', 'memory: 0\n', 'memory: expected a non-zero size, got 0'],
  ['more e820 entries than the boot protocol carries', `e820:\n${Array.from({ length: 129 }, (_, i) => `  - {start: ${i}G, size: 4K, type: reserved}\n`).join('')}`,
    'e820: expected at most 128 entries, got 129'],
  ['an unaligned start', 'nodes:\n  - memory: [{start: 0x1234, size: 1G}]\n',
    'nodes[0].memory[0].start: 0x1234 is not 4 KiB aligned (memory ranges must start and end on a 4 KiB page boundary)'],
  ['an unaligned size', 'memory: 0x40000800\n', 'memory: 0x40000800 is not a multiple of 4 KiB (memory comes in 4 KiB pages)'],
  ['an inclusive end copied from a log', 'nodes:\n  - memory: [{start: 0, end: 0x3fffffff}]\n',
    'nodes[0].memory[0].end: 0x3fffffff is not 4 KiB aligned (memory ranges must start and end on a 4 KiB page boundary; end is exclusive, did you mean 0x40000000?)'],
  ['an address at 2^52', 'nodes:\n  - memory: [{start: 0, size: 1G}, {start: 0x10000000000000, size: 1G}]\n',
    'nodes[0].memory[1].start: 0x10000000000000 is at or beyond 2^52 (0x10000000000000), the largest physical address'],
  ['a range reaching past 2^52', 'nodes:\n  - memory: [{start: 0, size: 1G}, {start: 0xfffffc0000000, size: 2G}]\n',
    'nodes[0].memory[1].size: [mem 0xfffffc0000000-0x1000003fffffff] reaches beyond 2^52 (0x10000000000000), the largest physical address'],
  ['an end below its start', 'nodes:\n  - memory: [{start: 1G, end: 4K}]\n', 'nodes[0].memory[0].end: 0x1000 is not above start 0x40000000'],
  ['a range with neither size nor end', 'nodes:\n  - memory: [{start: 0}]\n', 'nodes[0].memory[0]: expected size or end next to start'],
  ['a range with both', 'nodes:\n  - memory: [{start: 0, size: 1G, end: 1G}]\n', 'nodes[0].memory[0]: give size or end, not both'],
  ['a range without start', 'nodes:\n  - memory: [{size: 1G}]\n', 'nodes[0].memory[0].start: missing: expected an address like 0x100000000 or 4G'],
  ['overlapping node ranges', 'nodes:\n  - memory: [{start: 0, end: 1G}]\n  - memory: [{start: 512M, size: 1G}]\n',
    'nodes[1].memory[0]: [mem 0x20000000-0x5fffffff] overlaps nodes[0].memory[0] [mem 0x0-0x3fffffff]'],
  ['overlapping e820 entries', 'e820:\n  - {start: 0, end: 0x9fc00, type: usable}\n  - {start: 0x100000, end: 1G, type: usable}\n  - {start: 0x3ff00000, size: 1M, type: reserved}\n',
    'e820[2]: [mem 0x3ff00000-0x3fffffff] overlaps e820[1] [mem 0x100000-0x3fffffff]'],
  ['RAM over a fixed window', 'machine: q35\nnodes:\n  - memory: [{start: 0, size: 3G}]\n',
    'nodes[0].memory[0]: RAM [mem 0x0-0xbfffffff] overlaps the q35 MMCONFIG window [mem 0xb0000000-0xbfffffff]'],
  ['low RAM up into the BIOS ROM', 'machine: pc\nmemory: 0xfffff000\nmaxRamBelow4G: 4G\n',
    'maxRamBelow4G: RAM [mem 0x0-0xffffefff] overlaps the BIOS ROM [mem 0xfffc0000-0xffffffff]'],
  ['a misspelt key', 'memory: 1G\ncpu: 2\n', 'unknown key "cpu"; did you mean "cpus"?'],
  ['a misspelt nested key', 'nodes:\n  - memory: [{start: 0, sizee: 1G}]\n', 'nodes[0].memory[0]: unknown key "sizee"; did you mean "size"?'],
  ['an unknown key', 'memory: 1G\nfoo: 1\n',
    'unknown key "foo" (expected one of name, description, machine, accel, cpuVendor, cpuFlags, maxRamBelow4G, cmdline, append, cpus, memory, nodes, e820, srat, distances, maxmem, slots, dimms, pmem, biosReserved, initrd, kernelStart, earlyReserved, efiBootServices)'],
  ['a node id out of range', 'nodes:\n  - {id: 1024, memory: 1G}\n', 'nodes[0].id: expected a node id from 0 to 1023, got 1024'],
  ['a duplicated node id', 'nodes:\n  - {id: 0, memory: 1G}\n  - {id: 0, memory: 1G}\n', 'nodes[1].id: node 0 is already nodes[0]'],
  ['a default id taken by an explicit one', 'nodes:\n  - {id: 1, memory: 1G}\n  - {memory: 1G}\n',
    'nodes[1]: node 1 (its list position) is already nodes[0]; give every node an id'],
  ['sizes mixed with ranges', 'nodes:\n  - memory: 1G\n  - memory: [{start: 4G, size: 1G}]\n',
    'nodes[1].memory: mixes a size with the ranges of nodes[0]; give every node a size or every node ranges'],
  ['too little RAM', 'memory: 32M\n', 'memory: 32M of RAM is too little to boot; give at least 64M'],
  ['too little usable RAM in an e820 map', 'e820: [{start: 0, end: 0x9fc00, type: usable}, {start: 1M, size: 16M, type: usable}]\n',
    'e820: 17023K of usable RAM is too little to boot; give at least 64M'],
  ['RAM too small for the kernel image', 'memory: 64M\n', 'memory: the kernel image [mem 0x1000000-0x43fffff] is not inside usable RAM'],
  ['no RAM at all', 'cpus: 2\n', 'expected memory, nodes or e820 to describe the RAM'],
  ['two ways of giving RAM', 'memory: 1G\nnodes: [{memory: 1G}]\n', 'nodes: give only one of memory, nodes and e820 (this machine has memory and nodes)'],
  ['a count of the wrong type', 'memory: 1G\ncpus: two\n', 'cpus: expected a cpu count from 1 to 8192, got "two"'],
  ['an unknown machine type', 'memory: 1G\nmachine: pcc\n', 'machine: expected one of pc, q35, got "pcc"'],
  ['an unknown e820 type', 'e820:\n  - {start: 0, size: 1G, type: ram}\n',
    'e820[0].type: expected one of usable, reserved, acpi, nvs, unusable, pmem, pram, soft-reserved, got "ram"'],
  ['cpus that disagree with the nodes', 'cpus: 3\nnodes:\n  - {memory: 1G, cpus: 2}\n  - {memory: 1G, cpus: 2}\n',
    'cpus: 3 does not match the 4 cpus the nodes have'],
  ['maxmem without slots', 'memory: 1G\nmaxmem: 4G\n', 'maxmem: needs slots as well (QEMU: -m SIZE,slots=N,maxmem=MAX)'],
  ['maxmem below memory', 'memory: 1G\nmaxmem: 1G\nslots: 1\n', 'maxmem: 1G must be above the 1G of RAM'],
  ['DIMMs without hotplug space', 'memory: 1G\ndimms: [{size: 1G}]\n', 'dimms: hot-pluggable DIMMs need maxmem and slots'],
  ['more DIMMs than slots', 'memory: 1G\nmaxmem: 4G\nslots: 1\ndimms: [{size: 1G}, {size: 1G}]\n', 'dimms: 2 DIMMs need more than the 1 slots given'],
  ['a memmap range outside RAM', 'memory: 1G\npmem: [{start: 2G, size: 1G}]\n',
    'pmem[0]: [mem 0x80000000-0xbfffffff] is not inside one usable e820 range; memmap=nn!ss can only carve RAM'],
  ['a pmem node without an SRAT', 'memory: 1G\npmem: [{size: 1G, type: pram, node: 0}]\n',
    'pmem[0].node: needs a machine with an SRAT (nodes, or srat in an e820 machine)'],
  ['an srat next to generated nodes', 'memory: 1G\nsrat: {}\n', 'srat: only goes with e820; memory and nodes machines get the SRAT QEMU builds'],
  ['a QEMU option on an e820 map', 'machine: q35\ne820:\n  - {start: 0, size: 1G, type: usable}\n',
    'machine: only applies to memory and nodes machines; an e820 map is taken as written'],
  ['an unknown cpu flag', 'memory: 1G\ncpuFlags: [pdpe1gb, avx512]\n', 'cpuFlags[1]: expected one of pdpe1gb, la57, got "avx512"'],
  ['cpu flags as one string', 'memory: 1G\ncpuFlags: +pdpe1gb\n', 'cpuFlags: expected a list, got "+pdpe1gb"'],
  ['boot-services memory on a BIOS machine', 'memory: 1G\nefiBootServices: [{start: 0x900000, end: 0x1000000}]\n',
    'efiBootServices: needs an e820 machine: a UEFI boot hands the kernel the e820 map its EFI stub made; write it out'],
  ['overlapping boot-services ranges', 'e820: [{start: 0, end: 0x9fc00, type: usable}, {start: 1M, size: 1G, type: usable}]\nefiBootServices: [{start: 0x900000, end: 0x1000000}, {start: 0xf00000, size: 1M}]\n',
    'efiBootServices[1]: [mem 0xf00000-0xffffff] overlaps efiBootServices[0] [mem 0x900000-0xffffff]'],
  ['a boot-services range off the EFI page grid', 'e820: [{start: 0, end: 0x9fc00, type: usable}, {start: 1M, size: 1G, type: usable}]\nefiBootServices: [{start: 0x900800, size: 4K}]\n',
    'efiBootServices[0].start: 0x900800 is not 4 KiB aligned (memory ranges must start and end on a 4 KiB page boundary)'],
  ['distances without an SRAT', 'memory: 1G\ndistances: [[10]]\n',
    'distances: needs a machine with an SRAT (nodes, or srat in an e820 machine); Linux reads the SLIT only beside one'],
  ['a SLIT that is not square', 'nodes: [{memory: 1G}, {memory: 1G}]\ndistances: [[10, 20], [20]]\n',
    'distances[1]: has 1 distances; expected 2, one per row (the SLIT is square: a row and a column per proximity domain)'],
  ['a distance over a byte', 'nodes: [{memory: 1G}, {memory: 1G}]\ndistances: [[10, 256], [20, 10]]\n', 'distances[0][1]: expected a distance from 0 to 255, got 256'],
  ['a kernel below LOAD_PHYSICAL_ADDR', 'memory: 1G\nkernelStart: 8M\n',
    'kernelStart: 0x800000 is below 0x1000000 (LOAD_PHYSICAL_ADDR), where the kernel always runs from or above'],
  ['a kernel off the 2 MiB grid', 'memory: 1G\nkernelStart: 0x1601000\n',
    'kernelStart: 0x1601000 is not 2 MiB aligned (CONFIG_PHYSICAL_ALIGN); the kernel is placed on 2 MiB boundaries'],
  ['a kernel moved out of RAM', 'memory: 1G\nkernelStart: 1G\n', 'kernelStart: the kernel image [mem 0x40000000-0x433fffff] is not inside usable RAM'],
  ['YAML syntax', 'memory: 1G\nnodes:\n  - memory: 1G\n   cpus: 2\n', 'line 4, column 1: YAML syntax error: Sequence item without - indicator'],
  ['a duplicated YAML key', 'memory: 1G\nmemory: 2G\n', 'line 2, column 1: YAML syntax error: Map keys must be unique'],
  ['a list instead of a mapping', '- 1\n', 'expected a mapping, got a list'],
  ['an empty file', '# nothing\n', 'is empty; expected a mapping of machine settings'],
  ['binary input', 'memory: 1G\n\u0001\u0002\n', 'not a text file: control character 0x1 at line 2, column 1'],
];

/** The one-line message parsing `text` as `file` fails with. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MachineError, `not a MachineError: ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('no error');
}

describe('machine file errors', () => {
  for (const [what, yaml, message] of cases) {
    it(what, () => assert.equal(failure(() => parseMachine(yaml, 'machine.yaml')), F + message));
  }

  it('JSON syntax, with line and column', () => {
    assert.equal(failure(() => parseMachine('{\n  "memory": "1G",\n}\n', 'm.json')), 'm.json: line 3, column 1: JSON syntax error: Expected double-quoted property name');
  });

  it('text over 1 MiB', () => {
    const big = `memory: 1G\n${'#'.repeat(1024 * 1024)}\n`;
    assert.equal(failure(() => parseMachine(big, 'big.yaml')), `big.yaml: is ${big.length} characters long; machine files are limited to 1 MiB`);
  });

  it('an unknown preset lists the known ones', () => {
    assert.equal(failure(() => loadPreset('nope')), 'unknown preset "nope"; available: default, seed, pc-1g, q35-4g, numa4-memoryless, movable, hotplug');
  });

  describe('files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meminit-machine-'));
    const file = (name: string, data: string | Buffer) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    };
    it('a missing file', () => {
      const p = join(dir, 'missing.yaml');
      assert.equal(failure(() => loadMachineFile(p)), `${p}: cannot read it: no such file`);
    });
    it('a directory', () => assert.equal(failure(() => loadMachineFile(dir)), `${dir}: is a directory, not a machine file`));
    it('a file over 1 MiB', () => {
      const p = file('big.yaml', Buffer.alloc(1024 * 1024 + 1, 0x23));
      assert.equal(failure(() => loadMachineFile(p)), `${p}: is 1048577 bytes; machine files are limited to 1 MiB`);
    });
    it('a binary file', () => {
      const p = file('bin.yaml', Buffer.from([0x6d, 0x3a, 0x00, 0xff]));
      assert.equal(failure(() => loadMachineFile(p)), `${p}: not a text file: NUL byte at offset 2`);
    });
    it('a file that is not UTF-8', () => {
      const p = file('latin1.yaml', Buffer.from('name: caf\xe9\nmemory: 1G\n', 'latin1'));
      assert.equal(failure(() => loadMachineFile(p)), `${p}: not a text file: not valid UTF-8`);
    });
    it('an error inside a file names the path', () => {
      const p = file('bad.yaml', 'memory: 1G\ncpus: 0\n');
      assert.equal(failure(() => loadMachineFile(p)), `${p}: cpus: expected a cpu count from 1 to 8192, got 0`);
    });
  });
});
