// The module worker that opens bundles: scrypt (the passphrase's key derivation) takes seconds in
// WebAssembly, and here it does not freeze the page. One request at a time:
//   in:  { bytes: ArrayBuffer, key: { passphrase } | { identity } }   (openBundle's key)
//   out: { ok: true, summary } | { ok: false, error: { code, message } }   (summary: `summaryJson`)
// The decrypted record stays in this worker only for the time of the request.
import init, * as emr from "./pkg/emr_wasm.mjs";

// Fetches and compiles pkg/emr_wasm_bg.wasm (next to the glue) once, while the user types.
const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch {
    self.postMessage({ ok: false, error: { code: "viewer.start", message: "the WebAssembly module did not load" } });
    return;
  }
  try {
    const opened = emr.openBundleJson(new Uint8Array(data.bytes), data.key);
    self.postMessage({ ok: true, summary: emr.summaryJson(opened.recordJson) });
  } catch (e) {
    // EmrError messages never contain record content; other errors are bugs of the viewer.
    const code = emr.isEmrError(e) ? e.code : "viewer.internal";
    self.postMessage({ ok: false, error: { code, message: String(e?.message ?? e) } });
  }
};
