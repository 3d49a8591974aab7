"""Lays a module tree out as a GOPROXY directory (the protocol of `go help goproxy`): MODULE/@v/list, VERSION.info,
VERSION.mod and VERSION.zip (every file of the tree under MODULE@VERSION/), so that `GOPROXY=file://DIR go get
MODULE@VERSION` fetches it as it would a published release.

Usage: go-module-proxy.py TREE MODULE VERSION PROXY_DIR
"""

import json
import os
import shutil
import sys
import zipfile


def main() -> None:
    tree, module, version, proxy = sys.argv[1:]
    if module != module.lower():
        sys.exit("module paths with capitals need the proxy's !-escaping, which this helper does not do")
    at_v = os.path.join(proxy, module, "@v")
    os.makedirs(at_v, exist_ok=True)
    with open(os.path.join(at_v, "list"), "w") as f:
        f.write(version + "\n")
    with open(os.path.join(at_v, version + ".info"), "w") as f:
        json.dump({"Version": version, "Time": "2026-01-01T00:00:00Z"}, f)
    shutil.copyfile(os.path.join(tree, "go.mod"), os.path.join(at_v, version + ".mod"))
    with zipfile.ZipFile(os.path.join(at_v, version + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for root, dirs, files in os.walk(tree):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                if os.path.islink(path):
                    sys.exit(f"{path} is a link: a module zip cannot hold it")
                z.write(path, f"{module}@{version}/{os.path.relpath(path, tree)}")


if __name__ == "__main__":
    main()
