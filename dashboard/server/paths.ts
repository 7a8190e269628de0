// Where things are, relative to this file (never the process's cwd).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(SERVER_DIR, '../..');
export const DEFAULT_STATIC_DIR = path.join(REPO_ROOT, 'dashboard', 'build');
