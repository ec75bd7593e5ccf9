import { useState } from 'react';
import type { LifeboatStatusChangeEvent, LifeboatWorkaroundCreatedEvent } from '@lifeboat/elements';
import { client } from './lifeboat.js';

type Status = LifeboatStatusChangeEvent['detail'];

export function App() {
  // App state fed by the components' events.
  const [status, setStatus] = useState<Status | null>(null);
  const [posted, setPosted] = useState<string | null>(null);

  const onStatusChange = (event: LifeboatStatusChangeEvent) => setStatus(event.detail);
  const onWorkaroundCreated = (event: LifeboatWorkaroundCreatedEvent) =>
    setPosted(event.detail.post.state === 'published' ? 'published' : 'sent for review');

  return (
    <>
      <header className="masthead">
        <div className="wrap">
          <h1>
            Acme Cloud <span className="muted">Status</span>
          </h1>
          <p className="summary" role="status" id="app-status">
            {status
              ? `${status.description} · ${status.incidents.length} open incident${status.incidents.length === 1 ? '' : 's'}`
              : 'Checking status…'}
          </p>
        </div>
      </header>
      <main className="wrap">
        <lifeboat-banner
          client={client}
          expect="incident"
          onlifeboat-status-change={onStatusChange}
        />

        <section className="community" aria-labelledby="community-title">
          <h2 id="community-title">Community help</h2>
          <div className="community__grid">
            <lifeboat-thread client={client} sort="helpful" />
            <aside aria-label="Suggest a workaround">
              <lifeboat-workaround-form
                client={client}
                onlifeboat-workaround-created={onWorkaroundCreated}
              />
              {posted && (
                <p className="notice" role="status" id="app-posted">
                  Thanks! Your workaround was {posted}.
                </p>
              )}
            </aside>
          </div>
        </section>
      </main>
    </>
  );
}

/** Not rendered: proves that a wrong property name or value fails `tsc`. */
export function TypeErrors() {
  return (
    <>
      {/* @ts-expect-error `statusURL` is not a property of <lifeboat-banner> (it is `statusUrl`) */}
      <lifeboat-banner statusURL="https://status.example.com/api/v2/summary.json" />
      {/* @ts-expect-error `theme` is 'auto' | 'light' | 'dark' */}
      <lifeboat-thread theme="blue" />
      {/* @ts-expect-error the event handler gets a LifeboatStatusChangeEvent, not a number */}
      <lifeboat-banner onlifeboat-status-change={(n: number) => n} />
    </>
  );
}
