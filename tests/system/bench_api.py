#!/usr/bin/env python3
"""Management API benchmark on QEMU TCG.  Boots the default configuration
(build/esp/hv/hv.cfg: the root with the API, two testos guests) and prints:

1. boot to API ready: seconds from starting QEMU until GET /api/v1/vms
   answers 200, beside the seconds until our EFI application printed its
   first line (`boot: hvboot`, the bare OVMF-to-EFI-app time) in the same
   run, and their ratio (goal <= 2);
2. wrk on GET /api/v1/vms/{vm}/guestos with 16 and 64 connections for
   --seconds each: requests/s, p50/p99 latency, errors (goal: none, or
   documented 503s; p99 < 50 ms);
3. the root's heap use (GET /metrics, hv_root_heap_used_bytes) before and
   after the load (goal: unchanged).

Prints figures; it is not a pass/fail test.
Usage: scripts/bench --api [--seconds N] [--vm NAME] [--build-dir DIR]
"""
import argparse
import http.client
import json
import pathlib
import re
import shutil
import subprocess
import sys
import time

import emulator
import harness
import hosts
import logwatch
import run

EFI_START = re.compile(r'boot: hvboot')
READY_TIMEOUT = 300


def request(port, token, path, timeout=5):
    """(status, body bytes) of one GET, or (None, error text)."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request('GET', path, headers={'Authorization': f'Bearer {token}'})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except (OSError, http.client.HTTPException) as e:
        return None, str(e)
    finally:
        conn.close()


def wait_for(predicate, deadline, pause=0.1):
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(pause)
    return False


def metrics(port, token):
    status, body = request(port, token, '/metrics')
    return body.decode('utf-8', 'replace') if status == 200 else ''


def heap_used(port, token):
    m = re.search(r'^hv_root_heap_used_bytes(?:\{[^}]*\})? (\d+)', metrics(port, token), re.M)
    return int(m.group(1)) if m else None


def boot_times(emu_start, follower, port, token):
    """(efi seconds, api seconds) from emu_start, or raises on timeout."""
    efi = None

    def api_ready():
        nonlocal efi
        for line in follower.lines():
            if efi is None and EFI_START.search(line):
                efi = time.monotonic() - emu_start
        return efi is not None and request(port, token, '/api/v1/vms', timeout=2)[0] == 200

    if not wait_for(api_ready, emu_start + READY_TIMEOUT):
        raise RuntimeError(f'API not ready within {READY_TIMEOUT}s (EFI app at {efi})')
    return efi, time.monotonic() - emu_start


def guest_reported(port, token, vm):
    status, body = request(port, token, f'/api/v1/vms/{vm}/guestos')
    if status != 200:
        return False
    return json.loads(body).get('OSName') is not None


WRK_RPS = re.compile(r'Requests/sec:\s+([\d.]+)')
WRK_PCT = re.compile(r'^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$', re.M)
WRK_NON2XX = re.compile(r'Non-2xx or 3xx responses:\s+(\d+)')
WRK_SOCKERR = re.compile(r'Socket errors: (.*)')
UNIT_MS = {'us': 0.001, 'ms': 1.0, 's': 1000.0}


def wrk(port, token, vm, conns, seconds):
    argv = ['wrk', '-t2', f'-c{conns}', f'-d{seconds}s', '--latency', '--timeout', '5s',
            '-H', f'Authorization: Bearer {token}',
            f'http://127.0.0.1:{port}/api/v1/vms/{vm}/guestos']
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    pct = {p: float(v) * UNIT_MS[u] for p, v, u in WRK_PCT.findall(out)}
    rps = WRK_RPS.search(out)
    non2xx = WRK_NON2XX.search(out)
    sockerr = WRK_SOCKERR.search(out)
    return (f'{conns:3d} connections, {seconds}s: '
            f'{float(rps.group(1)) if rps else 0:.0f} requests/s, '
            f'p50 {pct.get("50", float("nan")):.1f} ms, p99 {pct.get("99", float("nan")):.1f} ms, '
            f'non-2xx {non2xx.group(1) if non2xx else 0}, '
            f'socket errors {sockerr.group(1) if sockerr else "none"}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seconds', type=int, default=30)
    ap.add_argument('--vm', default='testos1')
    ap.add_argument('--build-dir', type=pathlib.Path,
                    default=pathlib.Path(__file__).parents[2] / 'build')
    args = ap.parse_args()
    if not shutil.which('wrk'):
        print('bench: wrk is missing (scripts/setup installs it)', file=sys.stderr)
        return 2
    build_dir = args.build_dir.resolve()
    work = build_dir / 'test-runs' / 'bench-api'
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(build_dir / 'esp', work / 'esp')
    token = run.development_token(work / 'esp' / 'hv' / 'hv.cfg')
    if not token:
        print('bench: the default hv.cfg publishes no development token', file=sys.stderr)
        return 2
    port = harness.free_port()
    launch = hosts.prepare(hosts.Machine('qemu', 3, 1024, work / 'esp', port), work)
    start = time.monotonic()
    emu = emulator.Emulator(launch, work)
    try:
        efi, api = boot_times(start, logwatch.Follower(launch.serial_log), port, token)
        print(f'boot: EFI app after {efi:.2f} s, API ready after {api:.2f} s '
              f'(x{api / efi:.2f}; goal <= 2)', flush=True)
        if not wait_for(lambda: guest_reported(port, token, args.vm), time.monotonic() + 120, 1):
            print(f'bench: {args.vm} never reported its OS through the API', file=sys.stderr)
            return 1
        before = heap_used(port, token)
        for conns in (16, 64):
            print('wrk: ' + wrk(port, token, args.vm, conns, args.seconds), flush=True)
        time.sleep(2)
        after = heap_used(port, token)
        print(f'heap: {before} bytes before, {after} bytes after the load', flush=True)
        for line in metrics(port, token).splitlines():
            if line.startswith(('hv_root_net_dropped_total', 'hv_http_requests_total')):
                print(f'metrics: {line}')
    finally:
        emu.stop()
    print(f'serial log: {launch.serial_log}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
