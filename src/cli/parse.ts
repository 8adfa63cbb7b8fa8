import { InvalidArgumentError } from 'commander'

/*
 * Option value parsers. They throw commander's InvalidArgumentError, which commander reports with the
 * option's name; the CLI exits 2 (usage).
 */

export function parseSeconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError('expected a number of seconds, such as 120')
  return Number(value)
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number')
  return Number(value)
}

export interface PortMapping {
  client_port: number
  server_port: number
  protocol: 'TCP' | 'UDP'
}

/** `8080:80`, `8080:80/udp`: the endpoint's (client) port, the backend's (server) port, the protocol (TCP). */
export function parsePort(value: string, previous: PortMapping[] = []): PortMapping[] {
  const match = /^(\d{1,5}):(\d{1,5})(?:\/(tcp|udp))?$/i.exec(value.trim())
  const valid = (n: number) => n >= 1 && n <= 65535
  if (!match || !valid(Number(match[1])) || !valid(Number(match[2]))) {
    throw new InvalidArgumentError('expected CLIENT_PORT:SERVER_PORT[/tcp|/udp], such as 8080:80 or 53:53/udp (ports 1-65535)')
  }
  return [...previous, { client_port: Number(match[1]), server_port: Number(match[2]), protocol: (match[3] ?? 'TCP').toUpperCase() as 'TCP' | 'UDP' }]
}

/** `key=value` (repeatable); a value may be empty (`key=`). */
export function parseTag(value: string, previous: Array<{ key: string; value: string }> = []): Array<{ key: string; value: string }> {
  const eq = value.indexOf('=')
  if (eq <= 0) throw new InvalidArgumentError('expected KEY=VALUE, such as env=prod')
  return [...previous, { key: value.slice(0, eq), value: value.slice(eq + 1) }]
}

/** A repeatable option that collects its values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** `service`, `services`, `endpoint_service` → `endpoint_service`; `endpoint(s)` → `endpoint`. */
export function parseResourceType(value: string): 'endpoint_service' | 'endpoint' {
  const v = value.trim().toLowerCase().replace(/-/g, '_')
  if (['service', 'services', 'endpoint_service', 'endpoint_services'].includes(v)) return 'endpoint_service'
  if (['endpoint', 'endpoints'].includes(v)) return 'endpoint'
  throw new InvalidArgumentError('expected "service" or "endpoint"')
}

/**
 * A whitelist entry as people write it: a bare account (domain) id becomes `iam:domain::<id>`; `*`, and
 * strings that already have a prefix (`iam:domain::…`, `organizations:orgPath::…`), stay as they are.
 */
export function permissionString(value: string): string {
  const v = value.trim()
  return v === '*' || v.includes(':') ? v : `iam:domain::${v}`
}
