import type { Config } from '../config.ts';
import { DEMO_ORGS, NORTHWIND } from '../demo/data.ts';
import type { DemoSummary } from '../demo/seed.ts';
import type { Logger } from '../platform/logger.ts';

/**
 * What a development start says about the demo (never in production, where start does not seed). On
 * the start that loaded it: one login per role, the password they share and a partner's API key, in
 * one entry (a short block on a terminal, one JSON object otherwise). Passwords and keys are stored
 * hashed, so later starts cannot show them again: they say how to get new ones.
 */

/** The demo partner whose key is shown: its admin is the first login most people try. */
const SHOWN_KEY_ORG = NORTHWIND;
const ROLE_ORDER = ['operator', 'partner_admin', 'partner_user', 'customer_admin', 'customer_user'];

function oneLoginPerRole(users: { email: string; role: string; orgId: string }[]) {
  return ROLE_ORDER.flatMap((role) => {
    const user = users.find((u) => u.role === role);
    const org = DEMO_ORGS.find((o) => o.id === user?.orgId);
    return user ? [{ role, email: user.email, organization: org?.name ?? '' }] : [];
  });
}

export function announceDemoLoaded(log: Logger, config: Config, demo: DemoSummary): void {
  const keyOrg = demo.orgs.find((o) => o.id === SHOWN_KEY_ORG);
  // Shown on purpose: a development database with demo data only, on the start that created them.
  log.info(
    {
      demoPassword: demo.users[0]?.password,
      logins: oneLoginPerRole(demo.users),
      demoApiKey: keyOrg?.apiKey
        ? {
            key: keyOrg.apiKey,
            organization: keyOrg.name,
            try: `curl -H "Authorization: Bearer ${keyOrg.apiKey}" ${config.publicUrl}/api/v1/orders`,
          }
        : undefined,
    },
    `demo data loaded: sign in at ${config.publicUrl} (the password and API key are shown this once)`,
  );
}

export function announceDemoPresent(log: Logger, config: Config): void {
  const users = DEMO_ORGS.flatMap((org) => org.users.map((u) => ({ ...u, orgId: org.id })));
  log.info(
    {
      logins: oneLoginPerRole(users),
      // Not `password` and `apiKey`: the log redacts fields of those names (platform/logger.ts).
      getNew: {
        passwords: 'stop Provisio, then run: npx provisio seed --demo --reset',
        key: `npx provisio apikey create --org ${SHOWN_KEY_ORG} --name demo`,
      },
    },
    `demo data present: sign in at ${config.publicUrl} (the password and API key were shown at the first start; getNew says how to get new ones)`,
  );
}
