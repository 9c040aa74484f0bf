import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DivisionStandings, LeagueHistory, LeagueInfo, LeagueStanding, type DivisionRow } from '../../api/index.js';
import type { AuthService } from '../../auth/index.js';
import {
  LeagueServiceError,
  type DivisionMember,
  type DivisionStandings as Division,
  type Leagues,
  type PlayerStanding,
  type Rung,
  type SeasonResult,
} from '../../leagues/index.js';
import { bearerSecurity, requireAccessToken } from '../bearer.js';
import { Digits, errorResponses } from '../schemas.js';

const SeasonQuery = Type.Object({ season: Type.Optional(Digits(9, 'A season by id; default the current one')) });
const PlayerParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const DivisionParams = Type.Object({
  season: Digits(9),
  division: Type.String({ minLength: 1, maxLength: 200, description: 'A division_id from a standing (URL-encoded)' }),
});

const rungJson = (rung: Rung) => ({ tier: rung.tier, division: rung.division ?? null });

const rowJson = (member: DivisionMember): DivisionRow => ({
  player_id: member.playerId,
  display_name: member.displayName,
  rank: member.rank ?? null,
  points: member.points,
  placements_left: member.placementsLeft,
  games_played: member.gamesPlayed,
  zone: member.zone,
});

const standingJson = (standing: PlayerStanding): LeagueStanding => ({
  ...rowJson(standing),
  season_id: standing.seasonId,
  season_ends_at: standing.seasonEndsAt.toISOString(),
  rung: standing.rung ? rungJson(standing.rung) : null,
  division_id: standing.cohortId,
  division_size: standing.cohortSize,
});

const divisionJson = (division: Division): DivisionStandings => ({
  season_id: division.seasonId,
  division_id: division.cohortId,
  rung: rungJson(division.rung),
  members: division.members.map(rowJson),
});

const historyJson = (seasons: SeasonResult[]): LeagueHistory => ({
  seasons: seasons.map((season) => ({
    season_id: season.seasonId,
    starts_at: season.startsAt.toISOString(),
    ends_at: season.endsAt.toISOString(),
    division_id: season.cohortId,
    rung: season.rung ? rungJson(season.rung) : null,
    points: season.points,
    games_played: season.gamesPlayed,
    rank: season.rank ?? null,
    division_size: season.cohortSize,
    movement: season.movement,
  })),
});

/** /api/leagues: the league of one game mode; every read is public except "me", which names the caller. */
export function leagueRoutes(deps: { auth: AuthService; leagues: Leagues }): FastifyPluginAsyncTypebox {
  const { leagues } = deps;
  const authenticated = requireAccessToken(deps.auth);
  const standingOf = async (playerId: string, season: string | undefined) => {
    const standing = await leagues.standingOf(playerId, season === undefined ? undefined : Number(season));
    if (!standing) throw new LeagueServiceError('not_a_member', 'the player has played no league game in this season');
    return standingJson(standing);
  };
  return async (app) => {
    const tags = ['leagues'];

    app.get('/api/leagues', {
      schema: { tags, summary: 'The league: its game mode, tiers, rules and seasons', response: { 200: LeagueInfo, ...errorResponses } },
    }, async () => {
      const { gameMode, seasonLengthSeconds, season } = leagues.settings;
      return {
        game_mode: gameMode,
        tiers: season.ladder.tiers.map((tier) => ({ name: tier.name, divisions: tier.divisions })),
        points_per_division: season.ladder.pointsPerDivision,
        placement_games: season.ladder.placementGames,
        division_size: season.cohortSize,
        season_length_seconds: seasonLengthSeconds,
        seasons: (await leagues.seasons()).map((summary) => ({
          id: summary.id,
          starts_at: summary.startsAt.toISOString(),
          ends_at: summary.endsAt.toISOString(),
          status: summary.status,
          members: summary.members,
        })),
      };
    });

    app.get('/api/leagues/me', {
      preHandler: authenticated,
      schema: { tags, summary: "The caller's standing (404 not_a_member before the first league game of the season)", security: bearerSecurity, querystring: SeasonQuery, response: { 200: LeagueStanding, ...errorResponses } },
    }, async (request) => standingOf(request.player!.playerId, request.query.season));

    app.get('/api/leagues/me/history', {
      preHandler: authenticated,
      schema: { tags, summary: "The caller's ended seasons", security: bearerSecurity, response: { 200: LeagueHistory, ...errorResponses } },
    }, async (request) => historyJson(await leagues.historyOf(request.player!.playerId)));

    app.get('/api/leagues/players/:id', {
      schema: { tags, summary: "A player's standing", params: PlayerParams, querystring: SeasonQuery, response: { 200: LeagueStanding, ...errorResponses } },
    }, async (request) => standingOf(request.params.id, request.query.season));

    app.get('/api/leagues/players/:id/history', {
      schema: { tags, summary: "A player's ended seasons", params: PlayerParams, response: { 200: LeagueHistory, ...errorResponses } },
    }, async (request) => historyJson(await leagues.historyOf(request.params.id)));

    app.get('/api/leagues/seasons/:season/divisions/:division', {
      schema: { tags, summary: "A division group's standings, with the promotion and relegation zones", params: DivisionParams, response: { 200: DivisionStandings, ...errorResponses } },
    }, async (request) => divisionJson(await leagues.division(Number(request.params.season), request.params.division)));
  };
}
