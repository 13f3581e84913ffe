// The engine worker's part for the claim file audit (calc.audit.Session): the file, or
// pasted text, is read here in pieces and fed to Python, with a progress message to the
// page between pieces, so the page stays responsive on a large file. Messages in:
//   {type: "audit", id, file: File | undefined, pasted: string | undefined,
//    options: {payer_map: string, columns: {column: their name}}}
// out: {id, type: "audit-progress", done, total, again, lines, visits, findings, problems}
//      (again: the second reading, for visits whose rows are apart in the file)
//      {id, result}  (result: {report, csv} or {error: {code, message}, header?, columns?})
// The file's bytes never leave this worker except as Python's answer to the page; the
// Python session is dropped as soon as it has answered.

const CHUNK_BYTES = 256 * 1024;

function errorResult(code, message) {
  return { error: { code, message } };
}

function plainOptions(options) {
  const out = {};
  if (options && typeof options.payer_map === "string") out.payer_map = options.payer_map;
  if (options && options.columns && typeof options.columns === "object") {
    out.columns = {};
    for (const [key, value] of Object.entries(options.columns)) {
      if (typeof value === "string" && value) out.columns[String(key)] = value;
    }
  }
  return out;
}

/** Run one audit job; `ready` resolves to the Pyodide instance once the engine is up. */
export async function auditJob(message, ready, post) {
  const { id, file, pasted, options } = message;
  if (!Number.isSafeInteger(id)) return;
  let pyodide;
  try {
    pyodide = await ready;
  } catch {
    post({ id, result: errorResult("engine_unavailable", "The calculator engine could not be loaded.") });
    return;
  }
  let session = null;
  try {
    const source = file instanceof Blob ? file : new Blob([typeof pasted === "string" ? pasted : ""]);
    const size = source.size;
    session = pyodide.pyimport("calc.audit").Session(JSON.stringify({ ...plainOptions(options), size }));
    // one reading of the file, piece by piece; false when it stopped with an answer
    const readAll = async (again) => {
      const decoder = new TextDecoder("utf-8", { fatal: true }); // and drops a byte order mark
      let offset = 0;
      do {
        const end = Math.min(offset + CHUNK_BYTES, size);
        const bytes = new Uint8Array(await source.slice(offset, end).arrayBuffer());
        let piece;
        try {
          piece = decoder.decode(bytes, { stream: end < size });
        } catch {
          post({
            id,
            result: errorResult("not_utf8", `The file is not UTF-8 text (near byte ${offset + 1}). Save it as "CSV UTF-8" and try again.`),
          });
          return false;
        }
        const answer = JSON.parse(session.feed(piece));
        if (answer.error) {
          post({ id, result: answer });
          return false;
        }
        offset = end;
        post({ id, type: "audit-progress", done: offset, total: size, again, ...answer.progress });
      } while (offset < size);
      return true;
    };
    if (!(await readAll(false))) return;
    let result = JSON.parse(session.finish());
    // visits split across the file: Python asks for the file once more to check them
    if (result.again) {
      if (!(await readAll(true))) return;
      result = JSON.parse(session.finish());
    }
    post({ id, result });
  } catch (err) {
    console.error("[calc engine] audit", err);
    post({ id, result: errorResult("engine_failure", "The engine failed on this file. Please report it (without the file: it holds patient data).") });
  } finally {
    if (session) session.destroy();
  }
}
