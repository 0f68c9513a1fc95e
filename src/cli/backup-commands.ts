import path from 'node:path';
import type { Command } from 'commander';
import { BackupRefusedError } from '../platform/backup/archive.ts';
import { backupTo } from '../platform/backup/backup.ts';
import { restoreBackup } from '../platform/backup/restore.ts';
import { DataDirLockedError } from '../platform/data-dir-lock.ts';
import { printJson, recordJsonOption } from './output.ts';
import { CliInputError, type Session, settings } from './session.ts';

/** `backup` and `restore`: the embedded database and FILES_DIR in one file (docs/adr/0041). */
export function registerBackupCommands(program: Command, session: Session): void {
  program
    .command('backup')
    .description(
      'Write the embedded database and FILES_DIR to one new file (gzip tar), also while `provisio start` runs; prints a summary as JSON.',
    )
    .argument('<file>', 'the backup to create (never overwritten)')
    .addOption(recordJsonOption())
    .action(async (file: string) => {
      const { config } = settings(session, 'warn');
      refuseOnPostgres(config.databaseUrl, 'backup');
      const outcome = await asOneLine('backup', () =>
        backupTo(file, { dataDir: config.dataDir, filesDir: config.filesDir }),
      );
      printJson({
        file: outcome.file,
        bytes: outcome.bytes,
        createdAt: outcome.manifest.createdAt,
        via: outcome.via,
        migrations: outcome.manifest.migrations.length,
        files: Object.keys(outcome.manifest.entries).filter((name) => name.startsWith('files/')).length,
      });
    });

  program
    .command('restore')
    .description(
      'Restore a backup into an empty (or missing) DATA_DIR; the next start applies newer migrations. Prints a summary as JSON.',
    )
    .argument('<file>', 'a file written by provisio backup')
    .addOption(recordJsonOption())
    .action(async (file: string) => {
      const { config } = settings(session, 'warn');
      refuseOnPostgres(config.databaseUrl, 'restore');
      const outcome = await asOneLine('restore', () =>
        restoreBackup(file, { dataDir: config.dataDir, filesDir: config.filesDir }),
      );
      printJson({
        restored: path.resolve(file),
        dataDir: config.dataDir,
        createdAt: outcome.manifest.createdAt,
        madeBy: outcome.manifest.provisio,
        files: outcome.files,
        pendingMigrations: outcome.pendingMigrations,
      });
    });
}

function refuseOnPostgres(databaseUrl: string | undefined, command: string): void {
  if (!databaseUrl) return;
  throw new CliInputError(
    `${command}: DATABASE_URL is set: back up and restore PostgreSQL with pg_dump -Fc and pg_restore (and copy FILES_DIR); see the README's Backups section`,
  );
}

/** A refusal, or a data directory another process holds, is the command's one line. */
async function asOneLine<T>(command: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupRefusedError || error instanceof DataDirLockedError)
      throw new CliInputError(`${command}: ${error.message}`);
    throw error;
  }
}
