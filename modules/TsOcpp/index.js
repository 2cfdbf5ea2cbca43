// What the EVerest manager spawns: `node --unhandled-rejections=strict index.js` in this folder, with
// EV_MODULE and the broker settings in the environment. In an install (npm run install-module) the
// compiled module sits beside this file in dist/. In the repository this folder is linked into a
// manager's modules_dir during development: there the sources run through tsx, so that a stale
// dist/ can never be what the manager starts (TSOCPP_USE_DIST=1 runs the repository's dist/ instead).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const installed = join(here, 'dist', 'main.js');
const repoSources = join(here, '..', '..', 'src', 'main.ts');
const repoDist = join(here, '..', '..', 'dist', 'main.js');
if (existsSync(installed)) {
  // The heap settings before anything else is loaded (dist/heap-tuning.js says why).
  await import(pathToFileURL(join(here, 'dist', 'heap-tuning.js')).href);
  await import(pathToFileURL(installed).href);
} else if (existsSync(repoSources) && process.env.TSOCPP_USE_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(repoSources).href);
} else {
  await import(pathToFileURL(join(here, '..', '..', 'dist', 'heap-tuning.js')).href);
  await import(pathToFileURL(repoDist).href);
}
