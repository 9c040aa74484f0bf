export { loadConfig, ConfigError, envExample, type LoadOptions } from './load.js';
export { SETTINGS, type Config } from './settings.js';
export type { HostPort } from './parsers.js';
export { VERSION, createLogger, urlOf } from './process.js';
