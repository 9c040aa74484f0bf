import { createRequire } from 'node:module';
import type * as Uws from '@trufflesuite/uws-js-unofficial';

/** With what the binary has beyond the package's typings. */
export type UwsModule = typeof Uws & { LIBUS_LISTEN_EXCLUSIVE_PORT: number };

const PACKAGE = '@trufflesuite/uws-js-unofficial';

/**
 * uWebSockets.js' native binary for this platform and Node ABI, or why it cannot load. The package's own entry
 * point falls back to a slow JavaScript imitation when the binary does not load; loading the binary directly means
 * that fallback is never used.
 */
export function loadUws(): { uws: UwsModule } | { error: string } {
  const binary = `${PACKAGE}/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  try {
    return { uws: createRequire(import.meta.url)(binary) as UwsModule };
  } catch (error) {
    return { error: `${binary} does not load here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}
