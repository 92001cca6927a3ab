// The server's log: pino, one JSON object per line on stderr (for log collectors), or plain lines
// for a person at a terminal. Secrets never reach it: token and authorization fields are redacted
// wherever they appear in a logged object, and no message is built from them.
import { pino, type Logger } from 'pino';
import type { LogFormat, LogLevel } from './config.ts';

export type { Logger };

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
  /** For `auto`: whether the output is a terminal (default: stderr's). */
  isTTY?: boolean;
}

const REDACT = ['token', '*.token', 'authorization', '*.authorization', '*.headers.authorization', '*.headers.cookie'];

/** Field names pino adds to every line: the text format leaves them out. */
const FRAME = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** A JSON line as a person reads it: the message, `warning: ...` above info, then extra fields. */
export function textLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = String(o['level'] ?? 'info');
  const prefix = level === 'info' ? '' : `${level === 'warn' ? 'warning' : level}: `;
  const extra = Object.entries(o)
    .filter(([k]) => !FRAME.has(k))
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('');
  return `${prefix}${String(o['msg'] ?? '')}${extra}\n`;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const text = options.format === 'text' || (options.format === 'auto' && (options.isTTY ?? process.stderr.isTTY === true));
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    { write: text ? (line: string) => write(textLine(line)) : write },
  );
}
