// SPDX-License-Identifier: GPL-2.0-only
// Machine files and presets → the firmware the kernel sees. Browser-safe; for files on disk
// import loadMachineFile from './load-file.js' (Node only).
export { buildMachine, DEFAULT_CMDLINE, validateMachine } from './build.js';
export { MachineError } from './errors.js';
export { parseMachine } from './parse.js';
export { listPresets, loadPreset } from './presets.js';
export type { MachineConfig, MachineInput, PmemType } from './schema.js';
export { MAX_MACHINE_FILE_BYTES } from './text.js';
export type { DeviceMemory, HotplugDimm, MachineSpec, PmemRange } from './types.js';
