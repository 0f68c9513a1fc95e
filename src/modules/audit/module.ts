import type { ModuleDeclaration } from '../declaration.ts';

/** The append-only history: written by every module through `recordAudit`; contributes nothing else. */
export const auditModule: ModuleDeclaration = { name: 'audit' };
