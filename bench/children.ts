// Benchmark children (sim, server) speak over IPC: the first message each sends.
import type { ChildProcess } from 'node:child_process';

export function firstMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}
