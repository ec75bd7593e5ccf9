import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Re-renders its host every `interval` ms while connected, for relative times ("12 min ago"). */
export class ClockController implements ReactiveController {
  now = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly interval = 60_000,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.now = Date.now();
    this.#timer = setInterval(() => {
      this.now = Date.now();
      this.host.requestUpdate();
    }, this.interval);
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
