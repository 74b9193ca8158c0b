#!/usr/bin/env python3
"""Management API benchmark on QEMU TCG.  Boots the default configuration
(build/esp/hv/hv.cfg: the root with the API, two testos guests), its
[management] serving both HTTPS (scripts/run's development certificate)
and plain HTTP on port 80 with tokens allowed, and prints:

1. boot to API ready: seconds from starting QEMU until GET /api/v1/vms
   answers 200, beside the seconds until our EFI application printed its
   first line (`boot: hvboot`, the bare OVMF-to-EFI-app time) in the same
   run, and their ratio (goal <= 2);
2. wrk on GET /api/v1/vms/{vm}/guestos with 16 and 64 connections for
   --seconds each: requests/s, p50/p99 latency, errors (goal: none, or
   documented 503s; p99 < 50 ms);
3. the root's heap use (GET /metrics, hv_root_heap_used_bytes) before and
   after the load (goal: unchanged), and its NIC's drop counters.

With --tls (bench_tls.py), in the same run: boot to HTTPS ready; full and
resumed TLS handshakes per second, and what a full one costs the root;
wrk over HTTPS beside plain HTTP at each connection count (goal: >= 0.8x
the plain requests/s, p99 < 50 ms, no errors); the TLS arena with one
connection and with all 80 open over TLS.

QEMU runs with tests/bench/listen_backlog.c preloaded: libslirp listens for
hostfwd connections with a backlog of 1, and wrk's burst of 64 connects
would otherwise wait out the host kernel's SYN retries (seconds) before the
root ever sees them.  --plain-slirp leaves it out; the host's
ListenOverflows count during each wrk run shows the difference.

Prints figures; it is not a pass/fail test.
Usage: scripts/bench --api [--tls] [--seconds N] [--vm NAME] [--connections 16,64]
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

import bench_tls
import emulator
import harness
import hosts
import logwatch
import run
import tlscerts

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


def boot_times(emu_start, follower, probes):
    """{milestone: seconds from emu_start} for the serial lines of
    MILESTONES (as seen by polling the log every 20 ms) and for each probe
    (name: a function true once it got its first 200, e.g. 'API ready': GET
    /api/v1/vms).  Each poll gives up after POLL_TIMEOUT: QEMU's slirp
    accepts the host connection at once and holds it while the guest has no
    address yet, so a long timeout would add up to its length to the
    figure.  Raises on timeout."""
    seen = {}

    def all_ready():
        now = time.monotonic() - emu_start
        for line in follower.lines():
            for name, pattern in MILESTONES:
                if name not in seen and pattern.search(line):
                    seen[name] = now
        if 'EFI app' not in seen:
            return False
        for name, probe in probes.items():
            if name not in seen and probe():
                seen[name] = time.monotonic() - emu_start
        return all(name in seen for name in probes)

    if not wait_for(all_ready, emu_start + READY_TIMEOUT, pause=0.02):
        raise RuntimeError(f'API not ready within {READY_TIMEOUT}s (seen {seen})')
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


def wrk(base, token, vm, conns, seconds):
    """One wrk run against base (http://127.0.0.1:P or https://...): the
    summary line, and requests/s."""
    argv = ['wrk', '-t2', f'-c{conns}', f'-d{seconds}s', '--latency', '--timeout', '5s',
            '-H', f'Authorization: Bearer {token}', f'{base}/api/v1/vms/{vm}/guestos']
    overflows = listen_overflows()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    if overflows is not None:
        overflows = listen_overflows() - overflows
    pct = {p: float(v) * UNIT_MS[u] for p, v, u in WRK_PCT.findall(out)}
    rps = WRK_RPS.search(out)
    non2xx = WRK_NON2XX.search(out)
    sockerr = WRK_SOCKERR.search(out)
    return (f'{base.split(":")[0]:5} {conns:3d} connections, {seconds}s: '
            f'{float(rps.group(1)) if rps else 0:.0f} requests/s, '
            f'p50 {pct.get("50", float("nan")):.1f} ms, p99 {pct.get("99", float("nan")):.1f} ms, '
            f'non-2xx {non2xx.group(1) if non2xx else 0}, '
            f'socket errors {sockerr.group(1) if sockerr else "none"}, '
            f'host accept-queue overflows {overflows if overflows is not None else "unknown"}'),\
        float(rps.group(1)) if rps else 0.0


def bench_config(cfg, nic):
    """The default hv.cfg, its [management] serving plain HTTP on port 80
    (tokens allowed) beside HTTPS, on nic."""
    text = hosts.config_for_nic(cfg.read_text(), nic)
    text = re.sub(r'^(tls_key = .*)$', r'\1\nhttp_port = 80\ninsecure_http = yes', text,
                  count=1, flags=re.M)
    cfg.write_text(text)


def tls_figures(tls_port, cafile, token):
    """Handshakes per second (full, resumed), what a full one costs the
    root, and its TLS arena with one and with 80 connections open."""
    ctx = bench_tls.context(cafile)

    def scrape(conn=None):
        text = bench_tls.get_on(conn, token, '/metrics') if conn else \
            bench_tls.https_get(tls_port, ctx, token, '/metrics')[1].decode()
        return bench_tls.metrics(text)

    m0 = scrape()
    full, _ = bench_tls.handshake_rate(tls_port, ctx, 40, resume=False)
    m1 = scrape()
    resumed, reused = bench_tls.handshake_rate(tls_port, ctx, 40, resume=True)
    m2 = scrape()
    done = 'hv_tls_handshakes_total{result="completed"}'
    cost = (m1['hv_tls_handshake_seconds_total'] - m0['hv_tls_handshake_seconds_total']) / \
        max(1, m1[done] - m0[done] - 1)
    rcost = (m2['hv_tls_handshake_seconds_total'] - m1['hv_tls_handshake_seconds_total']) / \
        max(1, m2[done] - m1[done] - 1)
    waits = m2['hv_tls_handshake_waits_total'] - m0['hv_tls_handshake_waits_total']
    print(f'tls: full handshakes {full:.1f}/s, {cost * 1000:.0f} ms of the root\'s time each; '
          f'resumed {resumed:.1f}/s ({reused} of 40 resumed), {rcost * 1000:.1f} ms each; '
          f'{waits:.0f} waits for the budget', flush=True)
    # Scraped over a TLS connection of its own: the figures count it.
    m = scrape()
    one, n1 = m['hv_root_tls_heap_bytes{kind="used"}'], m['hv_tls_connections']
    # All 80 at once, each with a request at once so that it is not cut
    # for want of one (5 s) while the others open.
    conns = bench_tls.open_many(tls_port, ctx, 80, token)
    m = scrape(conns[-1])
    full_heap, peak, size = (m['hv_root_tls_heap_bytes{kind="' + k + '"}']
                             for k in ('used', 'peak', 'size'))
    n80 = m['hv_tls_connections']
    each = (full_heap - one) / max(1, n80 - n1)
    print(f'tls: arena {one - each * n1:.0f} bytes without a connection, {each:.0f} per '
          f'connection, {full_heap:.0f} with {n80:.0f} open, peak {peak:.0f} of {size:.0f}',
          flush=True)
    for c in conns:
        c.close()


def steady_figures(port, tls_port, cafile, token, args):
    """The same load once the connections are open (keep-alive, Python
    clients): what TLS costs per request, without the handshakes that
    wrk's start pays for."""
    import socket
    ctx = bench_tls.context(cafile)
    first = bench_tls.handshake(tls_port, ctx)
    path = f'/api/v1/vms/{args.vm}/guestos'
    openers = (('http', lambda: socket.create_connection(('127.0.0.1', port), timeout=30)),
               ('https', lambda: bench_tls.handshake(tls_port, ctx, first.session)))
    for conns in (int(c) for c in args.connections.split(',')):
        rates = {}
        for name, opener in openers:
            rate, p50, p99 = bench_tls.steady(opener, token, path, min(conns, 79), args.seconds)
            rates[name] = rate
            print(f'steady: {name:5} {min(conns, 79):3d} connections open, {args.seconds}s: '
                  f'{rate:.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms' +
                  (f' (x{rate / rates["http"]:.2f} plain)' if name == 'https' else ''),
                  flush=True)
    first.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tls', action='store_true',
                    help='HTTPS too: handshakes, wrk over HTTPS beside plain, the TLS arena')
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
    dev_tls = tlscerts.development(build_dir)
    tlscerts.install(dev_tls, work / 'esp', 'tls-cert.pem', 'tls-key.pem')
    token = run.development_token(work / 'esp' / 'hv' / 'hv.cfg')
    if not token:
        print('bench: the default hv.cfg publishes no development token', file=sys.stderr)
        return 2
    bench_config(work / 'esp' / 'hv' / 'hv.cfg', args.nic)
    port, tls_port = harness.free_port(), harness.free_port()
    launch = hosts.prepare(hosts.Machine('qemu', 3, 1024, work / 'esp', port, nic=args.nic,
                                         tls_port=tls_port), work)
    if not args.plain_slirp:
        shim = build_dir / 'tests' / 'bench' / 'liblisten_backlog.so'
        if not shim.is_file():
            print(f'bench: {shim} is missing (meson compile -C {build_dir}), '
                  'or use --plain-slirp', file=sys.stderr)
            return 2
        launch.env['LD_PRELOAD'] = str(shim)
    probes = {'API ready': lambda: request(port, token, '/api/v1/vms',
                                           timeout=POLL_TIMEOUT)[0] == 200}
    if args.tls:
        ctx = bench_tls.context(dev_tls / 'tls-cert.pem')
        probes['HTTPS ready'] = lambda: bench_tls.https_get(
            tls_port, ctx, token, '/api/v1/vms', timeout=POLL_TIMEOUT + 2)[0] == 200
    start = time.monotonic()
    emu = emulator.Emulator(launch, work)
    try:
        seen = boot_times(start, logwatch.Follower(launch.serial_log), probes)
        efi, api = seen['EFI app'], seen['API ready']
        print(f'boot: EFI app after {efi:.2f} s, API ready after {api:.2f} s '
              f'(x{api / efi:.2f}; goal <= 2)' +
              (f', HTTPS ready after {seen["HTTPS ready"]:.2f} s' if args.tls else ''),
              flush=True)
        print('boot: ' + ', '.join(f'{name} {t:.2f} s' for name, t in
                                   sorted(seen.items(), key=lambda item: item[1])), flush=True)
        if not wait_for(lambda: guest_reported(port, token, args.vm), time.monotonic() + 120, 1):
            print(f'bench: {args.vm} never reported its OS through the API', file=sys.stderr)
            return 1
        if args.tls:
            tls_figures(tls_port, dev_tls / 'tls-cert.pem', token)
        before = heap_used(port, token)
        for conns in (int(c) for c in args.connections.split(',')):
            line, plain = wrk(f'http://127.0.0.1:{port}', token, args.vm, conns, args.seconds)
            print('wrk: ' + line, flush=True)
            if args.tls:
                line, tls = wrk(f'https://127.0.0.1:{tls_port}', token, args.vm, conns,
                                args.seconds)
                print(f'wrk: {line} (x{tls / plain if plain else 0:.2f} plain; goal >= 0.8)',
                      flush=True)
        if args.tls:
            steady_figures(port, tls_port, dev_tls / 'tls-cert.pem', token, args)
        time.sleep(2)
        after = heap_used(port, token)
        print(f'heap: {before} bytes before, {after} bytes after the load', flush=True)
        for line in metrics(port, token).splitlines():
            if line.startswith(('hv_root_net_dropped_total', 'hv_http_requests_total',
                                'hv_http_refused_total', 'hv_tls_', 'hv_root_tls')):
                print(f'metrics: {line}')
    finally:
        emu.stop()
    print(f'serial log: {launch.serial_log}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
