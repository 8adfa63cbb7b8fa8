import type { Command } from 'commander'
import { VpcepClient } from '../client/client.ts'
import { VpcepApiError, VpcepNetworkError, VpcepWaitError } from '../client/errors.ts'
import type { Auth } from '../client/transport.ts'
import type { WaitOptions } from '../client/waiters.ts'
import { CliError, EXIT, UsageError, exitCodeOf } from './errors.ts'
import { resolveSettings, sourceOf, type ConnectionFlags, type Settings, type Source } from './settings.ts'
import { startProgress } from './progress.ts'
import { parseSeconds } from './parse.ts'

/** What an API command's action gets: a ready client, how it was configured, and the output mode. */
export interface ApiContext {
  client: VpcepClient
  settings: Settings
  json: boolean
  /** `--wait` was given. */
  wait: boolean
  /** Runs a waiter with `--timeout` and, on a terminal, a spinner on stderr. */
  waitFor<T>(label: string, run: (options: WaitOptions) => Promise<T>): Promise<T>
}

export interface ApiCommandSpec {
  /** Name and arguments, commander style: `show <service-id>`. */
  name: string
  description: string
  examples: string[]
  /** Adds the command's own options. */
  options?: (command: Command) => void
  /** When set, the command gets `--wait` (described by this text) and `--timeout`. */
  wait?: string
  /** The usage line's options, when commander's required options do not tell it all (a flag required in most cases). */
  usage?: string
  action: (ctx: ApiContext, args: string[], options: Record<string, unknown>) => Promise<void>
}

/** Request fields whose flag is not the field's own name with dashes (port_id ↔ --port-id needs no entry). */
const FIELD_FLAGS: Record<string, string> = {
  ports: '--port',
  service_name: '--name',
  endpoint_service_name: '--name',
  endpoint_service_id: '--service',
  approval_enabled: '--approval',
  enable_whitelist: '--whitelist',
  tags: '--tag',
}

/** Which flag of `command` sets each request field, so the server's words about a field can name the flag. */
function flagsOf(command: Command): Map<string, string> {
  const longs = new Set(command.options.map((option) => option.long).filter((long): long is string => long !== undefined))
  const map = new Map<string, string>()
  for (const long of longs) map.set(long.slice(2).replace(/-/g, '_'), long)
  for (const [field, flag] of Object.entries(FIELD_FLAGS)) if (longs.has(flag)) map.set(field, flag)
  return map
}

/**
 * The server names request fields ("Body field ports[0].client_port must be…", "subnet_id is required…");
 * a CLI user typed flags. Every field of the command's own flags is replaced by its flag.
 */
export function inFlagWords(message: string, flags: Map<string, string>): string {
  const placed = message.replace(/\b(?:Body field|Query parameter) ([a-z_]+)((?:\[\d+\])?)((?:\.[a-z_]+)*)/g, (whole, root: string, index: string, rest: string) => {
    const flag = flags.get(root)
    if (!flag) return whole
    const position = index ? `value ${Number(index.slice(1, -1)) + 1}` : ''
    const detail = [position, rest.replace(/^\./, '')].filter(Boolean).join(', ')
    return detail ? `${flag} (${detail})` : flag
  })
  return placed.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (word) => flags.get(word) ?? word)
}

const DEFAULT_TIMEOUT_SECONDS = 300

/** Declares one API command: its options, `--json`, the connection options, examples, and error mapping. */
export function apiCommand(parent: Command, spec: ApiCommandSpec): Command {
  const command = parent.command(spec.name).description(spec.description)
  spec.options?.(command)
  const required = command.options.filter((option) => option.mandatory)
  for (const option of required) option.description = `${option.description} (required)`
  if (spec.usage || required.length) command.usage(spec.usage ?? `${required.map((option) => option.flags).join(' ')} [options]`)
  const fieldFlags = flagsOf(command)
  command.option('--json', 'print the API response as JSON, unchanged (for scripts)')
  if (spec.wait) {
    command.option('--wait', spec.wait)
    command.option('--timeout <seconds>', `give up waiting after this many seconds (exit 5)`, parseSeconds, DEFAULT_TIMEOUT_SECONDS)
  }
  command.optionsGroup('Connection options (default: environment, then the profile file):')
  command.option('--endpoint <url>', 'server URL [VPCEP_ENDPOINT; default http://127.0.0.1:9880]')
  command.option('--access-key <ak>', 'access key (AK) [VPCEP_ACCESS_KEY]')
  command.option('--secret-key <sk>', 'secret key (SK) [VPCEP_SECRET_KEY]')
  command.option('--project-id <id>', 'project id; looked up from the keys when unset [VPCEP_PROJECT_ID]')
  command.option('--token <token>', 'an IAM token instead of AK/SK [VPCEP_AUTH_TOKEN]')
  command.option('--profile <name>', 'profile of ~/.config/vpcep/config to read [VPCEP_PROFILE; default "default"]')
  command.addHelpText('after', `\nExample${spec.examples.length > 1 ? 's' : ''}:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`)
  command.action(async (...received: unknown[]) => {
    const cmd = received[received.length - 1] as Command
    const options = cmd.opts<Record<string, unknown> & ConnectionFlags & { json?: boolean; wait?: boolean; timeout?: number }>()
    let settings: Settings | undefined
    try {
      settings = resolveSettings(options)
      const client = await clientFor(settings)
      const timeoutMs = (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000
      const ctx: ApiContext = {
        client,
        settings,
        json: options.json === true,
        wait: options.wait === true,
        async waitFor(label, run) {
          const progress = startProgress(label)
          try {
            return await run({ timeoutMs, onPoll: (status) => progress.update(status) })
          } finally {
            progress.stop()
          }
        },
      }
      await spec.action(ctx, cmd.args, options)
    } catch (error) {
      throw explain(error, settings, parent.name(), fieldFlags)
    }
  })
  return command
}

const RANK: Record<Source, number> = { flag: 0, env: 1, profile: 2, default: 3 }

function authFor(settings: Settings): Auth {
  const { accessKey, secretKey, token, sources } = settings
  const keysRank = Math.min(RANK[sources.accessKey ?? 'default'], RANK[sources.secretKey ?? 'default'])
  if (token && (!accessKey || !secretKey || RANK[sources.token!] < keysRank)) return { kind: 'token', token }
  if (accessKey && secretKey) return { kind: 'aksk', accessKey, secretKey }
  if (accessKey || secretKey) {
    const missing = accessKey ? 'secretKey' : 'accessKey'
    throw new UsageError(`${accessKey ? 'a secret key' : 'an access key'} is missing: set ${sourceOf(settings, missing)} or run "vpcep configure"`)
  }
  throw new UsageError('no credentials: set VPCEP_ACCESS_KEY and VPCEP_SECRET_KEY, pass --access-key and --secret-key, or run "vpcep configure"')
}

/** A client for the settings; without a project id, the credential's only project is looked up. */
export async function clientFor(settings: Settings): Promise<VpcepClient> {
  const auth = authFor(settings)
  const base = { endpoint: settings.endpoint, auth, userAgent: 'vpcep-cli/0.1' }
  try {
    if (settings.projectId) return new VpcepClient({ ...base, projectId: settings.projectId })
    const projects = await VpcepClient.projects(base)
    if (projects.length !== 1) {
      throw new UsageError(`these credentials may act in ${projects.length} projects (${projects.map((p) => p.id).join(', ')}); choose one with VPCEP_PROJECT_ID or --project-id`)
    }
    settings.projectId = projects[0]!.id
    return new VpcepClient({ ...base, projectId: settings.projectId })
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`${error.message} (from ${sourceOf(settings, 'endpoint')})`)
    throw error
  }
}

/** Turns any failure into a CliError that says what happened and what to do, with its exit code. */
export function explain(error: unknown, settings: Settings | undefined, group: string, fieldFlags = new Map<string, string>()): CliError {
  if (error instanceof CliError) return error
  const code = exitCodeOf(error)
  if (error instanceof VpcepApiError) {
    const hinted = apiHint(error, settings, group)
    const summary = error.status === 400 ? inFlagWords(hinted.summary, fieldFlags) : hinted.summary
    const hint = hinted.hint
    const request = error.requestId ? ` (request ${error.requestId})` : ''
    return new CliError(`${error.status}${error.errorCode ? ` ${error.errorCode}` : ''}: ${summary}${hint ? ` — ${hint}` : ''}${request}`, code)
  }
  if (error instanceof VpcepNetworkError) {
    const where = settings ? sourceOf(settings, 'endpoint') : 'VPCEP_ENDPOINT'
    return new CliError(`${error.message} — is the server running? check ${where}`, code)
  }
  if (error instanceof VpcepWaitError) {
    return new CliError(error.reason === 'timeout' ? `${error.message} — it may still get there: check again later, or wait longer with --timeout` : error.message, code)
  }
  return new CliError((error as Error)?.message ?? String(error), EXIT.error)
}

function apiHint(error: VpcepApiError, settings: Settings | undefined, group: string): { summary: string; hint: string } {
  const message = error.errorMsg
  const where = (field: Parameters<typeof sourceOf>[1]) => (settings ? sourceOf(settings, field) : `the ${field}`)
  const project = settings?.projectId ?? 'the configured project'
  if (error.status === 401) {
    if (/signature does not match/i.test(message)) return { summary: 'the signature does not match', hint: `check ${where('secretKey')}` }
    if (/unknown access key/i.test(message)) {
      return { summary: 'the access key is not known to the server', hint: `check ${where('accessKey')} (keys replaced by "vpcep accounts rotate-keys" stop working at once)` }
    }
    if (/X-Sdk-Date/i.test(message)) return { summary: message, hint: "set this machine's clock right: it must be within 15 minutes of the server's" }
    if (/token/i.test(message)) return { summary: message, hint: `get a new token (check ${where('token')})` }
    return { summary: message, hint: `check ${where('accessKey')} and ${where('secretKey')}` }
  }
  if (error.status === 403) return { summary: message, hint: `these credentials may not act in project ${project}: check ${where('projectId')}` }
  if (error.status === 404) {
    if (/No API at/.test(message)) return { summary: message, hint: `is ${settings?.endpoint ?? 'the endpoint'} a vpcep server? check ${where('endpoint')}` }
    const lists = error.errorCode === 'EndPoint.2006' ? ['"vpcep endpoints list"'] : ['"vpcep services list"']
    if (group === 'permissions' && /whitelist record/i.test(message)) lists.unshift('"vpcep permissions list <service-id>"')
    return { summary: message, hint: `check the id; ${lists.join(' and ')} show${lists.length > 1 ? '' : 's'} what exists in project ${project}` }
  }
  if (error.status >= 500) return { summary: message, hint: 'a server-side failure: retry shortly; if it persists, give the operator the request id' }
  const hints: Record<string, string> = {
    'EndPoint.2012': "ask the service's owner to run \"vpcep permissions add <service-id> <your domain id>\"",
    'EndPoint.3006': 'the service still has accepted or creating endpoints: reject them or have them deleted first',
    'EndPoint.2004': 'the service is not available yet: wait for it ("vpcep services show <id>")',
    'EndPoint.2019': 'the endpoint is still being created: retry in a moment',
    'EndPoint.3045': 'the service is not available (creating or deleting): wait, then retry',
    'Endpoint.1018': 'see "vpcep quotas"; delete unused resources or ask the operator for a higher quota',
  }
  return { summary: message, hint: hints[error.errorCode] ?? '' }
}
