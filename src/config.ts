import path from 'node:path'

/** Typed server settings, read once at start from the environment. */
export interface Config {
  host: string
  port: number
  databaseUrl: string
  region: string
  /** Milliseconds a created resource stays `creating` (and a deleted one `deleting`) before the reconciler moves it on. */
  provisionDelayMs: number
  /** How often the reconciler looks for due transitions it was not told about (other instances, restarts). */
  reconcileIntervalMs: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Largest accepted request body, in bytes. */
  bodyLimit: number
  tokenTtlSeconds: number
  /** Per-project limits enforced at create (digest §4.7: 20 services and 50 endpoints by default). */
  quotas: { endpointService: number; endpoint: number }
  /** JSON file describing the operator's public services; unset: the built-in catalog for the region. */
  publicServicesFile: string | undefined
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

function integerSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const value = Number(raw.trim())
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`)
  return value
}

/** Default database: a SQLite file under ./data of the working directory. */
export function defaultDatabaseUrl(cwd = process.cwd()): string {
  return `sqlite:${path.join(cwd, 'data', 'vpcep.db')}`
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const region = env.VPCEP_REGION?.trim() || 'cn-north-4'
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
    throw new ConfigError(`VPCEP_REGION must look like a region name such as cn-north-4, got "${region}"`)
  }
  const logLevel = (env.VPCEP_LOG_LEVEL?.trim() || 'info') as Config['logLevel']
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`VPCEP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  }
  const databaseUrl = env.VPCEP_DATABASE_URL?.trim() || defaultDatabaseUrl()
  if (!/^(sqlite:|postgres:|postgresql:)/.test(databaseUrl)) {
    throw new ConfigError(`VPCEP_DATABASE_URL must start with sqlite: or postgres://, got "${databaseUrl}"`)
  }
  return {
    host: env.VPCEP_HOST?.trim() || '127.0.0.1',
    port: integerSetting(env, 'VPCEP_PORT', 9880, 0, 65535),
    databaseUrl,
    region,
    provisionDelayMs: integerSetting(env, 'VPCEP_PROVISION_DELAY_MS', 0, 0, 86_400_000),
    reconcileIntervalMs: integerSetting(env, 'VPCEP_RECONCILE_INTERVAL_MS', 1000, 10, 3_600_000),
    logLevel,
    bodyLimit: 1024 * 1024,
    tokenTtlSeconds: 24 * 3600,
    quotas: {
      endpointService: integerSetting(env, 'VPCEP_QUOTA_ENDPOINT_SERVICES', 20, 0, 1_000_000),
      endpoint: integerSetting(env, 'VPCEP_QUOTA_ENDPOINTS', 50, 0, 1_000_000),
    },
    publicServicesFile: env.VPCEP_PUBLIC_SERVICES_FILE?.trim() || undefined,
  }
}
