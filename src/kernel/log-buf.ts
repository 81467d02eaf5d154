// SPDX-License-Identifier: GPL-2.0-only
// setup_log_buf(0) from start_kernel() (kernel/printk/printk.c of 6.1): with more than 17
// possible CPUs log_buf_add_cpu() asks for more than the static 128 KiB, and the bigger ring
// buffer (text, descriptors, infos) comes from memblock.
import { memblockAlloc } from '../mm/memblock.js';
import * as L from '../trace/formats/log-buf.js';
import { memparse } from './cmdline.js';
import { nrCpuIds } from './cpumask.js';
import type { Machine } from './machine.js';

/** __LOG_BUF_LEN: CONFIG_LOG_BUF_SHIFT=17 in Debian's build. */
export const LOG_BUF_LEN = 1 << 17;
/** __LOG_CPU_MAX_BUF_LEN: CONFIG_LOG_CPU_MAX_BUF_SHIFT=12. */
export const LOG_CPU_MAX_BUF_LEN = 1 << 12;
const LOG_BUF_LEN_MAX = 2 ** 31;
/** One descriptor per 32 bytes of text. */
const PRB_AVGBITS = 5;
/** __alignof__(unsigned long). */
const LOG_ALIGN = 8;
/** sizeof(struct prb_desc), sizeof(struct printk_info) (with its 64-byte dev_printk_info). */
const PRB_DESC_SIZE = 24;
const PRINTK_INFO_SIZE = 88;

const roundupPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(n));

/** log_buf_len_update(): a power of two, kept only if bigger than the current buffer. */
function logBufLenUpdate(size: number): number {
  if (size > LOG_BUF_LEN_MAX) size = LOG_BUF_LEN_MAX;
  if (size) size = roundupPow2(size);
  return size > LOG_BUF_LEN ? size : 0;
}

/**
 * new_log_buf_len left by log_buf_len= (an early_param, every occurrence applied in order). A
 * non-zero value means setup_arch()'s setup_log_buf(1) already replaced the buffer (another
 * phase's allocation), so start_kernel()'s call does nothing.
 */
export function logBufLenParam(m: Machine): number {
  let len = 0;
  for (const a of m.params.args) {
    if (a.param !== 'log_buf_len' || a.val === undefined) continue;
    const size = logBufLenUpdate(Number(memparse(a.val).value));
    if (size) len = size;
  }
  return len;
}

/**
 * log_buf_add_cpu(): 4 KiB per CPU beyond the first, once that passes half the static buffer
 * ("32 CPUs: 31 × 4096 = 126976 bytes extra, 131072 + 126976 → 262144"); 0 when it does not.
 */
export function logBufAddCpu(m: Machine, nrCpus: number): number {
  if (nrCpus === 1) return 0;
  const cpuExtra = (nrCpus - 1) * LOG_CPU_MAX_BUF_LEN;
  if (cpuExtra <= LOG_BUF_LEN / 2) return 0;
  m.printk.emit(L.logBufCpuMax, LOG_CPU_MAX_BUF_LEN);
  m.printk.emit(L.logBufCpuExtra, cpuExtra);
  m.printk.emit(L.logBufMinSize, LOG_BUF_LEN);
  return logBufLenUpdate(cpuExtra + LOG_BUF_LEN);
}

/**
 * setup_log_buf(0): the text, descriptor and info arrays of the new ring buffer. Its closing
 * "early log buf free: N(P%)" counts what was logged so far, which the model cannot know, so
 * it is not printed; nor is the pr_err (and memblock_free() of the arrays already had) of an
 * allocation failing, with megabytes of memblock free at this point.
 */
export function setupLogBuf(m: Machine): void {
  if (logBufLenParam(m)) return;
  const len = logBufAddCpu(m, nrCpuIds(m));
  if (!len) return;
  const mb = m.memblock!;
  const descs = len >> PRB_AVGBITS;
  if (!memblockAlloc(mb, len, LOG_ALIGN, 'setup_log_buf')) return;
  if (!memblockAlloc(mb, descs * PRB_DESC_SIZE, LOG_ALIGN, 'setup_log_buf')) return;
  if (!memblockAlloc(mb, descs * PRINTK_INFO_SIZE, LOG_ALIGN, 'setup_log_buf')) return;
  m.printk.emit(L.logBufLen, len);
}
