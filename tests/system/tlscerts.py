# tlscerts.py: the certificates scripts/run, the system tests and the
# benchmarks give the root's HTTPS server and its clients, made with the
# openssl command on first use under the build directory and never
# committed.  Each set is made in a scratch directory and renamed into
# place whole, so concurrent runs (the harness's threads, several
# processes) see either all of it or none.
#
#   development(build)  build/dev-tls: one self-signed certificate for
#                       127.0.0.1 and localhost (scripts/run, the API bench)
#   test_set(build)     build/test-tls: a CA and the server certificate it
#                       signed; another CA that signed nothing the root
#                       knows; a client CA with a client certificate it
#                       signed and one a stranger signed (mutual TLS)
import dataclasses
import hashlib
import os
import pathlib
import shutil
import ssl
import subprocess
import tempfile
import threading

_lock = threading.Lock()


@dataclasses.dataclass
class Endpoint:
    """A system test's HTTPS endpoint: the host port forwarded to the
    root's 443, and the directory of the test certificate set."""
    port: int
    certs: pathlib.Path

    def file(self, name):
        return str(self.certs / name)

    def url(self, path):
        return f'https://127.0.0.1:{self.port}{path}'
SERVER_EXT = ('subjectAltName=IP:127.0.0.1,DNS:localhost',
              'basicConstraints=critical,CA:FALSE',
              'keyUsage=critical,digitalSignature',
              'extendedKeyUsage=serverAuth')
CLIENT_EXT = ('basicConstraints=critical,CA:FALSE',
              'keyUsage=critical,digitalSignature',
              'extendedKeyUsage=clientAuth')
CA_EXT = ('basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign')
DAYS = '3650'


def _openssl(*args, cwd):
    subprocess.run(['openssl', *args], cwd=cwd, check=True, capture_output=True)


def _key(name, cwd):
    _openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256',
             '-out', f'{name}-key.pem', cwd=cwd)


def _self_signed(name, subject, exts, cwd):
    _key(name, cwd)
    ext_args = [a for e in exts for a in ('-addext', e)]
    _openssl('req', '-x509', '-new', '-key', f'{name}-key.pem', '-out', f'{name}.pem',
             '-days', DAYS, '-subj', subject, *ext_args, cwd=cwd)


def _signed(name, subject, ca, exts, cwd):
    """A certificate for name's new key, signed by CA ca (ca.pem, ca-key.pem)."""
    _key(name, cwd)
    (pathlib.Path(cwd) / f'{name}.ext').write_text('\n'.join(exts) + '\n')
    _openssl('req', '-new', '-key', f'{name}-key.pem', '-out', f'{name}.csr', '-subj', subject,
             cwd=cwd)
    _openssl('x509', '-req', '-in', f'{name}.csr', '-CA', f'{ca}.pem', '-CAkey', f'{ca}-key.pem',
             '-CAcreateserial', '-out', f'{name}.pem', '-days', DAYS, '-sha256',
             '-extfile', f'{name}.ext', cwd=cwd)


def _make(target, build):
    """Runs build(scratch) once per target directory; returns target."""
    target = pathlib.Path(target)
    with _lock:
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = pathlib.Path(tempfile.mkdtemp(prefix=target.name + '.', dir=target.parent))
        try:
            build(scratch)
            os.chmod(scratch, 0o755)
            os.rename(scratch, target)
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)
            if not target.is_dir():   # else another process made it first
                raise
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return target


def development(build_dir):
    """build/dev-tls with tls-cert.pem and tls-key.pem (self-signed)."""
    def build(d):
        _self_signed('tls-cert', '/CN=hvroot development', SERVER_EXT, d)
        os.replace(d / 'tls-cert-key.pem', d / 'tls-key.pem')
    return _make(pathlib.Path(build_dir) / 'dev-tls', build)


def test_set(build_dir):
    """build/test-tls: ca, tls-cert/tls-key (signed by ca), other-ca, client-ca,
    client (signed by client-ca), stranger (a client certificate other-ca signed)."""
    def build(d):
        _self_signed('ca', '/CN=hv test CA', CA_EXT, d)
        _signed('tls-cert', '/CN=hvroot test', 'ca', SERVER_EXT, d)
        os.replace(d / 'tls-cert-key.pem', d / 'tls-key.pem')
        _self_signed('other-ca', '/CN=hv stranger CA', CA_EXT, d)
        _self_signed('client-ca', '/CN=hv operators CA', CA_EXT, d)
        _signed('client', '/O=hv test/CN=operator alice', 'client-ca', CLIENT_EXT, d)
        _signed('stranger', '/CN=mallory', 'other-ca', CLIENT_EXT, d)
    return _make(pathlib.Path(build_dir) / 'test-tls', build)


def fingerprint(cert_path):
    """The certificate's SHA-256 fingerprint, 'AB:CD:...' as openssl prints it."""
    der = ssl.PEM_cert_to_DER_cert(pathlib.Path(cert_path).read_text())
    return ':'.join(f'{b:02X}' for b in hashlib.sha256(der).digest())


def install(source_dir, esp, *names):
    """Copies the named files of a set into ESP\\hv\\."""
    for name in names:
        shutil.copyfile(pathlib.Path(source_dir) / name, pathlib.Path(esp) / 'hv' / name)
