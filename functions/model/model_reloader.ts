import { join } from "node:path";
import type { Logger } from "../../shared/logger.ts";
import { loadModel, modelFile } from "./load_model.ts";
import type { Model, ModelKind } from "./model.ts";

/** What a {@linkcode ModelReloader.check} found. */
export type ReloadResult = "unchanged" | "reloaded" | "refused";

/** Options of {@linkcode ModelReloader.open}. */
export interface ModelReloaderOptions {
  /** Where "model reloaded" and "model refused" go. */
  logger: Logger;
  /** Loads and validates a model; injected by tests to hold a load midway. @default loadModel */
  load?: (dataDir: string, kind: ModelKind) => Promise<Model>;
}

/**
 * Serves a model and replaces it when its file changes, without a restart.
 *
 * {@linkcode ModelReloader.check} compares the file's inode, size and
 * modification time with the last ones seen: one `stat`, so it can run every
 * second. When they changed, the file is loaded and validated whole, beside
 * the serving model, and swapped in by one assignment: a message is scored by
 * the old model or the new one, never by half of one. A file that fails to
 * load is refused with one log line, and the old model keeps serving until the
 * file changes again. A new `deno task train` renames a whole file over the
 * old one, which always gives it a new inode.
 */
export class ModelReloader {
  readonly #dataDir: string;
  readonly #kind: ModelKind;
  readonly #path: string | undefined;
  readonly #logger: Logger;
  readonly #load: (dataDir: string, kind: ModelKind) => Promise<Model>;
  #current: Model;
  #seen: string | undefined;
  #checking: Promise<ReloadResult> | undefined;

  private constructor(
    dataDir: string,
    kind: ModelKind,
    current: Model,
    seen: string | undefined,
    options: ModelReloaderOptions,
  ) {
    const file = modelFile(kind);
    this.#dataDir = dataDir;
    this.#kind = kind;
    this.#path = file === undefined ? undefined : join(dataDir, file);
    this.#logger = options.logger;
    this.#load = options.load ?? loadModel;
    this.#current = current;
    this.#seen = seen;
  }

  /** Loads the model `kind` from `dataDir`; rejects as {@linkcode loadModel} does. */
  static async open(
    dataDir: string,
    kind: ModelKind,
    options: ModelReloaderOptions,
  ): Promise<ModelReloader> {
    const file = modelFile(kind);
    // Seen before the load, so a file replaced during it is loaded again at the next check.
    const seen = file === undefined ? undefined : await fileSignature(join(dataDir, file));
    const model = await (options.load ?? loadModel)(dataDir, kind);
    return new ModelReloader(dataDir, kind, model, seen, options);
  }

  /** The model serving now: read it once per message. */
  get current(): Model {
    return this.#current;
  }

  /** Loads the file again if it changed since the last check; one check at a time. */
  check(): Promise<ReloadResult> {
    this.#checking ??= this.#check().finally(() => this.#checking = undefined);
    return this.#checking;
  }

  async #check(): Promise<ReloadResult> {
    if (this.#path === undefined) return "unchanged";
    const signature = await fileSignature(this.#path);
    if (signature === this.#seen) return "unchanged";
    this.#seen = signature;
    let next: Model;
    try {
      next = await this.#load(this.#dataDir, this.#kind);
    } catch (error) {
      this.#logger.warn("model refused", {
        model: this.#kind,
        file: this.#path,
        reason: error instanceof Error ? error.message : String(error),
        version: this.#current.version,
      });
      return "refused";
    }
    if (next.version === this.#current.version) return "unchanged";
    const previous = this.#current.version;
    this.#current = next;
    this.#logger.info("model reloaded", { model: next.name, version: next.version, previous });
    return "reloaded";
  }
}

/**
 * The file's inode, size and modification time; `undefined` when it does not
 * exist. A file that cannot be read (its permission) gets a signature of its
 * own, so the load that follows says why, once.
 */
async function fileSignature(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(path);
    return `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    return `unreadable:${error instanceof Error ? error.name : String(error)}`;
  }
}
