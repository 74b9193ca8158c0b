#!/usr/bin/env python3
"""Runs one libFuzzer target for a bounded time as a meson test.

The seed corpus in the source tree is read-only input; new inputs go to a
corpus directory under the build tree, crashes to build/fuzz-artifacts/.
Usage: run_fuzz.py BINARY SEED_DIR WORK_DIR SECONDS
"""
import os
import subprocess
import sys


def main():
    binary, seeds, work, seconds = sys.argv[1:5]
    corpus = os.path.join(work, "corpus")
    artifacts = os.path.join(work, "artifacts") + os.sep
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    # libFuzzer reports a crash with exit status 77 by default, which meson
    # reads as "skipped": make it a failure.
    cmd = [binary, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=1024",
           "-error_exitcode=1",
           f"-artifact_prefix={artifacts}", "-print_final_stats=1", corpus, seeds]
    print(" ".join(cmd), flush=True)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
