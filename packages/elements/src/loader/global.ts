import type { LifeboatClient, Session } from '@lifeboat/sdk';
import type { MessageOverrides } from '../localize.js';

/** `window.Lifeboat`, set by the script tag (the loader or the single-file build). */
export interface LifeboatGlobal {
  /** The page's client; with the loader, undefined until `ready` settles. */
  readonly client: LifeboatClient | undefined;
  /** Overrides messages (and the locale); before the runtime loads, they wait for it. */
  setMessages(overrides: MessageOverrides): void;
  /** Signs in with a host token (JWT), or out with null. */
  identify(token: string | null): Promise<Session | null>;
  /** Resolves with the page's client once it exists (undefined without `data-site`). */
  readonly ready: Promise<LifeboatClient | undefined>;
}

declare global {
  interface Window {
    Lifeboat?: LifeboatGlobal;
  }
}
