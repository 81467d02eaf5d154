// Lines of the late frees that give reserved memory back to the buddy allocator after
// memblock_free_all(): free_reserved_area() / free_init_pages() print how much they freed.
import { lineFormat } from '../format.js';

export interface FreeingLine { what: string; kbytes: number }

/** free_reserved_area(): "Freeing unused kernel image (initmem) memory: 2824K". */
export const freeingMemory = lineFormat<FreeingLine>(
  'free.reserved-area', 'free_reserved_area',
  /^Freeing (.+) memory: (\d+)K$/,
  (m) => ({ what: m[1]!, kbytes: +m[2]! }),
  (v) => `Freeing ${v.what} memory: ${v.kbytes}K`,
);

/** efi_free_boot_services(): "efi: Freeing EFI boot services memory: 43592K" (KiB). */
export const efiFreed = lineFormat<number>(
  'free.efi-boot-services', 'efi_free_boot_services',
  /^efi: Freeing EFI boot services memory: (\d+)K$/,
  (m) => +m[1]!,
  (v) => `efi: Freeing EFI boot services memory: ${v}K`,
);

export interface MemInitInfo {
  availableK: number;
  physK: number;
  codeK: number;
  rwdataK: number;
  rodataK: number;
  initK: number;
  bssK: number;
  reservedK: number;
  cmaReservedK: number;
}

/** mem_init_print_info(): "Memory: 2237728K/6290936K available (14343K kernel code, …, 0K cma-reserved)". */
export const memInitInfo = lineFormat<MemInitInfo>(
  'free.mem-init-info', 'mem_init_print_info',
  /^Memory: (\d+)K\/(\d+)K available \((\d+)K kernel code, (\d+)K rwdata, (\d+)K rodata, (\d+)K init, (\d+)K bss, (\d+)K reserved, (\d+)K cma-reserved\)$/,
  (m) => ({
    availableK: +m[1]!, physK: +m[2]!, codeK: +m[3]!, rwdataK: +m[4]!, rodataK: +m[5]!, initK: +m[6]!,
    bssK: +m[7]!, reservedK: +m[8]!, cmaReservedK: +m[9]!,
  }),
  (v) => `Memory: ${v.availableK}K/${v.physK}K available (${v.codeK}K kernel code, ${v.rwdataK}K rwdata, ${v.rodataK}K rodata, ${v.initK}K init, ${v.bssK}K bss, ${v.reservedK}K reserved, ${v.cmaReservedK}K cma-reserved)`,
);
