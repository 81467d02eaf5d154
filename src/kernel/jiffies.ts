// jiffies as Debian's 6.1 amd64 kernel counts them (CONFIG_HZ=250): one tick every 4 ms.

export const HZ = 250;
export const MSEC_PER_JIFFY = 1000 / HZ;

/**
 * jiffies_to_msecs(jiffies - start) for an interval measured on a millisecond clock: the ticks
 * that fell inside it, each worth 4 ms ("from 10.5 to 13.9 ms: one tick at 12 → 4").
 */
export const elapsedJiffiesMsecs = (startMs: number, endMs: number): number =>
  (Math.floor(endMs / MSEC_PER_JIFFY) - Math.floor(startMs / MSEC_PER_JIFFY)) * MSEC_PER_JIFFY;
