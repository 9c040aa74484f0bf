/** Small parsers turning a raw setting string into a typed value; each throws a readable expectation. */

export interface Setting<T> {
  env: string;
  default: string;
  parse: (raw: string) => T;
  doc: string;
}

export class InvalidValue extends Error {}

export interface HostPort {
  host: string;
  port: number;
}

export function integer(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw.trim());
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidValue(`must be an integer from ${min} to ${max}`);
    }
    return value;
  };
}

export function float(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new InvalidValue(`must be a number from ${min} to ${max}`);
    }
    return value;
  };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function boolean(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new InvalidValue('must be true or false');
}

export function text(minLength: number, maxLength: number, pattern?: RegExp) {
  return (raw: string): string => {
    if (raw.length < minLength || raw.length > maxLength) {
      throw new InvalidValue(`must be ${minLength} to ${maxLength} characters long`);
    }
    if (pattern && !pattern.test(raw)) throw new InvalidValue(`must match ${pattern}`);
    return raw;
  };
}

export function enumOf<const T extends readonly string[]>(values: T) {
  return (raw: string): T[number] => {
    const value = raw.trim().toLowerCase();
    if (!values.includes(value)) throw new InvalidValue(`must be one of ${values.join(', ')}`);
    return value as T[number];
  };
}

export function url(protocols: readonly string[]) {
  return (raw: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(raw.trim());
    } catch {
      throw new InvalidValue(`must be a URL (${protocols.join(' or ')}//…)`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new InvalidValue(`must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
    }
    return raw.trim();
  };
}

export function hostPort(raw: string): HostPort {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(raw.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new InvalidValue('must be host:port, e.g. 0.0.0.0:3000');
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** An empty value means "not set" (undefined); anything else must parse. */
export function optional<T>(parse: (raw: string) => T) {
  return (raw: string): T | undefined => (raw.trim() === '' ? undefined : parse(raw));
}

/** A comma-separated list of email addresses, lower-cased; empty for none. */
export function emailList(raw: string): string[] {
  const emails = raw
    .split(',')
    .map((email) => email.trim().toLowerCase())
    .filter((email) => email !== '');
  const bad = emails.find((email) => !/^[^@\s]+@[^@\s]+$/.test(email));
  if (bad !== undefined) throw new InvalidValue(`${bad} is not an email address`);
  return emails;
}

export interface TierSetting {
  name: string;
  /** 0: an apex tier (one pool of points, no divisions). */
  divisions: number;
}

/** `Bronze:4,Silver:4,…,Master:0`: league tiers lowest first, each with its divisions; apex tiers (0) last. */
export function tierList(raw: string): TierSetting[] {
  const tiers = raw.split(',').map((entry) => {
    const match = /^\s*([A-Za-z][A-Za-z0-9 _-]{0,31}?)\s*:\s*(\d)\s*$/.exec(entry);
    if (!match) throw new InvalidValue('must be comma-separated Name:divisions pairs (divisions 0-9, 0 for an apex tier), e.g. Bronze:4,Silver:4,Master:0');
    return { name: match[1]!, divisions: Number(match[2]) };
  });
  if (new Set(tiers.map((tier) => tier.name)).size !== tiers.length) throw new InvalidValue('must not name a tier twice');
  const firstApex = tiers.findIndex((tier) => tier.divisions === 0);
  if (firstApex >= 0 && tiers.slice(firstApex).some((tier) => tier.divisions > 0)) throw new InvalidValue('must list apex tiers (0 divisions) after every tier with divisions');
  return tiers;
}
