// npm run build: dist/ from src/. An empty dist/ first (tsc leaves the output of deleted sources behind, and
// an install copies dist/ whole), then tsc, then the JavaScript that codegen writes as JavaScript, copied as
// it is (src/generated/validators.js: tsc's printer would indent ajv's minified code to twice its size, and a
// module's source stays in the heap while the process runs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export function build(root = join(dirname(fileURLToPath(import.meta.url)), '..')) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build (tsc -p tsconfig.build.json) failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  const copy = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) copy(p);
      else if (e.name.endsWith('.js')) copyFileSync(p, join(root, 'dist', relative(join(root, 'src'), p)));
    }
  };
  copy(join(root, 'src'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    build();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
