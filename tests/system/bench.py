#!/usr/bin/env python3
"""Exit-cost benchmark: boots a testos guest with the `bench` knob on each
chosen host and prints its figures (cycles per round trip measured in the
guest with RDTSC, and the ratio of the full core path to the backend's
minimal exit path).  Prints figures; it is not a pass/fail test.

Usage: scripts/bench [--host qemu|bochs-vmx|bochs-svm ...] [--build-dir DIR]
"""
import argparse
import pathlib
import re
import sys

import cases
import harness

BENCH_LINE = re.compile(r'hv: \[bench\] (bench: .*)')


def bench_case(host):
    config = cases.partitions(('bench', 'bench poweroff'))
    return cases.Case(f'bench-{host}', host, 2, config,
                      expect=(r'hv: \[bench\] bench: done',),
                      forbid=cases.FATAL + (r'boot: error', r'hv: partition bench faulted'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', action='append', choices=('qemu', 'bochs-vmx', 'bochs-svm'))
    ap.add_argument('--build-dir', default=str(pathlib.Path(__file__).parents[2] / 'build'))
    args = ap.parse_args()
    runner = harness.Runner(args.build_dir, keep=True)
    failed = 0
    for host in args.host or ['qemu']:
        case = bench_case(host)
        result = runner.run(case)
        print(f'== {host}: {"ok" if result.ok else "FAILED: " + result.reason}')
        log = runner.build / 'test-runs' / case.name / 'serial.log'
        text = log.read_bytes().decode('utf-8', 'replace') if log.exists() else ''
        for line in text.replace('\r', '').splitlines():
            m = BENCH_LINE.search(line)
            if m:
                print(f'{host}: {m.group(1)}')
        failed += not result.ok
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
