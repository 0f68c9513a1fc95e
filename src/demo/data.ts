import type { OrgKind, Role } from '../platform/context.ts';
import type { Locale } from '../platform/i18n.ts';

/** Believable demo tenants. Fixed ids make `seed --demo` safe to run twice. */
export interface DemoOrg {
  id: string;
  kind: OrgKind;
  name: string;
  vertical: string;
  country: string;
  domains: { domain: string; status: 'verified' | 'claimed' }[];
  users: { email: string; role: Role; locale: Locale; name: string; activeDaysAgo: number | null }[];
  resellers?: string[];
  /** IANA name: the partner's start dates are calendar dates there. */
  timeZone?: string;
  /** The vendor's account representative for this partner. */
  accountRepEmail?: string;
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const NORTHWIND = id(1);
export const ARAUCARIA = id(2);
export const KYIV_CLOUD = id(3);
export const EUROCHANNEL = id(4);
export const PROVISIO_OPERATIONS = id(21);

export const DEMO_ORGS: DemoOrg[] = [
  {
    id: NORTHWIND,
    timeZone: 'Europe/Rome',
    accountRepEmail: 'chiara.conti@provisio.example',
    kind: 'partner',
    name: 'Northwind Networks S.r.l.',
    vertical: 'Technology',
    country: 'IT',
    domains: [{ domain: 'northwind.example', status: 'verified' }],
    users: [
      {
        email: 'giulia.rossi@northwind.example',
        role: 'partner_admin',
        locale: 'it',
        name: 'Giulia Rossi',
        activeDaysAgo: 0,
      },
      {
        email: 'marco.bianchi@northwind.example',
        role: 'partner_user',
        locale: 'it',
        name: 'Marco Bianchi',
        activeDaysAgo: 3,
      },
    ],
  },
  {
    id: ARAUCARIA,
    timeZone: 'America/Sao_Paulo',
    accountRepEmail: 'rafael.lima@provisio.example',
    kind: 'partner',
    name: 'Araucária Telecom Ltda.',
    vertical: 'Telecommunications',
    country: 'BR',
    domains: [{ domain: 'araucaria.example', status: 'verified' }],
    users: [
      {
        email: 'ana.souza@araucaria.example',
        role: 'partner_admin',
        locale: 'pt-BR',
        name: 'Ana Souza',
        activeDaysAgo: 1,
      },
    ],
  },
  {
    id: KYIV_CLOUD,
    timeZone: 'Europe/Kyiv',
    accountRepEmail: 'olena.bondar@provisio.example',
    kind: 'partner',
    name: 'Kyiv Cloud Partners',
    vertical: 'Technology',
    country: 'UA',
    domains: [{ domain: 'kyivcloud.example', status: 'verified' }],
    users: [
      {
        email: 'oksana.melnyk@kyivcloud.example',
        role: 'partner_admin',
        locale: 'uk',
        name: 'Оксана Мельник',
        activeDaysAgo: 2,
      },
    ],
  },
  {
    id: EUROCHANNEL,
    timeZone: 'Europe/London',
    accountRepEmail: 'tom.baker@provisio.example',
    kind: 'distributor',
    name: 'EuroChannel Distribution Ltd',
    vertical: 'Wholesale',
    country: 'GB',
    domains: [{ domain: 'eurochannel.example', status: 'verified' }],
    users: [
      {
        email: 'ivan.petrov@eurochannel.example',
        role: 'partner_admin',
        locale: 'ru',
        name: 'Иван Петров',
        activeDaysAgo: 0,
      },
      {
        email: 'sarah.jones@eurochannel.example',
        role: 'partner_user',
        locale: 'en',
        name: 'Sarah Jones',
        activeDaysAgo: 12,
      },
    ],
    resellers: [KYIV_CLOUD, NORTHWIND],
  },
  {
    id: id(11),
    kind: 'customer',
    name: 'Acme Manufacturing Inc.',
    vertical: 'Manufacturing',
    country: 'US',
    domains: [{ domain: 'acme.example', status: 'verified' }],
    users: [
      { email: 'it@acme.example', role: 'customer_admin', locale: 'en', name: 'Acme IT', activeDaysAgo: 5 },
      {
        email: 'jane.doe@acme.example',
        role: 'customer_user',
        locale: 'en',
        name: 'Jane Doe',
        activeDaysAgo: 40,
      },
    ],
  },
  {
    // A stale duplicate: claimed (not verified) domain, nobody active for two years.
    id: id(12),
    kind: 'customer',
    name: 'ACME Mfg (old trial)',
    vertical: 'Manufacturing',
    country: 'US',
    domains: [{ domain: 'acme.example', status: 'claimed' }],
    users: [
      {
        email: 'trial.admin@acme.example',
        role: 'customer_admin',
        locale: 'en',
        name: 'Trial Admin',
        activeDaysAgo: 730,
      },
    ],
  },
  {
    id: id(13),
    kind: 'customer',
    name: 'Pizzeria Bella Napoli',
    vertical: 'Hospitality',
    country: 'IT',
    domains: [{ domain: 'bellanapoli.example', status: 'verified' }],
    users: [
      {
        email: 'amministrazione@bellanapoli.example',
        role: 'customer_admin',
        locale: 'it',
        name: 'Lucia Esposito',
        activeDaysAgo: 9,
      },
    ],
  },
  {
    id: id(14),
    kind: 'customer',
    name: 'Construtora Horizonte',
    vertical: 'Construction',
    country: 'BR',
    domains: [{ domain: 'horizonte.example', status: 'claimed' }],
    users: [
      {
        email: 'ti@horizonte.example',
        role: 'customer_admin',
        locale: 'pt-BR',
        name: 'Paulo Lima',
        activeDaysAgo: 60,
      },
    ],
  },
  {
    id: id(15),
    kind: 'customer',
    name: 'ООО «Северный ветер»',
    vertical: 'Logistics',
    country: 'KZ',
    domains: [{ domain: 'severveter.example', status: 'verified' }],
    users: [
      {
        email: 'admin@severveter.example',
        role: 'customer_admin',
        locale: 'ru',
        name: 'Анна Смирнова',
        activeDaysAgo: 20,
      },
    ],
  },
  {
    id: id(16),
    kind: 'customer',
    name: 'ТОВ «Світанок»',
    vertical: 'Agriculture',
    country: 'UA',
    domains: [
      { domain: 'svitanok.example', status: 'verified' },
      { domain: 'svitanok-agro.example', status: 'claimed' },
    ],
    users: [
      {
        email: 'it@svitanok.example',
        role: 'customer_admin',
        locale: 'uk',
        name: 'Тарас Бондар',
        activeDaysAgo: null,
      },
    ],
  },
  {
    id: PROVISIO_OPERATIONS,
    kind: 'vendor',
    name: 'Provisio Operations',
    vertical: 'Technology',
    country: 'IE',
    timeZone: 'Europe/Dublin',
    domains: [{ domain: 'provisio.example', status: 'verified' }],
    users: [
      {
        email: 'nora.walsh@provisio.example',
        role: 'operator',
        locale: 'en',
        name: 'Nora Walsh',
        activeDaysAgo: 0,
      },
    ],
  },
];
