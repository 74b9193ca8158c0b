# cases.py: the registry of system tests.  Each test boots one host with
# its own hv.cfg and checks the serial log: `expect` regexes in order,
# `forbid` regexes nowhere.  See docs/testing.md for how to add one.
import dataclasses

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

    def __post_init__(self):
        self.timeout = self.timeout or TIMEOUTS[self.host]
        self.mem_mib = self.mem_mib or default_mem(self.host)


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


CASES = [
    Case('qemu-boot-smp3', 'qemu', 3, DEFAULT, full_boot(3, AMD_CPU, TCG_SVM), exits=True),
    Case('bochs-vmx-boot-smp2', 'bochs-vmx', 2, DEFAULT,
         full_boot(2, INTEL_CPU, SKYLAKE_VMX), exits=True),
    Case('bochs-svm-boot-smp1', 'bochs-svm', 1, HYPERVISOR + ROOT,
         full_boot(1, AMD_CPU, RYZEN_SVM), exits=True),
    Case('qemu-exception-report', 'qemu', 2,
         DEFAULT.replace('test_exit = yes\n', 'test_exit = yes\ntest_exception = yes\n'),
         expect=(r'hv: all 2 CPUs online',
                 r'hv: EXCEPTION #UD invalid opcode \(vector 6\) on CPU 0, error code 0x0',
                 r'hv:   RIP [0-9a-f]{16} CS [0-9a-f]{4}',
                 r'hv:   CR0 [0-9a-f]{16} CR2',
                 r'hv: CPU 0 stopped',
                 r'hv: test_exit: powering off \(failure\)'),
         forbid=(r'hv: panic', r'boot: error'), exits=True),
    config_error('qemu-config-unknown-key',
                 DEFAULT.replace('role = root\n', 'role = root\ncolour = blue\n'),
                 'colour', r"unknown key 'colour'"),
    config_error('qemu-config-missing-image',
                 DEFAULT.replace(r'\hv\testos.elf', r'\hv\missing.elf'), 'missing.elf'),
]
