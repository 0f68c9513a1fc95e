import type { Config } from '../../config.ts';
import { seal, unseal } from '../../platform/sealed-box.ts';

/**
 * What a delivery carries, per the Standard Webhooks specification: the body `{"type", "timestamp",
 * "data"}` (the event's time, never the attempt's: a late delivery still says when it happened), and
 * the secrets that sign it.
 */

export function deliveryBody(type: string, occurredAt: Date, data: unknown): string {
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), data });
}

export const USER_AGENT = 'Provisio-Webhooks/1.0 (+https://www.standardwebhooks.com)';

/** A signing secret sealed for one endpoint: its id is authenticated with it. */
export function sealSecret(config: Config, endpointId: string, secret: string): string {
  return seal(config.webhookSecretsKeys, secret, `webhook-endpoint:${endpointId}`);
}

export function unsealSecret(config: Config, endpointId: string, sealed: string): string {
  return unseal(config.webhookSecretsKeys, sealed, `webhook-endpoint:${endpointId}`);
}

/** The secrets that sign now: the current one, and the previous one until its rotation window ends. */
export function signingSecrets(
  config: Config,
  endpoint: {
    id: string;
    secret_sealed: string;
    previous_secret_sealed: string | null;
    previous_secret_expires_at: Date | null;
  },
  now: Date,
): string[] {
  const secrets = [unsealSecret(config, endpoint.id, endpoint.secret_sealed)];
  if (
    endpoint.previous_secret_sealed &&
    endpoint.previous_secret_expires_at &&
    endpoint.previous_secret_expires_at > now
  )
    secrets.push(unsealSecret(config, endpoint.id, endpoint.previous_secret_sealed));
  return secrets;
}
