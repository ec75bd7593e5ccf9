/**
 * examples/react (docs/frameworks.md) in Chromium against a real Lifeboat server: the React app shows
 * the banner, the thread and the workaround form, sets their properties and hears their events.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkExample, startExample, type ExampleRun } from './framework-example.js';

let run: ExampleRun;

beforeAll(async () => {
  run = await startExample('react');
});

afterAll(async () => {
  await run?.close();
});

describe('the React example', () => {
  it('renders the components with live data and passes their events to app code', async () => {
    await checkExample(run);
  });
});
