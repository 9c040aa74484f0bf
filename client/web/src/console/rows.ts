/**
 * Keeps a table body in step with a list of items by key: rows are created once, updated in place and moved
 * only when the order changes, so a refresh every 2 s neither flickers nor loses focus or hover.
 */
export interface RowView<T> {
  /** The `data-*` attribute that carries the key, in dataset form ("roomId" for data-room-id). */
  keyAttribute: string;
  keyOf(item: T): string;
  /** Builds a row's cells once; `key` identifies the row for its buttons. */
  build(row: HTMLTableRowElement, key: string): void;
  /** Writes an item into a row built for its key. */
  fill(row: HTMLTableRowElement, item: T): void;
}

export class KeyedRows<T> {
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private readonly items = new Map<string, T>();

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly view: RowView<T>,
    /** Shown instead of the table's rows when there are none. */
    private readonly empty?: HTMLElement,
  ) {}

  /** The item a row shows now, for a button's handler. */
  item(key: string): T | undefined {
    return this.items.get(key);
  }

  update(items: readonly T[]): void {
    const seen = new Set<string>();
    let position = 0;
    for (const item of items) {
      const key = this.view.keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      const row = this.rowFor(key);
      this.items.set(key, item);
      this.view.fill(row, item);
      if (this.body.children[position] !== row) this.body.insertBefore(row, this.body.children[position] ?? null);
      position++;
    }
    for (const [key, row] of this.rows) {
      if (seen.has(key)) continue;
      row.remove();
      this.rows.delete(key);
      this.items.delete(key);
    }
    if (this.empty) this.empty.hidden = seen.size > 0;
  }

  private rowFor(key: string): HTMLTableRowElement {
    let row = this.rows.get(key);
    if (!row) {
      row = document.createElement('tr');
      row.dataset[this.view.keyAttribute] = key;
      this.view.build(row, key);
      this.rows.set(key, row);
    }
    return row;
  }
}

/** Appends `count` cells to a row and returns them, for a view's `build`. */
export function cells(row: HTMLTableRowElement, count: number): HTMLTableCellElement[] {
  return Array.from({ length: count }, () => row.insertCell());
}
