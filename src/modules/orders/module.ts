import type { ModuleDeclaration } from '../declaration.ts';
import { registerOrderPages } from './pages.tsx';
import { registerOrderRoutes } from './routes.ts';

/** Order intake and reading: the API, the order list and the order page (with other modules' panels). */
export const ordersModule: ModuleDeclaration = {
  name: 'orders',
  apiRoutes: registerOrderRoutes,
  pages: (app, site) => registerOrderPages(app, site.orderPagePanels),
};
