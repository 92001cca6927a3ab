// A past instant as the views read it: the engine the history rebuilt, in the live engine's shape.
import { engineState } from '../live/engine-state.ts';
import { ViewUnavailable } from '../socket/view-hub.ts';
import type { EngineState } from '../views/view-model.ts';
import { describeNotRebuilt, type HistoryReader } from './history-reader.ts';

/** The engine state at `at` (ISO), rebuilt from the history; throws ViewUnavailable when it cannot be. */
export function pastState(reader: HistoryReader, at: string): EngineState {
  const rebuilt = reader.rebuild(Date.parse(at));
  if ('reason' in rebuilt) throw new ViewUnavailable(describeNotRebuilt(rebuilt, at));
  return { ...engineState(rebuilt.engine), seq: rebuilt.seq, at: rebuilt.at };
}
