/**
 * Leaderboard benchmark through the HTTP API on PostgreSQL and Redis: one board seeded by SQL with a million
 * records, the rebuild of its Redis index from them, score writes from concurrent clients, then three reads.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \
 *   npx tsx bench/leaderboards.ts [--records 1000000] [--writers 32] [--seconds 10] [--guests 1000] \
 *     [--requests 20000] [--concurrency 1,8] [--seed 1]
 *
 * The server is one GameV1 process of its own (bench/lib/targets.ts) on a loopback port. Everything lives in
 * the schema bench_lb and under the Redis key prefix bench-lb:, emptied at the start and dropped at the end.
 * Each read runs untimed warm-up requests first; quantiles are exact, over every timed request.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { periodIndexName, RedisRankIndex } from '../src/leaderboards/index.js';
import { SeededRandom } from '../src/sim/index.js';
import { KeepAliveClient, type RequestOptions } from './lib/keep-alive-client.js';
import { startGameV1 } from './lib/targets.js';

const SCHEMA = 'bench_lb';
const KEY_PREFIX = 'bench-lb:';
const ADMIN_EMAIL = 'bench-admin@bench.invalid';
const BOARD = 'bench.score';
/** The period of a board without a reset schedule. */
const PERIOD = 0;
const SCORES = 1_000_000;
const WARM_UP_REQUESTS = 1_000;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

function readOptions() {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      writers: { type: 'string', default: '32' },
      seconds: { type: 'string', default: '10' },
      guests: { type: 'string', default: '1000' },
      requests: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '1,8' },
      seed: { type: 'string', default: '1' },
    },
  });
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
    return value;
  };
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('set DATABASE_URL and REDIS_URL: this benchmark measures PostgreSQL and Redis');
  const options = {
    records: positive('records', values.records),
    writers: positive('writers', values.writers),
    seconds: positive('seconds', values.seconds),
    guests: positive('guests', values.guests),
    requests: positive('requests', values.requests),
    concurrency: values.concurrency.split(',').map((part) => positive('concurrency', part.trim())),
    seed: positive('seed', values.seed),
    databaseUrl,
    redisUrl,
  };
  if (options.guests >= options.records) throw new Error('--guests must be fewer than --records');
  return options;
}

type Options = ReturnType<typeof readOptions>;

/** The id of seeded player `n`, the same in SQL (md5('bench-' || n)::uuid) and here. */
function seededPlayerId(n: number): string {
  const hex = createHash('md5').update(`bench-${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface Summary {
  count: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function summarize(samples: number[], seconds: number): Summary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { count: sorted.length, perSecond: sorted.length / seconds, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** utime + stime, and with `ended` cutime + cstime: the CPU of its children that ended (PostgreSQL backends). */
function cpuTicks(pid: number, ended: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return fields[11]! + fields[12]! + (ended ? fields[13]! + fields[14]! : 0);
  } catch {
    return 0; // ended between listing and reading: its time moves to the parent's cutime
  }
}

/** A process and its children, CPU in % of one core between two calls of `percent` (Linux /proc). */
class CpuProbe {
  private last: number;
  private lastAt = performance.now();

  constructor(private readonly pid: number) {
    this.last = this.ticks();
  }

  percent(): number {
    const [ticks, at] = [this.ticks(), performance.now()];
    const percent = ((ticks - this.last) / TICKS_PER_SECOND / ((at - this.lastAt) / 1000)) * 100;
    [this.last, this.lastAt] = [ticks, at];
    return percent;
  }

  private ticks(): number {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
    } catch {
      // no children listed
    }
    return children.reduce((sum, child) => sum + cpuTicks(Number(child), false), cpuTicks(this.pid, true));
  }
}

/** CPU of the server, PostgreSQL, Redis and this client since the previous `read`, as one line. */
class CpuProbes {
  private readonly probes: [string, CpuProbe][];
  private clientUsage = process.cpuUsage();
  private clientAt = performance.now();

  constructor(pids: [string, number | undefined][]) {
    this.probes = pids.flatMap(([name, pid]) => (pid === undefined ? [] : [[name, new CpuProbe(pid)] as [string, CpuProbe]]));
  }

  read(): string {
    const usage = process.cpuUsage(this.clientUsage);
    const client = ((usage.user + usage.system) / 1000 / (performance.now() - this.clientAt)) * 100;
    this.clientUsage = process.cpuUsage();
    this.clientAt = performance.now();
    return [...this.probes.map(([name, probe]) => `${name} ${probe.percent().toFixed(0)} %`), `client ${client.toFixed(0)} %`].join(', ');
  }
}

/** The postmaster's pid (its children are the backends), when this user may read the data directory. */
async function postgresPid(db: pg.Client): Promise<number | undefined> {
  try {
    const { rows } = await db.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
    return Number(readFileSync(`${rows[0]!.setting}/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

async function dropBenchData(db: pg.Client, redis: Redis): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Seeded players with one record each on the board, plus a record for each guest; returns the seconds taken. */
async function seed(db: pg.Client, seededPlayers: number): Promise<number> {
  const started = performance.now();
  await db.query(
    `INSERT INTO ${SCHEMA}.players (id, display_name, is_guest)
     SELECT md5('bench-' || n)::uuid, 'bench-' || n, true FROM generate_series(1, $1) n`,
    [seededPlayers],
  );
  // In id order, so the records' primary key grows at its end; updates spread over the last day.
  await db.query(
    `INSERT INTO ${SCHEMA}.leaderboard_records (board_id, period_id, player_id, score, subscore, attempts, updated_ms)
     SELECT $1, $2, id, floor(random() * $3), floor(random() * 100), 1, $4 - floor(random() * 86400000)
     FROM ${SCHEMA}.players WHERE display_name LIKE 'bench-%' ORDER BY id`,
    [BOARD, PERIOD, SCORES, Date.now()],
  );
  await db.query(`VACUUM ANALYZE ${SCHEMA}.players, ${SCHEMA}.leaderboard_records`);
  return (performance.now() - started) / 1000;
}

async function recordCount(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM ${SCHEMA}.leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0`,
    [BOARD, PERIOD],
  );
  return rows[0]!.count;
}

/** The board's first `limit` player ids by the tie rule, straight from the database. */
async function topFromDatabase(db: pg.Client, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ player_id: string }>(
    `SELECT player_id FROM ${SCHEMA}.leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0
     ORDER BY score DESC, subscore DESC, updated_ms, player_id LIMIT $3`,
    [BOARD, PERIOD, limit],
  );
  return rows.map((row) => row.player_id);
}

/** `clients` loops each sending the next request as soon as the previous one answered; 2xx latencies only. */
async function closedLoop(clients: number, more: () => boolean, send: () => Promise<{ status: number; ms: number }>) {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (more()) {
        const reply = await send();
        if (reply.status >= 200 && reply.status < 300) latencies.push(reply.ms);
        else errors++;
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

/** True `requests` times, for a closed loop that sends that many. */
const countdown = (requests: number) => () => requests-- > 0;
const ms = (value: number) => value.toFixed(2);
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);

/** What the measurements share once the server runs and the board is seeded. */
interface Bench {
  options: Options;
  http: KeepAliveClient;
  db: pg.Client;
  index: RedisRankIndex;
  cpu: CpuProbes;
  adminToken: string;
  guestTokens: string[];
  seededPlayers: number;
  records: number;
  pick(n: number): number;
}

/** The index is empty after seeding, so the first read rebuilds it from the database. */
async function measureRebuild({ http, db, index, cpu }: Bench): Promise<void> {
  cpu.read();
  const started = performance.now();
  await http.json('GET', `/api/leaderboards/${BOARD}?limit=1`);
  const seconds = (performance.now() - started) / 1000;
  const usage = cpu.read();
  const indexed = await index.size(periodIndexName(BOARD, PERIOD));
  const top = (await http.json<{ records: { player_id: string }[] }>('GET', `/api/leaderboards/${BOARD}?limit=100`)).records.map((r) => r.player_id);
  const topMatches = JSON.stringify(top) === JSON.stringify(await topFromDatabase(db, 100));
  console.log(`rebuild: ${seconds.toFixed(2)} s for ${indexed.toLocaleString('en')} entries (${usage}); top 100 equal to the database's order: ${topMatches}`);
}

async function measureWrites({ options, http, db, index, cpu, adminToken, seededPlayers, pick }: Bench): Promise<void> {
  cpu.read();
  const until = performance.now() + options.seconds * 1000;
  const writes = await closedLoop(options.writers, () => performance.now() < until, () =>
    http.send('POST', `/api/leaderboards/${BOARD}/scores`, {
      token: adminToken,
      body: { player_id: seededPlayerId(1 + pick(seededPlayers)), score: pick(SCORES) },
    }),
  );
  const usage = cpu.read();
  const [indexed, records] = [await index.size(periodIndexName(BOARD, PERIOD)), await recordCount(db)];
  const s = summarize(writes.latencies, writes.seconds);
  console.log('\n| writers | seconds | writes | writes/s | p50 ms | p90 ms | p99 ms | max ms | errors |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  row([options.writers, writes.seconds.toFixed(1), s.count, s.perSecond.toFixed(0), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), writes.errors]);
  console.log(`CPU: ${usage}; after the writes: index ${indexed}, database ${records} (${indexed === records ? 'equal' : 'DIFFERENT'})`);
}

async function measureReads({ options, http, cpu, guestTokens, seededPlayers, records, pick }: Bench): Promise<void> {
  const reads: [string, () => [string, RequestOptions]][] = [
    ['GET /api/leaderboards/:id/me', () => [`/api/leaderboards/${BOARD}/me`, { token: guestTokens[pick(guestTokens.length)]! }]],
    ['GET ?around=<player>&radius=5', () => [`/api/leaderboards/${BOARD}?around=${seededPlayerId(1 + pick(seededPlayers))}&radius=5`, {}]],
    ['GET ?limit=20&offset=<random>', () => [`/api/leaderboards/${BOARD}?limit=20&offset=${pick(records - 20)}`, {}]],
  ];
  console.log('\n| request | concurrency | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | CPU |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const concurrency of options.concurrency) {
    for (const [name, next] of reads) {
      const send = () => http.send('GET', ...next());
      await closedLoop(concurrency, countdown(WARM_UP_REQUESTS), send);
      cpu.read();
      const run = await closedLoop(concurrency, countdown(options.requests), send);
      const s = summarize(run.latencies, run.seconds);
      row([name, concurrency, s.count, s.perSecond.toFixed(0), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), run.errors, cpu.read()]);
    }
  }
}

/** The admin, the board, the guests (through the API) and the seeded records (by SQL). */
async function setUp(options: Options, http: KeepAliveClient, db: pg.Client) {
  const { access_token: adminToken } = await http.json<{ access_token: string }>('POST', '/auth/register', {
    body: { email: ADMIN_EMAIL, password: 'bench-password-1', display_name: 'bench admin' },
  });
  await http.json('POST', '/api/leaderboards', { token: adminToken, body: { id: BOARD, sort_order: 'desc', operator: 'set' } });
  const guestTokens: string[] = [];
  for (let i = 0; i < options.guests; i++) {
    guestTokens.push((await http.json<{ access_token: string }>('POST', '/auth/guest', { body: { display_name: `bench-guest-${i}` } })).access_token);
  }
  const seededPlayers = options.records - options.guests;
  const seconds = await seed(db, seededPlayers);
  const records = await recordCount(db);
  console.log(`seeded ${records.toLocaleString('en')} records (${options.guests} of them guests with tokens) in ${seconds.toFixed(1)} s`);
  return { adminToken, guestTokens, seededPlayers, records };
}

async function main(options: Options): Promise<void> {
  const random = new SeededRandom(options.seed);
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  // No key prefix on this connection: SCAN matches whole key names.
  const redis = new Redis(options.redisUrl);
  await dropBenchData(db, redis);
  Object.assign(process.env, {
    DATABASE_SCHEMA: SCHEMA,
    REDIS_KEY_PREFIX: KEY_PREFIX,
    ADMIN_EMAILS: ADMIN_EMAIL,
    OUTBOX_DIR: 'memory://',
    ACCESS_TOKEN_TTL: '86400',
  });
  const server = await startGameV1({ tickRate: 20, maxPlayersPerRoom: 10 });
  const http = new KeepAliveClient(server.url, Math.max(options.writers, ...options.concurrency));
  try {
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    const cpu = new CpuProbes([['server', server.pid], ['PostgreSQL', await postgresPid(db)], ['Redis', redisPid]]);
    console.log(`node ${process.version}; server ${server.url}; ${options.records.toLocaleString('en')} records`);
    const bench: Bench = {
      options,
      http,
      db,
      // The server's index: its key prefix, then openRankIndex's.
      index: new RedisRankIndex(redis, `${KEY_PREFIX}lb:`),
      cpu,
      ...(await setUp(options, http, db)),
      pick: (n) => Math.floor(random.next() * n),
    };
    await measureRebuild(bench);
    await measureWrites(bench);
    await measureReads(bench);
  } finally {
    http.close();
    await server.stop();
    await dropBenchData(db, redis);
    await db.end();
    redis.disconnect();
  }
}

await main(readOptions());
