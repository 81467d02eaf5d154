// Lines printed by x86 NUMA init (arch/x86/mm/numa.c, arch/x86/mm/srat.c, drivers/acpi/numa/srat.c).
// Ranges are carried with an exclusive end; the kernel prints end - 1.
import { lineFormat } from '../format.js';
import { hexAlt, parseHex } from '../printk.js';

const H = '(0x[0-9a-f]+)';
const m10 = (start: number, end: number): string => `[mem ${hexAlt(start, 10)}-${hexAlt(end - 1, 10)}]`;

export interface SratMemoryLine { nid: number; pxm: number; start: number; end: number; hotplug: boolean; nonVolatile: boolean }
/** acpi_numa_memory_affinity_init(): "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff] hotplug". */
export const sratMemory = lineFormat<SratMemoryLine>(
  'numa.srat-memory', 'acpi_numa_memory_affinity_init',
  new RegExp(`^ACPI: SRAT: Node (\\d+) PXM (\\d+) \\[mem ${H}-${H}\\]( hotplug)?( non-volatile)?$`),
  (m) => ({ nid: +m[1]!, pxm: +m[2]!, start: parseHex(m[3]!), end: parseHex(m[4]!) + 1, hotplug: !!m[5], nonVolatile: !!m[6] }),
  (v) => `ACPI: SRAT: Node ${v.nid} PXM ${v.pxm} ${m10(v.start, v.end)}${v.hotplug ? ' hotplug' : ''}${v.nonVolatile ? ' non-volatile' : ''}`,
);

export interface SratCpuLine { pxm: number; apic: number; nid: number; x2apic: boolean }
/** acpi_numa_processor_affinity_init() / acpi_numa_x2apic_affinity_init(): "SRAT: PXM 0 -> APIC 0x00 -> Node 0". */
export const sratCpu = lineFormat<SratCpuLine>(
  'numa.srat-cpu', 'acpi_numa_processor_affinity_init',
  /^(?:ACPI: )?SRAT: PXM (\d+) -> APIC (0x[0-9a-f]+) -> Node (\d+)$/,
  (m) => ({ pxm: +m[1]!, apic: parseHex(m[2]!), nid: +m[3]!, x2apic: m[2]!.length === 6 }),
  (v) => `SRAT: PXM ${v.pxm} -> APIC ${hexAlt(v.apic, v.x2apic ? 6 : 4)} -> Node ${v.nid}`,
);

export interface NumaMergeLine { nid: number; a: [number, number]; b: [number, number]; to: [number, number] }
/** numa_cleanup_meminfo(): "NUMA: Node 0 [mem …] + [mem …] -> [mem …]". */
export const numaMerge = lineFormat<NumaMergeLine>(
  'numa.merge', 'numa_cleanup_meminfo',
  new RegExp(`^NUMA: Node (\\d+) \\[mem ${H}-${H}\\] \\+ \\[mem ${H}-${H}\\] -> \\[mem ${H}-${H}\\]$`),
  (m) => ({
    nid: +m[1]!,
    a: [parseHex(m[2]!), parseHex(m[3]!) + 1],
    b: [parseHex(m[4]!), parseHex(m[5]!) + 1],
    to: [parseHex(m[6]!), parseHex(m[7]!) + 1],
  }),
  (v) => `NUMA: Node ${v.nid} ${m10(...v.a)} + ${m10(...v.b)} -> ${m10(...v.to)}`,
);

export interface NodeDataLine { nid: number; start: number; end: number }
/** alloc_node_data(): "NODE_DATA(0) allocated [mem 0x7ffd6000-0x7fffffff]". */
export const nodeDataAllocated = lineFormat<NodeDataLine>(
  'numa.node-data', 'alloc_node_data',
  new RegExp(`^NODE_DATA\\((\\d+)\\) allocated \\[mem ${H}-${H}\\]$`),
  (m) => ({ nid: +m[1]!, start: parseHex(m[2]!), end: parseHex(m[3]!) + 1 }),
  (v) => `NODE_DATA(${v.nid}) allocated ${m10(v.start, v.end)}`,
);

/** alloc_node_data(): "    NODE_DATA(1) on node 0" when node-local memory was not found. */
export const nodeDataOnNode = lineFormat<{ nid: number; on: number }>(
  'numa.node-data-on', 'alloc_node_data',
  /^ {4}NODE_DATA\((\d+)\) on node (\d+)$/,
  (m) => ({ nid: +m[1]!, on: +m[2]! }),
  (v) => `    NODE_DATA(${v.nid}) on node ${v.on}`,
);

/** dummy_numa_init(): "No NUMA configuration found" or "NUMA turned off". */
export const numaDummy = lineFormat<{ off: boolean }>(
  'numa.dummy', 'dummy_numa_init',
  /^(No NUMA configuration found|NUMA turned off)$/,
  (m) => ({ off: m[1] === 'NUMA turned off' }),
  (v) => (v.off ? 'NUMA turned off' : 'No NUMA configuration found'),
);

/** dummy_numa_init(): "Faking a node at [mem 0x0000000000000000-0x000000007ffdbfff]". */
export const numaFakeNode = lineFormat<{ start: number; end: number }>(
  'numa.fake-node', 'dummy_numa_init',
  new RegExp(`^Faking a node at \\[mem ${H}-${H}\\]$`),
  (m) => ({ start: parseHex(m[1]!), end: parseHex(m[2]!) + 1 }),
  (v) => `Faking a node at [mem ${hexAlt(v.start, 18)}-${hexAlt(v.end - 1, 18)}]`,
);

/** numa_meminfo_cover_memory(): the SRAT does not cover RAM; NUMA falls back to one node. */
export const numaNotCovered = lineFormat<{ numaMB: number; e820MB: number }>(
  'numa.not-covered', 'numa_meminfo_cover_memory',
  /^NUMA: nodes only cover (\d+)MB of your (\d+)MB e820 RAM\. Not used\.$/,
  (m) => ({ numaMB: +m[1]!, e820MB: +m[2]! }),
  (v) => `NUMA: nodes only cover ${v.numaMB}MB of your ${v.e820MB}MB e820 RAM. Not used.`,
);

export interface NumaOverlapLine { a: { nid: number; start: number; end: number }; b: { nid: number; start: number; end: number } }
/** numa_cleanup_meminfo(): two nodes claim the same memory; SRAT is rejected. */
export const numaOverlap = lineFormat<NumaOverlapLine>(
  'numa.overlap', 'numa_cleanup_meminfo',
  new RegExp(`^node (\\d+) \\[mem ${H}-${H}\\] overlaps with node (\\d+) \\[mem ${H}-${H}\\]$`),
  (m) => ({
    a: { nid: +m[1]!, start: parseHex(m[2]!), end: parseHex(m[3]!) + 1 },
    b: { nid: +m[4]!, start: parseHex(m[5]!), end: parseHex(m[6]!) + 1 },
  }),
  (v) => `node ${v.a.nid} ${m10(v.a.start, v.a.end)} overlaps with node ${v.b.nid} ${m10(v.b.start, v.b.end)}`,
);

/** A line with no variable part; its value is just `true`. */
const fixed = (name: string, printedBy: string, text: string) =>
  lineFormat<true>(name, printedBy, new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), () => true, () => text);

export interface EmuNodeLine { nid: number; start: number; end: number }
/** emu_setup_memblk(): "Faking node 2 at [mem 0x0000000080000000-0x00000000ffffffff] (2048MB)". */
export const emuNode = lineFormat<EmuNodeLine>(
  'numa.emu-node', 'emu_setup_memblk',
  new RegExp(`^Faking node (\\d+) at \\[mem ${H}-${H}\\] \\((\\d+)MB\\)$`),
  (m) => ({ nid: +m[1]!, start: parseHex(m[2]!), end: parseHex(m[3]!) + 1 }),
  (v) => `Faking node ${v.nid} at [mem ${hexAlt(v.start, 18)}-${hexAlt(v.end - 1, 18)}] (${Math.floor((v.end - v.start) / 2 ** 20)}MB)`,
);

/** split_nodes_interleave(): "numa=fake=2000 too large, reducing to 1024". */
export const emuTooLarge = lineFormat<{ asked: number; max: number }>(
  'numa.emu-too-large', 'split_nodes_interleave',
  /^numa=fake=(-?\d+) too large, reducing to (\d+)$/,
  (m) => ({ asked: +m[1]!, max: +m[2]! }),
  (v) => `numa=fake=${v.asked} too large, reducing to ${v.max}`,
);

/** split_nodes_interleave(): the per-node size rounds down to nothing (note the two spaces). */
export const emuNotEnough = fixed('numa.emu-not-enough', 'split_nodes_interleave', 'Not enough memory for each node.  NUMA emulation disabled.');

/** emu_setup_memblk(): more than NR_NODE_MEMBLKS fake blocks. */
export const emuTooManyMemblks = fixed('numa.emu-too-many', 'emu_setup_memblk', 'NUMA: Too many emulated memblks, failing emulation');

/** split_nodes_size_interleave_uniform(): "Fake node size 16MB too small, increasing to 32MB". */
export const emuSizeTooSmall = lineFormat<{ sizeMB: number; minMB: number }>(
  'numa.emu-size-too-small', 'split_nodes_size_interleave_uniform',
  /^Fake node size (\d+)MB too small, increasing to (\d+)MB$/,
  (m) => ({ sizeMB: +m[1]!, minMB: +m[2]! }),
  (v) => `Fake node size ${v.sizeMB}MB too small, increasing to ${v.minMB}MB`,
);

/** numa_emulation(), numa=fake=<N>U: "numa_emulation: phys: 1 only got 3 of 4 nodes, failing". */
export const emuUniformShort = lineFormat<{ phys: number; got: number; asked: number }>(
  'numa.emu-uniform-short', 'numa_emulation',
  /^numa_emulation: phys: (\d+) only got (-?\d+) of (\d+) nodes, failing$/,
  (m) => ({ phys: +m[1]!, got: +m[2]!, asked: +m[3]! }),
  (v) => `numa_emulation: phys: ${v.phys} only got ${v.got} of ${v.asked} nodes, failing`,
);

/** numa_emulation(): numa_cleanup_meminfo() refused the fake layout. */
export const emuMeminfoInvalid = fixed('numa.emu-meminfo-invalid', 'numa_emulation', 'NUMA: Warning: constructed meminfo invalid, disabling emulation');

/** numa_emulation(): no memory for the copy of the physical distance table. */
export const emuNoDistCopy = fixed('numa.emu-no-dist-copy', 'numa_emulation', "NUMA: Warning: can't allocate copy of distance table, disabling emulation");

/** numa_alloc_distance() (KERN_DEBUG): "NUMA: Initialized distance table, cnt=4". */
export const distanceTable = lineFormat<{ cnt: number }>(
  'numa.distance-table', 'numa_alloc_distance',
  /^NUMA: Initialized distance table, cnt=(\d+)$/,
  (m) => ({ cnt: +m[1]! }),
  (v) => `NUMA: Initialized distance table, cnt=${v.cnt}`,
);

/** numa_alloc_distance(): memblock had no room for the table. */
export const distanceAllocFailed = fixed('numa.distance-alloc-failed', 'numa_alloc_distance', "Warning: can't allocate distance table!");

export interface DistanceLine { from: number; to: number; distance: number }
const distanceWarning = (name: string, what: string) => lineFormat<DistanceLine>(
  name, 'numa_set_distance',
  new RegExp(`^Warning: ${what}, from=(-?\\d+) to=(-?\\d+) distance=(-?\\d+)$`),
  (m) => ({ from: +m[1]!, to: +m[2]!, distance: +m[3]! }),
  (v) => `Warning: ${what}, from=${v.from} to=${v.to} distance=${v.distance}`,
);
/** numa_set_distance() (once per boot): a node id the table does not cover. */
export const distanceOutOfBound = distanceWarning('numa.distance-out-of-bound', 'node ids are out of bound');
/** numa_set_distance() (once per boot): not a u8, or not 10 from a node to itself. */
export const distanceInvalid = distanceWarning('numa.distance-invalid', 'invalid distance parameter');

/** acpi_parse_slit(): a SLIT with a diagonal other than 10 or a remote distance of 10 or less. */
export const slitInvalid = fixed('numa.slit-invalid', 'acpi_parse_slit', 'ACPI: SLIT table looks invalid. Not used.');
