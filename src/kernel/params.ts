// SPDX-License-Identifier: GPL-2.0-only
// The memory-related kernel command-line parameters of Linux 6.1, parsed into a typed object.
// Each value is read the way its kernel handler reads it (parse_memopt(), parse_memmap_one(),
// cmdline_parse_core(), numa_setup(), param_set_bool(), …); values the kernel would warn about,
// silently misread or crash on are also listed in `errors`, with what the kernel does.
import { PAGE_SHIFT } from '../include/pfn.js';
import {
  type KernelArg,
  kstrtobool,
  memparse,
  paramName,
  parseArgs,
  parseOptionStr,
  simpleStrtoull,
  sysfsStreq,
} from './cmdline.js';
import { type MemmapOp, type MemOpt, parseMemmapValue, parseMemValue } from './params-e820.js';

export type { MemmapOp, MemOpt } from './params-e820.js';

const EINVAL = -22;

/** A value the kernel rejects, misreads or only partly uses. */
export interface ParamError {
  /** The parameter as written ("mem", "memory-hotplug.online_policy"). */
  param: string;
  /** Its value; undefined when written without '='. */
  value: string | undefined;
  /** What the parameter accepts. */
  expected: string;
  /** What Linux 6.1 does with this value. */
  kernel: string;
}

/** required_kernelcore / required_movablecore and their _percent twins (cmdline_parse_core()). */
export interface CoreParam {
  /** Size in pages (bytes >> PAGE_SHIFT); 0 when not given. */
  pages: number;
  /** Percent of memory; takes precedence over `pages` when non-zero. */
  percent: number;
}

/** mhp_default_online_type names (memhp_default_state=). */
export const MEMHP_ONLINE_TYPES = ['offline', 'online', 'online_kernel', 'online_movable'] as const;
export type MemhpOnlineType = (typeof MEMHP_ONLINE_TYPES)[number];
/** transparent_hugepage= values (setup_transparent_hugepage()). */
export const THP_MODES = ['always', 'madvise', 'never'] as const;
export type ThpMode = (typeof THP_MODES)[number];
/** memory_hotplug.online_policy names. */
export const ONLINE_POLICIES = ['contig-zones', 'auto-movable'] as const;
export type OnlinePolicy = (typeof ONLINE_POLICIES)[number];

/**
 * One early parameter, in command-line order, as parse_early_param() meets it. mem= and
 * memmap= change the e820 table and ignore_loglevel prints, so the arch code replays this list;
 * `ret` is what the handler of any other early parameter returns (non-zero prints
 * "Malformed early option").
 */
export type EarlyArg =
  | { kind: 'mem'; param: string; opt: MemOpt }
  | { kind: 'memmap'; param: string; ops: MemmapOp[] }
  | { kind: 'ignore_loglevel'; param: string }
  | { kind: 'other'; param: string; ret: number };

export interface KernelParams {
  /** The command line as given. */
  cmdline: string;
  /** Every argument before a bare "--", in order. */
  args: KernelArg[];
  /** Text after a bare "--": arguments for init. */
  afterDashes: string | undefined;
  /** Early parameters in order (see EarlyArg). */
  early: EarlyArg[];
  /** max_mem_size: the last accepted mem= size (memory hotplug refuses memory above it). */
  maxMemSize: number | undefined;
  kernelcore: CoreParam;
  /** kernelcore=mirror. */
  mirroredKernelcore: boolean;
  movablecore: CoreParam;
  movableNode: boolean;
  /** memblock=debug (any value containing "debug"). */
  memblockDebug: boolean;
  numa: { off: boolean; noacpi: boolean; nohmat: boolean; fake: string | undefined };
  /** Honoured by the decompressor only; the kernel proper calls it unknown. */
  nokaslr: boolean;
  memmapOnMemory: boolean;
  /** memhp_default_state=; undefined leaves the build default (CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE). */
  memhpDefaultState: MemhpOnlineType | undefined;
  onlinePolicy: OnlinePolicy;
  /** mem_encrypt=on: AMD SME requested (sme_enable() honours it on capable CPUs only). */
  memEncrypt: boolean;
  ignoreLoglevel: boolean;
  pageAllocShuffle: boolean;
  /** efi=debug (EFI_DBG): keep EFI boot-services memory reserved instead of freeing it. */
  efiDebug: boolean;
  /** transparent_hugepage=; Debian's build default is always (CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS). */
  transparentHugepage: ThpMode;
  /** Arguments meminit does not model, in order. */
  unknown: KernelArg[];
  errors: ParamError[];
}

/** Kernel defaults: what an empty command line gives. */
function defaultParams(cmdline: string): KernelParams {
  return {
    cmdline,
    args: [],
    afterDashes: undefined,
    early: [],
    maxMemSize: undefined,
    kernelcore: { pages: 0, percent: 0 },
    mirroredKernelcore: false,
    movablecore: { pages: 0, percent: 0 },
    movableNode: false,
    memblockDebug: false,
    numa: { off: false, noacpi: false, nohmat: false, fake: undefined },
    nokaslr: false,
    memmapOnMemory: false,
    memhpDefaultState: undefined,
    onlinePolicy: 'contig-zones',
    memEncrypt: false,
    ignoreLoglevel: false,
    pageAllocShuffle: false,
    efiDebug: false,
    transparentHugepage: 'always',
    unknown: [],
    errors: [],
  };
}

/** Records a ParamError for the argument being handled. */
type Err = (expected: string, kernel: string) => void;
type Handler = (p: KernelParams, a: KernelArg, err: Err) => void;

/** Mirrors cmdline_parse_core(): "nn%" or a memparse size; returns the handler's result. */
function parseCore(core: CoreParam, val: string | undefined, err: Err): number {
  const expected = 'a size (nn[KMGTPE]) or a percentage (nn%)';
  if (val === undefined) {
    err(expected, 'returns -EINVAL: "Malformed early option"');
    return EINVAL;
  }
  const r = simpleStrtoull(val);
  if (val[r.end] === '%') {
    if (r.value > 100n) err('a percentage of at most 100', 'WARN_ON splat, value kept');
    core.percent = Number(r.value);
    return 0;
  }
  const m = memparse(val);
  if (m.end === 0) err(expected, 'reads it as 0');
  else if (m.end < val.length) err(expected, `ignores the trailing "${val.slice(m.end)}"`);
  core.pages = Number(m.value >> BigInt(PAGE_SHIFT));
  core.percent = 0;
  return 0;
}

/** Mirrors param_set_bool() for a bool module parameter (no value means true). */
function parseBoolParam(val: string | undefined, noArgOk: boolean, err: Err): boolean | undefined {
  if (val === undefined && noArgOk) return true;
  const b = val === undefined ? undefined : kstrtobool(val);
  if (b === undefined) err('a boolean (y/n, 1/0, on/off, true/false)', '"Booting kernel: … invalid for parameter", value unchanged');
  return b;
}

/** Handlers by dash-normalized name: early parameters first, then the later ones. */
const HANDLERS: Record<string, Handler> = {
  mem(p, a, err) {
    const { opt, errors } = parseMemValue(a.val);
    if (opt.kind === 'limit') p.maxMemSize = opt.size;
    for (const e of errors) err(e.expected, e.kernel);
    p.early.push({ kind: 'mem', param: a.param, opt });
  },
  memmap(p, a, err) {
    const { ops, errors } = parseMemmapValue(a.val);
    for (const e of errors) err(e.expected, e.kernel);
    p.early.push({ kind: 'memmap', param: a.param, ops });
  },
  ignore_loglevel(p, a) {
    p.ignoreLoglevel = true;
    p.early.push({ kind: 'ignore_loglevel', param: a.param });
  },
  kernelcore(p, a, err) {
    if (a.val === undefined) {
      // parse_option_str(NULL, "mirror") dereferences the NULL value.
      err('kernelcore=mirror, a size or a percentage', 'NULL dereference in parse_option_str(): the boot crashes');
      return;
    }
    let ret = 0;
    if (parseOptionStr(a.val, 'mirror')) p.mirroredKernelcore = true;
    else ret = parseCore(p.kernelcore, a.val, err);
    p.early.push({ kind: 'other', param: a.param, ret });
  },
  movablecore(p, a, err) {
    p.early.push({ kind: 'other', param: a.param, ret: parseCore(p.movablecore, a.val, err) });
  },
  movable_node(p, a) {
    p.movableNode = true;
    p.early.push({ kind: 'other', param: a.param, ret: 0 });
  },
  memblock(p, a) {
    if (a.val?.includes('debug')) p.memblockDebug = true;
    p.early.push({ kind: 'other', param: a.param, ret: 0 });
  },
  // numa_setup(): prefixes, checked independently ("offline" counts as "off").
  numa(p, a, err) {
    const v = a.val;
    if (v === undefined) {
      err('off, noacpi, nohmat or fake=…', 'returns -EINVAL: "Malformed early option"');
      p.early.push({ kind: 'other', param: a.param, ret: EINVAL });
      return;
    }
    if (v.startsWith('off')) p.numa.off = true;
    if (v.startsWith('fake=')) p.numa.fake = v.slice(5);
    if (v.startsWith('noacpi')) p.numa.noacpi = true;
    if (v.startsWith('nohmat')) p.numa.nohmat = true;
    if (!/^(off|fake=|noacpi|nohmat)/.test(v)) err('off, noacpi, nohmat or fake=…', 'ignored silently');
    p.early.push({ kind: 'other', param: a.param, ret: 0 });
  },
  nokaslr(p, a, err) {
    // The decompressor looks for the bare word only.
    if (a.val === undefined) p.nokaslr = true;
    else err('no value', 'not recognised as nokaslr; KASLR stays on');
  },
  'memory_hotplug.memmap_on_memory'(p, a, err) {
    p.memmapOnMemory = parseBoolParam(a.val, true, err) ?? p.memmapOnMemory;
  },
  'page_alloc.shuffle'(p, a, err) {
    p.pageAllocShuffle = parseBoolParam(a.val, false, err) ?? p.pageAllocShuffle;
  },
  'memory_hotplug.online_policy'(p, a, err) {
    const v = ONLINE_POLICIES.find((s) => a.val !== undefined && sysfsStreq(a.val, s));
    if (v) p.onlinePolicy = v;
    else err(ONLINE_POLICIES.join(' or '), '"Booting kernel: … invalid for parameter", value unchanged');
  },
  // parse_efi_cmdline(): comma-separated options; only debug matters to memory init.
  efi(p, a, err) {
    if (a.val === undefined) {
      err('debug, noruntime, runtime or nosoftreserve', '"need at least one option", returns -EINVAL: "Malformed early option"');
      p.early.push({ kind: 'other', param: a.param, ret: EINVAL });
      return;
    }
    if (parseOptionStr(a.val, 'debug')) p.efiDebug = true;
    p.early.push({ kind: 'other', param: a.param, ret: 0 });
  },
  // sme_enable() reads the raw command line: only "on" turns SME on.
  mem_encrypt(p, a, err) {
    p.memEncrypt = a.val === 'on';
    if (a.val !== 'on' && a.val !== 'off') err('on or off', 'anything but "on" leaves SME off');
  },
};

/** __setup("transparent_hugepage="): an exact value, else "cannot parse, ignored". */
function transparentHugepage(p: KernelParams, a: KernelArg, err: Err): void {
  const v = THP_MODES.find((s) => s === a.val);
  if (v) p.transparentHugepage = v;
  else err(THP_MODES.join(', '), '"transparent_hugepage= cannot parse, ignored"');
}

/** __setup("memhp_default_state=") matches only with the '='. */
function memhpDefaultState(p: KernelParams, a: KernelArg, err: Err): void {
  const v = MEMHP_ONLINE_TYPES.find((s) => sysfsStreq(a.val!, s));
  if (v) p.memhpDefaultState = v;
  else err(MEMHP_ONLINE_TYPES.join(', '), 'ignored silently');
}

/**
 * Parse a command line into KernelParams. Later occurrences of a parameter override earlier
 * ones, except mem= and memmap=, which act in order (see `early`).
 */
export function parseKernelParams(cmdline: string): KernelParams {
  const p = defaultParams(cmdline);
  const { args, afterDashes } = parseArgs(cmdline);
  p.args = args;
  p.afterDashes = afterDashes;
  for (const a of args) {
    const name = paramName(a.param);
    const err = (expected: string, kernel: string): void => {
      p.errors.push({ param: a.param, value: a.val, expected, kernel });
    };
    if (Object.hasOwn(HANDLERS, name)) HANDLERS[name]!(p, a, err);
    else if (name === 'memhp_default_state' && a.val !== undefined) memhpDefaultState(p, a, err);
    else if (name === 'transparent_hugepage' && a.val !== undefined) transparentHugepage(p, a, err);
    else p.unknown.push(a);
  }
  return p;
}
