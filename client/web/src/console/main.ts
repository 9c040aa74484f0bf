import { GameV1Error } from '../../../src/index.js';
import { every } from '../shared/dom.js';
import { consoleApi } from './api.js';
import { ActionDialog } from './dialogs.js';
import { byId, setText, show } from './dom.js';
import { clock } from './format.js';
import { AuditPanel } from './panels/audit.js';
import { NodesPanel } from './panels/nodes.js';
import type { Panel, PanelContext } from './panels/panel.js';
import { PlayersPanel } from './panels/players.js';
import { QueuesPanel } from './panels/queues.js';
import { RoomsPanel } from './panels/rooms.js';
import { StatsPanel } from './panels/stats.js';
import { TournamentsPanel } from './panels/tournaments.js';
import { ConsoleSession } from './session.js';
import { errorText } from './status.js';

const POLL_MS = 2000;
const NEEDS_ADMIN = 'needs the admin role';

function dialog(id: string, confirmId: string): ActionDialog {
  return new ActionDialog(byId<HTMLDialogElement>(id), byId<HTMLButtonElement>(confirmId));
}

/** The operator console: login, then every panel refreshed together every 2 s until logout. */
class ConsoleApp {
  private readonly session = new ConsoleSession();
  private readonly loginView = byId('console-login');
  private readonly mainView = byId('console-main');
  private readonly account = byId('console-account');
  private readonly loginError = byId('console-error');
  private readonly loginButton = byId<HTMLButtonElement>('console-login-button');
  private readonly stats: StatsPanel;
  private readonly panels: Panel[];
  private stopPolling: (() => void) | undefined;

  constructor() {
    const context: PanelContext = { api: consoleApi(this.session.client), sessionLost: (error) => this.sessionLost(error) };
    this.stats = new StatsPanel(byId('panel-stats'), context);
    this.panels = [
      this.stats,
      new NodesPanel(byId('panel-nodes'), context),
      new QueuesPanel(byId('panel-queues'), context),
      new RoomsPanel(byId('panel-rooms'), context, dialog('end-room-dialog', 'end-room-confirm')),
      new PlayersPanel(byId('panel-players'), context, dialog('kick-dialog', 'kick-confirm'), dialog('ban-dialog', 'ban-confirm')),
      new TournamentsPanel(byId('panel-tournaments'), context, dialog('report-dialog', 'report-confirm'), dialog('reopen-dialog', 'reopen-confirm')),
      new AuditPanel(byId('panel-audit'), context),
    ];
    byId<HTMLFormElement>('console-login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.login();
    });
    byId('console-logout').addEventListener('click', () => void this.logout());
  }

  async start(): Promise<void> {
    if (!this.session.canResume) return this.showLogin('');
    this.showLogin('Resuming your session…');
    try {
      await this.session.resume();
      await this.enter();
    } catch (error) {
      this.showLogin(`Your session could not be resumed: ${errorText(error)}. Log in again.`);
    }
  }

  private async login(): Promise<void> {
    const email = byId<HTMLInputElement>('console-email').value.trim();
    const password = byId<HTMLInputElement>('console-password').value;
    this.loginButton.disabled = true;
    setText(this.loginError, '');
    try {
      await this.session.login(email, password);
      await this.enter();
    } catch (error) {
      this.showLogin(errorText(error));
    } finally {
      this.loginButton.disabled = false;
    }
  }

  /** Admins only: anyone else is logged out again with the reason. */
  private async enter(): Promise<void> {
    const player = this.session.client.player!;
    const { role } = await this.session.client.roleOf(player.id);
    if (role !== 'admin') {
      const refused = `${player.email ?? player.display_name} is ${role === 'organizer' ? 'an organizer' : 'a player'}: the console ${NEEDS_ADMIN}`;
      const logout = await this.session.logout().then(() => '', (error: unknown) => ` (logging out: ${errorText(error)})`);
      throw new Error(refused + logout);
    }
    setText(byId('console-user'), `${player.display_name} · ${player.email ?? player.id}`);
    byId<HTMLInputElement>('console-password').value = '';
    show(this.loginView, false);
    show(this.mainView, true);
    show(this.account, true);
    this.stats.clear();
    this.stopPolling = every(POLL_MS, () => this.refreshAll());
  }

  private async refreshAll(): Promise<void> {
    await Promise.all(this.panels.map((panel) => panel.refresh()));
    if (this.stopPolling) setText(byId('console-updated'), `updated ${clock(new Date())}`);
  }

  /** The server refused the tokens or the role: back to the login, saying why. */
  private sessionLost(error: unknown): void {
    if (!this.stopPolling) return;
    this.session.forget();
    const forbidden = error instanceof GameV1Error && error.code === 'forbidden';
    this.showLogin(forbidden ? `This account no longer has the admin role: the console ${NEEDS_ADMIN}.` : `Your session ended: ${errorText(error)}. Log in again.`);
  }

  private async logout(): Promise<void> {
    let message = '';
    try {
      await this.session.logout();
    } catch (error) {
      message = `Logged out here; ${errorText(error)}`;
    }
    this.showLogin(message);
  }

  private showLogin(message: string): void {
    this.stopPolling?.();
    this.stopPolling = undefined;
    show(this.mainView, false);
    show(this.account, false);
    show(this.loginView, true);
    setText(this.loginError, message);
  }
}

void new ConsoleApp().start();
