#!/usr/bin/env python3
"""seeds.py: builds the starting corpora of fuzz/run from real host output.

The samples of shared/hv-formats/samples (each whole, and each "=== " block
of it, which is one command's exact output), the fenced examples of the
format notes beside them (virsh.md, xe.md, vmrun.md) and the captures
embedded in tests/unit/test-drv-*.c become inputs of both harnesses, prefixed with the
selector bytes that make sense for them. The harnesses print their own
selector tables (HVSH_FUZZ_LIST=1), so the bytes here always match the C.

Usage: seeds.py --hvout BIN --drivers BIN --out DIR [--samples DIR]
                [--tests DIR] [--cc CC]
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile

STDERR_SEP = b"~~stderr~~\n"

# How many parts each driver's refresh batch has (drv-*.c).
REFRESH_PARTS = {"kvm": 7, "xen": 2, "vmware": 4}
DRIVER_FAMILY = {"kvm": "virsh", "xen": "xe", "vmware": "vmrun"}


def family_of(name):
    """The CLI a sample or test file is about, from its name."""
    if "virsh" in name:
        return "virsh"
    if name.startswith("xe-") or name.endswith("-xe.c"):
        return "xe"
    if "vmrun" in name or "vmx" in name or "vdiskmanager" in name:
        return "vmrun"
    return None


def read_samples(d):
    """(family, text) for every sample and every block of one."""
    out = []
    if d is None or not os.path.isdir(d):
        return out
    for name in sorted(os.listdir(d)):
        fam = family_of(name)
        if fam is None:
            continue
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        if data.startswith(b"# SOURCE"):
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        whole, block, blocks = [], None, []
        for line in data.splitlines(keepends=True):
            if line.startswith(b"=== "):
                if block is not None:
                    blocks.append(b"".join(block))
                block = []
                continue
            whole.append(line)
            if block is not None:
                block.append(line)
        if block is not None:
            blocks.append(b"".join(block))
        out.append((fam, b"".join(whole)))
        out.extend((fam, b) for b in blocks if b)
    return out


FENCE_RE = re.compile(rb"^```[^\n]*\n(.*?)^```", re.M | re.S)


def read_docs(samples):
    """(family, text) for each fenced block of the format notes beside
    the samples (virsh.md, xe.md, vmrun.md): short outputs the samples
    lack, such as listSnapshots or freecell."""
    out = []
    if samples is None:
        return out
    d = os.path.dirname(os.path.abspath(samples))
    for name in sorted(os.listdir(d)):
        fam = family_of(name)
        if not name.endswith(".md") or fam is None:
            continue
        with open(os.path.join(d, name), "rb") as f:
            out.extend((fam, b) for b in FENCE_RE.findall(f.read()) if b)
    return out


ARRAY_RE = re.compile(rb"^static const char (\w+)\[\] =", re.M)


def test_literals(d, cc):
    """(family, bytes) for each top-level char array of test-drv-*.c.

    The compiler evaluates the literals, escapes and macros included: the
    file's string #defines and the array go into a small program that writes
    the array's bytes out. Arrays that are scripts (fake_*) are skipped; an
    array that does not compile on its own is skipped too.
    """
    out = []
    if d is None or not os.path.isdir(d) or cc is None:
        return out
    for name in sorted(os.listdir(d)):
        if not (name.startswith("test-drv-") and name.endswith(".c")):
            continue
        fam = family_of(name)
        with open(os.path.join(d, name), "rb") as f:
            src = f.read()
        # #defines, continuation lines joined, whose body is a string.
        joined = src.replace(b"\\\n", b" ")
        defines = [l for l in joined.splitlines()
                   if re.match(rb'#define\s+\w+\s+"', l)]
        for m in ARRAY_RE.finditer(src):
            aname = m.group(1)
            if aname.startswith(b"fake_"):
                continue
            end = src.find(b'";\n', m.end())
            if end < 0:
                continue
            init = src[m.end():end + 1]
            data = run_literal(cc, defines, init)
            if data is not None:
                out.append((fam, data))
    return out


def run_literal(cc, defines, init):
    prog = (b"#include <stdio.h>\n" + b"\n".join(defines) +
            b"\nstatic const char a[] =" + init + b";\n"
            b"int main(void) { fwrite(a, 1, sizeof a - 1, stdout);"
            b" return 0; }\n")
    with tempfile.TemporaryDirectory() as t:
        c, exe = os.path.join(t, "lit.c"), os.path.join(t, "lit")
        with open(c, "wb") as f:
            f.write(prog)
        if subprocess.run([cc, "-w", "-o", exe, c],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            return None
        r = subprocess.run([exe], stdout=subprocess.PIPE)
        return r.stdout if r.returncode == 0 else None


def listing(binary):
    env = dict(os.environ, HVSH_FUZZ_LIST="1")
    r = subprocess.run([binary], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, check=True)
    return [l.split() for l in r.stdout.decode().splitlines() if l.strip()]


def arg_bytes(nargs):
    """Every argument value when there are few, else a spread of them."""
    if nargs <= 12:
        return list(range(nargs))
    step = max(1, nargs // 16)
    return sorted(set(range(0, nargs, step)) | set(range(10)))


def batch(parts, statuses=None):
    """Parts joined as drv_plan_batch's script prints them."""
    out = b""
    for i, p in enumerate(parts):
        st = statuses[i] if statuses else 0
        if p and not p.endswith(b"\n"):
            p += b"\n"
        out += p + b"@@hvsh:%d@@\n" % st
    return out


class Corpus:
    def __init__(self, d):
        self.dir = d
        self.n = 0
        os.makedirs(d, exist_ok=True)

    def add(self, data):
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.n += 1


def hvout_seeds(targets, texts, corpus):
    fams = {}
    for fam, t in texts:
        fams.setdefault(fam, []).append(t)
    alltexts = [t for _, t in texts]
    # drv_sections gets real-looking batches: the blocks of each family
    # joined, and the whole captures of the tests that have markers.
    batches = [t for t in alltexts if b"@@hvsh:" in t]
    for fam, ts in fams.items():
        for n in (1, 2, 4, 7):
            batches.append(batch(ts[:n]))
            batches.append(batch(ts[-n:], [1] * n))
    for idx, name, fam, nargs in targets:
        idx, nargs = int(idx), int(nargs)
        if fam == "batch":
            pool = batches
        elif fam == "any":
            pool = alltexts
        else:
            pool = fams.get(fam, [])
            if name == "xe_map_get":
                pool = pool + xe_maps(pool)
        args = arg_bytes(nargs) if nargs > 0 else [None]
        for t in pool:
            for a in args:
                head = bytes([idx]) if a is None else bytes([idx, a])
                corpus.add(head + t)


MAP_RE = re.compile(rb"\((?: R[OW]|[MS]R[OW])\): (.*\S.*)$", re.M)


def xe_maps(texts):
    """The values of xe fields that are maps ("k1: v1; k2: v2")."""
    out = []
    for t in texts:
        out.extend(v for v in MAP_RE.findall(t) if b": " in v)
    return out


def driver_seeds(selectors, texts, corpus):
    fams = {}
    for fam, t in texts:
        fams.setdefault(fam, []).append(t)
    for idx, drv, reader in selectors:
        idx = int(idx)
        ts = fams.get(DRIVER_FAMILY[drv], [])
        n = REFRESH_PARTS[drv]

        def add(status, flags, out, err=None):
            data = bytes([idx, status, flags]) + out
            if err is not None:
                data += STDERR_SEP + err
            corpus.add(data)

        if reader == "refresh_read":
            for t in ts:
                if b"@@hvsh:" in t:
                    add(0, 0, t)
                    add(0, 4, t)
            for i in range(0, max(1, len(ts) - n + 1), max(1, n // 2)):
                add(0, 0, batch(ts[i:i + n]))
            add(0, 0, batch(ts[:n], [0] * (n - 1) + [1]),
                ts[0] if ts else b"")
        elif reader == "error_read":
            for t in ts:
                add(1, 0, b"", t)
                add(255 if drv == "vmware" else 1, 0, t)
            add(127, 0, b"", b"sh: 1: %s: not found\n" %
                {"kvm": b"virsh", "xen": b"xe", "vmware": b"vmrun"}[drv])
            add(255, 2, b"")
        elif reader == "probe_read":
            for t in ts:
                add(0, 0, batch([t], [255]) if drv == "vmware" else t)
                add(0, 4, t)
        elif reader == "create_read":
            for t in ts:
                add(0, 0, t)
            add(0, 0, b"/home/u/hvsh-vms/web1/web1.vmx\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hvout", required=True)
    ap.add_argument("--drivers", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--samples")
    ap.add_argument("--tests")
    ap.add_argument("--cc")
    a = ap.parse_args()

    texts = read_samples(a.samples)
    docs = read_docs(a.samples)
    texts += docs
    lits = test_literals(a.tests, a.cc)
    texts += lits
    # Shapes that no capture shows but the parsers' comments describe.
    texts += [("vmrun", b"/home/u/hvsh-vms/web1/web1.vmx\n"),
              ("vmrun", b"MemTotal:  16318412 kB\nMemFree: 1 kB\n"),
              ("vmrun", b"Total snapshots: 4\nbase\n\tchild\n\t\tleaf\n"
                        b"\tchild2\n"),
              ("virsh", b"    0:      1234 KiB\n    1:      5678 KiB\n"
                        b"--------------------\nTotal:      6912 KiB\n\n"),
              ("virsh", b"Total: 1234 KiB\n"),
              ("xe", b"The server failed to handle your request, due to an "
                     b"internal error. The given message may give details "
                     b"useful for debugging the problem.\nmessage: "
                     b"Xenops_interface.Internal_error(\"x\")\n"),
              ("xe", b"Error code: VM_BAD_POWER_STATE\nError parameters: "
                     b"OpaqueRef:1, running, halted\n")]
    # .vmx files as Windows writes them, for vmx_set's CRLF handling.
    texts += [("vmrun", t.replace(b"\n", b"\r\n")) for fam, t in list(texts)
              if fam == "vmrun" and b' = "' in t]
    hv = Corpus(os.path.join(a.out, "fuzz-hvout"))
    dr = Corpus(os.path.join(a.out, "fuzz-drivers"))
    hvout_seeds(listing(a.hvout), texts, hv)
    driver_seeds(listing(a.drivers), texts, dr)
    print("seeds: %d texts (%d from the format notes, %d from tests/unit), "
          "%d for fuzz-hvout, %d for fuzz-drivers" %
          (len(texts), len(docs), len(lits), hv.n, dr.n))


if __name__ == "__main__":
    sys.exit(main())
