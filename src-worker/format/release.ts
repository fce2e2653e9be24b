// Hands a large buffer's memory back right away instead of waiting for V8's collector. Each blob
// leaves compressor and cipher output behind; V8 collects such off-heap memory only after tens
// of MiB have piled up per thread, so without this a backup held several times restic's memory
// and spent its time faulting in fresh pages. Detaching the ArrayBuffer frees its backing store
// at once, and the allocator hands the same memory to the next blob.
//
// Only for buffers the caller owns outright, with no other view in use. Small buffers may share
// Node's 8 KiB allocation pool, so anything not larger than the pool is left to the collector.

export function release(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const b of buffers) {
    const ab = b?.buffer;
    if (ab instanceof ArrayBuffer && ab.byteLength > Buffer.poolSize && !ab.detached) ab.transfer(0);
  }
}
