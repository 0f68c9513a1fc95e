import type { ModuleDeclaration } from '../declaration.ts';
import { registerCatalogRoutes } from './routes.ts';

/** The offer catalogue: `listOffers`. */
export const catalogModule: ModuleDeclaration = {
  name: 'catalog',
  apiRoutes: registerCatalogRoutes,
};
