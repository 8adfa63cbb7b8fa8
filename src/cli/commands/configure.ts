import readline from 'node:readline/promises'
import type { Command } from 'commander'
import { VpcepClient } from '../../client/client.ts'
import { configPath, DEFAULT_ENDPOINT, DEFAULT_PROFILE, FIELDS, readProfiles, writeProfiles, type Field } from '../settings.ts'
import { note, println } from '../output.ts'

const ORDER: Field[] = ['endpoint', 'accessKey', 'secretKey', 'projectId']

function masked(value: string): string {
  return value.length <= 4 ? '****' : `****${value.slice(-4)}`
}

export function registerConfigure(program: Command): void {
  program
    .command('configure')
    .description('write a profile (endpoint and keys) to ~/.config/vpcep/config, mode 0600')
    .option('--profile <name>', 'the profile to write', DEFAULT_PROFILE)
    .option('--endpoint <url>', 'server URL')
    .option('--access-key <ak>', 'access key (AK)')
    .option('--secret-key <sk>', 'secret key (SK)')
    .option('--project-id <id>', 'project id (looked up from the keys when not given)')
    .addHelpText(
      'after',
      `
Each value comes from its flag, else the environment (VPCEP_ENDPOINT, VPCEP_ACCESS_KEY, VPCEP_SECRET_KEY,
VPCEP_PROJECT_ID), else the profile's current value; on a terminal, you are asked for the rest. Other
profiles in the file are kept. The file is $XDG_CONFIG_HOME/vpcep/config when XDG_CONFIG_HOME is set.

Examples:
  $ vpcep configure
  $ vpcep configure --profile consumer --endpoint http://vpcep.internal:9880 --access-key AK… --secret-key SK…
`,
    )
    .action(async (options: { profile: string; endpoint?: string; accessKey?: string; secretKey?: string; projectId?: string }) => {
      const file = configPath()
      const profiles = readProfiles(file)
      const current = profiles.get(options.profile) ?? new Map<string, string>()
      const values = new Map<Field, string>()
      for (const field of ORDER) {
        const value = options[field as keyof typeof options]?.trim() || process.env[FIELDS[field].env]?.trim() || current.get(FIELDS[field].key)
        if (value) values.set(field, value)
      }
      if (process.stdin.isTTY && process.stderr.isTTY) {
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr })
        try {
          for (const field of ORDER) {
            const known = values.get(field) ?? (field === 'endpoint' ? DEFAULT_ENDPOINT : undefined)
            const shown = known === undefined ? '' : ` [${field === 'secretKey' ? masked(known) : known}]`
            const label = field === 'projectId' ? `${FIELDS[field].key} (empty: look it up)` : FIELDS[field].key
            const answer = (await rl.question(`${label}${shown}: `)).trim()
            if (answer) values.set(field, answer)
            else if (known !== undefined) values.set(field, known)
          }
        } finally {
          rl.close()
        }
      }
      const accessKey = values.get('accessKey')
      const secretKey = values.get('secretKey')
      if (!values.has('projectId') && accessKey && secretKey) {
        try {
          const projects = await VpcepClient.projects({ endpoint: values.get('endpoint') ?? DEFAULT_ENDPOINT, auth: { kind: 'aksk', accessKey, secretKey } })
          if (projects.length === 1) values.set('projectId', projects[0]!.id)
        } catch (error) {
          note(`note: could not look up the project id (${(error as Error).message}); it will be looked up on each call`)
        }
      }
      const section = new Map(current)
      for (const field of ORDER) {
        const value = values.get(field)
        if (value !== undefined) section.set(FIELDS[field].key, value)
      }
      profiles.set(options.profile, section)
      writeProfiles(file, profiles)
      println(`Wrote profile [${options.profile}] to ${file}`)
      const missing = ORDER.filter((f) => f !== 'projectId' && f !== 'endpoint' && !section.get(FIELDS[f].key))
      if (missing.length) note(`note: the profile has no ${missing.map((f) => FIELDS[f].key).join(' or ')} yet`)
    })
}
