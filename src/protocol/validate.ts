import { Compile } from 'typebox/compile';
import { ProtocolError } from './codec.js';
import { ClientMessageSchemas, type ClientMessage, type ClientMessageType } from './messages.js';

const validators = Object.fromEntries(
  Object.entries(ClientMessageSchemas).map(([type, schema]) => [type, Compile(schema)]),
) as { [K in ClientMessageType]: ReturnType<typeof Compile> };

/** Checks a decoded frame against the schema of its `type`; the error names the type and the first problem. */
export function validateClientMessage(value: unknown): ClientMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad_message', 'message must be an object with a "type"');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') throw new ProtocolError('bad_message', 'message must have a string "type"');
  const validator = Object.hasOwn(validators, type) ? validators[type as ClientMessageType] : undefined;
  if (!validator) throw new ProtocolError('unknown_type', `unknown message type "${type.slice(0, 32)}"`, type.slice(0, 32));
  if (!validator.Check(value)) {
    const [first] = validator.Errors(value);
    const where = first?.instancePath ? `${first.instancePath} ` : '';
    throw new ProtocolError('bad_message', `invalid ${type}: ${where}${first?.message ?? 'does not match the schema'}`, type);
  }
  return value as ClientMessage;
}
