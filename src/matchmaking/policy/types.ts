/** A queued matchmaking request: one player or a party that must stay together. */
export interface Ticket {
  id: string;
  gameMode: string;
  region: string;
  /** One or more players that must stay together (a party). */
  players: { playerId: string; rating: number }[];
  /** ms timestamp when queued */
  enqueuedAt: number;
  /** per-ticket max wait in seconds (<= config MAX_WAIT_TIME) */
  maxWaitSeconds: number;
  /** served first when the priority queue is enabled (e.g. players dropped from a match) */
  priority: boolean;
}

export interface PolicySettings {
  /** Fewest players (not tickets) in a match. */
  minPlayers: number;
  /** Most players (not tickets) in a match. */
  maxPlayers: number;
  /** Widest half-width the skill window grows to. */
  maxSkillDiff: number;
  /** Half-width of the skill window at enqueue time. */
  initialSkillWindow: number;
  /** How much the half-width grows per second waited. */
  windowGrowthPerSecond: number;
  /** When true, priority tickets are anchored first and win ties. */
  enablePriorityQueue: boolean;
}

export interface FormedMatch {
  gameMode: string;
  region: string;
  /** The anchor ticket first, then the others in the order they were picked. */
  tickets: Ticket[];
  /** max - min rating over all players (individual ratings, so a mixed party can exceed the ticket spread). */
  skillSpread: number;
  /** Mean rating over all players. */
  averageRating: number;
}

export type InvalidReason =
  /** The ticket has no players. */
  | 'empty_party'
  /** More players than `maxPlayers`: it could never be matched. */
  | 'party_too_large'
  /** A rating that is not a finite number. */
  | 'invalid_rating'
  /** `enqueuedAt` or `maxWaitSeconds` is not a finite number. */
  | 'invalid_time';

export interface InvalidTicket {
  ticket: Ticket;
  reason: InvalidReason;
}

export interface PolicyResult {
  matches: FormedMatch[];
  /** Past maxWaitSeconds at `now`: the caller removes them and tells the players. */
  timedOut: Ticket[];
  /** Tickets that can never match (see InvalidReason): reported at once instead of waiting to time out. */
  invalid: InvalidTicket[];
}

/** The product defaults (MIN/MAX_PLAYERS_PER_MATCH, MAX_SKILL_DIFF, enable_priority_queue) plus window growth. */
export const DEFAULT_POLICY_SETTINGS: Readonly<PolicySettings> = Object.freeze({
  minPlayers: 2,
  maxPlayers: 8,
  maxSkillDiff: 200,
  initialSkillWindow: 50,
  windowGrowthPerSecond: 10,
  enablePriorityQueue: true,
});
