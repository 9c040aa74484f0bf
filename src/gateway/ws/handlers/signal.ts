import type { ServerMessage } from '../../../protocol/index.js';
import { RoomError } from '../../../rooms/index.js';
import type { Handler, HandlerTable } from '../router.js';
import { roomOf } from './room.js';

/** WebRTC signalling: offers, answers and ICE candidates relayed to a peer in the same room. */
const relay: Handler<'webrtc_offer' | 'webrtc_answer' | 'webrtc_ice'> = (_connection, state, message) => {
  const room = roomOf(state, message.room_id);
  if (!room.hasMember(message.peer_id)) throw new RoomError('peer_not_found', `player ${message.peer_id} is not in room ${room.id}`);
  const relayed: ServerMessage =
    message.type === 'webrtc_ice'
      ? { type: 'webrtc_ice', room_id: room.id, from: state.player.id, candidate: message.candidate }
      : { type: message.type, room_id: room.id, from: state.player.id, sdp: message.sdp };
  room.sendTo(message.peer_id, relayed);
};

export const signalHandlers: Pick<HandlerTable, 'webrtc_offer' | 'webrtc_answer' | 'webrtc_ice'> = {
  webrtc_offer: relay,
  webrtc_answer: relay,
  webrtc_ice: relay,
};
