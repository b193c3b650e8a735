// `ops export`: endpoints as the CSV `ops import` reads (a round trip), read
// page by page in address order so a large repository never sits in memory.
// A file is written beside its target and renamed at the end, so a failed
// export never leaves half a file under the name asked for.
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { CliContext, EXIT, usageError } from '../context';
import { exportHeader, exportLine } from '../endpoint-csv';
import { exportPage, type ExportFilter } from '../../db/exports';
import type { EndpointStateName } from '../../domain/endpoint';

export interface ExportOptions {
  state?: EndpointStateName[];
  npa?: string;
  provider?: string;
  account?: string;
  out?: string;
}

const PAGE = 5000;

export async function exportCommand(ctx: CliContext, opts: ExportOptions): Promise<number> {
  const db = await ctx.db();
  const filter: ExportFilter = { states: opts.state, npa: opts.npa, providerId: opts.provider, accountId: opts.account };

  let stream: WriteStream | undefined;
  const tmp = opts.out ? `${opts.out}.${process.pid}.tmp` : undefined;
  if (tmp) {
    stream = createWriteStream(tmp);
    try {
      await once(stream, 'open');
    } catch (err) {
      throw usageError(`cannot write ${opts.out}: ${(err as Error).message}`);
    }
  }
  const write = async (text: string) => {
    if (!stream) return ctx.io.stdout(text);
    if (!stream.write(text)) await once(stream, 'drain');
  };

  let count = 0;
  try {
    await write(`${exportHeader()}\n`);
    let after: string | undefined;
    for (;;) {
      const page = await exportPage(db, filter, after, PAGE);
      if (page.length === 0) break;
      await write(page.map((r) => `${exportLine(r)}\n`).join(''));
      count += page.length;
      after = page[page.length - 1]!.address;
      if (page.length < PAGE) break;
    }
    if (stream) {
      stream.end();
      await once(stream, 'finish');
      await rename(tmp!, opts.out!);
    }
  } catch (err) {
    stream?.destroy();
    if (tmp) await rm(tmp, { force: true });
    throw err;
  }
  ctx.err(`exported ${count} endpoint${count === 1 ? '' : 's'}${opts.out ? ` to ${opts.out}` : ''}`);
  return EXIT.OK;
}
