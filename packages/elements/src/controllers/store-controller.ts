import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ReadableAtom } from 'nanostores';

/**
 * Subscribes a host to a nanostores store while the host is connected and re-renders it on every
 * change. The store can be swapped (`controller.store = …`) when the client or incident changes.
 */
export class StoreController<T> implements ReactiveController {
  #store: ReadableAtom<T> | undefined;
  #unsubscribe: (() => void) | undefined;
  #connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    store?: ReadableAtom<T>,
  ) {
    this.#store = store;
    host.addController(this);
  }

  get store(): ReadableAtom<T> | undefined {
    return this.#store;
  }

  set store(store: ReadableAtom<T> | undefined) {
    if (store === this.#store) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#store = store;
    if (this.#connected) this.hostConnected();
    this.host.requestUpdate();
  }

  /** The store's current value, or undefined without a store. */
  get value(): T | undefined {
    return this.#store?.get();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#unsubscribe ??= this.#store?.subscribe(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
