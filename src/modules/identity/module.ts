import type { ModuleDeclaration } from '../declaration.ts';
import { purgeExpiredSessions } from './jobs.ts';
import { registerIdentityPages } from './pages.tsx';

/** Organizations, users, sessions and API keys: sign-in, account and API key pages; the session purge. */
export const identityModule: ModuleDeclaration = {
  name: 'identity',
  pages: (app, site) => registerIdentityPages(app, site.config),
  jobs: [purgeExpiredSessions],
};
