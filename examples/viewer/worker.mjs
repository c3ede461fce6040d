// The module worker that opens records: scrypt (a bundle passphrase's key derivation) takes
// seconds in WebAssembly, and here it does not freeze the page. One request at a time:
//   bundle:  { type: "bundle", bytes: ArrayBuffer, key: { passphrase } | { identity } }   (openBundle's key)
//            → { ok: true, summary, documents, findings }
//   C-CDA:   { type: "ccda", bytes: ArrayBuffer }   (fromCcdaJson of @emr/wasm/ccda)
//            → { ok: true, summary, documents, findings }
//   link:    { type: "read", link, recipient, passcode? }   (readShl, shlManifestRequest)
//            → { ok: true, payload, request }   (request: the manifest request's JSON body)
//   files:   { type: "shl", link, response, located: string[] }   (openShl of the host's answer or a
//            saved file, decryptShlFile of the files fetched from the manifest's locations)
//            → { ok: true, summary, documents, findings, label }
//   failure: { ok: false, error: { code, message } }   (summary: `summaryJson`; documents:
//            `documentsJson` of @emr/wasm/ccda, fetched when the record has a document, null if it
//            did not load; findings: the import's, as the package gives them)
// The page does the network requests (under its Content-Security-Policy); the decrypted record
// stays in this worker only for the time of the request.
import init, * as emr from "./pkg/emr_wasm.mjs";

// Fetches and compiles pkg/emr_wasm_bg.wasm (next to the glue) once, while the user types.
const ready = init();

// The package's other modules, each fetched only when first needed: @emr/wasm/shl when a link is
// opened, @emr/wasm/ccda when a C-CDA document is.
const modules = {};
async function load(name) {
  if (!modules[name]) {
    const module = await import(`./pkg/emr_wasm_${name}.mjs`);
    await module.default();
    modules[name] = module;
  }
  return modules[name];
}

const FHIR = /^application\/(fhir\+)?json\b/;

/** The summary of a link's FHIR files: each imported, several merged. */
async function shlSummary(shl, { link, response, located }) {
  const opened = shl.openShl(link, response);
  const files = [...opened.files, ...located.map((jwe) => shl.decryptShlFile(jwe, opened.payload.key))];
  const fhir = files.filter((f) => f.text !== null && FHIR.test(f.contentType ?? "application/fhir+json"));
  if (fhir.length === 0) {
    throw Object.assign(new Error("the link holds no FHIR file"), { code: "viewer.empty" });
  }
  const imported = fhir.map((f) => emr.fromFhirJson(f.text));
  const records = imported.map((i) => i.recordJson);
  const recordJson = records.length === 1 ? records[0] : emr.mergeJson(records).recordJson;
  return { ...(await view(recordJson)), findings: imported.flatMap((i) => i.findings), label: opened.payload.label ?? null };
}

/**
 * What the page shows of a record: its summary and its documents, both decided by emr-core. The
 * documents' narrative is read by the XML parser of @emr/wasm/ccda (`documentsJson`), fetched
 * here when the record has a document: `documents` is null when that module did not load.
 */
async function view(recordJson) {
  const summary = emr.summaryJson(recordJson);
  if (!recordJson.includes("Composition")) return { summary, documents: [] };
  try {
    return { summary, documents: (await load("ccda")).documentsJson(recordJson) };
  } catch (e) {
    if (emr.isEmrError(e)) throw e;
    return { summary, documents: null };
  }
}

self.onmessage = async ({ data }) => {
  let shl;
  let ccda;
  try {
    await ready;
    if (data.type === "read" || data.type === "shl") shl = await load("shl");
    if (data.type === "ccda") ccda = await load("ccda");
  } catch {
    self.postMessage({ ok: false, error: { code: "viewer.start", message: "the WebAssembly module did not load" } });
    return;
  }
  try {
    if (data.type === "read") {
      const payload = shl.readShl(data.link);
      const request = payload.flag?.includes("U")
        ? null
        : shl.shlManifestRequest(data.recipient, data.passcode ? { passcode: data.passcode } : undefined);
      self.postMessage({ ok: true, payload, request });
    } else if (data.type === "shl") {
      self.postMessage({ ok: true, ...(await shlSummary(shl, data)) });
    } else if (data.type === "ccda") {
      const imported = ccda.fromCcdaJson(new Uint8Array(data.bytes));
      self.postMessage({ ok: true, ...(await view(imported.recordJson)), findings: imported.findings });
    } else {
      const opened = emr.openBundleJson(new Uint8Array(data.bytes), data.key);
      self.postMessage({ ok: true, ...(await view(opened.recordJson)), findings: opened.findings });
    }
  } catch (e) {
    // EmrError messages never contain record content; other errors are bugs of the viewer.
    const code = emr.isEmrError(e) ? e.code : (e?.code ?? "viewer.internal");
    self.postMessage({ ok: false, error: { code, message: String(e?.message ?? e) } });
  }
};
