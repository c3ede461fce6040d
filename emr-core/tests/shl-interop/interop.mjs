// The `jose` side of emr-core/tests/shl_interop.rs (SMART Health Links files).
//
//   node interop.mjs DIR
//
// Reads DIR/emr.json, files emr encrypted: { key, files: [{ name, jwe, plaintext, cty, zip }] }
// (key and plaintext base64url). Each must open with jose's compactDecrypt to the same bytes and
// header. Then encrypts the same plaintexts with jose's CompactEncrypt (with and without
// `zip: DEF`) and writes them to DIR/jose.json in the same shape, for emr to open.
// Exits non-zero, naming the file, on the first mismatch.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { CompactEncrypt, base64url, compactDecrypt, decodeProtectedHeader } from "jose";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node interop.mjs DIR");
  process.exit(2);
}
const input = JSON.parse(readFileSync(join(dir, "emr.json"), "utf8"));
const key = base64url.decode(input.key);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

for (const file of input.files) {
  const expected = base64url.decode(file.plaintext);
  const header = decodeProtectedHeader(file.jwe);
  if (header.alg !== "dir" || header.enc !== "A256GCM" || header.cty !== file.cty || (header.zip ?? null) !== (file.zip ? "DEF" : null)) {
    throw new Error(`${file.name}: unexpected protected header ${JSON.stringify(header)}`);
  }
  const { plaintext, protectedHeader } = await compactDecrypt(file.jwe, key, { maxDecompressedLength: 256 * 1024 * 1024 });
  if (!same(plaintext, expected)) throw new Error(`${file.name}: jose decrypts to other bytes`);
  if (protectedHeader.cty !== file.cty) throw new Error(`${file.name}: cty differs`);
  if (file.zip) {
    // A second, independent reading: AES-GCM by WebCrypto, then the raw DEFLATE stream
    // inflated by Node's zlib (jose inflates with CompressionStream).
    const [h, , iv, ct, tag] = file.jwe.split(".");
    const cek = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
    const sealed = new Uint8Array([...base64url.decode(ct), ...base64url.decode(tag)]);
    const raw = new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64url.decode(iv), additionalData: new TextEncoder().encode(h) }, cek, sealed),
    );
    if (!same(new Uint8Array(inflateRawSync(raw)), expected)) throw new Error(`${file.name}: zlib inflateRaw differs`);
  }
  console.log(`jose opened emr's ${file.name} (${plaintext.length} bytes${file.zip ? ", zip DEF" : ""})`);
}

const out = { key: input.key, files: [] };
for (const file of input.files) {
  const plaintext = base64url.decode(file.plaintext);
  for (const zip of [false, true]) {
    // jose writes the header members in the order given: here `enc` before `alg`, unlike emr.
    const header = { enc: "A256GCM", alg: "dir", cty: file.cty, ...(zip ? { zip: "DEF" } : {}) };
    const jwe = await new CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(key);
    out.files.push({ name: `jose-${file.name}${zip ? "-zip" : ""}`, jwe, plaintext: file.plaintext, cty: file.cty, zip });
  }
}
writeFileSync(join(dir, "jose.json"), JSON.stringify(out));
console.log(`jose encrypted ${out.files.length} files`);
