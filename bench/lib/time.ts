/** A duration argument (`500ms`, `20s`, `2m`, or bare seconds) in seconds. */
export function seconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text} (e.g. 20s, 2m)`);
  const value = Number(match[1]);
  return match[2] === 'ms' ? value / 1000 : match[2] === 'm' ? value * 60 : value;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
