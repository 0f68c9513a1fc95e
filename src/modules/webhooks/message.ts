import type { Config } from '../../config.ts';
import { seal, unseal } from '../../platform/sealed-box.ts';

/**
 * What a delivery carries, per the Standard Webhooks specification: the body `{"type", "timestamp",
 * "data"}` (the event's time, never the attempt's: a late delivery still says when it happened), and
 * the secrets that sign it.
 */

/** `data` is the event's data as JSON text (as the database hands it out: it is sent as it is, unparsed). */
export function deliveryBody(type: string, occurredAt: Date, data: string): string {
  return `{"type":${JSON.stringify(type)},"timestamp":"${occurredAt.toISOString()}","data":${data}}`;
}

export const USER_AGENT = 'Provisio-Webhooks/1.0 (+https://www.standardwebhooks.com)';

/** A signing secret sealed for one endpoint: its id is authenticated with it. */
export function sealSecret(config: Config, endpointId: string, secret: string): string {
  return seal(config.webhookSecretsKeys, secret, `webhook-endpoint:${endpointId}`);
}

export function unsealSecret(config: Config, endpointId: string, sealed: string): string {
  return unseal(config.webhookSecretsKeys, sealed, `webhook-endpoint:${endpointId}`);
}

/**
 * The secrets that sign now: the current one, and the previous one until its rotation window ends.
 * `opened` keeps what was unsealed (by sealed value) for the caller's run, so a batch opens each once.
 */
export function signingSecrets(
  config: Config,
  endpoint: {
    id: string;
    secret_sealed: string;
    previous_secret_sealed: string | null;
    previous_secret_expires_at: Date | null;
  },
  now: Date,
  opened = new Map<string, string>(),
): string[] {
  const open = (sealed: string) => {
    let secret = opened.get(sealed);
    if (secret === undefined) {
      secret = unsealSecret(config, endpoint.id, sealed);
      opened.set(sealed, secret);
    }
    return secret;
  };
  const secrets = [open(endpoint.secret_sealed)];
  if (
    endpoint.previous_secret_sealed &&
    endpoint.previous_secret_expires_at &&
    endpoint.previous_secret_expires_at > now
  )
    secrets.push(open(endpoint.previous_secret_sealed));
  return secrets;
}
