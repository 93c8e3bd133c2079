/** The log levels LOG_LEVEL accepts; apart from logger.ts so reading the config does not load winston. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
