// The everest-core releases whose definitions TsOcpp bundles, and how to tell which one a manager runs.
// interfaces/ and types/ hold the base release (2023.12.0, the seed's); releases/<tag>/interfaces and
// releases/<tag>/types hold each other one. Interfaces of one release $ref only the types of the same release.
import { join } from 'node:path';
import { bundledInterfaces, bundledTypes, installedInterface, projectRoot, type InterfaceDefinition, type TypeFile } from './definitions.js';

export const BASE_RELEASE = '2023.12.0';
export const NEWEST_RELEASE = '2026.02.0';
export const BUNDLED_RELEASES = [BASE_RELEASE, NEWEST_RELEASE] as const;
export type BundledRelease = (typeof BUNDLED_RELEASES)[number];

export interface ReleaseDefinitions {
  release: BundledRelease;
  interfaces: Record<string, InterfaceDefinition>;
  /** Keyed by ref path (`/evse_manager`). */
  types: Record<string, TypeFile>;
}

/** The folder of a bundled release: the project root for the base release, releases/<tag> for the others. */
export function releaseDir(release: BundledRelease, root = projectRoot()): string {
  return release === BASE_RELEASE ? root : join(root, 'releases', release);
}

const cache = new Map<BundledRelease, ReleaseDefinitions>();

/**
 * The bundled interface and type files of one release, read once (their text is looked up in the data
 * codegen made of them, src/schema/yaml-file.ts, not parsed: parsing the YAML took 40% of the CPU time to ready).
 */
export function bundledRelease(release: BundledRelease): ReleaseDefinitions {
  let defs = cache.get(release);
  if (defs === undefined) {
    const dir = releaseDir(release);
    defs = { release, interfaces: bundledInterfaces(dir), types: bundledTypes(dir) };
    cache.set(release, defs);
  }
  return defs;
}

/**
 * Which bundled release an evse_manager interface definition belongs to, from its shape: everest-core 2023.12
 * has `enable` / `disable(connector_id)`, from 2024.6 on there is `enable_disable(connector_id, cmd_source)`,
 * and the same releases moved the session event's `timestamp` to the top and made id tokens objects
 * (`id_token: {value, type}`), as 2026.02 has them. undefined: the definition says neither (or there is none).
 */
export function evseManagerRelease(def: InterfaceDefinition | undefined): BundledRelease | undefined {
  const cmds = def?.cmds;
  if (cmds === undefined) return undefined;
  if ('enable_disable' in cmds) return NEWEST_RELEASE;
  if ('enable' in cmds) return BASE_RELEASE;
  return undefined;
}

/**
 * What a manager of `release` would have: the base release's ocpp interfaces and types, with the interface
 * and type files bundled for `release` laid over them (the embedded config service and the tests' manager
 * stand-in publish these).
 */
export function managerDefinitions(release: BundledRelease): { interfaces: Record<string, InterfaceDefinition>; types: Record<string, TypeFile> } {
  const base = bundledRelease(BASE_RELEASE);
  const rel = bundledRelease(release);
  return { interfaces: { ...base.interfaces, ...rel.interfaces }, types: { ...base.types, ...rel.types } };
}

export interface RequirementDefinitions {
  definition: InterfaceDefinition;
  types: Record<string, TypeFile>;
  /** Where the interface definition came from. */
  source: 'manager' | 'install' | 'bundled';
  /** The bundled release whose type files fill what the manager and its install do not have. */
  release: BundledRelease;
}

/**
 * The definitions in force for a required interface (README, "Interfaces and types"): the interface as the
 * manager published it, else the manager install's file (`<share>/interfaces/<name>.yaml`), else the bundled
 * one of the release that interface's shape names, else of the newest release. Type files: the manager's
 * (published, then its install's) over the bundled release's.
 */
export function requirementDefinitions(
  name: string,
  published: InterfaceDefinition | undefined,
  manager: { types: Record<string, TypeFile>; installDirs: readonly string[] },
  releaseOf: (def: InterfaceDefinition | undefined) => BundledRelease | undefined,
): RequirementDefinitions | undefined {
  let definition = published;
  let source: RequirementDefinitions['source'] = 'manager';
  if (definition === undefined) {
    for (const dir of manager.installDirs) {
      definition = installedInterface(join(dir, 'interfaces'), name);
      if (definition !== undefined) {
        source = 'install';
        break;
      }
    }
  }
  const release = releaseOf(definition) ?? NEWEST_RELEASE;
  const bundled = bundledRelease(release);
  if (definition === undefined) {
    definition = bundled.interfaces[name];
    source = 'bundled';
  }
  if (definition === undefined) return undefined;
  return { definition, types: { ...bundled.types, ...manager.types }, source, release };
}
