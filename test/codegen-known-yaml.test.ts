// The bundled YAML files as data (src/generated/known-yaml.ts): a start looks a file's text up there instead of
// parsing it; any other text is parsed, so an edited file is read as it is now.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateAll, ROOT, staleFiles } from '../tools/codegen/index.js';
import { generateKnownYaml, knownYamlFiles } from '../tools/codegen/known-yaml.js';
import { KNOWN_YAML } from '../src/generated/known-yaml.js';
import { loadManifest } from '../src/everest/manifest.js';
import { readYamlFile, yamlTextKey } from '../src/schema/yaml-file.js';

test('checked-in src/generated/known-yaml.ts matches the YAML files (run npm run codegen when this fails)', () => {
  const file = generateKnownYaml(ROOT)[0]!;
  assert.ok(generateAll(ROOT).some((f) => f.path === file.path), 'npm run codegen writes it');
  const problems = staleFiles(ROOT, generateAll(ROOT)).filter((p) => p.startsWith(file.path));
  assert.equal(problems, [], problems.join('\n'));
});

test('every bundled YAML file is found by its text and reads as the YAML parser reads it', () => {
  const files = knownYamlFiles(ROOT);
  assert.ok(files.length > 30, `${files.length} files`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.ok(KNOWN_YAML.has(yamlTextKey(text)), file);
    assert.equal(readYamlFile(file), parse(text), file);
  }
});

test('an edited manifest is parsed as it is now, and each read is a copy of its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsocpp-yaml-'));
  try {
    const path = join(dir, 'manifest.yaml');
    const text = readFileSync(join(ROOT, 'manifest.yaml'), 'utf8');
    writeFileSync(path, text.replace('    - TsOcpp developers', '    - TsOcpp developers\n    - an operator here'));
    assert.equal(loadManifest(path).metadata.authors, ['TsOcpp developers', 'an operator here']);
    const a = readYamlFile(join(ROOT, 'manifest.yaml')) as Record<string, unknown>;
    a.description = 'changed by a caller';
    assert.is.not((readYamlFile(join(ROOT, 'manifest.yaml')) as Record<string, unknown>).description, 'changed by a caller');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
