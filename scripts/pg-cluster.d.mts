/** Types of pg-cluster.mjs, for the TypeScript tests and benchmarks that start clusters of their own. */
export interface Cluster {
  url: string
  dir: string
  port: number
  version: string
  pause(): void
  resume(): void
  stop(): void
}
export function findPostgresBin(): string | undefined
export function startCluster(options?: { durable?: boolean }): Promise<Cluster>
