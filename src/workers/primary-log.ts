import type { Config } from '../config.ts'
import type { PrimaryLog } from './primary.ts'

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const

/**
 * The primary's few lines (start, ready, a worker replaced, stop) in the shape of the workers' Fastify
 * log: one JSON object per line with pino's numeric level, or a short line for people at a terminal.
 */
export function primaryLog(config: Pick<Config, 'logLevel' | 'logFormat'>): PrimaryLog {
  const line = (level: 30 | 50) => (details: object, msg: string) => {
    if (level < LEVELS[config.logLevel]) return
    if (config.logFormat === 'pretty') {
      process.stdout.write(`[${new Date().toISOString().slice(11, 23)}] ${level === 30 ? 'INFO' : 'ERROR'} (primary): ${msg} ${JSON.stringify(details)}\n`)
    } else {
      process.stdout.write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, part: 'primary', ...details, msg })}\n`)
    }
  }
  return { info: line(30), error: line(50) }
}
