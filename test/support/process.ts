/** Running the built `gatehouse` command as a separate process, as a pipeline would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteEngine, type Scratch } from './engines.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote, both streams interleaved. */
  output: () => string;
  /** What it wrote to stdout alone (its JSON log lines). */
  stdout: () => string;
  /** What it wrote to stderr alone (the start banner, messages for a person). */
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gatehouse serve` on a free port and waits until it prints its address. */
export function startServerProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
  // Suites that start many processes on a busy machine may wait longer.
  startTimeoutMs = 60_000,
): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', '--log-level', 'silent', ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${startTimeoutMs / 1000} s:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: (signal = 'SIGTERM') =>
            new Promise((done) => {
              // Exited already (with a code, or by a signal such as an earlier SIGKILL).
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
}

export interface CliWorld {
  /** A temporary folder; the server's data directory is `data/` inside it. */
  dir: string;
  scratch: Scratch;
  server: ServerProcess;
  /** GATEHOUSE_URL and the first-start admin token, for `runCli`. */
  env: Record<string, string>;
}

/** A server process on a scratch SQLite store, and the environment a pipeline would use. */
export async function startCliWorld(prefix: string): Promise<CliWorld> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const scratch = await sqliteEngine.scratch();
  const server = await startServerProcess([
    '--data-dir',
    join(dir, 'data'),
    '--database-url',
    scratch.url,
  ]);
  const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
  return { dir, scratch, server, env: { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: token } };
}

/**
 * One call to the API of a CLI world's server as its admin, for a suite's set-up: the
 * answer must be 2xx (the suite is not testing it) and its JSON body is returned.
 */
export async function adminCall(
  env: Record<string, string>,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, any>> {
  const response = await fetch(env.GATEHOUSE_URL + path, {
    method,
    headers: {
      authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, any>;
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
