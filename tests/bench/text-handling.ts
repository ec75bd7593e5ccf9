/**
 * `text`: html→text (upstream update bodies; also in the browser in direct mode) and the
 * risky-advice patterns (every post) on adversarial input, each beside benign input of the same
 * size, in the same run. Issue 16 found `<a` × 20,000 (40 KB) at 0.8 s and `a.` × 2,500 at 40 ms
 * with the regular expressions; both are linear now. Prints the median of 5 runs; asserts nothing.
 */
import { htmlToText } from '../../packages/protocol/src/status/text.js';
import { riskyAdvice } from '../../packages/server/src/moderation/risky-advice.js';

const fill = (unit: string, size: number) =>
  unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

function median(fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2]!;
}

const BENIGN_HTML =
  '<p>We are investigating elevated error rates on <b>webhook deliveries</b> &amp; retries.</p><ul><li>API: degraded</li><li>Webhooks: partial outage</li></ul><br>';
const BENIGN_POST =
  'Restarting the webhook worker fixed it for us. Run the deploy again with the old config, then check the queue. ';

export async function textHandling(): Promise<void> {
  const rows: Array<[string, number, number, number]> = [];
  for (const size of [40_000, 1_000_000]) {
    for (const [name, unit] of [
      ['`<a` repeated', '<a'],
      ['`<!--` repeated', '<!--'],
      ['`<script>` repeated', '<script>'],
      ['`<li` repeated', '<li'],
    ] as const) {
      const adversarial = fill(unit, size);
      const benign = fill(BENIGN_HTML, size);
      rows.push([
        `htmlToText ${name}`,
        size,
        median(() => htmlToText(adversarial)),
        median(() => htmlToText(benign)),
      ]);
    }
  }
  for (const size of [5_000, 15_500]) {
    for (const [name, unit] of [
      ['`a.` repeated', 'a.'],
      ['`curl ` repeated + `| sh`', 'curl '],
      ['`iwr ` repeated + `| iex`', 'iwr '],
      ['`a-` repeated + `@x.com`', 'a-'],
      ['`"` and `\'` nested quotes', `"'`],
    ] as const) {
      const tail = name.includes('| sh')
        ? '| sh'
        : name.includes('| iex')
          ? '| iex'
          : name.includes('@')
            ? '@x.com'
            : '';
      const adversarial = fill(unit, size - tail.length) + tail;
      const benign = fill(BENIGN_POST, size);
      rows.push([
        `riskyAdvice ${name}`,
        size,
        median(() => riskyAdvice(adversarial)),
        median(() => riskyAdvice(benign)),
      ]);
    }
  }
  console.log(
    '  input                                          chars   adversarial   benign (same size)',
  );
  for (const [name, size, bad, good] of rows)
    console.log(
      `  ${name.padEnd(46)} ${String(size).padStart(9)} ${bad.toFixed(2).padStart(10)} ms ${good.toFixed(2).padStart(10)} ms`,
    );
}
