# tls_clients.py: host-side clients of the HTTPS system tests (cases.py;
# docs/http.md, "TLS").  They are marked wants_tls: the harness calls them
# as client(port, log, tls=tlscerts.Endpoint), port being the host port of
# the root's plain HTTP (80) and tls.port that of its HTTPS (443), with the
# test certificate set in tls.certs.  Real clients only: curl, ivmctl,
# Python's ssl, testssl.sh.  Each returns None or an error string and
# bounds its waits itself.
import json
import os
import pathlib
import re
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import bench_tls
import tlscerts

CURL_TIMEOUT = 30
# A handshake not done this long after the accept is cut (mgmt/http/http_tcp.c).
HANDSHAKE_MS = 10000
# testssl.sh: what matters (protocols, cipher categories, forward secrecy,
# the server's cipher order, vulnerabilities), nothing that phones out.
TESTSSL_ARGS = ('--quiet', '--color', '0', '--warnings', 'off', '--sneaky', '-p', '-s', '-f', '-P',
                '-U')
TESTSSL_TIMEOUT = 1200
REFUSED_SEVERITIES = ('MEDIUM', 'HIGH', 'CRITICAL')


def curl(tls, log, method, path, token=None, body=None, extra=(), url=None, errors=None):
    """(exit status, HTTP status or 0, body text) of one curl request; its
    complaint on stderr goes to errors (a list) if given."""
    argv = ['curl', '-sS', '--max-time', str(CURL_TIMEOUT), '-X', method,
            '-w', '\n%{http_code}', *extra]
    if token:
        argv += ['-H', f'Authorization: Bearer {token}']
    if body is not None:
        argv += ['-H', 'Content-Type: application/json', '--data-binary', body]
    p = subprocess.run(argv + [url or tls.url(path)], capture_output=True, text=True,
                       timeout=CURL_TIMEOUT + 10)
    text, _, code = p.stdout.rpartition('\n')
    if errors is not None:
        errors.append(p.stderr)
    log(f'curl {method} {url or path}: exit {p.returncode}, HTTP {code} {text[:100]!r} '
        f'{p.stderr.strip()[:160]}')
    return p.returncode, int(code) if code.isdigit() else 0, text


def wait_https(tls, log, token, extra, within=120):
    """Retries GET /api/v1/vms until it answers 200 (the root is coming up)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        rc, status, _ = curl(tls, log, 'GET', '/api/v1/vms', token, extra=extra)
        if status == 200:
            return None
        time.sleep(2)
    return f'HTTPS gave no 200 for GET /api/v1/vms within {within}s'


class HalfOpen(threading.Thread):
    """A client that connects to HTTPS and never sends its ClientHello: the
    root must cut it once the handshake deadline passes (and not before)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.result = None

    def run(self):
        start = time.monotonic()
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=60) as s:
                s.settimeout(60)
                data = s.recv(1)
            closed = time.monotonic() - start
            self.result = (closed, data)
        except OSError as e:  # a reset is a cut too
            self.result = (time.monotonic() - start, e)

    def verdict(self):
        self.join(70)
        if self.result is None:
            return 'the half-open connection was never cut'
        seconds, what = self.result
        if isinstance(what, bytes) and what:
            return f'the half-open connection got bytes: {what!r}'
        if not HANDSHAKE_MS / 1000 - 1 <= seconds <= HANDSHAKE_MS / 1000 + 10:
            return f'the half-open connection was cut after {seconds:.1f}s'
        return None


def route_groups(tls, log, token, extra):
    """One request of each route table (docs/api.md, docs/redfish.md) over HTTPS."""
    checks = (
        ('GET', '/api/v1/vms', None, 200, '"vms"'),
        ('GET', '/api/v1/vms/testos1', None, 200, '"name":"testos1"'),
        ('GET', '/api/v1/vms/testos1/guestos', None, 200, 'OSName'),
        ('PUT', '/api/v1/vms/testos1/guestos/parameters/tlsparam', '{"value":"over https"}',
         200, 'over https'),
        ('POST', '/api/v1/vms/testos1/guestos/execute', '{"command":"echo tls"}', 202,
         '"ID"'),
        ('GET', '/api/v1/tasks', None, 200, '"ID"'),
        ('GET', '/api/v1/events?since=0&wait=0', None, 200, '"events"'),
        ('GET', '/metrics', None, 200, 'hv_tls_handshakes_total{result="completed"}'),
        ('GET', '/redfish/v1/Systems/testos1', None, 200, '"PowerState":"On"'),
        ('GET', '/redfish/v1/Managers/hv/NetworkProtocol', None, 200,
         '"HTTPS":{"ProtocolEnabled":true,"Port":443}'),
    )
    for method, path, body, want, text in checks:
        rc, status, out = curl(tls, log, method, path, token, body, extra)
        if status != want or text not in out:
            return f'{method} {path} over HTTPS: exit {rc}, HTTP {status}, {out[:120]!r}'
    return None


def plain_refusal(port, tls, log, token):
    """A token over plain HTTP is refused before the API sees it; without a
    token the request reaches the API (401)."""
    url = f'http://127.0.0.1:{port}/api/v1/vms'
    _, status, out = curl(tls, log, 'GET', '', token, url=url)
    if status != 403 or 'credentials over plain HTTP are refused' not in out:
        return f'a token over plain HTTP got {status} {out[:120]!r}, not 403'
    _, status, out = curl(tls, log, 'GET', '', None, url=url)
    if status != 401:
        return f'plain HTTP without a token got {status}, not 401'
    return None


# A handshake flood: FLOOD_THREADS clients doing full handshakes (no
# session) back to back for FLOOD_S seconds.  The root may spend at most
# half its time on handshakes beyond a 1 s burst (mgmt/tls/tls_budget.c);
# the debt of handshakes admitted together is carried, so over the flood
# and the refill after it the share stays near 0.5 + (1 s + a few
# handshakes) / FLOOD_S.  Without the budget a flood takes nearly all of it.
FLOOD_THREADS = 8
FLOOD_S = 20
FLOOD_MAX_SHARE = 0.65
PROBE_TIMEOUT = 10


def tls_metrics(tls, log, token):
    """The root's counters (over HTTPS, waiting for the budget like any client)."""
    _, status, out = curl(tls, log, 'GET', '/metrics', token, extra=('--cacert', tls.file('ca.pem')))
    return bench_tls.metrics(out) if status == 200 else None


def flood_handshakes(tls, stop, counts):
    """One flooding client: full handshakes until stop is set."""
    ctx = bench_tls.context(tls.file('ca.pem'))
    while not stop.is_set():
        try:
            with bench_tls.handshake(tls.port, ctx):
                counts['done'] += 1
        except (OSError, ssl.SSLError):
            counts['cut'] += 1


def plain_probe(port):
    """Seconds the root took to answer a plain request without a token (401), or None."""
    start = time.monotonic()
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=PROBE_TIMEOUT) as s:
            s.settimeout(PROBE_TIMEOUT)
            s.sendall(b'GET /api/v1/vms HTTP/1.1\r\nHost: hv\r\nConnection: close\r\n\r\n')
            head = s.recv(64)
    except OSError:
        return None
    return time.monotonic() - start if head.startswith(b'HTTP/1.1 401') else None


def handshake_flood(port, tls, log, token):
    """The handshake budget under a flood: the root's own handshake clock
    (hv_tls_handshake_seconds_total) stays within FLOOD_MAX_SHARE of the
    time, ClientHellos waited, and plain HTTP kept answering."""
    before, start = tls_metrics(tls, log, token), time.monotonic()
    stop, counts = threading.Event(), {'done': 0, 'cut': 0}
    threads = [threading.Thread(target=flood_handshakes, args=(tls, stop, counts), daemon=True)
               for _ in range(FLOOD_THREADS)]
    for t in threads:
        t.start()
    probes = []
    while time.monotonic() - start < FLOOD_S:
        probes.append(plain_probe(port))
        time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(30)
    after = tls_metrics(tls, log, token)
    elapsed = time.monotonic() - start
    if before is None or after is None:
        return 'the flood check could not read /metrics over HTTPS'
    key = 'hv_tls_handshake_seconds_total'
    share = (after[key] - before[key]) / elapsed
    waits = after['hv_tls_handshake_waits_total'] - before['hv_tls_handshake_waits_total']
    answered = [p for p in probes if p is not None]
    log(f'flood: {counts["done"]} handshakes, {counts["cut"]} cut, in {elapsed:.1f}s; the root '
        f'spent {share:.0%} of it in handshakes, {waits:.0f} waits; plain HTTP answered '
        f'{len(answered)} of {len(probes)}, slowest {max(answered, default=0):.2f}s')
    if share > FLOOD_MAX_SHARE:
        return f'a handshake flood took {share:.0%} of the root (at most {FLOOD_MAX_SHARE:.0%})'
    if waits <= 0 or counts['done'] == 0:
        return f'the flood never met the budget ({counts["done"]} handshakes, {waits:.0f} waits)'
    if len(answered) != len(probes):
        return f'plain HTTP went unanswered during the flood ({len(answered)} of {len(probes)})'
    return None


def ivmctl(log, args, env, want, stdout=None, stderr=None):
    """Runs build/tools/ivmctl; None when its exit status and output are as wanted."""
    exe = pathlib.Path(os.environ['HV_BUILD_DIR']) / 'tools' / 'ivmctl'
    p = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=300)
    log(f'ivmctl {" ".join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}'.rstrip())
    what = f'ivmctl {" ".join(args)}'
    if p.returncode != want:
        return f'{what}: exit {p.returncode}, expected {want}: {p.stderr.strip()[:200]}'
    if stdout and not re.search(stdout, p.stdout, re.M):
        return f'{what}: stdout lacks {stdout!r}'
    if stderr and not re.search(stderr, p.stderr, re.M):
        return f'{what}: stderr lacks {stderr!r}'
    return None


def testssl(tls, log):
    """testssl.sh against the endpoint; refuses any finding rated MEDIUM or worse."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / 'testssl.json'
        argv = ['testssl', *TESTSSL_ARGS, '--add-ca', tls.file('ca.pem'), '--jsonfile', str(out),
                f'127.0.0.1:{tls.port}']
        start = time.monotonic()
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=TESTSSL_TIMEOUT)
        except FileNotFoundError:
            return 'testssl is missing (scripts/setup installs the testssl.sh package)'
        log(f'testssl: exit {p.returncode} after {time.monotonic() - start:.0f}s')
        if not out.is_file():
            return f'testssl wrote no JSON (exit {p.returncode}): {p.stdout[-300:]!r}'
        findings = json.loads(out.read_text())
    for f in findings:
        if f.get('severity') not in ('OK', 'INFO'):
            log(f'testssl: {f.get("id")} {f.get("severity")}: {f.get("finding")}')
    bad = [f for f in findings if f.get('severity') in REFUSED_SEVERITIES]
    if not findings:
        return 'testssl reported nothing'
    if bad:
        return 'testssl: ' + '; '.join(f'{f["id"]} {f["severity"]}: {f["finding"]}' for f in bad)
    log(f'testssl: {len(findings)} findings, none MEDIUM or above')
    return None


def https(token, ivmctl_steps):
    """The HTTPS acceptance in one boot: a half-open handshake cut in time,
    every route group with curl --cacert, a token over plain HTTP refused,
    a wrong CA and a wrong fingerprint refused by ivmctl with the reason,
    ivmctl_steps ((args, exit status, stdout regex or None), ending with a
    shutdown --wait) over HTTPS, the handshake budget under a flood, then
    testssl.sh."""
    def client(port, log, tls):
        half = HalfOpen(tls.port)
        half.start()
        extra = ('--cacert', tls.file('ca.pem'))
        env = dict(os.environ, IVMCTL_HOST=f'https://127.0.0.1:{tls.port}', IVMCTL_TOKEN=token,
                   IVMCTL_CACERT=tls.file('ca.pem'))
        pinned = dict(env, IVMCTL_CACERT='')
        fingerprint = tlscerts.fingerprint(tls.file('tls-cert.pem'))
        steps = [
            lambda: wait_https(tls, log, token, extra),
            lambda: route_groups(tls, log, token, extra),
            lambda: plain_refusal(port, tls, log, token),
            lambda: ivmctl(log, ['--cacert', tls.file('other-ca.pem'), 'vms'], env, 8, None,
                           r"the server's certificate was refused: .*--cacert"),
            lambda: ivmctl(log, ['--fingerprint', '00' * 32, 'vms'], pinned, 8, None,
                           r"the server's certificate has SHA-256 fingerprint " + fingerprint),
            lambda: ivmctl(log, ['--fingerprint', fingerprint, 'vms'], pinned, 0, r'^root\s'),
        ]
        steps += [lambda a=a, st=st, rx=rx: ivmctl(log, a, env, st, rx)
                  for a, st, rx in ivmctl_steps]
        steps += [half.verdict, lambda: handshake_flood(port, tls, log, token),
                  lambda: testssl(tls, log)]
        for step in steps:
            error = step()
            if error:
                return error
        return None
    client.wants_tls = True
    return client


def mutual_tls(token):
    """Mutual TLS: a client certificate the client CA signed gets in (curl
    and ivmctl, and the audit line names its subject); none, or one
    another CA signed, ends the handshake."""
    def client(port, log, tls):
        ca = ('--cacert', tls.file('ca.pem'))
        alice = ca + ('--cert', tls.file('client.pem'), '--key', tls.file('client-key.pem'))
        mallory = ca + ('--cert', tls.file('stranger.pem'), '--key', tls.file('stranger-key.pem'))
        env = dict(os.environ, IVMCTL_HOST=f'https://127.0.0.1:{tls.port}', IVMCTL_TOKEN=token,
                   IVMCTL_CACERT=tls.file('ca.pem'))
        error = wait_https(tls, log, token, alice)
        if error:
            return error
        rc, status, out = curl(tls, log, 'PATCH', '/api/v1/vms/testos1/guestos', token,
                               '{"IsHostTimeSyncEnabled":false}', alice)
        if status != 200:
            return f'PATCH guestos with a client certificate: HTTP {status} {out[:120]!r}'
        for who, args, alert in (('no client certificate', ca, 'alert handshake failure'),
                                 ('a stranger\'s certificate', mallory, 'alert unknown ca')):
            errors = []
            rc, status, out = curl(tls, log, 'GET', '/api/v1/vms', token, extra=args,
                                   errors=errors)
            if status != 0 or rc == 0 or alert not in errors[0]:
                return f'{who}: curl exit {rc}, HTTP {status}: no {alert!r}'
        return (ivmctl(log, ['--cert', tls.file('client.pem'), '--key',
                             tls.file('client-key.pem'), 'vms'], env, 0, r'^root\s') or
                ivmctl(log, ['vms'], env, 6, None, r'TLS handshake: .*alert handshake failure'))
    client.wants_tls = True
    return client
