#!/usr/bin/env python3
"""Exits 0 when the given clang can build a libFuzzer program (used by meson)."""
import os
import subprocess
import sys
import tempfile

SOURCE = b"#include <stddef.h>\n#include <stdint.h>\n" \
         b"int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n"

with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "probe.c")
    with open(src, "wb") as f:
        f.write(SOURCE)
    result = subprocess.run([sys.argv[1], "-fsanitize=fuzzer,address", src,
                             "-o", os.path.join(tmp, "probe")], capture_output=True)
    sys.exit(result.returncode)
