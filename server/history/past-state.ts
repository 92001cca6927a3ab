// A past instant as the views read it: the engine the history rebuilt, in the live engine's shape.
import { engineState } from '../live/engine-state.ts';
import { ViewUnavailable } from '../socket/view-hub.ts';
import type { EngineState } from '../views/view-model.ts';
import type { HistoryReader, NotRebuilt } from './history-reader.ts';

function whyNot(r: NotRebuilt): string {
  switch (r.reason) {
    case 'gap':
      return `the server was not watching the cluster from ${r.gap.from} to ${r.gap.to ?? 'now'}: nothing is known about that time`;
    case 'before-history':
      return r.earliest ? `the history starts at ${r.earliest}` : 'the history is empty';
    case 'future':
      return `that instant is in the future (now: ${r.now})`;
  }
}

/** The engine state at `at` (ISO), rebuilt from the history; throws ViewUnavailable when it cannot be. */
export function pastState(reader: HistoryReader, at: string): EngineState {
  const rebuilt = reader.rebuild(Date.parse(at));
  if ('reason' in rebuilt) throw new ViewUnavailable(whyNot(rebuilt));
  return { ...engineState(rebuilt.engine), seq: rebuilt.seq, at: rebuilt.at };
}
