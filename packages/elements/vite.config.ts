import { cdnModule } from './scripts/cdn-config.js';

/** The script-tag bundle `dist/cdn/lifeboat.js` (built first: it empties dist/cdn). */
export default cdnModule({ entry: 'src/cdn.ts', fileName: 'lifeboat.js', emptyOutDir: true });
