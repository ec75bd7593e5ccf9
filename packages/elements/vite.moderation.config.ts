import { cdnModule } from './scripts/cdn-config.js';

/**
 * The staff module for admin pages (`<lifeboat-moderation>`), built after the visitor bundle
 * into the same directory (not emptied). Kept out of dist/cdn/lifeboat.js so visitors never load it.
 */
export default cdnModule({
  entry: 'src/moderation/cdn.ts',
  fileName: 'lifeboat-moderation.js',
  emptyOutDir: false,
});
