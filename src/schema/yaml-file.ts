// Reads the YAML files a start needs: the manifest, interface and type files, the embedded EVerest config.
// The bundled ones ship parsed, as JSON keyed by the sha256 of their text (src/generated/known-yaml.ts), so a
// file whose text equals one of them (the bundled files themselves, an EVerest install of a bundled release)
// is not parsed again; any other is parsed by `yaml`, loaded then (loading and parsing the YAML of a start
// under the v0.25.0 manager took 150 ms).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { KNOWN_YAML } from '../generated/known-yaml.js';

/** The key of a YAML text in KNOWN_YAML. */
export function yamlTextKey(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

let parseYaml: ((text: string) => unknown) | undefined;

/** The data of a YAML text: a fresh copy each time (callers may change it). Throws what `yaml` throws. */
export function parseYamlText(text: string): unknown {
  const known = KNOWN_YAML.get(yamlTextKey(text));
  if (known !== undefined) return JSON.parse(known);
  parseYaml ??= (createRequire(import.meta.url)('yaml') as { parse: (text: string) => unknown }).parse;
  return parseYaml(text);
}

export function readYamlFile(path: string): unknown {
  return parseYamlText(readFileSync(path, 'utf8'));
}
