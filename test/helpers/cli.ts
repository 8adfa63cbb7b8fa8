import { spawn } from 'node:child_process'

/** What one CLI run printed and how it exited; `json` is stdout parsed, when it parses. */
export interface Run {
  code: number | null
  stdout: string
  stderr: string
  json: any
}

/**
 * `node bin/vpcep.js …` in a child process with exactly `env`. Asynchronous: spawnSync would block an
 * in-process server the CLI talks to.
 */
export function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/vpcep.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      let json: unknown
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined
      } catch {
        json = undefined
      }
      resolve({ code, stdout, stderr, json })
    })
  })
}

/** A clean environment: no VPCEP_* of the developer's, a HOME of its own, no colours. */
export function baseEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('VPCEP_') && name !== 'XDG_CONFIG_HOME') env[name] = value
  }
  return { ...env, HOME: home, NO_COLOR: '1' }
}
