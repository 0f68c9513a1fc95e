import path from 'node:path';

/**
 * Where the files read at run time are found. This module sits at the top of src/, and the build
 * bundles it into dist/main.js at the top of dist/: either way its directory is the root of the code
 * (which holds migrations/ and the static assets beside it), and the project's root is one above
 * (locales/, config/). Keep it at the top of src/.
 */
export const CODE_DIR = import.meta.dirname;
export const PROJECT_DIR = path.dirname(CODE_DIR);
