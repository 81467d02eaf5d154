// A deferred-init worker entry that fails on purpose when its task covers a chosen pfn of a
// chosen node: throws, exits, hangs, or hands back a result whose sending throws (uncaught).
import { runDeferredTaskInWorker, serveDeferredTasks } from '../../src/node/deferred-task.js';

export interface Fault {
  kind: 'throw' | 'exit' | 'hang' | 'uncaught';
  nid: number;
  pfn: number;
}

serveDeferredTasks((data, task) => {
  const f = data.extra?.fault as Fault | undefined;
  if (f && task.zone.nid === f.nid && task.start <= f.pfn && f.pfn < task.end) {
    if (f.kind === 'throw') throw new Error('injected fault');
    if (f.kind === 'exit') process.exit(7);
    if (f.kind === 'hang') for (;;);
    // A result that cannot be sent: the reply throws outside the task's try, an uncaught error.
    return {
      start: task.start, pages: 0,
      get frees(): Float64Array {
        throw new Error('injected uncaught fault');
      },
    };
  }
  return runDeferredTaskInWorker(data, task);
});
