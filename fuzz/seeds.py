#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets from ../shared/vectors: every token, URL, message, JWT and key of the
vectors, in the targets' input formats (see src/targets.rs). Run: python3 fuzz/seeds.py ../shared/vectors fuzz/corpus
"""
import hashlib
import json
import os
import sys
import urllib.parse


def message(method, target, headers, body):
    head = f"{method} {target}\n" + "".join(f"{n}: {v}\n" for n, v in headers)
    raw = head.encode() + b"\n"
    if body is not None:
        raw += body if isinstance(body, bytes) else body.encode()
    return raw


def main(vectors, out):
    seeds = {name: [] for name in ("token", "ska", "fost", "hmac_header", "message_signatures", "jwt", "keys", "c_abi")}
    load = lambda f: json.load(open(os.path.join(vectors, f), encoding="utf-8"))

    for c in load("handshake.json")["cases"]:
        if c.get("token"):
            seeds["token"].append(c["token"].encode())
    for c in load("ska.json")["cases"]:
        for k in ("signed_url", "url"):
            if c.get(k):
                seeds["ska"].append(c[k].encode())
        if isinstance(c.get("data"), dict):
            seeds["ska"].append(("https://e.com/?" + urllib.parse.urlencode(c["data"])).encode())
        if isinstance(c.get("extra"), dict):
            seeds["ska"].append(json.dumps(c["extra"]).encode())
    for c in load("fost.json")["cases"]:
        if c.get("method"):
            target = c.get("path") or "/"
            if c.get("query_string"):
                target += "?" + c["query_string"]
            headers = list((c.get("request_headers") or {}).items())
            if c.get("host"):
                headers.append(("Host", c["host"]))
            seeds["fost"].append(message(c["method"], target, headers, c.get("body")))
        if c.get("signed_url"):
            seeds["fost"].append(message("GET", c["signed_url"], [], None))
    for c in load("hmac_header.json")["cases"]:
        if c.get("authorization"):
            body = c.get("request_body")
            if body is None and c.get("body_json") is not None:
                body = json.dumps(c["body_json"])
            headers = [("Authorization", c["authorization"])]
            headers.append(("Content-Type", c.get("content_type") or "application/json"))
            seeds["hmac_header"].append(message(c.get("http_method") or "POST", c.get("path") or "/api/", headers, body))
    for c in load("rfc9421.json")["cases"]:
        m = c.get("message") or {}
        headers = [tuple(h) for h in m.get("headers", [])]
        if c.get("signature_input"):
            headers.append(("Signature-Input", c["signature_input"]))
        if c.get("signature_header"):
            headers.append(("Signature", c["signature_header"]))
        first = m.get("method") if m.get("type") == "request" else str(m.get("status", 200))
        target = m.get("url") or m.get("target") or "/"
        seeds["message_signatures"].append(message(first or "GET", target, headers, m.get("body")))
    for c in load("asym_jwt.json")["cases"]:
        for k in ("jwt", "authorization"):
            if c.get(k):
                seeds["jwt"].append(c[k].encode())
    for f in ("asym_jwt.json", "rfc9421.json"):
        for k in load(f).get("keys", {}).values():
            for field in ("private_pem", "public_pem", "jwk"):
                if isinstance(k.get(field), str):
                    seeds["keys"].append(k[field].encode())
    for c in load("hmac_header.json")["cases"]:
        if c.get("api_secret_b64"):
            seeds["keys"].append(c["api_secret_b64"].encode())
    # OpenSSH lines of asym_jwt.json's ed25519 and rsa2048 keys (as OpenSSH writes them), and a JWK set.
    seeds["keys"] += [
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8zE35ly55c3ZGEFKDW7M3yCQx421CF+7tpPhOeMY9b alice@laptop",
        b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCbcQrY3FuaEex7kczuKaKNEa2986dPdzV3pMt3Q/kIp9FwygViz6geoszYmOWS5kqkXn9"
        b"wsLj7e5Bqzs2G9N9aJsKNwnp0Zd542w9F4yj42Cba+WX7seMA0im5/bN65zVbeBLjFynGuJ+GtKI3k+5jdsS7sUyJcOrlzyMybYmDdjo9T9K"
        b"hq4nzDULluarr3vZ1V0e/CZpSRqmTw0JJXJwKLuDFVSRjmn8ysbZqMnv+Zq0wy0RcyUkMZQOifYw/KdiwhzCKB/WE+0G1BwaH+zs6GJGI+mf"
        b"NOj+NIAUJv51QHryMCrFBb/CmNySUJBa0wvx1+nzrEpWEz+l8DM7r4RVJ",
    ]
    jwks = [k["jwk"] for k in load("asym_jwt.json").get("keys", {}).values() if isinstance(k.get("jwk"), dict)]
    seeds["keys"].append(json.dumps({"keys": jwks}).encode())

    # The C ABI target: a selector byte (see src/c_abi.rs), then NUL-separated fields.
    seeds["c_abi"] += [b"\x00" + t for t in seeds["token"]] + [b"\x01" + u for u in seeds["ska"]]
    seeds["c_abi"] += [b"\x03" + j for j in seeds["jwt"]] + [b"\x04" + k for k in seeds["keys"]]
    for selector, target in ((6, "fost"), (7, "hmac_header"), (8, "message_signatures"), (10, "jwt")):
        for raw in seeds[target]:
            head, _, body = raw.partition(b"\n\n")
            lines = head.split(b"\n")
            first = lines[0].split(b" ", 1)
            fields = first + [p for line in lines[1:] for p in line.split(b": ", 1)][:7]
            fields += [b""] * (9 - len(fields))
            seeds["c_abi"].append(bytes([selector]) + b"\x00".join(fields[:9] + [body]))

    for name, items in seeds.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for data in items:
            with open(os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as fh:
                fh.write(data)
        print(f"{name}: {len(items)} seeds")


if __name__ == "__main__":
    main(*sys.argv[1:3])
