// SPDX-License-Identifier: GPL-2.0-only
// The percpu line formats: real 6.1 lines (from test/corpus) parse and re-emit byte for byte,
// and parse(emit(x)) = x.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { LineFormat } from '../../src/trace/format.js';
import * as P from '../../src/trace/formats/percpu.js';

const REAL: [LineFormat<unknown>, string][] = [
  [P.setupPercpu, 'setup_percpu: NR_CPUS:8192 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:200'],
  [P.percpuEmbedded, 'percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u1048576'],
  [P.pcpuAllocHeader, 'pcpu-alloc: s217088 r8192 d28672 u2097152 alloc=1*2097152'],
  [P.pcpuAllocUnits, 'pcpu-alloc: [0] 0 1'],
  [P.pcpuAllocUnits, 'pcpu-alloc: [0] 0 [1] 1 [2] 2 [3] 3 [4] 4 [5] 5 [6] 6 [7] 7'],
  [P.percpuNoNode, 'percpu: cpu 1 has no node -1 or node-local memory'],
];

describe('percpu lines round-trip', () => {
  for (const [fmt, line] of REAL) {
    it(`${fmt.name}: ${line}`, () => {
      const v = fmt.parse(line);
      assert.notEqual(v, undefined, 'parses');
      assert.equal(fmt.emit(v), line);
      assert.deepEqual(fmt.parse(fmt.emit(v)), v);
    });
  }
  it('unit lines with padding and unused units', () => {
    const v: P.PcpuAllocUnitsLine = { groupWidth: 2, cpuWidth: 3, allocs: [{ group: 0, cpus: [0, 1, null, null] }, { group: 10, cpus: [100, null] }] };
    assert.equal(P.pcpuAllocUnits.emit(v), 'pcpu-alloc: [00] 000 001 --- --- [10] 100 ---');
    assert.deepEqual(P.pcpuAllocUnits.parse(P.pcpuAllocUnits.emit(v)), v);
  });
  it('the kernel\'s trailing space is accepted', () => {
    assert.deepEqual(P.pcpuAllocUnits.parse('pcpu-alloc: [0] 0 1 '), P.pcpuAllocUnits.parse('pcpu-alloc: [0] 0 1'));
  });
});
