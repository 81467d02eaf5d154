// The bits of the WebAssembly JS API the page kernel uses, typed here so the platform-free core
// needs neither DOM nor Node typings. WebAssembly is a JS global in Node and in browsers; where it
// is missing (or cannot share memory), the memmap falls back to plain SharedArrayBuffers and JS loops.

/** A WebAssembly.Memory; shared ones can be posted to workers and instantiated over there. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}

/** 64 KiB: WebAssembly's page. */
export const WASM_PAGE_BYTES = 65536;
/** wasm32 reaches 4 GiB: 65536 pages. */
export const WASM_MAX_PAGES = 65536;

/** The WebAssembly global if this host can create shared memories, else undefined. */
export const webAssembly: WasmApi | undefined = (() => {
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wa || typeof SharedArrayBuffer === 'undefined') return undefined;
  try {
    new wa.Memory({ initial: 1, maximum: 1, shared: true });
    return wa;
  } catch {
    return undefined;
  }
})();

/** Base64 → bytes without atob or Buffer ("AGFzbQ==" → 00 61 73 6d). */
export function base64Bytes(b64: string): Uint8Array {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const s = b64.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    acc = (acc << 6) | A.indexOf(s[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
