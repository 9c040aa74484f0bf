// What the game page shows its end-to-end tests through `window.gamev1.state()`: plain data, no DOM, so the tests
// (compiled without the DOM library) import these shapes instead of declaring their own.

export type Screen = 'login' | 'lobby' | 'game';

/** One player as the page last drew them (own player: predicted; others: interpolated). */
export interface PlayerView {
  id: string;
  name: string;
  x: number;
  z: number;
  health: number;
  score: number;
  alive: boolean;
}

export interface GameStateView {
  screen: Screen;
  playerId: string | undefined;
  roomId: string | undefined;
  tick: number;
  players: PlayerView[];
  hitsDealt: number;
  hitsTaken: number;
}
