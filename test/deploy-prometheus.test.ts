/**
 * The Prometheus files in deploy/prometheus, checked offline by the real promtool (Debian's `prometheus` package;
 * scripts/ci-tools.sh installs it): `promtool check config` on prometheus.yml (which also loads its rule_files) and
 * `promtool check rules` on every rule file there. Skipped, saying why, only where promtool is not installed.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const dir = new URL('../deploy/prometheus', import.meta.url).pathname;
const configPath = join(dir, 'prometheus.yml');

/** promtool's absolute path (PATH, then where Debian puts it), or undefined. */
function findPromtool(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin', '/usr/bin'].filter(Boolean);
  for (const candidate of dirs.map((folder) => join(folder, 'promtool'))) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next folder.
    }
  }
  return undefined;
}

const promtool = findPromtool();
const MISSING = 'promtool is not installed: run `bash scripts/ci-tools.sh` (as root), which installs it from the Debian package prometheus';
if (!promtool) console.warn(`[deploy-prometheus] skipped: ${MISSING}`);

function check(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool!, ['check', ...args], { encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

const config = parseYaml(readFileSync(configPath, 'utf8')) as { rule_files?: string[] };
const ruleFiles = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name) && name !== 'prometheus.yml').sort();

describe('deploy/prometheus', () => {
  it('loads every rule file of the folder through rule_files, and nothing else', () => {
    expect([...(config.rule_files ?? [])].sort()).toEqual(ruleFiles);
  });

  it('prometheus.yml passes `promtool check config`', (context) => {
    if (!promtool) context.skip(MISSING);
    const result = check('config', configPath);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${ruleFiles.length} rule files found`);
  });

  it.for(ruleFiles)('%s passes `promtool check rules`', (file, context) => {
    if (!promtool) context.skip(MISSING);
    const result = check('rules', join(dir, file));
    expect(result.status, result.output).toBe(0);
    expect(result.output, 'a rule file with no rules in it').not.toMatch(/SUCCESS: 0 rules found/);
  });
});
