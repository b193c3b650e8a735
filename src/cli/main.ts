#!/usr/bin/env node
// `npm run ops -- <command>`: the operators' CLI as a process. The first
// Ctrl-C asks the command to stop at its next safe point (an import finishes
// the batch under way, so no row is left without its workflow); a second one
// quits at once.
import { EXIT } from './context';
import { runCli } from './program';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(EXIT.INTERRUPTED);
  interrupt.abort();
  process.stderr.write('\nstopping at the next safe point (Ctrl-C again to quit at once)\n');
});

// runCli answers with an exit code and does not reject; if it ever did, the crash should stay loud
void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare -- isTTY is undefined, not false, off a terminal
  stderrIsTTY: process.stderr.isTTY === true,
  signal: interrupt.signal,
}).then((code) => {
  process.exitCode = code;
  // stdout drains before the process ends; a handle something left open must not keep it alive
  setTimeout(() => process.exit(code), 5_000).unref();
});
