# The smoke check of stage 2a8: what LLVM's build scripts lean on.
import hashlib
import json
import os
import subprocess
import sys

assert hashlib.sha256(b"zilchboot").hexdigest() == (
    "a9c8c143d67f8f9b0fb3d3697943509d7c8c30aa9f48ffdf60a52d0ea4c3efcb")
assert hashlib.md5(b"").hexdigest() == "d41d8cd98f00b204e9800998ecf8427e"
assert hashlib.sha1(b"abc").hexdigest() == "a9993e364706816aba3e25717850c26c9cd0d89d"
assert hashlib.blake2b(b"", digest_size=4).hexdigest() == "1271cf25"
assert hashlib.sha3_256(b"").hexdigest().startswith("a7ffc6f8bf1ed766")

doc = {"name": "2a8-python", "list": [1, 2.5, None, True], "nested": {"ü": "\u00fc"}}
text = json.dumps(doc, sort_keys=True)
assert json.loads(text) == doc

child = subprocess.run([sys.executable, "-c", "import sys; print(sys.version_info[:2])"],
                       capture_output=True, text=True, check=True)
assert child.stdout.strip() == "(3, 11)", child.stdout
echo = subprocess.run(["echo", "from", "busybox"], stdout=subprocess.PIPE, check=True)
assert echo.stdout == b"from busybox\n", echo.stdout
failed = subprocess.run([sys.executable, "-c", "raise SystemExit(7)"])
assert failed.returncode == 7

print("smoke ok:", sys.version.split()[0], os.uname().sysname, hashlib.sha256(text.encode()).hexdigest()[:16])
