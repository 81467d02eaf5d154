// Off-stack cpumasks from memblock, and how many setup_per_cpu_areas() makes.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setupNodeToCpumaskMap } from '../../src/arch/x86/numa-cpu.js';
import { cpumaskSize } from '../../src/kernel/cpumask.js';
import { MiB, requests, tinyMachine } from './start-kernel-fixture.js';

describe('cpumask_size', () => {
  const cases: [number, number][] = [[1, 8], [2, 8], [64, 8], [65, 16], [8192, 1024]];
  for (const [cpus, bytes] of cases) it(`${cpus} CPUs → ${bytes} bytes`, () => assert.equal(cpumaskSize(cpus), bytes));
});

describe('setup_node_to_cpumask_map()', () => {
  // one mask per node id below nr_node_ids, which counts up to the highest possible node, holes included
  const cases: [number, number, number][] = [[1, 2, 1], [4, 4, 4], [4, 2, 4], [1, 100, 1]];
  for (const [nrNodeIds, nrCpus, masks] of cases) {
    it(`nr_node_ids ${nrNodeIds}, ${nrCpus} CPUs: ${masks} masks`, () => {
      const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], nrCpus, possible: [0] });
      setupNodeToCpumaskMap(m.memblock!, nrNodeIds, nrCpus);
      const size = nrCpus > 64 ? 16 : 8;
      assert.deepEqual(requests(trace), Array(masks).fill(`${size} 0x40 alloc_bootmem_cpumask_var`));
    });
  }
});
