// A plain fill on a worker thread, for bench/deferred.ts's threaded floor: each message is a list
// of [arena, byte offset, bytes] spans of the memmap arenas, filled with the wasm kernel's 16-byte
// stores; the reply says done.
import { parentPort, workerData } from 'node:worker_threads';
import { pageKernelOf } from '../src/mm/wasm/page-kernel.js';
import type { WasmMemory } from '../src/mm/wasm/webassembly.js';

const memories = (workerData as { memories: WasmMemory[] }).memories;
const port = parentPort!;
port.on('message', (spans: [number, number, number][]) => {
  for (const [a, at, n] of spans) pageKernelOf(memories[a]!).fillWords(at, n, 0xffffffff);
  port.postMessage('done');
});
port.postMessage('ready');
