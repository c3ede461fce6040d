// The `@emr/wasm/web` entry (explicit initialization), type-checked under `bundler` resolution with
// the DOM library, as a browser app would.
import init, { initSync, validate, type InitOutput } from "@emr/wasm/web";
import type { Finding } from "@emr/wasm";

export async function start(wasmUrl: URL): Promise<Finding[]> {
  const output: InitOutput = await init({ module_or_path: wasmUrl });
  void output;
  return validate({ format: 1 }, new Date());
}

export function startSync(bytes: ArrayBuffer): Finding[] {
  initSync({ module: bytes });
  return validate({ format: 1 });
}
