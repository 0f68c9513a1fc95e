/** Types of server.mjs, for the test that runs it against Provisio (test/integration/example-receiver.test.ts). */
export interface ReceiverOptions {
  port?: number;
  fulfilmentSecret?: string;
  webhookSecret?: string;
  provisioUrl?: string;
  apiKey?: string;
  mode?: 'sync' | 'async';
  reportDelayMs?: number;
  log?: (line: string) => void;
}

export interface RunningReceiver {
  port: number;
  /** Tenants made, by fulfilment request id. */
  tenants: Map<string, string>;
  close(): Promise<void>;
}

export function startReceiver(options?: ReceiverOptions): Promise<RunningReceiver>;
