/**
 * Scheduled work that must run once across all replicas, not once per replica. Each
 * job has a lease row in the database; on every tick a replica tries to take or renew
 * the lease and runs the job only if it holds it. A replica that dies stops renewing,
 * and its lease expires after `leaseMs`, when another one takes over.
 *
 * Lease instants come from each replica's own clock, so clocks must agree to well
 * within a lease (NTP does that); the lease is generous for that reason.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { recordJobEnd, releaseLease, startRun } from '../../store/jobLeases.js';
import type { App } from '../context.js';

export type JobRun = (app: App) => Promise<unknown>;

export interface JobOptions {
  /** How long a lease lasts without renewal; longer than one run. Default 3 × interval, at least 30 s. */
  leaseMs?: number;
}

interface Job {
  name: string;
  intervalMs: number;
  leaseMs: number;
  run: JobRun;
  timer: NodeJS.Timeout | null;
  running: Promise<boolean> | null;
  held: boolean;
}

export interface SchedulerLog {
  error(object: object, message: string): void;
}

/** Told of every run this process makes (for its metrics). */
export type JobRunObserver = (job: string, outcome: 'ok' | 'failed') => void;

export class JobScheduler {
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly jobs = new Map<string, Job>();
  private started = false;
  private stopped = false;

  constructor(
    private readonly app: App,
    private readonly log: SchedulerLog = { error: () => undefined },
    private readonly observe: JobRunObserver = () => undefined,
  ) {}

  /** Adds a job; it starts with the scheduler (or at once, if that is already running). */
  registerJob(name: string, intervalMs: number, run: JobRun, options: JobOptions = {}): void {
    if (this.jobs.has(name)) throw new Error(`a job named '${name}' is registered already`);
    if (!(intervalMs > 0)) throw new Error(`job '${name}': the interval must be positive`);
    const job: Job = {
      name,
      intervalMs,
      leaseMs: options.leaseMs ?? Math.max(30_000, intervalMs * 3),
      run,
      timer: null,
      running: null,
      held: false,
    };
    this.jobs.set(name, job);
    if (this.started) this.schedule(job, 0);
  }

  get jobNames(): string[] {
    return [...this.jobs.keys()];
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs.values()) this.schedule(job, 0);
  }

  /**
   * One tick of one job: take or renew the lease, and run if it is ours. Returns whether
   * the job ran here. Ticks of one job never overlap within a process.
   */
  runOnce(name: string): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named '${name}'`);
    job.running ??= this.tick(job).finally(() => {
      job.running = null;
    });
    return job.running;
  }

  private async tick(job: Job): Promise<boolean> {
    if (this.stopped) return false;
    const store = this.app.store;
    job.held = await startRun(store, {
      name: job.name,
      holder: this.holder,
      now: this.app.clock(),
      leaseMs: job.leaseMs,
    });
    if (!job.held) return false;
    let error: string | null = null;
    try {
      await job.run(this.app);
    } catch (e) {
      error = (e as Error).message;
      this.log.error({ job: job.name, err: e }, `scheduled job ${job.name} failed`);
    }
    await recordJobEnd(store, { name: job.name, holder: this.holder, at: this.app.clock(), error });
    this.observe(job.name, error === null ? 'ok' : 'failed');
    return true;
  }

  private schedule(job: Job, delayMs: number): void {
    if (this.stopped) return;
    job.timer = setTimeout(() => {
      job.timer = null;
      this.runOnce(job.name)
        .catch((e: unknown) =>
          // The store unreachable for a moment: the next tick tries again.
          this.log.error({ job: job.name, err: e }, `scheduled job ${job.name} could not run`),
        )
        .finally(() => this.schedule(job, job.intervalMs));
    }, delayMs);
    // A pending tick never keeps the process alive on its own.
    job.timer.unref();
  }

  /** Stops ticking, waits for runs in flight, and hands held leases back. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
    await Promise.allSettled([...this.jobs.values()].map((job) => job.running));
    for (const job of this.jobs.values())
      if (job.held)
        await releaseLease(this.app.store, {
          name: job.name,
          holder: this.holder,
          now: this.app.clock(),
        }).catch(() => undefined);
  }
}
