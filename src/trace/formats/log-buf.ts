// SPDX-License-Identifier: GPL-2.0-only
// setup_log_buf()'s lines (kernel/printk/printk.c of 6.1, pr_fmt "printk: "): a machine with
// many possible CPUs grows the log buffer into memblock memory.
import { lineFormat, type LineFormat } from '../format.js';
import { parseDec } from '../printk.js';

function bytesLine(name: string, printedBy: string, what: string): LineFormat<number> {
  const re = new RegExp(`^printk: ${what.replace(/[()]/g, '\\$&')}: (\\d+) bytes$`);
  return lineFormat<number>(name, printedBy, re, (m) => parseDec(m[1]!), (v) => `printk: ${what}: ${v} bytes`);
}

/** log_buf_add_cpu(): __LOG_CPU_MAX_BUF_LEN. */
export const logBufCpuMax = bytesLine('printk.log_buf_cpu_max', 'log_buf_add_cpu', 'log_buf_len individual max cpu contribution');
/** log_buf_add_cpu(): (possible CPUs - 1) × __LOG_CPU_MAX_BUF_LEN. */
export const logBufCpuExtra = bytesLine('printk.log_buf_cpu_extra', 'log_buf_add_cpu', 'log_buf_len total cpu_extra contributions');
/** log_buf_add_cpu(): __LOG_BUF_LEN. */
export const logBufMinSize = bytesLine('printk.log_buf_min', 'log_buf_add_cpu', 'log_buf_len min size');
/** setup_log_buf(): the new buffer's size. */
export const logBufLen = bytesLine('printk.log_buf_len', 'setup_log_buf', 'log_buf_len');

export const logBufFormats = [logBufCpuMax, logBufCpuExtra, logBufMinSize, logBufLen] as const;
