import { cdnModule } from './scripts/cdn-config.js';

/**
 * The staff insights module for admin pages (`<lifeboat-insights>`), built after the visitor
 * bundle into the same directory (not emptied). Kept out of dist/cdn/lifeboat.js so visitors
 * never load it.
 */
export default cdnModule({
  entry: 'src/insights/cdn.ts',
  fileName: 'lifeboat-insights.js',
  emptyOutDir: false,
});
