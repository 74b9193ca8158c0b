# hosts.py: emulator command lines for the three test hosts (QEMU TCG or
# KVM, Bochs with VT-x, Bochs with AMD-V), shared by the system-test
# harness and scripts/run.  prepare() writes the per-run files (OVMF
# variable store, bochsrc, slirp.conf) into a work directory and returns
# what to start.
import dataclasses
import os
import pathlib
import shutil
import string

HOSTS = ('qemu', 'bochs-vmx', 'bochs-svm')
# The root's NIC on QEMU, with the PCI address hv.cfg's `pci` must name:
# e1000 (82540EM) and virtio (modern-only virtio-net) are placed at 02.0;
# e1000e is what a new user gets from `-machine q35 -nic user` with no
# -device: QEMU's default model on q35 (82574L), in the first free slot, 01.0
# (02.0 with the standard VGA, which takes 01.0 as on a default q35).
NICS = {'e1000': '00:02.0', 'e1000e': '00:01.0', 'virtio': '00:02.0'}
# With a decoy (Machine.decoy_nic) at 02.0, the forwarded card moves to 03.0.
NIC_AFTER_DECOY = '00:03.0'
VGA_ADDRESS = '00:01.0'       # where q35 puts -vga std
MAC = '52:54:00:12:34:56'        # the forwarded card's
DECOY_MAC = '52:54:00:12:34:57'
QEMU_NIC_DEVICES = {'e1000': 'e1000', 'virtio': 'virtio-net-pci,disable-legacy=on'}
BOCHS_MODELS = {'bochs-vmx': 'corei7_skylake_x', 'bochs-svm': 'ryzen'}
OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'
TEMPLATE = pathlib.Path(__file__).with_name('bochsrc.template')


@dataclasses.dataclass
class Machine:
    host: str          # one of HOSTS
    smp: int
    mem_mib: int
    esp: pathlib.Path  # FAT directory tree to boot from
    port: int          # host port (127.0.0.1) forwarded to guest port 80
    accel: str = 'tcg'  # 'kvm' only for qemu
    nic: str = 'e1000'  # one of NICS; QEMU only (Bochs has its e1000)
    tls_port: int = 0  # host port forwarded to guest port 443 (HTTPS); 0: none
    # QEMU only: a second card (e1000 or virtio) at 02.0 on a network with
    # no port forwarded, so the API answers only if the root picked `nic`
    # (then at 03.0); QEMU's standard VGA at 01.0 (the GOP framebuffer hv
    # draws on); a QMP socket in the work directory (Launch.qmp_socket).
    decoy_nic: str = ''
    vga: bool = False
    qmp: bool = False
    display: str = 'none'  # QEMU's -display (scripts/run --display)


@dataclasses.dataclass
class Launch:
    argv: list
    use_pty: bool      # Bochs' `term` display needs a terminal
    serial_log: pathlib.Path
    env: dict = dataclasses.field(default_factory=dict)  # added to the environment
    qmp_socket: pathlib.Path = None  # QEMU's QMP server (Machine.qmp), else None


def nic_address(nic, decoy_nic='', vga=False):
    """The PCI address (bb:dd.f) of the forwarded card on a QEMU Machine."""
    if decoy_nic:
        return NIC_AFTER_DECOY
    if nic == 'e1000e' and vga:
        return '00:02.0'
    return NICS[nic]


def config_for_nic(config_text, nic, vga=False):
    """hv.cfg's text with the root's `pci = 00:02.0` moved to where QEMU puts nic."""
    return config_text.replace('pci = 00:02.0\n', f'pci = {nic_address(nic, vga=vga)}\n')


def default_mem(host):
    return 1024 if host == 'qemu' else 512


def prepare(machine, workdir):
    workdir = pathlib.Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if machine.host == 'qemu':
        return _qemu(machine, workdir)
    if machine.host in BOCHS_MODELS:
        return _bochs(machine, workdir)
    raise ValueError(f'unknown host {machine.host!r} (choose from {", ".join(HOSTS)})')


def _pcap_args():
    """QEMU arguments that record the root's NIC traffic (the guest side of
    user networking) into the pcap file $HV_QEMU_PCAP, headers and the first
    bytes of payload only; none when it is unset.  For debugging: the
    suite never sets it."""
    path = os.environ.get('HV_QEMU_PCAP')
    if not path:
        return []
    if ',' in path:
        raise ValueError(f'QEMU cannot use a pcap path containing ",": {path}')
    return ['-object', f'filter-dump,id=pcap0,netdev=n0,file={path},maxlen=160']


def _forwards(m):
    """(host port, guest port) pairs: the API's plain HTTP port 80, HTTPS's 443."""
    return [(m.port, 80)] + ([(m.tls_port, 443)] if m.tls_port else [])


def _qemu_nic(m):
    """The user-mode network with the root's ports 80 and 443 forwarded, on
    m.nic, after the decoy card on a network of its own when there is one."""
    user = 'user,id=n0,restrict=on' + ''.join(f',hostfwd=tcp:127.0.0.1:{host}-:{guest}'
                                              for host, guest in _forwards(m))
    if m.nic not in NICS:
        raise ValueError(f'unknown NIC {m.nic!r} (choose from {", ".join(NICS)})')
    if m.decoy_nic not in ('', *QEMU_NIC_DEVICES) or (m.decoy_nic and m.nic == 'e1000e'):
        raise ValueError(f'decoy NIC {m.decoy_nic!r}: e1000 or virtio, beside e1000 or virtio')
    if m.nic == 'e1000e':
        return ['-nic', user]
    decoy = ['-netdev', 'user,id=n1,restrict=on',
             '-device', f'{QEMU_NIC_DEVICES[m.decoy_nic]},netdev=n1,addr=02.0,mac={DECOY_MAC}'
             ] if m.decoy_nic else []
    addr = nic_address(m.nic, m.decoy_nic).split(':', 1)[1]
    return [*decoy, '-netdev', user,
            '-device', f'{QEMU_NIC_DEVICES[m.nic]},netdev=n0,addr={addr},mac={MAC}']


def _qemu_display(m, work):
    """The standard VGA and the QMP socket, when m asks for them."""
    # -vga, not -device: the machine creates it before -nic's card, at 01.0
    # as on QEMU's default q35, and -nic's card then takes 02.0.
    args = ['-vga', 'std'] if m.vga else []
    if not m.qmp:
        return args, None
    sock = work / 'qmp.sock'
    if len(str(sock)) > 100:  # sun_path holds 108 bytes
        raise ValueError(f'QMP socket path too long for a Unix socket: {sock}')
    return args + ['-qmp', f'unix:{sock},server=on,wait=off'], sock


def _qemu(m, work):
    esp = str(pathlib.Path(m.esp).resolve())
    if ',' in esp or ':' in esp:
        raise ValueError(f'QEMU cannot use an ESP path containing "," or ":": {esp}')
    shutil.copyfile(OVMF_VARS, work / 'vars.fd')
    serial = work / 'serial.log'
    cpu = ['-accel', 'kvm', '-cpu', 'host'] if m.accel == 'kvm' else \
          ['-accel', 'tcg', '-cpu', 'max']
    display, qmp = _qemu_display(m, work)
    argv = ['qemu-system-x86_64', '-nodefaults', '-machine', 'q35', *cpu,
            '-m', str(m.mem_mib), '-smp', str(m.smp),
            '-drive', f'if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}',
            '-drive', f'if=pflash,format=raw,unit=1,file={work / "vars.fd"}',
            '-drive', f'file=fat:rw:{esp},format=raw,if=ide',
            *display,
            *_qemu_nic(m),
            *_pcap_args(),
            '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
            '-serial', f'file:{serial}', '-display', m.display, '-monitor', 'none',
            '-no-reboot']
    return Launch(argv, False, serial, qmp_socket=qmp)


def _bochs(m, work):
    if m.accel != 'tcg':
        raise ValueError(f'{m.host} is an emulator: --accel {m.accel} needs --host qemu')
    if m.decoy_nic or m.vga or m.qmp:
        raise ValueError(f'{m.host}: a decoy NIC, the VGA and QMP are for QEMU only')
    serial, log = work / 'serial.log', work / 'bochs.log'
    slirp = work / 'slirp.conf'
    slirp.write_text('# slirp config\nrestricted = 1\n' +
                     ''.join(f'hostfwd = tcp:127.0.0.1:{host}-:{guest}\n'
                             for host, guest in _forwards(m)))
    rc = string.Template(TEMPLATE.read_text()).substitute(
        megs=m.mem_mib, model=BOCHS_MODELS[m.host], count=m.smp, serial=serial,
        log=log, slirp=slirp, esp=pathlib.Path(m.esp).resolve())
    (work / 'bochsrc').write_text(rc)
    # The debugger is compiled in: the command file tells it to continue.
    (work / 'cmds').write_text('c\n')
    argv = ['bochs-bin', '-q', '-f', str(work / 'bochsrc'), '-rc', str(work / 'cmds')]
    return Launch(argv, True, serial)
