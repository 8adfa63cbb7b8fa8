import { Command, CommanderError } from 'commander'
import { CliError, EXIT, exitCodeOf } from './errors.ts'
import { registerAdmin } from './commands/admin.ts'
import { registerConfigure } from './commands/configure.ts'
import { registerServices } from './commands/services.ts'
import { registerPermissions } from './commands/permissions.ts'
import { registerConnections } from './commands/connections.ts'
import { registerEndpoints } from './commands/endpoints.ts'
import { registerQuotas } from './commands/quotas.ts'
import { registerTags } from './commands/tags.ts'
import { registerSign } from './commands/sign.ts'
import { registerDataplane } from './commands/dataplane.ts'
import { registerSubscriptions } from './commands/subscriptions.ts'

/*
 * `vpcep`: the API through the typed client (services, permissions, connections, endpoints, quotas,
 * tags), and administration on the database directly (accounts, migrate, serve). docs/cli.md is the
 * reference; exit codes are in errors.ts.
 */
// Output piped into a reader that stops early (`vpcep services list | head`) is not an error of ours: a
// closed pipe ends the command quietly, as for other command-line tools, instead of a crash and a trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(EXIT.ok)
})

const program = new Command()
  .name('vpcep')
  .description('Self-hosted Huawei Cloud VPC Endpoint (VPCEP) control plane: server, administration and API client')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    `
Credentials and endpoint: flags, else VPCEP_ENDPOINT, VPCEP_ACCESS_KEY, VPCEP_SECRET_KEY, VPCEP_PROJECT_ID,
else a profile of ~/.config/vpcep/config (write one with "vpcep configure").

Exit codes: 0 ok, 1 API or client error, 2 usage, 3 not found (404), 4 authentication (401/403),
5 server or network (5xx, connection refused, --wait timeout).

Example (a provider publishes a service, a consumer connects to it):
  $ vpcep services create --port-id <uuid> --vpc-id <uuid> --port 8080:80 --wait
  $ vpcep permissions add <service-id> <consumer domain id>
  $ vpcep endpoints create --service <service-id> --vpc-id <uuid> --subnet-id <uuid> --wait   # as the consumer
  $ vpcep connections accept <service-id> <endpoint-id> --wait
`,
  )

registerServices(program)
registerPermissions(program)
registerConnections(program)
registerEndpoints(program)
registerQuotas(program)
registerTags(program)
registerSubscriptions(program)
registerConfigure(program)
registerSign(program)
registerAdmin(program)
registerDataplane(program)

function exitOverrideEverywhere(command: Command): void {
  command.exitOverride()
  command.showHelpAfterError('(add --help for usage)')
  for (const sub of command.commands) exitOverrideEverywhere(sub)
}
exitOverrideEverywhere(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error (already printed).
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage
  } else {
    const message = error instanceof CliError || error instanceof Error ? error.message : String(error)
    process.stderr.write(`vpcep: ${message}\n`)
    process.exitCode = exitCodeOf(error)
  }
}
