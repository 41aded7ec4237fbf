import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs in production/test, pretty in development; secrets are redacted by path. */
export function createLogger(level: string, pretty: boolean): Logger {
  return pino({
    level,
    base: { service: 'saas-bridge' },
    redact: {
      paths: [
        'password',
        '*.password',
        'req.headers.authorization',
        'req.headers["x-saas-signature"]',
        'config.sharedSecret',
      ],
      censor: '[redacted]',
    },
    transport: pretty
      ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } }
      : undefined,
  });
}
