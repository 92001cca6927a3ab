// The history as `traffic-map serve` runs it: where the file goes, the store, and the recorder
// that feeds it from the source and the live engine.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AnalysisOptions } from '../../shared/model/types.ts';
import type { SourceEvent } from '../cluster/source.ts';
import type { LiveEngine } from '../live/live-engine.ts';
import { formatDuration } from './duration.ts';
import { HistoryStore } from './history-store.ts';
import { defaultHistoryFile } from './paths.ts';
import { HistoryRecorder } from './recorder.ts';

export interface HistorySettings {
  /** The file; undefined: one per cluster in the data directory, or in memory for the simulated cluster. */
  path?: string;
  retentionMs: number;
  /** What is watched. */
  source: string;
  /** The built-in simulated cluster: by default its history is not kept on disk. */
  simulated: boolean;
  engine: LiveEngine;
  /** The engine's analysis options (a rebuild uses the same). */
  analysis: AnalysisOptions;
  log: (message: string) => void;
  warn: (message: string) => void;
}

export interface RunningHistory {
  store: HistoryStore;
  /** Hand every source event here before the engine gets it. */
  observe(event: SourceEvent): void;
  stop(): Promise<void>;
}

export function startHistory(s: HistorySettings): RunningHistory {
  const path = s.path ?? (s.simulated ? ':memory:' : defaultHistoryFile(s.source));
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // It maps the cluster's attack surface over time: readable by its owner only (SQLite gives
    // the -wal and -shm files the same mode).
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }
  const store = HistoryStore.open({ path, retentionMs: s.retentionMs, source: s.source, analysis: s.analysis, log: s.warn });
  const recorder = new HistoryRecorder(store, s.engine, { log: s.warn });
  // The worker thread for diffs starts now: a first diff does not wait for it.
  store.startPreparer();
  s.log(path === ':memory:' ? `History: in memory (the simulated cluster; --history PATH keeps it), retention ${formatDuration(s.retentionMs)}.` : `History: ${path}, retention ${formatDuration(s.retentionMs)}.`);
  return {
    store,
    observe: (event) => recorder.observe(event),
    async stop() {
      recorder.stop();
      await store.close();
    },
  };
}
