/**
 * Distance along a ray (origin o, unit direction d) to where it enters a sphere (centre c, radius r), 0 when
 * the origin is inside, or Infinity when the ray misses it. Scalar arguments keep the hot path allocation-free.
 */
export function raySphereDistance(
  ox: number,
  oy: number,
  oz: number,
  dx: number,
  dy: number,
  dz: number,
  cx: number,
  cy: number,
  cz: number,
  radius: number,
): number {
  const tx = cx - ox;
  const ty = cy - oy;
  const tz = cz - oz;
  const along = tx * dx + ty * dy + tz * dz;
  const squaredMiss = tx * tx + ty * ty + tz * tz - along * along;
  const squaredRadius = radius * radius;
  if (squaredMiss > squaredRadius) return Infinity;
  const halfChord = Math.sqrt(squaredRadius - squaredMiss);
  if (along + halfChord < 0) return Infinity;
  return Math.max(0, along - halfChord);
}
