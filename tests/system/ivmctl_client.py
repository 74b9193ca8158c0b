# ivmctl_client.py: a host-side client for system tests (Case.client) that
# drives build/tools/ivmctl against the root's management API through the
# forwarded port, over plain HTTP or HTTPS, checking each command's exit
# status and output (more HTTPS checks: tls_clients.py).  The harness
# names the build directory in $HV_BUILD_DIR.
import os
import pathlib
import re
import subprocess
import time

DEV_TOKEN = 'dev-insecure-token-change-me'   # boot/hv.cfg's development token
NOT_REACHED = 6                               # ivmctl's exit status: no answer


def ivmctl(steps, token=DEV_TOKEN, ready_timeout=120, https=False):
    """steps: (args, expected exit status, regex its stdout must match or
    None).  The first step is repeated while ivmctl cannot reach the API
    (it is still coming up), for at most ready_timeout seconds.  With
    https, over HTTPS with the test CA (the case needs tls_files)."""
    def run(exe, env, args, log):
        p = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True,
                           timeout=180)
        log(f'ivmctl {" ".join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}'.rstrip())
        return p

    def client(port, log, tls=None):
        exe = pathlib.Path(os.environ['HV_BUILD_DIR']) / 'tools' / 'ivmctl'
        env = dict(os.environ, IVMCTL_HOST=f'http://127.0.0.1:{port}', IVMCTL_TOKEN=token)
        if tls:
            env.update(IVMCTL_HOST=f'https://127.0.0.1:{tls.port}', IVMCTL_CACERT=tls.file('ca.pem'))
        deadline = time.monotonic() + ready_timeout
        for n, (args, status, pattern) in enumerate(steps):
            p = run(exe, env, args, log)
            while n == 0 and p.returncode == NOT_REACHED and time.monotonic() < deadline:
                time.sleep(2)
                p = run(exe, env, args, log)
            what = f'ivmctl {" ".join(args)}'
            if p.returncode != status:
                return f'{what}: exit {p.returncode}, expected {status}: {p.stderr.strip()}'
            if pattern and not re.search(pattern, p.stdout, re.M):
                return f'{what}: output lacks {pattern!r}'
        return None
    client.wants_tls = https
    return client
