#!/usr/bin/env python3
"""Exit-cost benchmark: boots a testos guest with the `bench` knob on each
chosen host and prints its figures (cycles per round trip measured in the
guest with RDTSC, and the ratio of the full core path to the backend's
minimal exit path).  Prints figures; it is not a pass/fail test.

With --bus it boots the root with hb_stats=<samples> and a short
heartbeat_ms beside a testos guest running `bench additions`, and prints
the heartbeat round trip (root -> guest additions -> root over the VMBus
rings, p50/p99 in microseconds, measured by the root with the TSC) next to
the bare hypercall round trip the guest measured (cycles, and microseconds
at the TSC rate hv reports to the root).

Usage: scripts/bench [--host qemu|bochs-vmx|bochs-svm ...] [--build-dir DIR]
                     [--bus [--hb-ms MS] [--samples N] [--tsc-mhz MHZ]]
"""
import argparse
import pathlib
import re
import sys

import cases
import harness

BENCH_LINE = re.compile(r'hv: \[bench\] (bench: .*)')
HYPERCALL = re.compile(r'hv: \[bench\] bench: hypercall min (\d+) median (\d+) cycles')
TSC_MHZ = re.compile(r'hv: \[root\] root: hv pool .* TSC (\d+) MHz')
HB_RTT = re.compile(r'hv: \[root\] root: bus: bench: heartbeat round trip '
                    r'p50 (\d+) us p99 (\d+) us \(n=(\d+)\)')
HB_LATE = re.compile(r'hv: \[root\] root: bus bench: heartbeat answer \d+ unexpected')


def bench_case(host):
    config = cases.partitions(('bench', 'bench poweroff'))
    return cases.Case(f'bench-{host}', host, 2, config,
                      expect=(r'hv: \[bench\] bench: done',),
                      forbid=cases.FATAL + (r'boot: error', r'hv: partition bench faulted'))


def bus_case(host, hb_ms, samples):
    config = cases.managed(f'heartbeat_ms={hb_ms} hb_stats={samples}', ('bench', 'bench additions'))
    # Boot, the guest's bench, the bus handshake, then `samples` heartbeats.
    timeout = cases.TIMEOUTS[host] + samples * hb_ms / 1000 * 4
    return cases.Case(f'bench-bus-{host}', host, 2, config,
                      expect=({TSC_MHZ.pattern, r'hv: \[bench\] bench: done'}, HB_RTT.pattern),
                      forbid=cases.FATAL + (r'boot: error', r'hv: partition \w+ faulted', r'FAIL'),
                      timeout=timeout)


def serial_lines(runner, case):
    log = runner.build / 'test-runs' / case.name / 'serial.log'
    text = log.read_bytes().decode('utf-8', 'replace') if log.exists() else ''
    return text.replace('\r', '').splitlines()


def first(regex, lines):
    for line in lines:
        m = regex.search(line)
        if m:
            return m
    return None


def late_answers(lines):
    """Answers that came after the next request had gone out: the root counts
    those as missed beats, so they are not among the samples."""
    late = 0
    for line in lines:
        if HB_RTT.search(line):
            break
        late += bool(HB_LATE.search(line))
    return late


def print_bus(host, lines, tsc_mhz):
    """Both round trips side by side; False if a figure is missing.  The
    root converts with the TSC rate hv reports; with tsc_mhz (the rate known
    from outside) every microsecond figure is rescaled to it."""
    tsc, call, rtt = first(TSC_MHZ, lines), first(HYPERCALL, lines), first(HB_RTT, lines)
    if not (tsc and call and rtt):
        print(f'{host}: missing figures (TSC rate {bool(tsc)}, hypercall {bool(call)}, '
              f'heartbeat {bool(rtt)})')
        return False
    hv_mhz = int(tsc.group(1))
    mhz = tsc_mhz or hv_mhz
    scale = hv_mhz / mhz
    median = int(call.group(2))
    print(f'{host}: TSC {hv_mhz} MHz as hv reports it' +
          (f'; figures below at {mhz} MHz (--tsc-mhz)' if tsc_mhz else ''))
    print(f'{host}: heartbeat round trip  p50 {int(rtt.group(1)) * scale:>8.0f} us  '
          f'p99 {int(rtt.group(2)) * scale:>8.0f} us  (n={rtt.group(3)}, root -> guest -> root; '
          f'{late_answers(lines)} answers came after the next request and are not samples)')
    print(f'{host}: hypercall round trip  median {median} cycles = {median / mhz:.3f} us  '
          f'(min {call.group(1)} cycles; guest -> hv -> guest)')
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', action='append', choices=('qemu', 'bochs-vmx', 'bochs-svm'))
    ap.add_argument('--build-dir', default=str(pathlib.Path(__file__).parents[2] / 'build'))
    ap.add_argument('--bus', action='store_true',
                    help='heartbeat round trip beside the hypercall round trip')
    ap.add_argument('--hb-ms', type=int, default=20, help='heartbeat period with --bus')
    ap.add_argument('--samples', type=int, default=200, help='heartbeats per figure with --bus')
    ap.add_argument('--tsc-mhz', type=int, default=0,
                    help='with --bus: convert at this TSC rate instead of the one hv measured '
                         '(QEMU TCG gives guests the host\'s TSC; hv\'s calibration under TCG '
                         'drifts with host load)')
    args = ap.parse_args()
    runner = harness.Runner(args.build_dir, keep=True)
    failed = 0
    for host in args.host or ['qemu']:
        case = bus_case(host, args.hb_ms, args.samples) if args.bus else bench_case(host)
        result = runner.run(case)
        print(f'== {host}: {"ok" if result.ok else "FAILED: " + result.reason}')
        lines = serial_lines(runner, case)
        for line in lines:
            m = BENCH_LINE.search(line)
            if m:
                print(f'{host}: {m.group(1)}')
        if args.bus:
            failed += not print_bus(host, lines, args.tsc_mhz)
        failed += not result.ok
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
