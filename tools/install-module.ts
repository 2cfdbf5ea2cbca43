// `npm run install-module -- --prefix DIR`: lays TsOcpp out as a module that an EVerest manager spawns.
//
//   DIR/libexec/everest/modules/TsOcpp/   (the manager's modules_dir/<ModuleName>/, everest-bus.md)
//     index.js  manifest.yaml  package.json  dist/  interfaces/  types/  releases/
//     config/device_model/  config/everest/embedded.yaml  node_modules/ (production dependencies only)
//   DIR/share/everest/interfaces/{ocpp,ocpp_data_transfer,auth_token_validator,auth_token_provider}.yaml,
//   DIR/share/everest/types/{ocpp,authorization}.yaml
//     only where the install has none of its own (an EVerest install ships these files itself).
//
// The manager runs `node --unhandled-rejections=strict index.js` there (everest-framework src/manager.cpp,
// exec_javascript_module), so the folder must work with nothing above it: index.js loads dist/main.js and
// projectRoot() (src/schema/definitions.ts) stops at the manifest.yaml beside it.
//
// Dependencies: `--deps copy` (default) copies the runtime dependency closure out of this checkout's
// node_modules, offline, with the native addon better-sqlite3 as built here for this Node; `--deps npm`
// runs `npm install --omit=dev` in the module folder instead (needs the registry, and a compiler where no
// prebuilt addon fits). The new folder is assembled beside the old one and swapped in at the end.
import { spawnSync } from 'node:child_process';
import {
  cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MODULE_NAME = 'TsOcpp';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface InstallOptions {
  /** EVerest install prefix (the manager's --prefix). */
  prefix: string;
  /** How node_modules gets there. */
  deps?: 'copy' | 'npm';
  /** false: use dist/ as it is, fail if it is missing. */
  build?: boolean;
  log?: (line: string) => void;
}

export interface InstallResult {
  moduleDir: string;
  /** share/everest files written (the others existed already). */
  sharedWritten: string[];
  sharedKept: string[];
  built: boolean;
  packages: number;
}

interface PackageJson {
  name?: string;
  version?: string;
  description?: string;
  license?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
}

/** Newest modification time of the files under dir (0 when there are none). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** dist/ is stale when it lacks main.js or a source or build setting changed after it was written. */
export function needsBuild(root = ROOT): boolean {
  const main = join(root, 'dist', 'main.js');
  if (!existsSync(main)) return true;
  const inputs = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'tsconfig.build.json')).mtimeMs,
    statSync(join(root, 'tsconfig.json')).mtimeMs);
  return inputs > statSync(main).mtimeMs;
}

/** `npm run build`, without npm in between (tools/build.mjs: an empty dist/, tsc, the generated JavaScript). */
export function build(root = ROOT): void {
  run(process.execPath, [join(root, 'tools', 'build.mjs')], root, 'build (tools/build.mjs)');
}

/**
 * The folders of the runtime dependency closure, found the way Node resolves a bare import: from the
 * requiring package's folder up through each node_modules. Optional dependencies that are not installed
 * are skipped; a missing required one is an error (run npm install first).
 */
export function runtimePackages(root = ROOT): string[] {
  const found = new Set<string>();
  const visit = (fromDir: string, deps: Record<string, string>, optional: Set<string>): void => {
    for (const name of Object.keys(deps)) {
      let dir: string | undefined;
      for (let d = fromDir; ; d = dirname(d)) {
        const candidate = join(d, 'node_modules', name);
        if (existsSync(join(candidate, 'package.json'))) {
          dir = candidate;
          break;
        }
        if (d === root || dirname(d) === d) break;
      }
      if (!dir) {
        if (optional.has(name)) continue;
        throw new Error(`runtime dependency '${name}' (needed by ${relative(root, fromDir) || 'tsocpp'}) is not installed: run npm install`);
      }
      if (found.has(dir)) continue;
      found.add(dir);
      const pkg = readJson<PackageJson>(join(dir, 'package.json'));
      const opt = new Set(Object.keys(pkg.optionalDependencies ?? {}));
      visit(dir, { ...pkg.dependencies, ...pkg.optionalDependencies }, opt);
    }
  };
  const top = readJson<PackageJson>(join(root, 'package.json'));
  visit(root, top.dependencies ?? {}, new Set());
  return [...found].sort();
}

/**
 * Copies one package folder without its nested node_modules (those are packages of their own in the
 * closure). A native addon keeps only what runs: its compiled .node files, not sources and build objects.
 */
function copyPackage(src: string, dest: string): void {
  const native = existsSync(join(src, 'binding.gyp'));
  cpSync(src, dest, {
    recursive: true,
    filter: (from) => {
      const rel = relative(src, from);
      if (rel === '') return true;
      const parts = rel.split(/[\\/]/);
      if (parts[0] === 'node_modules') return false;
      if (!native) return true;
      if (parts[0] === 'deps' || parts[0] === 'src') return false;
      if (parts[0] === 'build') {
        // build/, build/Release/, build/Release/<name>.node
        if (parts.length === 1) return true;
        if (parts[1] !== 'Release') return false;
        return parts.length === 2 || (parts.length === 3 && from.endsWith('.node'));
      }
      return true;
    },
  });
}

function copyDependencies(root: string, moduleDir: string): number {
  const packages = runtimePackages(root);
  for (const dir of packages) copyPackage(dir, join(moduleDir, relative(root, dir)));
  return packages.length;
}

/** The module's own package.json: ESM, and the runtime dependencies of the project. */
function modulePackageJson(root: string): string {
  const top = readJson<PackageJson>(join(root, 'package.json'));
  const pkg = {
    name: 'tsocpp-everest-module',
    version: top.version,
    private: true,
    description: top.description,
    license: top.license,
    type: 'module',
    engines: top.engines,
    dependencies: top.dependencies,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Does the installed module load its dependencies, the native addon included, with this Node? */
function checkLoads(moduleDir: string): void {
  const probe = "const { default: Database } = await import('better-sqlite3'); new Database(':memory:').close(); "
    + "await Promise.all(['mqtt', 'aedes', 'ajv', 'pino', 'yaml'].map((m) => import(m)));";
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: moduleDir, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`the installed module cannot load its dependencies with ${process.execPath} (${process.version}):\n${r.stderr}`
      + '\n(a native addon built for another Node? try --deps npm, or npm rebuild in the module folder)');
  }
}

export function installModule(opts: InstallOptions): InstallResult {
  const log = opts.log ?? (() => undefined);
  const root = ROOT;
  const prefix = resolve(opts.prefix);
  const modulesDir = join(prefix, 'libexec', 'everest', 'modules');
  const moduleDir = join(modulesDir, MODULE_NAME);

  let built = false;
  if (opts.build !== false && needsBuild(root)) {
    log('building dist/ (tsc -p tsconfig.build.json)');
    build(root);
    built = true;
  }
  if (!existsSync(join(root, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run npm run build');

  mkdirSync(modulesDir, { recursive: true });
  const staging = join(modulesDir, `.${MODULE_NAME}.new-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  let packages = 0;
  try {
    cpSync(join(root, 'modules', MODULE_NAME, 'index.js'), join(staging, 'index.js'));
    // The checkout's modules/TsOcpp/manifest.yaml is a link to the top-level manifest; the install gets the file.
    // Its requirements may name interfaces an older install lacks (display_message, iso15118_extensions are not
    // in everest-core 2023.12): the v0.24.0 and v0.25.0 managers load such a manifest while nothing is
    // connected to them. The provided interfaces must exist: their files are written below where missing.
    writeFileSync(join(staging, 'manifest.yaml'), readFileSync(join(root, 'manifest.yaml')));
    writeFileSync(join(staging, 'package.json'), modulePackageJson(root));
    cpSync(join(root, 'dist'), join(staging, 'dist'), { recursive: true });
    cpSync(join(root, 'interfaces'), join(staging, 'interfaces'), { recursive: true });
    cpSync(join(root, 'types'), join(staging, 'types'), { recursive: true });
    cpSync(join(root, 'releases'), join(staging, 'releases'), { recursive: true });
    cpSync(join(root, 'config', 'device_model'), join(staging, 'config', 'device_model'), { recursive: true });
    mkdirSync(join(staging, 'config', 'everest'), { recursive: true });
    cpSync(join(root, 'config', 'everest', 'embedded.yaml'), join(staging, 'config', 'everest', 'embedded.yaml'));

    if (opts.deps === 'npm') {
      log('npm install --omit=dev in the module folder');
      cpSync(join(root, 'package-lock.json'), join(staging, 'package-lock.json'));
      run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], staging, 'npm install --omit=dev');
      packages = readdirSync(join(staging, 'node_modules')).length;
    } else {
      packages = copyDependencies(root, staging);
      log(`copied ${packages} runtime packages from node_modules`);
    }
    checkLoads(staging);

    // Swap in: the old folder (if any) moves aside first, so a failed copy never leaves half a module.
    const old = join(modulesDir, `.${MODULE_NAME}.old-${process.pid}`);
    if (existsSync(moduleDir)) renameSync(moduleDir, old);
    renameSync(staging, moduleDir);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }

  // Interface and type definitions for the manager, unless the install has its own.
  const sharedWritten: string[] = [];
  const sharedKept: string[] = [];
  const shared: Array<[string, string]> = [
    [join(root, 'interfaces', 'ocpp.yaml'), join(prefix, 'share', 'everest', 'interfaces', 'ocpp.yaml')],
    [join(root, 'interfaces', 'ocpp_data_transfer.yaml'), join(prefix, 'share', 'everest', 'interfaces', 'ocpp_data_transfer.yaml')],
    [join(root, 'types', 'ocpp.yaml'), join(prefix, 'share', 'everest', 'types', 'ocpp.yaml')],
    [join(root, 'interfaces', 'auth_token_validator.yaml'), join(prefix, 'share', 'everest', 'interfaces', 'auth_token_validator.yaml')],
    [join(root, 'interfaces', 'auth_token_provider.yaml'), join(prefix, 'share', 'everest', 'interfaces', 'auth_token_provider.yaml')],
    [join(root, 'types', 'authorization.yaml'), join(prefix, 'share', 'everest', 'types', 'authorization.yaml')],
  ];
  for (const [from, to] of shared) {
    if (existsSync(to)) {
      sharedKept.push(to);
      continue;
    }
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
    sharedWritten.push(to);
  }
  return { moduleDir, sharedWritten, sharedKept, built, packages };
}

const USAGE = `usage: npm run install-module -- --prefix DIR [--deps copy|npm] [--no-build]
  --prefix DIR   EVerest install prefix: the module goes to DIR/libexec/everest/modules/${MODULE_NAME}/
  --deps copy    copy the runtime dependencies from this checkout's node_modules (default; offline)
  --deps npm     run npm install --omit=dev in the module folder instead
  --no-build     use dist/ as it is (default: npm run build first when dist/ is missing or older than src/)
`;

function main(argv: string[]): number {
  let prefix: string | undefined;
  let deps: 'copy' | 'npm' = 'copy';
  let buildFirst = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--prefix') prefix = value();
    else if (flag === '--deps') {
      const v = value();
      if (v !== 'copy' && v !== 'npm') throw new Error(`--deps: expected copy or npm, got '${v}'`);
      deps = v;
    } else if (flag === '--no-build') buildFirst = false;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else throw new Error(`unknown argument '${a}'\n${USAGE}`);
  }
  if (!prefix) {
    process.stderr.write(USAGE);
    return 2;
  }
  const r = installModule({ prefix, deps, build: buildFirst, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`installed ${MODULE_NAME} in ${r.moduleDir}\n`);
  for (const f of r.sharedWritten) process.stdout.write(`  wrote ${f}\n`);
  for (const f of r.sharedKept) process.stdout.write(`  kept the install's own ${f}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`install-module: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
