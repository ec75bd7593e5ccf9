import { cdnChunks } from './scripts/cdn-config.js';

/**
 * The visitor components as content-hashed chunks in dist/cdn/chunks (built first: it empties
 * dist/cdn); vite.loader.config.ts then builds the script tag dist/cdn/lifeboat.js that loads
 * them, and vite.all.config.ts the single-file dist/cdn/lifeboat.all.js (ADR 0032).
 */
export default cdnChunks({
  runtime: 'src/loader/runtime.ts',
  banner: 'src/banner/banner.ts',
  thread: 'src/thread/thread.ts',
  'workaround-form': 'src/workaround-form/workaround-form.ts',
});
