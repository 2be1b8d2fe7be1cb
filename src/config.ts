/** Process configuration from flags and environment, with the embedded defaults. */
import { join, resolve } from 'node:path';

export interface ServeConfig {
  dataDir: string;
  databaseUrl: string;
  host: string;
  port: number;
  demo: boolean;
  logLevel: string;
  /** Prometheus base URL canary analyses pull from; none when absent. */
  prometheusUrl?: string;
}

export function defaultDataDir(): string {
  return resolve(process.env.GATEHOUSE_DATA_DIR ?? 'data');
}

export function databaseUrlFor(dataDir: string, explicit?: string): string {
  return explicit ?? process.env.DATABASE_URL ?? `sqlite:${join(dataDir, 'gatehouse.db')}`;
}

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin-token');
}
