import type { ModuleDeclaration } from '../declaration.ts';
import { registerHubPages } from './pages.tsx';
import { registerHubRoutes } from './routes.ts';

/** The admin hub: organizations, users, managed customers, requests and invitations. */
export const hubModule: ModuleDeclaration = {
  name: 'hub',
  apiRoutes: registerHubRoutes,
  pages: (app, site) => registerHubPages(app, site.config),
};
