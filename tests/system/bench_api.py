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
   after the load (goal: unchanged), and its NIC's drop counters.

QEMU runs with tests/bench/listen_backlog.c preloaded: libslirp listens for
hostfwd connections with a backlog of 1, and wrk's burst of 64 connects
would otherwise wait out the host kernel's SYN retries (seconds) before the
root ever sees them.  --plain-slirp leaves it out; the host's
ListenOverflows count during each wrk run shows the difference.

Prints figures; it is not a pass/fail test.
Usage: scripts/bench --api [--seconds N] [--vm NAME] [--connections 16,64]
                          [--plain-slirp] [--build-dir DIR]
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


MILESTONES = (('EFI app', re.compile(r'boot: hvboot')),
              ('hv', re.compile(r'hv: hypervisor .* starting')),
              ('root', re.compile(r'\[root\] root: ')),
              ('http listening', re.compile(r'root: http: listening')),
              ('address', re.compile(r'root: net: up ')))
POLL_TIMEOUT = 0.25


def boot_times(emu_start, follower, port, token):
    """{milestone: seconds from emu_start} for the serial lines of
    MILESTONES (as seen by polling the log every 20 ms) and for 'API ready',
    the first 200 from GET /api/v1/vms.  Each poll gives up after
    POLL_TIMEOUT: QEMU's slirp accepts the host connection at once and holds
    it while the guest has no address yet, so a long timeout would add up
    to its length to the figure.  Raises on timeout."""
    seen = {}

    def api_ready():
        now = time.monotonic() - emu_start
        for line in follower.lines():
            for name, pattern in MILESTONES:
                if name not in seen and pattern.search(line):
                    seen[name] = now
        if 'EFI app' not in seen:
            return False
        return request(port, token, '/api/v1/vms', timeout=POLL_TIMEOUT)[0] == 200

    if not wait_for(api_ready, emu_start + READY_TIMEOUT, pause=0.02):
        raise RuntimeError(f'API not ready within {READY_TIMEOUT}s (seen {seen})')
    seen['API ready'] = time.monotonic() - emu_start
    return seen


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


def listen_overflows():
    """The host kernel's count of handshakes dropped at a full accept queue
    (TcpExt ListenOverflows), or None where /proc does not tell."""
    try:
        lines = pathlib.Path('/proc/net/netstat').read_text().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith('TcpExt:'):
            table = dict(zip(names.split()[1:], values.split()[1:]))
            return int(table['ListenOverflows']) if 'ListenOverflows' in table else None
    return None


def wrk(port, token, vm, conns, seconds):
    argv = ['wrk', '-t2', f'-c{conns}', f'-d{seconds}s', '--latency', '--timeout', '5s',
            '-H', f'Authorization: Bearer {token}',
            f'http://127.0.0.1:{port}/api/v1/vms/{vm}/guestos']
    overflows = listen_overflows()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    if overflows is not None:
        overflows = listen_overflows() - overflows
    pct = {p: float(v) * UNIT_MS[u] for p, v, u in WRK_PCT.findall(out)}
    rps = WRK_RPS.search(out)
    non2xx = WRK_NON2XX.search(out)
    sockerr = WRK_SOCKERR.search(out)
    return (f'{conns:3d} connections, {seconds}s: '
            f'{float(rps.group(1)) if rps else 0:.0f} requests/s, '
            f'p50 {pct.get("50", float("nan")):.1f} ms, p99 {pct.get("99", float("nan")):.1f} ms, '
            f'non-2xx {non2xx.group(1) if non2xx else 0}, '
            f'socket errors {sockerr.group(1) if sockerr else "none"}, '
            f'host accept-queue overflows {overflows if overflows is not None else "unknown"}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seconds', type=int, default=30)
    ap.add_argument('--vm', default='testos1')
    ap.add_argument('--connections', default='16,64',
                    help='wrk runs, comma-separated connection counts (over 80: 503s)')
    ap.add_argument('--nic', choices=tuple(hosts.NICS), default='e1000',
                    help="the root's NIC (hosts.NICS); hv.cfg's `pci` is moved to match")
    ap.add_argument('--plain-slirp', action='store_true',
                    help="leave QEMU's hostfwd listen backlog at 1 (no listen_backlog.so)")
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
    cfg = work / 'esp' / 'hv' / 'hv.cfg'
    cfg.write_text(hosts.config_for_nic(cfg.read_text(), args.nic))
    port = harness.free_port()
    launch = hosts.prepare(hosts.Machine('qemu', 3, 1024, work / 'esp', port, nic=args.nic),
                           work)
    if not args.plain_slirp:
        shim = build_dir / 'tests' / 'bench' / 'liblisten_backlog.so'
        if not shim.is_file():
            print(f'bench: {shim} is missing (meson compile -C {build_dir}), '
                  'or use --plain-slirp', file=sys.stderr)
            return 2
        launch.env['LD_PRELOAD'] = str(shim)
    start = time.monotonic()
    emu = emulator.Emulator(launch, work)
    try:
        seen = boot_times(start, logwatch.Follower(launch.serial_log), port, token)
        efi, api = seen['EFI app'], seen['API ready']
        print(f'boot: EFI app after {efi:.2f} s, API ready after {api:.2f} s '
              f'(x{api / efi:.2f}; goal <= 2)', flush=True)
        print('boot: ' + ', '.join(f'{name} {t:.2f} s' for name, t in
                                   sorted(seen.items(), key=lambda item: item[1])), flush=True)
        if not wait_for(lambda: guest_reported(port, token, args.vm), time.monotonic() + 120, 1):
            print(f'bench: {args.vm} never reported its OS through the API', file=sys.stderr)
            return 1
        before = heap_used(port, token)
        for conns in (int(c) for c in args.connections.split(',')):
            print('wrk: ' + wrk(port, token, args.vm, conns, args.seconds), flush=True)
        time.sleep(2)
        after = heap_used(port, token)
        print(f'heap: {before} bytes before, {after} bytes after the load', flush=True)
        for line in metrics(port, token).splitlines():
            if line.startswith(('hv_root_net_dropped_total', 'hv_http_requests_total',
                                'hv_http_refused_total')):
                print(f'metrics: {line}')
    finally:
        emu.stop()
    print(f'serial log: {launch.serial_log}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
