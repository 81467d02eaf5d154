// The multithreaded-job half of kernel/padata.c (6.1): a job is a description — a range of
// units, an alignment, a minimum chunk, a thread cap — and padata_do_multithreaded() decides how
// many works run it and how big a chunk each helper takes per call. This file only computes that
// plan; running the chunks is the caller's business (inline, or a worker pool in src/node/).

/** struct padata_mt_job, minus the thread function (the plan is independent of it). */
export interface PadataMtJob {
  start: number;
  size: number;
  /** Chunks fall on this boundary, except perhaps the first and the last. */
  align: number;
  /** The least work worth handing to one helper. */
  minChunk: number;
  maxThreads: number;
}

/** What padata_do_multithreaded() settles before the helpers start. */
export interface PadataPlan {
  /** Works running the job, the calling thread included. */
  nworks: number;
  /** ps.chunk_size (the whole job when nworks is 1). */
  chunkSize: number;
  /** [start, end) in the order padata_mt_helper() hands them out. */
  chunks: [number, number][];
}

/** "In case threads finish at different times": four chunks per work. */
export const PADATA_LOAD_BALANCE_FACTOR = 4;

/** roundup(x, y) for any y > 0 ("roundup(5, 3) = 6"). */
const roundup = (x: number, y: number): number => Math.ceil(x / y) * y;

/**
 * mirrors padata_do_multithreaded() and padata_mt_helper()'s chunk loop: nworks =
 * min(max(size / min_chunk, 1), max_threads); chunk_size = size / (nworks × 4), at least
 * min_chunk and 1, rounded up to align; each chunk ends on a chunk_size multiple, so
 * ("start 0x8800, size 0x1f800, chunk 0x8000") → [0x8800,0x10000) [0x10000,0x18000) [0x18000,0x20000)
 * [0x20000,0x28000). One work runs the whole range as a single call.
 */
export function padataPlan(job: PadataMtJob): PadataPlan {
  if (job.size <= 0) return { nworks: 0, chunkSize: 0, chunks: [] };
  const nworks = Math.min(Math.max(Math.floor(job.size / job.minChunk), 1), job.maxThreads);
  if (nworks <= 1) return { nworks: 1, chunkSize: job.size, chunks: [[job.start, job.start + job.size]] };
  let chunkSize = Math.floor(job.size / (nworks * PADATA_LOAD_BALANCE_FACTOR));
  chunkSize = roundup(Math.max(chunkSize, job.minChunk, 1), job.align) || 1;
  const chunks: [number, number][] = [];
  for (let start = job.start, left = job.size; left > 0; ) {
    const size = Math.min(roundup(start + 1, chunkSize) - start, left);
    chunks.push([start, start + size]);
    start += size;
    left -= size;
  }
  return { nworks, chunkSize, chunks };
}
