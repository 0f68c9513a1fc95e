import type { ModuleDeclaration } from '../declaration.ts';
import { sweepOrphanFilesJob } from './jobs.ts';
import { registerSupportPages } from './pages.tsx';
import { registerSupportRoutes } from './routes.ts';

/** Support cases: the partner's pages and API, and the sweep of files no case names. */
export const supportModule: ModuleDeclaration = {
  name: 'support',
  apiRoutes: registerSupportRoutes,
  pages: registerSupportPages,
  jobs: [sweepOrphanFilesJob],
};
