// One Lifeboat client for the app, passed to every component as a property.
// Importing '@lifeboat/elements' defines <lifeboat-banner>, <lifeboat-thread> and
// <lifeboat-workaround-form>; the template types come from '@lifeboat/elements/vue' (tsconfig.json).
import '@lifeboat/elements';
import { createLifeboat } from '@lifeboat/sdk';

/** The Lifeboat server (`pnpm start` serves the demo site there) and the site's slug. */
export const server = import.meta.env.VITE_LIFEBOAT_SERVER ?? 'http://localhost:8787';
export const site = import.meta.env.VITE_LIFEBOAT_SITE ?? 'demo';

export const client = createLifeboat({ server, site });
