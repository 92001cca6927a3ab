// The worker thread of InstantPreparer: decodes a checkpoint and the events after it, and runs the
// loader over the objects (prepareEngine): plain data back to the main thread, which only has
// the analysis left to make.
import { parentPort } from 'node:worker_threads';
import { prepareEngine } from './object-set.ts';
import { shareAlike } from './share-alike.ts';
import { objectSetAt, type StoredInstant } from './rebuild.ts';

parentPort!.on('message', (message: { id: number; stored: StoredInstant }) => {
  try {
    parentPort!.postMessage({ id: message.id, prepared: shareAlike(prepareEngine(objectSetAt(message.stored))) });
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: (err as Error).message });
  }
});
