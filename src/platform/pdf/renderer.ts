import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import type { TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { CODE_DIR } from '../../paths.ts';
import type { Logger } from '../logger.ts';

/**
 * PDFs are rendered on one or two worker threads, never on the main thread (ADR 0025): pdfmake is
 * synchronous, and 60 summaries rendered inline stalled every other request for seconds. The same
 * document (same content, language and all) is rendered once and then served from a small cache;
 * each caller may have a bounded number of renders waiting or running, and the queue as a whole is
 * bounded, so one caller cannot fill it.
 */

/** Plain JavaScript, copied beside the bundle by the build (src/platform/pdf/worker.js → dist/…). */
const WORKER_FILE = path.join(CODE_DIR, 'platform', 'pdf', 'worker.js');

export const PDF_LIMITS = {
  /** Renders one caller may have queued or running at once; one more is refused (429). */
  perCaller: 2,
  /** Renders queued or running in this process; one more is refused (503). */
  queued: 40,
  /** Seconds a refused caller is told to wait. */
  retryAfterSeconds: 2,
  /** Cached PDFs, in bytes. */
  cacheBytes: 16 * 1024 * 1024,
  /** A thread idle this long is stopped (started again on the next render). */
  idleMs: 30_000,
} as const;

/**
 * "Page 1 of 2" at the foot of every page. pdfmake writes a footer with a function of the page and the
 * page count, and a function cannot cross to the thread: the thread is sent the sentence for each plural
 * category of the language (`{{page}}` and `{{pages}}` in it) and picks the one for the page count.
 */
export interface PageNumbering {
  locale: string;
  templates: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
}

/** A pdfmake document, with page numbers the thread adds. */
export type PdfDocument = TDocumentDefinitions & { pageNumbers?: PageNumbering };

export type RenderOutcome =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: 'caller_busy' | 'overloaded'; retryAfterSeconds: number };

interface Task {
  id: number;
  doc: PdfDocument;
  attempts: number;
  resolve(bytes: Buffer): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  task: Task | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  /** Stopped for idleness: takes no new task while it exits. */
  stopping: boolean;
}

type WorkerReply = { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; message: string };

export class PdfRenderer {
  private readonly threads: Thread[] = [];
  private readonly queue: Task[] = [];
  private readonly perCaller = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly cache = new LRUCache<string, Buffer>({
    maxSize: PDF_LIMITS.cacheBytes,
    sizeCalculation: (b) => Math.max(1, b.length),
  });
  private pending = 0;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly maxThreads = Math.min(2, Math.max(1, availableParallelism() - 1)),
  ) {}

  /** Renders `doc` for `caller` (who is asking, for the per-caller limit), or says why not now. */
  async render(caller: string, doc: PdfDocument): Promise<RenderOutcome> {
    const key = createHash('sha256').update(JSON.stringify(doc)).digest('hex');
    const cached = this.cache.get(key);
    if (cached) return { ok: true, bytes: cached };
    // The same document already being rendered: wait for it, at no cost to anyone's share.
    const running = this.inFlight.get(key);
    if (running) return { ok: true, bytes: await running };
    const mine = this.perCaller.get(caller) ?? 0;
    if (mine >= PDF_LIMITS.perCaller)
      return { ok: false, reason: 'caller_busy', retryAfterSeconds: PDF_LIMITS.retryAfterSeconds };
    if (this.pending >= PDF_LIMITS.queued)
      return { ok: false, reason: 'overloaded', retryAfterSeconds: PDF_LIMITS.retryAfterSeconds };
    this.perCaller.set(caller, mine + 1);
    this.pending += 1;
    const rendering = this.enqueue(doc);
    this.inFlight.set(key, rendering);
    try {
      const bytes = await rendering;
      this.cache.set(key, bytes);
      return { ok: true, bytes };
    } finally {
      this.inFlight.delete(key);
      this.pending -= 1;
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller, left);
      else this.perCaller.delete(caller);
    }
  }

  /** Stops every thread; a render in progress is retried once on a new thread, as after a crash. */
  async terminateThreads(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('PDF renderer closed'));
    await this.terminateThreads();
  }

  private enqueue(doc: PdfDocument): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('PDF renderer closed'));
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, doc, attempts: 0, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      const thread = this.threads.find((t) => !t.task && !t.stopping) ?? this.startThread();
      if (!thread) return;
      const task = this.queue.shift() as Task;
      task.attempts += 1;
      thread.task = task;
      if (thread.idleTimer) clearTimeout(thread.idleTimer);
      thread.idleTimer = undefined;
      thread.worker.postMessage({ id: task.id, doc: task.doc });
    }
  }

  private startThread(): Thread | undefined {
    if (this.closed || this.threads.filter((t) => !t.stopping).length >= this.maxThreads) return undefined;
    // Without the parent's --import flags: the thread runs plain JavaScript and starts faster.
    const worker = new Worker(WORKER_FILE, { execArgv: [] });
    worker.unref();
    const thread: Thread = { worker, task: undefined, idleTimer: undefined, stopping: false };
    this.threads.push(thread);
    worker.on('message', (reply: WorkerReply) => this.settle(thread, reply));
    worker.on('error', (error) => this.log.error({ err: error }, 'PDF thread failed'));
    worker.on('exit', (code) => this.replace(thread, code));
    return thread;
  }

  private settle(thread: Thread, reply: WorkerReply): void {
    const task = thread.task;
    if (!task || task.id !== reply.id) return;
    thread.task = undefined;
    if (reply.ok)
      task.resolve(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
    else task.reject(new Error(`PDF rendering failed: ${reply.message}`));
    thread.idleTimer = setTimeout(() => {
      thread.stopping = true;
      void thread.worker.terminate();
    }, PDF_LIMITS.idleMs).unref();
    this.dispatch();
  }

  /** A thread ended (idle, closed or crashed): its task, if any, gets one more try on a new thread. */
  private replace(thread: Thread, code: number): void {
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads.splice(index, 1);
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    const task = thread.task;
    if (!task) return;
    this.log.warn({ exitCode: code, attempts: task.attempts }, 'PDF thread ended during a render');
    if (task.attempts < 2 && !this.closed) this.queue.unshift(task);
    else task.reject(new Error('PDF thread ended during a render'));
    this.dispatch();
  }
}
