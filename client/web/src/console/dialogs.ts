import { errorText } from './status.js';
import { setText } from './dom.js';

/**
 * A modal `<dialog>` that asks for an action's details. Confirm runs the action: on success the dialog
 * closes, on failure it stays open with the server's message, so nothing is lost or swallowed.
 */
export class ActionDialog {
  private readonly title: HTMLElement;
  private readonly error: HTMLElement;
  private action: (() => Promise<void>) | undefined;

  constructor(
    private readonly dialog: HTMLDialogElement,
    private readonly confirm: HTMLButtonElement,
  ) {
    this.title = dialog.querySelector<HTMLElement>('.dialog-title')!;
    this.error = dialog.querySelector<HTMLElement>('.dialog-error')!;
    confirm.addEventListener('click', () => void this.run());
    dialog.querySelector<HTMLButtonElement>('.dialog-cancel')!.addEventListener('click', () => this.close());
    // Enter in a text field confirms rather than submitting anything.
    dialog.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.target instanceof HTMLInputElement && event.target.type !== 'checkbox') {
        event.preventDefault();
        void this.run();
      }
    });
  }

  /** Opens with a title; `action` reads the dialog's fields when confirmed. */
  open(title: string, action: () => Promise<void>): void {
    setText(this.title, title);
    setText(this.error, '');
    this.describe('');
    this.action = action;
    this.confirm.disabled = false;
    for (const input of this.dialog.querySelectorAll<HTMLInputElement>('input[type="text"], input[type="number"], input[type="datetime-local"]')) input.value = '';
    this.dialog.showModal();
    this.dialog.querySelector<HTMLInputElement>('input')?.focus();
  }

  /** Shows extra text under the title, e.g. what a reopen would reset. */
  describe(text: string): void {
    const detail = this.dialog.querySelector<HTMLElement>('.dialog-detail');
    if (detail) setText(detail, text);
  }

  close(): void {
    this.action = undefined;
    if (this.dialog.open) this.dialog.close();
  }

  private async run(): Promise<void> {
    const action = this.action;
    if (!action || this.confirm.disabled) return;
    this.confirm.disabled = true;
    setText(this.error, '');
    try {
      await action();
      this.close();
    } catch (error) {
      setText(this.error, errorText(error));
    } finally {
      this.confirm.disabled = false;
    }
  }
}

/** The trimmed text of a dialog's reason field; an empty one is refused before anything is sent. */
export function requiredReason(input: HTMLInputElement): string {
  const reason = input.value.trim();
  if (!reason) {
    input.focus();
    throw new Error('give a reason');
  }
  return reason;
}
