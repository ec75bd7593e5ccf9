import { consume } from '@lit/context';
import type { LifeboatClient } from '@lifeboat/sdk';
import { LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { resolveClient } from '../client-resolver.js';
import { clientContext } from '../context.js';
import { onMessagesChange } from '../localize.js';
import { HostThemeController, type Scheme } from '../controllers/host-theme-controller.js';

export type Theme = 'light' | 'dark' | 'auto';
const THEMES: readonly Theme[] = ['light', 'dark', 'auto'];

/**
 * What every Lifeboat element shares: `server` / `site` / `client` / `theme`, the client
 * resolution (property, then context, then the shared per-page client), custom states, and
 * re-rendering when messages change.
 */
export abstract class LifeboatElement extends LitElement {
  /** Base URL of the Lifeboat server; defaults to the script tag's `data-server`. */
  @property({ reflect: true }) server: string | null = null;

  /** Site slug on that server; defaults to the script tag's `data-site`. */
  @property({ reflect: true }) site: string | null = null;

  /** A client to use instead of the shared one (tests, frameworks). */
  @property({ attribute: false }) client?: LifeboatClient;

  /**
   * Color scheme: `light`, `dark`, or `auto`: the host page's own switch (`data-theme`,
   * `dark`/`light` classes, `color-scheme`, see docs/theming.md), else prefers-color-scheme.
   */
  @property({ reflect: true }) theme: Theme = 'auto';

  /** A client provided by an ancestor through @lit/context. */
  @consume({ context: clientContext, subscribe: true })
  @state()
  contextClient?: LifeboatClient;

  /** The client in use, once resolved. */
  protected activeClient: LifeboatClient | undefined;
  protected readonly internals: ElementInternals = this.attachInternals();
  #unlistenMessages: (() => void) | undefined;

  constructor() {
    super();
    new HostThemeController(this);
  }

  /**
   * The host page's scheme in `auto` (null: the OS decides), as the custom states `host-dark`
   * and `host-light`; shared.styles.ts forces `color-scheme` from them.
   * @internal
   */
  hostSchemeChanged(scheme: Scheme | null): void {
    this.toggleState('host-dark', scheme === 'dark');
    this.toggleState('host-light', scheme === 'light');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unlistenMessages = onMessagesChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unlistenMessages?.();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('theme') && !THEMES.includes(this.theme) && isDevelopment()) {
      console.warn(
        `<${this.localName}>: theme="${this.theme}" is not one of ${THEMES.join(', ')}.`,
      );
    }
    const client = resolveClient(this);
    if (client !== this.activeClient) {
      this.activeClient = client;
      this.clientChanged(client);
    }
  }

  /** Called when the resolved client changes: bind stores here. */
  protected abstract clientChanged(client: LifeboatClient | undefined): void;

  /** Turns a custom state (`:host(:state(name))`) on or off. */
  protected toggleState(name: string, on: boolean): void {
    try {
      if (on) this.internals.states.add(name);
      else this.internals.states.delete(name);
    } catch {
      // Browsers without CustomStateSet: styling by state is an enhancement.
    }
  }
}

declare const process: { env: { NODE_ENV?: string } };

/** True unless the bundle was built for production (`process.env.NODE_ENV` is replaced). */
export function isDevelopment(): boolean {
  try {
    return process.env.NODE_ENV !== 'production';
  } catch {
    return true;
  }
}
