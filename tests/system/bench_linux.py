#!/usr/bin/env python3
"""Linux guest benchmark on QEMU TCG (docs/linux-guest.md).  Each run boots
the same kernel and initramfs twice, one after the other:

1. directly by QEMU (tests/system/linux_direct.py: SeaBIOS and QEMU's
   loader, no hv), seconds from starting QEMU to the kernel's banner and to
   /init's first line, `linux-guest: userspace up`;
2. as a partition under hv (the root with the management API and the
   Linux guest on two CPUs, the configuration of the qemu-linux-bus test),
   seconds from hv's `partition linux: Starting -> Running` (hv has loaded
   the kernel and starts its first vCPU) to the same two lines, each line
   timed on the host as it arrives in the serial log (polled every 10 ms);

and prints the ratio of the times to userspace (goal <= 1.5), and beside
it the ratio of the kernel's own clock when it ran /init (the time spent
in the kernel, without QEMU's start and the firmware).  Then, on the hv
boot, it times an unforced Shutdown through the API: seconds from the
POST to the guest's hv_utils line, to hv's power-off line, and to the
task's Success (a long-poll GET on the task, answered when it completes).

Prints figures; it is not a pass/fail test (it exits 1 only when a boot
did not get that far).  The runs' files stay in
<build>/test-runs/bench-linux/.
Usage: scripts/bench --linux [--runs N] [--timeout S] [--build-dir DIR] [-v]
"""
import argparse
import http.client
import pathlib
import re
import shutil
import statistics
import sys
import threading
import time

import cases
import emulator
import harness
import hosts
import linux_direct
import logwatch
import task_clients

VM = 'linux'
RUNNING = re.compile(rf'hv: partition {VM}: \w+ -> Running')
DECOMPRESSOR = re.compile(cases.linux_line(VM, linux_direct.DECOMPRESSOR))
BANNER = re.compile(cases.linux_kernel_line(VM, r'Linux version '))
USERSPACE = re.compile(cases.linux_line(VM, r'linux-guest: userspace up$'))
RUN_INIT = re.compile(rf'hv: \[{VM}\] \[\s*(\d+\.\d+)\] Run /init as init process')
SHUTDOWN_SEEN = re.compile(cases.linux_kernel_line(VM, r'hv_utils: Shutdown request received'))
POWERED_OFF = re.compile(rf'hv: partition {VM} powered off')
# The direct boot gets the same kernel command line as the partition.
DIRECT_APPEND = cases.LINUX_CMDLINE.replace('console=ttyS0 ', '').replace('panic=-1 ', '') + \
    f' hostname={VM}'


class SerialClock:
    """Follows a serial log in a thread, stamping each line with the host's
    monotonic clock as it arrives; forbidden lines end the wait."""

    def __init__(self, path, forbid, verbose):
        self.follower = logwatch.Follower(path)
        self.forbid = [re.compile(f) for f in forbid]
        self.verbose = verbose
        self.lines = []          # (host time, line)
        self.problem = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            for line in self.follower.lines():
                now = time.monotonic()
                if self.verbose:
                    print(f'  | {line}', flush=True)
                with self.lock:
                    self.lines.append((now, line))
                    if self.problem is None and any(f.search(line) for f in self.forbid):
                        self.problem = f'forbidden output: {line!r}'
            time.sleep(0.01)

    def wait(self, regex, deadline, emu, start=0):
        """(host time, match) of the first line from index `start` on that
        matches; raises RuntimeError on a forbidden line, QEMU's exit or
        the deadline."""
        i = start
        while True:
            with self.lock:
                lines, problem = self.lines[i:], self.problem
            for t, line in lines:
                m = regex.search(line)
                if m:
                    return t, m
            i += len(lines)
            if problem:
                raise RuntimeError(problem)
            if emu.exited():
                raise RuntimeError(f'QEMU exited: {emu.console_tail()}')
            if time.monotonic() > deadline:
                raise RuntimeError(f'no /{regex.pattern}/ in time')
            time.sleep(0.01)

    def mark(self):
        with self.lock:
            return len(self.lines)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=2)


def direct_boot(build, work, args):
    """linux_direct's boot: {'banner', 'userspace', 'kernel'} seconds."""
    ns = argparse.Namespace(smp=2, mem=512, append=DIRECT_APPEND, timeout=args.timeout)
    reason, times = linux_direct.boot_once(build, work, ns, args.verbose)
    if reason:
        raise RuntimeError(reason)
    return {'decompressor': times[linux_direct.DECOMPRESSOR],
            'banner': times[linux_direct.BANNER], 'userspace': times[linux_direct.USERSPACE],
            'kernel': times[linux_direct.RUN_INIT]}


def shutdown_times(port, clock, emu, deadline):
    """Seconds from the Shutdown POST to the guest's hv_utils line, hv's
    power-off line and the task's Success."""
    doc = None
    while doc is None or not doc.get('CanShutdown'):
        if time.monotonic() > deadline:
            raise RuntimeError(f'the guest\'s Shutdown channel never got ready: {doc}')
        try:
            status, _, doc = task_clients.api(port, 'GET', f'/api/v1/vms/{VM}/guestos')
        except (OSError, http.client.HTTPException, ValueError):
            doc = None
        time.sleep(0.5)
    mark = clock.mark()
    posted = time.monotonic()
    status, _, task = task_clients.api(port, 'POST', f'/api/v1/vms/{VM}/guestos/shutdown',
                                       {'timeoutSeconds': 300})
    if status != 202:
        raise RuntimeError(f'POST shutdown: {status} {task}')
    while not task.get('IsComplete'):
        if time.monotonic() > deadline:
            raise RuntimeError(f'shutdown task not complete: {task}')
        status, _, task = task_clients.api(port, 'GET', f'/api/v1/tasks/{task["ID"]}?wait=60000',
                                           timeout=90)
    done = time.monotonic()
    if task.get('Result') != 'Success':
        raise RuntimeError(f'shutdown task: {task}')
    seen, _ = clock.wait(SHUTDOWN_SEEN, deadline, emu, mark)
    off, _ = clock.wait(POWERED_OFF, deadline, emu, mark)
    return {'guest': seen - posted, 'off': off - posted, 'success': done - posted,
            'task_ms': task['completedMs'] - task['createdMs']}


def hv_boot(build, work, args):
    """The hv half: boot seconds after Running, then the shutdown's."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(build / 'esp', work / 'esp')
    config = cases.linux_config('', cases.linux_partition(VM), api=True)
    (work / 'esp' / 'hv' / 'hv.cfg').write_text(config)
    port = harness.free_port()
    launch = hosts.prepare(hosts.Machine('qemu', 3, cases.LINUX_MEM_MIB, work / 'esp', port),
                           work)
    started = time.monotonic()
    emu = emulator.Emulator(launch, work)
    clock = SerialClock(launch.serial_log, cases.linux_forbid(VM), args.verbose)
    try:
        deadline = started + args.timeout
        running, _ = clock.wait(RUNNING, deadline, emu)
        decompressor, _ = clock.wait(DECOMPRESSOR, deadline, emu)
        banner, _ = clock.wait(BANNER, deadline, emu)
        userspace, _ = clock.wait(USERSPACE, deadline, emu)
        _, kernel = clock.wait(RUN_INIT, deadline, emu)
        boot = {'running': running - started, 'decompressor': decompressor - running,
                'banner': banner - running,
                'userspace': userspace - running, 'kernel': float(kernel.group(1))}
        try:
            shut = shutdown_times(port, clock, emu, time.monotonic() + args.timeout)
        except (RuntimeError, OSError, http.client.HTTPException, ValueError) as e:
            shut = {'error': f'{type(e).__name__}: {e}'}
        return boot, shut
    finally:
        clock.close()
        emu.stop()


def med(values):
    return statistics.median(values) if values else float('nan')


def print_phases(direct, under_hv):
    """Where the time goes: the decompressor (no exits: pure guest code, so
    its ratio is what nested paging costs the emulator) and the kernel from
    its banner to /init's first line (every console byte and timer tick an
    exit under hv)."""
    for name, first, last in (('decompression (its first line to the banner)', 'decompressor',
                               'banner'),
                              ('kernel (banner to userspace)', 'banner', 'userspace')):
        d = med([r[last] - r[first] for r in direct])
        h = med([r[last] - r[first] for r in under_hv])
        print(f'linux boot phase, {name}: {h:.2f} s under hv, {d:.2f} s direct: x{h / d:.2f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=1, help='boots of each kind (default 1)')
    ap.add_argument('--timeout', type=float, default=300,
                    help='seconds each boot may take to reach userspace (default 300)')
    ap.add_argument('--build-dir', type=pathlib.Path,
                    default=pathlib.Path(__file__).parents[2] / 'build')
    ap.add_argument('-v', '--verbose', action='store_true', help='echo the serial logs')
    args = ap.parse_args()
    emulator.interrupt_on_sigterm()
    build = args.build_dir.resolve()
    base = build / 'test-runs' / 'bench-linux'
    direct, under_hv, shutdowns, failed = [], [], [], 0
    try:
        for run in range(1, args.runs + 1):
            try:
                d = direct_boot(build, base / f'direct-{run}', args)
                direct.append(d)
                print(f'run {run}: direct QEMU: banner {d["banner"]:.2f} s, userspace '
                      f'{d["userspace"]:.2f} s after starting QEMU (kernel\'s clock at /init '
                      f'{d["kernel"]:.2f} s)', flush=True)
            except RuntimeError as e:
                failed += 1
                print(f'run {run}: direct QEMU: FAILED: {e}', flush=True)
            try:
                h, s = hv_boot(build, base / f'hv-{run}', args)
                under_hv.append(h)
                print(f'run {run}: under hv: partition Running {h["running"]:.2f} s after '
                      f'starting QEMU; banner {h["banner"]:.2f} s, userspace '
                      f'{h["userspace"]:.2f} s after Running (kernel\'s clock at /init '
                      f'{h["kernel"]:.2f} s)', flush=True)
                if 'error' in s:
                    failed += 1
                    print(f'run {run}: shutdown: FAILED: {s["error"]}', flush=True)
                else:
                    shutdowns.append(s)
                    print(f'run {run}: shutdown: POST to hv_utils\' line {s["guest"]:.2f} s, '
                          f'to hv\'s power-off {s["off"]:.2f} s, to Success {s["success"]:.2f} s '
                          f'(the task\'s own createdMs..completedMs {s["task_ms"]} ms)',
                          flush=True)
            except RuntimeError as e:
                failed += 1
                print(f'run {run}: under hv: FAILED: {e} (logs: {base / f"hv-{run}"})',
                      flush=True)
    except KeyboardInterrupt:
        emulator.stop_all()
        return 130
    if direct and under_hv:
        print_phases(direct, under_hv)
        d_user = med([d['userspace'] for d in direct])
        h_user = med([h['userspace'] for h in under_hv])
        d_kern, h_kern = med([d['kernel'] for d in direct]), med([h['kernel'] for h in under_hv])
        print(f'linux boot (median of {len(direct)} direct, {len(under_hv)} under hv): userspace '
              f'{h_user:.2f} s after Running under hv, {d_user:.2f} s after starting QEMU '
              f'directly: x{h_user / d_user:.2f} (goal <= 1.5); the kernel\'s clock at /init '
              f'{h_kern:.2f} s against {d_kern:.2f} s: x{h_kern / d_kern:.2f}')
    else:
        print(f'linux boot: no ratio ({len(direct)} direct and {len(under_hv)} hv boots '
              'reached userspace)')
    if shutdowns:
        print(f'linux shutdown (median of {len(shutdowns)}): POST to Success '
              f'{med([s["success"] for s in shutdowns]):.2f} s, to hv\'s power-off '
              f'{med([s["off"] for s in shutdowns]):.2f} s')
    print(f'logs: {base}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
