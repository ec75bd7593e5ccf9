import { cdnLoader } from './scripts/cdn-config.js';

/** The script tag dist/cdn/lifeboat.js: the loader, built after the chunks (vite.config.ts). */
export default cdnLoader({ entry: 'src/loader/loader.ts', fileName: 'lifeboat.js' });
