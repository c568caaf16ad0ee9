/**
 * A response that streams one file of a fixed path from disk, never holding
 * it whole in memory; 404 when it does not exist.
 *
 * @module
 */
import { securityHeaders } from "./security_headers.ts";

/** Options of {@linkcode streamFile}. */
export interface StreamFileOptions {
  /** The response's content type. */
  contentType: string;
  /** "HEAD" answers the headers only. @default "GET" */
  method?: string;
}

/** Streams the file at `path` (a fixed path, never one taken from a request). */
export async function streamFile(path: string, options: StreamFileOptions): Promise<Response> {
  const headers = securityHeaders(options.contentType);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const text = securityHeaders("text/plain; charset=utf-8");
    return new Response("Not found\n", { status: 404, headers: text });
  }
  if (options.method === "HEAD") {
    file.close();
    return new Response(null, { headers });
  }
  // No content-length: the metric log may grow while it is sent, and the body
  // is whatever the file holds up to its end when the read gets there.
  return new Response(file.readable, { headers });
}
