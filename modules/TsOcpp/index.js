// What the EVerest manager spawns: `node --unhandled-rejections=strict index.js` in this folder, with
// EV_MODULE and the broker settings in the environment. In an install (npm run install-module) the
// compiled module sits beside this file in dist/; in the repository it is two levels up.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const candidates = [join(here, 'dist', 'main.js'), join(here, '..', '..', 'dist', 'main.js')];
const compiled = candidates.find((p) => existsSync(p));
if (compiled) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(here, '..', '..', 'src', 'main.ts')).href);
}
