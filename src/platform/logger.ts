import pino from 'pino';
import type { Config } from '../config.ts';

export type Logger = pino.Logger;

// Emailed-link tokens, the setup code, and anything named like a secret a mistaken GET form could carry.
const SECRET_QUERY = /([?&](?:token|code|secretkey|secret_key|password|key)=)[^&#]*/gi;

/** A request URL fit for a log: emailed-link tokens and the setup code replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Structured JSON logs; secrets in headers, bodies and URLs never reach them. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
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
    serializers: {
      // Fastify logs every request with this: the URL of an emailed link carries its token.
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: request.url === undefined ? undefined : redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
