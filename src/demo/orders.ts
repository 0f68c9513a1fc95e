import type { Locale } from '../platform/i18n.ts';
import { ARAUCARIA, EUROCHANNEL, KYIV_CLOUD, NORTHWIND } from './data.ts';

/** The demo's orders: booked on past days by the demo partners' users, in every language. */
export interface DemoOrder {
  placedBy: string;
  /** The placing org's user (by email); undefined = placed through the API. */
  userEmail: string;
  resellerOrgId?: string;
  reference: string;
  customer: string;
  country: string;
  locale: Locale;
  /** Days before today the order was booked. */
  bookedDaysAgo: number;
  lines: { offer: string; quantity: number; startInDays: number; contact: string }[];
}

export const DEMO_ORDERS: DemoOrder[] = [
  {
    placedBy: NORTHWIND,
    userEmail: 'giulia.rossi@northwind.example',
    reference: 'NW-2026-0412',
    customer: 'Pizzeria Bella Napoli',
    country: 'IT',
    locale: 'it',
    bookedDaysAgo: 12,
    lines: [
      { offer: 'A-SPK', quantity: 15, startInDays: -3, contact: 'amministrazione@bellanapoli.example' },
      { offer: 'A-CALL', quantity: 15, startInDays: -3, contact: 'amministrazione@bellanapoli.example' },
    ],
  },
  {
    placedBy: NORTHWIND,
    userEmail: 'marco.bianchi@northwind.example',
    reference: 'NW-2026-0419',
    customer: 'Acme Manufacturing Inc.',
    country: 'US',
    locale: 'en',
    bookedDaysAgo: 4,
    lines: [
      { offer: 'A-WX', quantity: 250, startInDays: 10, contact: 'it@acme.example' },
      { offer: 'A-FLEX', quantity: 40, startInDays: 0, contact: 'jane.doe@acme.example' },
      { offer: 'A-SPK', quantity: 25, startInDays: 30, contact: 'it@acme.example' },
    ],
  },
  {
    placedBy: NORTHWIND,
    userEmail: 'giulia.rossi@northwind.example',
    reference: 'NW-2026-0423',
    customer: 'Studio Legale Ferri',
    country: 'IT',
    locale: 'it',
    bookedDaysAgo: 1,
    lines: [{ offer: 'A-FLEX-3', quantity: 8, startInDays: 14, contact: 'segreteria@studioferri.example' }],
  },
  {
    placedBy: ARAUCARIA,
    userEmail: 'ana.souza@araucaria.example',
    reference: 'ARA-88120',
    customer: 'Construtora Horizonte',
    country: 'BR',
    locale: 'pt-BR',
    bookedDaysAgo: 9,
    lines: [
      { offer: 'A-WX', quantity: 120, startInDays: -1, contact: 'ti@horizonte.example' },
      { offer: 'A-CALL', quantity: 60, startInDays: 7, contact: 'ti@horizonte.example' },
    ],
  },
  {
    // Nobody set it up within the Flex plan's 7 days: billing started and the line closed.
    placedBy: ARAUCARIA,
    userEmail: 'ana.souza@araucaria.example',
    reference: 'ARA-88097',
    customer: 'Padaria Pão Quente',
    country: 'BR',
    locale: 'pt-BR',
    bookedDaysAgo: 14,
    lines: [{ offer: 'A-FLEX', quantity: 12, startInDays: -9, contact: 'gerencia@paoquente.example' }],
  },
  {
    placedBy: ARAUCARIA,
    userEmail: 'ana.souza@araucaria.example',
    reference: 'ARA-88131',
    customer: 'Clínica Boa Saúde',
    country: 'BR',
    locale: 'pt-BR',
    bookedDaysAgo: 2,
    lines: [{ offer: 'A-SPK', quantity: 30, startInDays: 21, contact: 'suporte@boasaude.example' }],
  },
  {
    placedBy: EUROCHANNEL,
    userEmail: 'ivan.petrov@eurochannel.example',
    resellerOrgId: KYIV_CLOUD,
    reference: 'EC-UA-5531',
    customer: 'ТОВ «Світанок»',
    country: 'UA',
    locale: 'uk',
    bookedDaysAgo: 15,
    lines: [
      { offer: 'A-FLEX', quantity: 75, startInDays: -6, contact: 'it@svitanok.example' },
      { offer: 'A-FLEX-3', quantity: 20, startInDays: 5, contact: 'it@svitanok.example' },
    ],
  },
  {
    placedBy: EUROCHANNEL,
    userEmail: 'ivan.petrov@eurochannel.example',
    reference: 'EC-KZ-0907',
    customer: 'ООО «Северный ветер»',
    country: 'KZ',
    locale: 'ru',
    bookedDaysAgo: 6,
    lines: [
      { offer: 'A-WX', quantity: 300, startInDays: -2, contact: 'admin@severveter.example' },
      { offer: 'A-SPK', quantity: 50, startInDays: 3, contact: 'admin@severveter.example' },
    ],
  },
  {
    placedBy: EUROCHANNEL,
    userEmail: 'sarah.jones@eurochannel.example',
    resellerOrgId: NORTHWIND,
    reference: 'EC-IT-1204',
    customer: 'Acme Manufacturing Inc.',
    country: 'US',
    locale: 'en',
    bookedDaysAgo: 3,
    lines: [{ offer: 'A-CALL', quantity: 90, startInDays: 12, contact: 'telecom-team@acme.example' }],
  },
  {
    // For the setup wizard: the first line's contact is the partner's own user (exact match to
    // Northwind), the second's address is unknown but acme.example belongs to Acme and to a stale
    // duplicate (matching by domain).
    placedBy: EUROCHANNEL,
    userEmail: 'sarah.jones@eurochannel.example',
    resellerOrgId: NORTHWIND,
    reference: 'EC-IT-1188',
    customer: 'Acme Manufacturing Inc.',
    country: 'US',
    locale: 'en',
    bookedDaysAgo: 5,
    lines: [
      { offer: 'A-WX', quantity: 100, startInDays: 0, contact: 'marco.bianchi@northwind.example' },
      { offer: 'A-SPK', quantity: 20, startInDays: 0, contact: 'procurement@acme.example' },
    ],
  },
  {
    // A first-time customer with an internationalized domain: nothing matches, both are created.
    placedBy: KYIV_CLOUD,
    userEmail: 'oksana.melnyk@kyivcloud.example',
    reference: 'KC-0057',
    customer: 'ТОВ «Зоря»',
    country: 'UA',
    locale: 'uk',
    bookedDaysAgo: 2,
    lines: [{ offer: 'A-WX', quantity: 30, startInDays: 0, contact: 'olena@зоря.укр' }],
  },
  {
    // Cloud Calling is fulfilled by the vendor's operators (config/catalog.json): Northwind set it up
    // for itself and pressed Provision, so a request waits in the back office (docs/adr/0032).
    placedBy: NORTHWIND,
    userEmail: 'giulia.rossi@northwind.example',
    reference: 'NW-2026-0398',
    customer: 'Northwind Networks S.r.l.',
    country: 'IT',
    locale: 'it',
    bookedDaysAgo: 8,
    lines: [{ offer: 'A-CALL', quantity: 12, startInDays: -4, contact: 'giulia.rossi@northwind.example' }],
  },
  {
    placedBy: KYIV_CLOUD,
    userEmail: 'oksana.melnyk@kyivcloud.example',
    reference: 'KC-0042',
    customer: 'ФОП Коваль',
    country: 'UA',
    locale: 'uk',
    bookedDaysAgo: 20,
    lines: [{ offer: 'A-SPK', quantity: 5, startInDays: -10, contact: 'koval@ukr-biz.example' }],
  },
];
