#!/usr/bin/env python3
# harness.py: runs the system tests of cases.py.  Each test boots a scratch
# copy of build/esp (with the test's hv.cfg) on its host, follows the
# serial log until its markers are seen, a forbidden line appears, the
# emulator exits or the timeout expires, and always kills the emulator.
# A test with a host-side client (Case.client) also runs it against the
# forwarded port once its trigger line appears, and passes only if the
# client succeeds.  Logs of failed runs are kept in build/test-logs/<test>/.
import argparse
import concurrent.futures
import dataclasses
import os
import re
import pathlib
import shlex
import shutil
import socket
import sys
import threading
import time

import cases
import emulator
import hosts
import logwatch
import tlscerts

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXIT_GRACE = 15   # seconds to power off after the last marker (test_exit)
POLL = 0.2
WARN_SHARE = 0.5  # warn when a system test takes more than this share of its timeout
KEPT = ('serial.log', 'bochs.log', 'console.log', 'cmdline.txt', 'bochsrc',
        'slirp.conf', 'markers.txt', 'client.log', 'esp/hv/hv.cfg',
        'screen-early.ppm', 'screen-early.log', 'screen-late.ppm', 'screen-late.log')
# Bochs checks every VM entry and logs what it refuses; any of these in
# bochs.log means hv handed the CPU a bad VMCS or VMCB, even if the run
# otherwise looked fine.
BOCHS_ENTRY_FAILURES = re.compile(r'VMFAIL|VMENTER FAIL|VMABORT|VMRUN[:(]|SVM: VMRUN')


def bochs_entry_failure(work):
    """The first VM-entry failure Bochs logged, or None."""
    log = work / 'bochs.log'
    if not log.is_file():
        return None
    for line in log.read_bytes().decode('utf-8', 'replace').splitlines():
        if BOCHS_ENTRY_FAILURES.search(line):
            return line.strip()
    return None


@dataclasses.dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    reason: str = ''
    log: str = ''
    timeout: float = 0   # a system test's timeout; 0 for the meson tests

    def share(self):
        """The fraction of its timeout the test took (0 without one)."""
        return self.seconds / self.timeout if self.timeout else 0

    def duration(self):
        if not self.timeout:
            return f'{self.seconds:.1f}s'
        return f'{self.seconds:.1f}s of {self.timeout:.0f}s, {100 * self.share():.0f}%'

    def line(self):
        if self.ok:
            return f'PASS {self.name} ({self.duration()})'
        return f'FAIL {self.name} ({self.duration()}): {self.reason} (log: {self.log})'

    def warning(self):
        """A WARN line when the test took more than WARN_SHARE of its
        timeout (a flake waiting to happen on a loaded host), else None."""
        if self.share() <= WARN_SHARE:
            return None
        return (f'WARN {self.name} took {self.seconds:.1f}s, {100 * self.share():.0f}% '
                f'of its {self.timeout:.0f}s timeout (above {100 * WARN_SHARE:.0f}%)')


_ports_lock = threading.Lock()
_ports_given = set()


def free_port():
    """A free TCP port on 127.0.0.1, never the same one twice per process."""
    with _ports_lock:
        while True:
            with socket.socket() as s:
                s.bind(('127.0.0.1', 0))
                port = s.getsockname()[1]
            if port not in _ports_given:
                _ports_given.add(port)
                return port


class ClientRun:
    """A test's host-side client in a thread: started once, then polled
    for its verdict.  The client bounds its own socket waits; the harness
    gives up on it after case.client_timeout (the thread is a daemon)."""

    def __init__(self, case, port, logfile, verbose, launch, tls=None):
        self.case = case
        self.port = port
        self.tls = tls
        self.serial_log = launch.serial_log
        self.qmp_socket = launch.qmp_socket
        self.trigger = re.compile(case.client_after)
        self.logfile = logfile
        self.verbose = verbose
        self.started = None
        self.result = None
        self._thread = None

    def log(self, message):
        stamp = time.monotonic() - self.started
        with open(self.logfile, 'a') as f:
            f.write(f'{stamp:7.1f}s  {message}\n')
        if self.verbose:
            print(f'  {self.case.name}: client: {message}', flush=True)

    def feed(self, line):
        """Starts the client at the first line matching its trigger."""
        if self._thread is None and self.trigger.search(line):
            self.started = time.monotonic()
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self):
        try:
            # a client marked wants_serial also reads the serial log itself,
            # one marked wants_qmp gets QEMU's QMP socket after it
            extra = [self.serial_log] if getattr(self.case.client, 'wants_serial', False) else []
            if getattr(self.case.client, 'wants_qmp', False):
                extra.append(self.qmp_socket)
            # one marked wants_tls gets the HTTPS endpoint and certificates
            kwargs = {'tls': self.tls} if getattr(self.case.client, 'wants_tls', False) else {}
            error = self.case.client(self.port, self.log, *extra, **kwargs)
        except Exception as e:  # a client bug is a failure, not a harness crash
            error = f'{type(e).__name__}: {e}'
        self.log(f'result: {error or "ok"}')
        self.result = ('error', error) if error else ('ok', None)

    def verdict(self, now):
        """None while running; '' on success; else why it failed."""
        if self._thread is None:
            return None
        if self.result is not None:
            return '' if self.result[0] == 'ok' else f'client: {self.result[1]}'
        if now - self.started > self.case.client_timeout:
            return f'client: no result within {self.case.client_timeout:.0f}s'
        return None


def shown(path):
    try:
        return str(path.relative_to(pathlib.Path.cwd()))
    except ValueError:
        return str(path)


class Runner:
    def __init__(self, build_dir, keep=False, verbose=False):
        self.build = pathlib.Path(build_dir).resolve()
        os.environ['HV_BUILD_DIR'] = str(self.build)  # clients run build/tools programs
        self.keep = keep
        self.verbose = verbose
        self.cancel = threading.Event()

    def run(self, case):
        start = time.monotonic()
        work = self.build / 'test-runs' / case.name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        checker = logwatch.Checker(case.expect, case.forbid)
        try:
            launch, port, tls = self._prepare(case, work)
            client = ClientRun(case, port, work / 'client.log', self.verbose,
                               launch, tls) if case.client else None
            reason = self._boot(case, launch, work, checker, client)
        except Exception as e:  # a broken test must not stop the others
            reason = f'harness error: {type(e).__name__}: {e}'
        (work / 'markers.txt').write_text(checker.report())
        return self._finish(case, work, reason, time.monotonic() - start)

    def _prepare(self, case, work):
        source = self.build / 'esp'
        if not (source / 'EFI').is_dir():
            raise FileNotFoundError(f'{shown(source)} is missing: build first')
        shutil.copytree(source, work / 'esp')
        (work / 'esp' / 'hv').mkdir(exist_ok=True)
        (work / 'esp' / 'hv' / 'hv.cfg').write_text(case.config)
        tls = None
        if case.tls_files:
            certs = tlscerts.test_set(self.build)
            tlscerts.install(certs, work / 'esp', *case.tls_files)
            tls = tlscerts.Endpoint(free_port(), certs)
        machine = hosts.Machine(case.host, case.smp, case.mem_mib, work / 'esp', free_port(),
                                nic=case.nic, decoy_nic=case.decoy_nic, vga=case.vga,
                                qmp=getattr(case.client, 'wants_qmp', False),
                                tls_port=tls.port if tls else 0)
        launch = hosts.prepare(machine, work)
        (work / 'cmdline.txt').write_text(shlex.join(launch.argv) + '\n')
        return launch, machine.port, tls

    def _boot(self, case, launch, work, checker, client):
        emu = emulator.Emulator(launch, work)
        try:
            reason = self._watch(case, emu, logwatch.Follower(launch.serial_log), checker,
                                 client)
            exited = emu.exited()
        finally:
            emu.stop()
        if reason and exited and emu.console_tail():
            reason += f'; emulator said: {emu.console_tail()}'
        failure = bochs_entry_failure(work) if case.host.startswith('bochs') else None
        if failure and not reason:
            reason = f'Bochs logged a VM-entry failure: {failure}'
        return reason

    def _watch(self, case, emu, follower, checker, client):
        deadline = time.monotonic() + case.timeout
        done_at = None
        while not self.cancel.is_set():
            exited = emu.exited()
            for line in follower.lines(final=exited):
                seen = len(checker.matched)
                reason = checker.feed(line)
                if reason:
                    return reason
                if client:
                    client.feed(line)
                if self.verbose and len(checker.matched) > seen:
                    when = checker.matched[-1][0]
                    print(f'  {case.name}: {when:.1f}s {line.strip()}', flush=True)
            now = time.monotonic()
            verdict = client.verdict(now) if client else ''
            if verdict:
                return verdict
            if checker.done and verdict == '':
                if not case.exits or exited:
                    return None
                done_at = done_at or now
                if now - done_at > EXIT_GRACE:
                    return f'no power-off within {EXIT_GRACE}s after the last marker'
            elif checker.done:  # the client has not started or not finished
                state = 'not started' if client.started is None else 'still running'
                if exited:
                    return f'emulator exited with the client {state}'
                if now > deadline:
                    return f'timeout after {case.timeout:.0f}s with the client {state}'
            elif exited:
                return (f'emulator exited (status {emu.proc.returncode}) '
                        f'while waiting for /{checker.pending()}/')
            elif now > deadline:
                return f'timeout after {case.timeout:.0f}s waiting for /{checker.pending()}/'
            time.sleep(POLL)
        return 'interrupted'

    def _finish(self, case, work, reason, seconds):
        logdir = self.build / 'test-logs' / case.name
        shutil.rmtree(logdir, ignore_errors=True)
        if reason is not None:
            logdir.mkdir(parents=True)
            for name in KEPT:
                if (work / name).is_file():
                    shutil.copy(work / name, logdir / pathlib.Path(name).name)
        if not self.keep:
            shutil.rmtree(work, ignore_errors=True)
        if reason is None:
            return Result(case.name, True, seconds, timeout=case.timeout)
        return Result(case.name, False, seconds, reason, shown(logdir), case.timeout)


def select(all_cases, filters, quick):
    return [c for c in all_cases
            if (not quick or c.host == 'qemu')
            and (not filters or any(f in c.name for f in filters))]


TAIL_LINES = 30
ANSI_ESCAPE = re.compile(r'\x1b\[[0-9;=?]*[A-Za-z]')  # the firmware's screen control


def print_tail(logdir):
    """The end of a failed run's serial log, under its FAIL line: CI keeps
    only the output, not the log directory."""
    path = pathlib.Path(logdir) / 'serial.log'
    if not path.is_file():
        return
    lines = path.read_text(errors='replace').splitlines()[-TAIL_LINES:]
    if not lines:
        print(f'  {shown(path)} is empty')
        return
    print(f'  last {len(lines)} lines of {shown(path)}:')
    for line in lines:
        print(f'  | {ANSI_ESCAPE.sub("", line)}')
    sys.stdout.flush()


def run_all(selected, jobs, runner, results):
    """Runs the tests in a pool of `jobs` emulators; prints and appends
    each result to `results` as it completes."""
    # Longest first, so that the slow Bochs runs overlap the QEMU ones.
    ordered = sorted(selected, key=lambda c: -c.timeout)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(runner.run, c) for c in ordered]
        for future in concurrent.futures.as_completed(futures):
            results.append(future.result())
            print(results[-1].line(), flush=True)
            if results[-1].warning():
                print(results[-1].warning(), flush=True)
            if not results[-1].ok:
                print_tail(results[-1].log)
    except BaseException:
        runner.cancel.set()
        emulator.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def add_options(parser):
    """Options shared with scripts/test."""
    parser.add_argument('filters', nargs='*', metavar='NAME',
                        help='run only the tests whose name contains NAME')
    parser.add_argument('--quick', action='store_true', help='skip the Bochs tests')
    parser.add_argument('--jobs', type=int, default=int(os.environ.get('HV_TEST_JOBS', 2)),
                        help='emulators run at once (default: $HV_TEST_JOBS or 2)')
    parser.add_argument('--build-dir', default=str(ROOT / 'build'), help='meson build directory')


def main():
    parser = argparse.ArgumentParser(description='Run the system tests.')
    add_options(parser)
    parser.add_argument('--list', action='store_true', help='list the selected tests and exit')
    parser.add_argument('--keep', action='store_true', help='keep the scratch directories')
    parser.add_argument('--verbose', '-v', action='store_true', help='print markers as they match')
    args = parser.parse_args()
    selected = select(cases.CASES, args.filters, args.quick)
    if args.list:
        for c in selected:
            print(f'{c.name:30} {c.host:10} smp={c.smp} timeout={c.timeout:.0f}s')
        return 0
    if not selected:
        print('no system test matches', file=sys.stderr)
        return 2
    emulator.interrupt_on_sigterm()
    try:
        results = run_all(selected, args.jobs, Runner(args.build_dir, args.keep, args.verbose), [])
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130
    failed = sum(not r.ok for r in results)
    print(f'{len(results) - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
