import type { FormedMatch, HostedMatch, MatchPlacement, MatchmakingService } from '../matchmaking/index.js';
import type { WorkerLink } from './link.js';

/**
 * Matches are formed by whichever process leads matchmaking; their rooms go to every process of this host
 * in turn, so a match-heavy node uses all its workers rather than the leader's alone.
 */
export class ClusterMatchPlacement implements MatchPlacement {
  private turn = 0;

  constructor(private readonly link: WorkerLink) {}

  /** Lets sibling leaders host matches in this process. */
  serve(matchmaking: MatchmakingService): void {
    this.link.serve<FormedMatch, HostedMatch>('matchmaking.host', async (match) => matchmaking.hostMatch(match));
    this.link.serve<{ roomId: string }, void>('matchmaking.discard', ({ roomId }) => matchmaking.discardMatch(roomId));
  }

  next(): number | undefined {
    const index = (this.turn++ % this.link.count) + 1;
    return index === this.link.index ? undefined : index;
  }

  host(target: number, match: FormedMatch): Promise<HostedMatch> {
    return this.link.call(target, 'matchmaking.host', match);
  }

  discard(target: number, roomId: string): Promise<void> {
    return this.link.call(target, 'matchmaking.discard', { roomId });
  }
}
