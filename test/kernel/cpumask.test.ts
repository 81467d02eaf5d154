// Off-stack cpumasks from memblock, and how many setup_per_cpu_areas() makes.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { nrNodeIds, setupPerCpuCpumasks } from '../../src/arch/x86/percpu-cpumasks.js';
import { cpumaskSize } from '../../src/kernel/cpumask.js';
import { MiB, requests, tinyMachine } from './start-kernel-fixture.js';

describe('cpumask_size', () => {
  const cases: [number, number][] = [[1, 8], [2, 8], [64, 8], [65, 16], [8192, 1024]];
  for (const [cpus, bytes] of cases) it(`${cpus} CPUs → ${bytes} bytes`, () => assert.equal(cpumaskSize(cpus), bytes));
});

describe('setup_per_cpu_areas() cpumasks', () => {
  // nr_node_ids counts node ids up to the highest possible one, holes included
  const cases: [number[], number, number, number][] = [
    [[0], 2, 1, 5], [[0, 1, 2, 3], 4, 4, 8], [[0, 3], 2, 4, 8], [[0], 100, 1, 5],
  ];
  for (const [possible, nrCpus, ids, masks] of cases) {
    it(`nodes ${possible.join(',')}, ${nrCpus} CPUs: ${ids} node masks + 4`, () => {
      const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], nrCpus, possible });
      assert.equal(nrNodeIds(m), ids);
      setupPerCpuCpumasks(m);
      const size = nrCpus > 64 ? 16 : 8;
      assert.deepEqual(requests(trace), Array(masks).fill(`${size} 0x40 alloc_bootmem_cpumask_var`));
    });
  }
});
