/** Optional diagnostics sink; `console` fits. */
export interface Logger {
  debug?(message: string, ...details: unknown[]): void;
  warn?(message: string, ...details: unknown[]): void;
  error?(message: string, ...details: unknown[]): void;
}
