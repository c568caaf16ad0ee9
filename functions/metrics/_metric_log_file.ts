/**
 * The open metric log, ours alone: before each append the caller asks
 * {@linkcode MetricLogFile.ensureOurs}, which compares the file at the path
 * with the open one (inode and size). Lines someone else appended are set
 * aside into `.rejected` with their line numbers and cut; a deleted, truncated
 * or replaced log is logged, recovered (recreated with its header if gone)
 * and reopened, so nothing is ever written into a deleted file.
 *
 * @module
 */
import type { Logger } from "../../shared/logger.ts";
import { recoverLog } from "./_recover_log.ts";
import { parseRow } from "./_parse_row.ts";
import { readLines } from "./_read_lines.ts";
import { appendRejected, type RejectedLine } from "./_rejected_lines.ts";
import { type OpenAppendFile, SyncedFile } from "./_synced_file.ts";
import type { WrittenRows } from "./_written_rows.ts";

/** See the module docs. */
export class MetricLogFile {
  #file: SyncedFile;
  #rows: number;
  readonly #written: WrittenRows;
  readonly #logger: Logger;
  readonly #open: OpenAppendFile;

  /** Wraps the opened, recovered log holding `rows` data rows whose ids are in `written`. */
  constructor(
    file: SyncedFile,
    rows: number,
    options: { written: WrittenRows; logger: Logger; open: OpenAppendFile },
  ) {
    this.#file = file;
    this.#rows = rows;
    this.#written = options.written;
    this.#logger = options.logger;
    this.#open = options.open;
  }

  /** The log's path. */
  get path(): string {
    return this.#file.path;
  }

  /** Appends `rows` rows as `bytes` and syncs; see {@linkcode SyncedFile.append}. */
  async append(bytes: Uint8Array, rows: number): Promise<void> {
    await this.#file.append(bytes);
    this.#rows += rows;
  }

  /** Makes sure the file at the path is the one open, and holds only our rows. */
  async ensureOurs(): Promise<void> {
    const identity = await this.#file.check();
    if (identity === "same") return;
    const path = this.#file.path;
    if (identity === "grown") {
      const rejected = await this.#foreignLines();
      const rejectedPath = await appendRejected(path, rejected);
      await this.#file.cutToSynced();
      this.#logger.warn("metric log foreign lines set aside", {
        path,
        rejectedPath,
        lines: rejected.map((r) => r.line).slice(0, 10),
      });
      return;
    }
    this.#logger.warn(`metric log ${identity}`, { path });
    this.#file.close();
    const recovered = await recoverLog(path, { logger: this.#logger, ids: this.#written });
    this.#rows = recovered.rows;
    this.#file = await SyncedFile.open(path, this.#open);
  }

  /** Releases the file. */
  close(): void {
    this.#file.close();
  }

  async #foreignLines(): Promise<RejectedLine[]> {
    const lines: RejectedLine[] = [];
    let line = this.#rows + 1;
    for await (const { text, torn } of readLines(this.#file.path, this.#file.size)) {
      line++;
      const parsed = parseRow(text);
      const reason = torn
        ? "torn: no line end"
        : typeof parsed === "string"
        ? parsed
        : "appended by another writer";
      lines.push({ line, reason, content: text });
    }
    return lines;
  }
}
