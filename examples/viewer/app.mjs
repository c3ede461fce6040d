// The page: choose or drop a bundle, type its passphrase (or choose its age key file), and the
// worker (worker.mjs) decrypts it off the main thread; render.mjs shows the result. Nothing is
// logged or stored.
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
};

let busy = false;

function showError(text) {
  error.textContent = text;
  status.textContent = "";
  status.classList.remove("busy");
}

function setBusy(on) {
  busy = on;
  button.disabled = on;
  form.setAttribute("aria-busy", String(on));
  status.classList.toggle("busy", on);
  status.textContent = on ? "Decrypting… this takes a few seconds." : "";
}

function chosenFile(files) {
  if (files?.length !== 1) return;
  fileInput.files = files;
  error.textContent = "";
}

// A fresh worker per attempt, started ahead so that the WebAssembly loads while the user types;
// an attempt's record and key material go away with its worker.
let worker = spawn();
function spawn() {
  const w = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
  w.onerror = () => {
    w.terminate();
    if (worker === w) worker = undefined; // the next attempt tries a new one
    setBusy(false);
    showError(MESSAGES["viewer.start"]);
  };
  return w;
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
  const current = worker ?? spawn();
  worker = current;
  current.onmessage = ({ data }) => {
    current.terminate();
    worker = spawn();
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
    show(data.summary);
  };
  current.postMessage({ bytes, key }, [bytes]);
});

function show(summary) {
  recordView.replaceChildren(...renderRecord(summary, close));
  openSection.hidden = true;
  recordView.hidden = false;
  $("record-heading").focus();
}

function close() {
  recordView.replaceChildren();
  recordView.hidden = true;
  openSection.hidden = false;
  form.reset();
  status.textContent = "The record was closed.";
  fileInput.focus();
}

fileInput.addEventListener("change", () => (error.textContent = ""));

// Drag and drop anywhere on the form; dropping elsewhere must not navigate away to the file.
const drop = $("drop");
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
}
for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  chosenFile(e.dataTransfer?.files);
  passphrase.focus();
});
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => e.preventDefault());
