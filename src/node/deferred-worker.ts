// Worker entry of threaded deferred init (pgdatinit threads and padata helpers); runs from
// dist/src/node/deferred-worker.js.
import { serveDeferredTasks } from './deferred-task.js';

serveDeferredTasks();
