import { GameV1Error } from '../../../src/index.js';
import { setClass, setText } from './dom.js';

/** A failure's text for the page: the server's message and code, never a bare "Error". */
export function errorText(error: unknown): string {
  if (error instanceof GameV1Error) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True when the session cannot go on: the tokens were refused, or the account lost the admin role. */
export function isSessionLost(error: unknown): boolean {
  return error instanceof GameV1Error && (error.status === 401 || error.code === 'forbidden' || error.code === 'banned' || error.code === 'no_refresh_token');
}

/**
 * A panel's two inline lines: why its last refresh failed (cleared by the next good one), and the outcome
 * of the operator's last action there (kept until the next action).
 */
export class PanelStatus {
  private readonly loadError: HTMLElement;
  private readonly notice: HTMLElement;

  constructor(panel: HTMLElement) {
    this.loadError = panel.querySelector<HTMLElement>('.load-error')!;
    this.notice = panel.querySelector<HTMLElement>('.notice')!;
  }

  loaded(): void {
    setText(this.loadError, '');
  }

  failedToLoad(error: unknown): void {
    setText(this.loadError, `Refresh failed: ${errorText(error)}`);
  }

  done(message: string): void {
    setText(this.notice, message);
    setClass(this.notice, 'error', false);
  }

  failed(action: string, error: unknown): void {
    setText(this.notice, `${action} failed: ${errorText(error)}`);
    setClass(this.notice, 'error', true);
  }
}
