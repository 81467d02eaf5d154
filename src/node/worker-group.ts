// A named group of worker_threads that run tasks padata-style: the first nworks workers each
// take the next task in order until none is left (padata_mt_helper()'s loop), results come back
// by task index. Any failure — the task throws, the worker dies or exits, a task overruns its
// time — fails the group with a WorkerFailure naming the worker, the task and the cause, and
// every worker is terminated, so nothing waits forever.
import { Worker } from 'node:worker_threads';

/** Worker → main: the first message says the worker is set up; then one reply per task. */
export type WorkerReply<R> = { ready: true } | { id: number; ok: true; result: R } | { id: number; ok: false; error: string };
/** Main → worker. */
export interface WorkerRequest<T> {
  id: number;
  task: T;
}

export class WorkerFailure extends Error {
  constructor(readonly worker: string, readonly task: string, readonly why: string) {
    super(`${task} on ${worker}: ${why}`);
  }
}

export interface WorkerGroupOptions {
  /** The compiled worker entry (dist/…/*.js: worker_threads cannot load .ts). */
  url: URL;
  /** One worker per name. */
  names: string[];
  /** Cloned to every worker (SharedArrayBuffers inside are shared, not copied). */
  workerData: unknown;
  /** Longest a worker may take to run one task. */
  timeoutMs: number;
  /** Longest a worker may take to start (default 60 s: a loaded machine starts threads slowly). */
  startTimeoutMs?: number;
}

interface Pending {
  label: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

class Slot {
  private pending: Pending | undefined;
  private nextId = 0;
  private stopping = false;
  constructor(readonly name: string, readonly worker: Worker, private readonly onFailure: (e: WorkerFailure) => void) {
    worker.on('message', (m: WorkerReply<unknown>) => this.reply(m));
    worker.on('error', (e: Error) => this.fail(`worker threw: ${e.stack ?? e.message}`));
    worker.on('messageerror', (e: Error) => this.fail(`message could not be read: ${e.message}`));
    worker.on('exit', (code: number) => {
      if (!this.stopping) this.fail(`worker exited with code ${code}`);
    });
  }

  /** Send a task (or, with no task, wait for the ready message); settles on its reply or a failure. */
  send<R>(label: string, timeoutMs: number, task?: unknown): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`timed out after ${timeoutMs} ms`), timeoutMs);
      this.pending = { label, resolve: resolve as (v: unknown) => void, reject, timer };
      if (task !== undefined) this.worker.postMessage({ id: this.nextId++, task } satisfies WorkerRequest<unknown>);
    });
  }

  private reply(m: WorkerReply<unknown>): void {
    const p = this.pending;
    if (!p) return;
    if ('ready' in m) return this.settle(() => p.resolve(undefined));
    if (m.ok) return this.settle(() => p.resolve(m.result));
    this.fail(`task threw: ${m.error}`);
  }

  private settle(f: () => void): void {
    clearTimeout(this.pending!.timer);
    this.pending = undefined;
    f();
  }

  private fail(why: string): void {
    const p = this.pending;
    const e = new WorkerFailure(this.name, p?.label ?? 'no task', why);
    if (p) this.settle(() => p.reject(e));
    this.onFailure(e);
  }

  /** Terminate the worker; a task still out is rejected (its run has already failed). */
  stop(): Promise<number> {
    this.stopping = true;
    const p = this.pending;
    if (p) this.settle(() => p.reject(new WorkerFailure(this.name, p.label, 'stopped')));
    return this.worker.terminate();
  }
}

export class WorkerGroup {
  private failure: WorkerFailure | undefined;
  private readonly slots: Slot[];
  private readonly timeoutMs: number;

  private constructor(opts: WorkerGroupOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.slots = opts.names.map((name) => new Slot(name, new Worker(opts.url, { workerData: opts.workerData, name }), (e) => this.fail(e)));
  }

  /** Start the workers and wait until each has said it is ready. */
  static async start(opts: WorkerGroupOptions): Promise<WorkerGroup> {
    const g = new WorkerGroup(opts);
    try {
      await Promise.all(g.slots.map((s) => s.send('start-up', opts.startTimeoutMs ?? 60_000)));
    } catch (e) {
      await g.stop();
      throw e;
    }
    return g;
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * padata_mt_helper() over `tasks` with the first `nworks` workers; results by task index.
   * onResult sees each result as it arrives (before the next task goes to that worker); if it
   * throws, the run fails with its error.
   */
  run<T, R>(tasks: T[], nworks: number, label: (t: T) => string, onResult?: (i: number, r: R) => void): Promise<R[]> {
    const results = new Array<R>(tasks.length);
    if (this.failure) return Promise.reject(this.failure);
    if (!tasks.length) return Promise.resolve(results);
    return new Promise<R[]>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const pump = (slot: Slot): void => {
        if (this.failure || next >= tasks.length) return;
        const i = next++;
        slot.send<R>(label(tasks[i]!), this.timeoutMs, tasks[i]).then((r) => {
          results[i] = r;
          try {
            onResult?.(i, r);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
            return;
          }
          if (++done === tasks.length) resolve(results);
          else pump(slot);
        }, reject);
      };
      for (const s of this.slots.slice(0, Math.max(1, Math.min(nworks, this.slots.length)))) pump(s);
    });
  }

  private fail(e: WorkerFailure): void {
    if (this.failure) return;
    this.failure = e;
    void this.stop();
  }

  async stop(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.stop()));
  }
}
