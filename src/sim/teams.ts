/** How many teams a team match may have. */
export const MIN_TEAM_COUNT = 2;
export const MAX_TEAM_COUNT = 8;

/** True for an integer team count from MIN_TEAM_COUNT to MAX_TEAM_COUNT (free-for-all's 0 is not one). */
export function isValidTeamCount(teamCount: number): boolean {
  return Number.isInteger(teamCount) && teamCount >= MIN_TEAM_COUNT && teamCount <= MAX_TEAM_COUNT;
}

/**
 * Splits players into `teamCount` teams whose sizes differ by at most one and whose rating sums are close.
 * Greedy and deterministic: strongest first (ties keep input order), each onto the team with the fewest players,
 * then the lowest rating sum, then the lowest index. Returns one array per team (index 0 = team 1).
 */
export function balanceTeams<T extends { rating: number }>(players: readonly T[], teamCount: number): T[][] {
  if (!isValidTeamCount(teamCount)) {
    throw new RangeError(`teamCount must be an integer from ${MIN_TEAM_COUNT} to ${MAX_TEAM_COUNT}, got ${teamCount}`);
  }
  for (const player of players) {
    // A NaN rating would make the sort and the sums meaningless.
    if (!Number.isFinite(player.rating)) throw new RangeError(`Every rating must be a finite number, got ${player.rating}`);
  }
  const teams = Array.from({ length: teamCount }, () => ({ members: [] as T[], ratingSum: 0 }));
  // Array.prototype.sort is stable, so equal ratings keep their input order.
  const strongestFirst = [...players].sort((a, b) => b.rating - a.rating);
  for (const player of strongestFirst) {
    // Strict comparisons keep the earlier team on a tie, which is the lowest index.
    const chosen = teams.reduce((best, team) =>
      team.members.length < best.members.length ||
      (team.members.length === best.members.length && team.ratingSum < best.ratingSum)
        ? team
        : best,
    );
    chosen.members.push(player);
    chosen.ratingSum += player.rating;
  }
  return teams.map((team) => team.members);
}
