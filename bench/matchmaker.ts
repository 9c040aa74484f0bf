/**
 * Matchmaking policy benchmark: one formMatches call over a synthetic queue, per queue size.
 *
 *   npx tsx bench/matchmaker.ts [--tickets 10000,100000] [--modes 2] [--regions 3] [--runs 5] [--seed 1]
 *
 * Ratings are normal around 1200 (sd 200); 80% of tickets are solo, 20% parties of 2-4 whose members sit
 * near the party's base rating; waits are spread over 0-120 s, so windows range from initial to capped.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  DEFAULT_POLICY_SETTINGS,
  formMatches,
  ticketRating,
  type FormedMatch,
  type PolicyResult,
  type Ticket,
} from '../src/matchmaking/policy/index.js';
import { SeededRandom } from '../src/sim/index.js';

const NOW = 1_700_000_000_000;
/** Untimed calls first, so the timed ones run optimised code. */
const WARM_UP_CALLS = 3;

interface Options {
  sizes: number[];
  modes: number;
  regions: number;
  runs: number;
  seed: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      tickets: { type: 'string', default: '10000,100000' },
      modes: { type: 'string', default: '2' },
      regions: { type: 'string', default: '3' },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
    },
  });
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
    return value;
  };
  return {
    sizes: values.tickets.split(',').map((part) => positive('tickets', part.trim())),
    modes: positive('modes', values.modes),
    regions: positive('regions', values.regions),
    runs: positive('runs', values.runs),
    seed: positive('seed', values.seed),
  };
}


function generateTickets(count: number, options: Options): Ticket[] {
  const source = new SeededRandom(options.seed);
  const random = (): number => source.next();
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const tickets: Ticket[] = [];
  let playerSeq = 0;
  for (let i = 0; i < count; i++) {
    const base = 1200 + 200 * normal();
    const size = random() < 0.8 ? 1 : 2 + Math.floor(random() * 3);
    const players: Ticket['players'] = [];
    for (let p = 0; p < size; p++) {
      players.push({ playerId: `p${playerSeq++}`, rating: size === 1 ? base : base + 50 * normal() });
    }
    tickets.push({
      id: `t${i}`,
      gameMode: `mode${Math.floor(random() * options.modes)}`,
      region: `region${Math.floor(random() * options.regions)}`,
      players,
      enqueuedAt: NOW - Math.floor(random() * 120_000),
      maxWaitSeconds: 300,
      priority: random() < 0.02,
    });
  }
  return tickets;
}

interface Row {
  tickets: number;
  matches: number;
  players: number;
  msPerCall: number;
  ticketsPerSecond: number;
  /** Over individual players (FormedMatch.skillSpread): parties of mixed skill widen it. */
  averageSpread: number;
  /** Over ticket ratings, the spread the skill windows constrain. */
  averageTicketSpread: number;
}

function measure(tickets: Ticket[], runs: number): Row {
  let result: PolicyResult = formMatches(tickets, NOW, DEFAULT_POLICY_SETTINGS);
  for (let call = 1; call < WARM_UP_CALLS; call++) result = formMatches(tickets, NOW, DEFAULT_POLICY_SETTINGS);
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    result = formMatches(tickets, NOW, DEFAULT_POLICY_SETTINGS);
    timings.push(performance.now() - start);
  }
  timings.sort((a, b) => a - b);
  const msPerCall = timings[Math.floor(timings.length / 2)]!;
  let players = 0;
  let spread = 0;
  let ticketSpread = 0;
  for (const match of result.matches) {
    for (const ticket of match.tickets) players += ticket.players.length;
    spread += match.skillSpread;
    ticketSpread += ticketRatingSpread(match);
  }
  const perMatch = (total: number): number => (result.matches.length === 0 ? 0 : total / result.matches.length);
  return {
    tickets: tickets.length,
    matches: result.matches.length,
    players,
    msPerCall,
    ticketsPerSecond: tickets.length / (msPerCall / 1000),
    averageSpread: perMatch(spread),
    averageTicketSpread: perMatch(ticketSpread),
  };
}

function ticketRatingSpread(match: FormedMatch): number {
  let low = Infinity;
  let high = -Infinity;
  for (const ticket of match.tickets) {
    const rating = ticketRating(ticket);
    low = Math.min(low, rating);
    high = Math.max(high, rating);
  }
  return high - low;
}

function printTable(rows: Row[]): void {
  const header = ['tickets', 'matches', 'players matched', 'ms/call (median)', 'tickets/s', 'avg spread', 'avg ticket spread'];
  const cells = rows.map((row) => [
    row.tickets.toLocaleString('en-US'),
    row.matches.toLocaleString('en-US'),
    row.players.toLocaleString('en-US'),
    row.msPerCall.toFixed(1),
    Math.round(row.ticketsPerSecond).toLocaleString('en-US'),
    row.averageSpread.toFixed(1),
    row.averageTicketSpread.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const format = (line: string[]): string => line.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of cells) console.log(format(line));
}

const options = readOptions();
console.log(
  `formMatches: ${options.modes} mode(s) x ${options.regions} region(s), median of ${options.runs} run(s), ` +
    `settings ${JSON.stringify(DEFAULT_POLICY_SETTINGS)}\n`,
);
printTable(options.sizes.map((size) => measure(generateTickets(size, options), options.runs)));
