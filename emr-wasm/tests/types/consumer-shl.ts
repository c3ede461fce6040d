// `@emr/wasm/shl` (SMART Health Links, the package's second module), type-checked like consumer.ts.
import {
  createShl,
  decryptShlFile,
  encryptShlFile,
  isEmrError,
  openShl,
  readShl,
  shlManifestRequest,
  type CreatedShl,
  type DecryptedShlFile,
  type EmrErrorCode,
  type OpenedShl,
  type ShlPayload,
} from "@emr/wasm/shl";

const created: CreatedShl = createShl('{"resourceType":"Bundle"}', "https://shl.example.org/m/1", {
  label: "Summary",
  expires: new Date(),
  passcode: true,
  key: new Uint8Array(32),
  iv: new Uint8Array(12),
  viewer: "https://viewer.example/",
});
const payload: ShlPayload = readShl(created.link, { now: "2026-01-01T00:00:00Z" });
const flag: string | undefined = payload.flag;
const exp: number | undefined = payload.exp;
const body: string = shlManifestRequest("Clinic B", { passcode: "1234", embeddedLengthMax: 1000 });
const opened: OpenedShl = openShl(created.link, created.manifest, { now: new Date(), maxBytes: 1 << 20 });
const texts: (string | null)[] = opened.files.map((f) => f.text);
const locations: string[] = opened.locations.map((l) => l.location);
const file: string = encryptShlFile(new Uint8Array([1]), payload.key, { deflate: false, contentType: "text/plain" });
const decrypted: DecryptedShlFile = decryptShlFile(file, new Uint8Array(32), { maxBytes: 10 });
const data: Uint8Array = decrypted.data;

export function code(e: unknown): EmrErrorCode | undefined {
  return isEmrError(e) ? e.code : undefined;
}

// @ts-expect-error the URL is required
createShl("{}");
// @ts-expect-error flags are booleans
createShl("{}", "https://x.org/m", { passcode: "1234" });
// @ts-expect-error a file is JWE text
decryptShlFile(new Uint8Array(1), payload.key);
// @ts-expect-error the payload's key is text
const keyBytes: Uint8Array = payload.key;

export { flag, exp, body, texts, locations, data, keyBytes };
