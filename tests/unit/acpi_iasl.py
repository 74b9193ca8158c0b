#!/usr/bin/env python3
"""Round trip of hv's ACPI tables through ACPICA's own tools.

acpi_dump writes a sample partition's tables; iasl -d must disassemble
each without complaint into what we meant (the VMBus device, COM1 as
PNP0501 at 0x3f8, \\_S5 = 5, a hardware-reduced FADT with our sleep
and reset registers, the MADT's entries); iasl must compile the
disassembled DSDT back to the same AML; and, when acpiexec is installed
next to iasl, ACPICA's interpreter must load the FADT and DSDT, take the
hardware-reduced sleep path for S5 and read both _CRS templates.

Usage: acpi_iasl.py ACPI_DUMP IASL
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HEADER_SIZE = 36
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(argv, cwd):
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout + r.stderr


def disassemble(iasl, d, name):
    rc, out = run([iasl, '-d', name + '.dat'], d)
    check(rc == 0, f'iasl -d {name}.dat exited {rc}:\n{out}')
    check(not re.search(r'\b(Error|Warning)\b', out), f'iasl -d {name}.dat complained:\n{out}')
    path = os.path.join(d, name + '.dsl')
    if not os.path.exists(path):
        check(False, f'iasl wrote no {name}.dsl:\n{out}')
        return ''
    with open(path) as f:
        dsl = f.read()
    check('****' not in dsl and 'Invalid' not in dsl, f'{name}.dsl flags a bad field:\n{dsl}')
    return dsl


def check_dsdt(iasl, d, dsl):
    for needle in ('Device (VMBS)', 'Name (_HID, "VMBUS")', 'Name (_UID, Zero)',
                   'Device (COM1)', 'EisaId ("PNP0501")', 'Name (_UID, One)',
                   'IO (Decode16,', '0x03F8,', 'Name (\\_S5, Package (0x04)'):
        check(needle in dsl, f'dsdt.dsl lacks {needle!r}')
    check(re.search(r'_S5, Package \(0x04\)[^{]*\{\s*0x05,\s*0x05,\s*Zero,\s*Zero', dsl),
          'dsdt.dsl: \\_S5 is not {5, 5, 0, 0}')
    check('Interrupt' not in dsl and 'IRQ' not in dsl, 'dsdt.dsl: COM1 has an IRQ')
    # Compile the disassembly again: the AML after the header must be ours, byte for byte
    # (-oa: no optimizations).  iasl insists that a _HID string has 7 or 8 characters
    # (error 6033), but hv_vmbus matches "VMBUS" and Hyper-V's own DSDT says "VMBus":
    # that one error is expected.
    rc, out = run([iasl, '-vx', '6033', '-oa', '-p', 'recompiled', 'dsdt.dsl'], d)
    check(rc == 0 and re.search(r'\b0 Errors\b', out), f'iasl could not recompile dsdt.dsl:\n{out}')
    recompiled = os.path.join(d, 'recompiled.aml')
    if os.path.exists(recompiled):
        with open(os.path.join(d, 'dsdt.dat'), 'rb') as f:
            ours = f.read()
        with open(recompiled, 'rb') as f:
            theirs = f.read()
        check(ours[HEADER_SIZE:] == theirs[HEADER_SIZE:],
              f'recompiled AML differs:\n ours   {ours[HEADER_SIZE:].hex()}\n'
              f' theirs {theirs[HEADER_SIZE:].hex()}')


def field(dsl, name):
    m = re.search(r'\]\s+' + re.escape(name) + r' : (\S+)', dsl)
    return m.group(1) if m else None


def check_facp(dsl):
    for name, value in (('Table Length', '00000114'), ('Revision', '06'),
                        ('FADT Minor Revision', '03'), ('FACS Address', '00000000'),
                        ('Value to cause reset', '06')):
        check(field(dsl, name) == value, f'facp.dsl: {name} is {field(dsl, name)}, not {value}')
    for flag in ('Hardware Reduced (V5) : 1', 'Reset Register Supported (V2) : 1',
                 'Use APIC Physical Destination Mode (V4) : 1', 'VGA Not Present (V4) : 1',
                 'CMOS RTC Not Present (V5) : 1', '8042 Present on ports 60/64 (V2) : 0',
                 'Legacy Devices Supported (V2) : 0'):
        check(flag in dsl, f'facp.dsl lacks {flag!r}')
    for reg, port in (('Reset Register', '0CF9'), ('Sleep Control Register', '0606'),
                      ('Sleep Status Register', '0607')):
        m = re.search(re.escape(reg) + r' : \[Generic Address Structure\](.*?)Address : (\w+)',
                      dsl, re.S)
        check(m and 'SystemIO' in m.group(1) and m.group(2).endswith(port),
              f'facp.dsl: {reg} is not I/O port {port}')


def check_apic(dsl):
    check(dsl.count('[Processor Local APIC]') == 3, 'apic.dsl: expected 3 Local APIC entries')
    check(dsl.count('[Processor Local x2APIC]') == 1, 'apic.dsl: expected 1 Local x2APIC entry')
    check('Processor x2Apic ID : 0000012C' in dsl, 'apic.dsl: x2APIC id 300 missing')
    check('PC-AT Compatibility : 0' in dsl, 'apic.dsl: PCAT_COMPAT set')


def check_acpiexec(acpiexec, d):
    rc, out = run([acpiexec, '-b', 'evaluate \\_S5_; resources \\_SB.VMBS; '
                   'resources \\_SB.COM1; sleep 5', 'facp.dat', 'apic.dat', 'dsdt.dat'], d)
    check(rc == 0, f'acpiexec exited {rc}:\n{out}')
    check('HwExtendedSleep' in out, f'acpiexec did not take the hardware-reduced S5 path:\n{out}')
    check('Sleep-A: 05' in out, f'acpiexec read another SLP_TYP for S5:\n{out}')
    check('Address Minimum : 03F8' in out, f'acpiexec did not read COM1\'s _CRS:\n{out}')
    check(not re.search(r'AE_(?!OK\b|NOT_FOUND\b)\w+|Mismatch|\b(Error|Warning)\b', out),
          f'acpiexec reported a problem:\n{out}')


def main():
    dump, iasl = sys.argv[1], sys.argv[2]
    acpiexec = shutil.which('acpiexec', path=os.path.dirname(iasl)) or shutil.which('acpiexec')
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([dump, d], check=True)
        check_dsdt(iasl, d, disassemble(iasl, d, 'dsdt'))
        check_facp(disassemble(iasl, d, 'facp'))
        check_apic(disassemble(iasl, d, 'apic'))
        disassemble(iasl, d, 'xsdt')
        if acpiexec:
            check_acpiexec(acpiexec, d)
        else:
            print('acpiexec not found: interpreter check skipped')
    for f in failures:
        print('FAIL:', f)
    print(f'{len(failures)} failure(s)')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
