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
