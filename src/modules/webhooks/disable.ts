import type { TxCtx } from '../../platform/context.ts';
import { queueEmails } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { event, recordEvents } from '../events/record.ts';
import { organizationAdmins } from '../identity/join-requests.ts';
import { vendorOperators } from '../identity/service.ts';
import { renderDisabledEmail } from './email.tsx';
import type { EndpointRow } from './repository.ts';

/** Where an endpoint's owner manages it: the workspace for an organization's, the back office for the vendor's. */
export function endpointPagePath(organizationId: string | null, endpointId: string): string {
  return `${organizationId ? '/settings/webhooks' : '/backoffice/webhooks'}/${endpointId}`;
}

/**
 * Says that endpoints were disabled (410 Gone, or failing for 5 days), in the transaction that
 * disabled them: the `webhook_endpoint.disabled` event (to the owner's other endpoints and the
 * feed), an email to each of the owner's admins (the vendor's operators for the vendor's endpoints)
 * in their language, and the history.
 */
export async function announceDisabled(tx: TxCtx, disabled: EndpointRow[]): Promise<void> {
  for (const endpoint of disabled) {
    const reason = endpoint.disabled_reason === 'gone' ? 'gone' : 'failing';
    const org = endpoint.organization_id;
    await recordEvents(tx, [
      event(
        'webhook_endpoint.disabled',
        {
          endpointId: endpoint.id,
          url: endpoint.url,
          reason,
          failingSince: endpoint.failing_since ? endpoint.failing_since.toISOString() : null,
        },
        org ? { partnerOrgId: org, placedByOrgId: org } : null,
      ),
    ]);
    const recipients = org ? await organizationAdmins(tx, org) : await vendorOperators(tx);
    const link = `${tx.config.publicUrl}${endpointPagePath(org, endpoint.id)}`;
    await queueEmails(
      tx,
      recipients.map((r) => ({
        kind: 'webhooks.endpoint_disabled',
        subjectRef: endpoint.id,
        to: r.email,
        locale: r.locale,
        ...renderDisabledEmail(r, {
          url: endpoint.url,
          reason,
          failingSince: endpoint.failing_since,
          link,
        }),
      })),
    );
    await recordAudit(tx, [
      {
        action: 'webhook_endpoint.disabled',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        organizationId: org,
        payload: { url: endpoint.url, reason },
      },
    ]);
  }
}
