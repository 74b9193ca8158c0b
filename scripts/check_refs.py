#!/usr/bin/env python3
"""check_refs: every repository path that the documentation names must exist.

Scans README.md and docs/*.md (all their text), and the comments of the
sources (*.c *.h *.asm *.inc *.ld *.py meson.build and the shell scripts
in scripts/ and .ci/) for tokens that look like paths in this repository:
a top-level folder of the tree followed by a slash (kernel/console.c,
docs/api.md, scripts/run, lib/hvcfg/), the usual root files (README.md,
LICENSE ...), and markdown link targets.  A path that does not exist is
reported as FILE:LINE: missing PATH, and the exit status is 1.  The
top-level folders are read from the tree.

What counts as present, to keep false positives low:
  - a file or folder relative to the repository root, or relative to
    include/ (headers are named as they are included: hv/boot_info.h);
  - a glob (lib/*.c, kernel/*.asm) that matches something; {a,b} is
    expanded (lib/{string,format}.c) and each alternative must exist;
  - a build output (.elf .efi .so .a .o .stamp) whose folder exists, and a
    host program X whose source X.c exists (tools/hvcfg);
  - markdown link targets relative to the document's folder;
  - hv/hv.cfg, the configuration's place on the ESP (scripts/mkesp.py).
Not looked at: words that read as paths (guest/host); Linux's headers,
which the bus documents cite (include/linux/hyperv.h); tokens right after
a word character, '.', '/', '<' or '$' (build/hv/hv.elf, ../x/y,
<kernel/console.h>, $BUILD/tools); URLs; the folders build*, .deps, .git.
A line containing "check_refs: ignore" is skipped.

Usage: scripts/check_refs.py [--root DIR] [--self-test]
"""
import argparse
import ast
import fnmatch
import io
import os
import re
import sys
import tempfile
import tokenize

IGNORED_DIRS = {'.git', '.deps', '__pycache__'}
ROOT_FILES = ('README', 'LICENSE', 'COPYING', 'CONTRIBUTING', 'CHANGELOG', 'AUTHORS', 'NOTICE',
              'SECURITY', 'HACKING')
NOT_PATHS = {'guest/host', 'host/guest'}
EXTERNAL_PREFIXES = ('include/linux/', 'include/uapi/')
ESP_FILES = {'hv/hv.cfg'}
BUILD_OUTPUT_EXT = ('.elf', '.efi', '.so', '.a', '.o', '.stamp')
SHELL_DIRS = ('scripts', '.ci')
IGNORE_MARK = 'check_refs: ignore'


def ignored_dir(rel, name):
    """Folders not scanned nor counted as present: VCS, dependencies, build trees."""
    return name in IGNORED_DIRS or (rel == '' and name.startswith('build'))


class Tree:
    """The repository's files and folders, relative to its root."""

    def __init__(self, root):
        self.root = root
        self.files = set()
        self.dirs = {''}
        for dirpath, dirnames, filenames in os.walk(root):
            rel = os.path.relpath(dirpath, root)
            rel = '' if rel == '.' else rel.replace(os.sep, '/')
            dirnames[:] = sorted(d for d in dirnames if not ignored_dir(rel, d))
            for d in dirnames:
                self.dirs.add(f'{rel}/{d}' if rel else d)
            for f in filenames:
                self.files.add(f'{rel}/{f}' if rel else f)
        self.top = sorted(d for d in self.dirs if d and '/' not in d)

    def exists(self, path):
        path = path.rstrip('/')
        return path in self.files or path in self.dirs

    def matches(self, pattern):
        pattern = pattern.rstrip('/')
        return any(fnmatch.fnmatchcase(p, pattern) for p in self.files | self.dirs)


def expand_braces(path):
    """lib/{string,format}.c -> [lib/string.c, lib/format.c] (no nesting)."""
    m = re.search(r'\{([^{}]*)\}', path)
    if not m:
        return [path]
    out = []
    for alt in m.group(1).split(','):
        out += expand_braces(path[:m.start()] + alt + path[m.end():])
    return out


def present(tree, path, base=''):
    """Whether one reference (no braces) names something in the tree."""
    if path in NOT_PATHS or path in ESP_FILES or path.startswith(EXTERNAL_PREFIXES):
        return True
    candidates = [path, 'include/' + path]
    if base:
        candidates.insert(0, os.path.normpath(os.path.join(base, path)).replace(os.sep, '/'))
    for cand in candidates:
        if any(ch in cand for ch in '*?['):
            if tree.matches(cand):
                return True
        elif tree.exists(cand):
            return True
        if cand.lower().endswith(BUILD_OUTPUT_EXT) and tree.exists(os.path.dirname(cand)):
            return True
        if '.' not in os.path.basename(cand) and tree.exists(cand + '.c'):
            return True
    return False


# --- where the references are: comments of sources, text of documents ----

def comments_c(text):
    """(line, text) of each line of the /* */ and // comments of C-like text."""
    out, i, n, line = [], 0, len(text), 1
    while i < n:
        c = text[i]
        if c == '\n':
            line += 1
            i += 1
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            i = j + 1 if j < n and text[j] == c else j  # an unclosed quote ends at the line
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append((line, text[i + 2:j]))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j
            for k, part in enumerate(text[i + 2:j].split('\n')):
                out.append((line + k, part))
            line += text.count('\n', i, j)
            i = j + 2
        else:
            i += 1
    return out


def comments_prefixed(text, mark):
    """Comments that run from `mark` to the end of the line (asm ';', shell '#')."""
    out = []
    for no, raw in enumerate(text.split('\n'), 1):
        if raw.startswith('#!'):
            continue
        quote = None
        for k, ch in enumerate(raw):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in '"\'' and mark == ';':
                quote = ch
            elif ch == mark and (mark == ';' or k == 0 or raw[k - 1] in ' \t'):
                out.append((no, raw[k + 1:]))
                break
    return out


def comments_python(text):
    """Comments and docstrings of Python source."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                out.append((tok.start[0], tok.string[1:]))
        tree = ast.parse(text)
    except (SyntaxError, tokenize.TokenError):
        return comments_prefixed(text, '#')
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                for k, part in enumerate(body[0].value.value.split('\n')):
                    out.append((body[0].lineno + k, part))
    return out


def all_lines(text):
    return list(enumerate(text.split('\n'), 1))


def comments_shell(text):
    return comments_prefixed(text, '#')


def comments_asm(text):
    return comments_prefixed(text, ';')


def scanner_for(rel):
    """The function that yields the lines of rel worth looking at, or None."""
    name = os.path.basename(rel)
    top = rel.split('/', 1)[0]
    if rel == 'README.md' or (top == 'docs' and name.endswith('.md')):
        return all_lines
    if name.endswith(('.c', '.h', '.ld')):
        return comments_c
    if name.endswith(('.asm', '.inc')):
        return comments_asm
    if name.endswith('.py'):
        return comments_python
    if name == 'meson.build':
        return comments_shell
    return None


def is_shell(tree, rel):
    if '/' not in rel or rel.split('/', 1)[0] not in SHELL_DIRS or '.' in os.path.basename(rel):
        return False
    try:
        with open(os.path.join(tree.root, rel), 'rb') as f:
            first = f.readline()
    except OSError:
        return False
    return first.startswith(b'#!') and (b'sh' in first.split(b'/')[-1])


# --- the references in one line -------------------------------------------

PATH_TAIL = r'(?:[\w.*+/-]|\{[\w.,*/-]*\})*'
LINK = re.compile(r'\]\(([^)\s]+)\)')
URL = re.compile(r'^[a-z][a-z0-9+.-]*:')
ROOT_FILE = re.compile(r'(?<![\w./$<-])((?:%s)(?:\.md|\.txt)?)(?![\w.-]*\w)' % '|'.join(ROOT_FILES))


def path_regex(top):
    names = '|'.join(re.escape(t) for t in sorted(top, key=len, reverse=True))
    return re.compile(r'(?<![\w./\\<$@-])((?:%s)/%s)' % (names, PATH_TAIL))


def clean(token):
    token = token.rstrip('.-')
    if token.endswith('/..'):
        token = token[:-2]
    return token


def refs_in_line(text, path_re, is_markdown):
    """(path, base) pairs: base is the folder a path is relative to, '' for the root."""
    if IGNORE_MARK in text:
        return []
    found = []
    for m in path_re.finditer(text):
        found.append((clean(m.group(1)), ''))
    for m in ROOT_FILE.finditer(text):
        found.append((m.group(1), None))
    if is_markdown:
        for m in LINK.finditer(text):
            target = m.group(1).split('#', 1)[0]
            if target and not URL.match(target) and not target.startswith('/'):
                found.append((target, None))
    return found


def check(root):
    """Returns the list of (file, line, path) that name something missing."""
    tree = Tree(root)
    path_re = path_regex(tree.top)
    problems = []
    for rel in sorted(tree.files):
        scan = scanner_for(rel)
        if scan is None and is_shell(tree, rel):
            scan = comments_shell
        if scan is None:
            continue
        try:
            with open(os.path.join(root, rel), encoding='utf-8') as f:
                text = f.read()
        except (OSError, UnicodeDecodeError):
            continue
        folder = os.path.dirname(rel)
        seen = set()
        for line, part in scan(text):
            for path, base in refs_in_line(part, path_re, rel.endswith('.md')):
                base = folder if base is None else base
                for alt in expand_braces(path):
                    if not present(tree, alt, base) and (rel, line, alt) not in seen:
                        seen.add((rel, line, alt))
                        problems.append((rel, line, alt))
    return problems


# --- self-test --------------------------------------------------------------

SELF_TEST_TREE = {
    'README.md': 'See [the docs](docs/a.md), docs/a.md, `scripts/run` and LICENSE.md.\n',
    'docs/a.md': ('Core in hv/main.c and hv/*.c; backends {vmx,svm}/ and hv/{main,gone}.c.\n'
                  'Built as hv/hv.elf and tools/tool; see [b](b.md) and [c](missing.md).\n'
                  'Not checked: build/hv/x.c, <hv/nothere.h>, ../hv/nothere.c, $B/hv/no.c.\n'
                  'The header hv/desc.h. hv/ignored.c check_refs: ignore\n'
                  'Words guest/host, include/linux/hyperv.h, the ESP\'s hv/hv.cfg; READMEs.\n'),
    'docs/b.md': 'Planted: hv/planted_missing.c, and an old name lib/kernel/.\n',
    'hv/main.c': ('/* see hv/main.c and vmx/gone.c */\n'
                  'const char *s = "hv/not_a_comment.c"; // docs/b.md\n'),
    'hv/meson.build': "# builds hv/main.c, not hv/old.c\nx = 'hv/string_not_comment.c'\n",
    'vmx/x.asm': '; see svm/ and svm/y.c\n',
    'svm/x.py': '"""Doc names hv/doc_missing.c."""\nx = "hv/str.c"  # and hv/main.c\n',
    'tools/tool.c': '',
    'guest/g.c': '',
    'include/hv/desc.h': '',
    'scripts/run': '#!/usr/bin/env bash\n# runs scripts/gone\necho "#scripts/notcomment"\n',
}
SELF_TEST_EXPECT = {
    ('README.md', 1, 'LICENSE.md'),
    ('docs/a.md', 1, 'hv/gone.c'),
    ('docs/a.md', 2, 'missing.md'),
    ('docs/b.md', 1, 'hv/planted_missing.c'),
    ('docs/b.md', 1, 'lib/kernel/'),
    ('hv/main.c', 1, 'vmx/gone.c'),
    ('hv/meson.build', 1, 'hv/old.c'),
    ('vmx/x.asm', 1, 'svm/y.c'),
    ('svm/x.py', 1, 'hv/doc_missing.c'),
    ('scripts/run', 2, 'scripts/gone'),
}


def self_test():
    with tempfile.TemporaryDirectory() as root:
        for rel, text in SELF_TEST_TREE.items():
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(root, rel), 'w', encoding='utf-8') as f:
                f.write(text)
        os.mkdir(os.path.join(root, 'lib'))
        os.makedirs(os.path.join(root, 'build', 'hv'))
        got = set(check(root))
    ok = got == SELF_TEST_EXPECT
    for item in sorted(SELF_TEST_EXPECT - got):
        print('self-test: not reported: %s:%d: %s' % item)
    for item in sorted(got - SELF_TEST_EXPECT):
        print('self-test: reported wrongly: %s:%d: %s' % item)
    verdict = 'ok' if ok else 'FAILED'
    print(f'self-test: {verdict} ({len(SELF_TEST_EXPECT)} planted missing paths)')
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    ap.add_argument('--root', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help='repository root (default: the folder above scripts/)')
    ap.add_argument('--self-test', action='store_true',
                    help='check a planted tree with known missing paths instead')
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    problems = check(args.root)
    for rel, line, path in problems:
        print(f'{rel}:{line}: missing {path}')
    if problems:
        print(f'check_refs: {len(problems)} reference(s) to missing paths')
        return 1
    print('check_refs: every referenced path exists')
    return 0


if __name__ == '__main__':
    sys.exit(main())
