import type { Command } from 'commander'
import { CliError, EXIT } from '../errors.ts'
import { printJson, printTable, println } from '../output.ts'
import { parseCount } from '../parse.ts'
import { withStore } from './admin.ts'

/*
 * The data plane's commands: run it as a role of its own, map service port ids to backend addresses
 * (database, like accounts), and an example backend that prints the PROXY protocol header it receives.
 */

const BACKENDS_NOTE = `
A service's port_id names a NIC vpcep cannot see; a backend mapping says where it really is. Lookup order:
these mappings, then VPCEP_BACKENDS_FILE, then VPCEP_DEFAULT_BACKEND (127.0.0.1; "none" leaves unknown
ports unforwarded). The port is the service's server_port. The database is VPCEP_DATABASE_URL.
`

async function backendsOf(store: import('../../store/database.ts').Store) {
  const { Backends } = await import('../../domain/backends.ts')
  const { systemClock } = await import('../../domain/clock.ts')
  return new Backends(store, systemClock)
}

function registerBackends(program: Command): void {
  const backends = program.command('backends').description("where services' port ids really are: port id → backend address (database)")
  backends.addHelpText('after', `${BACKENDS_NOTE}\nExample:\n  $ vpcep backends set 4189d3c2-8882-4871-a3c2-d380272eed88 127.0.0.5\n`)

  backends
    .command('list')
    .option('--json', 'print a JSON array (for scripts)')
    .description('list the port id → address mappings')
    .action(async (options: { json?: boolean }) => {
      await withStore(async (store, config) => {
        const rows = (await (await backendsOf(store)).list()).map((b) => ({ port_id: b.portId, address: b.address, updated_at: b.updatedAt }))
        if (options.json) return printJson(rows)
        printTable(rows, [
          { header: 'PORT_ID', value: (b) => b.port_id },
          { header: 'ADDRESS', value: (b) => b.address },
          { header: 'UPDATED', value: (b) => b.updated_at },
        ], `(no mappings: every port id goes to ${config.dataplane.defaultBackend ?? 'nowhere (VPCEP_DEFAULT_BACKEND=none)'})`)
      })
    })

  backends
    .command('set')
    .argument('<port-id>', "the service's port_id")
    .argument('<address>', 'IPv4 address of the backend (the port is the server_port)')
    .option('--json', 'print one JSON object (for scripts)')
    .description('send traffic for services on this port id to this address (takes effect within a second)')
    .action(async (portId: string, address: string, options: { json?: boolean }) => {
      const { checkBackendAddress } = await import('../../domain/backends.ts')
      const problem = checkBackendAddress(address)
      if (problem) throw new CliError(problem, EXIT.usage)
      if (!portId.trim() || portId.length > 64) throw new CliError('the port id is 1-64 characters', EXIT.usage)
      await withStore(async (store) => {
        const saved = await (await backendsOf(store)).set(portId, address)
        if (options.json) return printJson({ port_id: saved.portId, address: saved.address, updated_at: saved.updatedAt })
        println(`Port ${portId} → ${address}.`)
      })
    })

  backends
    .command('remove')
    .argument('<port-id>', "the service's port_id")
    .description('forget the mapping: the port id goes to VPCEP_BACKENDS_FILE or the default again')
    .action(async (portId: string) => {
      await withStore(async (store) => {
        if (!(await (await backendsOf(store)).remove(portId))) throw new CliError(`no mapping for port ${portId} ("vpcep backends list" shows them)`, EXIT.notFound)
        println(`Removed the mapping of port ${portId}.`)
      })
    })
}

function registerRole(program: Command): void {
  program
    .command('dataplane')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics', parseCount)
    .description('run the data plane alone (beside API instances on PostgreSQL started with VPCEP_DATAPLANE=external); run one')
    .addHelpText('after', '\nSettings: VPCEP_DATABASE_URL, VPCEP_ENDPOINT_ADDRESS_RANGE, VPCEP_DEFAULT_BACKEND, VPCEP_BACKENDS_FILE, VPCEP_DNS_PORT (docs/dataplane.md).\n\nExample:\n  $ VPCEP_DATABASE_URL=postgres://vpcep@db/vpcep VPCEP_MASTER_KEY=… vpcep dataplane --metrics-port 9881\n')
    .action(async (options: { metricsPort?: number }) => {
      const { runDataplaneRole } = await import('../../dataplane/role.ts')
      await runDataplaneRole({ metricsPort: options.metricsPort })
      await new Promise(() => {}) // runs until a signal
    })
}

function registerProxyEcho(program: Command): void {
  program
    .command('proxy-echo')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (a service server_port)', parseCount, 9000)
    .description('an example backend: prints the PROXY protocol v2 header of each connection (marker_id, endpoint id, client address) and answers with it')
    .addHelpText('after', '\nExample (a service with tcp_proxy proxy_open and server_port 9000):\n  $ vpcep proxy-echo --port 9000\n  $ curl http://<endpoint ip>:<client_port>/\n')
    .action(async (options: { host: string; port: number }) => {
      const { proxyEchoServer } = await import('../../dataplane/proxy-echo.ts')
      const server = proxyEchoServer((report) => println(JSON.stringify(report)))
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error) => reject(new CliError(`cannot listen on ${options.host}:${options.port}: ${error.message}`, EXIT.error)))
        server.listen(options.port, options.host, () => resolve())
      })
      println(`proxy-echo listening on ${options.host}:${options.port}; one JSON line per connection`)
      await new Promise(() => {})
    })
}

export function registerDataplane(program: Command): void {
  registerBackends(program)
  registerRole(program)
  registerProxyEcho(program)
}
