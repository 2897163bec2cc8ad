// Structured JSON logs, one object per line: Cloud Logging reads `severity` and `message`.
// Callers pass no secrets; `fields` go through redactValue as a last guard.
import { redactText } from '../config/secrets.js';

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const order: Record<Severity, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };

export function createLogger(
  base: Record<string, unknown> = {},
  sink: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  level: Severity = (process.env.DSC_LOG_LEVEL as Severity) || 'INFO',
): Logger {
  const write = (severity: Severity, message: string, fields?: Record<string, unknown>) => {
    if (order[severity] < order[level]) return;
    sink(redactText(JSON.stringify({ severity, message, time: new Date().toISOString(), ...base, ...fields })));
  };
  return {
    debug: (m, f) => write('DEBUG', m, f),
    info: (m, f) => write('INFO', m, f),
    warn: (m, f) => write('WARNING', m, f),
    error: (m, f) => write('ERROR', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, sink, level),
  };
}

/** A logger that drops everything (tests, quiet CLI). */
export const silentLogger: Logger = createLogger({}, () => {}, 'ERROR');
