import { type Command, Option } from 'commander';
import * as apiKeys from '../modules/identity/api-keys.ts';
import * as directory from '../modules/identity/directory.ts';
import * as identity from '../modules/identity/service.ts';
import type { Ctx, OrgKind, Role } from '../platform/context.ts';
import { DomainError } from '../platform/errors.ts';
import { LOCALES, type Locale } from '../platform/i18n.ts';
import { randomToken } from '../platform/secrets.ts';
import { printJson, printList, recordJsonOption } from './output.ts';
import { CliInputError, collect, idOf, type Session, withRuntime } from './session.ts';

/** `org`, `user` and `apikey`: the accounts an installation starts with, and their listings. */

export const ROLES: Role[] = [
  'operator',
  'partner_admin',
  'partner_user',
  'partner_viewer',
  'customer_admin',
  'customer_user',
];
const KINDS: OrgKind[] = ['vendor', 'partner', 'distributor', 'customer'];
const LIST_LIMIT = 200;

const orgId = idOf('an organization', '--org');
const jsonOption = () => new Option('--json', 'print one JSON array instead of a table (for scripts)');
const limitOption = () =>
  new Option('--limit <n>', 'at most this many rows').default(LIST_LIMIT).argParser((value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) {
      throw new CliInputError(`--limit: "${value}" is not a whole number from 1 to 100000`);
    }
    return n;
  });

/** A missing organization is named before anything is written or listed, never left to the database. */
async function requireOrganization(ctx: Ctx, id: string): Promise<void> {
  if (!(await directory.organizationExists(ctx, id))) {
    throw new CliInputError(`--org: there is no organization ${id} (provisio org list shows them)`);
  }
}

function warnIfCut(count: number, limit: number): void {
  if (count === limit)
    process.stderr.write(`Showing the first ${limit}: narrow the list or raise --limit.\n`);
}

const day = (at: Date | null) => (at ? at.toISOString().slice(0, 10) : '-');

export function registerDirectoryCommands(program: Command, session: Session): void {
  const org = program.command('org').description('Organizations.');
  org
    .command('create')
    .description('Create an organization; prints it as JSON.')
    .addOption(new Option('--kind <kind>', 'what it is').choices(KINDS).makeOptionMandatory())
    .requiredOption('--name <name>', 'display name')
    .option('--country <XX>', 'ISO 3166-1 alpha-2 country code')
    .option(
      '--domain <domain[:claimed]>',
      'an email domain it owns (verified unless ":claimed"); repeatable',
      collect,
      [],
    )
    .addOption(recordJsonOption())
    .action(async (opts: { kind: OrgKind; name: string; country?: string; domain: string[] }) => {
      const created = await withRuntime(session, (ctx) =>
        identity.createOrganization(ctx, {
          kind: opts.kind,
          name: opts.name,
          country: opts.country ? opts.country.toUpperCase() : null,
          domains: opts.domain.map((d) => {
            const [domain = '', status] = d.split(':');
            return { domain, status: status === 'claimed' ? 'claimed' : 'verified' };
          }),
        }),
      );
      printJson({ id: created.id, name: created.name, kind: created.kind });
    });
  org
    .command('list')
    .description('List organizations (a table; --json for scripts), by kind and name.')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(KINDS))
    .addOption(jsonOption())
    .addOption(limitOption())
    .action(async (opts: { kind?: OrgKind; json?: boolean; limit: number }) => {
      const rows = await withRuntime(session, (ctx) =>
        directory.listOrganizations(ctx, opts.kind ? { kind: opts.kind } : {}, opts.limit),
      );
      printList(
        rows,
        opts,
        [
          { header: 'ID', value: (o) => o.id },
          { header: 'KIND', value: (o) => o.kind },
          { header: 'NAME', value: (o) => o.name },
          { header: 'COUNTRY', value: (o) => o.country ?? '-' },
          { header: 'USERS', value: (o) => String(o.users ?? 0) },
          { header: 'DOMAINS', value: (o) => o.domains || '-' },
        ],
        (o) => ({
          id: o.id,
          kind: o.kind,
          name: o.name,
          country: o.country,
          users: o.users ?? 0,
          domains: o.domains ? o.domains.split(',') : [],
          createdAt: new Date(o.created_at).toISOString(),
        }),
        'No organizations.',
      );
      if (!opts.json) warnIfCut(rows.length, opts.limit);
    });

  const user = program.command('user').description('Users.');
  user
    .command('create')
    .description('Add a user. Without --password a random one is generated and printed once.')
    .requiredOption('--org <id>', 'organization id', orgId)
    .requiredOption('--email <email>', 'sign-in address; unique across all organizations')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .option('--password <password>', 'at least 10 characters')
    .addOption(new Option('--locale <locale>', 'language of the pages and emails').choices([...LOCALES]))
    .addOption(recordJsonOption())
    .action(async (opts: { org: string; email: string; role: Role; password?: string; locale?: Locale }) => {
      const password = opts.password ?? randomToken(16).slice(0, 16);
      const created = await withRuntime(session, async (ctx) => {
        await requireOrganization(ctx, opts.org);
        return identity.createUser(ctx, {
          organizationId: opts.org,
          email: opts.email,
          role: opts.role,
          password,
          ...(opts.locale ? { locale: opts.locale } : {}),
        });
      });
      // A password typed on the command line is not echoed back; a generated one is shown once.
      printJson({
        id: created.id,
        email: created.email,
        orgId: created.organization_id,
        role: created.role,
        ...(opts.password ? {} : { password }),
      });
    });
  user
    .command('list')
    .description('List users (a table; --json for scripts), by organization and address.')
    .option('--org <id>', "only this organization's", orgId)
    .addOption(new Option('--role <role>', 'only this role').choices(ROLES))
    .addOption(jsonOption())
    .addOption(limitOption())
    .action(async (opts: { org?: string; role?: Role; json?: boolean; limit: number }) => {
      const rows = await withRuntime(session, async (ctx) => {
        if (opts.org) await requireOrganization(ctx, opts.org);
        return directory.listUsers(
          ctx,
          { ...(opts.org ? { organizationId: opts.org } : {}), ...(opts.role ? { role: opts.role } : {}) },
          opts.limit,
        );
      });
      printList(
        rows,
        opts,
        [
          { header: 'EMAIL', value: (u) => u.email },
          { header: 'ROLE', value: (u) => u.role },
          { header: 'ORGANIZATION', value: (u) => u.organization_name },
          { header: 'LAST ACTIVE', value: (u) => day(u.last_active_at) },
          { header: 'ID', value: (u) => u.id },
        ],
        (u) => ({
          id: u.id,
          email: u.email,
          role: u.role,
          name: u.display_name,
          locale: u.locale,
          orgId: u.organization_id,
          organization: u.organization_name,
          lastActiveAt: u.last_active_at ? new Date(u.last_active_at).toISOString() : null,
        }),
        'No users.',
      );
      if (!opts.json) warnIfCut(rows.length, opts.limit);
    });

  registerApiKeyCommands(program, session);
}

function registerApiKeyCommands(program: Command, session: Session): void {
  const apikey = program.command('apikey').description('API keys of partners and distributors.');
  apikey
    .command('create')
    .description('Issue an API key; it is shown once (JSON), only its hash is stored.')
    .requiredOption('--org <id>', 'organization id (a partner, distributor or the vendor)', orgId)
    .option('--name <name>', 'what the key is for', 'default')
    .addOption(recordJsonOption())
    .action(async (opts: { org: string; name: string }) => {
      const key = await withRuntime(session, async (ctx) => {
        await requireOrganization(ctx, opts.org);
        return apiKeys.createApiKey(ctx, opts.org, opts.name);
      });
      printJson({ id: key.id, orgId: opts.org, name: key.name, apiKey: key.key });
    });
  apikey
    .command('list')
    .description(
      "List an organization's API keys, newest first, never their secrets (a table; --json for scripts).",
    )
    .requiredOption('--org <id>', 'organization id', orgId)
    .addOption(jsonOption())
    .action(async (opts: { org: string; json?: boolean }) => {
      const keys = await withRuntime(session, async (ctx) => {
        await requireOrganization(ctx, opts.org);
        return apiKeys.listApiKeys(ctx, opts.org);
      });
      printList(
        keys,
        opts,
        [
          { header: 'ID', value: (k) => k.id },
          { header: 'NAME', value: (k) => k.name },
          { header: 'PREFIX', value: (k) => `${k.prefix}…` },
          { header: 'STATUS', value: (k) => (k.revokedAt ? 'revoked' : 'active') },
          { header: 'CREATED', value: (k) => day(k.createdAt) },
          { header: 'LAST USED', value: (k) => day(k.lastUsedAt) },
        ],
        apiKeyJson,
        'No API keys.',
      );
    });
  apikey
    .command('revoke')
    .description('Revoke an API key: every process refuses it from its next request. Prints the key as JSON.')
    .argument('<id>', 'API key id (from apikey list)', idOf('an API key', 'apikey revoke'))
    .addOption(recordJsonOption())
    .action(async (id: string) => {
      const key = await withRuntime(session, (ctx) =>
        apiKeys.revokeApiKey(ctx, id).catch((error: unknown) => {
          if (error instanceof DomainError && error.status === 404) {
            throw new CliInputError(
              `apikey revoke: there is no API key ${id} (apikey list --org <id> shows them)`,
            );
          }
          throw error;
        }),
      );
      printJson(apiKeyJson(key));
    });
}

function apiKeyJson(key: apiKeys.ApiKeyView) {
  return {
    id: key.id,
    orgId: key.organizationId,
    name: key.name,
    prefix: key.prefix,
    status: key.revokedAt ? 'revoked' : 'active',
    createdBy: key.createdBy?.email ?? null,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
