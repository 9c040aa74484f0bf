import { FreeList } from './free-list.js';
import { skillWindow, ticketRating } from './skill.js';
import type { FormedMatch, PolicySettings, Ticket } from './types.js';

/**
 * Most candidates one anchor may look at and reject (wrong size, too narrow a window, duplicate player) before
 * it settles for what it has. Keeps a call near-linear even when, say, every ticket is a party too big to pair;
 * an anchor cut short is simply seen again on the next call.
 */
export const MAX_REJECTS_PER_ANCHOR = 256;

/**
 * Forms matches among the tickets of one (gameMode, region) bucket.
 *
 * Tickets are sorted by rating once. Anchors are visited oldest first (priority first when enabled); each
 * anchor grows a group outward through its rating neighbours, always taking the neighbour that widens the
 * group's spread least, while the spread stays within every member's window (mutual acceptance) and the group
 * stays within `maxPlayers`. The group becomes a match when it is full, or when nothing more can join and it
 * has at least `minPlayers` players from at least two tickets (a lone party only matches by filling the match).
 * Indexed reads below use `!`: every index is in range by construction.
 */
export class BucketSweep {
  private readonly count: number;
  /** Per sorted position: */
  private readonly tickets: Ticket[];
  private readonly rating: Float64Array;
  private readonly window: Float64Array;
  private readonly size: Int32Array;
  private readonly rank: Int32Array;
  /** 1 when the ticket has a player that is also on another ticket: only those need duplicate checks. */
  private readonly shared: Uint8Array;
  /** Sorted positions in anchor order. */
  private readonly anchors: Int32Array;
  private readonly free: FreeList;

  /** The group being grown for the current anchor. */
  private readonly members: Int32Array;
  private memberCount = 0;
  private players = 0;
  private minRating = 0;
  private maxRating = 0;
  private minWindow = 0;

  constructor(
    bucket: readonly Ticket[],
    now: number,
    private readonly settings: PolicySettings,
    /** Player ids that appear on more than one ticket in this call (normally none). */
    sharedPlayers: ReadonlySet<string>,
    /** Shared player ids matched earlier in this call, across buckets, so none is matched twice. */
    private readonly claimed: Set<string>,
  ) {
    const n = bucket.length;
    this.count = n;
    const rating = new Float64Array(n);
    for (let i = 0; i < n; i++) rating[i] = ticketRating(bucket[i]!);

    const anchorOrder = sortedIndices(n, anchorComparator(bucket, settings.enablePriorityQueue));
    const rank = new Int32Array(n);
    for (let k = 0; k < n; k++) rank[anchorOrder[k]!] = k;
    // Equal ratings keep anchor order, so the older (or priority) of two equally close tickets is seen first.
    const bySkill = sortedIndices(n, (a, b) => rating[a]! - rating[b]! || rank[a]! - rank[b]!);

    this.tickets = new Array<Ticket>(n);
    this.rating = new Float64Array(n);
    this.window = new Float64Array(n);
    this.size = new Int32Array(n);
    this.rank = new Int32Array(n);
    this.shared = new Uint8Array(n);
    const positionOf = new Int32Array(n);
    for (let p = 0; p < n; p++) {
      const i = bySkill[p]!;
      const ticket = bucket[i]!;
      this.tickets[p] = ticket;
      this.rating[p] = rating[i]!;
      this.window[p] = skillWindow(ticket, now, settings);
      this.size[p] = ticket.players.length;
      this.rank[p] = rank[i]!;
      this.shared[p] = sharedPlayers.size > 0 && hasSharedPlayer(ticket, sharedPlayers) ? 1 : 0;
      positionOf[i] = p;
    }
    this.anchors = new Int32Array(n);
    for (let k = 0; k < n; k++) this.anchors[k] = positionOf[anchorOrder[k]!]!;
    this.free = new FreeList(n);
    this.members = new Int32Array(settings.maxPlayers);
  }

  /** Appends every match formed in this bucket to `out`. */
  run(out: FormedMatch[]): void {
    for (let k = 0; k < this.count; k++) {
      const anchor = this.anchors[k]!;
      if (!this.free.isFree(anchor)) continue;
      if (this.isClaimed(anchor)) {
        this.free.remove(anchor);
        continue;
      }
      this.growFrom(anchor);
      if (this.isMatch()) out.push(this.commit());
    }
  }

  private growFrom(anchor: number): void {
    this.memberCount = 0;
    this.players = 0;
    this.minRating = this.rating[anchor]!;
    this.maxRating = this.minRating;
    this.minWindow = this.window[anchor]!;
    this.add(anchor);

    let left = this.free.previous(anchor - 1);
    let right = this.free.next(anchor + 1);
    let rejects = 0;
    const maxPlayers = this.settings.maxPlayers;
    while (this.players < maxPlayers && rejects < MAX_REJECTS_PER_ANCHOR) {
      // Moving outward only widens the spread while windows only shrink: a closed side stays closed.
      if (left >= 0 && this.maxRating - this.rating[left]! > this.minWindow) left = -1;
      if (right < this.count && this.rating[right]! - this.minRating > this.minWindow) right = this.count;
      const leftOpen = left >= 0;
      const rightOpen = right < this.count;
      if (!leftOpen && !rightOpen) break;

      let candidate: number;
      if (leftOpen && (!rightOpen || this.prefersLeft(left, right))) {
        candidate = left;
        left = this.free.previous(left - 1);
      } else {
        candidate = right;
        right = this.free.next(right + 1);
      }
      if (this.fits(candidate)) this.add(candidate);
      else rejects++;
    }
  }

  /** The side whose ticket widens the spread least; on a tie, the one served first in anchor order. */
  private prefersLeft(left: number, right: number): boolean {
    const spreadLeft = this.maxRating - this.rating[left]!;
    const spreadRight = this.rating[right]! - this.minRating;
    if (spreadLeft !== spreadRight) return spreadLeft < spreadRight;
    return this.rank[left]! < this.rank[right]!;
  }

  private fits(candidate: number): boolean {
    if (this.players + this.size[candidate]! > this.settings.maxPlayers) return false;
    const rating = this.rating[candidate]!;
    const spread = Math.max(this.maxRating, rating) - Math.min(this.minRating, rating);
    if (spread > this.window[candidate]!) return false;
    if (this.isClaimed(candidate)) {
      // Its player already plays in a match formed this call: it can never join one now.
      this.free.remove(candidate);
      return false;
    }
    return this.shared[candidate] === 0 || !this.sharesPlayerWithGroup(candidate);
  }

  private add(position: number): void {
    const rating = this.rating[position]!;
    this.members[this.memberCount++] = position;
    this.players += this.size[position]!;
    if (rating < this.minRating) this.minRating = rating;
    if (rating > this.maxRating) this.maxRating = rating;
    if (this.window[position]! < this.minWindow) this.minWindow = this.window[position]!;
  }

  private isMatch(): boolean {
    if (this.players === this.settings.maxPlayers) return true;
    return this.players >= this.settings.minPlayers && this.memberCount >= 2;
  }

  private commit(): FormedMatch {
    const tickets = new Array<Ticket>(this.memberCount);
    let sum = 0;
    let low = Infinity;
    let high = -Infinity;
    for (let m = 0; m < this.memberCount; m++) {
      const position = this.members[m]!;
      const ticket = this.tickets[position]!;
      tickets[m] = ticket;
      this.free.remove(position);
      const shared = this.shared[position] === 1;
      for (const player of ticket.players) {
        if (shared) this.claimed.add(player.playerId);
        sum += player.rating;
        if (player.rating < low) low = player.rating;
        if (player.rating > high) high = player.rating;
      }
    }
    const first = tickets[0]!;
    return {
      gameMode: first.gameMode,
      region: first.region,
      tickets,
      skillSpread: high - low,
      averageRating: sum / this.players,
    };
  }

  private isClaimed(position: number): boolean {
    if (this.shared[position] === 0) return false;
    for (const player of this.tickets[position]!.players) {
      if (this.claimed.has(player.playerId)) return true;
    }
    return false;
  }

  /** Guards against two tickets of the same player landing in one group (the caller should prevent it). */
  private sharesPlayerWithGroup(candidate: number): boolean {
    for (const player of this.tickets[candidate]!.players) {
      for (let m = 0; m < this.memberCount; m++) {
        for (const member of this.tickets[this.members[m]!]!.players) {
          if (member.playerId === player.playerId) return true;
        }
      }
    }
    return false;
  }
}

function hasSharedPlayer(ticket: Ticket, sharedPlayers: ReadonlySet<string>): boolean {
  for (const player of ticket.players) {
    if (sharedPlayers.has(player.playerId)) return true;
  }
  return false;
}

/**
 * Priority first (when enabled), then oldest, then by id; the input index makes the order total. The keys are
 * copied into typed arrays so most comparisons never touch the ticket objects.
 */
function anchorComparator(bucket: readonly Ticket[], usePriority: boolean): (a: number, b: number) => number {
  const n = bucket.length;
  const served = new Uint8Array(n);
  const enqueuedAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ticket = bucket[i]!;
    served[i] = usePriority && ticket.priority ? 0 : 1;
    enqueuedAt[i] = ticket.enqueuedAt;
  }
  return (a, b) => {
    const byKeys = served[a]! - served[b]! || enqueuedAt[a]! - enqueuedAt[b]!;
    if (byKeys !== 0) return byKeys;
    const x = bucket[a]!.id;
    const y = bucket[b]!.id;
    return x < y ? -1 : x > y ? 1 : a - b;
  };
}

function sortedIndices(n: number, compare: (a: number, b: number) => number): number[] {
  const indices = new Array<number>(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return indices.sort(compare);
}
