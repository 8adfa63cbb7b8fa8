import fs from 'node:fs'
import type { Command } from 'commander'
import { signRequest } from '../../client/signing.ts'
import { UsageError } from '../errors.ts'
import { println } from '../output.ts'
import { resolveSettings, sourceOf, type ConnectionFlags } from '../settings.ts'

/*
 * `vpcep sign`: the AK/SK headers (SDK-HMAC-SHA256) for one request, so curl and other tools that know
 * nothing of the signature can call the API with keys instead of a token. The signature covers the method,
 * path, query, the headers printed and the body's SHA-256, and X-Sdk-Date must be within 15 minutes of the
 * server's clock: sign right before sending, and send exactly the body that was signed.
 */

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']

interface SignOptions extends ConnectionFlags {
  data?: string
  dataFile?: string
  header: string[]
  curl?: boolean
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** `'…'` for a POSIX shell: the text as is, each `'` written as `'\''`. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

function targetUrl(given: string, endpoint: string): URL {
  try {
    return given.startsWith('/') ? new URL(`${endpoint.replace(/\/+$/, '')}${given}`) : new URL(given)
  } catch {
    throw new UsageError(`"${given}" is not a URL; give a full URL (http://127.0.0.1:9880/v1/…) or a path (/v1/…) below --endpoint`)
  }
}

function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(':')
  const name = colon > 0 ? line.slice(0, colon).trim() : ''
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new UsageError(`--header "${line}": write it as "Name: value"`)
  return [name, line.slice(colon + 1).trim()]
}

export function registerSign(program: Command): void {
  program
    .command('sign')
    .argument('<method>', `HTTP method: ${METHODS.join(', ')}`)
    .argument('<url>', 'the full request URL, query included, or a path below --endpoint (/v1/<project_id>/…)')
    .description('print the AK/SK signature headers (SDK-HMAC-SHA256) for one request, for curl and other tools')
    .option('-d, --data <json>', 'the request body, exactly as it will be sent')
    .option('--data-file <path>', 'read the request body from a file ("-" for standard input)')
    .option('-H, --header <line>', 'another header to send and sign, "Name: value" (repeatable)', collect, [])
    .option('--curl', 'print a complete curl command instead of the headers')
    .optionsGroup('Connection options (default: environment, then the profile file):')
    .option('--endpoint <url>', 'server URL, for a path given as <url> [VPCEP_ENDPOINT; default http://127.0.0.1:9880]')
    .option('--access-key <ak>', 'access key (AK) [VPCEP_ACCESS_KEY]')
    .option('--secret-key <sk>', 'secret key (SK) [VPCEP_SECRET_KEY]')
    .option('--project-id <id>', 'sent and signed as X-Project-Id when set [VPCEP_PROJECT_ID]')
    .option('--profile <name>', 'profile of ~/.config/vpcep/config to read [VPCEP_PROFILE; default "default"]')
    .addHelpText(
      'after',
      `
The headers are printed one per line, as curl reads them with -H @file. Sign right before sending (the
signature is valid for 15 minutes) and send the body that was signed, byte for byte.

Examples:
  $ curl -s -H @<(vpcep sign GET /v1/$VPCEP_PROJECT_ID/vpc-endpoint-services) http://127.0.0.1:9880/v1/$VPCEP_PROJECT_ID/vpc-endpoint-services
  $ vpcep sign POST /v1/$VPCEP_PROJECT_ID/vpc-endpoint-services --data "$BODY" --curl | sh
`,
    )
    .action((method: string, url: string, options: SignOptions) => {
      const verb = method.toUpperCase()
      if (!METHODS.includes(verb)) throw new UsageError(`<method> "${method}" is not one of ${METHODS.join(', ')}`)
      if (options.data !== undefined && options.dataFile !== undefined) throw new UsageError('give the body once: --data or --data-file, not both')
      const settings = resolveSettings(options)
      if (!settings.accessKey || !settings.secretKey) {
        const missing = !settings.accessKey ? 'accessKey' : 'secretKey'
        throw new UsageError(`signing needs an access key and a secret key; set ${sourceOf(settings, missing)} ("vpcep accounts create" or "vpcep accounts rotate-keys" issues a pair)`)
      }
      let body = options.data
      if (options.dataFile !== undefined) {
        try {
          body = fs.readFileSync(options.dataFile === '-' ? 0 : options.dataFile, 'utf8')
        } catch (error) {
          throw new UsageError(`--data-file: cannot read ${options.dataFile}: ${(error as Error).message}`)
        }
      }
      const target = targetUrl(url, settings.endpoint)
      const headers: Record<string, string> = {}
      for (const line of options.header) {
        const [name, value] = parseHeader(line)
        headers[name] = value
      }
      const named = (wanted: string) => Object.keys(headers).some((name) => name.toLowerCase() === wanted)
      if (body !== undefined && body !== '' && !named('content-type')) headers['Content-Type'] = 'application/json'
      if (settings.projectId && !named('x-project-id')) headers['X-Project-Id'] = settings.projectId
      const signed = signRequest({ method: verb, url: target, headers, body, credentials: { accessKey: settings.accessKey, secretKey: settings.secretKey } })
      const lines = Object.entries(signed).map(([name, value]) => `${name}: ${value}`)
      if (!options.curl) {
        for (const line of lines) println(line)
        return
      }
      const parts = ['curl', '-sS', '-X', verb, shellQuote(target.toString()), ...lines.flatMap((line) => ['-H', shellQuote(line)])]
      if (body !== undefined && body !== '') parts.push('--data-raw', shellQuote(body))
      println(parts.join(' '))
    })
}
