import type { ModuleDeclaration } from '../declaration.ts';
import { registerBackofficePages } from './pages.tsx';

/** The vendor's back office for operators. */
export const backofficeModule: ModuleDeclaration = {
  name: 'backoffice',
  pages: registerBackofficePages,
};
