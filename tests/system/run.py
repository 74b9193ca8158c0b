#!/usr/bin/env python3
# run.py: the body of scripts/run.  Builds, then boots a scratch copy of
# build/esp (optionally with another hv.cfg) on one host in the foreground,
# echoing the serial log to the terminal.  Ctrl-C stops the emulator.  The
# machine gets the CPUs and RAM the configuration needs unless --smp and
# --mem say otherwise.  The ESP also gets the development certificate
# (build/dev-tls, made with openssl on first use, tlscerts.py) that
# boot/hv.cfg names for HTTPS, and its fingerprint is printed.
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
import tlscerts

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
    p.add_argument('--smp', type=int,
                   help="CPUs (default: the configuration's highest CPU index + 1)")
    p.add_argument('--mem', type=int,
                   help='MiB of RAM (default: 1024 for qemu, 512 for bochs, or more if the '
                        "configuration's partitions and hv need it: their sum + 96, "
                        'rounded up to 256)')
    p.add_argument('--config', type=pathlib.Path,
                   help='boot with this hv.cfg instead of build/esp/hv/hv.cfg '
                        '(e.g. boot/hv-linux.cfg)')
    p.add_argument('--nic', choices=tuple(hosts.NICS), default='e1000',
                   help="the root's NIC on QEMU: e1000 (82540EM), e1000e (q35's default "
                        "82574L, as `-nic user` gives it), virtio (virtio-net, modern only); "
                        "the root's `pci` in hv.cfg is moved to match")
    p.add_argument('--tls-port', type=int, default=8443,
                   help='port on 127.0.0.1 forwarded to guest port 443, HTTPS (default 8443)')
    p.add_argument('--vga', action='store_true',
                   help="QEMU's standard VGA: hv's console draws on its screen too "
                        '(see it with --display)')
    p.add_argument('--display', default='none',
                   help="QEMU's -display, e.g. gtk, sdl, or vnc=127.0.0.1:1 (default none)")
    p.add_argument('--port', type=int, default=8080,
                   help='port on 127.0.0.1 forwarded to guest port 80, plain HTTP when hv.cfg '
                        'has http_port = 80 (default 8080)')
    p.add_argument('--build-dir', type=pathlib.Path, default=build.ROOT / 'build')
    return p.parse_args()


def refusal(args):
    """Why these options cannot work here, or None."""
    if args.accel == 'kvm' and args.host != 'qemu':
        return '--accel kvm needs --host qemu (Bochs always emulates)'
    if args.nic != 'e1000' and args.host != 'qemu':
        return f'--nic {args.nic} needs --host qemu (Bochs emulates the 82540EM only)'
    if (args.vga or args.display != 'none') and args.host != 'qemu':
        return '--vga and --display need --host qemu'
    if args.accel == 'kvm' and not kvm_usable():
        return ('KVM is not usable here (no working /dev/kvm, or no vmx/svm flag '
                'in /proc/cpuinfo): use --accel tcg')
    if args.config and not args.config.is_file():
        return f'no such file: {args.config}'
    if not port_free(args.port):
        return f'port {args.port} on 127.0.0.1 is in use: pick another with --port'
    if not port_free(args.tls_port):
        return f'port {args.tls_port} on 127.0.0.1 is in use: pick another with --tls-port'
    return None


SIZE_SHIFT = {'': 0, 'K': 10, 'M': 20, 'G': 30}
# What the firmware keeps of the RAM besides hv's reservation: on QEMU with
# 1024 MiB the loader finds RAM free from 16 MiB up to 922 MiB, where it
# puts hv, and OVMF holds the top 70 MiB.
MEM_MARGIN_MIB = 96


def config_needs(text):
    """(CPUs, MiB of RAM, {partition: image}) a configuration asks for: the
    highest CPU index of any partition + 1, and hv's reservation plus every
    partition's memory.  Lenient: the loader and `hvcfg check` judge the file."""
    cpus, mib, images, section = 0, 0, {}, None
    hv_mib = 32   # [hypervisor] memory's default
    for raw in text.splitlines():
        line = raw.split('#', 1)[0].strip() if '"' not in raw else raw.strip()
        m = re.fullmatch(r'\[(\w+)(?:\s+([\w-]+))?\]', line)
        if m:
            section = m.group(2) if m.group(1) == 'partition' else m.group(1)
            continue
        key, _, value = (part.strip() for part in line.partition('='))
        if key == 'memory' and section is not None:
            size = re.fullmatch(r'(0x[0-9a-fA-F]+|\d+)\s*([KMGkmg]?)', value.split('@')[0].strip())
            if size:
                n = int(size.group(1), 0) << SIZE_SHIFT[size.group(2).upper()]
                if section == 'hypervisor':
                    hv_mib = n >> 20
                elif section not in ('management',):
                    mib += n >> 20
        elif key == 'cpus' and section not in (None, 'hypervisor'):
            for item in value.split(','):
                last = item.split('-')[-1].strip()
                if last.isdigit():
                    cpus = max(cpus, int(last) + 1)
        elif key == 'image' and section not in (None, 'hypervisor'):
            images[section] = value
    return cpus, mib + hv_mib, images


def machine_size(args, config_text):
    """-smp and -m: the options if given, else what the configuration needs
    (at least the host's default RAM; 3 CPUs if the file says nothing)."""
    cpus, mib, _ = config_needs(config_text)
    smp = args.smp or cpus or 3
    mem = args.mem or max(hosts.default_mem(args.host),
                          -(-(mib + MEM_MARGIN_MIB) // 256) * 256)
    return smp, mem


def hints(config_text):
    """ivmctl commands to try, with the configuration's own guest names."""
    _, _, images = config_needs(config_text)
    guests = [name for name in images if name != 'root']
    testos = [name for name, image in images.items() if image.endswith('testos.elf')]
    lines = ['vms']
    if guests:
        lines.append(f'guestos {guests[0]}')
    if testos:
        lines.append(f'exec {testos[0]} echo hello --wait')
    if guests:
        lines.append(f'shutdown {guests[-1]} --wait')
    return lines + ['events --follow']


def scratch(build_dir, config):
    """build/run/: a copy of build/esp (hv.cfg replaced by config, if any)
    with the development certificate and key as \\hv\\tls-cert.pem and
    \\hv\\tls-key.pem."""
    work = build_dir / 'run'
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(build_dir / 'esp', work / 'esp')
    if config:
        shutil.copyfile(config, work / 'esp' / 'hv' / 'hv.cfg')
    tlscerts.install(tlscerts.development(build_dir), work / 'esp', 'tls-cert.pem',
                     'tls-key.pem')
    return work


def endpoints(config_text, args, dev_tls):
    """Lines saying where the API is reachable from the host, per hv.cfg."""
    lines = []
    if re.search(r'^\s*tls_cert\s*=', config_text, re.M):
        cert = dev_tls / 'tls-cert.pem'
        lines += [f'    HTTPS (guest port 443) at https://127.0.0.1:{args.tls_port}/ with the '
                  f'development certificate {cert}',
                  f'    its SHA-256 fingerprint: {tlscerts.fingerprint(cert)}']
    if re.search(r'^\s*http_port\s*=\s*80\s*(#.*)?$', config_text, re.M):
        lines.append(f'    plain HTTP (guest port 80) at http://127.0.0.1:{args.port}/')
    return lines


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
    config_text = hosts.config_for_nic((work / 'esp' / 'hv' / 'hv.cfg').read_text(), args.nic,
                                       args.vga)
    (work / 'esp' / 'hv' / 'hv.cfg').write_text(config_text)
    smp, mem = machine_size(args, config_text)
    machine = hosts.Machine(args.host, smp, mem, work / 'esp', args.port, args.accel, args.nic,
                            vga=args.vga, display=args.display,
                            tls_port=args.tls_port)
    launch = hosts.prepare(machine, work)
    dev_tls = tlscerts.development(build_dir)
    print(f'==> {args.host}: {smp} CPUs, {mem} MiB; serial log {launch.serial_log}; '
          'Ctrl-C stops', flush=True)
    for line in endpoints(config_text, args, dev_tls):
        print(line, flush=True)
    token = development_token(work / 'esp' / 'hv' / 'hv.cfg')
    if token:
        ivmctl = f'{build_dir}/tools/ivmctl'
        print(f'    API token (development only, see hv.cfg): {token}\n'
              f'    first commands to try, in another terminal:\n'
              f'      export IVMCTL_HOST=https://127.0.0.1:{args.tls_port} '
              f'IVMCTL_CACERT={dev_tls / "tls-cert.pem"} IVMCTL_TOKEN={token}', flush=True)
        for line in hints(config_text):
            print(f'      {ivmctl} {line}', flush=True)
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
