// What the parts of a replay share: the machine being rebuilt, the checker, the notes.
import type { Machine } from '../kernel/machine.js';
import type { Checker } from './check.js';

export interface ReplayContext {
  readonly file: string;
  readonly m: Machine;
  readonly check: Checker;
  readonly notes: string[];
  /** The BIOS map has been read and e820 set up. */
  readonly e820Done: boolean;
  /** Run NUMA init now if it has not run (an untraced NODE_DATA reservation, a later dump). */
  ensureNuma(): void;
  /** Queue what the model printed since the last call as predictions. */
  flushPredictions(): void;
}

export class ReplayError extends Error {}
