import type { ClientMessage, ClientMessageOf } from '../../../protocol/index.js';
import { AppError } from '../../../errors/index.js';
import { RoomError, type Room } from '../../../rooms/index.js';
import type { ClientConnection, ReadyState } from '../connection.js';
import type { GatewayContext } from '../context.js';
import { protocolErrorCode } from '../errors.js';
import type { ConnectionMoves } from '../move.js';
import type { HandlerTable } from '../router.js';

/** The room this connection plays `roomId` in, or not_in_room. */
export function roomOf(state: ReadyState, roomId: string): Room {
  const room = state.room;
  if (!room || room.id !== roomId) throw new RoomError('not_in_room', `you are not in room ${roomId}`);
  return room;
}

/** join, leave, input and snapshot acknowledgements. */
export function roomHandlers(context: GatewayContext, moves: ConnectionMoves): Pick<HandlerTable, 'join_room' | 'leave_room' | 'game_input' | 'snapshot_ack'> {
  const { rooms, logger } = context.deps;

  /** Finds where the room lives; messages that come meanwhile wait, so they see the join's outcome. */
  const join = (connection: ClientConnection, state: ReadyState, message: ClientMessageOf<'join_room'>): void => {
    if (state.room && state.room.id !== message.room_id) throw new RoomError('already_in_room', `leave room ${state.room.id} first`);
    const { player, session } = state;
    const joining = { kind: 'joining' as const, player, session, room: state.room, held: [] as ClientMessage[] };
    connection.state = joining;
    rooms.locate(message.room_id).then(
      (location) => {
        if (connection.state !== joining) return; // closed or replaced meanwhile
        if (location.kind === 'sibling') {
          moves.move(connection, location, message, joining.held);
          return;
        }
        const ready: ReadyState = { kind: 'ready', player, session, room: joining.room };
        connection.state = ready;
        if (location.kind === 'remote') {
          // The room's node holds the seat; the client connects there and joins again (this connection stays).
          connection.send({ type: 'room_elsewhere', room_id: message.room_id, url: location.url });
          context.handleAll(connection, joining.held);
          return;
        }
        try {
          location.room.join({ id: player.id, name: player.name }, connection);
          ready.room = location.room;
        } catch (error) {
          fail(connection, error);
        }
        context.handleAll(connection, joining.held);
      },
      (error: unknown) => {
        if (connection.state !== joining) return;
        connection.state = { kind: 'ready', player, session, room: joining.room };
        fail(connection, error);
        context.handleAll(connection, joining.held);
      },
    );
  };

  const fail = (connection: ClientConnection, error: unknown): void => {
    if (error instanceof AppError) {
      context.sendError(connection, protocolErrorCode(error), error.message, 'join_room');
      return;
    }
    logger.error({ err: error }, 'joining a room failed');
    context.sendError(connection, 'server_error', 'internal error', 'join_room');
  };

  return {
    join_room: join,
    leave_room: (_connection, state, message) => {
      roomOf(state, message.room_id).leave(state.player.id, 'left');
    },
    game_input: (_connection, state, message) => roomOf(state, message.room_id).input(state.player.id, message),
    snapshot_ack: (_connection, state, message) => roomOf(state, message.room_id).acknowledge(state.player.id, message.tick),
  };
}
