// cpuFlags: QEMU's -cpu flags that memory init reads. pdpe1gb gives 1 GiB direct-map pages
// (unless nogbpages), la57 5-level paging (unless no5lvl); the qemu64 default has neither.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { machineNew } from '../../src/kernel/machine.js';
import { parseMachine } from '../../src/machine/index.js';

const spec = (extra: string) => parseMachine(`machine: pc\nmemory: 8G\n${extra}`, 'm.yaml');
const bootLines = (extra: string): string[] => {
  const s = spec(extra);
  return bootMachine(machineNew(s.name, s.firmware)).printk.lines.map((l) => l.text);
};

describe('cpuFlags', () => {
  const cases: [yaml: string, cpu: object | undefined][] = [
    ['', undefined],
    ['cpuFlags: []\n', undefined],
    ['cpuFlags: [pdpe1gb]\n', { gbpages: true }],
    ['cpuFlags: [la57]\n', { la57: true }],
    ['cpuFlags: [la57, pdpe1gb]\n', { gbpages: true, la57: true }],
  ];
  for (const [yaml, cpu] of cases) {
    it(`${yaml.trim() || 'none'} → ${JSON.stringify(cpu)}`, () => assert.deepEqual(spec(yaml).firmware.cpu, cpu));
  }

  it('pdpe1gb: the direct map takes 1 GiB pages', () => {
    assert.ok(bootLines('cpuFlags: [pdpe1gb]\n').includes('Using GB pages for direct mapping'));
    assert.ok(!bootLines('').includes('Using GB pages for direct mapping'));
    assert.ok(!bootLines('cpuFlags: [pdpe1gb]\nappend: nogbpages\n').includes('Using GB pages for direct mapping'));
  });

  it('la57: MAX_PHYSMEM_BITS 52 raises max_arch_pfn to 2^40', () => {
    const lastPfn = (yaml: string) => bootLines(yaml).find((t) => t.startsWith('last_pfn = 0x240000 '));
    assert.equal(lastPfn('cpuFlags: [la57]\n'), 'last_pfn = 0x240000 max_arch_pfn = 0x10000000000');
    assert.equal(lastPfn(''), 'last_pfn = 0x240000 max_arch_pfn = 0x400000000');
    assert.equal(lastPfn('cpuFlags: [la57]\nappend: no5lvl\n'), 'last_pfn = 0x240000 max_arch_pfn = 0x400000000');
  });
});
