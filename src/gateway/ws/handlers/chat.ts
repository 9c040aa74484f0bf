import { subscribeJson } from '../../../cache/index.js';
import { sharedFrames, type ServerMessage } from '../../../protocol/index.js';
import { RoomError } from '../../../rooms/index.js';
import type { GatewayContext } from '../context.js';
import type { HandlerTable } from '../router.js';
import type { PlayerSessions } from '../session.js';
import { roomOf } from './room.js';

const GLOBAL_CHAT_CHANNEL = 'chat:global';

/**
 * Room chat (to the room's players) and global chat (published through the cache, so every process and node
 * delivers it to the players connected there).
 */
export class Chat {
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly context: GatewayContext,
    private readonly sessions: PlayerSessions,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await subscribeJson<ServerMessage>(
      this.context.deps.cache,
      GLOBAL_CHAT_CHANNEL,
      (message) => {
        const frameFor = sharedFrames(message);
        for (const connection of this.sessions.connections()) connection.sendFrame(frameFor(connection.encoding));
      },
      () => this.context.deps.logger.warn('unreadable message on the global chat channel'),
    );
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  readonly handlers: Pick<HandlerTable, 'chat'> = {
    chat: (connection, state, message) => {
      const { player } = state;
      const messageType = message.message_type ?? (message.room_id ? 'room' : 'global');
      const base = { from: { id: player.id, name: player.name }, message: message.message, sent_at: new Date().toISOString() };
      if (messageType === 'room') {
        if (!message.room_id) throw new RoomError('not_in_room', 'room chat needs a room_id');
        const room = roomOf(state, message.room_id);
        room.broadcast({ type: 'chat', room_id: room.id, message_type: 'room', ...base });
        return;
      }
      const published: ServerMessage = { type: 'chat', message_type: 'global', ...base };
      this.context.deps.cache.publish(GLOBAL_CHAT_CHANNEL, JSON.stringify(published)).catch((error: unknown) => {
        this.context.deps.logger.warn({ err: error }, 'publishing global chat failed');
        this.context.sendError(connection, 'server_error', 'chat is unavailable right now', 'chat');
      });
    },
  };
}
