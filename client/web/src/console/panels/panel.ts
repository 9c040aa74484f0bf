import type { ConsoleApi } from '../api.js';
import { isSessionLost, PanelStatus } from '../status.js';

/** What every panel gets: the API, and where to report that the session is over (tokens refused, role gone). */
export interface PanelContext {
  api: ConsoleApi;
  sessionLost(error: unknown): void;
}

/**
 * One section of the console. `refresh` runs every poll and after each action; it never throws: a failure
 * shows in the panel (or ends the session), and the other panels carry on.
 */
export abstract class Panel {
  readonly status: PanelStatus;
  protected readonly api: ConsoleApi;

  constructor(
    protected readonly section: HTMLElement,
    private readonly context: PanelContext,
  ) {
    this.status = new PanelStatus(section);
    this.api = context.api;
  }

  /** Reads the panel's data and writes it into the page; throws when it could not be read. */
  protected abstract load(): Promise<void>;

  async refresh(): Promise<void> {
    try {
      await this.load();
      this.status.loaded();
    } catch (error) {
      if (isSessionLost(error)) this.context.sessionLost(error);
      else this.status.failedToLoad(error);
    }
  }

  /** The element shown instead of an empty table. */
  protected get empty(): HTMLElement {
    return this.section.querySelector<HTMLElement>('.empty')!;
  }

  /** Runs a one-click action: its outcome (the returned text, or the error) shows inline, then the panel reloads. */
  protected async act(label: string, run: () => Promise<string>): Promise<void> {
    try {
      this.status.done(await run());
    } catch (error) {
      this.status.failed(label, error);
      return;
    }
    await this.refresh();
  }

  /** After a dialog's action succeeded: says so and reloads. */
  protected async succeeded(message: string): Promise<void> {
    this.status.done(message);
    await this.refresh();
  }
}
