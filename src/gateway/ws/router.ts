import type { ClientMessage, ClientMessageOf, ClientMessageType } from '../../protocol/index.js';
import type { ClientConnection, ReadyState } from './connection.js';

/** The messages only an authenticated connection may send; `auth` and `ping` are the gateway's own. */
export type RoutedType = Exclude<ClientMessageType, 'auth' | 'ping'>;

export type Handler<K extends RoutedType> = (connection: ClientConnection, state: ReadyState, message: ClientMessageOf<K>) => void;

/** One handler per message type: adding a message type without a handler does not compile. */
export type HandlerTable = { [K in RoutedType]: Handler<K> };

export function route(table: HandlerTable, connection: ClientConnection, state: ReadyState, message: Extract<ClientMessage, { type: RoutedType }>): void {
  (table[message.type] as Handler<typeof message.type>)(connection, state, message as never);
}
