import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TodoDbError, UsageError } from '../errors.js';
import { resolveTarget, type EnvRecord, type Purpose, type Target } from '../connection/target.js';
import { packageRoot } from '../migrations/files.js';
import { readConfig } from './config-file.js';
import { readEnvFiles } from './env-files.js';
import { CONFIG_KEYS, SETTING_KEYS } from './keys.js';
import type { LoadedConfig, RawFlags, Settings, SettingsInput, SettingsResult } from './types.js';
import { folder, type Source } from './values.js';

/** Where the snapshot lives when no config says otherwise (the schema snapshot's own default). */
export const DEFAULT_SNAPSHOT_FILE = join('schema', 'snapshot.json');

/**
 * Resolves every setting once, from the flags, the environment, `.env` files and the
 * config file of `root`, and reports every problem at once (graphile-migrate's
 * parseSettings). Nothing else reads the environment: the CLI passes process.env in.
 *
 * @example
 * const { settings, problems } = await resolveSettings({ flags: {}, env: process.env, root: process.cwd() });
 */
export async function resolveSettings(input: SettingsInput): Promise<SettingsResult> {
  const problems: string[] = [];
  const envName = input.flags.env;
  if (envName !== undefined && !/^[\w.-]+$/.test(envName))
    problems.push(`--env is ${JSON.stringify(envName)}, not an environment name (use letters, digits, "-", "_" or ".", e.g. --env test)`);
  else if (envName !== undefined && !existsSync(join(input.root, `.env.${envName}`)))
    problems.push(`--env ${envName}: there is no .env.${envName} in ${input.root} (create it, or leave --env out)`);
  let envFiles: ReturnType<typeof readEnvFiles> = { env: { ...input.env }, origins: {}, files: [] };
  try {
    envFiles = readEnvFiles(input.root, input.env, problems.length === 0 ? envName : undefined);
  } catch (error) {
    problems.push(`the .env file cannot be read: ${(error as Error).message.split('\n')[0]}`);
  }
  const config = await readConfig(input.root);
  problems.push(...config.problems);
  const result = settingsFrom({ flags: input.flags, env: envFiles.env, origins: envFiles.origins, envFiles: envFiles.files, config: config.loaded, root: input.root });
  return { settings: result.settings, problems: [...problems, ...result.problems] };
}

/** The inputs once the files are read: what resolveSettings passes on, and what the unit tests give directly. */
export interface SettingsParts {
  flags: RawFlags;
  env: EnvRecord;
  root: string;
  origins?: Readonly<Record<string, string>>;
  envFiles?: string[];
  config?: LoadedConfig | null;
}

/** The pure part of the resolver: no file is read except to check that paths are folders. */
export function settingsFrom(parts: SettingsParts): SettingsResult {
  const { flags, env, root } = parts;
  const origins = parts.origins ?? {};
  const config = parts.config ?? null;
  const configName = config ? config.path.replace(root + '/', '') : '';
  const problems: string[] = [];
  const values = config?.values ?? {};
  for (const key of Object.keys(values)) {
    if (!CONFIG_KEYS.includes(key)) problems.push(`unknown key "${key}" in ${configName} (the keys are ${CONFIG_KEYS.join(', ')})`);
  }
  const pkg = packageRoot();
  const defaults = { migrationsDir: join(pkg, 'migrations'), seedsDir: join(pkg, 'seeds'), snapshotPath: join(pkg, DEFAULT_SNAPSHOT_FILE) };
  const resolved: Record<string, unknown> = {};
  const fromEnv = (name: string): Source => ({ label: origins[name] ? `${name} in ${origins[name]}` : name, base: root });
  for (const [setting, spec] of Object.entries(SETTING_KEYS) as [keyof typeof SETTING_KEYS, (typeof SETTING_KEYS)[keyof typeof SETTING_KEYS]][]) {
    const candidates: [unknown, Source][] = [];
    if ('flag' in spec && flags[spec.flag] !== undefined) candidates.push([flags[spec.flag], { label: spec.flagName, base: root }]);
    if (env[spec.env] !== undefined) candidates.push([env[spec.env], fromEnv(spec.env)]);
    // A committed config file must be right wherever it runs, so its values are checked even when overridden.
    const configSource: Source | undefined =
      values[spec.config] !== undefined ? { label: `${spec.config} in ${configName}`, base: config ? resolve(config.path, '..') : root } : undefined;
    const configParsed = configSource ? spec.parse(values[spec.config], configSource) : undefined;
    if (configParsed && 'problem' in configParsed) problems.push(configParsed.problem);
    const winner = candidates[0];
    if (winner) {
      const parsed = spec.parse(winner[0], winner[1]);
      if ('problem' in parsed) problems.push(parsed.problem);
      else resolved[setting] = parsed.value;
    } else if (configParsed && 'value' in configParsed) resolved[setting] = configParsed.value;
  }
  // The embedded folder of a config file is a default under TODO_DB_DATA_DIR.
  const targetEnv: Record<string, string | undefined> = { ...env };
  if (env.TODO_DB_DATA_DIR === undefined && values.dataDir !== undefined) {
    const parsed = folder(values.dataDir, { label: `dataDir in ${configName}`, base: config ? resolve(config.path, '..') : root });
    if ('problem' in parsed) problems.push(parsed.problem);
    else targetEnv.TODO_DB_DATA_DIR = parsed.value;
  }
  const targets = {} as Record<Purpose, Target>;
  for (const purpose of ['schema', 'data'] as const) {
    try {
      targets[purpose] = resolveTarget({ ...(flags.url !== undefined ? { url: flags.url } : {}), purpose, env: targetEnv, cwd: root, origins });
    } catch (error) {
      if (!(error instanceof TodoDbError)) throw error;
      const line = error.hint ? `${error.message} (${error.hint})` : error.message;
      if (!problems.includes(line)) problems.push(line);
      targets[purpose] = { backend: 'pglite', dataDir: null, display: 'pglite:memory', source: 'embedded default' };
    }
  }
  const appUrl = env.DATABASE_URL?.trim() || undefined;
  const settings: Settings = {
    root,
    configFile: config?.path ?? null,
    envFiles: parts.envFiles ?? [],
    targets,
    ...(appUrl ? { appUrl } : {}),
    migrationsDir: (resolved.migrationsDir as string | undefined) ?? defaults.migrationsDir,
    seedsDir: (resolved.seedsDir as string | undefined) ?? defaults.seedsDir,
    snapshotPath: (resolved.snapshotPath as string | undefined) ?? defaults.snapshotPath,
    ...(resolved.connectTimeoutMs !== undefined ? { connectTimeoutMs: resolved.connectTimeoutMs as number } : {}),
    ...(resolved.lockTimeoutMs !== undefined ? { lockTimeoutMs: resolved.lockTimeoutMs as number } : {}),
    ...(resolved.statementTimeoutMs !== undefined ? { statementTimeoutMs: resolved.statementTimeoutMs as number } : {}),
    ...(resolved.waitReplicasMs !== undefined ? { waitReplicasMs: resolved.waitReplicasMs as number } : {}),
    replicaUrls: (resolved.replicaUrls as string[] | undefined) ?? [],
    requireReplicas: (resolved.requireReplicas as boolean | undefined) ?? false,
    pooler: (resolved.pooler as Settings['pooler'] | undefined) ?? 'auto',
    noColor: (env.NO_COLOR ?? '') !== '',
    secrets: secretsOf(flags, env, (resolved.replicaUrls as string[] | undefined) ?? []),
  };
  return { settings, problems };
}

/** One UsageError for all problems: exit 2, one line. */
export function settingsError(problems: readonly string[]): UsageError {
  if (problems.length === 1) {
    const [, message, hint] = /^(.*) \(([^()]*)\)$/.exec(problems[0]!) ?? [undefined, problems[0]!, undefined];
    return new UsageError(message!, hint ?? 'fix it and run again');
  }
  return new UsageError(`${problems.length} configuration problems: ${problems.join('; ')}`, 'fix each and run again');
}

/**
 * Resolves the settings or throws one UsageError naming every problem.
 *
 * @example
 * const settings = await loadSettings({ flags: {}, env: process.env, root: process.cwd() });
 * const database = await openDatabase({ target: settings.targets.data });
 */
export async function loadSettings(input: SettingsInput): Promise<Settings> {
  const { settings, problems } = await resolveSettings(input);
  if (problems.length > 0) throw settingsError(problems);
  return settings;
}

/** Passwords from --url, both URL variables and PGPASSWORD, raw and decoded: masked wherever they appear. */
function secretsOf(flags: RawFlags, env: EnvRecord, replicaUrls: readonly string[]): string[] {
  const secrets = [env.PGPASSWORD];
  for (const url of [flags.url, env.DATABASE_URL, env.DATABASE_URL_UNPOOLED, ...replicaUrls]) {
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:([^@\s]*)@/i.exec(url ?? '')?.[1];
    if (!password) continue;
    secrets.push(password);
    try {
      secrets.push(decodeURIComponent(password));
    } catch {
      // a malformed escape: the raw form still masks it (and is reported as a problem)
    }
  }
  return [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
}
