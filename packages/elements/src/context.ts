import { createContext } from '@lit/context';
import type { LifeboatClient } from '@lifeboat/sdk';

/**
 * The Lifeboat client, provided by an ancestor (`new ContextProvider(host, { context:
 * clientContext, initialValue: client })`) to every Lifeboat element below it.
 */
export const clientContext = createContext<LifeboatClient | undefined>(
  Symbol.for('lifeboat-client'),
);
