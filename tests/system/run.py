#!/usr/bin/env python3
# run.py: the body of scripts/run.  Builds, then boots a scratch copy of
# build/esp (optionally with another hv.cfg) on one host in the foreground,
# echoing the serial log to the terminal.  Ctrl-C stops the emulator.
import argparse
import fcntl
import os
import pathlib
import re
import shutil
import socket
import sys
import time

import build
import emulator
import hosts
import logwatch

KVM_CREATE_VM = 0xAE01


def kvm_usable():
    """/dev/kvm creates VMs and the CPU flags show VT-x or AMD-V (some
    nested setups offer /dev/kvm without them, and KVM then fails)."""
    with open('/proc/cpuinfo') as f:
        if not any(w in ('vmx', 'svm') for w in f.read().split()):
            return False
    try:
        fd = os.open('/dev/kvm', os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        os.close(fcntl.ioctl(fd, KVM_CREATE_VM, 0))
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
            return True
        except OSError:
            return False


def parse_args():
    p = argparse.ArgumentParser(prog='scripts/run',
                                description='Build and boot the hypervisor in an emulator.')
    p.add_argument('--host', choices=hosts.HOSTS, default='qemu')
    p.add_argument('--accel', choices=('tcg', 'kvm'), default='tcg',
                   help='kvm: QEMU with -cpu host, only where KVM works')
    p.add_argument('--smp', type=int, default=3, help='CPUs (default 3)')
    p.add_argument('--mem', type=int, help='MiB of RAM (default 1024 for qemu, 512 for bochs)')
    p.add_argument('--config', type=pathlib.Path, help='boot with this hv.cfg instead')
    p.add_argument('--port', type=int, default=8080,
                   help='port on 127.0.0.1 forwarded to guest port 80 (default 8080)')
    p.add_argument('--build-dir', type=pathlib.Path, default=build.ROOT / 'build')
    return p.parse_args()


def refusal(args):
    """Why these options cannot work here, or None."""
    if args.accel == 'kvm' and args.host != 'qemu':
        return '--accel kvm needs --host qemu (Bochs always emulates)'
    if args.accel == 'kvm' and not kvm_usable():
        return ('KVM is not usable here (no working /dev/kvm, or no vmx/svm flag '
                'in /proc/cpuinfo): use --accel tcg')
    if args.config and not args.config.is_file():
        return f'no such file: {args.config}'
    if not port_free(args.port):
        return f'port {args.port} on 127.0.0.1 is in use: pick another with --port'
    return None


def scratch(build_dir, config):
    """build/run/: a copy of build/esp (hv.cfg replaced by config, if any)."""
    work = build_dir / 'run'
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(build_dir / 'esp', work / 'esp')
    if config:
        shutil.copyfile(config, work / 'esp' / 'hv' / 'hv.cfg')
    return work


def development_token(config):
    """The token a `# development token: T` comment in hv.cfg publishes (the
    default configuration has one, documented as insecure), or None."""
    m = re.search(r'^#\s*development token:\s*(\S+)\s*$', config.read_text(), re.M)
    return m.group(1) if m else None


def follow(emu, launch):
    """Echoes the serial log, and QEMU's own messages, until the emulator exits."""
    followers = [logwatch.Follower(launch.serial_log)]
    if not launch.use_pty:  # Bochs' terminal output is a screen, not messages
        followers.append(logwatch.Follower(emu.console_log))
    while True:
        exited = emu.exited()
        for line in (ln for f in followers for ln in f.lines(final=exited)):
            print(line, flush=True)
        if exited:
            return
        time.sleep(0.1)


def main():
    args = parse_args()
    reason = refusal(args)
    if reason:
        print(f'scripts/run: {reason}', file=sys.stderr)
        return 2
    build_dir = args.build_dir.resolve()
    if not build.prepare(build_dir):
        return 1
    work = scratch(build_dir, args.config)
    machine = hosts.Machine(args.host, args.smp, args.mem or hosts.default_mem(args.host),
                            work / 'esp', args.port, args.accel)
    launch = hosts.prepare(machine, work)
    print(f'==> {args.host}: serial log {launch.serial_log}\n'
          f'    guest port 80 at http://127.0.0.1:{args.port}/ ; Ctrl-C stops', flush=True)
    token = development_token(work / 'esp' / 'hv' / 'hv.cfg')
    if token:
        ivmctl = f'{build_dir}/tools/ivmctl'
        print(f'    API token (development only, see hv.cfg): {token}\n'
              f'    first commands to try, in another terminal:\n'
              f'      export IVMCTL_HOST=127.0.0.1:{args.port} IVMCTL_TOKEN={token}\n'
              f'      {ivmctl} vms\n'
              f'      {ivmctl} guestos testos1\n'
              f'      {ivmctl} exec testos1 echo hello --wait\n'
              f'      {ivmctl} shutdown testos2 --wait\n'
              f'      {ivmctl} events --follow', flush=True)
    emulator.interrupt_on_sigterm()
    emu = emulator.Emulator(launch, work)
    try:
        follow(emu, launch)
    except KeyboardInterrupt:
        print('\n==> stopping the emulator', flush=True)
    finally:
        status = emu.stop()
    print(f'==> emulator exited (status {status}); logs in {work}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
