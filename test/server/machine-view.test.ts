// The server's views of a machine: memory blocks of the size the kernel would pick.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { machineNew } from '../../src/kernel/machine.js';
import { loadPreset } from '../../src/machine/index.js';
import { extentPfn, memoryBlockPages, memoryBlockRuns } from '../../src/server/machine-view.js';

const boot = (preset: string) => {
  const s = loadPreset(preset);
  return bootMachine(machineNew(s.name, s.firmware));
};

describe('memory blocks', () => {
  it('seed: 1 GiB blocks, none over the PCI hole between 3 and 4 GiB', () => {
    const m = boot('seed');
    assert.equal(memoryBlockPages(m), 262144);
    assert.deepEqual(memoryBlockRuns(m), [{ first: 0, end: 3, nid: 0 }, { first: 4, end: 385, nid: 0 }]);
    assert.equal(extentPfn(m), 385 * 262144);
  });

  it('default: 128 MiB blocks on two nodes; the pmem range has none', () => {
    const m = boot('default');
    assert.equal(memoryBlockPages(m), 32768);
    assert.deepEqual(memoryBlockRuns(m), [{ first: 0, end: 16, nid: 0 }, { first: 32, end: 48, nid: 0 }, { first: 48, end: 72, nid: 1 }]);
  });
});
