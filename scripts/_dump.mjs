import { build } from 'esbuild';
import { browserBuildOptions } from './browser-build.mjs';
const imports = process.argv[2] ?? 'AppSyncWebsocketsTransport, AppSyncApiKeyAuthentication, AppSyncJWTAuthentication';
const r = await build({ ...browserBuildOptions(), stdin: { contents: `export { ${imports} } from './dist/src/index.js';`, resolveDir: process.cwd(), loader: 'js' }, external: ['graphql', 'graphql/*'], splitting: true, outdir: '/tmp/dumpout', write: true });
