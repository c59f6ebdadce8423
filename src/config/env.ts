import dotenv from 'dotenv';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration from the environment and `.env` files, validated by one schema. Messages name the
 * variable and what is expected, and never echo a value (the API key is a secret).
 */

export const API_KEY_PATTERN = /^[0-9a-f]{64}$/i;

const apiKey = z.string().regex(API_KEY_PATTERN, 'expected 64 hexadecimal characters (0-9, a-f)');
const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'expected an http:// or https:// URL')
  .transform((value) => value.replace(/\/+$/, ''));
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());
const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int(`expected a whole number from ${min} to ${max}`)
    .min(min, `expected a whole number from ${min} to ${max}`)
    .max(max, `expected a whole number from ${min} to ${max}`);

/** Hosts whose traffic never leaves the machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export const ALLOW_HTTP_VARIABLE = 'SYNC_ALLOW_HTTP';

/**
 * Whether `url` is refused as a sync server URL: anything but loopback carries the API key and every
 * record, so it must be https unless SYNC_ALLOW_HTTP=1 allows plain http (a test lab).
 */
export function needsHttps(url: string, allowHttp: boolean): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && !allowHttp && !isLoopback(hostname);
}

export const clientEnvSchema = z.object({
  SYNC_SERVER_URL: optional(httpUrl),
  SYNC_API_KEY: optional(apiKey),
  SYNC_PULL_INTERVAL_MS: z.preprocess(emptyAsUndefined, integer(1000, 86_400_000).default(30_000)),
  BLOS_DATA_DIR: optional(z.string()),
  /** An administrator's switch: 1 turns updates off on this PC (the feed itself is fixed when the installer is built). */
  BLOS_DISABLE_UPDATES: optional(z.enum(['0', '1'], { error: 'expected 1 (updates off) or 0 (updates on)' })),
  [ALLOW_HTTP_VARIABLE]: optional(z.enum(['0', '1'], { error: 'expected 1 (allow http:// sync servers, for a test lab) or 0' })),
}).superRefine((config, ctx) => {
  if (config.SYNC_SERVER_URL && needsHttps(config.SYNC_SERVER_URL, config[ALLOW_HTTP_VARIABLE] === '1')) {
    const message = `must start with https:// for a server on another computer: over http:// the API key and the records cross the network readable by anyone on the way (for a test lab only, ${ALLOW_HTTP_VARIABLE}=1 allows http)`;
    ctx.addIssue({ code: 'custom', path: ['SYNC_SERVER_URL'], message });
  }
});
export type ClientConfig = z.infer<typeof clientEnvSchema>;

export const serverEnvSchema = z.object({
  SYNC_API_KEY: z.string({ error: 'required: expected 64 hexadecimal characters (0-9, a-f)' }).pipe(apiKey),
  SYNC_SERVER_PORT: z.preprocess(emptyAsUndefined, integer(0, 65535).default(8787)),
  SYNC_SERVER_HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
  /** A SQLite file, or a postgres:// (postgresql://) URL: PostgreSQL, shared by any number of server processes. */
  SYNC_SERVER_DB: z.preprocess(emptyAsUndefined, z.string().default(path.join('data', 'sync-server.db'))),
  /** Connections each server process keeps to PostgreSQL (unused with SQLite). */
  SYNC_SERVER_DB_POOL: z.preprocess(emptyAsUndefined, integer(1, 1000).default(10)),
  /** PEM files: with both, the server speaks https itself; without, http (loopback, or behind a TLS proxy). */
  SYNC_SERVER_TLS_CERT: optional(z.string()),
  SYNC_SERVER_TLS_KEY: optional(z.string()),
  SYNC_SERVER_MAX_CONNECTIONS: z.preprocess(emptyAsUndefined, integer(16, 1_000_000).default(512)),
  SYNC_SERVER_IDLE_TIMEOUT_MS: z.preprocess(emptyAsUndefined, integer(1000, 600_000).default(30_000)),
}).superRefine((config, ctx) => {
  if ((config.SYNC_SERVER_TLS_CERT === undefined) !== (config.SYNC_SERVER_TLS_KEY === undefined)) {
    const missing = config.SYNC_SERVER_TLS_CERT === undefined ? 'SYNC_SERVER_TLS_CERT' : 'SYNC_SERVER_TLS_KEY';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'required with the other TLS setting: give both the certificate and the key file, or neither' });
  }
});
export type ServerConfig = z.infer<typeof serverEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an environment against a schema, throwing a ConfigError that names each bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}

/**
 * The environment the app runs with: the process environment first, then `.env` in the user-data
 * folder, then `.env` in the working folder (earlier sources win).
 */
export function readEnv(folders: readonly string[], processEnv: NodeJS.ProcessEnv = process.env) {
  const merged: Record<string, string | undefined> = {};
  for (const folder of [...folders].reverse()) {
    const file = path.join(folder, '.env');
    if (fs.existsSync(file)) Object.assign(merged, dotenv.parse(fs.readFileSync(file)));
  }
  return { ...merged, ...processEnv };
}

export function loadClientConfig(folders: readonly string[], processEnv: NodeJS.ProcessEnv = process.env): ClientConfig {
  return parseEnv(clientEnvSchema, readEnv(folders, processEnv));
}

export function loadServerConfig(folders: readonly string[], processEnv: NodeJS.ProcessEnv = process.env): ServerConfig {
  return parseEnv(serverEnvSchema, readEnv(folders, processEnv));
}
