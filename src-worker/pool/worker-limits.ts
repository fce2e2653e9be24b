// Resource limits for the pools' worker threads.

/**
 * Workers allocate little on the JS heap (file data lives in buffers, released as soon as they
 * are used), so a small young generation is enough; V8's default grows to tens of MiB per thread.
 */
export const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };
