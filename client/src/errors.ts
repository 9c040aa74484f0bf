/** Every failure the SDK reports: HTTP errors, server `error` messages and lost connections alike. */
export class GameV1Error extends Error {
  override name = 'GameV1Error';

  constructor(
    /** Stable machine-readable code: the server's (`room_full`, `invalid_credentials`…) or the SDK's own. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the error did not come from an HTTP response. */
    readonly status = 0,
    /** WebSocket close code, when the error is a closed connection. */
    readonly closeCode?: number,
  ) {
    super(message);
  }
}

/** Maps a WebSocket close code to an error; 4003 and 4004 have their own codes because they are final. */
export function closeError(code: number, reason: string): GameV1Error {
  const suffix = reason ? `: ${reason}` : '';
  if (code === 4003) return new GameV1Error('auth_failed', `authentication failed (close 4003${suffix})`, 0, code);
  if (code === 4004) return new GameV1Error('replaced', `connected again elsewhere (close 4004${suffix})`, 0, code);
  return new GameV1Error('connection_closed', `connection closed (${code}${suffix})`, 0, code);
}
