// setup_log_buf(0): the bigger printk ring buffer of a machine with many possible CPUs.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { logBufAddCpu, setupLogBuf } from '../../src/kernel/log-buf.js';
import { MiB, requests, tinyMachine } from './start-kernel-fixture.js';

describe('log_buf_add_cpu', () => {
  // 4 KiB per CPU beyond the first, once that is more than 64 KiB; then 128 KiB more, a power of two
  const cases: [number, number][] = [[1, 0], [2, 0], [17, 0], [18, 262144], [32, 262144], [33, 262144], [34, 524288], [128, 1048576]];
  for (const [cpus, len] of cases) {
    it(`${cpus} CPUs → ${len}`, () => {
      const { m } = tinyMachine({ ram: [[MiB, 64 * MiB]] });
      assert.equal(logBufAddCpu(m, cpus), len);
    });
  }
});

describe('setup_log_buf', () => {
  it('32 CPUs: 256 KiB of text, 8192 descriptors of 24 bytes and infos of 88', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], nrCpus: 32 });
    setupLogBuf(m);
    assert.deepEqual(requests(trace), ['262144 0x8 setup_log_buf', '196608 0x8 setup_log_buf', '720896 0x8 setup_log_buf']);
    assert.deepEqual(trace.filter((t) => t.startsWith('printk:')), [
      'printk: log_buf_len individual max cpu contribution: 4096 bytes',
      'printk: log_buf_len total cpu_extra contributions: 126976 bytes',
      'printk: log_buf_len min size: 131072 bytes',
      'printk: log_buf_len: 262144 bytes',
    ]);
  });

  it('2 CPUs, or log_buf_len= (setup_arch() took it): nothing', () => {
    for (const [cpus, cmdline] of [[2, ''], [32, 'log_buf_len=1M']] as const) {
      const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], nrCpus: cpus, cmdline });
      setupLogBuf(m);
      assert.deepEqual(trace, []);
    }
  });

  it('log_buf_len= no bigger than the static buffer leaves the CPU rule in charge', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], nrCpus: 32, cmdline: 'log_buf_len=64K' });
    setupLogBuf(m);
    assert.equal(requests(trace)[0], '262144 0x8 setup_log_buf');
  });
});
