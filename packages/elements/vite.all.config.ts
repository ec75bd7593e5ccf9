import { cdnModule } from './scripts/cdn-config.js';

/**
 * dist/cdn/lifeboat.all.js: every visitor component in one module with one SRI hash, for
 * integrators who require that (ADR 0032). Built after the chunks into the same directory.
 */
export default cdnModule({ entry: 'src/cdn.ts', fileName: 'lifeboat.all.js', emptyOutDir: false });
