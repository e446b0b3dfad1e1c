import pino from 'pino';
import type { Config } from '../config.ts';

export type Logger = pino.Logger;

/** Structured JSON logs; secrets in headers and bodies never reach them. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'password',
        '*.password',
        'token',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
