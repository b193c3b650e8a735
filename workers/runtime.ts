// The worker process's Temporal runtime (one per process, installed before any
// connection): the SDK's logs — its TypeScript side's and, forwarded, its Rust
// core's — go to the worker's pino logger as JSON lines, and its Prometheus
// exporter serves the SDK's metrics on a loopback address the worker's own
// /metrics reads (workers/metrics.ts).
import { Runtime, makeTelemetryFilterString, type LogLevel, type LogMetadata, type Logger as SdkLogger } from '@temporalio/worker';
import type { Logger } from '../src/logger';

export type SdkLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * The SDK's logger interface over pino. The SDK's own lines (the worker's
 * state, core's polling and task handling) are kept from `sdkLevel` up;
 * lines from our activity and workflow code (`log` of @temporalio/activity
 * and /workflow) are the application's own and pass at pino's LOG_LEVEL.
 */
export class PinoSdkLogger implements SdkLogger {
  private readonly least: number;
  constructor(
    private readonly pino: Logger,
    sdkLevel: SdkLogLevel,
  ) {
    this.least = LEVELS.indexOf(sdkLevel.toUpperCase() as LogLevel);
  }

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    const component: unknown = meta.sdkComponent;
    const ours = component === 'activity' || component === 'workflow';
    if (!ours && LEVELS.indexOf(level) < this.least) return;
    // symbol keys (the SDK's timestamp) are left out by pino; pino stamps its own time
    this.pino[level.toLowerCase() as Lowercase<LogLevel>]({ ...meta }, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * Installs the process's runtime: logs through `log` (core's forwarded from
 * `sdkLevel` up; its third-party crates' from WARN), and, with
 * `sdkMetricsAddress`, the SDK's Prometheus exporter there — Prometheus'
 * naming: counters end in _total, durations in seconds with their unit.
 */
export function installRuntime(opts: { log: Logger; sdkLevel: SdkLogLevel; sdkMetricsAddress?: string }): void {
  const core = opts.sdkLevel.toUpperCase() as LogLevel;
  Runtime.install({
    logger: new PinoSdkLogger(opts.log, opts.sdkLevel),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core, other: LEVELS.indexOf(core) > LEVELS.indexOf('WARN') ? core : 'WARN' }), forward: {} },
      ...(opts.sdkMetricsAddress
        ? {
            metrics: {
              prometheus: { bindAddress: opts.sdkMetricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
            },
          }
        : {}),
    },
  });
}
