// The page of the thread render benchmark: <lifeboat-thread> with a fake client of N posts
// (real nanostores atoms), timed to the first paint after render, while scrolling through the
// whole thread (the thread renders only the posts near the viewport), then one live event.
import type { LocalPost } from '@lifeboat/sdk';
import '../../../packages/elements/src/thread/thread.js';
import type { LifeboatThread } from '../../../packages/elements/src/thread/thread.js';
import { FakeClient } from '../../../packages/elements/src/testing/fake-client.js';
import {
  INCIDENT_ID,
  samplePost,
  sampleStatus,
} from '../../../packages/elements/src/testing/sample-data.js';

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));
const frame = () =>
  new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

async function settled(el: LifeboatThread): Promise<void> {
  await el.updateComplete;
  const answers = [...el.shadowRoot!.querySelectorAll('lifeboat-answer')] as unknown as Array<{
    updateComplete: Promise<unknown>;
  }>;
  await Promise.all(answers.map((a) => a.updateComplete));
  await frame();
}

async function run(n: number): Promise<Record<string, number>> {
  const client = new FakeClient();
  client.setStatus(sampleStatus('major'));
  const posts: LocalPost[] = Array.from({ length: n }, (_, i) =>
    samplePost({
      id: `01HZBENCH${String(i).padStart(17, '0')}`,
      body: `Answer ${i}: restarting the worker helped.\n\n- step one\n- step \`two\`\n\nhttps://example.com/${i}`,
      counts: { worked: i % 7, didntWork: i % 3 },
      score: (i % 97) / 100,
      kind: i % 10 === 9 ? 'reply' : 'answer',
      parentId: i % 10 === 9 ? `01HZBENCH${String(i - 1).padStart(17, '0')}` : null,
    }),
  );
  client.setThread(INCIDENT_ID, { state: 'ready', posts });
  const el = document.createElement('lifeboat-thread') as LifeboatThread;
  el.client = client;

  const t0 = performance.now();
  document.body.append(el);
  await el.updateComplete;
  await new Promise((r) => requestAnimationFrame(r));
  void document.body.offsetHeight; // the first slice laid out
  const render = performance.now() - t0;
  await settled(el);
  const rendered = el.shadowRoot!.querySelectorAll('lifeboat-answer').length;
  // Scroll down the thread at 600 px a frame (36,000 px/s at 60 Hz: a fast fling) for up to
  // 250,000 px: the time it takes, and the longest frame meanwhile (what a visitor scrolling
  // would feel). Every post passed is rendered on the way.
  const seen = new Set<string>();
  const collect = () => {
    for (const li of el.shadowRoot!.querySelectorAll<HTMLElement>('ol.posts > li'))
      seen.add(li.dataset.key!);
  };
  const step = 600;
  const distance = 250_000;
  let longest = 0;
  const t3 = performance.now();
  let last = t3;
  const bottom = () => document.documentElement.scrollHeight - innerHeight - 1;
  for (let i = 0; i < distance / step && scrollY < bottom(); i++) {
    scrollBy(0, step);
    const at = await nextFrame();
    longest = Math.max(longest, at - last);
    last = at;
    collect();
  }
  await frame();
  collect();
  const scroll = performance.now() - t3;
  // Jumps (the scrollbar dragged, a link to a post): to 10 places spread over the thread.
  let jump = 0;
  for (let i = 0; i < 10; i++) {
    scrollTo(0, (bottom() * ((i * 7) % 10)) / 10);
    const start = performance.now();
    await frame();
    jump = Math.max(jump, performance.now() - start);
  }
  scrollTo(0, 0);
  await frame();
  await new Promise((r) => setTimeout(r, 500));
  // A live confirmation on one post: its counts change in place.
  const target = posts[Math.floor(n / 2)]!.id;
  const t1 = performance.now();
  client.setThread(INCIDENT_ID, {
    posts: client
      .thread(INCIDENT_ID)
      .get()
      .posts.map((p) =>
        p.id === target
          ? { ...p, counts: { worked: p.counts.worked + 1, didntWork: p.counts.didntWork } }
          : p,
      ),
  });
  await settled(el);
  const reaction = performance.now() - t1;

  // A new answer from someone else: held behind "N new answers".
  const t2 = performance.now();
  client.setThread(INCIDENT_ID, {
    posts: [
      ...client.thread(INCIDENT_ID).get().posts,
      samplePost({ id: '01HZBENCHNEW0000000000000A', body: 'Live' }),
    ],
  });
  await settled(el);
  const live = performance.now() - t2;
  el.remove();
  const top = el.shadowRoot!.querySelectorAll('ol.posts > li').length;
  return {
    posts: n,
    render,
    rendered,
    scroll,
    longest,
    jump,
    reaction,
    live,
    seen: seen.size,
    top,
  };
}

(window as unknown as { runBench: typeof run }).runBench = run;
