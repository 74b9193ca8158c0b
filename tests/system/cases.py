# cases.py: the registry of system tests.  Each test boots one host with
# its own hv.cfg and checks the serial log: `expect` regexes in order,
# `forbid` regexes nowhere.  See docs/testing.md for how to add one.
import dataclasses
import re

import clients
import ivmctl_client
import linux_clients
import redfish_clients
import screen_client
import task_clients
import tls_clients
from hosts import default_mem

FATAL = (r'hv: panic', r'hv: EXCEPTION', r'hv: only \d+ of \d+ CPUs online',
         r'hv: test_exit: powering off \(failure\)')
DEFAULT_FORBID = FATAL + (r'boot: error',)
TIMEOUTS = {'qemu': 120, 'bochs-vmx': 600, 'bochs-svm': 600}


@dataclasses.dataclass
class Case:
    name: str
    host: str
    smp: int
    config: str                 # text of hv/hv.cfg
    expect: tuple               # regexes, in order
    forbid: tuple = DEFAULT_FORBID
    exits: bool = False         # must power off by itself after the last marker
    timeout: float = 0          # seconds; 0: the host's default
    mem_mib: int = 0            # 0: the host's default
    # A host-side client (clients.py): client(port, log) gets the host port
    # forwarded to the root's port 80 and a logger, and returns None or an
    # error string.  It runs in a thread from the first serial line matching
    # client_after; the test passes only when it returned None within
    # client_timeout seconds and every marker matched.
    client: object = None
    client_after: str = ''
    client_timeout: float = 120
    nic: str = 'e1000'          # the root's NIC on QEMU (hosts.NICS)
    decoy_nic: str = ''         # QEMU: a card before nic that gets no port (hosts.Machine)
    vga: bool = False           # QEMU: the standard VGA, whose GOP framebuffer hv draws on
    # Files of the test certificate set (tlscerts.test_set) the ESP gets in
    # \hv\ for hv.cfg's TLS keys; with any, the root's port 443 is forwarded
    # too and a client marked wants_tls gets tls=tlscerts.Endpoint(...).
    tls_files: tuple = ()

    def __post_init__(self):
        self.timeout = self.timeout or TIMEOUTS[self.host]
        self.mem_mib = self.mem_mib or default_mem(self.host)
        if self.client and not self.client_after:
            raise ValueError(f'{self.name}: a client needs client_after')


HYPERVISOR = r'''[hypervisor]
memory = 32M
log_level = info
serial = 0x3f8
test_exit = yes
'''
ROOT = r'''
[partition root]
role = root
cpus = 0
memory = 256M
image = \hv\root.elf
cmdline = "console=serial"
pci = 00:02.0
'''
GUEST = r'''
[partition testos1]
cpus = 1
memory = 64M
image = \hv\testos.elf
cmdline = "selftest"
'''
DEFAULT = HYPERVISOR + ROOT + GUEST

AMD_CPU = r'hv: cpu: AuthenticAMD\b'
INTEL_CPU = r'hv: cpu: GenuineIntel\b'
TCG_SVM = r'hv: virt: AMD-V revision \d+, NPT yes, nRIP save no, ASIDs \d+'
RYZEN_SVM = r'hv: virt: AMD-V revision \d+, NPT yes, nRIP save yes, ASIDs \d+'
SKYLAKE_VMX = (r'hv: virt: VT-x VMCS revision 0x[0-9a-fA-F]+, TRUE controls yes, '
               r'EPT yes, VPID yes, unrestricted guest yes')


def full_boot(ncpus, vendor, virt):
    """Markers of a complete start-up with test_exit, loader to power-off."""
    return (r'boot: hvboot 0\.1\.0',
            rf'boot: {ncpus} CPUs? .*\(BSP APIC id \d+\)',  # in MADT / from MP services
            r'boot: starting hv at 0x[0-9a-fA-F]+',
            r'hv: hypervisor 0\.1\.0 starting',
            vendor, virt,
            *[r'hv: CPU \d+ \(APIC id \d+\) online'] * ncpus,
            rf'hv: all {ncpus} CPUs? online',
            r'hv: test_exit: powering off \(success\)')


def partitions(*guests, root_mem='64M', guest_mem='16M'):
    """A test config: the root on CPU 0, then one testos guest per (name, cmdline)."""
    text = HYPERVISOR + ('\n[partition root]\nrole = root\ncpus = 0\n'
                         f'memory = {root_mem}\nimage = \\hv\\root.elf\n')
    for cpu, (name, cmdline) in enumerate(guests, 1):
        text += (f'\n[partition {name}]\ncpus = {cpu}\nmemory = {guest_mem}\n'
                 f'image = \\hv\\testos.elf\ncmdline = "{cmdline}"\n')
    return text


def faulted(name, reason):
    return rf'hv: partition {name} faulted: {reason}'


# The self-test suite passes in full, its last check (touching memory
# outside the partition) faults that partition only, the root runs on.
SELFTEST = (rf'hv: \[selftest\] selftest: \d+ passed, 0 failed',
            faulted('selftest', r'stage-2 violation \(read\) at GPA 0x1000000,'),
            r'hv: \[root\] root: alive')
SELFTEST_FORBID = FATAL + (r'boot: error', r'selftest: FAIL', r'testos: FAIL',
                           faulted('root', ''))

# Each way a guest can misbehave, and the fault hv must report for it.
CRASHES = {
    'triple': r'triple fault at RIP',
    'unmapped': r'stage-2 violation \(read\) at GPA 0x1000000,',
    'vmx': r'virtualization instruction at RIP',
    'msr': r'wrote forbidden MSR 0x',
    'stringio': r'string I/O \(INS/OUTS\) on port 0x',
    'invd': r'INVD at RIP 0x[0-9a-f]+ \(exit invd',
}


def containment(name, host, kinds, extra=()):
    """Guests that crash in the given ways beside a well-behaved one: each
    crash faults its partition only; the root and the good guest run on."""
    guests = [('good', '')] + [(f'crash-{k}', f'crash={k}') for k in kinds] + list(extra)
    expect = ({faulted(f'crash-{k}', CRASHES[k]) for k in kinds},
              {r'hv: \[root\] root: alive', r'hv: \[good\] testos: alive'})
    if extra:
        expect = ({*expect[0], *SELFTEST[:2]}, expect[1])
    return Case(name, host, len(guests) + 1, partitions(*guests), expect,
                forbid=SELFTEST_FORBID + (faulted('good', ''),))


def line_of(text, needle):
    """1-based number of the first line of text containing needle."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def config_error(name, config, needle, message=''):
    """A config whose line containing needle must be reported by the loader."""
    line = line_of(config, needle)
    return Case(name, 'qemu', 2, config,
                expect=(r'boot: hvboot 0\.1\.0',
                        rf'boot: error: \\hv\\hv\.cfg:{line}: {message}'),
                forbid=FATAL + (r'boot: starting hv',))


def screen_fallback_boot():
    """A full start-up on a machine with no display (-nodefaults): hv.cfg's
    console = screen falls back to serial, with a warning naming its line."""
    config = DEFAULT.replace('serial = 0x3f8\n', 'serial = 0x3f8\nconsole = screen\n')
    markers = list(full_boot(3, AMD_CPU, TCG_SVM))
    markers.insert(2, r'boot: screen: none \(no graphics output protocol\): hv logs to serial only')
    markers.insert(5, rf'hv: console: hv\.cfg line {line_of(config, "console = ")} asks for the '
                      r'screen, but the loader found no framebuffer')
    return Case('qemu-boot-smp3', 'qemu', 3, config, tuple(markers), exits=True)


CASES = [
    screen_fallback_boot(),
    Case('bochs-vmx-boot-smp2', 'bochs-vmx', 2, DEFAULT,
         full_boot(2, INTEL_CPU, SKYLAKE_VMX), exits=True),
    Case('bochs-svm-boot-smp1', 'bochs-svm', 1, HYPERVISOR + ROOT,
         full_boot(1, AMD_CPU, RYZEN_SVM), exits=True),
    Case('qemu-exception-report', 'qemu', 2,
         DEFAULT.replace('test_exit = yes\n', 'test_exit = yes\ntest_exception = yes\n'),
         expect=(r'hv: all 2 CPUs online',
                 r'hv: exception fixup: XSETBV of XCR1 took vector (6|13) and resumed',
                 r'hv: EXCEPTION #UD invalid opcode \(vector 6\) on CPU 0, error code 0x0',
                 r'hv:   RIP [0-9a-f]{16} CS [0-9a-f]{4}',
                 r'hv:   CR0 [0-9a-f]{16} CR2',
                 r'hv: CPU 0 stopped',
                 r'hv: test_exit: powering off \(failure\)'),
         forbid=(r'hv: panic', r'boot: error'), exits=True),
    Case('qemu-selftest', 'qemu', 2, partitions(('selftest', 'selftest')), SELFTEST,
         forbid=SELFTEST_FORBID, exits=True),
    # QEMU 7.2's TCG checks INVD against the WBINVD intercept (fixed upstream
    # in 2023), so hv's INVD intercept is seen on Bochs and hardware only.
    containment('qemu-containment', 'qemu', [k for k in CRASHES if k != 'invd']),
    containment('bochs-vmx-containment-a', 'bochs-vmx', ['triple', 'vmx'],
                extra=[('selftest', 'selftest')]),
    containment('bochs-vmx-containment-b', 'bochs-vmx', ['unmapped', 'msr', 'stringio']),
    # Bochs 2.7 has no SVM shutdown intercept for a guest's triple fault (it
    # stops the whole emulator; fixed upstream after 2.7), so the AMD-V
    # triple-fault case runs on QEMU only.
    containment('bochs-svm-containment-a', 'bochs-svm', ['vmx'],
                extra=[('selftest', 'selftest')]),
    containment('bochs-svm-containment-b', 'bochs-svm', ['unmapped', 'msr', 'stringio']),
    config_error('qemu-config-unknown-key',
                 DEFAULT.replace('role = root\n', 'role = root\ncolour = blue\n'),
                 'colour', r"unknown key 'colour'"),
    config_error('qemu-config-missing-image',
                 DEFAULT.replace(r'\hv\testos.elf', r'\hv\missing.elf'), 'missing.elf'),
    # The rules that need the image file are the loader's: an initrd (any
    # file that exists) and a command line over 255 characters are for a
    # bzImage, not for one of our ELF kernels.
    config_error('qemu-config-initrd-elf',
                 DEFAULT.replace('cmdline = "selftest"\n',
                                 'cmdline = "selftest"\ninitrd = \\hv\\root.elf\n'),
                 'initrd', r'partition testos1: initrd given for an ELF image'),
    config_error('qemu-config-elf-cmdline',
                 DEFAULT.replace('cmdline = "selftest"', f'cmdline = "selftest {"x" * 247}"'),
                 'cmdline = "selftest ',
                 r'partition testos1: cmdline of 256 characters, an ELF image takes at most 255'),
    config_error('qemu-config-missing-initrd',
                 DEFAULT.replace('cmdline = "selftest"\n',
                                 'cmdline = "selftest"\ninitrd = \\hv\\missing.img\n'),
                 'missing.img', r"initrd '\\hv\\missing\.img' of partition 'testos1' not found"),
]


# Partition management and isolation, driven by the root's and testos's
# knobs (docs/testing.md, "Partition kernels").
def managed(root_cmdline, *guests, root_mem='64M', root_pci=''):
    """A config with the root's command line, memory (SIZE or SIZE@BASE) and
    devices, then one testos guest per (name, cmdline[, memory])."""
    text = HYPERVISOR + ('\n[partition root]\nrole = root\ncpus = 0\n'
                         f'memory = {root_mem}\nimage = \\hv\\root.elf\n'
                         f'cmdline = "{root_cmdline}"\n')
    if root_pci:
        text += f'pci = {root_pci}\n'
    for cpu, (name, cmdline, *mem) in enumerate(guests, 1):
        text += (f'\n[partition {name}]\ncpus = {cpu}\nmemory = {mem[0] if mem else "16M"}\n'
                 f'image = \\hv\\testos.elf\ncmdline = "{cmdline}"\n')
    return text


def partition_forbid(*names):
    """The usual fatal lines, any FAIL or corrupted canary, and a fault of
    any of the named partitions."""
    return FATAL + (r'boot: error', r'\bFAIL\b', r'CORRUPTED', r'event ring dropped',
                    *[faulted(n, '') for n in names])


def cycles_case(name, host, guests, target, n, timeout):
    """The root stops, starts and resets `target` n times; hv must neither
    leak pool pages nor RAM, and every other partition runs on."""
    others = [g for g, _ in guests if g != target]
    canaries = [rf'hv: \[{g}\] testos: canary ok' for g, c in guests if 'canary' in c]
    return Case(name, host, len(guests) + 1,
                managed(f'cycles={n}:{target} canary', *guests),
                expect=(r'hv: \[root\] root: cycles: ' + target + r' \(id \d+\), baseline',
                        r'hv: \[root\] root: cycle 1 ok',
                        rf'hv: \[root\] root: cycles: {n} passed, 0 failed',
                        {r'hv: \[root\] root: canary ok', *canaries}),
                forbid=partition_forbid('root', *others), timeout=timeout)


# On QEMU with -m 1024 the loader reserves hv's 32 MiB at 0x39a00000
# (`hv: memory: 32 MiB reserved at 0x39a00000`), OVMF maps the e1000's
# BAR0 at 0xc0040000 (the root's pcicheck prints it), and RAM from 16 MiB
# up to hv's reservation is free for partitions (`hv: ram: ...`), so the
# root and the victim are pinned there.  A guest's GPA space holds only
# its own RAM, so any foreign GPA faults it; these name memory that is
# the root's, the victim's and hv's own on the host, and a device BAR.
HV_RESERVATION = 0x39a00000
E1000_BAR0 = 0xc0040000
HOSTILE_FAULTS = {
    'hostile-root-mem': ('mem:0x10000000', r'stage-2 violation \(read\) at GPA 0x10000000,'),
    'hostile-victim-mem': ('mem:0x14000000', r'stage-2 violation \(read\) at GPA 0x14000000,'),
    'hostile-hv-mem': (f'mem:{HV_RESERVATION:#x}',
                       rf'stage-2 violation \(read\) at GPA {HV_RESERVATION:#x},'),
    'hostile-bar': (f'bar:{E1000_BAR0:#x}', rf'stage-2 violation \(read\) at GPA {E1000_BAR0:#x},'),
    'hostile-ipi': ('ipi', r'stage-2 violation \(write\) at GPA 0xfee00300,'),
    'hostile-msr': ('msr', r'wrote forbidden MSR 0x3a\b'),
}
HOSTILE_GUESTS = (('victim', 'canary', '16M@0x14000000'),
                  *[(g, f'delay=2000 hostile={kind}') for g, (kind, _) in HOSTILE_FAULTS.items()],
                  ('polite', 'hostile=pcicfg:00:02.0 hostile=hypercall'))
ROOT_PCICHECK = rf'hv: \[root\] root: pcicheck ok 8086:100e bar0 {E1000_BAR0:#x} size 0x'

CASES += [
    # A cycle takes about 1 s on QEMU and 9 s on Bochs on a quiet host (50 s
    # when Bochs shares 2 cores with five other emulators); the
    # timeouts here and for the 9-CPU hostile case allow for a host shared
    # with other emulators.
    cycles_case('qemu-lifecycle-cycles', 'qemu', [('g1', 'canary'), ('g2', '')], 'g2', 20, 240),
    cycles_case('bochs-vmx-lifecycle-cycles', 'bochs-vmx', [('g1', '')], 'g1', 20, 1800),
    Case('qemu-hostile', 'qemu', len(HOSTILE_GUESTS) + 1,
         managed('canary pcicheck=00:02.0', *HOSTILE_GUESTS, root_mem='64M@0x10000000',
                 root_pci='00:02.0'),
         expect=({ROOT_PCICHECK,
                  *[faulted(g, reason) for g, (_, reason) in HOSTILE_FAULTS.items()],
                  r'hv: \[polite\] testos: hostile pcicfg invisible',
                  r'hv: \[polite\] testos: hostile hypercalls denied'},
                 {r'hv: \[root\] root: canary ok', r'hv: \[victim\] testos: canary ok'},
                 {r'hv: \[root\] root: canary ok', r'hv: \[victim\] testos: canary ok'}),
         forbid=partition_forbid('root', 'victim', 'polite'), timeout=240),
    # The default configuration, the guest's self-test without its final
    # fault (so the run does not end before the root's check).
    Case('qemu-root-pcicheck', 'qemu', 2,
         DEFAULT.replace('"console=serial"', '"console=serial pcicheck=00:02.0"')
                .replace('"selftest"', '"selftest=noisolation"'),
         expect=({ROOT_PCICHECK, r'hv: \[testos1\] selftest: \d+ passed, 0 failed'},
                 r'hv: \[root\] root: alive'),
         forbid=SELFTEST_FORBID + (r'pcicheck FAIL', faulted('testos1', ''))),
]


# PCI assignment refused at start-up: a `pci` entry naming a function the
# machine lacks, or a bridge (QEMU q35: 00:1f.0 is the ISA/LPC bridge).
# hv reports the partition's line and starts no partition.
def pci_refused(name, bdf, reason, vga=False):
    config = partitions(('g', '')) + f'pci = {bdf}\n'
    line = line_of(config, '[partition g]')
    return Case(name, 'qemu', 2, config, vga=vga,
                expect=(r'hv: pci: \d+ functions on buses',
                        rf'hv: config refused: partition g \(line {line}\): '
                        rf'pci {re.escape(bdf)} {reason}',
                        r'hv: test_exit: powering off \(failure\)'),
                forbid=(r'hv: panic', r'hv: EXCEPTION', r'boot: error', r'-> Starting'),
                exits=True)


CASES += [
    pci_refused('qemu-pci-refused-missing', '00:05.0', r'does not exist on this machine'),
    pci_refused('qemu-pci-refused-bridge', '00:1f.0', r'is a bridge'),
    # The standard VGA holds the framebuffer hv logs on: no partition gets it.
    pci_refused('qemu-pci-refused-screen', '00:01.0',
                r"has a memory BAR holding hv's screen console", vga=True),
]


# The synthetic bus: the root's VMBus server (mgmt/bus/) and a testos guest
# running its additions.  Every channel opens and negotiates, heartbeats
# come back, a shutdown_after request is answered and hv sees the guest off.
def bus_ready(guest, *services):
    return {rf'hv: \[root\] root: bus {guest}: {s} ready \(framework \d+\.\d+, service \d+\.\d+\)'
            for s in services}


BUS_SERVICES = ('shutdown', 'timesync', 'heartbeat', 'kvp', 'sessions', 'exec')


def heartbeat_ok(guest):
    """The root's line for a heartbeat answered with the right sequence
    number (logged at most every 5 s), whatever the share over its window.
    Not "(100% over": an answer later than heartbeat_ms counts as missed
    for the next 60 s, and a TCG vCPU thread on a loaded host can be that
    late through no fault of the bus (qemu-bus-flood under --stress 2 once
    waited 62 s for the window to forget one late answer; with a late
    answer more often than once a minute it would never pass).  A guest
    that stops answering is the forbidden "heartbeat lost" (three missed
    in a row)."""
    return rf'hv: \[root\] root: bus {guest}: heartbeat ok seq \d+ \(\d+% over'


CASES += [
    Case('qemu-bus-heartbeat', 'qemu', 3,
         managed('heartbeat_ms=500 shutdown_after=g2:12', ('g1', 'additions'), ('g2', 'additions')),
         expect=({r'hv: \[root\] root: bus g1: connected, version 5\.3',
                  r'hv: \[root\] root: bus g2: connected, version 5\.3'},
                 # The first heartbeats in the same step as the services: the
                 # root logs "heartbeat ok" at the first answer and then every
                 # 5 s, and a first one that came before the last service's
                 # line cannot match a later step; under load g1's next one
                 # came only after g2's shutdown, and the test waited for ever.
                 bus_ready('g1', *BUS_SERVICES) | bus_ready('g2', *BUS_SERVICES) |
                 {heartbeat_ok('g1'),
                  heartbeat_ok('g2')},
                 r'hv: \[root\] root: bus g2: shutdown answered, status 0x0 \(accepted\)',
                 r'hv: \[root\] root: event g2: Running -> Off \(guest poweroff\)',
                 r'hv: \[root\] root: bus g2: down \(Off\)',
                 heartbeat_ok('g1'),
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1', 'g2') + (r'root: bus .*: heartbeat lost',
                                                        r'root: bus .*: closing channel',
                                                        r'root: bus .*refused'),
         timeout=150),
    # The guest stops answering (hang_after): the root reports the heartbeat
    # lost after three missed and runs on.
    Case('qemu-bus-heartbeat-lost', 'qemu', 2,
         managed('heartbeat_ms=500', ('g1', 'additions hang_after=6')),
         expect=(heartbeat_ok('g1'),
                 r'hv: \[g1\] testos: hanging \(hang_after\)',
                 r'hv: \[root\] root: bus g1: heartbeat lost \(3 missed',
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1') + (r'root: bus .*: closing channel',),
         timeout=120),
]

# A guest whose screen is locked refuses an unforced shutdown
# (MACHINE_LOCKED) and keeps answering heartbeats.
CASES += [
    Case('qemu-bus-locked', 'qemu', 2,
         managed('heartbeat_ms=500 shutdown_after=g1:4', ('g1', 'additions locked')),
         expect=(r'hv: \[root\] root: bus g1: connected, version 5\.3',
                 r'hv: \[g1\] testos: shutdown requested \(power off\): refused',
                 r'hv: \[root\] root: bus g1: shutdown answered, status 0x800704f7',
                 heartbeat_ok('g1'),
                 r'hv: \[g1\] testos: alive'),
         forbid=partition_forbid('root', 'g1') + (r'root: bus .*: heartbeat lost',
                                                   r'partition g1 powered off')),
]

# reboot_after: the guest accepts a Shutdown request with the reboot flag,
# resets through 0xCF9, and its bus comes up again.
CASES += [
    Case('qemu-bus-reboot', 'qemu', 2,
         managed('heartbeat_ms=500 reboot_after=g1:4', ('g1', 'additions')),
         expect=(r'hv: \[g1\] testos: bus connected',
                 r'hv: \[g1\] testos: shutdown requested \(reboot\)$',
                 r'hv: \[root\] root: bus g1: shutdown answered, status 0x0 \(accepted\)',
                 r'hv: partition g1 requested a reset',
                 r'hv: \[g1\] testos: bus connected',
                 heartbeat_ok('g1'),
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1') + (r'root: bus .*: heartbeat lost',
                                                   r'partition g1 powered off'),
         timeout=120),
]


# clock_offset: the guest's wall clock starts an hour ahead; the root's SYNC
# (host time and the reference time it was read at) sets it within 1 ms.
CASES += [
    Case('qemu-bus-timesync', 'qemu', 2,
         managed('heartbeat_ms=500', ('g1', 'additions clock_offset=3600')),
         expect=(r'hv: \[g1\] testos: wall clock starts 3600 s off',
                 r'hv: \[root\] root: bus g1: timesync ready',
                 r'hv: \[g1\] testos: clock synced, off by -?([0-9]{1,3}|1000) us$',
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1') + (r'root: bus .*: closing channel',),
         timeout=120),
]

# The bus on VT-x (Bochs, slow): heartbeats, then a shutdown the guest
# accepts and carries out through ACPI S5.


# A misbehaving guest g2 beside a well-behaved g1: the root closes (rescinds)
# g2's heartbeat channel with a reason, g1's heartbeats keep coming and the
# root runs on; no partition faults.
def bus_misbehaving(name, knob, reason):
    return Case(name, 'qemu', 3,
                managed('heartbeat_ms=500', ('g1', 'additions'), ('g2', f'additions {knob}')),
                # The guest logs after it wrote the ring: the root may log first.
                expect=({rf'hv: \[g2\] testos: bus channel heartbeat: .*\({knob}\)',
                         rf'hv: \[root\] root: bus g2: closing channel \d+ \(heartbeat\): {reason}'},
                        heartbeat_ok('g1'),
                        r'hv: \[root\] root: alive'),
                forbid=partition_forbid('root', 'g1', 'g2') + (r'root: bus g1: heartbeat lost',
                                                               r'root: bus g1: closing channel'),
                timeout=120)


CASES += [
    bus_misbehaving('qemu-bus-corrupt-ring', 'bus_corrupt_ring', r'guest->root ring corrupt'),
    bus_misbehaving('qemu-bus-malformed', 'bus_malformed', r'malformed IC message'),
]

# bus_silent: g2 never answers the IC NEGOTIATE.  The root serves g1 on
# meanwhile and, as Hyper-V does, waits for g2's services (Linux answers
# KVP's NEGOTIATE only once hv_kvp_daemon runs): after 10 s one line per
# channel says so, no channel is closed and no service of g2 gets ready.
CASES += [
    Case('qemu-bus-silent', 'qemu', 3,
         managed('heartbeat_ms=500', ('g1', 'additions'), ('g2', 'additions bus_silent')),
         expect=(r'hv: \[root\] root: bus g2: connected, version 5\.3',
                 r'hv: \[g2\] testos: bus channel heartbeat: negotiate not answered \(bus_silent\)',
                 heartbeat_ok('g1') + ' [1-9]',
                 {rf'hv: \[root\] root: bus g2: {s}: no answer to NEGOTIATE in 10 s; '
                  r"waiting for the guest's service" for s in BUS_SERVICES},
                 heartbeat_ok('g1'),
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1', 'g2') + (r'root: bus g2: \w+ ready',
                                                        r'root: bus g2: closing channel',
                                                        r'root: bus g1: heartbeat lost',
                                                        r'root: bus g1: closing channel'),
         timeout=120),
]

# bus_flood: g2 spins on HvSignalEvent (heartbeat channel), then on
# HvPostMessage.  The root closes the flooded channel, then all of g2's bus
# (after which hv refuses g2's messages); g1's heartbeats and the root's
# ticks go on.  Whether g2 also meets hv's queue bound (INSUFFICIENT_BUFFERS)
# before the root closes its bus is a race between the two CPUs: a CI run
# saw 42 messages accepted and none refused for want of buffers when g2's
# CPU thread was descheduled, so the count may be 0 here; the bound itself
# is the host test synic's (tests/unit/test_synic.c).
CASES += [
    Case('qemu-bus-flood', 'qemu', 3,
         managed('heartbeat_ms=500', ('g1', 'additions'), ('g2', 'additions bus_flood')),
         expect=(r'hv: \[g2\] testos: bus flood: signalling the heartbeat channel',
                 r'hv: \[root\] root: bus g2: closing channel \d+ \(heartbeat\): '
                 r'flooding \(\d+ useless signals in \d+ ms\)',
                 r'hv: \[g2\] testos: bus flood: \d+ signals: \d+ accepted, [1-9]\d* refused '
                 r'\(last status 0x12\)',
                 r'hv: \[root\] root: bus g2: flooding \(\d+ messages in \d+ ms\): channels closed',
                 r'hv: \[root\] root: bus g2: down \(flooding\)',
                 r'hv: \[g2\] testos: bus flood: \d+ messages: \d+ accepted, \d+ insufficient '
                 r'buffers, [1-9]\d* refused \(last status 0x12\)',
                 heartbeat_ok('g1'),
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1', 'g2') + (r'root: bus g1: heartbeat lost',
                                                        r'root: bus g1: closing channel'),
         timeout=150),
]

# bus_foreign_flags: g1 signals its heartbeat connection naming flags 128,
# 256, ...: where the root's numbering (guest id * 128 + relid) puts g2's
# heartbeat flag and those of guests after it.  hv refuses each past the
# connection's one flag (INVALID_PARAMETER, 0x5), so the root never counts
# them against g2: g2's channels stay open and its heartbeats go on.
CASES += [
    Case('qemu-bus-foreign-flags', 'qemu', 3,
         managed('heartbeat_ms=500', ('g1', 'additions bus_foreign_flags'), ('g2', 'additions')),
         expect=(r'hv: \[g1\] testos: bus foreign flags: signalling other guests',
                 r'hv: \[g1\] testos: bus foreign flags: (\d+) signals: 0 accepted, \1 refused '
                 r'\(last status 0x5\)',
                 heartbeat_ok('g2'),
                 heartbeat_ok('g2'),
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1', 'g2') + (r'root: bus g2: heartbeat lost',
                                                        r'root: bus g2: closing channel',
                                                        r'root: bus g2: flooding'),
         timeout=150),
]

# reset: `loop` resets itself through port 0xCF9 at every start.  hv and
# the root log its first resets in full, then rate-limited (hv/part/
# partition.h PARTITION_LIFE_*, mgmt/events/events.c), so a guest in a
# reset loop cannot keep hv's UART busy; g2's canary and the root run on.
CASES += [
    Case('qemu-reset-loop', 'qemu', 3,
         managed('', ('loop', 'reset'), ('g2', 'canary')),
         expect=(r'hv: partition loop: \d+ life-cycle lines dropped \(the guest keeps resetting\)',
                 r'hv: \[root\] root: \d+ event lines about loop dropped '
                 r'\(it keeps resetting itself\)',
                 r'hv: \[g2\] testos: alive',
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g2', 'loop'),
         client=clients.reset_loop_lines('loop'),
         client_after=r'hv: \[loop\] testos: resetting',
         timeout=120),
]

# bus_oversized and bus_short: g2 writes packets whose descriptor lies
# (a length beyond the ring, or shorter than the descriptor, or a payload
# offset outside the packet), one variant per channel, or a packet larger
# than an IC message.  The root closes each of those channels with a
# reason; g1 and the root run on.
def bus_bad_packets(name, knob, variants):
    return Case(name, 'qemu', 3,
                managed('heartbeat_ms=500', ('g1', 'additions'), ('g2', f'additions {knob}')),
                expect=({rf'hv: \[g2\] testos: bus channel {svc}: .* sent \({knob}\)'
                         for svc, _ in variants} |
                        {rf'hv: \[root\] root: bus g2: closing channel \d+ \({svc}\): {reason}'
                         for svc, reason in variants},
                        heartbeat_ok('g1'),
                        r'hv: \[root\] root: alive'),
                forbid=partition_forbid('root', 'g1', 'g2') + (r'root: bus g1: heartbeat lost',
                                                               r'root: bus g1: closing channel',
                                                               r'not sent'),
                timeout=120)


CASES += [
    bus_bad_packets('qemu-bus-oversized', 'bus_oversized',
                    (('heartbeat', r'guest->root ring corrupt'), ('kvp', r'packet too large'))),
    bus_bad_packets('qemu-bus-short', 'bus_short',
                    (('heartbeat', r'guest->root ring corrupt'), ('kvp', r'guest->root ring corrupt'),
                     ('sessions', r'guest->root ring corrupt'),
                     ('exec', r'guest->root ring corrupt'))),
]


# The root's network (mgmt/net): the e1000 driver and lwIP bring up the
# address of hv.cfg's [management] section (DHCP from the emulator's slirp,
# or static), and the diagnostic net_hello service answers a host-side
# client through the forwarded port (clients.py).
NET_STATIC = """
[management]
address = 10.0.2.15/24
gateway = 10.0.2.2
http_port = 80
"""


def net_hello_case(name, host, mode, timeout=0, attempts=3, count=1):
    root = r'hv: \[root\] root: net: '
    # slirp leaves out the router option when restricted: DHCP may bring no gateway.
    gateway = r'10\.0\.2\.2' if mode == 'static' else r'(10\.0\.2\.2|0\.0\.0\.0)'
    up = root + rf'up 10\.0\.2\.15/24 gw {gateway} \({mode}\)'
    listening = root + r'hello listening on port 80'
    # DHCP binds after the listener starts; a static address is up before it.
    first, second = (listening, up) if mode == 'dhcp' else (up, listening)
    # Without test_exit: a configuration with no guest would end at start-up.
    config = managed('net_hello', root_pci='00:02.0').replace('test_exit = yes\n', '')
    if mode == 'static':
        config += NET_STATIC
    return Case(name, host, 1, config,
                expect=(r'boot: hvboot 0\.1\.0',
                        root + r'e1000 at 00:02\.0 mac 52:54:00:12:34:56, link up',
                        first, second,
                        root + rf'hello {count} sent to 10\.0\.2\.2:\d+',
                        r'hv: \[root\] root: alive'),
                forbid=partition_forbid('root') + (r'root: panic', root + r'hello .*failed',
                                                   root + r'no management configuration'),
                timeout=timeout,
                client=clients.tcp_hello(attempts=attempts, timeout=60 if attempts == 1 else 30,
                                         count=count),
                client_after=second, client_timeout=240 if attempts == 1 else 120)


CASES += [
    # 50 connections in a row: both 64-descriptor rings wrap several times.
    net_hello_case('qemu-net-hello', 'qemu', 'dhcp', count=50),
    net_hello_case('qemu-net-static', 'qemu', 'static'),
]

# The management configuration (hv.cfg [management] and [token NAME]): hv
# hands it to the root with HVCALL_MGMT_CONFIG, which a guest is refused;
# the root logs it without the token hashes.  A grant naming a partition the
# file lacks is refused by the loader with the line of the `rights` key.
MGMT_HASHES = ('3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b',
               '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')
MGMT = f'''
[management]
address = 10.0.2.15/24
gateway = 10.0.2.2
http_port = 8080

[token ops]
hash = {MGMT_HASHES[0]}
rights = *:read,control,execute

[token look]
hash = {MGMT_HASHES[1]}
rights = polite:read
'''

CASES += [
    Case('qemu-mgmt-config', 'qemu', 2,
         managed('', ('polite', 'hostile=hypercall')) + MGMT,
         expect=({r'hv: \[root\] root: mgmt: address 10\.0\.2\.15/24 gateway 10\.0\.2\.2, '
                  r'http 8080, 2 tokens',
                  r'hv: \[polite\] testos: hostile hypercalls denied'},
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'polite') + MGMT_HASHES + (MGMT_HASHES[0][:16],)),
    config_error('qemu-config-mgmt-unknown-vm',
                 DEFAULT + MGMT.replace('polite:read', 'nobody:read'), 'nobody:read',
                 r"token 'look' grants rights on 'nobody', which is not a partition"),
]

# guestos (mgmt/bus/guestos*.c): guestos_probe=<guest> runs a script of the
# requests the management API makes and logs each result.  g1 has the
# additions: its facts come from KVP and Sessions, Exec runs commands,
# parameters round-trip through KVP, the queue refuses a ninth request,
# log-offs end with ERROR_NO_SUCH_LOGON_SESSION, time sync re-enabled sends
# a SYNC, an unforced shutdown is accepted and the request right behind it
# fails with VM_E_VM_NOT_RUNNING when the partition goes off.  g2 has no
# additions: its request is refused at the call.
def guestos_line(guest, step, hr, name, rest=''):
    return rf'hv: \[root\] root: guestos {guest}: probe {step} {hr} {name}{rest}'


GUESTOS_FORBID = (r'root: guestos .*not awaited', r'root: bus .*: closing channel',
                  r'root: bus .*refused')

CASES += [
    Case('qemu-bus-guestos', 'qemu', 3,
         managed('heartbeat_ms=500 guestos_probe=g1 guestos_probe=g2', ('g1', 'additions'),
                 ('g2', '')),
         expect=({guestos_line('g1', 'early', '0xa0040505', 'VM_E_ADDITIONS_FEATURE_NOT_AVAIL',
                               ' at the call'),
                  guestos_line('g2', 'early', '0xa0040505', 'VM_E_ADDITIONS_FEATURE_NOT_AVAIL',
                               ' at the call')},
                 {r'hv: \[root\] root: guestos g1: notify additions 1',
                  r'hv: \[root\] root: guestos g1: notify heartbeat 1'},
                 r'hv: \[root\] root: guestos g1: probe facts os_name=testos computer_name=g1 '
                 r'additions_version=0\.1\.0 os_version=0\.1 os_major=0 os_minor=1$',
                 r'hv: \[root\] root: guestos g1: probe facts screen_locked=0 users=2 '
                 r'heartbeating=[01] heartbeat_percentage=\d+ time_sync=1$',
                 guestos_line('g1', 'users', '0x00000000', 'S_OK', ' n=2 users=alice:1,bob:2$'),
                 guestos_line('g1', 'execute', '0x00000000', 'S_OK',
                              r' exit=0 flags=0 output="hello from the root\\n"$'),
                 guestos_line('g1', 'execute_false', '0x00000000', 'S_OK',
                              ' exit=1 flags=0 output=""$'),
                 guestos_line('g1', 'execute_missing', '0x00000000', 'S_OK',
                              ' exit=127 flags=4 output=""$'),
                 guestos_line('g1', 'param_set', '0x00000000', 'S_OK$'),
                 guestos_line('g1', 'param_get', '0x00000000', 'S_OK',
                              ' value="probe value 42"$'),
                 guestos_line('g1', 'param_missing', '0xa0040300', 'VM_E_PREF_NOT_FOUND$'),
                 guestos_line('g1', 'param_bad', '0x80070057', 'E_INVALIDARG', ' at the call$'),
                 guestos_line('g1', 'param_empty', '0x80070057', 'E_INVALIDARG', ' at the call$'),
                 r'hv: \[root\] root: guestos g1: probe queue accepted=8 then 0xa0040203 '
                 r'VM_E_OUT_OF_RESOURCE$',
                 guestos_line('g1', 'after_cancel', '0x00000000', 'S_OK',
                              r' exit=0 flags=0 output="after cancel\\n"$'),
                 guestos_line('g1', 'logoff', '0x00000000', 'S_OK', ' n=2$'),
                 guestos_line('g1', 'logoff_forced', '0x80070520',
                              'ERROR_NO_SUCH_LOGON_SESSION$'),
                 guestos_line('g1', 'logoff_again', '0x80070520',
                              'ERROR_NO_SUCH_LOGON_SESSION$'),
                 r'hv: \[root\] root: guestos g1: probe facts screen_locked=0 users=0 '
                 r'heartbeating=1 heartbeat_percentage=\d+ time_sync=1$',
                 guestos_line('g1', 'time_sync_off', '0x00000000', 'S_OK', ' time_sync=0$'),
                 # the guest may log the SYNC before the root's line
                 {guestos_line('g1', 'time_sync_on', '0x00000000', 'S_OK', ' time_sync=1$'),
                  r'hv: \[g1\] testos: wall clock set to'},
                 guestos_line('g1', 'shutdown', '0x00000000', 'S_OK$'),
                 r'hv: \[root\] root: guestos g1: notify state Off guest poweroff',
                 {guestos_line('g1', 'after_shutdown', '0xa0040206', 'VM_E_VM_NOT_RUNNING$'),
                  r'hv: \[root\] root: guestos g1: notify additions 0'},
                 guestos_line('g1', 'shutdown_forced', '0xa0040206', 'VM_E_VM_NOT_RUNNING',
                              ' at the call$'),
                 guestos_line('g1', 'shutdown_again', '0xa0040206', 'VM_E_VM_NOT_RUNNING',
                              ' at the call$'),
                 r'hv: \[root\] root: guestos g1: probe done',
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1', 'g2') + GUESTOS_FORBID,
         timeout=150),
]

# The same script on a locked guest that ignores shutdowns and hangs later
# (hang_after): log-off and shutdown unforced are vetoed with
# ERROR_MACHINE_LOCKED, a forced log-off works, a forced shutdown is
# accepted (and ignored) and the next answered ERROR_SHUTDOWN_IN_PROGRESS;
# once the heartbeat is lost a request times out (VM_E_TIMED_OUT) and the
# root runs on.
CASES += [
    Case('qemu-bus-guestos-locked', 'qemu', 2,
         managed('heartbeat_ms=500 guestos_probe=g1',
                 ('g1', 'additions locked ignore_shutdown hang_after=15')),
         expect=(r'hv: \[root\] root: guestos g1: probe facts screen_locked=1 users=2 ',
                 guestos_line('g1', 'logoff', '0x800704f7', 'ERROR_MACHINE_LOCKED$'),
                 guestos_line('g1', 'logoff_forced', '0x00000000', 'S_OK', ' n=2$'),
                 guestos_line('g1', 'logoff_again', '0x80070520',
                              'ERROR_NO_SUCH_LOGON_SESSION$'),
                 r'hv: \[root\] root: guestos g1: probe facts screen_locked=1 users=0 ',
                 guestos_line('g1', 'shutdown', '0x800704f7', 'ERROR_MACHINE_LOCKED$'),
                 guestos_line('g1', 'after_shutdown', '0x00000000', 'S_OK',
                              r' exit=0 flags=0 output="after shutdown\\n"$'),
                 # the guest answers, then says it ignores the request
                 {guestos_line('g1', 'shutdown_forced', '0x00000000', 'S_OK$'),
                  r'hv: \[g1\] testos: ignoring the shutdown request'},
                 guestos_line('g1', 'shutdown_again', '0x8007045b', 'ERROR_SHUTDOWN_IN_PROGRESS$'),
                 r'hv: \[root\] root: guestos g1: probe done',
                 r'hv: \[g1\] testos: hanging \(hang_after\)',
                 r'hv: \[root\] root: guestos g1: notify heartbeat 0',
                 # the root also closes the channel that leaves a request unanswered
                 {guestos_line('g1', 'late', '0xa0040202', 'VM_E_TIMED_OUT$'),
                  r'hv: \[root\] root: bus g1: closing channel \d+ \(exec\): '
                  r'no answer to an exec request in 10 s'},
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1') + (r'root: guestos .*not awaited',
                                                   r'partition g1 powered off'),
         timeout=150),
]

# InstallAdditions' mechanism: g1 starts without its additions (no bus),
# polls its media drive; the root attaches the additions media after 6 s
# (attach_additions), g1 installs them from it and all six channels come up.
# The media stays in across a reboot: g1 installs the additions again.
CASES += [
    Case('qemu-bus-install-additions', 'qemu', 2,
         managed('heartbeat_ms=500 attach_additions=g1:6 reboot_after=g1:14', ('g1', '')),
         expect=(r'hv: \[root\] root: bus g1: up, offering 6 channels',
                 r'hv: \[g1\] testos: alive 2',
                 r'hv: \[root\] root: media: additions attached to g1',
                 r'hv: \[g1\] testos: additions installed from media',
                 r'hv: \[root\] root: bus g1: connected, version 5\.3',
                 # One step: the first "heartbeat ok" may come before the
                 # last service's line, and the next only 5 s later.
                 bus_ready('g1', *BUS_SERVICES) | {heartbeat_ok('g1')},
                 r'hv: partition g1 requested a reset',
                 r'hv: \[g1\] testos: additions installed from media',
                 r'hv: \[root\] root: bus g1: connected, version 5\.3',
                 heartbeat_ok('g1'),
                 r'hv: \[root\] root: alive'),
         forbid=partition_forbid('root', 'g1') + (r'root: bus .*: closing channel',
                                                   r'root: bus .*refused'),
         timeout=120),
]


# The management API end to end (docs/api.md): a host-side client talks
# HTTP through the forwarded port to the root's server and API, with the
# tokens of hv.cfg [token NAME]: 401 without a token, 403 for a right the
# token lacks, 404 for an unknown VM, the VM list, the guest's facts once
# its additions report them, an audited PATCH, the events log, /metrics
# (with the server's own 413 counted).
API_ADMIN, API_READER = 'api-admin-secret', 'api-reader-secret'


def api_client(attempts=5, pause=2, timeout=20):
    import http.client
    import json
    import time

    def request(port, method, path, token=None, body=None):
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
        headers = {'Authorization': f'Bearer {token}'} if token else {}
        if body is not None:
            headers['Content-Type'] = 'application/json'
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), data

    def expect_error(port, log, method, path, token, status, name):
        got, headers, data = request(port, method, path, token)
        log(f'{method} {path} -> {got} {data[:200]!r}')
        if got != status:
            return f'{method} {path}: status {got}, expected {status}'
        if json.loads(data)['error']['name'] != name:
            return f'{method} {path}: error {data!r}, expected {name}'
        if status == 401 and not headers.get('WWW-Authenticate', '').startswith('Bearer'):
            return f'{method} {path}: 401 without WWW-Authenticate: Bearer'
        return None

    def first_contact(port, log):
        last = 'no attempt'
        for attempt in range(1, attempts + 1):
            try:
                status, _, data = request(port, 'GET', '/api/v1/vms', API_ADMIN)
                vms = {v['name']: v for v in json.loads(data)['vms']}
                last = None if status == 200 and vms.get('testos1', {}).get('state') == 'Running' \
                    else f'{status} {data[:200]!r}'
            except (OSError, http.client.HTTPException, ValueError) as e:
                last = f'{type(e).__name__}: {e}'
            log(f'GET /api/v1/vms attempt {attempt}: {last or "ok"}')
            if last is None:
                return None
            time.sleep(pause)
        return last

    def guestos_reported(port, log):
        """The additions report OSName over KVP a few seconds after start."""
        for _ in range(30):
            status, _, data = request(port, 'GET', '/api/v1/vms/testos1/guestos', API_READER)
            if status != 200:
                return f'GET guestos: {status} {data!r}'
            g = json.loads(data)
            if g['OSName'] is not None and g['IsHeartbeating'] is True:
                log(f'GET guestos: {data!r}')
                return None
            time.sleep(1)
        return f'GET guestos never reported OSName and heartbeats: {data!r}'

    def client(port, log):
        error = first_contact(port, log)
        checks = (
            lambda: expect_error(port, log, 'GET', '/api/v1/vms', None, 401, 'E_ACCESSDENIED'),
            lambda: expect_error(port, log, 'GET', '/api/v1/vms', 'wrong', 401, 'E_ACCESSDENIED'),
            lambda: expect_error(port, log, 'GET', '/api/v1/vms/root', API_READER, 403,
                                 'E_ACCESSDENIED'),
            lambda: expect_error(port, log, 'PATCH', '/api/v1/vms/testos1/guestos', API_READER,
                                 403, 'E_ACCESSDENIED'),
            lambda: expect_error(port, log, 'GET', '/api/v1/vms/nosuch', API_ADMIN, 404,
                                 'VM_E_VM_UNKNOWN'),
            lambda: expect_error(port, log, 'GET', '/api/v1/nothing', API_ADMIN, 404,
                                 'ERROR_NOT_SUPPORTED'),
            lambda: guestos_reported(port, log),
        )
        for check in checks:
            error = error or check()
        if error:
            return error
        status, _, data = request(port, 'PATCH', '/api/v1/vms/testos1/guestos', API_ADMIN,
                                  '{"IsHostTimeSyncEnabled":false}')
        log(f'PATCH guestos -> {status} {data[:120]!r}')
        if status != 200 or json.loads(data)['IsHostTimeSyncEnabled'] is not False:
            return f'PATCH guestos: {status} {data!r}'
        status, _, data = request(port, 'GET', '/api/v1/events?since=0&wait=0', API_READER)
        log(f'GET /api/v1/events -> {status} {data[:300]!r}')
        events = json.loads(data)['events'] if status == 200 else []
        if not any(e['vm'] == 'testos1' and e['type'] == 'additionsReady' for e in events):
            return f'GET /api/v1/events: no additionsReady for testos1: {status} {data!r}'
        status, _, data = request(port, 'PUT', '/api/v1/vms/testos1/guestos/parameters/x',
                                  API_ADMIN, '{"value":"' + 'v' * 9000 + '"}')
        log(f'PUT with a 9 KiB body -> {status} {data[:120]!r}')
        if status != 413:
            return f'PUT with a 9 KiB body: {status} {data!r}, expected 413'
        status, headers, data = request(port, 'GET', '/metrics', API_READER)
        log(f'GET /metrics -> {status}, {len(data)} bytes')
        if status != 200 or b'hv_vm_state{vm="testos1"} 2' not in data:
            return f'GET /metrics: {status} {data[:300]!r}'
        if b'hv_http_refused_total{code="413"} 1\n' not in data:
            return f'GET /metrics does not count the 413: {data!r}'
        return None
    return client


def api_config():
    import hashlib
    h = {t: hashlib.sha256(t.encode()).hexdigest() for t in (API_ADMIN, API_READER)}
    config = managed('', ('testos1', 'additions'), root_pci='00:02.0')
    return config + (f'\n[management]\naddress = dhcp\nhttp_port = 80\ninsecure_http = yes\n'
                     f'\n[token admin]\nhash = {h[API_ADMIN]}\nrights = *:read,control,execute\n'
                     f'\n[token reader]\nhash = {h[API_READER]}\nrights = testos1:read\n')


CASES += [
    Case('qemu-api', 'qemu', 2, api_config(),
         expect=(r'hv: \[root\] root: api: 2 tokens configured',
                 r'hv: \[root\] root: http: listening on port 80',
                 r'hv: \[root\] root: net: up 10\.0\.2\.15/24',
                 r'hv: \[root\] root: api: admin: set-timesync testos1 false'),
         forbid=partition_forbid('root', 'testos1') + (r'root: panic',),
         client=api_client(), client_after=r'hv: \[root\] root: net: up 10\.0\.2\.15/24',
         client_timeout=150, timeout=240),
]

# ivmctl (tools/ivmctl, docs/ivmctl.md) against the root's API through the
# forwarded port, with boot/hv.cfg's development token: the VM list, a
# refused token, an unknown VM, exec with the command's output and status,
# a shutdown followed to its end, the state and events it left.  Started
# once testos1's exec service is ready; the first call waits for the API.
IVMCTL_CONFIG = (HYPERVISOR.replace('test_exit = yes\n', '') + ROOT +
                 GUEST.replace('"selftest"', '"additions"') + r'''
[management]
address = dhcp
http_port = 80
insecure_http = yes

[token developer]
hash = 33b65b8a8b200ce4f6a2dbc56927ee8b348e9409aefe00d91d88abc057bd136b
rights = *:read,control,execute
''')
IVMCTL_STEPS = (
    (['vms'], 0, r'^testos1\s+1\s+guest\s+Running'),
    (['--token', 'wrong', 'vms'], 5, None),
    (['guestos', 'nosuch'], 4, None),
    (['exec', 'testos1', 'echo', 'hello', 'from', 'ivmctl', '--wait'], 0, r'^hello from ivmctl$'),
    (['exec', 'testos1', 'false', '--wait'], 1, None),
    (['shutdown', 'testos1', '--timeout', '60', '--wait'], 0, r'^task \d+: .*: Success$'),
    (['vm', 'testos1'], 0, r'^state:\s+Off$'),
    (['events'], 0, r'taskCompleted task \d+ Success'),
)

# HTTPS (mgmt/http/http_tls.c, docs/http.md "TLS") in one boot: the root
# with a certificate of the test CA (tlscerts.test_set) and plain HTTP on
# port 80 without insecure_http.  The client (tls_clients.https) checks a
# half-open handshake is cut after 10 s, one request of every route group
# with curl --cacert, a token over plain HTTP refused (403) while a
# request without one still reaches the API, ivmctl over HTTPS (the
# steps above, ending in a shutdown --wait to Success), a wrong CA and a
# wrong fingerprint refused by ivmctl with the reason, a 20 s flood of full
# handshakes held to about half the root's time (its own handshake clock)
# while plain HTTP keeps answering, and testssl.sh finding nothing rated
# MEDIUM or worse.  testssl takes 1.5-5 minutes.
TLS_MANAGEMENT = r'''
[management]
address = dhcp
tls_cert = \hv\tls-cert.pem
tls_key = \hv\tls-key.pem
'''
HTTPS_CONFIG = IVMCTL_CONFIG.replace('\n[management]\naddress = dhcp\nhttp_port = 80\n'
                                     'insecure_http = yes\n', TLS_MANAGEMENT + 'http_port = 80\n')
MTLS_CONFIG = IVMCTL_CONFIG.replace('\n[management]\naddress = dhcp\nhttp_port = 80\n'
                                    'insecure_http = yes\n',
                                    TLS_MANAGEMENT + 'tls_client_ca = \\hv\\client-ca.pem\n')
ROOT_LINE = r'hv: \[root\] root: '

CASES += [
    Case('qemu-https', 'qemu', 2, HTTPS_CONFIG,
         expect=({ROOT_LINE + r'tls: TLS 1\.2, entropy from RD(SEED|RAND)',
                  ROOT_LINE + r'tls: certificate CN=hvroot test \(EC 256-bit key',
                  ROOT_LINE + r'http: listening on port 443 \(HTTPS\)',
                  ROOT_LINE + r'http: listening on port 80 \(plain HTTP\)',
                  ROOT_LINE + r'management API at https://10\.0\.2\.15:443/',
                  ROOT_LINE + r'bus testos1: exec ready'},
                 ROOT_LINE + r'api: developer: set-parameter testos1 tlsparam',
                 ROOT_LINE + r'event testos1: Running -> Off',
                 ROOT_LINE + r'alive'),
         forbid=partition_forbid('root', 'testos1') + (r'root: panic', r'HTTPS off'),
         tls_files=('tls-cert.pem', 'tls-key.pem'),
         client=tls_clients.https('dev-insecure-token-change-me', IVMCTL_STEPS),
         client_after=r'root: bus testos1: exec ready', client_timeout=1200, timeout=1400),
    # Mutual TLS: a client certificate the client CA signed gets in, and
    # the audit line names its subject; none, or a stranger's, is refused.
    Case('qemu-mtls', 'qemu', 2, MTLS_CONFIG,
         expect=({ROOT_LINE + r'tls: mutual TLS: a client certificate signed by one of 1 CA '
                              r'certificate is required',
                  ROOT_LINE + r'http: listening on port 443 \(HTTPS\)',
                  ROOT_LINE + r'bus testos1: exec ready'},
                 ROOT_LINE + r'api: developer \(client O=hv test, CN=operator alice\): '
                             r'set-timesync testos1 false'),
         forbid=partition_forbid('root', 'testos1') + (r'root: panic', r'HTTPS off'),
         tls_files=('tls-cert.pem', 'tls-key.pem', 'client-ca.pem'),
         client=tls_clients.mutual_tls('dev-insecure-token-change-me'),
         client_after=r'root: bus testos1: exec ready', client_timeout=240, timeout=360),
]


# The management HTTP server (mgmt/http, docs/http.md) on the root's network:
# keep-alive, pipelining, Connection: close, 413 and 400 with JSON errors,
# seen from the host through the forwarded port (clients.http_server).
# No token is configured, so the API behind it refuses every request (401);
# the HTTP layer is what this case checks.
def http_server_case(name, host, timeout=0):
    root = r'hv: \[root\] root: '
    # Without test_exit: a configuration with no guest would end at start-up.
    config = (managed('', root_pci='00:02.0').replace('test_exit = yes\n', '') +
              '\n[management]\nhttp_port = 80\n')
    return Case(name, host, 1, config,
                expect=(r'boot: hvboot 0\.1\.0',
                        root + r'http: listening on port 80',
                        root + r'net: up 10\.0\.2\.15/24',
                        root + r'alive'),
                forbid=partition_forbid('root') + (r'root: panic', root + r'http: cannot'),
                timeout=timeout, client=clients.http_server(),
                client_after=root + r'net: up 10\.0\.2\.15/24', client_timeout=150)


CASES += [
    http_server_case('qemu-http-server', 'qemu'),
]


# The task engine end to end (docs/tasks.md): a host-side client drives the
# management API (task_clients.py) and checks each task's result and the
# order of hv's reports in the events log; the serial log shows the root's
# task lines.  No test_exit: the run ends when the client and the markers
# are done (a guest that powers off would otherwise end it at once).
def task_case(name, guest_cmdline, client, expect, after, forbid=(), timeout=150):
    config = (managed('heartbeat_ms=500', ('g1', guest_cmdline), root_pci='00:02.0')
              .replace('test_exit = yes\n', '') + task_clients.CONFIG)
    return Case(name, 'qemu', 2, config,
                expect=tuple(e if e.startswith('hv: ') else rf'hv: \[root\] root: task {e}'
                             for e in expect),
                forbid=partition_forbid('root', 'g1') + (r'root: panic',) + forbid,
                timeout=timeout, client=client, client_after=after, client_timeout=timeout - 10)


TASK_API_UP = heartbeat_ok('g1')

CASES += [
    # Shutdown: accepted, then Success only once hv reports g1 Off.
    task_case('qemu-task-shutdown', 'additions', task_clients.shutdown_success('g1'),
              (r'1: Shutdown g1 \(shutdown\)',
               r'hv: partition g1 powered off',
               r'1: Shutdown g1: Success \(0x00000000 S_OK\)'),
              TASK_API_UP),
    # A locked guest vetoes an unforced shutdown: ERROR_MACHINE_LOCKED, g1 runs on.
    task_case('qemu-task-shutdown-locked', 'additions locked',
              task_clients.shutdown_locked('g1'),
              (r'1: Shutdown g1 \(shutdown\)',
               r'1: Shutdown g1: UnexpectedError \(0x800704f7 ERROR_MACHINE_LOCKED\)'),
              TASK_API_UP, forbid=(r'partition g1 powered off',)),
    # A guest that accepts and then ignores a shutdown: TimeOutError after
    # timeoutSeconds; the guest answers the next one SHUTDOWN_IN_PROGRESS.
    task_case('qemu-task-shutdown-timeout', 'additions ignore_shutdown',
              task_clients.shutdown_timeout('g1'),
              (r'1: Shutdown g1 \(shutdown\)',
               r'hv: \[g1\] testos: ignoring the shutdown request',
               r'1: Shutdown g1: TimeOutError \(0xa0040202 VM_E_TIMED_OUT\)',
               r'2: Shutdown g1: UnexpectedError \(0x8007045b ERROR_SHUTDOWN_IN_PROGRESS\)'),
              TASK_API_UP, forbid=(r'partition g1 powered off',)),
    # A forced restart of a hung guest: no answer in 5 s, the root resets g1
    # through hv, Success once it runs again.
    task_case('qemu-task-restart-hung', 'additions hang_after=12',
              task_clients.restart_forced_hung('g1'),
              (r'hv: \[g1\] testos: hanging \(hang_after\)',
               r'1: Restart g1 \(restart\)',
               r'1: no answer from g1 in 5000 ms: resetting it through hv',
               r'1: Restart g1: Success \(0x00000000 S_OK\)'),
              r'hv: \[g1\] testos: hanging \(hang_after\)'),
    # Execute, logoff, restart through the guest; turnoff, start, reset through hv.
    task_case('qemu-task-guest-and-power', 'additions', task_clients.guest_and_power('g1'),
              (r'1: Execute on g1: Success',
               r'3: Execute on g1: IllegalValueError \(0x80070057 E_INVALIDARG\)',
               r'5: Logoff g1: UnexpectedError \(0x80070520 ERROR_NO_SUCH_LOGON_SESSION\)',
               r'6: Restart g1: Success',
               r'7: Turn off g1: Success',
               r'8: Start g1: Success',
               r'9: Reset g1: Success'),
              TASK_API_UP, timeout=200),
    # InstallAdditions on a guest without them: media attached, additions up,
    # Success once their version is read from KVP.
    # Parameters, users, InstallAdditions with additions present, the wait
    # bounds, cancel of a finished task, 405/404, and a VM that is off.
    task_case('qemu-task-api-methods', 'additions version_ex', task_clients.guestos_data('g1'),
              (r'\d+: Install additions on g1: Success \(0x00000000 S_OK\)',
               r'\d+: Turn off g1: Success \(0x00000000 S_OK\)'),
              TASK_API_UP),
    task_case('qemu-task-install-additions', '', task_clients.install_additions('g1'),
              (r'1: Install additions on g1 \(install-additions\)',
               r'hv: \[g1\] testos: additions installed from media',
               r'1: Install additions on g1: Success \(0x00000000 S_OK\)'),
              r'hv: \[g1\] testos: alive 2'),
]

# The Redfish face (docs/redfish.md) with clients from Debian packages,
# all against one boot (redfish_clients.py): the service root's links,
# 403 for a token without rights, a redfishtool session logged in and
# out, redfishtool's list, read, GracefulShutdown and On with the SSE
# stream carrying the power changes and task completions, then a
# python3-sushy script resetting g1 with every ResetType and following
# each task through its monitor.  The root's audit lines show each face
# went through the same task engine.
def redfish_case():
    root = r'hv: \[root\] root: '
    config = (managed('heartbeat_ms=500', (redfish_clients.SYSTEM, 'additions'),
                      root_pci='00:02.0').replace('test_exit = yes\n', '') + redfish_clients.CONFIG)
    return Case('qemu-redfish', 'qemu', 2, config,
                expect=(root + r'api: ops: login - session 1',
                        root + r'api: ops: logout - session 1',
                        root + r'api: ops: shutdown g1 ResetType=GracefulShutdown task \d+',
                        root + r'task \d+: Shutdown g1: Success',
                        root + r'api: ops: start g1 ResetType=On task \d+',
                        root + r'api: ops: restart g1 ResetType=GracefulRestart task \d+',
                        root + r'task \d+: Restart g1: Success',
                        root + r'api: ops: turnoff g1 ResetType=ForceOff task \d+',
                        root + r'api: ops: start g1 ResetType=PowerCycle task \d+',
                        root + r'task \d+: Start g1: Success'),
                forbid=partition_forbid('root', 'g1') + (r'root: panic',),
                client=redfish_clients.clients(),
                client_after=heartbeat_ok('g1'),
                client_timeout=420, timeout=480)


CASES += [redfish_case()]


# VT-x end to end, the one Bochs run of the bus and the API (Bochs is slow,
# so one case covers both issues' VT-x acceptance): the e1000 behind Bochs'
# slirp hostfwd, the bus heartbeat, ivmctl reading IsHeartbeating through
# the API, then an API shutdown task that succeeds only once hv has seen
# the guest's ACPI S5, all over HTTPS (the root seeding its DRBG from
# Bochs' RDSEED).  Slirp listens with a backlog of 1: ivmctl makes one
# connection at a time.
BOCHS_API_STEPS = (
    (['vms'], 0, r'^testos1\s+1\s+guest\s+Running'),
    (['guestos', 'testos1'], 0, r'^IsHeartbeating:\s+true$'),
    (['shutdown', 'testos1', '--timeout', '300', '--wait'], 0, r'^task \d+: .*: Success$'),
    (['vm', 'testos1'], 0, r'^state:\s+Off$'),
)

CASES += [
    Case('bochs-vmx-api-heartbeat-shutdown', 'bochs-vmx', 2,
         IVMCTL_CONFIG.replace('\n[management]\naddress = dhcp\nhttp_port = 80\n'
                               'insecure_http = yes\n', TLS_MANAGEMENT),
         expect=({r'hv: \[root\] root: net: up 10\.0\.2\.15/24',
                  ROOT_LINE + r'tls: TLS 1\.2, entropy from RDSEED',
                  ROOT_LINE + r'http: listening on port 443 \(HTTPS\)',
                  heartbeat_ok('testos1')},
                 r'hv: \[root\] root: bus testos1: shutdown answered, status 0x0 \(accepted\)',
                 r'hv: partition testos1 powered off \(ACPI S5\)'),
         forbid=partition_forbid('root', 'testos1') + (r'root: bus .*: closing channel',
                                                        r'root: panic', r'HTTPS (off|refused)'),
         tls_files=('tls-cert.pem', 'tls-key.pem'),
         client=ivmctl_client.ivmctl(BOCHS_API_STEPS, ready_timeout=300, https=True),
         client_after=r'root: bus testos1: heartbeat ok seq \d+', client_timeout=700,
         timeout=1200),
]


# The Linux guest (docs/linux-guest.md): Debian's unmodified kernel and the
# initramfs of guest/linux, from \linux\vmlinuz and \linux\initrd.img on the
# ESP (scripts/mkesp.py), booted by hv as a partition beside the root and a
# testos guest.  Lines of the guest's console come as `hv: [linux] ...`; the
# kernel's own start with its time stamp (`[    1.234567] `).
LINUX_CMDLINE = 'console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 nokaslr'
# hv (32M) + root (64M) + Linux (512M) + testos (16M) = 624 MiB in one
# contiguous free block; with 1024 MiB of RAM the loader leaves about
# 900 MiB below hv's reservation (see HV_RESERVATION above).  Bochs'
# default of 512 MiB is too little.
LINUX_MEM_MIB = 1024


def linux_partition(name='linux', cpus='1-2', memory='512M', cmdline=LINUX_CMDLINE):
    """A Linux partition; `hostname=NAME` makes /init name the guest after
    it, which hv_kvp_daemon reports as FullyQualifiedDomainName."""
    return (f'\n[partition {name}]\ncpus = {cpus}\nmemory = {memory}\n'
            f'image = \\linux\\vmlinuz\ninitrd = \\linux\\initrd.img\n'
            f'cmdline = "{cmdline} hostname={name}"\n')


def linux_config(root_cmdline, linux, *guests, api=False):
    """hv without test_exit (nothing here powers the machine off), the
    root on CPU 0 (with the e1000 and task_clients' API token if api), the
    Linux partition's text, then testos guests (name, cmdline, cpu)."""
    text = (HYPERVISOR.replace('test_exit = yes\n', '') +
            '\n[partition root]\nrole = root\ncpus = 0\nmemory = 64M\n'
            f'image = \\hv\\root.elf\ncmdline = "{root_cmdline}"\n')
    if api:
        text += 'pci = 00:02.0\n'
    text += linux
    for name, cmdline, cpu in guests:
        text += (f'\n[partition {name}]\ncpus = {cpu}\nmemory = 16M\n'
                 f'image = \\hv\\testos.elf\ncmdline = "{cmdline}"\n')
    return text + (task_clients.CONFIG if api else '')


def linux_line(name, text):
    """A line of the guest's console; kernel lines carry a time stamp first."""
    return rf'hv: \[{name}\] ' + text


def linux_kernel_line(name, text):
    """A line of the kernel's log.  The kernel's time stamp may come after
    the start of a line that userspace (/init, syslogd) was writing to the
    same console: 'hv: [linux] Jan  1 00:00:02 sysl[    4.74] hv_vmbus: ...'."""
    return rf'hv: \[{name}\] (.*)?\[\s*\d+\.\d+\] ' + text


def linux_boot(name, ncpus):
    """From hv starting the partition to /init's first lines: Debian's
    banner (init/main.c), Hyper-V detected (arch/x86/kernel/cpu/
    hypervisor.c, the name from mshyperv.c), its CPUs up (linux/kernel/smp.c),
    the reference TSC page as clocksource (linux/kernel/time/clocksource.c;
    drivers/clocksource/hyperv_timer.c rates it 500 above the TSC's 300
    while hv does not announce AccessTscInvariant, CPUID 0x40000003 EAX
    bit 15), then guest/linux/init."""
    cpus = f'0-{ncpus - 1}' if ncpus > 1 else '0'
    return (rf'hv: partition {name}: Starting -> Running',
            linux_kernel_line(name, r'Linux version 6\.1\.'),
            {linux_kernel_line(name, r'Hypervisor detected: Microsoft Hyper-V'),
             linux_kernel_line(name, rf'smp: Brought up 1 node, {ncpus} CPUs?$'),
             linux_kernel_line(name, r'clocksource: Switched to clocksource '
                                     r'hyperv_clocksource_tsc_page$')},
            linux_line(name, r'.*linux-guest: userspace up'),
            linux_line(name, rf'.*linux-guest: kernel 6\.1\.\S+, {ncpus} CPUs online \({cpus}\)'))


def linux_bus_up(name):
    """hv_vmbus connects at VMBus 5.3 (drivers/hv/connection.c), hv_utils
    opens Shutdown, TimeSync, Heartbeat and KVP and the root sees each
    negotiated (mgmt/bus/bus_ic.c); the first heartbeat comes back.  That
    /init started hv_kvp_daemon and that it answers is the clients' to
    check (the guest's facts come from it; linux_forbid has its failures)."""
    root = r'hv: \[root\] root: '
    # One unordered step (the first heartbeat included): the guest's and
    # the root's lines race each other.  No line of /init or of the daemon
    # is relied on: they go through the tty's buffer, which the kernel's
    # own lines overtake, and a client that starts at the first heartbeat
    # can have read the daemon's facts and asked for a shutdown before
    # "hv_kvp_daemon started" reaches the console (seen under Bochs at
    # load 7: the line came after the root's shutdown task, so the ordered
    # task marker matched a later task and the hv_utils line was missed),
    # and the daemon's "KVP LIC Version" comes through syslogd later still
    # (seen cut by the kernel's "reboot: Power down").
    return ({linux_kernel_line(name, r'hv_vmbus: Vmbus version:5\.3$'),
             root + rf'bus {name}: connected, version 5\.3'} |
            bus_ready(name, 'shutdown', 'timesync', 'heartbeat', 'kvp') |
            {root + rf'bus {name}: heartbeat ok seq \d+'},)


def linux_forbid(name, *others, bus=True):
    """hv's fatal lines, a fault of any partition, our kernels' FAIL and
    CORRUPTED lines, and from Linux: a panic or oops, an MSR access hv
    refused (arch/x86/mm/extable.c).  With bus: also a module that did not
    load, hv_kvp_daemon not started or exiting (guest/linux/init restarts
    it), and the root closing one of the guest's channels, losing its
    heartbeat or refusing its messages."""
    ours = '|'.join(['root', *others])
    forbid = FATAL + (r'boot: error', r'hv: partition \S+ faulted', r'event ring dropped',
                      rf'hv: \[({ours})\] .*\bFAIL\b', r'CORRUPTED', r'root: panic',
                      r'Kernel panic', r'\bBUG:', r'\bOops\b', r'Attempted to kill init',
                      r'unchecked MSR access error')
    if bus:
        forbid += (linux_line(name, r'linux-guest: insmod \S+: (failed|skipped)'),
                   linux_line(name, r'linux-guest: (hv_utils not loaded|no /dev/vmbus/hv_kvp)'),
                   linux_line(name, r'linux-guest: hv_kvp_daemon exited'),
                   rf'root: bus {name}: closing channel', rf'root: bus {name}: heartbeat lost',
                   r'root: bus .*refused', rf'root: bus {name}: .* not sent')
    return forbid

def linux_restart(name):
    """An API restart through hv_utils: Linux's orderly reboot ends in the
    reset stub at the reset vector (hv/plat/boot_layout.h), whose write to
    port 0xcf9 makes hv reset the partition; the kernel boots again and
    its bus comes back."""
    root = r'hv: \[root\] root: '
    boot = linux_boot(name, 2)
    return (root + rf'task \d+: Restart {name} \(restart\)',
            linux_kernel_line(name, r'hv_utils: Restart request received - '
                                    r'graceful restart initiated$'),
            linux_kernel_line(name, r'reboot: machine restart$'),
            rf'hv: partition {name} requested a reset \(port 0xcf9\)',
            # the task ends when hv reports Running again: the same moment
            # as the first line of the new boot
            {root + rf'task \d+: Restart {name}: Success \(0x00000000 S_OK\)',
             boot[0]},
            *boot[1:], *linux_bus_up(name))


def linux_boot_bus_shutdown(name, restart=False):
    """Boot on two CPUs, the bus up, with restart an API restart, then an
    API shutdown through hv_utils that ends Success only after hv saw the
    guest's ACPI S5."""
    root = r'hv: \[root\] root: '
    return (*linux_boot(name, 2), *linux_bus_up(name),
            *(linux_restart(name) if restart else ()),
            root + rf'task \d+: Shutdown {name} \(shutdown\)',
            linux_kernel_line(name, r'hv_utils: Shutdown request received - '
                                    r'graceful shutdown initiated$'),
            linux_kernel_line(name, r'reboot: Power down$'),
            rf'hv: partition {name} powered off',
            root + rf'task \d+: Shutdown {name}: Success \(0x00000000 S_OK\)')


CASES += [
    # Linux on two CPUs beside the root and a testos guest, both keeping
    # memory canaries: after Linux reached /init's idle loop (its modules
    # loaded and hv_kvp_daemon up) the canaries are checked twice more.
    # The client compares the guest's /proc/uptime with the host's clock.
    Case('qemu-linux-boot', 'qemu', 4,
         linux_config('canary', linux_partition(cmdline=LINUX_CMDLINE + ' uptime_every=2'),
                      ('testos1', 'canary', 3)),
         expect=(*linux_boot('linux', 2),
                 linux_line('linux', r'.*linux-guest: idle'),
                 {r'hv: \[root\] root: canary ok', r'hv: \[testos1\] testos: canary ok'},
                 {r'hv: \[root\] root: canary ok', r'hv: \[testos1\] testos: canary ok'}),
         forbid=linux_forbid('linux', 'testos1', bus=False), mem_mib=LINUX_MEM_MIB,
         client=linux_clients.guest_clock_rate('linux'),
         client_after=linux_line('linux', r'.*linux-guest: idle'), client_timeout=120,
         timeout=300),
    # The bus and the API with Linux's own integration services: facts from
    # hv_kvp_daemon, heartbeats, a KVP parameter, Logoff refused (no
    # Sessions service), a restart that brings the bus back, then a
    # shutdown (orderly_poweroff -> /sbin/poweroff, ACPI S5).
    Case('qemu-linux-bus', 'qemu', 3,
         linux_config('', linux_partition(), api=True),
         expect=linux_boot_bus_shutdown('linux', restart=True),
         forbid=linux_forbid('linux'), mem_mib=LINUX_MEM_MIB,
         client=linux_clients.linux_bus('linux'),
         client_after=heartbeat_ok('linux'),
         client_timeout=560, timeout=600),
]

def linux_late_kvp_boot(name):
    """A boot with kvp_delay: the root waits for KVP's NEGOTIATE (one
    'waiting' line) and KVP gets ready once hv_kvp_daemon starts."""
    root = r'hv: \[root\] root: '
    late = root + rf"bus {name}: kvp: no answer to NEGOTIATE in 10 s; waiting for the guest's service"
    up = linux_bus_up(name)[0] - bus_ready(name, 'kvp')
    return (*linux_boot(name, 2), up | {late},
            {linux_line(name, r'.*hv_kvp_daemon started'), *bus_ready(name, 'kvp')})


def linux_faults_markers(name):
    """Stopped mid-boot twice, then a panic that resets the guest, then a
    panic that hangs it until a forced restart; each time Linux boots
    again with its bus; the neighbours' canaries hold to the end."""
    root = r'hv: \[root\] root: '
    # /init's "test action" line is not a marker: the kernel's panic
    # output may cut it on the shared console.
    # Linux's panic notifier (drivers/hv/vmbus_drv.c) writes the crash
    # registers hv offers (hv/emul/guest_crash.h); hv logs the report
    panic = {linux_kernel_line(name, r'Kernel panic - not syncing: sysrq triggered crash$'),
             rf'hv: partition {name}: the guest reported a crash \(vCPU \d+\): P0 0x'}
    return (rf'hv: partition {name}: Starting -> Running',
            linux_kernel_line(name, r'Linux version 6\.1\.'),
            *[rf'hv: partition {name}: \w+ -> Off', rf'hv: partition {name}: Off -> Starting'] * 2,
            *linux_late_kvp_boot(name),
            # panic=-1: Linux unloads its VMBus (drivers/hv/vmbus_drv.c,
            # hv_panic_vmbus_unload) and restarts at once, through the reset stub
            panic, rf'hv: partition {name} requested a reset \(port 0xcf9\)',
            *linux_late_kvp_boot(name),
            # panic=0: the kernel spins for ever (linux/kernel/panic.c) after its bus left
            panic, {root + rf'bus {name}: unloaded',
                    linux_kernel_line(name, r'---\[ end Kernel panic - not syncing: '
                                            r'sysrq triggered crash \]---')},
            root + rf'task \d+: Reset {name}: Success \(0x00000000 S_OK\)',
            *linux_late_kvp_boot(name)[1:],
            {root + 'canary ok', r'hv: \[testos1\] testos: canary ok'},
            {root + 'canary ok', r'hv: \[testos1\] testos: canary ok'})


# Robustness: Linux stopped mid-boot, panicking into a reset, panicking
# into a hang; the root (with the API) and a testos neighbour keep running
# with their canaries intact, and Linux comes back each time.  Its
# hv_kvp_daemon starts 20 s late (kvp_delay), so the root must wait for
# KVP's NEGOTIATE (mgmt/bus/bus_ic.c) instead of closing the channel.
CASES += [
    Case('qemu-linux-faults', 'qemu', 4,
         linux_config('canary', linux_partition(
             cmdline=LINUX_CMDLINE + ' kvp_delay=20 test_actions'), ('testos1', 'canary', 3),
             api=True),
         expect=linux_faults_markers('linux'),
         forbid=FATAL + (r'boot: error', r'hv: partition \S+ faulted', r'event ring dropped',
                         r'hv: \[(root|testos1)\] .*\bFAIL\b', r'CORRUPTED', r'root: panic',
                         r'\bBUG:', r'\bOops\b', r'Attempted to kill init',
                         r'unchecked MSR access error',
                         r'root: bus linux: closing channel', r'root: bus .*refused',
                         linux_line('linux', r'linux-guest: insmod \S+: (failed|skipped)')),
         mem_mib=LINUX_MEM_MIB,
         client=linux_clients.linux_faults('linux'),
         client_after=linux_kernel_line('linux', r'Linux version 6\.1\.'),
         client_timeout=900, timeout=960),
]

# The same kernel on VT-x (Bochs, corei7_skylake_x): boot on two CPUs, the
# bus with hv_utils and hv_kvp_daemon, then an API shutdown that succeeds
# only once hv has seen the guest's ACPI S5.  Bochs runs about 40 million
# instructions a second.  Booted directly by OVMF (EFI stub, one CPU, no
# hv) the kernel reached /init's idle line 3.6 min after power-on: 54 s to
# the EFI shell, 2 min reading the 10 MB of kernel and initramfs from the
# vvfat disk (hv's loader does the same), 36 s from the banner to
# userspace.  hv starts the partition 75 s after power-on (measured with a
# testos image in its place), and under hv every console byte and LSR poll
# of the guest is an exit: estimated 6-10 min in all on a quiet host.  The
# timeout allows three times that (CI runs two emulators on two cores);
# the client's waits end before it.
CASES += [
    Case('bochs-vmx-linux-shutdown', 'bochs-vmx', 3,
         linux_config('', linux_partition(), api=True),
         expect=linux_boot_bus_shutdown('linux'),
         forbid=linux_forbid('linux'), mem_mib=LINUX_MEM_MIB,
         client=linux_clients.linux_shutdown('linux', within=1500),
         client_after=heartbeat_ok('linux'),
         client_timeout=1700, timeout=1800),
]


# The root's NICs (mgmt/net/nic.h): the API reached through hostfwd on each
# card QEMU offers a new user.  e1000e: `-machine q35 -nic user` with no
# -device (QEMU's default, an 82574L at 00:01.0); virtio: virtio-net-pci
# with disable-legacy=on (1af4:1041); e1000: the 82540EM the other cases
# use.  The client is the qemu-api one (tokens, errors, guest facts, PATCH,
# events, /metrics); the markers add the card's line and the address line.
NIC_LINES = {
    'e1000': r'e1000 at 00:02\.0 mac 52:54:00:12:34:56, link up \(82540EM 8086:100e\)',
    'e1000e': r'e1000e at 00:01\.0 mac 52:54:00:12:34:56, link up \(82574L 8086:10d3\)',
    'virtio': r'virtio-net at 00:02\.0 mac 52:54:00:12:34:56, link up \(virtio 1\.0 1af4:1041\)',
}


def nic_fault_client():
    """The qemu-api client, then /metrics must count the one reset and its descriptor."""
    import http.client
    base = api_client()

    def client(port, log):
        error = base(port, log)
        if error:
            return error
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
        conn.request('GET', '/metrics', headers={'Authorization': f'Bearer {API_READER}'})
        data = conn.getresponse().read()
        conn.close()
        wanted = (b'hv_root_net_resets_total 1\n',
                  b'hv_root_net_dropped_total{dir="rx",reason="bad_descriptor"} 1\n')
        missing = [w for w in wanted if w not in data]
        log(f'GET /metrics: reset counters {"missing " + repr(missing) if missing else "ok"}')
        return f'GET /metrics lacks {missing!r}' if missing else None
    return client


def nic_api_case(nic, fault=False):
    from hosts import NICS
    root = r'hv: \[root\] root: '
    config = api_config().replace('pci = 00:02.0', f'pci = {NICS[nic]}')
    if fault:
        config = config.replace('cmdline = ""', 'cmdline = "nic_fault"', 1)
    api_line = (root + r'management API at http://10\.0\.2\.15:80/ \(' +
                NIC_LINES[nic].split(' at ')[0] + r' .*mac 52:54:00:12:34:56\)')
    driver = NIC_LINES[nic].split(' at ')[0]
    up = root + r'net: up 10\.0\.2\.15/24'
    reset = ((root + r'net: injecting a broken receive hand-back',
              root + rf'net: {driver} reset: ' + FAULT_REASONS[driver]) if fault else ())
    return Case(f'qemu-nic-{nic}' + ('-fault' if fault else ''), 'qemu', 2, config, nic=nic,
                expect=(root + r'net: ' + NIC_LINES[nic],
                        root + r'http: listening on port 80',
                        root + r'net: up 10\.0\.2\.15/24',
                        api_line, *reset,
                        root + r'api: admin: set-timesync testos1 false'),
                forbid=partition_forbid('root', 'testos1') +
                (r'root: panic', r'root: net: .*did not come', *(() if fault else (r'root: net: .* reset: ',))),
                # With a fault, the client starts only once the card was reset.
                client=nic_fault_client() if fault else api_client(),
                client_after=reset[-1] if fault else up,
                client_timeout=150, timeout=240)


# With the knob nic_fault the driver forges one broken receive hand-back two
# seconds after the address is bound: the check must catch it, the device
# be reset with its reason, and the client, started after the reset, get
# through the same card.
FAULT_REASONS = {'e1000': r'receive length outside 14\.\.2048 bytes \(descriptor \d+\)',
                 'e1000e': r'receive length outside 14\.\.2048 bytes \(descriptor \d+\)',
                 'virtio-net': r'used id beyond the queue'}

CASES += [nic_api_case(nic) for nic in ('e1000', 'e1000e', 'virtio')]
CASES += [nic_api_case(nic, fault=True) for nic in ('e1000', 'e1000e', 'virtio')]


# The screen console (hv/core/console.c, fbcon.c) and [management] nic, in
# one short boot: QEMU's standard VGA (OVMF's GOP framebuffer, 1280x800),
# the root alone with two cards, a decoy e1000 at 00:02.0 on a network with
# no port forwarded and the virtio-net at 00:03.0 that `nic = virtio`
# chooses.  The client pictures the screen (QMP stop, screendump, cont)
# right after the banner and again after the address line, and
# tests/system/screen_check.c compares each picture pixel for pixel with
# the serial log drawn by hv's own font code; then the API must answer
# through the chosen card (the decoy's network has no way in).
def screen_config():
    import hashlib
    config = managed('', root_pci='00:02.0, 00:03.0').replace('test_exit = yes\n', '')
    return config + (f'\n[management]\naddress = dhcp\nnic = virtio\nhttp_port = 80\n'
                     f'insecure_http = yes\n'
                     f'\n[token reader]\nhash = {hashlib.sha256(API_READER.encode()).hexdigest()}'
                     f'\nrights = *:read\n')


def vms_client(attempts=5, pause=2):
    """GET /api/v1/vms answers 200 and lists the root."""
    import http.client
    import json
    import time

    def client(port, log):
        for attempt in range(1, attempts + 1):
            try:
                conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
                conn.request('GET', '/api/v1/vms',
                             headers={'Authorization': f'Bearer {API_READER}'})
                r = conn.getresponse()
                data = r.read()
                conn.close()
                log(f'GET /api/v1/vms -> {r.status} {data[:120]!r}')
                if r.status != 200:
                    return f'GET /api/v1/vms: status {r.status}'
                names = [vm.get('name') for vm in json.loads(data).get('vms', [])]
                return None if 'root' in names else f'GET /api/v1/vms lists {names}, not root'
            except (OSError, http.client.HTTPException) as e:
                log(f'GET /api/v1/vms attempt {attempt}: {e}')
                time.sleep(pause)
        return f'no answer from the API in {attempts} attempts'
    return client


ADDRESS_LINE = (r'hv: \[root\] root: management API at http://10\.0\.2\.15:80/ '
                r'\(virtio-net virtio 1\.0, mac 52:54:00:12:34:56\)')
CASES += [
    Case('qemu-screen-nic-choice', 'qemu', 1, screen_config(), nic='virtio', decoy_nic='e1000',
         vga=True,
         expect=(r'boot: screen: 1280x800, 32-bit BGR, framebuffer 0x[0-9a-f]+ \(\d+ KiB\), '
                 r'stride 1280, GOP mode \d+',
                 r'hv: hypervisor 0\.1\.0 starting',
                 r'hv: console: screen 1280x800 \(160x50 characters\) and serial',
                 r"hv: \[root\] root: net: passing over e1000 at 00:02\.0 \(82540EM\): "
                 r"hv\.cfg's \[management\] nic is 'virtio'",
                 r'hv: \[root\] root: net: ' + NIC_LINES['virtio'].replace('00:02', '00:03'),
                 ADDRESS_LINE),
         forbid=partition_forbid('root') + (r'root: panic',),
         client=screen_client.screen(r'^hv: hypervisor 0\.1\.0 starting on CPU 0', ADDRESS_LINE,
                                     then=vms_client()),
         client_after=r'hv: hypervisor 0\.1\.0 starting', client_timeout=150, timeout=200),
]
