// The page: choose or drop a bundle, type its passphrase (or choose its age key file), and the
// worker (worker.mjs) decrypts it off the main thread; or choose or drop a C-CDA document (XML,
// no passphrase), which the worker imports with @emr/wasm/ccda; or open a SMART Health Link
// (pasted, or in the page's fragment `#shlink:/…`, which never leaves the browser): the page
// fetches its manifest from the link's host (or reads a saved file) and the worker decrypts it.
// render.mjs shows the result. Nothing is logged or stored.
import { renderRecord } from "./render.mjs";

const $ = (id) => document.getElementById(id);
const form = $("open-form");
const fileInput = $("file");
const passphrase = $("passphrase");
const identityInput = $("identity");
const button = $("open-button");
const status = $("status");
const error = $("error");
const openSection = $("open");
const linkSection = $("open-link");
const linkForm = $("link-form");
const linkInput = $("link");
const linkLabel = $("link-label");
const recipientInput = $("recipient");
const passcodeField = $("passcode-field");
const passcodeInput = $("passcode");
const shlFileInput = $("shl-file");
const linkButton = $("link-button");
const linkStatus = $("link-status");
const linkError = $("link-error");
const recordView = $("record");
$("needs-module").remove(); // this module runs: the page is served as it must be

// What each error code of @emr/wasm's openBundle means to the person holding the file.
const MESSAGES = {
  "bundle.passphrase":
    "Wrong passphrase: it does not open this file. Check it (capital letters, spaces) and try again. " +
    "If the bundle was encrypted to a key rather than a passphrase, choose its key file under “Encrypted to a key file instead?”.",
  "bundle.format":
    "This file is not an emr patient bundle (it is not age-encrypted). Choose the file made by emr export --format bundle.",
  "bundle.corrupt":
    "This file is damaged: it was cut short or changed after it was made, so it cannot be opened. Ask for a new copy.",
  "bundle.work": "This file asks for more decryption work than is safe to do here, so it was not opened.",
  "bundle.key": "The key file holds no age secret key (a line AGE-SECRET-KEY-1…). Choose the identity file.",
  "viewer.start": "The viewer could not start: its WebAssembly file did not load. Serve the whole viewer folder over HTTP.",
  "ccda.syntax": "This XML file is damaged or not well-formed, so it cannot be read as a C-CDA document.",
  "ccda.doctype": "This XML file declares a DOCTYPE, which C-CDA documents never have; it was not opened, for safety.",
  "ccda.size": "This C-CDA document is too large (or nested too deeply) to open here.",
  "ccda.shape": "This XML file is not a C-CDA document (an HL7 ClinicalDocument).",
};

// What each failure of a SMART Health Link means to the person opening it.
const NOT_A_LINK = "This is not a valid SMART Health Link. Check that the whole link was copied (it starts with shlink:/ or contains #shlink:/).";
const LINK_MESSAGES = {
  "shl.link": NOT_A_LINK,
  "shl.key": NOT_A_LINK,
  "shl.url": NOT_A_LINK,
  "shl.flags": NOT_A_LINK,
  "shl.label": NOT_A_LINK,
  "shl.version": "This link uses a newer version of SMART Health Links than this viewer can read.",
  "shl.expired": "This link has expired. Ask the person who shared it for a new one.",
  "shl.decrypt": "The file does not open with this link's key: it belongs to another link, or was changed after it was shared.",
  "shl.file": "This is not a file of a SMART Health Link (a manifest.json or an encrypted .jwe file).",
  "shl.manifest": "This is not a file of a SMART Health Link (a manifest.json or an encrypted .jwe file).",
  "shl.size": "The link's file is too large to open here.",
  "fhir.syntax": "The link's file is not a health record this viewer can show.",
  "fhir.shape": "The link's file is not a health record this viewer can show.",
  "viewer.empty": "The link holds no health record this viewer can show.",
  "viewer.gone": "This link is no longer active: it has expired, was withdrawn, or was disabled after too many wrong passcodes.",
  "viewer.network": "The link's host could not be reached. Check the connection; if you have the link's file, open it offline instead.",
  "viewer.start": MESSAGES["viewer.start"],
};
// Who asks, when the form's field is empty (the host logs it for the person who shared the link).
const DEFAULT_RECIPIENT = "emr offline viewer";

let busy = false;

function showError(text) {
  error.textContent = text;
  status.textContent = "";
  status.classList.remove("busy");
}

function setBusy(on, text = "Decrypting… this takes a few seconds.") {
  busy = on;
  button.disabled = on;
  form.setAttribute("aria-busy", String(on));
  status.classList.toggle("busy", on);
  status.textContent = on ? text : "";
}

/**
 * Whether a file's first bytes are XML (after a byte order mark and white space, a `<`): a C-CDA
 * document to import, not an age-encrypted bundle to decrypt. Which XML it is, the package judges.
 */
async function isXml(file) {
  const head = new Uint8Array(await file.slice(0, 64).arrayBuffer());
  const start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const first = head.slice(start).find((b) => ![0x20, 0x09, 0x0a, 0x0d].includes(b));
  return first === 0x3c;
}

/** Import a C-CDA document in the worker (no key: it is not encrypted). */
async function openCcda(file) {
  error.textContent = "";
  setBusy(true, "Reading the C-CDA document…");
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch {
    setBusy(false);
    return reject("The file could not be read. Choose it again.", fileInput);
  }
  const data = await call({ type: "ccda", bytes }, { transfer: [bytes], last: true });
  setBusy(false);
  if (!data.ok) {
    const { code, message } = data.error;
    return reject(MESSAGES[code] ?? `The document could not be opened (${code}): ${message}`, fileInput);
  }
  passphrase.value = "";
  show(data.summary, data.findings, data.documents);
}

function chosenFile(files) {
  if (files?.length !== 1) return;
  fileInput.files = files;
  error.textContent = "";
}

// A fresh worker per record, started ahead so that the WebAssembly loads while the user types;
// a record and its key material go away with its worker.
let worker = spawn();
function spawn() {
  const w = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
  w.onerror = () => {
    w.terminate();
    if (worker === w) worker = undefined; // the next attempt tries a new one
    w.failed?.({ ok: false, error: { code: "viewer.start", message: "the worker did not start" } });
  };
  return w;
}

/** One request to the worker; with `last`, the worker is replaced once it has answered. */
function call(message, { transfer = [], last = false } = {}) {
  const current = worker ?? spawn();
  worker = current;
  return new Promise((resolve) => {
    current.failed = resolve;
    current.onmessage = ({ data }) => {
      current.failed = undefined;
      if (last) {
        current.terminate();
        worker = spawn();
      }
      resolve(data);
    };
    current.postMessage(message, transfer);
  });
}

function reject(text, field) {
  showError(text);
  field.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (busy) return;
  const file = fileInput.files?.[0];
  const keyFile = identityInput.files?.[0];
  if (!file) return reject("Choose the bundle file first.", fileInput);
  let xml;
  try {
    xml = await isXml(file);
  } catch {
    return reject("The file could not be read. Choose it again.", fileInput);
  }
  if (xml) return openCcda(file);
  if (!keyFile && !passphrase.value) return reject("Type the passphrase of the bundle.", passphrase);
  error.textContent = "";
  setBusy(true);
  let bytes;
  let key;
  try {
    bytes = await file.arrayBuffer();
    // An identity file may hold comments; the key is its AGE-SECRET-KEY-1… line.
    key = keyFile
      ? { identity: (await keyFile.text()).split(/\r?\n/).find((l) => l.startsWith("AGE-SECRET-KEY-1")) ?? "" }
      : { passphrase: passphrase.value };
  } catch {
    setBusy(false);
    return reject("The file could not be read. Choose it again.", fileInput);
  }
  const data = await call({ type: "bundle", bytes, key }, { transfer: [bytes], last: true });
  setBusy(false);
  if (!data.ok) {
    const { code, message } = data.error;
    const text = keyFile && code === "bundle.passphrase" ? "This key file does not open this bundle. Check that it is the right key." : MESSAGES[code];
    const field = ["bundle.format", "bundle.corrupt"].includes(code) ? fileInput : keyFile ? identityInput : passphrase;
    reject(text ?? `The file could not be opened (${code}): ${message}`, field);
    if (code === "bundle.passphrase" && !keyFile) passphrase.select();
    return;
  }
  passphrase.value = "";
  identityInput.value = "";
  show(data.summary, data.findings, data.documents);
});

function show(summary, findings, documents) {
  recordView.replaceChildren(...renderRecord(summary, close, findings, documents));
  openSection.hidden = true;
  linkSection.hidden = true;
  recordView.hidden = false;
  $("record-heading").focus();
}

function close() {
  recordView.replaceChildren();
  recordView.hidden = true;
  openSection.hidden = false;
  linkSection.hidden = false;
  form.reset();
  linkForm.reset();
  linkLabel.hidden = true;
  passcodeField.hidden = true;
  status.textContent = "The record was closed.";
  fileInput.focus();
}

fileInput.addEventListener("change", () => (error.textContent = ""));

/** A drop target: highlighted while a file is over it; `onDrop` gets the dropped files. */
function dropTarget(target, onDrop) {
  for (const type of ["dragenter", "dragover"]) {
    target.addEventListener(type, (e) => {
      e.preventDefault();
      target.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) target.addEventListener(type, () => target.classList.remove("over"));
  target.addEventListener("drop", (e) => {
    e.preventDefault();
    onDrop(e.dataTransfer?.files);
  });
}

// Drag and drop anywhere on the form; dropping elsewhere must not navigate away to the file.
dropTarget($("drop"), (files) => {
  chosenFile(files);
  passphrase.focus();
});
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => e.preventDefault());

// ---- SMART Health Links ----------------------------------------------------------------------

let linkBusy = false;

function setLinkBusy(text) {
  linkBusy = Boolean(text);
  linkButton.disabled = linkBusy;
  linkForm.setAttribute("aria-busy", String(linkBusy));
  linkStatus.classList.toggle("busy", linkBusy);
  linkStatus.textContent = text || "";
  if (linkBusy) linkError.textContent = "";
}

function linkReject(text, field) {
  setLinkBusy("");
  linkError.textContent = text;
  field?.focus();
}

function linkFailed({ code, message }, field) {
  linkReject(LINK_MESSAGES[code] ?? `The link could not be opened (${code}): ${message}`, field ?? linkInput);
}

/** A request to the link's host: no cookies, no referrer, nothing cached. */
const hostFetch = (url, init = {}) => fetch(url, { ...init, credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store" });

/**
 * The host's answer (manifest JSON, or the file itself for a `U` link) and the files the
 * manifest gives only by location; or undefined after telling the user what went wrong.
 */
async function fetchFromHost(payload, request, recipient) {
  const direct = (payload.flag ?? "").includes("U");
  let response;
  try {
    response = direct
      ? await hostFetch(`${payload.url}${payload.url.includes("?") ? "&" : "?"}recipient=${encodeURIComponent(recipient)}`)
      : await hostFetch(payload.url, { method: "POST", headers: { "content-type": "application/json" }, body: request });
  } catch {
    return linkFailed({ code: "viewer.network" });
  }
  if (response.status === 401) {
    const remaining = (await response.json().catch(() => ({}))).remainingAttempts;
    passcodeField.hidden = false;
    passcodeInput.value = "";
    const left =
      remaining === 0
        ? "No attempts are left: the link is now disabled. Ask the person who shared it for a new one."
        : typeof remaining === "number"
          ? `${remaining} ${remaining === 1 ? "attempt is" : "attempts are"} left.`
          : "";
    return linkReject(`Wrong passcode: the link's host refused it. ${left}`.trim(), passcodeInput);
  }
  if (response.status === 404) return linkFailed({ code: "viewer.gone" });
  if (!response.ok) return linkFailed({ code: "viewer.host", message: `the link's host answered HTTP ${response.status}` });
  const text = await response.text();
  const located = [];
  if (!direct) {
    let manifest;
    try {
      manifest = JSON.parse(text);
    } catch {
      manifest = undefined; // the worker reports it
    }
    for (const file of Array.isArray(manifest?.files) ? manifest.files : []) {
      if (file?.embedded || typeof file?.location !== "string") continue;
      let answer;
      try {
        answer = await hostFetch(file.location);
      } catch {
        return linkFailed({ code: "viewer.network" });
      }
      if (!answer.ok) return linkFailed({ code: "viewer.gone" });
      located.push(await answer.text());
    }
  }
  return { text, located };
}

async function openLink() {
  if (linkBusy) return;
  const link = linkInput.value.trim();
  if (!link) return linkReject("Paste the link first.", linkInput);
  const file = shlFileInput.files?.[0];
  const recipient = recipientInput.value.trim() || DEFAULT_RECIPIENT;
  linkLabel.hidden = true;
  setLinkBusy("Reading the link…");
  const read = await call({ type: "read", link, recipient, passcode: passcodeInput.value });
  if (!read.ok) return linkFailed(read.error);
  const { payload, request } = read;
  linkLabel.textContent = payload.label ? `“${payload.label}”` : "";
  linkLabel.hidden = !payload.label;
  let answer;
  if (file) {
    try {
      answer = { text: await file.text(), located: [] };
    } catch {
      return linkReject("The file could not be read. Choose it again.", shlFileInput);
    }
  } else {
    if ((payload.flag ?? "").includes("P") && !passcodeInput.value) {
      passcodeField.hidden = false;
      setLinkBusy("");
      linkStatus.textContent = "This link is protected by a passcode: type it, then choose Open link.";
      passcodeInput.focus();
      return;
    }
    setLinkBusy("Fetching the record from the link's host…");
    answer = await fetchFromHost(payload, request, recipient);
    if (!answer) return;
  }
  setLinkBusy("Decrypting…");
  const opened = await call({ type: "shl", link, response: answer.text, located: answer.located }, { last: true });
  if (!opened.ok) return linkFailed(opened.error, file ? shlFileInput : linkInput);
  setLinkBusy("");
  passcodeInput.value = "";
  linkInput.value = "";
  show(opened.summary, opened.findings, opened.documents);
}

linkForm.addEventListener("submit", (event) => {
  event.preventDefault();
  openLink();
});

// A file dropped on the link: the offline way in.
dropTarget($("link-drop"), (files) => {
  if (files?.length !== 1) return;
  shlFileInput.files = files;
  $("offline-option").open = true;
  linkError.textContent = "";
  linkButton.focus();
});

// A link in the page's fragment (`index.html#shlink:/…`, what a QR code of `emr share --viewer`
// holds): opened at once, and taken out of the address bar so that it stays in no history.
if (location.hash.includes("shlink:/")) {
  linkInput.value = location.hash.slice(1);
  history.replaceState(null, "", location.pathname + location.search);
  openLink();
}
