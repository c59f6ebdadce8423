import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { LocalStore } from '../db/local-store';
import { AppError } from '../shared/app-error';
import type { ExportStatus } from '../ipc/contract';
import type { ExportKind } from '../shared/vocabulary';
import { ExportCancelled, ExportWriteError, exportFileName, writeCsvExport, type ExportQuery } from './csv-export';

/**
 * Where an export goes. The Electron shell asks with its save dialog and writes in place; the
 * browser host writes to a folder of its own and gives the page an address to download it from.
 */
export interface ExportSaveTarget {
  /** The file to write `suggestedName` to, or null when the person cancelled the dialog. */
  choose(suggestedName: string): Promise<{ file: string; download?: string } | null>;
}

/** Finished exports kept for their window to read the outcome; the oldest go first. */
const KEPT = 20;

interface Job {
  owner: string;
  status: ExportStatus;
  abort: AbortController;
  running: Promise<void>;
}

/**
 * The exports of this run: each writes in the background (csv-export.ts) while its window polls
 * its status, and belongs to the window or page that started it.
 */
export class ExportJobs {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly store: LocalStore,
    private readonly target: ExportSaveTarget | null,
    private readonly log: (message: string, error: unknown) => void,
    private readonly now: () => number,
  ) {}

  /** Asks where to save, then starts writing; null when the person cancelled the dialog. */
  async start(owner: string, kind: ExportKind, query: ExportQuery): Promise<ExportStatus | null> {
    if (!this.target) throw new AppError('failed', 'Exporting is not available in this window.');
    const chosen = await this.target.choose(exportFileName(kind, this.now()));
    if (!chosen) return null;
    const id = randomUUID();
    const status: ExportStatus = {
      id,
      kind,
      fileName: path.basename(chosen.file),
      savedTo: chosen.download ? null : chosen.file,
      download: null,
      state: 'counting',
      householdsDone: 0,
      households: 0,
      rows: 0,
      message: null,
    };
    const abort = new AbortController();
    const running = writeCsvExport({
      store: this.store,
      kind,
      query,
      file: chosen.file,
      signal: abort.signal,
      onProgress: (progress) => Object.assign(status, progress, { state: 'writing' }),
    }).then(
      (progress) => Object.assign(status, progress, { state: 'done', download: chosen.download ?? null }),
      (error: unknown) => {
        if (error instanceof ExportCancelled) return void Object.assign(status, { state: 'cancelled', message: `${status.fileName} was not saved.` });
        if (!(error instanceof ExportWriteError)) this.log('export failed', error);
        Object.assign(status, {
          state: 'failed',
          message: error instanceof ExportWriteError ? error.message : `${status.fileName} could not be saved: something went wrong in the application. The details are in the log.`,
        });
      },
    );
    this.jobs.set(id, { owner, status, abort, running: running.then(() => undefined) });
    this.forgetOldest();
    return { ...status };
  }

  status(owner: string, id: string): ExportStatus {
    return { ...this.job(owner, id).status };
  }

  /** Stops the export; the chosen file is left as it was (a new one never appears). */
  async cancel(owner: string, id: string): Promise<ExportStatus> {
    const job = this.job(owner, id);
    job.abort.abort();
    await job.running;
    return { ...job.status };
  }

  /** Cancels every running export and waits until each has removed its temporary file. */
  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.abort.abort();
    await Promise.all([...this.jobs.values()].map((job) => job.running));
  }

  private job(owner: string, id: string): Job {
    const job = this.jobs.get(id);
    if (!job || job.owner !== owner) throw new AppError('not_found', 'This export is no longer known. Start it again.');
    return job;
  }

  private forgetOldest(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEPT) return;
      if (job.status.state !== 'counting' && job.status.state !== 'writing') this.jobs.delete(id);
    }
  }
}
