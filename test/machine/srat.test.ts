// SRAT entries per node as QEMU's build_srat() writes them and Linux numbers them; the first
// two cases are corpus boots (pc-8g-numa4, pc-4g-numa2-hotplug).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { machineNew } from '../../src/kernel/machine.js';
import { parseMachine } from '../../src/machine/index.js';
import { sratCpuLines, sratLines } from './fixture.js';

const cases: { what: string; yaml: string; memory: string[]; cpus?: string[] }[] = [
  {
    what: 'pc 4 x 2G: node 1 straddles the 3G-4G hole',
    yaml: 'machine: pc\nnodes: [{memory: 2G, cpus: 1}, {memory: 2G, cpus: 1}, {memory: 2G, cpus: 1}, {memory: 2G, cpus: 1}]\n',
    memory: [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0x7fffffff]',
      'Node 1 PXM 1 [mem 0x80000000-0xbfffffff]',
      'Node 1 PXM 1 [mem 0x100000000-0x13fffffff]',
      'Node 2 PXM 2 [mem 0x140000000-0x1bfffffff]',
      'Node 3 PXM 3 [mem 0x1c0000000-0x23fffffff]',
    ],
    cpus: ['PXM 0 -> APIC 0x00 -> Node 0', 'PXM 1 -> APIC 0x01 -> Node 1', 'PXM 2 -> APIC 0x02 -> Node 2', 'PXM 3 -> APIC 0x03 -> Node 3'],
  },
  {
    what: 'pc hotplug: the hotplug range (maxmem - memory + 1G per slot) goes to the last node',
    yaml: 'machine: pc\nnodes: [{memory: 4G, cpus: 2}, {}]\nmaxmem: 8G\nslots: 2\n',
    memory: [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0xbfffffff]',
      'Node 0 PXM 0 [mem 0x100000000-0x13fffffff]',
      'Node 1 PXM 1 [mem 0x140000000-0x2bfffffff] hotplug',
    ],
    cpus: ['PXM 0 -> APIC 0x00 -> Node 0', 'PXM 0 -> APIC 0x01 -> Node 0'],
  },
  {
    what: 'q35 1G + 5G: node 1 runs from 1G to the 2G hole, then on at 4G',
    yaml: 'machine: q35\nnodes: [{memory: 1G}, {memory: 5G}]\n',
    memory: [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0x3fffffff]',
      'Node 1 PXM 1 [mem 0x40000000-0x7fffffff]',
      'Node 1 PXM 1 [mem 0x100000000-0x1ffffffff]',
    ],
    // cpus: 2 by default, dealt round-robin over the nodes.
    cpus: ['PXM 0 -> APIC 0x00 -> Node 0', 'PXM 1 -> APIC 0x01 -> Node 1'],
  },
  {
    what: 'q35 2G + 2G: node 1 starts exactly at the hole, so all of it is above 4G',
    yaml: 'machine: q35\nnodes: [{memory: 2G}, {memory: 2G}]\n',
    memory: [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0x7fffffff]',
      'Node 1 PXM 1 [mem 0x100000000-0x17fffffff]',
    ],
  },
  {
    what: 'a memoryless node has cpus but no memory entry; the nodes after it keep their ids',
    yaml: 'machine: q35\nnodes: [{memory: 3G, cpus: 1}, {cpus: 1}, {memory: 3G}]\n',
    memory: [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0x7fffffff]',
      'Node 0 PXM 0 [mem 0x100000000-0x13fffffff]',
      'Node 2 PXM 2 [mem 0x140000000-0x1ffffffff]',
    ],
    cpus: ['PXM 0 -> APIC 0x00 -> Node 0', 'PXM 1 -> APIC 0x01 -> Node 1'],
  },
  {
    what: 'Linux numbers proximity domains first come, first served: cpus, then memory',
    yaml: 'machine: pc\nnodes: [{id: 7, memory: 1G}, {id: 3, memory: 1G, cpus: 1}]\n',
    memory: [
      'Node 1 PXM 7 [mem 0x00000000-0x0009ffff]',
      'Node 1 PXM 7 [mem 0x00100000-0x3fffffff]',
      'Node 0 PXM 3 [mem 0x40000000-0x7fffffff]',
    ],
    cpus: ['PXM 3 -> APIC 0x00 -> Node 0'],
  },
  {
    what: 'explicit ranges: one entry per range, node 0 split around 640K-1M',
    yaml: 'machine: pc\nnodes:\n  - memory: [{start: 0, end: 1G}, {start: 8G, size: 1G}]\n  - memory: [{start: 4G, size: 1G}]\n',
    memory: [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0x3fffffff]',
      'Node 0 PXM 0 [mem 0x200000000-0x23fffffff]',
      'Node 1 PXM 1 [mem 0x100000000-0x13fffffff]',
    ],
  },
  {
    what: 'memory plus maxmem: QEMU makes a node of it (auto_enable_numa_with_memhp)',
    yaml: 'machine: q35\nmemory: 2G\nmaxmem: 4G\nslots: 1\n',
    memory: [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0x7fffffff]',
      'Node 0 PXM 0 [mem 0x100000000-0x1bfffffff] hotplug',
    ],
  },
  {
    what: 'proximity domains from 256 up are beyond MAX_PXM_DOMAINS: node -1 (a bad SRAT to Linux)',
    yaml: 'machine: pc\nnodes: [{id: 300, memory: 1G}]\n',
    memory: ['Node -1 PXM 300 [mem 0x00000000-0x0009ffff]', 'Node -1 PXM 300 [mem 0x00100000-0x3fffffff]'],
  },
];

describe('SRAT', () => {
  for (const c of cases) {
    it(c.what, () => {
      const fw = parseMachine(c.yaml, 'm.yaml').firmware;
      assert.deepEqual(sratLines(fw), c.memory);
      if (c.cpus) assert.deepEqual(sratCpuLines(fw), c.cpus);
    });
  }

  it('a plain memory machine has no SRAT, like QEMU without -numa', () => {
    assert.equal(parseMachine('memory: 4G\n', 'm.yaml').firmware.srat, undefined);
  });

  it('an e820 machine takes its SRAT as written', () => {
    const yaml = [
      'e820: [{start: 0, end: 0x9fc00, type: usable}, {start: 0x100000, end: 2G, type: usable}]',
      'srat:',
      '  memory: [{node: 1, start: 0, end: 1G}, {node: 0, start: 1G, end: 2G, hotplug: true}, {node: 0, start: 8G, size: 1G, nonVolatile: true}]',
      '  cpus: [{apic: 0, node: 0}, {apic: 2, node: 1}]',
    ].join('\n');
    const fw = parseMachine(yaml, 'm.yaml').firmware;
    assert.deepEqual(sratLines(fw), [
      'Node 1 PXM 1 [mem 0x00000000-0x3fffffff]',
      'Node 0 PXM 0 [mem 0x40000000-0x7fffffff] hotplug',
      'Node 0 PXM 0 [mem 0x200000000-0x23fffffff] non-volatile',
    ]);
    assert.deepEqual(sratCpuLines(fw), ['PXM 0 -> APIC 0x00 -> Node 0', 'PXM 1 -> APIC 0x02 -> Node 1']);
    assert.equal(fw.nrCpus, 2);
  });
});

describe('SLIT (distances)', () => {
  const numa4 = 'machine: pc\nnodes: [{memory: 2G, cpus: 1}, {memory: 2G, cpus: 1}, {memory: 2G, cpus: 1}, {memory: 2G, cpus: 1}]\n';
  const far = 'distances: [[10, 20, 30, 30], [20, 10, 30, 30], [30, 30, 10, 20], [30, 30, 20, 10]]\n';
  const boot = (yaml: string): string[] => {
    const s = parseMachine(yaml, 'm.yaml');
    return bootMachine(machineNew(s.name, s.firmware)).printk.lines.map((l) => l.text);
  };
  const nodeData3 = (lines: string[]) => lines.find((t) => t.startsWith('NODE_DATA(3) allocated'));

  it('rows by proximity domain, as written', () => {
    assert.deepEqual(parseMachine(numa4 + far, 'm.yaml').firmware.srat?.slit, [[10, 20, 30, 30], [20, 10, 30, 30], [30, 30, 10, 20], [30, 30, 20, 10]]);
    assert.equal(parseMachine(numa4, 'm.yaml').firmware.srat?.slit, undefined);
  });

  it('an e820 machine takes distances beside its srat', () => {
    const yaml = 'e820: [{start: 0, end: 0x9fc00, type: usable}, {start: 0x100000, end: 2G, type: usable}]\n'
      + 'srat: {memory: [{node: 0, start: 0, end: 1G}, {node: 1, start: 1G, end: 2G}]}\ndistances: [[10, 15], [15, 10]]\n';
    assert.deepEqual(parseMachine(yaml, 'm.yaml').firmware.srat?.slit, [[10, 15], [15, 10]]);
  });

  // pc-8g-numa4: numa_alloc_distance() takes a page at the top of node 3 before NODE_DATA(3).
  it('a valid SLIT costs the distance table a page below NODE_DATA(3)', () => {
    assert.equal(nodeData3(boot(numa4 + far)), 'NODE_DATA(3) allocated [mem 0x23ffd1000-0x23fffbfff]');
    assert.equal(nodeData3(boot(numa4)), 'NODE_DATA(3) allocated [mem 0x23ffd2000-0x23fffcfff]');
  });

  it('a SLIT Linux finds invalid (20 on the diagonal) is reported and not used', () => {
    const lines = boot(numa4 + 'distances: [[20, 20, 30, 30], [20, 10, 30, 30], [30, 30, 10, 20], [30, 30, 20, 10]]\n');
    assert.ok(lines.includes('ACPI: SLIT table looks invalid. Not used.'));
    assert.equal(nodeData3(lines), nodeData3(boot(numa4)));
  });
});
