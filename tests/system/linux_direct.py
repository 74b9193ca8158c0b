#!/usr/bin/env python3
"""Direct-boot baseline of the Linux guest (docs/linux-guest.md): boots
build/guest/linux/vmlinuz with initramfs.cpio.gz straight from QEMU TCG
(`-kernel`/`-initrd`: SeaBIOS and QEMU's linuxboot loader, no hv, no
UEFI) and prints the seconds from starting QEMU to the kernel's banner
and to /init's first line, `linux-guest: userspace up` (and the kernel's
own time stamp when it ran /init): the figures the same kernel under hv
is to be compared with.  With several runs it prints each and their
median.

A run passes when the kernel starts, /init reports the CPUs asked for,
and the Hyper-V modules fail as they must without Hyper-V (hv_vmbus "No
such device", so hv_utils is skipped and no hv_kvp_daemon starts); it
fails on a panic or when /init's `idle` line has not come within the
timeout.  QEMU is killed after each run (its process group, as the
harness does).

Usage: python3 tests/system/linux_direct.py [--build-dir build] [--runs 3]
           [--smp 2] [--mem 512] [--append WORDS] [--timeout 120] [-v]
"""
import argparse
import pathlib
import re
import shutil
import statistics
import sys
import time

import emulator
import hosts
import logwatch

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The decompressor's first line (arch/x86/boot/compressed/kaslr.c) and the
# kernel's banner: the time between them is the decompression.
DECOMPRESSOR = r"KASLR disabled: 'nokaslr' on cmdline"
BANNER = r'Linux version \S+'
USERSPACE = r'linux-guest: userspace up'
# The kernel's own time stamp when it starts /init (CONFIG_PRINTK_TIME).
RUN_INIT = re.compile(r'\[\s*(\d+\.\d+)\] Run /init as init process')


def markers(smp):
    return (DECOMPRESSOR,
            BANNER,
            RUN_INIT.pattern,
            USERSPACE,
            rf'linux-guest: kernel \S+, {smp} CPUs online',
            r'linux-guest: insmod hv_vmbus: failed: .*No such device',
            r'linux-guest: insmod hv_utils: skipped \(needs hv_vmbus\)',
            r'linux-guest: hv_utils not loaded: hv_kvp_daemon not started',
            r'linux-guest: idle')


FORBID = (r'Kernel panic', r'Attempted to kill init', r'BUG:', r'Oops')


def qemu_argv(kernel, initrd, serial, smp, mem_mib, append):
    return ['qemu-system-x86_64', '-nodefaults', '-machine', 'q35',
            '-accel', 'tcg', '-cpu', 'max', '-m', str(mem_mib), '-smp', str(smp),
            '-kernel', str(kernel), '-initrd', str(initrd),
            '-append', f'console=ttyS0 panic=-1 {append}'.strip(),
            '-serial', f'file:{serial}', '-display', 'none', '-monitor', 'none',
            '-no-reboot']


def boot_once(build, work, args, verbose):
    """One boot; returns (failure reason or None, {marker: seconds})."""
    linux = build / 'guest' / 'linux'
    kernel, initrd = linux / 'vmlinuz', linux / 'initramfs.cpio.gz'
    for f in (kernel, initrd):
        if not f.is_file():
            return f'{f} is missing (meson compile -C {build})', {}
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    serial = work / 'serial.log'
    argv = qemu_argv(kernel, initrd, serial, args.smp, args.mem, args.append)
    (work / 'cmdline.txt').write_text(' '.join(argv) + '\n')
    checker = logwatch.Checker(markers(args.smp), FORBID)
    emu = emulator.Emulator(hosts.Launch(argv, False, serial), str(work))
    follower = logwatch.Follower(serial)
    reason = None
    try:
        deadline = time.monotonic() + args.timeout
        while reason is None and not checker.done:
            exited = emu.exited()
            for line in follower.lines(final=exited):
                if verbose:
                    print(f'  | {line}', flush=True)
                reason = reason or checker.feed(line)
            if reason or checker.done:
                break
            if exited:
                reason = f'QEMU exited early: {emu.console_tail()}'
            elif time.monotonic() > deadline:
                reason = f'timeout after {args.timeout} s waiting for /{checker.pending()}/'
            else:
                time.sleep(0.01)
    finally:
        emu.stop()
    (work / 'markers.txt').write_text(checker.report())
    times = {}
    for seconds, line in checker.matched:
        for m in (DECOMPRESSOR, BANNER, USERSPACE):
            if m not in times and re.search(m, line):
                times[m] = seconds
        stamp = RUN_INIT.search(line)
        if stamp:
            times[RUN_INIT] = float(stamp.group(1))
    return reason, times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--build-dir', default=str(ROOT / 'build'))
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--smp', type=int, default=2)
    ap.add_argument('--mem', type=int, default=512, help='MiB')
    ap.add_argument('--append', default='', help='more kernel command-line words')
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('-v', '--verbose', action='store_true', help='echo the serial log')
    args = ap.parse_args()
    emulator.interrupt_on_sigterm()

    build = pathlib.Path(args.build_dir).resolve()
    banner, userspace, kernel, failed = [], [], [], 0
    try:
        for run in range(1, args.runs + 1):
            work = build / 'test-runs' / 'linux-direct' / f'run-{run}'
            reason, times = boot_once(build, work, args, args.verbose)
            if reason:
                failed += 1
                print(f'run {run}: FAIL {reason} (logs: {work})', flush=True)
                continue
            banner.append(times[BANNER])
            userspace.append(times[USERSPACE])
            kernel.append(times[RUN_INIT])
            print(f'run {run}: kernel banner {times[BANNER]:.2f} s, '
                  f'userspace {times[USERSPACE]:.2f} s after starting QEMU '
                  f'(the kernel\'s clock at /init: {times[RUN_INIT]:.2f} s)', flush=True)
    except KeyboardInterrupt:
        emulator.stop_all()
        return 130
    if userspace:
        print(f'direct boot (QEMU TCG, -smp {args.smp}, -m {args.mem}): median of '
              f'{len(userspace)}: kernel banner {statistics.median(banner):.2f} s, '
              f'userspace {statistics.median(userspace):.2f} s '
              f'(the kernel\'s clock at /init: {statistics.median(kernel):.2f} s)')
    print(f'{args.runs - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
