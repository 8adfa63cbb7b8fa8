import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { parseAddressPolicy, type AddressPolicy } from './events/url-safety.ts'

/** Typed server settings, read once at start from the environment. */
export interface Config {
  host: string
  port: number
  databaseUrl: string
  region: string
  /** Milliseconds a created resource stays `creating` (and a deleted one `deleting`) before the reconciler moves it on. */
  provisionDelayMs: number
  /** The same, per resource type; each defaults to provisionDelayMs. */
  provisionDelays: { endpointService: number; endpoint: number }
  /** Requests per second per account (0: no limit) and the burst allowed on top. */
  rateLimit: { perSecond: number; burst: number }
  /** Enables the admin API (test support) when set; requests must carry it in X-Admin-Token. */
  adminToken: string | undefined
  /** How often the reconciler looks for due transitions it was not told about (other instances, restarts). */
  reconcileIntervalMs: number
  /** How long outbox events (the record of every state change) are kept. */
  eventRetentionHours: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** `json` lines for machines, `pretty` for people at a terminal. */
  logFormat: 'json' | 'pretty'
  /** Largest accepted request body, in bytes. */
  bodyLimit: number
  tokenTtlSeconds: number
  /** Per-project limits enforced at create (digest §4.7: 20 services and 50 endpoints by default). */
  quotas: { endpointService: number; endpoint: number }
  /** JSON file describing the operator's public services; unset: the built-in catalog for the region. */
  publicServicesFile: string | undefined
  /** What a request must carry and how long it may take; see SECURITY.md. */
  security: SecuritySettings
  /** Where accepted endpoints' traffic is forwarded from and to (src/dataplane, docs/dataplane.md). */
  dataplane: DataplaneConfig
  /** Webhook delivery of connection events (docs/events.md). */
  webhooks: WebhookSettings
  /** Server processes sharing the listening port (src/workers); 1: this process serves alone. */
  workers: number
}

export interface SecuritySettings {
  /** Accept `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (a signature that does not cover the body). */
  allowUnsignedPayload: boolean
  /** Host names (optionally `name:port`) a signature may be made for; empty: any. */
  allowedHosts: string[]
  /** Time to receive the request line and headers, the whole request, and between requests on a socket. */
  headersTimeoutMs: number
  requestTimeoutMs: number
  idleTimeoutMs: number
  /** Open connections one source address may hold at once (0: no cap). */
  maxConnectionsPerAddress: number
  /** Slow down repeated failed sign-ins (password) and signatures (access key). */
  authThrottle: { enabled: boolean; failuresBeforeBackoff: number; maxBackoffSeconds: number }
  /** Password checks (scrypt) run at once; more wait in a bounded queue. */
  passwordCheckConcurrency: number
  /** Proxies whose X-Forwarded-For names the client (Fastify `trustProxy`): addresses or CIDRs. */
  trustProxy: string[]
}

export interface DataplaneConfig {
  /** `embedded`: this process forwards; `external`: a `vpcep dataplane` process does; `off`: nothing forwards. */
  mode: 'embedded' | 'external' | 'off'
  /** Endpoint addresses are taken from this loopback block while the data plane is not off. */
  addressRange: { cidr: string; first: number; last: number }
  /** Where an endpoint without an address of its own in the range is given a port (127.0.0.1). */
  fallbackHost: string
  /** Backend address of a port id that no mapping names; undefined: such services do not forward. */
  defaultBackend: string | undefined
  /** JSON file `{ "<port id>": "<address>" }`; mappings set with `vpcep backends set` take precedence. */
  backendsFile: string | undefined
  /** Private DNS responder (UDP and TCP on fallbackHost); undefined: off. */
  dnsPort: number | undefined
  /** How often the outbox is looked at for changes to follow. */
  pollMs: number
}

export interface WebhookSettings {
  /** Which address classes webhook URLs may reach (VPCEP_WEBHOOK_ADDRESSES). */
  addresses: AddressPolicy
  /** Whole-request limit of one attempt: connect, send, and the answer's status and excerpt. */
  timeoutMs: number
  /** Attempts before a delivery becomes a dead letter. */
  maxAttempts: number
  /** Wait after the first failed attempt; doubled after each further one (with jitter), up to backoffMaxMs. */
  backoffMs: number
  backoffMaxMs: number
  /** Attempts in flight at once in this instance. */
  concurrency: number
  /** How often the outbox and the due deliveries are looked at when nothing wakes the worker earlier. */
  pollMs: number
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || (net.isIPv4(host) && host.startsWith('127.')) || host === '::1'
}

/**
 * Default receivers follow where clients can be: a server listening on loopback only (the `npm start`
 * default) serves people on this machine, whose receivers run here too; one listening on the network
 * serves tenants, whose webhooks must not reach this machine or its private network.
 */
function webhookAddresses(env: NodeJS.ProcessEnv, host: string): AddressPolicy {
  const raw = env.VPCEP_WEBHOOK_ADDRESSES?.trim() || (isLoopbackHost(host) ? 'loopback' : 'public')
  const policy = parseAddressPolicy(raw)
  if (typeof policy === 'string') throw new ConfigError(`VPCEP_WEBHOOK_ADDRESSES: ${policy}, got "${raw}"`)
  return policy
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

function booleanSetting(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true
  if (['0', 'false', 'off', 'no'].includes(raw)) return false
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`)
}

function listSetting(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '')
}

const HOST_NAME = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/

function securitySettings(env: NodeJS.ProcessEnv): SecuritySettings {
  const allowedHosts = listSetting(env, 'VPCEP_ALLOWED_HOSTS').map((host) => host.toLowerCase())
  for (const host of allowedHosts) if (!HOST_NAME.test(host)) throw new ConfigError(`VPCEP_ALLOWED_HOSTS: "${host}" is not a host name, an address or name:port`)
  const headersTimeoutMs = integerSetting(env, 'VPCEP_HEADERS_TIMEOUT_MS', 10_000, 100, 3_600_000)
  const requestTimeoutMs = integerSetting(env, 'VPCEP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000)
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError('VPCEP_HEADERS_TIMEOUT_MS may not be longer than VPCEP_REQUEST_TIMEOUT_MS (the headers are part of the request)')
  const passwordCheckConcurrency = integerSetting(env, 'VPCEP_PASSWORD_CHECK_CONCURRENCY', Math.max(1, os.availableParallelism() - 1), 1, 64)
  return {
    allowUnsignedPayload: booleanSetting(env, 'VPCEP_ALLOW_UNSIGNED_PAYLOAD', false),
    allowedHosts,
    headersTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs: integerSetting(env, 'VPCEP_IDLE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    maxConnectionsPerAddress: integerSetting(env, 'VPCEP_MAX_CONNECTIONS_PER_ADDRESS', 256, 0, 1_000_000),
    authThrottle: {
      enabled: booleanSetting(env, 'VPCEP_AUTH_THROTTLE', true),
      failuresBeforeBackoff: integerSetting(env, 'VPCEP_AUTH_FAILURES_BEFORE_BACKOFF', 5, 1, 1000),
      maxBackoffSeconds: integerSetting(env, 'VPCEP_AUTH_MAX_BACKOFF_SECONDS', 300, 1, 86_400),
    },
    passwordCheckConcurrency,
    trustProxy: listSetting(env, 'VPCEP_TRUST_PROXY'),
  }
}

function adminToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.VPCEP_ADMIN_TOKEN?.trim()
  if (!token) return undefined
  if (token.length < 16) throw new ConfigError('VPCEP_ADMIN_TOKEN must be at least 16 characters')
  return token
}

/** Default database: a SQLite file under ./data of the working directory. */
export function defaultDatabaseUrl(cwd = process.cwd()): string {
  return `sqlite:${path.join(cwd, 'data', 'vpcep.db')}`
}

/** Every setting vpcep reads; a config file may hold any of them, and the environment overrides it. */
export const SETTING_NAMES = [
  'VPCEP_HOST', 'VPCEP_PORT', 'VPCEP_DATABASE_URL', 'VPCEP_REGION', 'VPCEP_PROVISION_DELAY_MS', 'VPCEP_SERVICE_PROVISION_DELAY_MS',
  'VPCEP_ENDPOINT_PROVISION_DELAY_MS', 'VPCEP_RECONCILE_INTERVAL_MS', 'VPCEP_EVENT_RETENTION_HOURS', 'VPCEP_LOG_LEVEL', 'VPCEP_LOG_FORMAT', 'VPCEP_QUOTA_ENDPOINT_SERVICES',
  'VPCEP_QUOTA_ENDPOINTS', 'VPCEP_PUBLIC_SERVICES_FILE', 'VPCEP_ADMIN_TOKEN', 'VPCEP_RATE_LIMIT_RPS', 'VPCEP_RATE_LIMIT_BURST', 'VPCEP_MASTER_KEY',
  'VPCEP_ALLOW_UNSIGNED_PAYLOAD', 'VPCEP_ALLOWED_HOSTS', 'VPCEP_HEADERS_TIMEOUT_MS', 'VPCEP_REQUEST_TIMEOUT_MS', 'VPCEP_IDLE_TIMEOUT_MS',
  'VPCEP_MAX_CONNECTIONS_PER_ADDRESS', 'VPCEP_AUTH_THROTTLE', 'VPCEP_AUTH_FAILURES_BEFORE_BACKOFF', 'VPCEP_AUTH_MAX_BACKOFF_SECONDS',
  'VPCEP_PASSWORD_CHECK_CONCURRENCY', 'VPCEP_TRUST_PROXY',
  'VPCEP_DATAPLANE', 'VPCEP_ENDPOINT_ADDRESS_RANGE', 'VPCEP_DATAPLANE_HOST', 'VPCEP_DEFAULT_BACKEND', 'VPCEP_BACKENDS_FILE', 'VPCEP_DNS_PORT', 'VPCEP_DATAPLANE_POLL_MS',
  'VPCEP_WEBHOOK_ADDRESSES', 'VPCEP_WEBHOOK_TIMEOUT_MS', 'VPCEP_WEBHOOK_MAX_ATTEMPTS', 'VPCEP_WEBHOOK_BACKOFF_MS', 'VPCEP_WEBHOOK_BACKOFF_MAX_MS', 'VPCEP_WEBHOOK_CONCURRENCY', 'VPCEP_WEBHOOK_POLL_MS',
  'VPCEP_WORKERS',
] as const

/** Settings from the JSON file named by VPCEP_CONFIG_FILE, under the environment's. */
function withConfigFile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = env.VPCEP_CONFIG_FILE?.trim()
  if (!file) return env
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ConfigError(`VPCEP_CONFIG_FILE ${file}: ${(error as Error).message}`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`VPCEP_CONFIG_FILE ${file}: expected a JSON object of settings`)
  const fromFile: Record<string, string> = {}
  for (const [name, value] of Object.entries(parsed)) {
    if (!(SETTING_NAMES as readonly string[]).includes(name)) throw new ConfigError(`VPCEP_CONFIG_FILE ${file}: unknown setting ${name}; known: ${SETTING_NAMES.join(', ')}`)
    if (typeof value !== 'string' && typeof value !== 'number') throw new ConfigError(`VPCEP_CONFIG_FILE ${file}: ${name} must be a string or a number`)
    fromFile[name] = String(value)
  }
  return { ...fromFile, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) }
}

export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Config {
  const env = withConfigFile(rawEnv)
  const region = env.VPCEP_REGION?.trim() || 'cn-north-4'
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
    throw new ConfigError(`VPCEP_REGION must look like a region name such as cn-north-4, got "${region}"`)
  }
  const logLevel = (env.VPCEP_LOG_LEVEL?.trim() || 'info') as Config['logLevel']
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`VPCEP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  }
  const logFormat = (env.VPCEP_LOG_FORMAT?.trim() || (process.stdout.isTTY ? 'pretty' : 'json')) as Config['logFormat']
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new ConfigError(`VPCEP_LOG_FORMAT must be json or pretty, got "${logFormat}"`)
  const databaseUrl = env.VPCEP_DATABASE_URL?.trim() || defaultDatabaseUrl()
  if (!/^(sqlite:|postgres:|postgresql:)/.test(databaseUrl)) {
    throw new ConfigError(`VPCEP_DATABASE_URL must start with sqlite: or postgres://, got "${databaseUrl}"`)
  }
  const provisionDelayMs = integerSetting(env, 'VPCEP_PROVISION_DELAY_MS', 0, 0, 86_400_000)
  const host = env.VPCEP_HOST?.trim() || '127.0.0.1'
  return {
    host,
    port: integerSetting(env, 'VPCEP_PORT', 9880, 0, 65535),
    databaseUrl,
    region,
    provisionDelayMs,
    provisionDelays: {
      endpointService: integerSetting(env, 'VPCEP_SERVICE_PROVISION_DELAY_MS', provisionDelayMs, 0, 86_400_000),
      endpoint: integerSetting(env, 'VPCEP_ENDPOINT_PROVISION_DELAY_MS', provisionDelayMs, 0, 86_400_000),
    },
    adminToken: adminToken(env),
    rateLimit: {
      perSecond: integerSetting(env, 'VPCEP_RATE_LIMIT_RPS', 0, 0, 1_000_000),
      burst: integerSetting(env, 'VPCEP_RATE_LIMIT_BURST', 0, 0, 10_000_000),
    },
    reconcileIntervalMs: integerSetting(env, 'VPCEP_RECONCILE_INTERVAL_MS', 1000, 10, 3_600_000),
    eventRetentionHours: integerSetting(env, 'VPCEP_EVENT_RETENTION_HOURS', 168, 1, 87_600),
    logLevel,
    logFormat,
    bodyLimit: 1024 * 1024,
    tokenTtlSeconds: 24 * 3600,
    quotas: {
      endpointService: integerSetting(env, 'VPCEP_QUOTA_ENDPOINT_SERVICES', 20, 0, 1_000_000),
      endpoint: integerSetting(env, 'VPCEP_QUOTA_ENDPOINTS', 50, 0, 1_000_000),
    },
    publicServicesFile: env.VPCEP_PUBLIC_SERVICES_FILE?.trim() || undefined,
    security: securitySettings(env),
    webhooks: {
      addresses: webhookAddresses(env, host),
      timeoutMs: integerSetting(env, 'VPCEP_WEBHOOK_TIMEOUT_MS', 10_000, 10, 120_000),
      maxAttempts: integerSetting(env, 'VPCEP_WEBHOOK_MAX_ATTEMPTS', 12, 1, 100),
      backoffMs: integerSetting(env, 'VPCEP_WEBHOOK_BACKOFF_MS', 5_000, 1, 3_600_000),
      backoffMaxMs: integerSetting(env, 'VPCEP_WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 1, 86_400_000),
      concurrency: integerSetting(env, 'VPCEP_WEBHOOK_CONCURRENCY', 16, 1, 1000),
      pollMs: integerSetting(env, 'VPCEP_WEBHOOK_POLL_MS', 1000, 10, 60_000),
    },
    dataplane: dataplaneConfig(env, databaseUrl),
    workers: workerCount(env, databaseUrl),
  }
}

/** VPCEP_WORKERS: a number, or `auto` for one per core; unset: one per core in production, else one. */
function workerCount(env: NodeJS.ProcessEnv, databaseUrl: string): number {
  const raw = env.VPCEP_WORKERS?.trim().toLowerCase()
  const count = raw === 'auto' || ((raw === undefined || raw === '') && env.NODE_ENV === 'production') ? os.availableParallelism() : integerSetting(env, 'VPCEP_WORKERS', 1, 1, 256)
  // Every worker opens the database itself: an in-memory SQLite database would be one per process.
  if (count > 1 && /^sqlite:(\/\/)?:memory:$/.test(databaseUrl)) {
    if (raw === undefined || raw === '') return 1
    throw new ConfigError('VPCEP_WORKERS above 1 needs a database the workers share: a SQLite file or PostgreSQL, not sqlite::memory:')
  }
  return count
}

const LOOPBACK_FIRST = 0x7f000000
const LOOPBACK_LAST = 0x7fffffff

function ipv4Number(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(p))) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

/** A CIDR inside 127.0.0.0/8 as its first and last usable numbers (network and broadcast numbers left out). */
export function loopbackRange(name: string, cidr: string): DataplaneConfig['addressRange'] {
  const [address, prefixText] = cidr.split('/')
  const base = ipv4Number(address ?? '')
  const prefix = Number(prefixText)
  if (base === undefined || !/^\d+$/.test(prefixText ?? '') || prefix < 8 || prefix > 30) throw new ConfigError(`${name} must be a CIDR such as 127.8.0.0/16 (prefix 8-30), got "${cidr}"`)
  const size = 2 ** (32 - prefix)
  const network = base - (base % size)
  if (network < LOOPBACK_FIRST || network + size - 1 > LOOPBACK_LAST) throw new ConfigError(`${name} must lie inside 127.0.0.0/8 (every address of it is local on Linux), got "${cidr}"`)
  // 127.0.0.1 is the fallback host's: never handed to an endpoint.
  const first = Math.max(network + 1, LOOPBACK_FIRST + 2)
  return { cidr: `${address}/${prefix}`, first, last: network + size - 2 }
}

function dataplaneConfig(env: NodeJS.ProcessEnv, databaseUrl: string): DataplaneConfig {
  const mode = (env.VPCEP_DATAPLANE?.trim() || (databaseUrl.startsWith('sqlite:') ? 'embedded' : 'external')) as DataplaneConfig['mode']
  if (!['embedded', 'external', 'off'].includes(mode)) throw new ConfigError(`VPCEP_DATAPLANE must be embedded, external or off, got "${mode}"`)
  const fallbackHost = env.VPCEP_DATAPLANE_HOST?.trim() || '127.0.0.1'
  if (ipv4Number(fallbackHost) === undefined) throw new ConfigError(`VPCEP_DATAPLANE_HOST must be an IPv4 address, got "${fallbackHost}"`)
  const backend = env.VPCEP_DEFAULT_BACKEND?.trim() || '127.0.0.1'
  if (backend !== 'none' && ipv4Number(backend) === undefined) throw new ConfigError(`VPCEP_DEFAULT_BACKEND must be an IPv4 address or none, got "${backend}"`)
  const dns = env.VPCEP_DNS_PORT?.trim() || '9853'
  return {
    mode,
    addressRange: loopbackRange('VPCEP_ENDPOINT_ADDRESS_RANGE', env.VPCEP_ENDPOINT_ADDRESS_RANGE?.trim() || '127.8.0.0/16'),
    fallbackHost,
    defaultBackend: backend === 'none' ? undefined : backend,
    backendsFile: env.VPCEP_BACKENDS_FILE?.trim() || undefined,
    dnsPort: dns === 'off' ? undefined : integerSetting({ VPCEP_DNS_PORT: dns }, 'VPCEP_DNS_PORT', 9853, 0, 65535),
    pollMs: integerSetting(env, 'VPCEP_DATAPLANE_POLL_MS', 100, 10, 10_000),
  }
}
