// V4 HMAC-SHA256 request signing (Volcengine's scheme, AWS SigV4's shape) with node:crypto. Pure given the date.
import { createHash, createHmac } from "node:crypto";

export interface SignOptions {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  readonly service: string;
  readonly method: string;
  readonly url: URL;
  /** Headers to sign besides host and the date (e.g. content-type). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly date: Date;
  /** Volcengine: "HMAC-SHA256", key "" + secret, scope ending "request", X-Date, X-Content-Sha256. AWS: the AWS4 names. */
  readonly flavour?: "volcengine" | "aws";
}

const FLAVOURS = {
  volcengine: {
    algorithm: "HMAC-SHA256",
    keyPrefix: "",
    terminator: "request",
    dateHeader: "X-Date",
    hashHeader: "X-Content-Sha256",
  },
  aws: {
    algorithm: "AWS4-HMAC-SHA256",
    keyPrefix: "AWS4",
    terminator: "aws4_request",
    dateHeader: "X-Amz-Date",
    hashHeader: undefined,
  },
} as const;

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: string | Buffer, s: string) => createHmac("sha256", key).update(s, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters only left as is). */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** 20150830T123600Z */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** The headers that sign one request: the date, the body hash (Volcengine) and Authorization. */
export function signRequest(o: SignOptions): Record<string, string> {
  const f = FLAVOURS[o.flavour ?? "volcengine"];
  const stamp = amzDate(o.date);
  const day = stamp.slice(0, 8);
  const bodyHash = sha256(o.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers)) headers[k.toLowerCase()] = v.trim().replace(/\s+/g, " ");
  headers.host = o.url.host;
  headers[f.dateHeader.toLowerCase()] = stamp;
  if (f.hashHeader) headers[f.hashHeader.toLowerCase()] = bodyHash;
  const names = Object.keys(headers).sort();
  const query = [...o.url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = [
    o.method.toUpperCase(),
    o.url.pathname || "/",
    query,
    names.map((n) => `${n}:${headers[n]}\n`).join(""),
    names.join(";"),
    bodyHash,
  ].join("\n");
  const scope = `${day}/${o.region}/${o.service}/${f.terminator}`;
  const toSign = [f.algorithm, stamp, scope, sha256(canonical)].join("\n");
  const kDate = hmac(`${f.keyPrefix}${o.secretKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, o.region), o.service), f.terminator);
  const signature = createHmac("sha256", kSigning).update(toSign, "utf8").digest("hex");
  const out: Record<string, string> = {
    [f.dateHeader]: stamp,
    Authorization: `${f.algorithm} Credential=${o.accessKey}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
  if (f.hashHeader) out[f.hashHeader] = bodyHash;
  return out;
}
