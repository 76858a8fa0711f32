import { type Logger, pino } from 'pino';
import type { Config } from './config.js';

/** Structured JSON logs; secrets never reach them (see redact). */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'handoff' },
    redact: {
      paths: ['*.authorization', '*.headers.authorization', '*.apiKey', '*.connectionParams'],
      censor: '[redacted]',
    },
  });
}
