import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { UsageError } from './errors.ts'

/*
 * Where the API commands find the server and the credentials: flags, then the environment, then a
 * profile of the INI file ~/.config/vpcep/config ($XDG_CONFIG_HOME/vpcep/config when that is set).
 */

export const FIELDS = {
  endpoint: { flag: '--endpoint', env: 'VPCEP_ENDPOINT', key: 'endpoint' },
  accessKey: { flag: '--access-key', env: 'VPCEP_ACCESS_KEY', key: 'access_key' },
  secretKey: { flag: '--secret-key', env: 'VPCEP_SECRET_KEY', key: 'secret_key' },
  projectId: { flag: '--project-id', env: 'VPCEP_PROJECT_ID', key: 'project_id' },
  token: { flag: '--token', env: 'VPCEP_AUTH_TOKEN', key: 'auth_token' },
} as const
export type Field = keyof typeof FIELDS
export type Source = 'flag' | 'env' | 'profile' | 'default'

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9880'
export const DEFAULT_PROFILE = 'default'

export interface ConnectionFlags {
  endpoint?: string
  accessKey?: string
  secretKey?: string
  projectId?: string
  token?: string
  profile?: string
}

export interface Settings {
  endpoint: string
  accessKey: string | undefined
  secretKey: string | undefined
  projectId: string | undefined
  token: string | undefined
  profile: string
  profilePath: string
  /** Where each value came from, for messages that say what to fix. */
  sources: Partial<Record<Field, Source>>
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim()
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME?.trim() || os.homedir(), '.config')
  return path.join(base, 'vpcep', 'config')
}

export type Profiles = Map<string, Map<string, string>>

/** Parses the INI profile file: `[name]` sections of `key = value` lines; `#` and `;` start comments. */
export function parseProfiles(text: string, file: string): Profiles {
  const profiles: Profiles = new Map()
  let current: Map<string, string> | undefined
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line)
    if (section) {
      const name = section[1]!.replace(/^profile\s+/, '')
      current = profiles.get(name) ?? new Map()
      profiles.set(name, current)
      return
    }
    const eq = line.indexOf('=')
    if (eq < 0 || !current) throw new UsageError(`${file}:${index + 1}: expected "[profile]" or "key = value", got "${line}"`)
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim())
  })
  return profiles
}

export function readProfiles(file: string): Profiles {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`)
  }
  return parseProfiles(text, file)
}

export function formatProfiles(profiles: Profiles): string {
  const sections: string[] = []
  for (const [name, values] of profiles) {
    const lines = [`[${name}]`, ...[...values].filter(([, v]) => v !== '').map(([k, v]) => `${k} = ${v}`)]
    sections.push(lines.join('\n'))
  }
  return `${sections.join('\n\n')}\n`
}

/** Writes the file with mode 0600 (its directory 0700): it holds secret keys. */
export function writeProfiles(file: string, profiles: Profiles): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const temp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temp, formatProfiles(profiles), { mode: 0o600 })
  fs.chmodSync(temp, 0o600)
  fs.renameSync(temp, file)
}

/** Flags > environment > profile; the profile is `--profile`, else `VPCEP_PROFILE`, else `default`. */
export function resolveSettings(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Settings {
  const profilePath = configPath(env)
  const explicitProfile = flags.profile ?? (env.VPCEP_PROFILE?.trim() || undefined)
  const profile = explicitProfile ?? DEFAULT_PROFILE
  const profiles = readProfiles(profilePath)
  const values = profiles.get(profile)
  if (explicitProfile !== undefined && !values) {
    const known = [...profiles.keys()]
    throw new UsageError(`there is no profile "${profile}" in ${profilePath}${known.length ? ` (it has: ${known.join(', ')})` : ''}; create it with "vpcep configure --profile ${profile}"`)
  }
  const sources: Settings['sources'] = {}
  const pick = (field: Field): string | undefined => {
    const spec = FIELDS[field]
    const candidates: Array<[Source, string | undefined]> = [
      ['flag', flags[field]],
      ['env', env[spec.env]],
      ['profile', values?.get(spec.key)],
    ]
    for (const [source, raw] of candidates) {
      const value = raw?.trim()
      if (value) {
        sources[field] = source
        return value
      }
    }
    return undefined
  }
  let endpoint = pick('endpoint')
  if (endpoint === undefined) {
    endpoint = DEFAULT_ENDPOINT
    sources.endpoint = 'default'
  }
  return { endpoint, accessKey: pick('accessKey'), secretKey: pick('secretKey'), projectId: pick('projectId'), token: pick('token'), profile, profilePath, sources }
}

/** Names the place a value came from, as the person would fix it: `--secret-key`, `VPCEP_SECRET_KEY`… */
export function sourceOf(settings: Settings, field: Field): string {
  const spec = FIELDS[field]
  switch (settings.sources[field]) {
    case 'flag':
      return spec.flag
    case 'env':
      return spec.env
    case 'profile':
      return `${spec.key} in profile [${settings.profile}] of ${settings.profilePath}`
    case 'default':
      return `${spec.flag} (default ${DEFAULT_ENDPOINT})`
    default:
      return `${spec.env} (or ${spec.flag})`
  }
}
