import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Command } from 'commander';
import { COMMAND_MODULES, commandNamed } from './command-modules.js';

const argv = (...words: string[]) => ['node', 'gatehouse', ...words];

test('each module defines exactly the top-level commands the table names for it', async () => {
  for (const { names, load } of COMMAND_MODULES) {
    const program = new Command('gatehouse');
    (await load())(program, '0.0.0');
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      names,
    );
  }
});

test('no top-level command is named by two modules', () => {
  const names = COMMAND_MODULES.flatMap((m) => m.names);
  assert.deepEqual(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
  );
});

test('every file under commands/ is in the table or imported by a file that is', () => {
  // A noun added to commands/ but not to the table could never be run.
  const dir = new URL('./commands/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
  const listed = [
    ...readFileSync(new URL('./command-modules.ts', import.meta.url), 'utf8').matchAll(
      /'\.\/commands\/([\w-]+)\.js'/g,
    ),
  ].map((m) => m[1]!);
  const imported = files.flatMap((f) =>
    [...readFileSync(new URL(`${f}.ts`, dir), 'utf8').matchAll(/from '\.\/([\w-]+)\.js'/g)].map(
      (m) => m[1]!,
    ),
  );
  assert.equal(new Set(listed).size, COMMAND_MODULES.length);
  assert.deepEqual(
    files.filter((f) => !listed.includes(f) && !imported.includes(f)),
    [],
  );
});

test('the command word is found after the program options, and help names its command', () => {
  assert.equal(commandNamed(argv('release', 'list')), 'release');
  assert.equal(commandNamed(argv('--url', 'http://x', '--token', 'release', 'gate')), 'gate');
  assert.equal(commandNamed(argv('--url=http://x', 'approvals', 'REL-1')), 'approvals');
  assert.equal(commandNamed(argv('help', 'review')), 'review');
  assert.equal(commandNamed(argv('review', 'help', 'list')), 'review');
});

test('no command, an unknown one or bare help names none, so every module is loaded', () => {
  assert.equal(commandNamed(argv()), null);
  assert.equal(commandNamed(argv('--help')), null);
  assert.equal(commandNamed(argv('--version')), null);
  assert.equal(commandNamed(argv('help')), null);
  assert.equal(commandNamed(argv('help', 'nonsense')), null);
  assert.equal(commandNamed(argv('releas', 'list')), null);
});

/** What a module's static value imports reach: our own files, and packages by name. */
function reachedFrom(entry: URL): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: URL) => {
    if (files.has(file.pathname)) return;
    files.add(file.pathname);
    const source = readFileSync(file, 'utf8');
    // `import type` and `export type` vanish from the emitted JavaScript; `import()` is lazy.
    for (const [, specifier] of source.matchAll(
      /^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms,
    )) {
      if (specifier!.startsWith('.')) visit(new URL(specifier!.replace(/\.js$/, '.ts'), file));
      else packages.add(specifier!);
    }
  };
  visit(entry);
  return { files, packages };
}

test('the CLI starts on commander alone; each command brings its own module, never TypeBox', () => {
  // TypeBox, the YAML parser and the forty command modules were most of every CLI
  // call's start-up (ADR 2700-1).
  const main = reachedFrom(new URL('./main.ts', import.meta.url));
  assert.deepEqual(
    [...main.packages].filter((p) => !p.startsWith('node:')),
    ['commander'],
  );
  assert.deepEqual(
    [...main.files].filter((f) => f.includes('/commands/')),
    [],
  );
  const modules = new URL('./commands/', import.meta.url);
  for (const file of readdirSync(modules).filter((f) => f.endsWith('.ts'))) {
    const { packages } = reachedFrom(new URL(file, modules));
    assert.ok(!packages.has('@sinclair/typebox'), `commands/${file} loads TypeBox`);
  }
  assert.ok(
    !reachedFrom(new URL('./files.ts', import.meta.url)).packages.has('yaml'),
    'files.ts loads the YAML parser before a document is read',
  );
});
