// The bundled interface and type files are everest-core's, unedited. Each is pinned here by the tag and
// path it came from and by two checksums of its bytes: the git blob id (check against everest-core with
// `git rev-parse <tag>:<path>`) and sha256 (`git show <tag>:<path> | sha256sum`). An edit to a bundled
// file, or a file added or removed without a pin, fails a test naming the file. To move to another
// everest-core release, copy its files and change the pins (and run npm run codegen).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../src/schema/definitions.js';

interface Pin {
  tag: string;
  /** The last everest-core commit before the tag that changed the file. */
  commit: string;
  gitBlob: string;
  sha256: string;
}

const PINS: Record<string, Pin> = {
  'types/ocpp.yaml': {
    tag: '2023.12.0',
    commit: 'b9c36fd8a',
    gitBlob: 'a1ebd8b85272cdc21377972a9bf1168ce0c00cf2',
    sha256: 'c184810461073685a9554662964c613cdfd179f8a253c35f4ea90c9d1be70daf',
  },
  'interfaces/ocpp.yaml': {
    tag: '2023.12.0',
    commit: 'b9c36fd8a',
    gitBlob: '83bbbabcc7100c6c2e66ac4885ffc3ffd5d58413',
    sha256: 'bebfb870a17a5896b8d2c46473aa937e4bf1b56a058ff814b840f0386db04e9b',
  },
  'interfaces/ocpp_data_transfer.yaml': {
    tag: '2023.12.0',
    commit: 'dfb2ea5a3',
    gitBlob: '9152c9a85f39b5d6b1e14facdf4ec6c1876e6944',
    sha256: 'dec8974ba68bf9ef20ba68616873f714bd0a3255c6ea28fefc6f5c524666aebe',
  },
};

const root = projectRoot();

function bundledFiles(): string[] {
  return ['interfaces', 'types'].flatMap((dir) =>
    readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`)).sort();
}

/** The id git gives the file's bytes as a blob (sha1 of `blob <length>\0<bytes>`). */
function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

test('every bundled definition file is pinned, and every pin is bundled', () => {
  assert.equal(bundledFiles(), Object.keys(PINS).sort());
});

test('every bundled definition file is byte for byte the everest-core file it is pinned to', () => {
  const differ: string[] = [];
  for (const [path, pin] of Object.entries(PINS)) {
    const bytes = readFileSync(join(root, path));
    const blob = gitBlobId(bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (blob !== pin.gitBlob || sha !== pin.sha256) {
      differ.push(`${path} differs from everest-core ${pin.tag}:${path} (git blob ${blob}, pinned ${pin.gitBlob}; sha256 ${sha}, pinned ${pin.sha256})`);
    }
  }
  assert.equal(differ, [], differ.join('\n'));
});

test('all bundled files come from one everest-core release (interfaces $ref the types of the same tag)', () => {
  assert.equal([...new Set(Object.values(PINS).map((p) => p.tag))], ['2023.12.0']);
});

test.run();
