import { connectionFromEnv, type Connection } from '../client.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
}

export function connect(options: GlobalOptions): Connection {
  return connectionFromEnv(options);
}
