#!/usr/bin/env node
// What `npm test` runs before the test files: lint, format, type checks and the build.
// Each is one single-threaded process, so on CI's two cores they run in two lanes at
// once instead of one after another; a lane stops at its first failure, and each step's
// output is printed whole when it ends. The build emits without checking types again
// (`--noCheck`): the type check of the whole project, in the other lane, covers src/.
// `npm run lint`, `npm run typecheck` and `npm run build` still do each on its own.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);

const LANES = [
  [
    [bin('eslint'), '.'],
    [bin('prettier'), '--check', '.'],
    [bin('tsc'), '-p', 'web/tsconfig.json'],
  ],
  [
    [bin('tsc'), '-p', 'tsconfig.json', '--noEmit'],
    [bin('tsc'), '-p', 'tsconfig.build.json', '--noCheck'],
    [bin('vite'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
  ],
];

function step([command, ...args]) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const title = `> ${[command.replace(/.*[\\/]/, ''), ...args].join(' ')} (${seconds} s)`;
      resolve({ code: code ?? 1, output: `${title}\n${output}` });
    });
  });
}

async function lane(steps) {
  for (const command of steps) {
    const { code, output } = await step(command);
    process.stdout.write(output);
    if (code !== 0) return code;
  }
  return 0;
}

const codes = await Promise.all(LANES.map(lane));
process.exit(codes.find((code) => code !== 0) ?? 0);
