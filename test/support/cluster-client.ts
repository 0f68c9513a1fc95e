import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SmtpSink } from './smtp-sink.ts';

/**
 * The client side of the many-processes proof (bench/cluster.ts, test/integration/cluster.test.ts):
 * an integrator booking orders over several web processes, and the SMTP sink's messages counted by
 * Message-ID.
 */

export interface BookingLoad {
  orders: number;
  linesPerOrder: number;
  /** Unique per run: order references and contact addresses start with it. */
  tag: string;
  /** YYYY-MM-DD, the lines' requested start date (today, UTC: due at once). */
  startDate: string;
}

export interface OrderToBook {
  reference: string;
  idempotencyKey: string;
  body: string;
  contacts: string[];
}

export function ordersToBook(load: BookingLoad): OrderToBook[] {
  return Array.from({ length: load.orders }, (_, i) => {
    const reference = `${load.tag}-${String(i).padStart(6, '0')}`;
    // One contact per line: the dispatch sends one email per (order, contact), so one per line here.
    const contacts = Array.from(
      { length: load.linesPerOrder },
      (_, j) => `${load.tag.toLowerCase()}-${i}-${j}@customer${i % 31}.example`,
    );
    const body = JSON.stringify({
      reference,
      endCustomer: { name: `Customer ${i % 31}`, country: 'IT' },
      lines: contacts.map((contact, j) => ({
        offer: ['A-WX', 'A-SPK', 'A-FLEX'][(i + j) % 3],
        quantity: 1 + ((i * 7 + j * 13) % 50),
        requestedStartDate: load.startDate,
        provisioningContactEmail: contact,
      })),
    });
    return { reference, idempotencyKey: randomUUID(), body, contacts };
  });
}

export interface BookingOutcome {
  /** References answered 201 or 200 (a replay of the same key), in the order they were answered. */
  acknowledged: string[];
  /** Answers that were replays (`Idempotent-Replayed: true`): the first try had booked it, unanswered. */
  replayed: number;
  /** Attempts that failed (the connection dropped or refused, or a 5xx) and were sent again. */
  resent: number;
  /** From the first request to the last acknowledgement. */
  elapsedMs: number;
}

/** The web processes the client may use right now; a killed one is taken out before its kill. */
export interface Targets {
  list(): readonly string[];
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; replayed: boolean; text: string }>((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          replayed: response.headers['idempotent-replayed'] === 'true',
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Books every order with `concurrency` requests in flight: order i goes to the i-th web process round
 * robin; an attempt whose process dies (connection reset or refused) or that gets a 5xx is sent again,
 * with the same Idempotency-Key and body, to the next process in the list. Any other answer fails
 * the run. `onAcknowledged` hears the running count (to kill processes in the middle).
 */
export async function bookOrders(options: {
  orders: OrderToBook[];
  concurrency: number;
  apiKey: string;
  targets: Targets;
  /** A bound for a run that would otherwise hang, not a measurement. */
  deadlineMs: number;
  onAcknowledged?: (count: number) => void;
}): Promise<BookingOutcome> {
  const { orders, concurrency, apiKey, targets } = options;
  const agents = new Map<string, Agent>();
  const agentFor = (base: string) => {
    let agent = agents.get(base);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: concurrency });
      agents.set(base, agent);
    }
    return agent;
  };
  const outcome: BookingOutcome = { acknowledged: [], replayed: 0, resent: 0, elapsedMs: 0 };
  const deadline = Date.now() + options.deadlineMs;
  let next = 0;
  let failed = false;
  const place = async (i: number, order: OrderToBook) => {
    for (let attempt = 0; ; attempt += 1) {
      if (failed) return;
      const live = targets.list();
      const base = live[(i + attempt) % live.length];
      if (!base) throw new Error('no web process left to book with');
      let answer: Awaited<ReturnType<typeof post>> | undefined;
      try {
        answer = await post(
          agentFor(base),
          new URL('/api/v1/orders', base),
          {
            Authorization: `Bearer ${apiKey}`,
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(order.body)),
            'Idempotency-Key': order.idempotencyKey,
          },
          order.body,
        );
      } catch {
        // The process went away under the request (ECONNRESET, ECONNREFUSED, socket hang up).
      }
      if (answer && (answer.status === 201 || answer.status === 200)) {
        if (answer.replayed) outcome.replayed += 1;
        outcome.acknowledged.push(order.reference);
        options.onAcknowledged?.(outcome.acknowledged.length);
        return;
      }
      if (answer && answer.status < 500)
        throw new Error(`POST /api/v1/orders answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      if (Date.now() > deadline) throw new Error(`order ${order.reference} not acknowledged in time`);
      outcome.resent += 1;
      await sleep(Math.min(500, 20 * 2 ** Math.min(attempt, 5)));
    }
  };
  const started = performance.now();
  const lane = async () => {
    while (next < orders.length && !failed) {
      const i = next;
      next += 1;
      const order = orders[i];
      if (!order) return;
      try {
        await place(i, order);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  try {
    const lanes = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, orders.length) }, lane),
    );
    const rejected = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (rejected) throw rejected.reason;
  } finally {
    for (const agent of agents.values()) agent.destroy();
  }
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}

const MESSAGE_ID = /^Message-ID:\s*<([^@>]+)@/im;

/** The sink's messages by Message-ID (the outbox row's id), read as they arrive. */
export interface MailCount {
  /** Outbox id → how many times a message with it arrived. */
  readonly arrivals: ReadonlyMap<string, number>;
  /** Messages without a Message-ID (should be none). */
  readonly unidentified: number;
  /** Reads what arrived since the last call. */
  update(): void;
  /** Polls until `distinct` Message-IDs have arrived; resolves with when (performance.now()). */
  waitForDistinct(distinct: number, timeoutMs: number): Promise<number>;
}

export function countMail(sink: SmtpSink): MailCount {
  const arrivals = new Map<string, number>();
  let read = 0;
  let unidentified = 0;
  const update = () => {
    for (; read < sink.received.length; read += 1) {
      const raw = sink.received[read]?.raw ?? '';
      // The header is what names the message; the body is not looked at.
      const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')) || raw.length);
      const id = MESSAGE_ID.exec(head)?.[1];
      if (id) arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
      else unidentified += 1;
    }
  };
  return {
    arrivals,
    get unidentified() {
      return unidentified;
    },
    update,
    async waitForDistinct(distinct, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        update();
        if (arrivals.size >= distinct) return performance.now();
        if (Date.now() > deadline)
          throw new Error(`expected ${distinct} distinct messages at the SMTP sink, got ${arrivals.size}`);
        await sleep(20);
      }
    },
  };
}
