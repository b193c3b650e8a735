// The progress display on its own: a bar redrawn in place on a terminal,
// plain lines at most every few seconds in a log.
import assert from 'node:assert/strict';
import { progress } from '../../src/cli/progress';

describe('CLI: progress', () => {
  it('draws a bar on a terminal and ends it with a summary line', () => {
    let t = 0;
    let text = '';
    const bar = progress({ write: (s) => void (text += s), tty: true, label: 'import', total: 10, now: () => t });
    for (let i = 1; i <= 10; i++) {
      t += 150;
      bar.update(i);
    }
    bar.finish();
    assert.match(text, /^\r\[###-{25}\] import 1\/10 \(10%\)/);
    assert.match(text, /\r\[#{28}\] import 10\/10 \(100%\) \d+\/s/);
    assert.ok(text.endsWith('\rimport 10/10 in 1.5s\x1b[K\n'), JSON.stringify(text.slice(-40)));
  });

  it('writes a plain line at most every interval when stderr is not a terminal', () => {
    let t = 0;
    const lines: string[] = [];
    const bar = progress({ write: (s) => void lines.push(s), tty: false, label: 'import', total: 1000, every: 5000, now: () => t });
    for (let i = 0; i <= 1000; i += 10) {
      t += 100; // 10 s in all
      bar.update(i);
    }
    bar.finish('done');
    assert.deepEqual(lines, ['import 0/1000 (0%) 0/s\n', 'import 500/1000 (50%) 98/s eta 6s\n', 'import 1000/1000 in 10.1s: done\n']);
  });
});
