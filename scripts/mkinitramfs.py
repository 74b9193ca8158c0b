#!/usr/bin/env python3
"""Builds the Linux guest's initramfs (docs/linux-guest.md) from the Debian
packages scripts/setup unpacked into .deps/linux/root, and copies their
kernel next to it.

The archive is a gzipped cpio in the kernel's "newc" format, written here
rather than by cpio(1) so that it needs no root (/dev/console is a device
node) and comes out the same byte for byte from the same inputs: entries
sorted, owned by root, every time stamp 0.

It holds busybox (the static binary and a symlink per applet), the kernel
modules asked for with everything modules.dep says they need (.ko.xz
uncompressed; /etc/linux-guest/modules lists them in load order, each
line a module's path and the names of the modules it needs), hv_kvp_daemon with
the shared libraries its ELF DT_NEEDED entries and interpreter name
(resolved inside the unpacked packages, never on the build host), the
daemon's helper scripts from /usr/libexec/hypervkvpd, Debian's os-release,
the repository's small files (--file) and /init.

Usage: mkinitramfs.py --deps .deps/linux --init guest/linux/init
         --rootfs guest/linux/rootfs [--file FILE ...]
         [--module hv_vmbus ...] --out-initramfs OUT.cpio.gz
         --out-kernel OUT [--depfile OUT.d]
"""
import argparse
import gzip
import io
import lzma
import os
import pathlib
import stat
import struct
import subprocess
import sys

LIB_DIRS = ('lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib64', 'usr/lib64',
            'lib', 'usr/lib')
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


def fail(message):
    sys.exit(f'mkinitramfs: error: {message}')


class Archive:
    """The initramfs's entries by path (no leading slash); parents are
    added as directories on the way."""

    def __init__(self):
        self.entries = {}   # path -> (mode, data, rdev)

    def _parents(self, path):
        parent = os.path.dirname(path)
        if parent and parent not in self.entries:
            self.directory(parent)

    def _put(self, path, mode, data=b'', rdev=(0, 0)):
        path = path.strip('/')
        old = self.entries.get(path)
        if old and old[:2] != (mode, data):
            fail(f'/{path} added twice with different contents')
        self._parents(path)
        self.entries[path] = (mode, data, rdev)

    def directory(self, path, perm=0o755):
        self._put(path, stat.S_IFDIR | perm)

    def file(self, path, data, executable=False):
        self._put(path, stat.S_IFREG | (0o755 if executable else 0o644), data)

    def symlink(self, path, target):
        self._put(path, stat.S_IFLNK | 0o777, target.encode())

    def char_device(self, path, major, minor, perm=0o600):
        self._put(path, stat.S_IFCHR | perm, rdev=(major, minor))

    def newc(self):
        """The archive in cpio's newc format (what the kernel unpacks)."""
        out = io.BytesIO()

        def record(ino, name, mode, data, rdev, nlink):
            name = name.encode() + b'\0'
            fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
                      len(name), 0)
            out.write(b'070701' + b''.join(b'%08X' % f for f in fields) + name)
            out.write(b'\0' * (-(110 + len(name)) % 4))
            out.write(data)
            out.write(b'\0' * (-len(data) % 4))

        for ino, path in enumerate(sorted(self.entries), start=1):
            mode, data, rdev = self.entries[path]
            record(ino, path, mode, data, rdev, 2 if stat.S_ISDIR(mode) else 1)
        record(0, 'TRAILER!!!', 0, b'', (0, 0), 1)
        return out.getvalue()


class Packages:
    """The tree scripts/setup unpacked the .deb files into; remembers every
    file read, for the depfile."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.read = set()

    def path(self, rel):
        return self.root / rel.strip('/')

    def exists(self, rel):
        return os.path.lexists(self.path(rel))

    def copy(self, archive, rel):
        """Adds /rel as it is in the packages: a symlink (and what it
        points at, inside the packages), or a regular file."""
        rel = rel.strip('/')
        source = self.path(rel)
        if source.is_symlink():
            target = os.readlink(source)
            archive.symlink(rel, target)
            resolved = target if target.startswith('/') else \
                os.path.normpath(os.path.join(os.path.dirname(rel), target))
            return self.copy(archive, resolved)
        if not source.is_file():
            fail(f'{source} is missing (run scripts/setup)')
        self.read.add(str(source))
        archive.file(rel, source.read_bytes(), bool(source.stat().st_mode & 0o111))
        return rel


def elf_dependencies(data, name):
    """(interpreter or None, [DT_NEEDED names]) of a 64-bit little-endian ELF."""
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        fail(f'{name} is not a 64-bit little-endian ELF file')
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    loads, dynamic, interp = [], None, None
    for i in range(phnum):
        p_type, _, offset, vaddr, _, filesz, _, _ = \
            struct.unpack_from('<IIQQQQQQ', data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (offset, filesz)
        elif p_type == PT_INTERP:
            interp = data[offset:offset + filesz].split(b'\0')[0].decode()
    if dynamic is None:
        return interp, []

    def file_offset(addr):
        for vaddr, offset, filesz in loads:
            if vaddr <= addr < vaddr + filesz:
                return addr - vaddr + offset
        fail(f'{name}: address {addr:#x} is in no loaded segment')

    needed, strtab = [], None
    for pos in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, value = struct.unpack_from('<qQ', data, pos)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            needed.append(value)
        elif tag == DT_STRTAB:
            strtab = file_offset(value)
    if needed and strtab is None:
        fail(f'{name}: DT_NEEDED without DT_STRTAB')
    names = [data[strtab + n:data.index(b'\0', strtab + n)].decode() for n in needed]
    return interp, names


def add_program(archive, packages, rel):
    """Adds an executable and, transitively, its interpreter and the shared
    libraries it needs, looked up like the dynamic linker's default path."""
    pending, done = [rel], set()
    while pending:
        rel = packages.copy(archive, pending.pop())
        if rel in done:
            continue
        done.add(rel)
        interp, needed = elf_dependencies(archive.entries[rel][1], rel)
        if interp:
            pending.append(interp)
        for lib in needed:
            for d in LIB_DIRS:
                if packages.exists(f'{d}/{lib}'):
                    pending.append(f'{d}/{lib}')
                    break
            else:
                fail(f'{rel} needs {lib}, which no unpacked package holds')


def add_busybox(archive, packages):
    """/bin/busybox and a symlink for each applet at its usual place, from
    the binary's own list (it is static, so the build host runs it)."""
    packages.copy(archive, 'bin/busybox')
    listing = subprocess.run([str(packages.path('bin/busybox')), '--list-full'],
                             check=True, capture_output=True, text=True).stdout
    return [applet for applet in listing.split() if applet != 'bin/busybox']


def read_modules_dep(packages, release):
    path = packages.path(f'lib/modules/{release}/modules.dep')
    if not path.is_file():
        fail(f'{path} is missing (scripts/setup runs depmod)')
    packages.read.add(str(path))
    deps = {}
    for line in path.read_text().splitlines():
        module, _, needs = line.partition(':')
        deps[module] = needs.split()
    return deps


def module_name(path):
    base = os.path.basename(path)
    return base[:base.index('.ko')].replace('-', '_')


def add_modules(archive, packages, release, wanted):
    """Adds the wanted modules and everything they need; returns their
    paths in the guest in load order (dependencies first), each with the
    names of the modules it needs."""
    deps = read_modules_dep(packages, release)
    by_name = {module_name(m): m for m in deps}
    order, seen = [], set()

    def visit(module, chain):
        if module in seen:
            return
        if module in chain:
            fail(f'modules.dep has a cycle: {" -> ".join(chain + [module])}')
        for d in deps[module]:
            visit(d, chain + [module])
        seen.add(module)
        order.append(module)

    for name in wanted:
        if name.replace('-', '_') not in by_name:
            fail(f'no module {name} in {release}\'s modules.dep')
        visit(by_name[name.replace('-', '_')], [])

    base = f'lib/modules/{release}'
    guest = {}
    for module in order:
        source = packages.path(f'{base}/{module}')
        packages.read.add(str(source))
        data = source.read_bytes()
        if module.endswith('.ko.xz'):
            data = lzma.decompress(data)
        elif not module.endswith('.ko'):
            fail(f'{module}: only .ko and .ko.xz modules are supported')
        guest[module] = module[:module.index('.ko')] + '.ko'
        archive.file(f'{base}/{guest[module]}', data)
    dep_lines = ''.join(f'{guest[m]}:{"".join(" " + guest[d] for d in deps[m])}\n'
                        for m in order)
    archive.file(f'{base}/modules.dep', dep_lines.encode())
    return [(f'/{base}/{guest[m]}', [module_name(d) for d in deps[m]]) for m in order]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--deps', required=True, help='.deps/linux (scripts/setup)')
    ap.add_argument('--init', required=True, help='the /init script')
    ap.add_argument('--rootfs', required=True,
                    help='directory the --file paths are relative to')
    ap.add_argument('--file', action='append', default=[],
                    help='a file under --rootfs, added at its relative path')
    ap.add_argument('--module', action='append', default=None,
                    help='kernel module to load at boot (default hv_vmbus, hv_utils)')
    ap.add_argument('--out-initramfs', required=True)
    ap.add_argument('--out-kernel', required=True)
    ap.add_argument('--depfile')
    args = ap.parse_args()

    deps = pathlib.Path(args.deps)
    versions_file = deps / 'versions'
    if not versions_file.is_file():
        fail(f'{versions_file} is missing: run scripts/setup')
    versions_text = versions_file.read_text()
    versions = dict(line.split('=', 1) for line in versions_text.split())
    release = versions['kernel_release']
    packages = Packages(deps / 'root')
    packages.read.add(str(versions_file))
    archive = Archive()

    for d in ('proc', 'sys', 'dev', 'run', 'root', 'var/lib/hyperv', 'var/log'):
        archive.directory(d)
    archive.directory('tmp', 0o1777)
    # The kernel opens /dev/console for PID 1 before /init runs (and
    # before /init can mount devtmpfs).
    archive.char_device('dev/console', 5, 1)

    ours = set()
    rootfs = pathlib.Path(args.rootfs).resolve()
    for f in args.file:
        source = pathlib.Path(f).resolve()
        rel = source.relative_to(rootfs).as_posix()
        archive.file(rel, source.read_bytes(), bool(source.stat().st_mode & 0o111))
        ours.add(rel)
    init = pathlib.Path(args.init)
    archive.file('init', init.read_bytes(), executable=True)
    archive.file('etc/linux-guest/versions', versions_text.encode())

    for applet in add_busybox(archive, packages):
        if applet not in ours:   # our /sbin/poweroff and /sbin/reboot win
            archive.symlink(applet, '/bin/busybox')

    modules = add_modules(archive, packages, release, args.module or ['hv_vmbus', 'hv_utils'])
    archive.file('etc/linux-guest/modules',
                 ''.join(' '.join([path] + needs) + '\n' for path, needs in modules).encode())

    add_program(archive, packages, 'usr/sbin/hv_kvp_daemon')
    scripts = packages.path('usr/libexec/hypervkvpd')
    for script in sorted(scripts.iterdir()) if scripts.is_dir() else []:
        packages.copy(archive, f'usr/libexec/hypervkvpd/{script.name}')
    packages.copy(archive, 'etc/os-release')

    kernel = packages.path(f'boot/vmlinuz-{release}')
    packages.read.add(str(kernel))
    pathlib.Path(args.out_kernel).write_bytes(kernel.read_bytes())

    raw = archive.newc()
    with open(args.out_initramfs, 'wb') as out:
        with gzip.GzipFile(filename='', mode='wb', fileobj=out, compresslevel=9,
                           mtime=0) as gz:
            gz.write(raw)
    if args.depfile:
        inputs = sorted(packages.read) + [str(pathlib.Path(f).resolve()) for f in args.file]
        escaped = ' '.join(p.replace(' ', '\\ ') for p in inputs)
        pathlib.Path(args.depfile).write_text(f'{args.out_initramfs}: {escaped}\n')
    print(f'mkinitramfs: {release}: {len(archive.entries)} entries, '
          f'{len(raw) // 1024} KiB, {os.path.getsize(args.out_initramfs) // 1024} KiB gzipped; '
          f'modules {" ".join(module_name(path) for path, _ in modules)}')


if __name__ == '__main__':
    main()
