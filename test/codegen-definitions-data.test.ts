// The bundled definitions as data (src/generated/definitions-data.ts), which a start reads instead of the YAML.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateAll, ROOT, staleFiles } from '../tools/codegen/index.js';
import { generateDefinitionsData } from '../tools/codegen/definitions-data.js';
import { bundledInterfaces, bundledTypes } from '../src/schema/definitions.js';
import { BUNDLED_RELEASES, bundledRelease, releaseDir } from '../src/schema/releases.js';

test('checked-in src/generated/definitions-data.ts matches the YAML files (run npm run codegen when this fails)', () => {
  const data = generateDefinitionsData(ROOT);
  assert.ok(generateAll(ROOT).some((f) => f.path === data[0]!.path), 'npm run codegen writes it');
  const problems = staleFiles(ROOT, generateAll(ROOT)).filter((p) => p.startsWith(data[0]!.path));
  assert.equal(problems, [], problems.join('\n'));
});

test('bundledRelease gives for every release exactly what the YAML loaders read', () => {
  for (const release of BUNDLED_RELEASES) {
    const dir = releaseDir(release, ROOT);
    const defs = bundledRelease(release);
    assert.equal(defs.interfaces, bundledInterfaces(dir), release);
    assert.equal(defs.types, bundledTypes(dir), release);
  }
});

test.run();
