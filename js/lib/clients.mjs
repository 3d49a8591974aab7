// Client helpers: a fetch wrapper and an axios interceptor that sign each outgoing request, one scheme object per
// request-signing scheme (FOST, the HMAC header, RFC 9421, JWT), as countermark.clients.requests does in Python.
//
// Each scheme takes the outgoing request as plain data (method, absolute URL, header lines, body bytes), builds a
// countermark Request, lets the core sign it, and returns the header lines to set on the request (replacing any
// line of the same name). No cryptography happens here, and no default is restated: options left out reach the
// core as left out. The body is signed exactly as it is sent: the wrappers serialise it first.
//
// This file has no imports: `__createClients(api)` receives the package's own classes, so the same text serves
// the ES module and the CommonJS builds.

export function __createClients(api) {
  const { Request, InvalidValue } = api;
  const DEFAULT_PORTS = { "http:": "80", "https:": "443" };
  const encoder = new TextEncoder();

  function streamingBodyError(kind) {
    return new InvalidValue(
      `cannot sign a streaming request body (${kind}): the signature covers the body as sent, so it must be ` +
        "known in full before sending; pass a string, a Uint8Array, an ArrayBuffer, URLSearchParams or a Blob",
    );
  }

  /** `headers` with every line named in `added` replaced by the lines of `added` (appended). */
  function merged(headers, added) {
    const names = new Set(added.map(([n]) => n.toLowerCase()));
    return headers.filter(([n]) => !names.has(n.toLowerCase())).concat(added);
  }

  /** The Host an HTTP client sends for `url`: the authority, lower-cased, without the scheme's default port. */
  function hostHeader(url) {
    const u = new URL(url);
    return u.port && u.port !== DEFAULT_PORTS[u.protocol] ? `${u.hostname}:${u.port}` : u.hostname;
  }

  function headerPairs(headers) {
    if (headers === undefined || headers === null) return [];
    if (Array.isArray(headers)) return headers.map(([n, v]) => [String(n), String(v)]);
    if (typeof headers.entries === "function") return Array.from(headers.entries(), ([n, v]) => [String(n), String(v)]);
    return Object.entries(headers)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([n, v]) => [n, String(v)]);
  }

  /** Base of the four schemes: `sign(method, url, headers, body)` returns the header lines to set. */
  class Scheme {
    /** Header lines to set before signing (they are signed and sent). None by default. */
    prepare(_url, _headers, _body) {
      return [];
    }

    /**
     * Signs the request `method url` with `headers` (`[name, value]` pairs) and `body` (a `Uint8Array` or
     * null) exactly as they will be sent; returns every header line to set on it, in order.
     */
    sign(method, url, headers, body) {
      const lines = headerPairs(headers);
      const before = this.prepare(url, lines, body);
      const request = Request.fromUrl(String(method).toUpperCase(), String(url), {
        headers: merged(lines, before),
        body: body && body.length ? body : undefined,
      });
      return merged(before, this.signRequest(request));
    }
  }

  /** FOST (HMAC-SHA1, legacy) as key `keyId`, covering `headers` (default `["Host"]`, set from the URL). */
  class FostScheme extends Scheme {
    constructor(keyId, key, { headers = ["Host"], user, clock } = {}) {
      super();
      if (typeof headers === "string") throw new TypeError("headers must be an array of header names");
      const names = [...headers];
      if (user !== undefined && !names.some((n) => n.toLowerCase() === "x-fost-user")) names.push("X-FOST-User");
      this._signer = new api.FostSigner(keyId, key, clock === undefined ? undefined : { clock });
      this._headers = names;
      this._user = user;
      this.keyId = keyId;
    }

    prepare(url, headers) {
      const present = new Set(headers.map(([n]) => n.toLowerCase()));
      const before = [];
      if (this._headers.some((n) => n.toLowerCase() === "host") && !present.has("host")) {
        before.push(["Host", hostHeader(url)]);
      }
      if (this._user !== undefined) before.push(["X-FOST-User", this._user]);
      return before;
    }

    signRequest(request) {
      return this._signer.sign(request, this._headers).headers;
    }
  }

  /** The `Authorization: HMAC-SHA256 keyId;signature;utc` header (JSON and form bodies only). */
  class HmacHeaderScheme extends Scheme {
    constructor(keyId, secret, algorithm, { clock } = {}) {
      super();
      this._signer = new api.HmacHeaderSigner(keyId, secret, algorithm, clock === undefined ? undefined : { clock });
      this.keyId = keyId;
    }

    signRequest(request) {
      return this._signer.sign(request).headers;
    }
  }

  /**
   * RFC 9421 HTTP Message Signatures with an RFC 9530 `Content-Digest` of the body. Without `components` the
   * core decides what is covered (`defaultCoverage`). With `components`, exactly those, and a `Content-Digest`
   * (`digestAlgorithms`, required then) is set when the body is non-empty or `content-digest` is covered.
   * `randomNonces` is on unless set to false (each request single-use, as the Python client).
   */
  class HttpSignatureScheme extends Scheme {
    constructor(key, options = {}) {
      super();
      const { components, digestAlgorithms, randomNonces = true, ...rest } = options;
      if (typeof components === "string") throw new TypeError("components must be an array of component names");
      this._components = components === undefined ? undefined : [...components];
      this._coversDigest = (this._components || []).some(
        (c) => c.split(";")[0].trim().replace(/"/g, "").toLowerCase() === "content-digest",
      );
      if (this._components !== undefined && digestAlgorithms === undefined) {
        throw new TypeError("with components, give digestAlgorithms (e.g. ['sha-256']) for the Content-Digest");
      }
      this._digestAlgorithms = digestAlgorithms;
      this._signer = new api.MessageSigner(key, {
        ...rest,
        ...(this._components === undefined ? {} : { components: this._components }),
        randomNonces,
      });
      this.keyId = rest.keyId;
    }

    prepare(_url, _headers, body) {
      if (this._components === undefined) return []; // the core adds the Content-Digest it covers
      if ((body && body.length) || this._coversDigest) {
        return [["Content-Digest", api.contentDigest(body || new Uint8Array(0), this._digestAlgorithms)]];
      }
      return [];
    }

    signRequest(request) {
      if (this._components === undefined) return this._signer.signWithDefaultCoverage(request).headers;
      return this._signer.sign(request).headers;
    }
  }

  /** `Authorization: JWT <token>` (asymmetric-jwt-auth), a fresh token (time, nonce) per request. */
  class JwtScheme extends Scheme {
    constructor(key, username, { clock } = {}) {
      super();
      this._key = key;
      this._clock = clock;
      this.username = username;
    }

    // The token covers neither the method, the URL nor the body: nothing of the request is read.
    sign() {
      const token = api.signJwt(this._key, this.username, this._clock === undefined ? undefined : { clock: this._clock });
      return [["Authorization", `JWT ${token}`]];
    }
  }

  /** The body as the bytes that go on the wire, and a Content-Type implied by its type (or undefined). */
  async function wireBody(body) {
    if (body === undefined || body === null) return { bytes: null };
    if (typeof body === "string") return { bytes: encoder.encode(body) };
    if (body instanceof Uint8Array) return { bytes: body };
    if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body) };
    if (ArrayBuffer.isView(body)) return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
    if (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams) {
      return { bytes: encoder.encode(body.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    if (typeof Blob !== "undefined" && body instanceof Blob && !(typeof FormData !== "undefined" && body instanceof FormData)) {
      return { bytes: new Uint8Array(await body.arrayBuffer()), type: body.type || undefined };
    }
    throw streamingBodyError(body && body.constructor ? body.constructor.name : typeof body);
  }

  // Headers fetch sets itself from the URL and the body (and refuses to take from the caller).
  const SET_BY_CLIENT = new Set(["host", "content-length"]);

  /**
   * A `fetch` that signs each request with `scheme` before sending it: `signedFetch(scheme)(url, init)`. The
   * body is read once (a string, bytes, URLSearchParams or a Blob; a stream is refused) and sent as the exact
   * bytes that were signed. `options.fetch`: the fetch to call (default: the global one).
   */
  function signedFetch(scheme, options = {}) {
    const baseFetch = options.fetch || globalThis.fetch;
    if (typeof baseFetch !== "function") throw new TypeError("no fetch: pass options.fetch");
    return async function countermarkFetch(input, init = {}) {
      let url, method, headers, body;
      if (typeof input === "object" && input !== null && typeof input.url === "string" && typeof input.clone === "function") {
        url = input.url;
        method = init.method || input.method;
        headers = headerPairs(init.headers !== undefined ? new Headers(init.headers) : input.headers);
        body = init.body !== undefined ? init.body : input.body === null ? null : await input.clone().arrayBuffer();
      } else {
        // A relative URL is resolved as fetch resolves it: against the page's address (browsers, workers).
        const base = globalThis.location && globalThis.location.href;
        url = base ? new URL(String(input), base).href : String(input);
        method = init.method || "GET";
        headers = headerPairs(init.headers !== undefined ? new Headers(init.headers) : undefined);
        body = init.body;
      }
      const wire = await wireBody(body);
      if (wire.type && !headers.some(([n]) => n.toLowerCase() === "content-type")) {
        headers.push(["Content-Type", wire.type]);
      }
      const lines = merged(headers, scheme.sign(method, url, headers, wire.bytes));
      const sent = new Headers();
      for (const [n, v] of lines) if (!SET_BY_CLIENT.has(n.toLowerCase())) sent.append(n, v);
      const { headers: _h, body: _b, method: _m, ...rest } = init;
      return baseFetch(url, { ...rest, method, headers: sent, body: wire.bytes === null ? undefined : wire.bytes });
    };
  }

  /**
   * Installs a request interceptor on an axios instance that signs each request with `scheme`; returns the
   * interceptor id (for `axios.interceptors.request.eject`). The interceptor serialises the body itself (a plain
   * object as JSON, URLSearchParams as a form) and resolves the URL with `axios.getUri`, so the bytes and the
   * URL that are signed are the ones axios sends.
   */
  function installAxiosInterceptor(axios, scheme) {
    if (!axios || !axios.interceptors || typeof axios.getUri !== "function") {
      throw new TypeError("installAxiosInterceptor needs an axios instance");
    }
    return axios.interceptors.request.use(async (config) => {
      const url = axios.getUri(config);
      const headers = headerPairs(
        config.headers && typeof config.headers.toJSON === "function" ? config.headers.toJSON() : config.headers,
      );
      const hasType = headers.some(([n]) => n.toLowerCase() === "content-type");
      let data = config.data;
      let type;
      if (data !== undefined && data !== null && typeof data === "object" && Object.getPrototypeOf(data) === Object.prototype) {
        data = JSON.stringify(data);
        type = "application/json";
      }
      const wire = await wireBody(data);
      type = type || wire.type;
      if (type && !hasType) headers.push(["Content-Type", type]);
      const lines = merged(headers, scheme.sign(config.method || "get", url, headers, wire.bytes));
      const out = {};
      for (const [n, v] of lines) if (!SET_BY_CLIENT.has(n.toLowerCase())) out[n] = v;
      return {
        ...config,
        url,
        baseURL: undefined,
        params: undefined,
        headers: out,
        // An ArrayBuffer: what every axios adapter sends as it is (Node's refuses a Uint8Array).
        data: wire.bytes === null
          ? undefined
          : wire.bytes.buffer.slice(wire.bytes.byteOffset, wire.bytes.byteOffset + wire.bytes.byteLength),
        // The bytes are final: axios must not serialise them again.
        transformRequest: [(d) => d],
      };
    });
  }

  return { FostScheme, HmacHeaderScheme, HttpSignatureScheme, JwtScheme, signedFetch, installAxiosInterceptor };
}
