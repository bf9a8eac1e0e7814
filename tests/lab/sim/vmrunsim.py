# vmrunsim.py: the body of the "vmrun" simulator (see the executable
# vmrun).
#
# Virtual machines are real .vmx files anywhere on disk; which of them run
# (or are paused or suspended) is kept in $HVSH_SIM_STATE/vmrun.json, and
# snapshots in the VM's own .vmsd file, as VMware does. Output layouts,
# error texts ("Error: ..." on stdout), exit status 255 on failure and the
# usage text follow shared/hv-formats/vmrun.md. See README.md here.
#
# Runtime: python3 only (Debian package "python3"), standard library only.

import hashlib
import json
import os
import re
import shutil
import time

import simlib

FAIL = 255

# The usage text of vmrun 1.17.0 (Workstation/Player 17), verbatim from
# shared/hv-formats/samples/vmrun-help-ws17-player.txt.
HELP_TEXT = (
    'Usage: vmrun [AUTHENTICATION-FLAGS] COMMAND [PARAMETERS]\n'
    '\n'
    '\n'
    '\n'
    'AUTHENTICATION-FLAGS\n'
    '--------------------\n'
    'These must appear before the command and any command parameters.\n'
    '\n'
    '   -T <hostType> (ws|fusion||player)\n'
    '   -vp <password for encrypted virtual machine>\n'
    '   -gu <userName in guest OS>\n'
    '   -gp <password in guest OS>\n'
    '\n'
    '\n'
    '\n'
    'POWER COMMANDS           PARAMETERS           DESCRIPTION\n'
    '--------------           ----------           -----------\n'
    'start                    Path to vmx file     Start a VM or Team\n'
    '                         [gui|nogui]\n'
    '\n'
    'stop                     Path to vmx file     Stop a VM or Team\n'
    '                         [hard|soft]\n'
    '\n'
    'reset                    Path to vmx file     Reset a VM or Team\n'
    '                         [hard|soft]\n'
    '\n'
    'suspend                  Path to vmx file     Suspend a VM or Team\n'
    '                         [hard|soft]\n'
    '\n'
    'pause                    Path to vmx file     Pause a VM\n'
    '\n'
    'unpause                  Path to vmx file     Unpause a VM\n'
    '\n'
    '\n'
    '\n'
    'SNAPSHOT COMMANDS        PARAMETERS           DESCRIPTION\n'
    '-----------------        ----------           -----------\n'
    'listSnapshots            Path to vmx file     List all snapshots in a VM\n'
    '                         [showTree]\n'
    '\n'
    'snapshot                 Path to vmx file     Create a snapshot of a VM\n'
    '                         Snapshot name\n'
    '\n'
    'deleteSnapshot           Path to vmx file     Remove a snapshot from a VM\n'
    '                         Snapshot name\n'
    '                         [andDeleteChildren]\n'
    '\n'
    'revertToSnapshot         Path to vmx file     Set VM state to a snapshot\n'
    '                         Snapshot name\n'
    '\n'
    '\n'
    '\n'
    'HOST NETWORK COMMANDS    PARAMETERS           DESCRIPTION\n'
    '---------------------    ----------           -----------\n'
    'listHostNetworks                              List all networks in the host\n'
    '\n'
    'listPortForwardings      Host network name    List all available port forwardings on a host network\n'
    '\n'
    '\n'
    'setPortForwarding        Host network name    Add or update a port forwarding on a host network\n'
    '                         Protocol\n'
    '                         Host port\n'
    '                         Guest ip\n'
    '                         Guest port\n'
    '                         [Description]\n'
    '\n'
    'deletePortForwarding     Host network name    Delete a port forwarding on a host network\n'
    '                         Protocol\n'
    '                         Host port\n'
    '\n'
    '\n'
    '\n'
    '\n'
    'GUEST OS COMMANDS        PARAMETERS           DESCRIPTION\n'
    '-----------------        ----------           -----------\n'
    'runProgramInGuest        Path to vmx file     Run a program in Guest OS\n'
    '                         [-noWait]\n'
    '                         [-activeWindow]\n'
    '                         [-interactive]\n'
    '                         Complete-Path-To-Program\n'
    '                         [Program arguments]\n'
    '\n'
    'fileExistsInGuest        Path to vmx file     Check if a file exists in Guest OS\n'
    '                         Path to file in guest\n'
    '\n'
    'directoryExistsInGuest   Path to vmx file     Check if a directory exists in Guest OS\n'
    '                         Path to directory in guest\n'
    '\n'
    'setSharedFolderState     Path to vmx file     Modify a Host-Guest shared folder\n'
    '                         Share name\n'
    '                         Host path\n'
    '                         writable | readonly\n'
    '\n'
    'addSharedFolder          Path to vmx file     Add a Host-Guest shared folder\n'
    '                         Share name\n'
    '                         New host path\n'
    '\n'
    'removeSharedFolder       Path to vmx file     Remove a Host-Guest shared folder\n'
    '                         Share name\n'
    '\n'
    'enableSharedFolders      Path to vmx file     Enable shared folders in Guest\n'
    '                         [runtime]\n'
    '\n'
    'disableSharedFolders     Path to vmx file     Disable shared folders in Guest\n'
    '                         [runtime]\n'
    '\n'
    'listProcessesInGuest     Path to vmx file     List running processes in Guest OS\n'
    '\n'
    'killProcessInGuest       Path to vmx file     Kill a process in Guest OS\n'
    '                         process id\n'
    '\n'
    'runScriptInGuest         Path to vmx file     Run a script in Guest OS\n'
    '                         [-noWait]\n'
    '                         [-activeWindow]\n'
    '                         [-interactive]\n'
    '                         Interpreter path\n'
    '                         Script text\n'
    '\n'
    'deleteFileInGuest        Path to vmx file     Delete a file in Guest OS\n'
    '                         Path in guest\n'
    '\n'
    'createDirectoryInGuest   Path to vmx file     Create a directory in Guest OS\n'
    '                         Directory path in guest\n'
    '\n'
    'deleteDirectoryInGuest   Path to vmx file     Delete a directory in Guest OS\n'
    '                         Directory path in guest\n'
    '\n'
    'CreateTempfileInGuest    Path to vmx file     Create a temporary file in Guest OS\n'
    '\n'
    'listDirectoryInGuest     Path to vmx file     List a directory in Guest OS\n'
    '                         Directory path in guest\n'
    '\n'
    'CopyFileFromHostToGuest  Path to vmx file     Copy a file from host OS to guest OS\n'
    '                         Path on host\n'
    '                         Path in guest\n'
    '\n'
    'CopyFileFromGuestToHost  Path to vmx file     Copy a file from guest OS to host OS\n'
    '                         Path in guest\n'
    '                         Path on host\n'
    '\n'
    'renameFileInGuest        Path to vmx file     Rename a file in Guest OS\n'
    '                         Original name\n'
    '                         New name\n'
    '\n'
    'typeKeystrokesInGuest    Path to vmx file     Type Keystrokes in Guest OS\n'
    '                         keystroke string\n'
    '\n'
    'connectNamedDevice       Path to vmx file     Connect the named device in the Guest OS\n'
    '                         device name\n'
    '\n'
    'disconnectNamedDevice    Path to vmx file     Disconnect the named device in the Guest OS\n'
    '                         device name\n'
    '\n'
    'captureScreen            Path to vmx file     Capture the screen of the VM to a local file\n'
    '                         Path on host\n'
    '\n'
    'writeVariable            Path to vmx file     Write a variable in the VM state\n'
    '                         [runtimeConfig|guestEnv|guestVar]\n'
    '                         variable name\n'
    '                         variable value\n'
    '\n'
    'readVariable             Path to vmx file     Read a variable in the VM state\n'
    '                         [runtimeConfig|guestEnv|guestVar]\n'
    '                         variable name\n'
    '\n'
    'getGuestIPAddress        Path to vmx file     Gets the IP address of the guest\n'
    '                         [-wait]\n'
    '\n'
    '\n'
    '\n'
    'GENERAL COMMANDS         PARAMETERS           DESCRIPTION\n'
    '----------------         ----------           -----------\n'
    'list                                          List all running VMs\n'
    '\n'
    'upgradevm                Path to vmx file     Upgrade VM file format, virtual hw\n'
    '\n'
    'installTools             Path to vmx file     Install Tools in Guest\n'
    '\n'
    'checkToolsState          Path to vmx file     Check the current Tools state\n'
    '\n'
    'deleteVM                 Path to vmx file     Delete a VM\n'
    '\n'
    'clone                    Path to vmx file     Create a copy of the VM\n'
    '                         Path to destination vmx file\n'
    '                         full|linked\n'
    '                         [-snapshot=Snapshot Name]\n'
    '                         [-cloneName=Name]\n'
    '\n'
    '\n'
    '\n'
    'Template VM COMMANDS     PARAMETERS           DESCRIPTION\n'
    '---------------------    ----------           -----------\n'
    'downloadPhotonVM         Path for new VM      Download Photon VM\n'
    '\n'
    '\n'
    '\n'
    '\n'
    '\n'
    'Examples:\n'
    '\n'
    '\n'
    'Starting a virtual machine with Workstation on a Windows host\n'
    '   vmrun -T ws start "c:\\my VMs\\myVM.vmx"\n'
    '\n'
    '\n'
    'Running a program in a virtual machine with Workstation on a Windows host with Windows guest\n'
    '   vmrun -T ws -gu guestUser -gp guestPassword runProgramInGuest "c:\\my VMs\\myVM.vmx" "c:\\Program Files\\myProgram.exe"\n'
    '\n'
    '\n'
    'Creating a snapshot of a virtual machine with Workstation on a Windows host\n'
    '   vmrun -T ws snapshot "c:\\my VMs\\myVM.vmx" mySnapshot\n'
    '\n'
    '\n'
    'Reverting to a snapshot with Workstation on a Windows host\n'
    '   vmrun -T ws revertToSnapshot "c:\\my VMs\\myVM.vmx" mySnapshot\n'
    '\n'
    '\n'
    'Deleting a snapshot with Workstation on a Windows host\n'
    '   vmrun -T ws deleteSnapshot "c:\\my VMs\\myVM.vmx" mySnapshot\n'
    '\n'
    '\n'
    'Enabling Shared Folders with Workstation on a Windows host\n'
    '   vmrun -T ws enableSharedFolders "c:\\my VMs\\myVM.vmx"\n'
    '\n'
    ''
)


class VmrunError(Exception):
    """A failure: MSG is printed on stdout as "Error: MSG"."""

    def __init__(self, msg, pre=()):
        Exception.__init__(self, msg)
        self.msg = msg
        self.pre = list(pre)


class UsageError(Exception):
    pass


def not_on(ap):
    return VmrunError("The virtual machine is not powered on: %s" % ap)


def tools_off(ap):
    return VmrunError("The VMware Tools are not running in the virtual "
                      "machine: %s" % ap)


ALREADY_ON = ("The virtual machine should not be powered on. It is "
              "already running.")
NOT_SUPPORTED = "The operation is not supported"
NOT_SUPPORTED_PARAMS = ("The operation is not supported for the specified "
                        "parameters")
INVALID_PARAM = "One of the parameters was invalid"
# Not found in any public capture (vmrun.md section 4): the simulator's
# choice for a snapshot name that matches nothing.
NO_SNAPSHOT = "A snapshot with the name does not exist"
NOT_UNIQUE = "The name does not uniquely identify one snapshot"
FILE_EXISTS = "The file already exists"


# --- .vmx files ------------------------------------------------------------

LINE_RE = re.compile(r'^\s*(.+?)\s*=\s*"?(.*?)"?\s*$')


class Vmx:
    """A .vmx (or .vmsd) file as its lines, so that a rewrite keeps every
    key, the order, comments and the spelling of keys; keys match without
    regard to case, as in VMware."""

    def __init__(self, lines):
        self.lines = lines          # [raw, key or None, value or None]

    @classmethod
    def parse(cls, text):
        lines = []
        for raw in text.split("\n"):
            s = raw.strip()
            if s == "" or s.startswith("#"):
                lines.append([raw, None, None])
                continue
            m = LINE_RE.match(raw)
            if not m:
                raise ValueError("bad line: %r" % raw)
            lines.append([raw, m.group(1), m.group(2)])
        if lines and lines[-1][0] == "":
            lines.pop()
        if not any(k for _, k, _ in lines):
            raise ValueError("no keys")
        return cls(lines)

    @classmethod
    def load(cls, path):
        with open(path, "r", encoding="utf-8") as f:
            return cls.parse(f.read())

    def text(self):
        return "".join(raw + "\n" for raw, _, _ in self.lines)

    def save(self, path):
        tmp = "%s.tmp.%d" % (path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(self.text())
        os.replace(tmp, path)

    def _index(self, key):
        lk = key.lower()
        for i, (_, k, _) in enumerate(self.lines):
            if k is not None and k.lower() == lk:
                return i
        return -1

    def get(self, key, default=None):
        i = self._index(key)
        return default if i < 0 else self.lines[i][2]

    def set(self, key, value):
        i = self._index(key)
        if i < 0:
            self.lines.append(['%s = "%s"' % (key, value), key, value])
        else:
            k = self.lines[i][1]
            self.lines[i] = ['%s = "%s"' % (k, value), k, value]

    def remove(self, key):
        i = self._index(key)
        if i >= 0:
            del self.lines[i]

    def keys(self):
        return [k for _, k, _ in self.lines if k is not None]


def true(v):
    return (v or "").strip().upper() == "TRUE"


def stem(ap):
    base = os.path.basename(ap)
    return base[:-4] if base.lower().endswith(".vmx") else base


def sidecar(ap, ext):
    return os.path.join(os.path.dirname(ap), stem(ap) + ext)


DISK_KEY = re.compile(r"^(scsi|sata|nvme|ide)\d+:\d+\.filename$", re.I)


def disk_keys(vmx):
    out = []
    for k in vmx.keys():
        if DISK_KEY.match(k):
            v = vmx.get(k)
            if v.lower().endswith(".vmdk"):
                out.append(k)
    return out


def bios_uuid(ap):
    h = hashlib.sha256(("bios:" + ap).encode()).digest()[:16]
    b = ["%02x" % x for x in h]
    b[0], b[1] = "56", "4d"
    return " ".join(b[:8]) + "-" + " ".join(b[8:])


# --- state -----------------------------------------------------------------

class Ctx:
    state = None        # vmrun.json: {"vms": {abs path: {...}}}
    opts = None


def vmstate(ap):
    return Ctx.state["vms"].get(ap)


def power(ap):
    s = vmstate(ap)
    return s["power"] if s else "off"


def set_power(ap, pw, **kw):
    vms = Ctx.state["vms"]
    old = vms.get(ap) or {}
    if old.get("power") in ("running", "paused") and \
            pw in ("running", "paused"):
        # Pause, unpause and reset keep the VM's place in "list".
        old["power"] = pw
        old.update(kw)
        return
    vms.pop(ap, None)
    if pw == "off":
        return
    entry = {"power": pw, "since": time.time(), "guest_vars": {},
             "guest_env": {}, "shared_folders": {}, "shared_enabled": False}
    entry.update(kw)
    vms[ap] = entry


def tools_running(ap):
    """Tools run in every powered-on guest unless the knob file
    vmrun-no-tools lists the .vmx (or says "*")."""
    if power(ap) not in ("running", "paused"):
        return False
    text = simlib.read_knob("vmrun-no-tools")
    if text is None:
        return True
    lines = [x.strip() for x in text.splitlines()]
    return not ("*" in lines or ap in lines)


def open_vm(path):
    """The absolute path and parsed .vmx of PATH, or the Cannot open VM
    errors of vmrun.md section 4."""
    ap = os.path.abspath(path)
    if not os.path.exists(ap):
        raise VmrunError("Cannot open VM: %s, The virtual machine cannot be "
                         "found" % path)
    try:
        vmx = Vmx.load(ap)
    except (OSError, UnicodeDecodeError, ValueError):
        raise VmrunError("Cannot open VM: %s, Cannot read the virtual "
                         "machine configuration file" % path)
    keysafe = vmx.get("encryption.keySafe")
    if keysafe is not None:
        want = keysafe[4:] if keysafe.startswith("sim:") else None
        if Ctx.opts.get("vp") is None or Ctx.opts.get("vp") != want:
            raise VmrunError("Cannot open VM: %s, Incorrect password" % path)
    return ap, vmx


def lock_dir(ap):
    return ap + ".lck"


def on_start(ap, vmx):
    """What VMware writes into a .vmx when it powers the VM on the first
    time: BIOS uuid and generated MAC addresses; nothing else changes."""
    changed = False
    u = vmx.get("uuid.bios")
    if u is None:
        u = bios_uuid(ap)
        vmx.set("uuid.bios", u)
        changed = True
    if vmx.get("uuid.location") is None:
        vmx.set("uuid.location", u)
        changed = True
    tail = u.replace("-", " ").split()[-3:]
    for k in list(vmx.keys()):
        m = re.match(r"^(ethernet\d+)\.present$", k, re.I)
        if not m or not true(vmx.get(k)):
            continue
        nic = m.group(1)
        at = (vmx.get(nic + ".addressType") or "generated").lower()
        if at == "generated" and vmx.get(nic + ".generatedAddress") is None:
            off = int(nic[len("ethernet"):]) * 10
            last = (int(tail[2], 16) + off) % 256
            vmx.set(nic + ".generatedAddress", "00:0c:29:%s:%s:%02x"
                    % (tail[0], tail[1], last))
            vmx.set(nic + ".generatedAddressOffset", str(off))
            changed = True
    if changed:
        vmx.save(ap)
    os.makedirs(lock_dir(ap), exist_ok=True)


def on_stop(ap):
    shutil.rmtree(lock_dir(ap), ignore_errors=True)


def write_vmss(ap):
    with open(sidecar(ap, ".vmss"), "w") as f:
        f.write("hvsh-sim suspend image of %s\n" % ap)


def drop_vmss(ap):
    try:
        os.unlink(sidecar(ap, ".vmss"))
    except FileNotFoundError:
        pass


def guest_ip(ap):
    h = int.from_bytes(hashlib.sha256(("ip:" + ap).encode()).digest()[:4],
                       "big")
    return "192.168.%d.%d" % ((h >> 8) % 254 + 1, h % 250 + 2)


# --- snapshots (.vmsd) ---------------------------------------------------------

def read_snapshots(ap):
    """[{uid, parent, name, file}] in creation order, and the current
    uid."""
    path = sidecar(ap, ".vmsd")
    try:
        vmsd = Vmx.load(path)
    except (OSError, ValueError, UnicodeDecodeError):
        return [], None
    n = int(vmsd.get("snapshot.numSnapshots", "0") or 0)
    snaps = []
    for i in range(n):
        p = "snapshot%d." % i
        snaps.append({"uid": vmsd.get(p + "uid"),
                      "parent": vmsd.get(p + "parent"),
                      "name": vmsd.get(p + "displayName", ""),
                      "file": vmsd.get(p + "filename", ""),
                      "created": vmsd.get(p + "createTimeLow", "0")})
    return snaps, vmsd.get("snapshot.current")


def write_snapshots(ap, snaps, current, last_uid):
    lines = ['.encoding = "UTF-8"', 'snapshot.lastUID = "%d"' % last_uid]
    if current:
        lines.append('snapshot.current = "%s"' % current)
    for i, s in enumerate(snaps):
        p = "snapshot%d." % i
        lines.append('%suid = "%s"' % (p, s["uid"]))
        if s["parent"]:
            lines.append('%sparent = "%s"' % (p, s["parent"]))
        lines.append('%sfilename = "%s"' % (p, s["file"]))
        lines.append('%sdisplayName = "%s"' % (p, s["name"]))
        lines.append('%screateTimeLow = "%s"' % (p, s["created"]))
    lines.append('snapshot.numSnapshots = "%d"' % len(snaps))
    text = "\n".join(lines) + "\n"
    with open(sidecar(ap, ".vmsd"), "w", encoding="utf-8") as f:
        f.write(text)


def last_uid(ap):
    try:
        return int(Vmx.load(sidecar(ap, ".vmsd")).get("snapshot.lastUID",
                                                      "0"))
    except (OSError, ValueError, UnicodeDecodeError):
        return 0


def snapshot_tree(snaps):
    """Depth-first (name, depth, snapshot) in creation order."""
    kids = {}
    for s in snaps:
        kids.setdefault(s["parent"] or None, []).append(s)
    out = []

    def walk(parent, depth):
        for s in kids.get(parent, []):
            out.append((depth, s))
            walk(s["uid"], depth + 1)
    walk(None, 0)
    known = {s["uid"] for _, s in out}
    out += [(0, s) for s in snaps if s["uid"] not in known]
    return out


def find_snapshot(snaps, name):
    """One snapshot by name, or by a path "parent/child" from the root."""
    if "/" in name:
        parent, cands = None, []
        for part in name.split("/"):
            cands = [s for s in snaps if (s["parent"] or None) == parent
                     and s["name"] == part]
            if len(cands) != 1:
                break
            parent = cands[0]["uid"]
    else:
        cands = [s for s in snaps if s["name"] == name]
    if not cands:
        raise VmrunError(NO_SNAPSHOT)
    if len(cands) > 1:
        raise VmrunError(NOT_UNIQUE)
    return cands[0]


def snapshot_data(ap, s):
    try:
        with open(os.path.join(os.path.dirname(ap), s["file"]), "r",
                  encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"vmx": None, "power": "off"}


# --- commands --------------------------------------------------------------------

def need_on(ap):
    if power(ap) not in ("running", "paused"):
        raise not_on(ap)


def cmd_list(out, args):
    vms = [ap for ap, s in Ctx.state["vms"].items()
           if s["power"] in ("running", "paused")]
    out.o("Total running VMs: %d\n" % len(vms))
    for ap in vms:
        out.o(ap + "\n")


def cmd_start(out, args):
    mode = (args[1] if len(args) > 1 else "gui").lower()
    if mode not in ("gui", "nogui"):
        raise UsageError()
    ap, vmx = open_vm(args[0])
    pw = power(ap)
    if pw in ("running", "paused"):
        return
    on_start(ap, vmx)
    drop_vmss(ap)
    set_power(ap, "running")


def power_word(args, i):
    w = (args[i] if len(args) > i else "soft").lower()
    if w not in ("soft", "hard"):
        raise UsageError()
    return w


def cmd_stop(out, args):
    how = power_word(args, 1)
    ap, _ = open_vm(args[0])
    need_on(ap)
    if how == "soft" and power(ap) == "running" and not tools_running(ap):
        raise tools_off(ap)
    set_power(ap, "off")
    on_stop(ap)


def cmd_reset(out, args):
    how = power_word(args, 1)
    ap, _ = open_vm(args[0])
    need_on(ap)
    if how == "soft" and not tools_running(ap):
        raise tools_off(ap)
    set_power(ap, "running", since=time.time())


def cmd_suspend(out, args):
    how = power_word(args, 1)
    ap, _ = open_vm(args[0])
    need_on(ap)
    if how == "soft" and power(ap) == "running" and not tools_running(ap):
        raise tools_off(ap)
    set_power(ap, "suspended")
    write_vmss(ap)
    on_stop(ap)


def cmd_pause(out, args):
    ap, _ = open_vm(args[0])
    need_on(ap)
    set_power(ap, "paused")


def cmd_unpause(out, args):
    ap, _ = open_vm(args[0])
    need_on(ap)
    set_power(ap, "running")


def product_has_snapshots():
    if product() == "player":
        raise VmrunError(NOT_SUPPORTED_PARAMS)


def cmd_list_snapshots(out, args):
    tree = len(args) > 1
    if tree and args[1].lower() != "showtree":
        raise UsageError()
    product_has_snapshots()
    ap, _ = open_vm(args[0])
    snaps, _ = read_snapshots(ap)
    out.o("Total snapshots: %d\n" % len(snaps))
    for depth, s in snapshot_tree(snaps):
        out.o(("\t" * depth if tree else "") + s["name"] + "\n")


def cmd_snapshot(out, args):
    product_has_snapshots()
    ap, vmx = open_vm(args[0])
    snaps, current = read_snapshots(ap)
    uid = last_uid(ap) + 1
    fname = "%s-Snapshot%d.vmsn" % (stem(ap), uid)
    with open(os.path.join(os.path.dirname(ap), fname), "w",
              encoding="utf-8") as f:
        json.dump({"vmx": vmx.text(), "power": power(ap)}, f)
    snaps.append({"uid": str(uid), "parent": current, "name": args[1],
                  "file": fname, "created": str(int(time.time()))})
    write_snapshots(ap, snaps, str(uid), uid)


def cmd_delete_snapshot(out, args):
    subtree = len(args) > 2
    if subtree and args[2].lower() != "anddeletechildren":
        raise UsageError()
    product_has_snapshots()
    ap, _ = open_vm(args[0])
    snaps, current = read_snapshots(ap)
    s = find_snapshot(snaps, args[1])
    gone = {s["uid"]}
    if subtree:
        grew = True
        while grew:
            more = {x["uid"] for x in snaps if x["parent"] in gone}
            grew = not more <= gone
            gone |= more
    keep = []
    for x in snaps:
        if x["uid"] in gone:
            try:
                os.unlink(os.path.join(os.path.dirname(ap), x["file"]))
            except OSError:
                pass
            continue
        if x["parent"] == s["uid"]:
            x["parent"] = s["parent"]
        keep.append(x)
    if current in gone:
        current = s["parent"]
    write_snapshots(ap, keep, current, last_uid(ap))


def cmd_revert(out, args):
    """The VM takes the snapshot's configuration; a snapshot taken while
    the VM ran leaves it suspended (start resumes it), else off."""
    product_has_snapshots()
    ap, _ = open_vm(args[0])
    snaps, _ = read_snapshots(ap)
    s = find_snapshot(snaps, args[1])
    data = snapshot_data(ap, s)
    if data.get("vmx"):
        Vmx.parse(data["vmx"]).save(ap)
    set_power(ap, "off")
    on_stop(ap)
    drop_vmss(ap)
    if data.get("power") in ("running", "paused"):
        set_power(ap, "suspended")
        write_vmss(ap)
    write_snapshots(ap, snaps, s["uid"], last_uid(ap))


def clone_disk(src_dir, name, dst_dir, linked):
    """Copy disk NAME of a VM in SRC_DIR to DST_DIR as <base>-clN.vmdk
    (a descriptor naming the parent for a linked clone)."""
    src = name if os.path.isabs(name) else os.path.join(src_dir, name)
    base = os.path.basename(name)[:-5]
    n = 1
    while os.path.exists(os.path.join(dst_dir, "%s-cl%d.vmdk" % (base, n))):
        n += 1
    new = "%s-cl%d.vmdk" % (base, n)
    dst = os.path.join(dst_dir, new)
    if linked:
        with open(dst, "w") as f:
            f.write('# Disk DescriptorFile\nversion=1\nencoding="UTF-8"\n'
                    'CID=fffffffe\nparentCID=fffffffe\ncreateType='
                    '"monolithicSparse"\nparentFileNameHint="%s"\n\n'
                    '# Extent description\nRW 0 SPARSE "%s"\n' % (src, new))
    elif os.path.exists(src):
        shutil.copyfile(src, dst)
    else:
        open(dst, "w").close()
    return new


def cmd_clone(out, args):
    product_has_snapshots()
    src_path, dst_path, mode = args[0], args[1], args[2].lower()
    snap_name = clone_name = None
    rest, i = args[3:], 0
    while i < len(rest):
        a = rest[i]
        if a.lower().startswith("-snapshot="):
            snap_name = a.split("=", 1)[1]
        elif a.lower() == "-snapshot" and i + 1 < len(rest):
            snap_name = rest[i + 1]
            i += 1
        elif a.lower().startswith("-clonename="):
            clone_name = a.split("=", 1)[1]
        elif a.lower() == "-clonename" and i + 1 < len(rest):
            clone_name = rest[i + 1]
            i += 1
        else:
            raise VmrunError(INVALID_PARAM)
        i += 1
    if mode not in ("full", "linked"):
        raise VmrunError(INVALID_PARAM)
    ap, vmx = open_vm(src_path)
    snaps, current = read_snapshots(ap)
    snap = None
    if snap_name is not None:
        snap = find_snapshot(snaps, snap_name)
    elif mode == "linked":
        if current is None:
            raise VmrunError(INVALID_PARAM)
        snap = next((s for s in snaps if s["uid"] == current), None)
        if snap is None:
            raise VmrunError(INVALID_PARAM)
    running = power(ap) in ("running", "paused")
    if snap is None and running:
        raise VmrunError(ALREADY_ON)
    if snap is not None:
        data = snapshot_data(ap, snap)
        if running and data.get("power") in ("running", "paused"):
            raise VmrunError(ALREADY_ON)
        if data.get("vmx"):
            vmx = Vmx.parse(data["vmx"])
    dst = os.path.abspath(dst_path)
    if os.path.exists(dst):
        raise VmrunError(FILE_EXISTS)
    dst_dir = os.path.dirname(dst)
    os.makedirs(dst_dir, exist_ok=True)
    src_dir = os.path.dirname(ap)
    for k in disk_keys(vmx):
        vmx.set(k, clone_disk(src_dir, vmx.get(k), dst_dir,
                              mode == "linked"))
    for k in list(vmx.keys()):
        lk = k.lower()
        if lk in ("uuid.bios", "uuid.location", "vc.uuid") or \
                re.match(r"^ethernet\d+\.generatedaddress(offset)?$", lk):
            vmx.remove(k)
    vmx.set("displayName", clone_name if clone_name is not None else
            "Clone of %s" % (vmx.get("displayName") or stem(ap)))
    vmx.save(dst)


def cmd_delete_vm(out, args):
    ap, vmx = open_vm(args[0])
    if power(ap) in ("running", "paused"):
        raise VmrunError(ALREADY_ON)
    d = os.path.dirname(ap)
    snaps, _ = read_snapshots(ap)
    files = [ap] + [sidecar(ap, e) for e in (".vmsd", ".vmxf", ".nvram",
                                              ".vmss", ".vmem")]
    files += [os.path.join(d, s["file"]) for s in snaps]
    for k in disk_keys(vmx):
        v = vmx.get(k)
        files.append(v if os.path.isabs(v) else os.path.join(d, v))
    nv = vmx.get("nvram")
    if nv:
        files.append(os.path.join(d, nv))
    for f in files:
        try:
            os.unlink(f)
        except OSError:
            pass
    for f in os.listdir(d) if os.path.isdir(d) else []:
        if re.match(r"^vmware(-\d+)?\.log$", f):
            os.unlink(os.path.join(d, f))
    shutil.rmtree(lock_dir(ap), ignore_errors=True)
    set_power(ap, "off")
    try:
        os.rmdir(d)
    except OSError:
        pass


def var_kind(args, n):
    """[runtimeConfig|guestEnv|guestVar] is optional; runtimeConfig if
    left out."""
    if len(args) == n + 1:
        k = args[1].lower()
        if k not in ("runtimeconfig", "guestenv", "guestvar"):
            raise UsageError()
        return k, args[2:]
    return "runtimeconfig", args[1:]


GUEST_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
             "/sbin:/bin", "HOME": "/root", "SHELL": "/bin/bash",
             "LANG": "C.UTF-8"}


def cmd_read_variable(out, args):
    kind, rest = var_kind(args, 2)
    ap, vmx = open_vm(args[0])
    need_on(ap)
    name = rest[0]
    st = vmstate(ap)
    if kind == "runtimeconfig":
        val = vmx.get(name, "")
    elif kind == "guestvar":
        val = st["guest_vars"].get(name, "")
    else:
        if not tools_running(ap):
            raise tools_off(ap)
        val = st["guest_env"].get(name, GUEST_ENV.get(name, ""))
    out.o(val + "\n")


def cmd_write_variable(out, args):
    kind, rest = var_kind(args, 3)
    ap, vmx = open_vm(args[0])
    need_on(ap)
    name, value = rest[0], rest[1]
    st = vmstate(ap)
    if kind == "runtimeconfig":
        vmx.set(name, value)
        vmx.save(ap)
    elif kind == "guestvar":
        st["guest_vars"][name] = value
    else:
        if not tools_running(ap):
            raise tools_off(ap)
        st["guest_env"][name] = value


def cmd_get_ip(out, args):
    wait = len(args) > 1
    if wait and args[1].lower() != "-wait":
        raise UsageError()
    ap, _ = open_vm(args[0])
    need_on(ap)
    if not tools_running(ap):
        raise tools_off(ap)
    ready = vmstate(ap)["since"] + simlib.delay_seconds("vmrun", "ip-ready",
                                                        2.0)
    left = ready - time.time()
    if left > 0:
        if not wait:
            raise VmrunError("Unable to get the IP address")
        time.sleep(left)
    out.o(guest_ip(ap) + "\n")


def cmd_check_tools(out, args):
    ap, _ = open_vm(args[0])
    if power(ap) in ("running", "paused"):
        out.o(("running" if tools_running(ap) else "unknown") + "\n")
        return
    text = simlib.read_knob("vmrun-no-tools")
    lines = [x.strip() for x in (text or "").splitlines()]
    out.o(("unknown" if text is not None and ("*" in lines or ap in lines)
           else "installed") + "\n")


def guest_checks(ap):
    need_on(ap)
    if not tools_running(ap):
        raise tools_off(ap)


def cmd_shared(out, args, op):
    ap, _ = open_vm(args[0])
    guest_checks(ap)
    st = vmstate(ap)
    if op == "enable":
        st["shared_enabled"] = True
    elif op == "disable":
        st["shared_enabled"] = False
    elif op == "add":
        st["shared_folders"][args[1]] = {"path": args[2],
                                         "writable": True}
    elif op == "remove":
        if args[1] not in st["shared_folders"]:
            raise VmrunError("Unknown error")
        del st["shared_folders"][args[1]]
    elif op == "state":
        if args[1] not in st["shared_folders"]:
            raise VmrunError("Unknown error")
        if args[3].lower() not in ("writable", "readonly"):
            raise UsageError()
        st["shared_folders"][args[1]] = {
            "path": args[2], "writable": args[3].lower() == "writable"}


def cmd_upgradevm(out, args):
    ap, vmx = open_vm(args[0])
    if power(ap) in ("running", "paused"):
        raise VmrunError(ALREADY_ON)
    vmx.set("virtualHW.version", "21")
    vmx.save(ap)


def cmd_install_tools(out, args):
    ap, _ = open_vm(args[0])
    need_on(ap)


def cmd_guest_op(out, args):
    """Guest commands the simulator does not model: they check what vmrun
    checks first, then report the operation as unsupported."""
    ap, _ = open_vm(args[0])
    guest_checks(ap)
    if Ctx.opts.get("gu") is None or Ctx.opts.get("gp") is None:
        raise VmrunError("Invalid user name or password for the guest OS.")
    raise VmrunError(NOT_SUPPORTED)


def cmd_device_op(out, args):
    ap, _ = open_vm(args[0])
    need_on(ap)
    raise VmrunError(NOT_SUPPORTED)


def cmd_unsupported(out, args):
    raise VmrunError(NOT_SUPPORTED)


# name: (handler, min args, max args, base seconds)
COMMANDS = {
    "list": (cmd_list, 0, 0, 0.01),
    "start": (cmd_start, 1, 2, 0.3),
    "stop": (cmd_stop, 1, 2, 0.2),
    "reset": (cmd_reset, 1, 2, 0.3),
    "suspend": (cmd_suspend, 1, 2, 0.3),
    "pause": (cmd_pause, 1, 1, 0.05),
    "unpause": (cmd_unpause, 1, 1, 0.05),
    "listsnapshots": (cmd_list_snapshots, 1, 2, 0.01),
    "snapshot": (cmd_snapshot, 2, 2, 0.2),
    "deletesnapshot": (cmd_delete_snapshot, 2, 3, 0.1),
    "reverttosnapshot": (cmd_revert, 2, 2, 0.2),
    "clone": (cmd_clone, 3, 7, 0.3),
    "deletevm": (cmd_delete_vm, 1, 1, 0.1),
    "readvariable": (cmd_read_variable, 2, 3, 0.01),
    "writevariable": (cmd_write_variable, 3, 4, 0.02),
    "getguestipaddress": (cmd_get_ip, 1, 2, 0.01),
    "checktoolsstate": (cmd_check_tools, 1, 1, 0.01),
    "enablesharedfolders": (lambda o, a: cmd_shared(o, a, "enable"), 1, 2,
                            0.02),
    "disablesharedfolders": (lambda o, a: cmd_shared(o, a, "disable"), 1, 2,
                             0.02),
    "addsharedfolder": (lambda o, a: cmd_shared(o, a, "add"), 3, 3, 0.02),
    "removesharedfolder": (lambda o, a: cmd_shared(o, a, "remove"), 2, 2,
                           0.02),
    "setsharedfolderstate": (lambda o, a: cmd_shared(o, a, "state"), 4, 4,
                             0.02),
    "upgradevm": (cmd_upgradevm, 1, 1, 0.1),
    "installtools": (cmd_install_tools, 1, 1, 0.05),
    "runprograminguest": (cmd_guest_op, 2, 99, 0.05),
    "fileexistsinguest": (cmd_guest_op, 2, 2, 0.02),
    "directoryexistsinguest": (cmd_guest_op, 2, 2, 0.02),
    "listprocessesinguest": (cmd_guest_op, 1, 1, 0.02),
    "killprocessinguest": (cmd_guest_op, 2, 2, 0.02),
    "runscriptinguest": (cmd_guest_op, 3, 99, 0.05),
    "deletefileinguest": (cmd_guest_op, 2, 2, 0.02),
    "createdirectoryinguest": (cmd_guest_op, 2, 2, 0.02),
    "deletedirectoryinguest": (cmd_guest_op, 2, 2, 0.02),
    "createtempfileinguest": (cmd_guest_op, 1, 1, 0.02),
    "listdirectoryinguest": (cmd_guest_op, 2, 2, 0.02),
    "copyfilefromhosttoguest": (cmd_guest_op, 3, 3, 0.05),
    "copyfilefromguesttohost": (cmd_guest_op, 3, 3, 0.05),
    "renamefileinguest": (cmd_guest_op, 3, 3, 0.02),
    "typekeystrokesinguest": (cmd_guest_op, 2, 2, 0.02),
    "connectnameddevice": (cmd_device_op, 2, 2, 0.02),
    "disconnectnameddevice": (cmd_device_op, 2, 2, 0.02),
    "capturescreen": (cmd_device_op, 2, 2, 0.05),
    "listhostnetworks": (cmd_unsupported, 0, 0, 0.01),
    "listportforwardings": (cmd_unsupported, 1, 1, 0.01),
    "setportforwarding": (cmd_unsupported, 5, 6, 0.01),
    "deleteportforwarding": (cmd_unsupported, 3, 3, 0.01),
    "downloadphotonvm": (cmd_unsupported, 1, 1, 0.01),
}


def product():
    p = (simlib.read_knob("vmrun-product") or "ws").strip().lower()
    return p if p in ("ws", "player", "fusion") else "ws"


HOST_TYPES = {"ws": ("ws", "player"), "player": ("player", "ws"),
              "fusion": ("fusion",)}
FLAGS = {"-T": "T", "-vp": "vp", "-gu": "gu", "-gp": "gp", "-h": "h",
         "-P": "P", "-u": "u", "-p": "p"}


def main(argv, out):
    opts, i = {}, 0
    while i < len(argv) and argv[i] in FLAGS:
        if i + 1 >= len(argv):
            out.o(HELP_TEXT)
            return FAIL
        opts[FLAGS[argv[i]]] = argv[i + 1]
        i += 2
    if i >= len(argv):
        out.o(HELP_TEXT)
        return FAIL
    Ctx.opts = opts
    cmdname, args = argv[i], argv[i + 1:]
    if simlib.hang_mode() == "before":
        simlib.hang_forever()
    ht = opts.get("T")
    if ht is not None and ht.lower() not in HOST_TYPES[product()]:
        out.o("Invalid host type '%s' specified\n" % ht)
        out.o("Error: %s\n" % NOT_SUPPORTED)
        return FAIL
    entry = COMMANDS.get(cmdname.lower())
    if entry is None:
        out.o("Error: Unrecognized command: %s\n" % cmdname)
        return FAIL
    fn, lo, hi, secs = entry
    if not lo <= len(args) <= hi:
        out.o(HELP_TEXT)
        return FAIL
    failed = simlib.take_fail_next()
    if failed is not None:
        text = failed.strip("\n") or "Error: Unknown error"
        out.o(text + "\n")
        return FAIL
    simlib.op_delay("vmrun", cmdname.lower(), secs)
    code = 0
    with simlib.Store("vmrun") as st:
        Ctx.state = st.load() or {"version": 1, "vms": {}}
        try:
            fn(out, args)
        except VmrunError as e:
            for line in e.pre:
                out.o(line + "\n")
            out.o("Error: %s\n" % e.msg)
            code = FAIL
        except UsageError:
            out.o(HELP_TEXT)
            code = FAIL
        except Exception:
            # A simulator bug: vmrun's generic failure, state kept, the
            # traceback in sim-errors.log.
            simlib.log_bug()
            out.o("Error: Unknown error\n")
            return FAIL
        st.save(Ctx.state)
    if simlib.hang_mode() == "after":
        simlib.hang_forever()
    return code

