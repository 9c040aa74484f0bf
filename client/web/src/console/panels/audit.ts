import type { AuditEntry } from '../api.js';
import { byId, setText, setTitled } from '../dom.js';
import { ago, dateTime } from '../format.js';
import { cells, KeyedRows } from '../rows.js';
import { Panel, type PanelContext } from './panel.js';

const PAGE = 50;

function detailsText(details: AuditEntry['details']): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/** The audit log, newest first: the newest page follows every poll, older pages load on request. */
export class AuditPanel extends Panel {
  private readonly rows: KeyedRows<AuditEntry>;
  private readonly olderButton = byId<HTMLButtonElement>('console-audit-older');
  /** Pages loaded with "Older", oldest last; kept while the newest page refreshes. */
  private older: AuditEntry[] = [];
  /** Where the next older page starts: the newest page's cursor until "Older" is used. */
  private nextBefore: number | null = null;

  constructor(section: HTMLElement, context: PanelContext) {
    super(section, context);
    this.rows = new KeyedRows(byId<HTMLTableSectionElement>('console-audit'), {
      keyAttribute: 'entryId',
      keyOf: (entry) => String(entry.id),
      build: (row) => void cells(row, 5),
      fill: (row, entry) => {
        const [at, actor, action, target, details] = row.cells;
        setTitled(at!, dateTime(entry.at), ago(entry.at));
        setTitled(actor!, entry.actor_name ?? entry.actor_id ?? 'system', entry.actor_id ?? '');
        setText(action!, entry.action);
        setText(target!, entry.target_id ? `${entry.target_type} ${entry.target_id}` : entry.target_type);
        setText(details!, detailsText(entry.details));
      },
    }, this.empty);
    this.olderButton.addEventListener('click', () => void this.loadOlder());
  }

  protected async load(): Promise<void> {
    const page = await this.api.auditLog({ limit: PAGE });
    if (this.older.length === 0) this.nextBefore = page.next_before;
    this.rows.update([...page.entries, ...this.older]);
    this.olderButton.hidden = this.nextBefore === null;
  }

  private async loadOlder(): Promise<void> {
    if (this.nextBefore === null) return;
    const before = this.nextBefore;
    await this.act('Loading older entries', async () => {
      const page = await this.api.auditLog({ limit: PAGE, before });
      this.older = [...this.older, ...page.entries];
      this.nextBefore = page.next_before;
      return `Loaded ${page.entries.length} older entries`;
    });
  }
}
