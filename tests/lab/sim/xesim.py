# xesim.py: the body of the "xe" simulator (see the executable xe).
#
# It answers like the real thin client talking to a local xapi: the record
# layout, --minimal, params=, filters, the error texts and exit statuses
# documented in shared/hv-formats/xe.md (taken from xapi's cli_printer.ml,
# cli_operations.ml, records.ml and xapi_cli.ml). One host, one pool; state
# is kept as JSON in $HVSH_SIM_STATE (see README.md here for the state
# format, the knobs and what is not simulated).
#
# Runtime: python3 only (Debian package "python3"), standard library only.

import copy
import os
import re
import sys
import time

import simlib

NID = "<not in database>"
STDPARAMS = ["server", "password", "port", "username", "minimal", "force",
             "multiple", "all", "message-priority", "trace"]

# --- errors ---------------------------------------------------------------

# Datamodel errors the simulator raises: (doc line, parameter names), from
# xapi's datamodel_errors.ml (single-space texts of xapi >= 1.178).
ERRORS = {
    "INTERNAL_ERROR": (
        "The server failed to handle your request, due to an internal "
        "error. The given message may give details useful for debugging "
        "the problem.", ["message"]),
    "UUID_INVALID": ("The uuid you supplied was invalid.", ["type", "uuid"]),
    "HANDLE_INVALID": (
        "You gave an invalid object reference. The object may have "
        "recently been deleted. The class parameter gives the type of "
        "reference given, and the handle parameter echoes the bad value "
        "given.", ["class", "handle"]),
    "OPERATION_NOT_ALLOWED": (
        "You attempted an operation that was not allowed.", ["reason"]),
    "VM_BAD_POWER_STATE": (
        "You attempted an operation on a VM that was not in an appropriate "
        "power state at the time; for example, you attempted to start a VM "
        "that was already running. The parameters returned are the VM's "
        "handle, and the expected and actual VM state at the time of the "
        "call.", ["vm", "expected", "actual"]),
    "VM_IS_TEMPLATE": (
        "The operation attempted is not valid for a template VM", ["vm"]),
    "VM_CANNOT_DELETE_DEFAULT_TEMPLATE": (
        "You cannot delete the specified default template.", ["vm"]),
    "VM_NO_VCPUS": ("You need at least 1 VCPU to start a VM", ["vm"]),
    "HOST_NOT_ENOUGH_FREE_MEMORY": (
        "Not enough server memory is available to perform this operation.",
        ["needed", "available"]),
    "HOST_NOT_ENOUGH_PCPUS": (
        "The host does not have enough pCPUs to run the VM. It needs at "
        "least as many as the VM has vCPUs.", ["vcpus", "pcpus"]),
    "SR_FULL": (
        "The SR is full. Requested new size exceeds the maximum size",
        ["requested", "maximum"]),
    "SR_OPERATION_NOT_SUPPORTED": (
        "The SR backend does not support the operation (check the SR's "
        "allowed operations)", ["sr"]),
    "NO_HOSTS_AVAILABLE": (
        "There were no servers available to complete the specified "
        "operation.", []),
    "OTHER_OPERATION_IN_PROGRESS": (
        "Another operation involving the object is currently in progress",
        ["class", "object", "operation_type", "operation_ref"]),
    "VM_MISSING_PV_DRIVERS": (
        "You attempted an operation on a VM which requires PV drivers to be "
        "installed but the drivers were not detected.", ["vm"]),
    "VDI_IN_USE": (
        "This operation cannot be performed because this VDI is in use by "
        "some other operation", ["vdi", "operation"]),
    "DEVICE_ALREADY_ATTACHED": (
        "The device is already attached to a VM", ["device"]),
    "DEVICE_ALREADY_DETACHED": (
        "The device is not currently attached", ["device"]),
    "DEVICE_ALREADY_EXISTS": (
        "A device with the name given already exists on the selected VM",
        ["device"]),
    "MEMORY_CONSTRAINT_VIOLATION_ORDER": (
        "The dynamic memory range violates constraint static_min <= "
        "dynamic_min <= dynamic_max <= static_max.", []),
    "INVALID_VALUE": ("The value given is invalid", ["field", "value"]),
    "VM_REVERT_FAILED": (
        "An error occured while reverting the specified virtual machine to "
        "the specified snapshot", ["vm", "snapshot"]),
    "VDI_TOO_SMALL": (
        "The VDI is too small. Please resize it to at least the minimum "
        "size.", ["vdi", "minimum_size"]),
    "VBD_NOT_UNPLUGGABLE": (
        "Drive could not be hot-unplugged because it is not marked as "
        "unpluggable", ["vbd"]),
}


class XeError(Exception):
    pass


class CliFailure(XeError):
    """Cli_util.Cli_failure and Record_failure: "Error: MSG" on stderr."""

    def __init__(self, msg):
        XeError.__init__(self, msg)
        self.msg = msg


class ServerError(XeError):
    def __init__(self, code, params=()):
        XeError.__init__(self, code)
        self.code = code
        self.params = list(params)


class MissingParam(XeError):
    """Records.CLI_failed_to_find_param (an unknown param-name)."""

    def __init__(self, name):
        XeError.__init__(self, name)
        self.name = name


class ParamNotFound(XeError):
    def __init__(self, name):
        XeError.__init__(self, name)
        self.name = name


class UnknownCommand(XeError):
    def __init__(self, name):
        XeError.__init__(self, name)
        self.name = name


class ParseError(XeError):
    pass


class MultipleFailure(XeError):
    def __init__(self, fails):
        XeError.__init__(self, "multiple")
        self.fails = fails


class RawFailure(XeError):
    """A message the server sends as it is (PrintStderr), then exit 1."""

    def __init__(self, text):
        XeError.__init__(self, text)
        self.text = text


class AuthFailure(XeError):
    def __init__(self, no_user):
        XeError.__init__(self, "auth")
        self.no_user = no_user


class Ref:
    """An object reference in error parameters; xapi prints it as
    "<uuid> (<name-label>)" (cli_util.ml ref_convert)."""

    def __init__(self, uuid, name=None):
        self.uuid = uuid
        self.name = name

    def __str__(self):
        if self.name is None:
            return self.uuid
        return "%s (%s)" % (self.uuid, self.name)


def legacy():
    """Older xapi (< 1.178, XenServer 7.x): two spaces after full stops in
    error texts, no is-vmss-snapshot field."""
    env = os.environ.get("HVSH_SIM_XE_LEGACY")
    if env is not None and env not in ("", "0"):
        return True
    return simlib.knob_exists("xe-legacy")


def error_doc(code):
    doc, names = ERRORS[code]
    if legacy():
        doc = doc.replace(". ", ".  ")
    return doc, names


def server_error_lines(code, params):
    """The doc line and 'name: value' lines of a datamodel error, or None
    for an error the datamodel does not know."""
    if code not in ERRORS:
        return None
    doc, names = error_doc(code)
    vals = [str(p) for p in params]
    lines = []
    for i in range(max(len(names), len(vals))):
        if i < len(names) and i < len(vals):
            lines.append("%s: %s" % (names[i], vals[i]))
        elif i < len(vals):
            lines.append("<extra>: %s" % vals[i])
        else:
            lines.append("%s: <unknown>" % names[i])
    return doc, lines


def string_of_exn(e):
    """Cli_util.string_of_exn, used in --multiple failure reports."""
    if isinstance(e, ServerError):
        return "%s: [ %s ]" % (e.code, "; ".join(str(p) for p in e.params))
    if isinstance(e, CliFailure):
        inner = 'Cli_util.Cli_failure("%s")' % e.msg
    elif isinstance(e, MissingParam):
        inner = 'Records.CLI_failed_to_find_param("%s")' % e.name
    else:
        inner = str(e)
    return "INTERNAL_ERROR: [ %s ]" % inner


def render_error(e, out):
    """xapi_cli.ml exception_handler: what an error prints."""
    usage_hint = "For usage run: 'xe help'\n"
    if isinstance(e, UnknownCommand):
        out.e("Unknown command: %s\n" % e.name + usage_hint)
    elif isinstance(e, ParseError):
        out.e("Syntax error: \n" + usage_hint)
    elif isinstance(e, ParamNotFound):
        out.e("Required parameter not found: %s\n" % e.name + usage_hint)
    elif isinstance(e, MultipleFailure):
        for uuid, msg in e.fails:
            out.o("operation failed on %s: %s\n" % (uuid, msg))
    elif isinstance(e, CliFailure):
        out.e("Error: %s\n" % e.msg)
    elif isinstance(e, RawFailure):
        out.e(e.text)
    elif isinstance(e, AuthFailure):
        if e.no_user:
            out.e("Username/password must be specified\n" + usage_hint)
        else:
            out.e("Authentication failed\n" + usage_hint)
    elif isinstance(e, MissingParam):
        out.e("Error code: Missing parameter\n")
        out.e("Error parameters: %s\n" % e.name)
    elif isinstance(e, ServerError):
        r = server_error_lines(e.code, e.params)
        if r is None:
            out.e("Error code: %s\n" % e.code)
            out.e("Error parameters: %s\n"
                  % ", ".join(str(p) for p in e.params))
        else:
            out.e(r[0] + "\n")
            for line in r[1]:
                out.e(line + "\n")
    else:
        out.e("%s\n%s: %s\n" % (ERRORS["INTERNAL_ERROR"][0], "message",
                                str(e)))
    return 1


# --- value helpers ----------------------------------------------------------

def now():
    return int(time.time())


def fmt_date(t):
    """xapi's Date.to_string: 20240131T12:34:56Z."""
    return time.strftime("%Y%m%dT%H:%M:%SZ", time.gmtime(int(t or 0)))


def fmt_bool(b):
    return "true" if b else "false"


def fmt_float(f):
    return "%.3f" % f


def s2sm(pairs):
    if isinstance(pairs, dict):
        pairs = list(pairs.items())
    return "; ".join("%s: %s" % (k, v) for k, v in pairs)


BOOL_WORDS = {"true": True, "t": True, "yes": True, "y": True, "1": True,
              "false": False, "f": False, "no": False, "n": False,
              "0": False}


def cli_bool(name, value):
    """Record_util.bool_of_string as used for command parameters."""
    b = BOOL_WORDS.get(value.lower())
    if b is None:
        raise CliFailure("Failed to parse parameter '%s': expecting a "
                         "boolean (true or false)" % name)
    return b


def get_bool_param(params, name, default=False):
    v = assoc(name, params)
    if v is None:
        return default
    return cli_bool(name, v)


def safe_i64(name, value):
    try:
        return int(value, 10)
    except ValueError:
        raise CliFailure("Failed to parse parameter '%s': expecting an "
                         "integer" % name)


def safe_bool(name, value):
    if value == "true":
        return True
    if value == "false":
        return False
    raise CliFailure("Failed to parse parameter '%s': expecting a boolean "
                     "(true or false)" % name)


SIZE_SUFFIX = {"": 1, "B": 1, "KiB": 1 << 10, "KB": 1 << 10, "K": 1 << 10,
               "MiB": 1 << 20, "MB": 1 << 20, "M": 1 << 20,
               "GiB": 1 << 30, "GB": 1 << 30, "G": 1 << 30,
               "TiB": 1 << 40, "TB": 1 << 40, "T": 1 << 40}


def bytes_of_string(field, value):
    m = re.match(r"^\s*(-?[0-9]+)\s*([A-Za-z]*)\s*$", value)
    if not m or m.group(2) not in SIZE_SUFFIX:
        raise CliFailure("Failed to parse field '%s': expecting an integer "
                         "(possibly with suffix KiB, MiB, GiB, TiB), got "
                         "'%s'" % (field, value))
    return int(m.group(1)) * SIZE_SUFFIX[m.group(2)]


def assoc(name, params):
    for k, v in params:
        if k == name:
            return v
    return None


def remove_assoc(name, params):
    out, done = [], False
    for k, v in params:
        if k == name and not done:
            done = True
            continue
        out.append((k, v))
    return out


def hnum(*parts):
    """A stable number from strings (for simulated IPs, MACs, loads)."""
    import hashlib
    h = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "big")


def new_uuid():
    """The next uuid: the first line of the knob file 'uuids' if there is
    one (consumed), else a random one. Called under the state lock."""
    path = simlib.knob_path("uuids")
    text = simlib.read_knob("uuids")
    if text:
        lines = text.splitlines()
        while lines and not lines[0].strip():
            lines.pop(0)
        if lines:
            first = lines.pop(0).strip()
            tmp = path + ".tmp.%d" % os.getpid()
            with open(tmp, "w") as f:
                f.write("".join(line + "\n" for line in lines))
            os.replace(tmp, path)
            return first
    return rand_uuid()


def rand_uuid():
    """A random (version 4) uuid."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def mac_for(seed):
    n = hnum("mac", seed)
    b = [(n >> (8 * i)) & 0xFF for i in range(6)]
    b[0] = (b[0] & 0xFC) | 0x02
    return ":".join("%02x" % x for x in b)


# --- the database ---------------------------------------------------------
#
# xe.json holds one pool with one host; tables are lists (the order in
# which *-list prints) of dicts keyed by xapi field names in snake case.

GIB = 1 << 30
MIB = 1 << 20

DEFAULT_TEMPLATES = [
    # name, description, memory, vcpus, disks (device, bytes), install
    ("Other install media",
     "Template which allows VM installation from install media",
     256 * MIB, 1, [], "cdrom"),
    ("Debian Bookworm 12",
     "Template that allows VM installation from Xen-aware Debian-based "
     "distros.", 1 * GIB, 1, [(0, 10 * GIB)], "cdrom,nfs,http,ftp"),
    ("CentOS Stream 9",
     "Template that allows VM installation from Xen-aware EL-based "
     "distros.", 2 * GIB, 2, [(0, 10 * GIB)], "cdrom,nfs,http,ftp"),
    ("Ubuntu Jammy Jellyfish 22.04",
     "Template that allows VM installation from Xen-aware Debian-based "
     "distros.", 1 * GIB, 1, [(0, 10 * GIB)], "cdrom,nfs,http,ftp"),
    ("Windows Server 2022 (64-bit)",
     "Clones of this template will automatically provision their storage "
     "when first booted and then reconfigure themselves with the optimal "
     "settings for Windows Server 2022 (64-bit).",
     2 * GIB, 2, [(0, 32 * GIB)], "cdrom"),
]


def vm_defaults():
    return {
        "uuid": "", "name_label": "", "name_description": "",
        "user_version": 1, "is_a_template": False,
        "is_default_template": False, "is_a_snapshot": False,
        "snapshot_of": None, "snapshot_time": 0, "snapshot_info": {},
        "transportable_snapshot_id": "", "parent": None,
        "is_control_domain": False, "power_state": "halted",
        "memory_static_min": 256 * MIB, "memory_dynamic_min": 256 * MIB,
        "memory_dynamic_max": 256 * MIB, "memory_static_max": 256 * MIB,
        "suspend_VDI": None, "suspend_SR": None, "VCPUs_params": {},
        "VCPUs_max": 1, "VCPUs_at_startup": 1,
        "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart",
        "actions_after_crash": "restart", "platform": {
            "timeoffset": "0", "device-model": "qemu-upstream-compat",
            "videoram": "8", "apic": "true", "acpi": "1", "pae": "true",
            "nx": "true", "viridian": "false"},
        "blocked_operations": {}, "domain_type": "hvm",
        "HVM_boot_policy": "BIOS order",
        "HVM_boot_params": {"order": "cdn", "firmware": "bios"},
        "HVM_shadow_multiplier": 1.0, "NVRAM": {}, "PV_kernel": "",
        "PV_ramdisk": "", "PV_args": "", "PV_legacy_args": "",
        "PV_bootloader": "", "PV_bootloader_args": "",
        "last_boot_CPU_flags": {}, "affinity": None, "other_config": {},
        "domid": -1, "recommendations": (
            '<restrictions><restriction field="memory-static-max" '
            'max="137438953472" /><restriction field="vcpus-max" max="32" '
            '/><restriction property="number-of-vbds" max="255" />'
            '<restriction property="number-of-vifs" max="7" />'
            '</restrictions>'),
        "xenstore_data": {}, "ha_always_run": False,
        "ha_restart_priority": "", "start_time": 0, "install_time": 0,
        "memory_actual": 0, "vcpus_number": 0, "console": None,
        "tags": [], "appliance": None, "snapshot_schedule": None,
        "is_vmss_snapshot": False, "start_delay": 0, "shutdown_delay": 0,
        "order": 0, "version": 0, "generation_id": "",
        "hardware_platform_version": 0, "has_vendor_device": False,
        "requires_reboot": False, "reference_label": "",
        "bios_strings": {}, "guest_vars": {},
    }


def make_vm(**kw):
    vm = vm_defaults()
    vm.update(kw)
    return vm


def sr_rec(uuid, name, desc, typ, content, size, shared=False,
           tools=False, other=None, sm=None, util=None):
    return {"uuid": uuid, "name_label": name, "name_description": desc,
            "type": typ, "content_type": content, "physical_size": size,
            "physical_utilisation": util, "shared": shared,
            "is_tools_sr": tools, "other_config": other or {},
            "sm_config": sm or {}, "tags": []}


def vdi_rec(uuid, sr, name, desc, size, typ="user", **kw):
    d = {"uuid": uuid, "sr": sr, "name_label": name,
         "name_description": desc, "virtual_size": size,
         "physical_utilisation": size, "type": typ, "sharable": False,
         "read_only": False, "is_a_snapshot": False, "snapshot_of": None,
         "snapshot_time": 0, "location": uuid, "other_config": {},
         "sm_config": {}, "xenstore_data": {}, "on_boot": "persist",
         "allow_caching": False, "tags": [], "is_tools_iso": False,
         "managed": True, "missing": False}
    d.update(kw)
    return d


def vbd_rec(uuid, vm, vdi, userdevice, **kw):
    d = {"uuid": uuid, "vm": vm, "vdi": vdi, "userdevice": str(userdevice),
         "device": "", "bootable": False, "mode": "RW", "type": "Disk",
         "unpluggable": True, "currently_attached": False,
         "empty": vdi is None, "other_config": {},
         "qos_algorithm_type": "", "qos_algorithm_params": {},
         "storage_lock": False, "status_code": 0, "status_detail": ""}
    d.update(kw)
    return d


def vif_rec(uuid, vm, network, device, mac, **kw):
    d = {"uuid": uuid, "vm": vm, "network": network, "device": str(device),
         "MAC": mac, "MAC_autogenerated": True, "MTU": 1500,
         "currently_attached": False, "other_config": {},
         "qos_algorithm_type": "", "qos_algorithm_params": {},
         "locking_mode": "network_default", "ipv4_allowed": [],
         "ipv6_allowed": []}
    d.update(kw)
    return d


def template_disks_xml(disks):
    return "<provision>%s</provision>" % "".join(
        '<disk device="%d" size="%d" sr="" bootable="%s" type="system"/>'
        % (dev, size, "true" if i == 0 else "false")
        for i, (dev, size) in enumerate(disks))


def seed_get(d, *names, default=None):
    for n in names:
        if n in d:
            return d[n]
    return default


def seed_bool(v):
    if isinstance(v, bool):
        return v
    return str(v).lower() in ("true", "1", "yes", "t", "y")


def init_db():
    """A fresh host: the defaults below, overridden by the optional seed
    file xe-seed.json in the state directory (see README.md)."""
    seed = {}
    text = simlib.read_knob("xe-seed.json")
    if text:
        import json
        seed = json.loads(text)
    hostname = (seed.get("hostname") or os.environ.get("HVSH_SIM_HOSTNAME")
                or os.uname().nodename)
    hs = seed.get("host", {})
    host_uuid = hs.get("uuid") or rand_uuid()
    mem_total = int(seed_get(hs, "memory-total", default=None)
                    or os.environ.get("HVSH_SIM_MEMORY") or 16 * GIB)
    cpus = int(seed_get(hs, "cpu-count", "cpus", default=None)
               or os.environ.get("HVSH_SIM_CPUS") or 4)
    t = now()
    db = {"version": 1, "next_domid": 1, "hosts": [], "pool": {},
          "vms": [], "srs": [], "pbds": [], "vdis": [], "vbds": [],
          "vifs": [], "networks": []}
    db["hosts"].append({
        "uuid": host_uuid, "name_label": hs.get("name-label", hostname),
        "name_description": hs.get("name-description", "Default install"),
        "hostname": hostname,
        "address": hs.get("address",
                          os.environ.get("HVSH_SIM_ADDRESS", "127.0.0.1")),
        "memory_total": mem_total, "cpu_count": cpus, "enabled": True,
        "logging": {}, "tags": [], "guest_VCPUs_params": {},
        "other_config": {"agent_start_time": "%d." % t,
                         "boot_time": "%d." % (t - 3600),
                         "iscsi_iqn": "iqn.2024-01.com.example:%s"
                         % host_uuid[:8]},
        "iscsi_iqn": "iqn.2024-01.com.example:%s" % host_uuid[:8],
        "ssl_legacy": False, "multipathing": False,
        "boot_time": t - 3600})
    # Storage.
    srs = seed.get("srs")
    if srs is None:
        local = rand_uuid()
        db["srs"] = [
            sr_rec(local, "Local storage", "", "lvm", "user", 1024 * GIB,
                   other={"i18n-original-value-name_label": "Local storage",
                          "i18n-key": "local-storage"},
                   sm={"allocation": "thick", "use_vhd": "true",
                       "devserial": "scsi-36000c29f3ad2c1ab55bc2e8a1e2c5e8d"}),
            sr_rec(rand_uuid(), "DVD drives", "Physical DVD drives", "udev",
                   "iso", 0, util=0,
                   other={"i18n-original-value-name_label": "DVD drives",
                          "i18n-key": "local-hotplug-cd"}),
            sr_rec(rand_uuid(), "Removable storage", "", "udev", "disk", 0,
                   util=0,
                   other={"i18n-original-value-name_label":
                          "Removable storage",
                          "i18n-key": "local-hotplug-disk"}),
            sr_rec(rand_uuid(), "XCP-ng Tools", "XCP-ng VM Tools ISOs",
                   "iso", "iso", -1, shared=True, tools=True, util=-1,
                   other={"xensource_internal": "true",
                          "i18n-key": "xenserver-tools"}),
        ]
        tools_sr = db["srs"][3]["uuid"]
        db["vdis"].append(vdi_rec(rand_uuid(), tools_sr, "guest-tools.iso",
                                  "", 64 * MIB, read_only=True,
                                  sharable=True, is_tools_iso=True,
                                  location="guest-tools.iso"))
    else:
        for s in srs:
            size = int(seed_get(s, "physical-size", default=1024 * GIB))
            typ = s.get("type", "lvm")
            util = seed_get(s, "physical-utilisation", default=None)
            if util is None and typ != "lvm":
                util = size if size < 0 else 0
            rec = sr_rec(s.get("uuid") or rand_uuid(),
                         s.get("name-label", ""),
                         s.get("name-description", ""), typ,
                         s.get("content-type", "user"), size,
                         shared=seed_bool(s.get("shared", False)),
                         tools=seed_bool(s.get("is-tools-sr", False)),
                         util=None if util is None else int(util))
            rec["seed_pbds"] = s.get("pbds", 1)
            db["srs"].append(rec)
    for s in db["srs"]:
        n = s.pop("seed_pbds", 1)
        ids = n if isinstance(n, list) else [None] * int(n)
        for i, pid in enumerate(ids):
            db["pbds"].append({
                "uuid": pid or rand_uuid(), "sr": s["uuid"],
                "host": host_uuid if i == 0 else None,
                "device_config": ({"device": "/dev/sda3"}
                                  if s["type"] == "lvm" else
                                  {"location": "/dev/xapi/cd"}
                                  if s["type"] == "udev" else
                                  {"location": "/opt/xensource/packages/iso"
                                   if s["is_tools_sr"] else "/srv/iso"}),
                "currently_attached": True, "other_config": {}})
    default_sr = seed.get("default-sr")
    if default_sr is None:
        lvm = [s for s in db["srs"] if s["content_type"] == "user"]
        default_sr = lvm[0]["uuid"] if lvm else None
    # Networks.
    db["networks"] = [
        {"uuid": rand_uuid(),
         "name_label": "Pool-wide network associated with eth0",
         "name_description": "", "bridge": "xenbr0", "MTU": 1500,
         "managed": True, "other_config": {}, "tags": [],
         "default_locking_mode": "unlocked", "purpose": []},
        {"uuid": rand_uuid(), "name_label": "Host internal management network",
         "name_description": "Network on which guests will be assigned a "
         "private link-local IP address which can be used to talk XenAPI",
         "bridge": "xenapi", "MTU": 1500, "managed": True,
         "other_config": {"is_guest_installer_network": "true",
                          "is_host_internal_management_network": "true",
                          "ip_begin": "169.254.0.1",
                          "ip_end": "169.254.255.254",
                          "netmask": "255.255.0.0"},
         "tags": [], "default_locking_mode": "unlocked", "purpose": []},
    ]
    ps = seed.get("pool", {})
    db["pool"] = {
        "uuid": ps.get("uuid") or rand_uuid(),
        "name_label": ps.get("name-label", ""),
        "name_description": ps.get("name-description", ""),
        "master": host_uuid, "default_SR": default_sr,
        "crash_dump_SR": default_sr, "suspend_image_SR": default_sr,
        "other_config": {"auto_poweron": "false"}, "tags": [],
        "gui_config": {}, "health_check_config": {},
        "guest_agent_config": {}, "ha_host_failures_to_tolerate": 0,
        "ha_allow_overcommit": False, "wlb_enabled": False,
        "wlb_verify_cert": False, "igmp_snooping_enabled": False,
        "policy_no_vendor_device": False, "live_patching_disabled": False}
    db["hosts"][0]["suspend_image_sr"] = default_sr
    db["hosts"][0]["crash_dump_sr"] = default_sr
    # The control domain.
    ds = seed.get("dom0", {})
    dom0_mem = int(ds.get("memory", GIB))
    db["vms"].append(make_vm(
        uuid=ds.get("uuid") or rand_uuid(),
        name_label="Control domain on host: %s" % hostname,
        name_description="The domain which manages physical devices and "
        "manages other domains",
        is_control_domain=True, power_state="running", domid=0,
        memory_static_min=dom0_mem, memory_dynamic_min=dom0_mem,
        memory_dynamic_max=dom0_mem, memory_static_max=dom0_mem,
        memory_actual=dom0_mem, VCPUs_max=min(cpus, 16),
        VCPUs_at_startup=min(cpus, 16), vcpus_number=min(cpus, 16),
        domain_type="pv", platform={}, HVM_boot_policy="",
        HVM_boot_params={}, start_time=t - 3600, install_time=t - 86400,
        other_config={"storage_driver_domain":
                      "OpaqueRef:" + rand_uuid(), "is_system_domain":
                      "true", "perfmon": ""},
        console=rand_uuid(), actions_after_crash="destroy"))
    # Templates.
    tmpls = seed.get("templates")
    if tmpls is None:
        tmpls = [{"name-label": n, "name-description": d, "memory": m,
                  "vcpus": c, "disks": dk, "install-methods": im}
                 for n, d, m, c, dk, im in DEFAULT_TEMPLATES]
    for tp in tmpls:
        mem = int(tp.get("memory", 256 * MIB))
        vc = int(tp.get("vcpus", 1))
        oc = {"default_template": "true",
              "install-methods": tp.get("install-methods", "cdrom"),
              "linux_template": "true"}
        disks = [tuple(x) for x in tp.get("disks", [])]
        if disks:
            oc["disks"] = template_disks_xml(disks)
        db["vms"].append(make_vm(
            uuid=tp.get("uuid") or rand_uuid(),
            name_label=tp.get("name-label", ""),
            name_description=tp.get("name-description", ""),
            is_a_template=True, is_default_template=True,
            memory_static_min=mem, memory_dynamic_min=mem,
            memory_dynamic_max=mem, memory_static_max=mem,
            VCPUs_max=vc, VCPUs_at_startup=vc, other_config=oc))
    # Seeded guests.
    for v in seed.get("vms", []):
        mem = int(seed_get(v, "memory", "memory-static-max",
                           default=256 * MIB))
        vc = int(seed_get(v, "vcpus", "VCPUs-max", default=1))
        vm = make_vm(
            uuid=v.get("uuid") or rand_uuid(),
            name_label=v.get("name-label", ""),
            name_description=v.get("name-description", ""),
            is_a_template=seed_bool(v.get("is-a-template", False)),
            memory_static_min=mem, memory_dynamic_min=mem,
            memory_dynamic_max=mem, memory_static_max=mem,
            VCPUs_max=vc, VCPUs_at_startup=vc,
            other_config=dict(v.get("other-config", {})),
            install_time=t)
        db["vms"].append(vm)
        ps_ = v.get("power-state", "halted")
        if ps_ != "halted":
            boot(db, vm, ps_)
    for f in seed.get("vifs", []):
        vm_ref = seed_get(f, "vm-uuid", "vm", default=None)
        vm = next((x for x in db["vms"] if x["uuid"] == vm_ref
                   or x["name_label"] == vm_ref), None)
        net = f.get("network-uuid") or db["networks"][0]["uuid"]
        if vm is None:
            continue
        rec = vif_rec(f.get("uuid") or rand_uuid(), vm["uuid"], net,
                      f.get("device", "0"),
                      f.get("MAC") or mac_for(rand_uuid()),
                      MAC_autogenerated="MAC" not in f,
                      currently_attached=vm["power_state"] == "running")
        db["vifs"].append(rec)
    return db


def boot(db, vm, state="running"):
    """Give VM the run-time state of a freshly started domain."""
    vm["power_state"] = state
    vm["domid"] = db["next_domid"]
    db["next_domid"] += 1
    vm["start_time"] = now()
    vm["memory_actual"] = vm["memory_dynamic_max"]
    vm["vcpus_number"] = vm["VCPUs_at_startup"]
    vm["console"] = rand_uuid()
    vm["last_boot_CPU_flags"] = {"vendor": "GenuineIntel",
                                 "features": "1fcbfbff-f7fa3223-2d93fbff-"
                                 "00000023-00000001-000007ab-00000000-"
                                 "00000000-00001000-8c000000"}
    for vbd in db["vbds"]:
        if vbd["vm"] == vm["uuid"]:
            vbd["currently_attached"] = True
            vbd["device"] = vbd_device_name(vbd["userdevice"])
    for vif in db["vifs"]:
        if vif["vm"] == vm["uuid"]:
            vif["currently_attached"] = True


def vbd_device_name(userdevice):
    try:
        n = int(userdevice)
    except ValueError:
        return userdevice
    name = ""
    n += 1
    while n > 0:
        n, r = divmod(n - 1, 26)
        name = chr(ord("a") + r) + name
    return "xvd" + name


def halt(db, vm):
    """Drop the run-time state of a domain that stopped."""
    vm["power_state"] = "halted"
    vm["domid"] = -1
    vm["memory_actual"] = 0
    vm["vcpus_number"] = 0
    vm["console"] = None
    vm["guest_vars"] = {}
    for vbd in db["vbds"]:
        if vbd["vm"] == vm["uuid"]:
            vbd["currently_attached"] = False
    for vif in db["vifs"]:
        if vif["vm"] == vm["uuid"]:
            vif["currently_attached"] = False
    drop_suspend_vdi(db, vm)


def drop_suspend_vdi(db, vm):
    if vm.get("suspend_VDI"):
        db["vdis"] = [d for d in db["vdis"]
                      if d["uuid"] != vm["suspend_VDI"]]
        vm["suspend_VDI"] = None


# --- queries over the loaded database --------------------------------------

class C:
    """The database of this invocation (set once it is loaded)."""
    db = None


def table(name):
    return C.db[name]


def find(tname, uuid):
    if uuid is None:
        return None
    for o in objects(tname):
        if o["uuid"] == uuid:
            return o
    return None


def the_host():
    return C.db["hosts"][0]


TYPE_NAMES = {"vms": "VM", "hosts": "host", "srs": "SR", "vdis": "VDI",
              "vbds": "VBD", "vifs": "VIF", "networks": "network",
              "pbds": "PBD", "pool": "pool", "appliances": "VM_appliance",
              "vmss": "VMSS"}


def objects(tname):
    """The rows of table TNAME (the pool is a table of one)."""
    if tname == "pool":
        return [C.db["pool"]]
    return C.db.get(tname, [])


def get_by_uuid(tname, uuid):
    o = find(tname, uuid)
    if o is None:
        raise ServerError("UUID_INVALID", [TYPE_NAMES[tname], uuid])
    return o


def vm_ref(vm):
    return Ref(vm["uuid"], vm["name_label"])


def uuid_of(tname, ref):
    """get_uuid_from_ref: a dangling or null reference prints NID."""
    o = find(tname, ref)
    return o["uuid"] if o else NID


def name_of(tname, ref):
    o = find(tname, ref)
    return o["name_label"] if o else NID


def resident(vm):
    return vm["power_state"] in ("running", "paused")


def mem_overhead(vm):
    if vm["is_control_domain"]:
        return 0
    over = -(-vm["memory_static_max"] // 128)
    over = -(-over // MIB) * MIB
    return max(MIB, over) + (vm["VCPUs_max"] // 4) * MIB


def host_free_memory():
    h = the_host()
    used = sum(v["memory_actual"] + mem_overhead(v)
               for v in C.db["vms"] if resident(v))
    return h["memory_total"] - used


def guest_ip(vm, device):
    n = hnum("ip", vm["uuid"], device)
    return "10.0.%d.%d" % ((n >> 8) % 250 + 1, n % 250 + 2)


def vcpu_load(vm, i):
    n = hnum("load", vm["uuid"], i, int(time.time() // 10))
    return (n % 150) / 1000.0


def guest_metrics(vm):
    """The VM_guest_metrics of a booted guest with PV tools, else None."""
    if vm["is_control_domain"] or vm["power_state"] == "halted" or \
            vm["is_a_template"]:
        return None
    nets = {}
    for vif in table("vifs"):
        if vif["vm"] == vm["uuid"]:
            ip = guest_ip(vm, vif["device"])
            nets["%s/ip" % vif["device"]] = ip
            nets["%s/ipv4/0" % vif["device"]] = ip
    return {
        "os_version": {"name": "Debian GNU/Linux 12 (bookworm)",
                       "uname": "6.1.0-13-amd64", "distro": "debian",
                       "major": "12", "minor": "2"},
        "PV_drivers_version": {"major": "7", "minor": "30", "micro": "0",
                               "build": "11"},
        "memory": {}, "disks": {}, "networks": nets,
        "other": {"feature-shutdown": "1", "feature-suspend": "1",
                  "feature-poweroff": "1", "feature-reboot": "1",
                  "feature-vcpu-hotplug": "1",
                  "platform-feature-multiprocessor-suspend": "1",
                  "has-vendor-device": "0"},
        "last_updated": vm["start_time"] + 10,
    }


def allowed_ops(vm):
    if vm["is_control_domain"]:
        return ["changing_dynamic_range", "changing_VCPUs_live"]
    if vm["is_a_snapshot"]:
        return ["clone", "copy", "export", "destroy", "revert"]
    if vm["is_a_template"]:
        ops = ["clone", "copy", "export", "provision"]
        return ops if vm["is_default_template"] else ops + ["destroy"]
    return {
        "halted": ["changing_dynamic_range", "changing_shadow_memory",
                   "changing_static_range", "make_into_template",
                   "migrate_send", "destroy", "export", "start_on", "start",
                   "clone", "copy", "snapshot"],
        "running": ["changing_dynamic_range", "migrate_send", "pool_migrate",
                    "changing_VCPUs_live", "suspend", "hard_reboot",
                    "hard_shutdown", "clean_reboot", "clean_shutdown",
                    "pause", "checkpoint", "snapshot"],
        "paused": ["changing_dynamic_range", "hard_reboot", "hard_shutdown",
                   "unpause", "snapshot"],
        "suspended": ["hard_shutdown", "resume_on", "resume", "destroy",
                      "export", "snapshot"],
    }[vm["power_state"]]


def cpu_info():
    h = the_host()
    feat = "1fcbfbff-f7fa3223-2d93fbff-00000023-00000001-000007ab-" \
        "00000000-00000000-00001000-8c000000"
    return [
        ("cpu_count", str(h["cpu_count"])), ("socket_count", "1"),
        ("vendor", "GenuineIntel"), ("speed", "2394.454"),
        ("modelname", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"),
        ("family", "6"), ("model", "79"), ("stepping", "1"),
        ("flags", "fpu de tsc msr pae mce cx8 apic sep mca cmov pat "
         "clflush acpi mmx fxsr sse sse2 ht syscall nx lm constant_tsc "
         "rep_good nopl nonstop_tsc cpuid pni pclmulqdq monitor est ssse3 "
         "fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand "
         "hypervisor lahf_lm abm 3dnowprefetch fsgsbase bmi1 hle avx2 "
         "bmi2 erms rtm rdseed adx xsaveopt arat md_clear"),
        ("features_pv", feat), ("features_hvm", feat),
        ("features_hvm_host", feat), ("features_pv_host", feat),
    ]


SOFTWARE_VERSION = [
    ("product_version", "8.2.1"), ("product_version_text", "8.2"),
    ("product_version_text_short", "8.2"), ("platform_name", "XCP"),
    ("platform_version", "3.2.1"), ("product_brand", "XCP-ng"),
    ("build_number", "release/yangtze/master/58"), ("hostname", "localhost"),
    ("date", "2022-08-01"), ("dbv", "0.0.1"), ("xapi", "1.20"),
    ("xen", "4.13.5-9.38"), ("linux", "4.19.0+1"),
    ("xencenter_min", "2.16"), ("xencenter_max", "2.16"),
    ("network_backend", "openvswitch"), ("db_schema", "5.602")]


# --- fields ------------------------------------------------------------------

class F:
    """One field of a record class, as in xapi's records.ml: a getter and
    optional setter / set and map accessors. The access tag printed after
    the name follows cli_operations.ml print_field."""

    def __init__(self, name, get, kind="plain", set=None, get_list=None,
                 add_set=None, rem_set=None, get_map=None, add_map=None,
                 rem_map=None, clear_map=None, hidden=False,
                 expensive=False, deprecated=False, ci=False, sep="; "):
        self.name = name
        self.kind = kind
        self.set = set
        self.get_list = get_list
        self.add_set = add_set
        self.rem_set = rem_set
        self.get_map = get_map
        self.add_map = add_map
        self.rem_map = rem_map
        self.clear_map = clear_map
        self.hidden = hidden
        self.expensive = expensive
        self.deprecated = deprecated
        self.ci = ci
        if get is None:
            if kind == "set":
                def get(o):
                    return sep.join(self.get_list(o))
            else:
                def get(o):
                    return s2sm(self.get_map(o))
        self.get = get

    def label(self):
        if self.kind == "set":
            tag = " (SRO)" if self.add_set is None else " (SRW)"
        elif self.kind == "map":
            tag = " (MRO)" if self.add_map is None else " (MRW)"
        else:
            tag = " ( RO)" if self.set is None else " ( RW)"
        return self.name + tag + (" [DEPRECATED]" if self.deprecated else "")


def fmt_val(typ, v):
    if typ == "str":
        return "" if v is None else str(v)
    if typ == "int":
        return str(int(v or 0))
    if typ == "bool":
        return fmt_bool(v)
    if typ == "float":
        return fmt_float(float(v or 0))
    if typ == "date":
        return fmt_date(v)
    if typ.startswith("ref:"):
        return uuid_of(typ[4:], v)
    raise ValueError(typ)


def parse_val(name, typ, v):
    if typ == "str":
        return v
    if typ == "int":
        return safe_i64(name, v)
    if typ == "bool":
        return safe_bool(name, v)
    if typ == "bytes":
        return bytes_of_string(name, v)
    if typ == "float":
        try:
            return float(v)
        except ValueError:
            raise CliFailure("Parameter %s must be a floating-point number"
                             % name)
    if typ.startswith("ref:"):
        if v == "":
            return None
        return get_by_uuid(typ[4:], v)["uuid"]
    raise ValueError(typ)


def P(name, key, typ="str", rw=False, check=None, **kw):
    """A field stored under KEY."""
    show = "int" if typ == "bytes" else typ

    def get(o):
        return fmt_val(show, o.get(key))
    setter = None
    if rw:
        def setter(o, v):
            val = parse_val(name, typ, v)
            if check:
                check(o, val)
            o[key] = val
    return F(name, get, set=setter, **kw)


def G(name, fn, **kw):
    """A computed read-only field."""
    return F(name, fn, **kw)


def M(name, key, rw=True, check=None, clear=False, **kw):
    """A map field stored under KEY."""
    def get_map(o):
        return list((o.get(key) or {}).items())
    add = rem = clr = None
    if rw:
        def add(o, k, v):
            if check:
                check(o, k, v)
            o.setdefault(key, {})[k] = v

        def rem(o, k):
            o.setdefault(key, {}).pop(k, None)
        if clear:
            def clr(o):
                o[key] = {}
    return F(name, None, kind="map", get_map=get_map, add_map=add,
             rem_map=rem, clear_map=clr, **kw)


def MG(name, fn, **kw):
    """A computed read-only map field (FN returns a list of pairs or None,
    None printing as NID)."""
    def get(o):
        pairs = fn(o)
        return NID if pairs is None else s2sm(pairs)
    return F(name, get, kind="map", get_map=lambda o: fn(o) or [], **kw)


def S(name, key, rw=True, sep="; ", **kw):
    """A set field stored under KEY."""
    def get_list(o):
        return list(o.get(key) or [])
    add = rem = None
    if rw:
        def add(o, v):
            lst = o.setdefault(key, [])
            if v not in lst:
                lst.append(v)

        def rem(o, v):
            o[key] = [x for x in o.get(key, []) if x != v]
    return F(name, None, kind="set", get_list=get_list, add_set=add,
             rem_set=rem, sep=sep, **kw)


def SG(name, fn, sep="; ", **kw):
    """A computed read-only set field."""
    return F(name, None, kind="set", get_list=fn, sep=sep, **kw)


def bad_power(vm, expected):
    return ServerError("VM_BAD_POWER_STATE",
                       [vm_ref(vm), expected, vm["power_state"]])


def need_halted(o, *_):
    if o["power_state"] != "halted":
        raise bad_power(o, "halted")


MEM_KEYS = ["memory_static_min", "memory_dynamic_min", "memory_dynamic_max",
            "memory_static_max"]


def check_memory(vm, new):
    """NEW: the four memory values; the xapi constraint and power rules."""
    static_changed = (new["memory_static_min"] != vm["memory_static_min"] or
                      new["memory_static_max"] != vm["memory_static_max"])
    if static_changed and vm["power_state"] != "halted":
        raise bad_power(vm, "halted")
    vals = [new[k] for k in MEM_KEYS]
    if not (vals[0] <= vals[1] <= vals[2] <= vals[3]):
        raise ServerError("MEMORY_CONSTRAINT_VIOLATION_ORDER", [])


def set_memory(vm, new):
    check_memory(vm, new)
    for k in MEM_KEYS:
        vm[k] = new[k]
    if resident(vm) and not vm["is_control_domain"]:
        vm["memory_actual"] = vm["memory_dynamic_max"]


def mem_check(key):
    def check(o, val):
        new = {k: o[k] for k in MEM_KEYS}
        new[key] = val
        check_memory(o, new)
        if key == "memory_dynamic_max" and resident(o):
            o["memory_actual"] = val
    return check


def check_vcpus_max(o, val):
    need_halted(o)
    if val < 1 or val < o["VCPUs_at_startup"]:
        raise ServerError("INVALID_VALUE", ["VCPUs_max", str(val)])


def check_vcpus_at_startup(o, val):
    need_halted(o)
    if val < 1 or val > o["VCPUs_max"]:
        raise ServerError("INVALID_VALUE", ["VCPUs_at_startup", str(val)])


def check_template(o, val):
    if val:
        need_halted(o)


def check_vcpus_params(o, k, v):
    if k not in ("weight", "cap", "mask"):
        raise CliFailure("Failed to add parameter '%s': expecting "
                         "'weight','cap' or 'mask'" % k)


def vm_snapshots(o):
    return [v["uuid"] for v in C.db["vms"] if v["snapshot_of"] == o["uuid"]]


def vm_vbds(o):
    return [b["uuid"] for b in C.db["vbds"] if b["vm"] == o["uuid"]]


def free_devices(o, n, table_name, key):
    used = {x[key] for x in C.db[table_name] if x["vm"] == o["uuid"]}
    return [str(i) for i in range(n) if str(i) not in used]


def vcpus_util(o):
    if not resident(o):
        return []
    return [(str(i), fmt_float(vcpu_load(o, i)))
            for i in range(o["vcpus_number"])]


def gm_map(key):
    def fn(o):
        g = guest_metrics(o)
        return None if g is None else list(g[key].items())
    return fn


def gm_val(fn):
    def get(o):
        g = guest_metrics(o)
        return NID if g is None else fn(o, g)
    return get


def vm_fields():
    mem = [P(n.replace("_", "-"), n, "bytes", rw=True, check=mem_check(n))
           for n in ("memory_static_max", "memory_dynamic_max",
                     "memory_dynamic_min", "memory_static_min")]
    fields = [
        P("uuid", "uuid"),
        P("name-label", "name_label", rw=True),
        P("name-description", "name_description", rw=True),
        P("user-version", "user_version", "int", rw=True),
        P("is-a-template", "is_a_template", "bool", rw=True,
          check=check_template),
        P("is-default-template", "is_default_template", "bool", rw=True),
        P("is-a-snapshot", "is_a_snapshot", "bool"),
        P("snapshot-of", "snapshot_of", "ref:vms"),
        G("snapshots", lambda o: "; ".join(vm_snapshots(o))),
        P("snapshot-time", "snapshot_time", "date"),
        P("transportable-snapshot-id", "transportable_snapshot_id",
          hidden=True),
        G("snapshot-info", lambda o: s2sm(o["snapshot_info"])),
        P("parent", "parent", "ref:vms"),
        G("children", lambda o: "; ".join(
            v["uuid"] for v in C.db["vms"] if v["parent"] == o["uuid"])),
        P("is-control-domain", "is_control_domain", "bool"),
        P("power-state", "power_state"),
        G("memory-actual", lambda o: str(o["memory_actual"])),
        G("memory-target", lambda o: str(
            o["memory_dynamic_max"] if resident(o) else 0), expensive=True),
        G("memory-overhead", lambda o: str(mem_overhead(o))),
    ] + mem + [
        P("suspend-VDI-uuid", "suspend_VDI", "ref:vdis", rw=True),
        P("suspend-SR-uuid", "suspend_SR", "ref:srs", rw=True),
        M("VCPUs-params", "VCPUs_params", check=check_vcpus_params),
        P("VCPUs-max", "VCPUs_max", "int", rw=True, check=check_vcpus_max),
        P("VCPUs-at-startup", "VCPUs_at_startup", "int", rw=True,
          check=check_vcpus_at_startup),
        P("actions-after-shutdown", "actions_after_shutdown", rw=True),
        P("actions-after-reboot", "actions_after_reboot", rw=True),
        P("actions-after-crash", "actions_after_crash", rw=True),
        SG("console-uuids", lambda o: [o["console"]] if o["console"] else []),
        G("hvm", lambda o: fmt_bool(resident(o) and
                                    o["domain_type"] == "hvm")),
        G("nomigrate", lambda o: "false", hidden=True),
        G("nested-virt", lambda o: "false", hidden=True),
        M("platform", "platform"),
        SG("allowed-operations", allowed_ops),
        SG("current-operations", lambda o: []),
        M("blocked-operations", "blocked_operations"),
        SG("allowed-VBD-devices",
           lambda o: free_devices(o, 16, "vbds", "userdevice"),
           expensive=True),
        SG("allowed-VIF-devices",
           lambda o: free_devices(o, 7, "vifs", "device"), expensive=True),
        G("possible-hosts", lambda o: the_host()["uuid"], expensive=True),
        P("domain-type", "domain_type", rw=True),
        G("current-domain-type", lambda o: o["domain_type"]
          if resident(o) else "unspecified"),
        P("HVM-boot-policy", "HVM_boot_policy", rw=True),
        M("HVM-boot-params", "HVM_boot_params"),
        P("HVM-shadow-multiplier", "HVM_shadow_multiplier", "float",
          rw=True),
        M("NVRAM", "NVRAM", hidden=True),
        P("PV-kernel", "PV_kernel", rw=True),
        P("PV-ramdisk", "PV_ramdisk", rw=True),
        P("PV-args", "PV_args", rw=True),
        P("PV-legacy-args", "PV_legacy_args", rw=True),
        P("PV-bootloader", "PV_bootloader", rw=True),
        P("PV-bootloader-args", "PV_bootloader_args", rw=True),
        G("last-boot-CPU-flags", lambda o: s2sm(o["last_boot_CPU_flags"])),
        G("last-boot-record", lambda o: "''", expensive=True),
        G("resident-on", lambda o: the_host()["uuid"] if resident(o)
          else NID),
        P("affinity", "affinity", "ref:hosts", rw=True),
        M("other-config", "other_config"),
        P("dom-id", "domid", "int"),
        P("recommendations", "recommendations"),
        M("xenstore-data", "xenstore_data", clear=True),
        P("ha-always-run", "ha_always_run", "bool", rw=True,
          deprecated=True),
        P("ha-restart-priority", "ha_restart_priority", rw=True),
        G("blobs", lambda o: ""),
        P("start-time", "start_time", "date"),
        P("install-time", "install_time", "date"),
        G("VCPUs-number", lambda o: str(o["vcpus_number"])),
        F("VCPUs-utilisation",
          lambda o: "; ".join("%s: %s" % kv for kv in vcpus_util(o)),
          kind="map", get_map=vcpus_util, expensive=True),
        MG("os-version", gm_map("os_version")),
        MG("PV-drivers-version", gm_map("PV_drivers_version")),
        G("PV-drivers-up-to-date", gm_val(lambda o, g: "true"),
          deprecated=True),
        MG("memory", gm_map("memory")),
        MG("disks", gm_map("disks")),
        SG("VBDs", vm_vbds),
        MG("networks", gm_map("networks")),
        G("PV-drivers-detected", gm_val(lambda o, g: "true")),
        MG("other", gm_map("other")),
        G("live", gm_val(lambda o, g: "true")),
        G("guest-metrics-last-updated",
          gm_val(lambda o, g: fmt_date(g["last_updated"]))),
        G("can-use-hotplug-vbd", gm_val(lambda o, g: "yes")),
        G("can-use-hotplug-vif", gm_val(lambda o, g: "yes")),
        G("cooperative", lambda o: "true", expensive=True, deprecated=True),
        S("tags", "tags", sep=", "),
        P("appliance", "appliance", "ref:appliances", rw=True),
        P("snapshot-schedule", "snapshot_schedule", "ref:vmss", rw=True),
        P("is-vmss-snapshot", "is_vmss_snapshot", "bool"),
        P("start-delay", "start_delay", "int", rw=True),
        P("shutdown-delay", "shutdown_delay", "int", rw=True),
        P("order", "order", "int", rw=True),
        P("version", "version", "int"),
        P("generation-id", "generation_id"),
        P("hardware-platform-version", "hardware_platform_version", "int"),
        P("has-vendor-device", "has_vendor_device", "bool", rw=True),
        P("requires-reboot", "requires_reboot", "bool"),
        P("reference-label", "reference_label"),
        M("bios-strings", "bios_strings", rw=False),
        G("pending-guidances", lambda o: ""),
        G("vtpms", lambda o: ""),
    ]
    if legacy():
        fields = [f for f in fields if f.name != "is-vmss-snapshot"]
    return fields


def host_fields():
    return [
        P("uuid", "uuid"),
        P("name-label", "name_label", rw=True),
        P("name-description", "name_description", rw=True),
        SG("allowed-operations", lambda o: [
            "vm_migrate", "provision", "vm_resume", "evacuate", "vm_start"]),
        SG("current-operations", lambda o: []),
        P("enabled", "enabled", "bool"),
        G("display", lambda o: "enabled"),
        G("API-version-major", lambda o: "2"),
        G("API-version-minor", lambda o: "21"),
        G("API-version-vendor", lambda o: "XenSource"),
        MG("API-version-vendor-implementation", lambda o: []),
        M("logging", "logging"),
        P("suspend-image-sr-uuid", "suspend_image_sr", "ref:srs", rw=True),
        P("crash-dump-sr-uuid", "crash_dump_sr", "ref:srs", rw=True),
        MG("software-version", lambda o: [
            (k, o["hostname"] if k == "hostname" else v)
            for k, v in SOFTWARE_VERSION]),
        SG("capabilities", lambda o: [
            "xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p",
            "hvm-3.0-x86_64", ""]),
        M("other-config", "other_config"),
        MG("cpu_info", lambda o: cpu_info()),
        MG("chipset-info", lambda o: [("iommu", "true")]),
        P("hostname", "hostname"),
        P("address", "address"),
        G("https_only", lambda o: "false"),
        SG("supported-bootloaders", lambda o: ["pygrub", "eliloader"]),
        G("blobs", lambda o: ""),
        G("memory-overhead", lambda o: "0"),
        G("memory-total", lambda o: str(o["memory_total"])),
        G("memory-free", lambda o: str(host_free_memory())),
        G("memory-free-computed", lambda o: str(host_free_memory()),
          expensive=True),
        G("host-metrics-live", lambda o: "true"),
        SG("patches", lambda o: [], sep=", ", deprecated=True),
        SG("updates", lambda o: [], sep=", "),
        G("ha-statefiles", lambda o: ""),
        G("ha-network-peers", lambda o: ""),
        G("external-auth-type", lambda o: ""),
        G("external-auth-service-name", lambda o: ""),
        MG("external-auth-configuration", lambda o: []),
        G("edition", lambda o: "xcp-ng"),
        MG("license-server", lambda o: [("address", "localhost"),
                                        ("port", "27000")]),
        G("power-on-mode", lambda o: ""),
        MG("power-on-config", lambda o: []),
        G("local-cache-sr", lambda o: NID),
        S("tags", "tags", sep=", "),
        P("ssl-legacy", "ssl_legacy", "bool", rw=True),
        M("guest_VCPUs_params", "guest_VCPUs_params"),
        SG("virtual-hardware-platform-versions", lambda o: ["0", "1", "2"]),
        G("control-domain-uuid", lambda o: next(
            v["uuid"] for v in C.db["vms"] if v["is_control_domain"])),
        SG("resident-vms", lambda o: [v["uuid"] for v in C.db["vms"]
                                      if resident(v)]),
        SG("updates-requiring-reboot", lambda o: []),
        SG("features", lambda o: []),
        P("iscsi_iqn", "iscsi_iqn", rw=True),
        P("multipathing", "multipathing", "bool", rw=True),
        G("uefi-certificates", lambda o: "", hidden=True),
        G("pending-guidances", lambda o: ""),
        G("tls-verification-enabled", lambda o: "true"),
        G("last-software-update", lambda o: fmt_date(0)),
    ]


def sr_vdis(o):
    return [d for d in C.db["vdis"] if d["sr"] == o["uuid"]]


def sr_pbds(o):
    return [p["uuid"] for p in C.db["pbds"] if p["sr"] == o["uuid"]]


def sr_host(o):
    pbds = [p for p in C.db["pbds"] if p["sr"] == o["uuid"]]
    if len(pbds) > 1:
        return "<shared>"
    if not pbds:
        return NID
    return name_of("hosts", pbds[0]["host"])


def sr_util(o):
    if o.get("physical_utilisation") is not None:
        return o["physical_utilisation"]
    return sum(d["physical_utilisation"] for d in sr_vdis(o))


def sr_fields():
    return [
        P("uuid", "uuid"),
        P("name-label", "name_label", rw=True),
        P("name-description", "name_description", rw=True),
        G("host", sr_host),
        SG("allowed-operations", lambda o: [
            "vdi_enable_cbt", "vdi_list_changed_blocks", "unplug", "plug",
            "pbd_create", "vdi_disable_cbt", "update", "pbd_destroy",
            "vdi_resize", "vdi_clone", "vdi_data_destroy", "scan",
            "vdi_snapshot", "vdi_mirror", "vdi_create", "vdi_destroy",
            "vdi_set_on_boot"] if o["type"] == "lvm" else
            ["unplug", "plug", "pbd_create", "update", "pbd_destroy",
             "scan"]),
        SG("current-operations", lambda o: []),
        SG("VDIs", lambda o: [d["uuid"] for d in sr_vdis(o)]),
        SG("PBDs", sr_pbds),
        G("virtual-allocation", lambda o: str(
            sum(d["virtual_size"] for d in sr_vdis(o)))),
        G("physical-utilisation", lambda o: str(sr_util(o))),
        G("physical-size", lambda o: str(o["physical_size"])),
        P("type", "type"),
        P("content-type", "content_type"),
        P("shared", "shared", "bool", rw=True),
        G("introduced-by", lambda o: NID),
        P("is-tools-sr", "is_tools_sr", "bool"),
        M("other-config", "other_config"),
        M("sm-config", "sm_config", rw=False),
        G("blobs", lambda o: ""),
        G("local-cache-enabled", lambda o: "false"),
        S("tags", "tags", sep=", "),
        G("clustered", lambda o: "false"),
    ]


VDI_TYPES = {"system": "System", "user": "User", "ephemeral": "Ephemeral",
             "suspend": "Suspend", "crashdump": "Crashdump",
             "ha_statefile": "HA statefile", "metadata": "Metadata",
             "redo_log": "Redo log", "rrd": "rrd",
             "pvs_cache": "PVS cache", "cbt_metadata": "CBT metadata"}


def vdi_fields():
    return [
        P("uuid", "uuid"),
        P("name-label", "name_label", rw=True),
        P("name-description", "name_description", rw=True),
        P("is-a-snapshot", "is_a_snapshot", "bool"),
        P("snapshot-of", "snapshot_of", "ref:vdis"),
        G("snapshots", lambda o: "; ".join(
            d["uuid"] for d in C.db["vdis"]
            if d["snapshot_of"] == o["uuid"])),
        P("snapshot-time", "snapshot_time", "date"),
        SG("allowed-operations", lambda o: [
            "clone", "snapshot", "destroy", "copy", "resize", "update",
            "force_unlock", "generate_config"] if not o["read_only"] else
            ["clone", "copy", "update"]),
        SG("current-operations", lambda o: []),
        G("sr-uuid", lambda o: uuid_of("srs", o["sr"])),
        G("sr-name-label", lambda o: name_of("srs", o["sr"])),
        SG("vbd-uuids", lambda o: [b["uuid"] for b in C.db["vbds"]
                                   if b["vdi"] == o["uuid"]]),
        SG("crashdump-uuids", lambda o: []),
        P("virtual-size", "virtual_size", "int"),
        P("physical-utilisation", "physical_utilisation", "int"),
        P("location", "location"),
        G("type", lambda o: VDI_TYPES.get(o["type"], o["type"])),
        P("sharable", "sharable", "bool"),
        P("read-only", "read_only", "bool"),
        G("storage-lock", lambda o: "false"),
        P("managed", "managed", "bool"),
        G("parent", lambda o: NID, deprecated=True),
        P("missing", "missing", "bool"),
        P("is-tools-iso", "is_tools_iso", "bool"),
        M("other-config", "other_config"),
        M("xenstore-data", "xenstore_data", rw=False),
        M("sm-config", "sm_config", rw=False),
        P("on-boot", "on_boot", rw=True),
        P("allow-caching", "allow_caching", "bool", rw=True),
        G("metadata-latest", lambda o: "false"),
        G("metadata-of-pool", lambda o: NID),
        S("tags", "tags", sep=", "),
        G("cbt-enabled", lambda o: "false"),
    ]


def vbd_fields():
    return [
        P("uuid", "uuid"),
        G("vm-uuid", lambda o: uuid_of("vms", o["vm"])),
        G("vm-name-label", lambda o: name_of("vms", o["vm"])),
        G("vdi-uuid", lambda o: uuid_of("vdis", o["vdi"])),
        G("vdi-name-label", lambda o: "<EMPTY>" if o["empty"]
          else name_of("vdis", o["vdi"])),
        SG("allowed-operations", lambda o: (
            ["attach", "unplug", "unplug_force"] if o["currently_attached"]
            else ["attach", "plug"])),
        SG("current-operations", lambda o: []),
        P("empty", "empty", "bool"),
        P("device", "device"),
        P("userdevice", "userdevice", rw=True),
        P("bootable", "bootable", "bool", rw=True),
        P("mode", "mode", rw=True),
        P("type", "type", rw=True),
        P("unpluggable", "unpluggable", "bool", rw=True),
        P("currently-attached", "currently_attached", "bool"),
        G("attachable", lambda o: "true", expensive=True),
        P("storage-lock", "storage_lock", "bool"),
        P("status-code", "status_code", "int"),
        P("status-detail", "status_detail"),
        P("qos_algorithm_type", "qos_algorithm_type", rw=True),
        M("qos_algorithm_params", "qos_algorithm_params"),
        SG("qos_supported_algorithms", lambda o: []),
        M("other-config", "other_config"),
        G("io_read_kbs", lambda o: "0.000" if o["currently_attached"]
          else "<unknown>", expensive=True),
        G("io_write_kbs", lambda o: "0.000" if o["currently_attached"]
          else "<unknown>", expensive=True),
    ]


def vif_fields():
    return [
        P("uuid", "uuid"),
        G("vm-uuid", lambda o: uuid_of("vms", o["vm"])),
        G("vm-name-label", lambda o: name_of("vms", o["vm"])),
        SG("allowed-operations", lambda o: (
            ["attach", "unplug"] if o["currently_attached"]
            else ["attach", "plug"])),
        SG("current-operations", lambda o: []),
        P("device", "device"),
        P("MAC", "MAC", ci=True),
        P("MAC-autogenerated", "MAC_autogenerated", "bool"),
        P("MTU", "MTU", "int"),
        P("currently-attached", "currently_attached", "bool"),
        P("qos_algorithm_type", "qos_algorithm_type", rw=True),
        M("qos_algorithm_params", "qos_algorithm_params"),
        SG("qos_supported_algorithms", lambda o: ["ratelimit"]),
        M("other-config", "other_config"),
        G("network-uuid", lambda o: uuid_of("networks", o["network"])),
        G("network-name-label", lambda o: name_of("networks",
                                                  o["network"])),
        G("io_read_kbs", lambda o: "0.000" if o["currently_attached"]
          else "<unknown>", expensive=True),
        G("io_write_kbs", lambda o: "0.000" if o["currently_attached"]
          else "<unknown>", expensive=True),
        P("locking-mode", "locking_mode", rw=True),
        S("ipv4-allowed", "ipv4_allowed"),
        S("ipv6-allowed", "ipv6_allowed"),
        G("ipv4-configuration-mode", lambda o: "None"),
        G("ipv4-addresses", lambda o: ""),
        G("ipv4-gateway", lambda o: ""),
        G("ipv6-configuration-mode", lambda o: "None"),
        G("ipv6-addresses", lambda o: ""),
        G("ipv6-gateway", lambda o: ""),
    ]


def network_fields():
    return [
        P("uuid", "uuid"),
        P("name-label", "name_label", rw=True),
        P("name-description", "name_description", rw=True),
        SG("VIF-uuids", lambda o: [f["uuid"] for f in C.db["vifs"]
                                   if f["network"] == o["uuid"]]),
        SG("PIF-uuids", lambda o: []),
        P("MTU", "MTU", "int", rw=True),
        P("bridge", "bridge"),
        P("managed", "managed", "bool"),
        M("other-config", "other_config"),
        G("blobs", lambda o: ""),
        S("tags", "tags", sep=", "),
        P("default-locking-mode", "default_locking_mode", rw=True),
        S("purpose", "purpose", sep=", "),
    ]


def pool_fields():
    return [
        P("uuid", "uuid"),
        P("name-label", "name_label", rw=True),
        P("name-description", "name_description", rw=True),
        G("master", lambda o: uuid_of("hosts", o["master"])),
        P("default-SR", "default_SR", "ref:srs", rw=True),
        P("crash-dump-SR", "crash_dump_SR", "ref:srs", rw=True),
        P("suspend-image-SR", "suspend_image_SR", "ref:srs", rw=True),
        G("supported-sr-types", lambda o: (
            "lvm; ext; nfs; iso; udev; lvmoiscsi; lvmohba; smb; cifs; "
            "file; xfs; zfs; glusterfs; cephfs; largeblock; dummy"),
          expensive=True),
        M("other-config", "other_config"),
        SG("allowed-operations", lambda o: [
            "ha_enable", "cluster_create", "designate_new_master"]),
        SG("current-operations", lambda o: []),
        G("ha-enabled", lambda o: "false"),
        G("ha-configuration", lambda o: ""),
        G("ha-statefiles", lambda o: ""),
        P("ha-host-failures-to-tolerate", "ha_host_failures_to_tolerate",
          "int", rw=True),
        G("ha-plan-exists-for", lambda o: "0"),
        P("ha-allow-overcommit", "ha_allow_overcommit", "bool", rw=True),
        G("ha-overcommitted", lambda o: "false"),
        G("blobs", lambda o: ""),
        G("wlb-url", lambda o: ""),
        G("wlb-username", lambda o: ""),
        P("wlb-enabled", "wlb_enabled", "bool", rw=True),
        P("wlb-verify-cert", "wlb_verify_cert", "bool", rw=True),
        P("igmp-snooping-enabled", "igmp_snooping_enabled", "bool",
          rw=True),
        M("gui-config", "gui_config"),
        M("health-check-config", "health_check_config"),
        G("vswitch-controller", lambda o: "<not set>", hidden=True),
        G("restrictions", lambda o: s2sm([
            ("restrict_vswitch_controller", "false"),
            ("restrict_lab", "false"), ("restrict_pooling", "false"),
            ("restrict_xen_motion", "false"), ("restrict_pool_size",
                                               "false"),
            ("restrict_checkpoint", "false"),
            ("restrict_read_caching", "false"),
            ("restrict_vgpu", "false"), ("enable_xha", "true")])),
        S("tags", "tags", sep=", "),
        G("license-state", lambda o: "edition: xcp-ng; expiry: never"),
        G("ha-cluster-stack", lambda o: "xhad"),
        M("guest-agent-config", "guest_agent_config"),
        MG("cpu_info", lambda o: [kv for kv in cpu_info() if kv[0] in (
            "cpu_count", "socket_count", "vendor", "features_pv",
            "features_hvm", "features_pv_host", "features_hvm_host")]),
        P("policy-no-vendor-device", "policy_no_vendor_device", "bool",
          rw=True),
        P("live-patching-disabled", "live_patching_disabled", "bool",
          rw=True),
        G("uefi-certificates", lambda o: "", hidden=True),
        G("tls-verification-enabled", lambda o: "true"),
        G("client-certificate-auth-enabled", lambda o: "false"),
        G("client-certificate-auth-name", lambda o: ""),
        SG("repositories", lambda o: []),
        G("repository-proxy-url", lambda o: ""),
        G("repository-proxy-username", lambda o: ""),
    ]


def pbd_fields():
    return [
        P("uuid", "uuid"),
        G("host", lambda o: uuid_of("hosts", o["host"]), deprecated=True),
        G("host-uuid", lambda o: uuid_of("hosts", o["host"])),
        G("host-name-label", lambda o: name_of("hosts", o["host"])),
        G("sr-uuid", lambda o: uuid_of("srs", o["sr"])),
        G("sr-name-label", lambda o: name_of("srs", o["sr"])),
        M("device-config", "device_config", rw=False),
        P("currently-attached", "currently_attached", "bool"),
        M("other-config", "other_config"),
    ]


# --- classes and the generic commands ------------------------------------------

class Cls:
    """A CLI class: its table, record fields, implicit filters and the
    default fields of its *-list (cli_operations.ml gen_cmds)."""

    def __init__(self, name, tname, fields_fn, def_filters, def_params):
        self.name = name
        self.tname = tname
        self.fields_fn = fields_fn
        self.def_filters = def_filters
        self.def_params = def_params
        self._fields = None

    def fields(self):
        if self._fields is None:
            self._fields = self.fields_fn()
        return self._fields

    def objs(self):
        return objects(self.tname)


CLASSES = [
    Cls("vm", "vms", vm_fields, [("is-a-template", "false")],
        ["name-label", "uuid", "power-state"]),
    Cls("template", "vms", vm_fields,
        [("is-a-template", "true"), ("is-a-snapshot", "false")],
        ["name-label", "name-description", "uuid"]),
    Cls("snapshot", "vms", vm_fields, [("is-a-snapshot", "true")],
        ["name-label", "name-description", "uuid", "snapshot_of",
         "snapshot_time", "is-vmss-snapshot"]),
    Cls("host", "hosts", host_fields, [],
        ["uuid", "name-label", "name-description"]),
    Cls("sr", "srs", sr_fields, [],
        ["uuid", "name-label", "name-description", "host", "type",
         "content-type"]),
    Cls("vdi", "vdis", vdi_fields, [],
        ["uuid", "name-label", "name-description", "virtual-size",
         "read-only", "sharable", "sr-uuid"]),
    Cls("vbd", "vbds", vbd_fields, [],
        ["uuid", "vm-uuid", "vm-name-label", "vdi-uuid", "device",
         "empty"]),
    Cls("vif", "vifs", vif_fields, [],
        ["uuid", "device", "vm-uuid", "network-uuid"]),
    Cls("network", "networks", network_fields, [],
        ["uuid", "name-label", "name-description", "bridge"]),
    Cls("pool", "pool", pool_fields, [],
        ["uuid", "name-label", "name-description", "master", "default-SR"]),
    Cls("pbd", "pbds", pbd_fields, [],
        ["uuid", "host-uuid", "sr-uuid", "device-config",
         "currently-attached"]),
]
CLASS = {c.name: c for c in CLASSES}


def field_lookup(fields, name):
    for f in fields:
        if f.name == name:
            return f
    raise MissingParam(name)


def get_field_type(k, fields):
    names = {f.name: f for f in fields}
    if k in names:
        return "normal", names[k]
    if ":" in k:
        f = names.get(k[:k.index(":")])
        if f is None:
            raise CliFailure("Unknown field '%s'" % k)
        if f.kind == "set":
            return "set", f
        if f.kind == "map":
            return "map", f
        raise CliFailure("Field '%s' is not a set or map" % f.name)
    for kind in ("map", "set"):
        cands = sorted([f for f in fields if f.kind == kind],
                       key=lambda f: -len(f.name))
        for f in cands:
            if k.startswith(f.name + "-"):
                return kind, f
    raise CliFailure("Unknown field '%s'" % k)


def filter_records(objs, fields, kv):
    k, v = kv
    if not objs:
        return []
    kind, f = get_field_type(k, fields)
    if kind == "normal":
        if f.ci:
            return [o for o in objs if f.get(o).lower() == v.lower()]
        return [o for o in objs if f.get(o) == v]
    sub = k[len(f.name) + 1:]
    if kind == "set":
        if sub != "contains":
            raise CliFailure("Invalid syntax for set filtering (should be "
                             "set-param:contains=key)")
        return [o for o in objs if v in f.get_list(o)]
    out = []
    for o in objs:
        m = f.get_map(o)
        if f.ci:
            m = [(a.lower(), b) for a, b in m]
            hit = dict(m).get(sub.lower()) == v.lower()
        else:
            hit = sub in dict(m) and dict(m)[sub] == v
        if hit:
            out.append(o)
    return out


def choose_params(params, defaults):
    ps = assoc("params", params)
    if ps is None:
        return defaults
    if ps == "all":
        return []
    return ps.split(",")


def select_fields(params, fields, defaults):
    sel = choose_params(params, defaults)
    if not sel:
        return list(fields)
    return [f for f in fields if f.name in sel]


def record_of(o, fields):
    return [(f.label(), f.get(o)) for f in fields]


def cmd_list(cls, pr, params):
    fields = cls.fields()
    objs = cls.objs()
    filters = [(k, v) for k, v in params
               if k not in ["params"] + STDPARAMS
               and not k.startswith("database:")]
    recs = objs
    for kv in cls.def_filters + filters:
        recs = filter_records(recs, fields, kv)
    shown = objs if get_bool_param(params, "all") else recs
    fs = [f for f in select_fields(params, fields, cls.def_params)
          if not f.hidden]
    rows = []
    for o in shown:
        rows.append([(f.label(),
                      "<expensive field>" if f.expensive else f.get(o))
                     for f in fs])
    pr.table(rows)


def cmd_param_list(cls, pr, params):
    o = get_by_uuid(cls.tname, assoc("uuid", params))
    fs = [f for f in cls.fields() if not f.hidden]
    pr.table([record_of(o, fs)])


def cmd_param_get(cls, pr, params):
    o = get_by_uuid(cls.tname, assoc("uuid", params))
    f = field_lookup(cls.fields(), assoc("param-name", params))
    key = assoc("param-key", params)
    if key is not None and f.get_map is not None:
        m = dict(f.get_map(o))
        if key not in m:
            raise CliFailure("Key %s not found in map" % key)
        pr.plist([m[key]])
    else:
        pr.plist([f.get(o)])


def cmd_param_set(cls, pr, params):
    fields = cls.fields()
    o = get_by_uuid(cls.tname, assoc("uuid", params))
    for k, v in params:
        if k in ["uuid"] + STDPARAMS:
            continue
        kind, f = get_field_type(k, fields)
        if kind == "map":
            key = k[len(f.name) + 1:]
            if f.add_map is None:
                raise CliFailure("Map field '%s' is read-only." % f.name)
            if key in dict(f.get_map(o)):
                f.rem_map(o, key)
            f.add_map(o, key, v)
        elif kind == "set":
            raise CliFailure("Cannot param-set on set fields")
        elif f.set is not None:
            f.set(o, v)
        elif f.add_map is not None:
            raise CliFailure("Field '%s' is a map or set. use the "
                             "'name:key=value' syntax." % k)
        else:
            raise CliFailure("Field '%s' is read-only." % k)


def cmd_param_add(cls, pr, params):
    o = get_by_uuid(cls.tname, assoc("uuid", params))
    f = field_lookup(cls.fields(), assoc("param-name", params))
    if f.add_set is not None:
        key = assoc("param-key", params)
        if key is None:
            raise CliFailure("When adding a key to a set, use the syntax: "
                             "*-param-add param-name=<name> "
                             "param-key=<key>")
        f.add_set(o, key)
    elif f.add_map is not None:
        for k, v in params:
            if k not in ["uuid", "param-name", "param-key"] + STDPARAMS:
                f.add_map(o, k, v)
    elif f.kind in ("set", "map"):
        raise CliFailure("Parameter is read-only")
    else:
        raise CliFailure("Can only add to parameters of type Set or Map")


def cmd_param_remove(cls, pr, params):
    o = get_by_uuid(cls.tname, assoc("uuid", params))
    f = field_lookup(cls.fields(), assoc("param-name", params))
    key = assoc("param-key", params)
    if f.kind == "set" and f.rem_set is not None:
        if key not in f.get_list(o):
            raise CliFailure("Key %s is not in the set" % key)
        f.rem_set(o, key)
    elif f.kind == "map" and f.rem_map is not None:
        if key not in dict(f.get_map(o)):
            raise CliFailure("Key %s is not in map" % key)
        f.rem_map(o, key)
    elif f.kind in ("set", "map"):
        raise CliFailure("Cannot remove parameters from read-only map")
    else:
        raise CliFailure("Can only remove from parameters of type Set or "
                         "Map")


def cmd_param_clear(cls, pr, params):
    o = get_by_uuid(cls.tname, assoc("uuid", params))
    f = field_lookup(cls.fields(), assoc("param-name", params))
    if f.kind == "set" and f.rem_set is not None:
        for x in f.get_list(o):
            f.rem_set(o, x)
    elif f.clear_map is not None:
        f.clear_map(o)
    elif f.kind == "map" and f.rem_map is not None:
        for k, _ in f.get_map(o):
            f.rem_map(o, k)
    elif f.set is not None:
        try:
            f.set(o, "")
        except XeError:
            raise CliFailure("Cannot clear this parameter")
    else:
        raise CliFailure("Can only clear RW parameters")


# --- printing -------------------------------------------------------------------

def multi_line_record(r):
    """cli_printer.ml multi_line_record: first label padded on the right,
    the others on the left, to 4 + the longest label."""
    if not r:
        return "\n"
    maxlen = 4 + max(len(k) for k, _ in r)
    lines = [r[0][0].ljust(maxlen) + ": " + r[0][1]]
    lines += [k.rjust(maxlen) + ": " + v for k, v in r[1:]]
    return "\n".join(lines) + "\n"


def escape_commas(s):
    return s.replace("\\", "\\\\").replace(",", "\\,")


class Printer:
    """cli_printer.ml make_printer: records, lists, messages; --minimal
    keeps the first field of every record and prints once at the end."""

    def __init__(self, out, minimal):
        self.out = out
        self.minimal = minimal
        self.buf = []

    def table(self, records):
        if self.minimal:
            if records and records[0]:
                self.buf.insert(0, ",".join(escape_commas(r[0][1])
                                            for r in records))
        else:
            for r in records:
                # Print (record ^ "\n"), and the client adds one more.
                self.out.o(multi_line_record(r) + "\n" + "\n")

    def plist(self, ss):
        if self.minimal:
            self.buf.insert(0, ",".join(escape_commas(s) for s in ss))
        else:
            for s in ss:
                self.out.o(s + "\n")

    def pmsg(self, s):
        if not self.minimal:
            self.out.o(s + "\n")

    def pstderr(self, s):
        if not self.minimal:
            self.out.e(s + "\n")

    def flush(self):
        if self.minimal:
            self.out.o(",".join(self.buf) + "\n")


# --- selecting VMs and hosts (cli_operations.ml select_vms, do_vm_op) -----------

def select_vms(params, ignore, include_control=False,
               include_template=False):
    ps = list(params)
    if not include_control:
        ps = [("is-control-domain", "false")] + ps
    if not include_template:
        ps = [("is-a-template", "false")] + ps
    name = assoc("vm", ps)
    objs = list(C.db["vms"])
    if name is not None:
        ps = remove_assoc("vm", ps)
        objs = [v for v in objs
                if v["uuid"] == name or v["name_label"] == name]
    filters = [(k, v) for k, v in ps
               if k.split(":")[0] not in STDPARAMS + ignore]
    fields = CLASS["vm"].fields()
    for kv in filters:
        objs = filter_records(objs, fields, kv)
    return objs


def do_multiple(op, objs):
    fails, results = [], []
    for o in objs:
        try:
            results.append(op(o))
        except ServerError as e:
            r = server_error_lines(e.code, e.params)
            if r is None:
                fails.insert(0, (o["uuid"], string_of_exn(e)))
            else:
                fails.insert(0, (o["uuid"], r[0] + "\n" + "\n".join(r[1])))
        except XeError as e:
            fails.insert(0, (o["uuid"], string_of_exn(e)))
    if fails:
        raise MultipleFailure(fails)
    return results


def do_vm_op(op, params, ignore=(), include_control=False,
             include_template=False, multiple=True):
    try:
        vms = select_vms(params, list(ignore), include_control,
                         include_template)
    except MissingParam as e:
        raise CliFailure("Parameter '%s' is not a field of the VM class. "
                         "Failed to select VM for operation." % e.name)
    if not vms:
        raise CliFailure("No matching VMs found")
    if len(vms) == 1:
        return [op(vms[0])]
    if multiple and get_bool_param(params, "multiple"):
        return do_multiple(op, vms)
    if not multiple:
        raise CliFailure("Multiple matches VMs found. Operation can only be "
                         "performed on one VM at a time")
    raise CliFailure("Multiple matches VMs found. --multiple required to "
                     "complete the operation")


def do_host_op(op, params, ignore=(), multiple=True):
    ps = list(params)
    objs = list(C.db["hosts"])
    name = assoc("host", ps)
    if name is not None:
        ps = remove_assoc("host", ps)
        objs = [h for h in objs if name in (h["uuid"], h["hostname"],
                                            h["name_label"])]
    filters = [(k, v) for k, v in ps
               if k.split(":")[0] not in STDPARAMS + list(ignore)]
    for kv in filters:
        objs = filter_records(objs, CLASS["host"].fields(), kv)
    if not objs:
        raise CliFailure("No matching hosts found")
    if len(objs) == 1 or (multiple and get_bool_param(params, "multiple")):
        return [op(h) for h in objs]
    raise CliFailure("Multiple matching hosts found. --multiple required "
                     "to complete the operation")


def host_by_name_or_id(name):
    for h in C.db["hosts"]:
        if name in (h["uuid"], h["name_label"]):
            return h
    raise CliFailure("Host %s not found" % name)


# --- VM lifecycle -------------------------------------------------------------

def check_can_boot(vm):
    h = the_host()
    if vm["VCPUs_at_startup"] < 1:
        raise ServerError("VM_NO_VCPUS", [vm_ref(vm)])
    if vm["VCPUs_at_startup"] > h["cpu_count"]:
        raise ServerError("HOST_NOT_ENOUGH_PCPUS",
                          [str(vm["VCPUs_at_startup"]),
                           str(h["cpu_count"])])
    need = vm["memory_dynamic_max"] + mem_overhead(vm)
    free = host_free_memory()
    if need > free:
        raise ServerError("HOST_NOT_ENOUGH_FREE_MEMORY",
                          [str(need), str(free)])


def vm_start(vm, paused=False):
    if vm["power_state"] != "halted":
        raise bad_power(vm, "halted")
    check_can_boot(vm)
    boot(C.db, vm, "paused" if paused else "running")


def vm_clean_shutdown(vm):
    if vm["power_state"] != "running":
        raise bad_power(vm, "running")
    halt(C.db, vm)


def vm_hard_shutdown(vm):
    if vm["power_state"] not in ("paused", "suspended", "running"):
        raise bad_power(vm, "paused, suspended, running")
    halt(C.db, vm)


def vm_reboot(vm, force):
    if force:
        if vm["power_state"] not in ("paused", "running"):
            raise bad_power(vm, "paused, running")
    elif vm["power_state"] != "running":
        raise bad_power(vm, "running")
    vm["power_state"] = "running"
    vm["domid"] = C.db["next_domid"]
    C.db["next_domid"] += 1
    vm["start_time"] = now()


def vm_suspend(vm):
    if vm["power_state"] != "running":
        raise bad_power(vm, "running")
    sr = the_host().get("suspend_image_sr")
    size = vm["memory_static_max"] + 16 * MIB
    vdi = vdi_rec(new_uuid(), sr, "Suspend image", "Suspend image", size,
                  "suspend")
    C.db["vdis"].append(vdi)
    halt(C.db, vm)
    vm["power_state"] = "suspended"
    vm["suspend_VDI"] = vdi["uuid"]
    vm["suspend_SR"] = sr


def vm_resume(vm):
    if vm["power_state"] != "suspended":
        raise bad_power(vm, "suspended")
    vm["power_state"] = "halted"
    try:
        check_can_boot(vm)
    finally:
        vm["power_state"] = "suspended"
    drop_suspend_vdi(C.db, vm)
    boot(C.db, vm, "running")


def vm_pause(vm):
    if vm["power_state"] != "running":
        raise bad_power(vm, "running")
    vm["power_state"] = "paused"


def vm_unpause(vm):
    if vm["power_state"] != "paused":
        raise bad_power(vm, "paused")
    vm["power_state"] = "running"


def op_vm_start(pr, params):
    paused = get_bool_param(params, "paused")
    on = assoc("on", params)
    if on is not None:
        host_by_name_or_id(on)
    do_vm_op(lambda vm: vm_start(vm, paused), params,
             ["on", "paused", "progress"], include_control=True)


def op_vm_shutdown(pr, params):
    if get_bool_param(params, "force"):
        do_vm_op(vm_hard_shutdown, params, ["progress"])
    else:
        do_vm_op(vm_clean_shutdown, params, ["progress"])


def op_vm_reboot(pr, params):
    force = get_bool_param(params, "force")
    do_vm_op(lambda vm: vm_reboot(vm, force), params)


def op_vm_suspend(pr, params):
    do_vm_op(vm_suspend, params, ["progress"])


def op_vm_resume(pr, params):
    on = assoc("on", params)
    if on is not None:
        host_by_name_or_id(on)
    do_vm_op(vm_resume, params, ["on", "progress"])


def op_vm_pause(pr, params):
    do_vm_op(vm_pause, params)


def op_vm_unpause(pr, params):
    do_vm_op(vm_unpause, params)


def op_vm_reset_powerstate(pr, params):
    if not get_bool_param(params, "force"):
        raise CliFailure("This operation is dangerous and may cause data "
                         "loss. This operation must be forced (use "
                         "--force).")
    do_vm_op(lambda vm: halt(C.db, vm), params)


# --- copies: clone, copy, snapshot, install --------------------------------------

def copy_vdi(vdi, sr=None, snapshot=False):
    d = copy.deepcopy(vdi)
    d["uuid"] = new_uuid()
    d["location"] = d["uuid"]
    if sr is not None:
        d["sr"] = sr
    d["is_a_snapshot"] = snapshot
    d["snapshot_of"] = vdi["uuid"] if snapshot else None
    d["snapshot_time"] = now() if snapshot else 0
    d["read_only"] = vdi["read_only"]
    C.db["vdis"].append(d)
    return d


def copy_devices(src, dst, sr=None, snapshot=False):
    """Give DST copies of SRC's VBDs (with fresh VDIs) and VIFs."""
    for vbd in [b for b in C.db["vbds"] if b["vm"] == src["uuid"]]:
        vdi = find("vdis", vbd["vdi"])
        new_vdi = None
        if vdi is not None and not vbd["empty"]:
            if vdi["is_tools_iso"] or vbd["type"] == "CD":
                new_vdi = vdi
            else:
                new_vdi = copy_vdi(vdi, sr, snapshot)
        nb = copy.deepcopy(vbd)
        nb.update(uuid=new_uuid(), vm=dst["uuid"],
                  vdi=new_vdi["uuid"] if new_vdi else None,
                  currently_attached=False, device="")
        C.db["vbds"].append(nb)
    for vif in [f for f in C.db["vifs"] if f["vm"] == src["uuid"]]:
        nf = copy.deepcopy(vif)
        u = new_uuid()
        nf.update(uuid=u, vm=dst["uuid"], currently_attached=False)
        if not snapshot and vif["MAC_autogenerated"]:
            nf["MAC"] = mac_for(u)
        C.db["vifs"].append(nf)


RUNTIME_KEYS = ["domid", "console", "memory_actual", "vcpus_number",
                "start_time", "guest_vars", "last_boot_CPU_flags"]


def clone_vm(src, name, sr=None, snapshot=False, checkpoint=False):
    new = copy.deepcopy(src)
    new["uuid"] = new_uuid()
    new["name_label"] = name
    new["is_default_template"] = False
    new["is_control_domain"] = False
    new["power_state"] = "halted"
    new["suspend_VDI"] = None
    for k in RUNTIME_KEYS:
        new[k] = vm_defaults()[k]
    new["other_config"] = dict(src["other_config"])
    new["other_config"].pop("default_template", None)
    if snapshot:
        new["is_a_template"] = True
        new["is_a_snapshot"] = True
        new["snapshot_of"] = src["uuid"]
        new["snapshot_time"] = now()
        new["parent"] = src["parent"]
        src["parent"] = new["uuid"]
    else:
        new["is_a_snapshot"] = False
        new["snapshot_of"] = None
        new["snapshot_time"] = 0
        if src["is_default_template"]:
            new["other_config"]["base_template_name"] = src["name_label"]
        new["other_config"]["mac_seed"] = rand_uuid()
        new["install_time"] = now()
    C.db["vms"].append(new)
    copy_devices(src, new, sr, snapshot)
    if checkpoint and src["power_state"] in ("running", "paused"):
        sr_ = the_host().get("suspend_image_sr")
        vdi = vdi_rec(new_uuid(), sr_, "Suspend image", "Suspend image",
                      src["memory_static_max"] + 16 * MIB, "suspend")
        C.db["vdis"].append(vdi)
        new["power_state"] = "suspended"
        new["suspend_VDI"] = vdi["uuid"]
    return new


def clone_aux(pr, params, snapshot=False, checkpoint=False,
              include_template=True):
    name = assoc("new-name-label", params)
    desc = assoc("new-name-description", params)

    def op(vm):
        if not snapshot and vm["power_state"] != "halted" and \
                not vm["is_a_snapshot"]:
            raise bad_power(vm, "halted")
        return clone_vm(vm, name, snapshot=snapshot, checkpoint=checkpoint)
    new = do_vm_op(op, params, ["new-name-label", "new-name-description",
                                "ignore-vdi-uuids"],
                   include_template=include_template)
    if desc is not None:
        new[0]["name_description"] = desc
    pr.plist([v["uuid"] for v in new])


def op_vm_clone(pr, params):
    clone_aux(pr, params, include_template=True)


def op_vm_snapshot(pr, params):
    clone_aux(pr, params, snapshot=True, include_template=False)


def op_vm_checkpoint(pr, params):
    clone_aux(pr, params, snapshot=True, checkpoint=True,
              include_template=False)


def op_vm_copy(pr, params):
    name = assoc("new-name-label", params)
    desc = assoc("new-name-description", params)
    sr = None
    if assoc("sr-uuid", params) is not None:
        sr = get_by_uuid("srs", assoc("sr-uuid", params))["uuid"]

    def op(vm):
        if vm["power_state"] != "halted":
            raise bad_power(vm, "halted")
        return clone_vm(vm, name, sr=sr)
    new = do_vm_op(op, params, ["new-name-label", "sr-uuid",
                                "new-name-description"],
                   include_template=True, multiple=False)
    if desc is not None:
        new[0]["name_description"] = desc
    pr.plist([v["uuid"] for v in new])


def provision(vm, sr):
    """Create the disks a template's other-config:disks asks for."""
    spec = vm["other_config"].pop("disks", "")
    for m in re.finditer(r"<disk\s+([^>]*?)/?>", spec):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        size = int(attrs.get("size", "0"))
        dev = attrs.get("device", "0")
        target = find("srs", attrs.get("sr") or sr)
        if target is None:
            raise CliFailure("Failed to find a valid default SR for the "
                             "Pool. Please provide an sr-name-label or "
                             "sr-uuid parameter.")
        check_sr_space(target, size)
        vdi = vdi_rec(new_uuid(), target["uuid"], dev,
                      "Created by template provisioner", size,
                      attrs.get("type", "system"),
                      sm_config={"vdi_type": "vhd"})
        C.db["vdis"].append(vdi)
        C.db["vbds"].append(vbd_rec(
            new_uuid(), vm["uuid"], vdi["uuid"], dev,
            bootable=attrs.get("bootable") == "true",
            other_config={"owner": "true"}))


def op_vm_install(pr, params):
    templ = None
    if assoc("template-uuid", params) is not None:
        templ = find("vms", assoc("template-uuid", params))
        if templ is None:
            raise CliFailure("Cannot find template")
    else:
        def find_by_name(name):
            objs = list(C.db["vms"])
            fields = CLASS["vm"].fields()
            for kv in [("name-label", name), ("is-a-template", "true"),
                       ("is-control-domain", "false")]:
                objs = filter_records(objs, fields, kv)
            if not objs:
                raise CliFailure("No templates matched")
            if len(objs) > 1:
                raise CliFailure("More than one matching template found")
            return objs[0]
        tn = assoc("template-name-label", params)
        if tn is None:
            tn = assoc("template-name", params)
        if tn is not None:
            templ = find_by_name(tn)
        elif assoc("template", params) is not None:
            t = assoc("template", params)
            templ = find("vms", t) or find_by_name(t)
        else:
            raise CliFailure("Template must be specified by parameter "
                             "'template-uuid', 'template-name', "
                             "'template-name-label' or 'template'")
    if not templ["is_a_template"]:
        raise CliFailure("Can only install from templates")
    name = assoc("new-name-label", params)
    sr = None
    sr_uuid = assoc("sr-uuid", params)
    sr_name = assoc("sr-name-label", params)
    if templ["is_a_snapshot"] and (sr_uuid is not None or
                                   sr_name is not None):
        raise CliFailure("Do not use the sr-name-label or sr-uuid argument "
                         "when installing from a snapshot. By default, it "
                         "will install each new disk on the same SR as the "
                         "corresponding snapshot disks.")
    if sr_uuid is not None:
        sr = get_by_uuid("srs", sr_uuid)["uuid"]
    if sr_name is not None:
        srs = [s for s in C.db["srs"] if s["name_label"] == sr_name]
        if not srs:
            raise CliFailure("No SR with that name-label found")
        if sr is not None:
            if sr not in [s["uuid"] for s in srs]:
                raise CliFailure("SR specified via sr-uuid doesn't have the "
                                 "name specified via sr-name-label")
        elif len(srs) > 1:
            raise CliFailure("Multiple SRs with that name-label found")
        else:
            sr = srs[0]["uuid"]
    target = sr or C.db["pool"].get("default_SR")
    if "disks" in templ["other_config"] and find("srs", target) is None:
        raise CliFailure("Failed to find a valid default SR for the Pool. "
                         "Please provide an sr-name-label or sr-uuid "
                         "parameter.")
    new = clone_vm(templ, name, sr=sr)
    new["is_a_template"] = False
    new["name_description"] = "Installed via xe CLI"
    provision(new, target)
    pr.plist([new["uuid"]])


def snapshot_uuid(params):
    u = assoc("snapshot-uuid", params)
    if u is None:
        u = assoc("uuid", params)
    if u is None:
        raise CliFailure("Required parameter not found: snapshot-uuid or "
                         "uuid.")
    return u


def get_snapshot(u):
    s = get_by_uuid("vms", u)
    if not s["is_a_snapshot"]:
        raise CliFailure("This operation can only be performed on a VM "
                         "snapshot. %s is not a VM snapshot." % u)
    return s


REVERT_KEYS = ["memory_static_min", "memory_dynamic_min",
               "memory_dynamic_max", "memory_static_max", "VCPUs_max",
               "VCPUs_at_startup", "VCPUs_params", "platform",
               "HVM_boot_policy", "HVM_boot_params", "HVM_shadow_multiplier",
               "PV_kernel", "PV_ramdisk", "PV_args", "PV_legacy_args",
               "PV_bootloader", "PV_bootloader_args", "other_config",
               "actions_after_shutdown", "actions_after_reboot",
               "actions_after_crash", "domain_type", "xenstore_data",
               "blocked_operations", "user_version"]


def op_snapshot_revert(pr, params):
    snap = get_snapshot(snapshot_uuid(params))
    vm = find("vms", snap["snapshot_of"])
    if vm is None:
        raise ServerError("VM_REVERT_FAILED",
                          [NID, Ref(snap["uuid"], snap["name_label"])])
    if vm["power_state"] != "halted":
        halt(C.db, vm)
    for k in REVERT_KEYS:
        vm[k] = copy.deepcopy(snap[k])
    for vbd in [b for b in C.db["vbds"] if b["vm"] == vm["uuid"]]:
        vdi = find("vdis", vbd["vdi"])
        if vdi is not None and "owner" in vbd["other_config"] and \
                not vdi["is_tools_iso"]:
            C.db["vdis"].remove(vdi)
        C.db["vbds"].remove(vbd)
    C.db["vifs"] = [f for f in C.db["vifs"] if f["vm"] != vm["uuid"]]
    for vbd in [b for b in C.db["vbds"] if b["vm"] == snap["uuid"]]:
        vdi = find("vdis", vbd["vdi"])
        new_vdi = None
        if vdi is not None and not vbd["empty"]:
            new_vdi = vdi if vdi["is_tools_iso"] else copy_vdi(vdi)
        nb = copy.deepcopy(vbd)
        nb.update(uuid=new_uuid(), vm=vm["uuid"],
                  vdi=new_vdi["uuid"] if new_vdi else None,
                  currently_attached=False, device="")
        C.db["vbds"].append(nb)
    for vif in [f for f in C.db["vifs"] if f["vm"] == snap["uuid"]]:
        nf = copy.deepcopy(vif)
        nf.update(uuid=new_uuid(), vm=vm["uuid"], currently_attached=False)
        C.db["vifs"].append(nf)
    vm["parent"] = snap["uuid"]
    if snap["power_state"] == "suspended" and snap.get("suspend_VDI"):
        sv = find("vdis", snap["suspend_VDI"])
        if sv is not None:
            vm["suspend_VDI"] = copy_vdi(sv)["uuid"]
            vm["power_state"] = "suspended"


def destroy_vm_record(vm):
    C.db["vbds"] = [b for b in C.db["vbds"] if b["vm"] != vm["uuid"]]
    C.db["vifs"] = [f for f in C.db["vifs"] if f["vm"] != vm["uuid"]]
    drop_suspend_vdi(C.db, vm)
    for v in C.db["vms"]:
        if v["parent"] == vm["uuid"]:
            v["parent"] = vm["parent"]
    C.db["vms"] = [v for v in C.db["vms"] if v["uuid"] != vm["uuid"]]


def vm_destroy_api(vm):
    if vm["is_default_template"]:
        raise ServerError("VM_CANNOT_DELETE_DEFAULT_TEMPLATE", [vm_ref(vm)])
    if vm["power_state"] not in ("halted", "suspended"):
        raise bad_power(vm, "halted, suspended")
    destroy_vm_record(vm)


def op_vm_destroy(pr, params):
    vm = get_by_uuid("vms", assoc("uuid", params))
    if vm["is_control_domain"]:
        raise ServerError("OPERATION_NOT_ALLOWED",
                          ["You cannot destroy a control domain via the "
                           "CLI"])
    vm_destroy_api(vm)


def op_snapshot_destroy(pr, params):
    snap = get_snapshot(snapshot_uuid(params))
    if snap["power_state"] != "halted":
        halt(C.db, snap)
    vm_destroy_api(snap)


def uninstall_common(out, params, vms):
    lines, actions = [], []
    for vm in vms:
        vbds = [b for b in C.db["vbds"] if b["vm"] == vm["uuid"]]
        vdis = []
        for b in vbds:
            vdi = find("vdis", b["vdi"])
            if vdi is not None and "owner" in b["other_config"]:
                vdis.append(vdi)
        sus = find("vdis", vm.get("suspend_VDI"))

        def vdi_line(d):
            shared = len([b for b in C.db["vbds"]
                          if b["vdi"] == d["uuid"]]) > 1
            return "VDI: %s (%s) %s" % (
                d["uuid"], d["name_label"],
                " ** WARNING: disk is shared by other VMs" if shared else "")
        lines.append("VM : %s (%s)" % (vm["uuid"], vm["name_label"]))
        lines += [vdi_line(d) for d in vdis]
        if sus is not None:
            lines.append(vdi_line(sus))
        actions.append((vm, vdis))

    def destroy_all():
        for vm, vdis in actions:
            if vm["power_state"] != "halted":
                halt(C.db, vm)
            vm["is_default_template"] = False
            destroy_vm_record(vm)
            ids = {d["uuid"] for d in vdis}
            C.db["vdis"] = [d for d in C.db["vdis"] if d["uuid"] not in ids]
            C.db["vbds"] = [b for b in C.db["vbds"] if b["vdi"] not in ids]
    out.o("The following items are about to be destroyed\n")
    for line in lines:
        out.o(line + "\n")
    if get_bool_param(params, "force"):
        destroy_all()
        out.o("All objects destroyed\n")
        return
    out.o("Type 'yes' to continue\n")
    out.flush_now()
    answer = sys.stdin.readline()
    if answer.endswith("\n"):
        answer = answer[:-1]
    if answer.strip().lower() == "yes":
        destroy_all()
        out.o("All objects destroyed\n")
    else:
        out.o("Aborted (you typed: '%s')\n" % answer)


def op_vm_uninstall(pr, params):
    vms = do_vm_op(lambda vm: vm, params)
    snaps = []
    for vm in vms:
        snaps += [v for v in C.db["vms"] if v["snapshot_of"] == vm["uuid"]]
    uninstall_common(pr.out, params, vms + snaps)


def op_snapshot_uninstall(pr, params):
    snap = get_snapshot(snapshot_uuid(params))
    uninstall_common(pr.out, params, [snap])


def op_template_uninstall(pr, params):
    u = assoc("template-uuid", params)
    t = get_by_uuid("vms", u)
    if not t["is_a_template"]:
        raise CliFailure("This operation can only be performed on a VM "
                         "template. %s is not a VM template." % u)
    if t["is_default_template"]:
        raise ServerError("VM_CANNOT_DELETE_DEFAULT_TEMPLATE", [vm_ref(t)])
    uninstall_common(pr.out, params, [t])


# --- memory, VCPUs, data sources -------------------------------------------------

def mem_op(params, values, ignore):
    def op(vm):
        new = {k: vm[k] for k in MEM_KEYS}
        new.update(values(vm))
        set_memory(vm, new)
    do_vm_op(op, params, ignore, include_control=True,
             include_template=True)


def op_vm_memory_limits_set(pr, params):
    v = {k: bytes_of_string(k, assoc(k, params))
         for k in ("static-min", "static-max", "dynamic-min", "dynamic-max")}
    mem_op(params, lambda vm: {
        "memory_static_min": v["static-min"],
        "memory_static_max": v["static-max"],
        "memory_dynamic_min": v["dynamic-min"],
        "memory_dynamic_max": v["dynamic-max"]},
        ["static-min", "static-max", "dynamic-min", "dynamic-max"])


def op_vm_memory_static_range_set(pr, params):
    lo = bytes_of_string("min", assoc("min", params))
    hi = bytes_of_string("max", assoc("max", params))
    mem_op(params, lambda vm: {"memory_static_min": lo,
                               "memory_static_max": hi}, ["min", "max"])


def op_vm_memory_dynamic_range_set(pr, params):
    lo = bytes_of_string("min", assoc("min", params))
    hi = bytes_of_string("max", assoc("max", params))
    mem_op(params, lambda vm: {"memory_dynamic_min": lo,
                               "memory_dynamic_max": hi}, ["min", "max"])


def op_vm_memory_set(pr, params):
    m = bytes_of_string("memory", assoc("memory", params))
    mem_op(params, lambda vm: {"memory_static_max": m,
                               "memory_dynamic_min": m,
                               "memory_dynamic_max": m}, ["memory"])


def op_vm_memory_target_set(pr, params):
    t = bytes_of_string("target", assoc("target", params))

    def op(vm):
        new = {k: vm[k] for k in MEM_KEYS}
        new.update(memory_dynamic_min=t, memory_dynamic_max=t)
        set_memory(vm, new)
    do_vm_op(op, params, ["target"], include_control=True)


def op_vm_vcpu_hotplug(pr, params):
    n = safe_i64("new-vcpus", assoc("new-vcpus", params))

    def op(vm):
        if vm["power_state"] != "running":
            raise bad_power(vm, "running")
        if n < 1 or n > vm["VCPUs_max"]:
            raise ServerError("INVALID_VALUE", ["VCPU values must satisfy: "
                                                "0 < VCPUs <= VCPUs_max",
                                                str(n)])
        vm["vcpus_number"] = n
        vm["VCPUs_at_startup"] = n
    do_vm_op(op, params, ["new-vcpus"])


def data_sources(vm):
    """The RRD data sources of a resident VM: (name, description, units,
    min, max, value)."""
    ds = []
    for i in range(vm["vcpus_number"]):
        ds.append(("cpu%d" % i, "CPU%d usage" % i, "(fraction)", 0.0, 1.0,
                   vcpu_load(vm, i)))
    act = float(vm["memory_actual"])
    ds.append(("memory", "Memory currently allocated to VM", "B", 0.0,
               float("inf"), act))
    ds.append(("memory_target", "Target of VM balloon driver", "B", 0.0,
               float("inf"), float(vm["memory_dynamic_max"])))
    ds.append(("memory_internal_free", "Memory used as reported by the "
               "guest agent", "KiB", 0.0, float("inf"),
               float(int(act * 0.6) // 1024)))
    return ds


def op_vm_data_source_query(pr, params):
    name = assoc("data-source", params)

    def op(vm):
        if not resident(vm):
            raise bad_power(vm, "running, paused")
        for n, _, _, _, _, val in data_sources(vm):
            if n == name:
                pr.plist(["%f" % val])
                return
        raise ServerError("INTERNAL_ERROR", ["Not_found"])
    do_vm_op(op, params, ["data-source"], include_control=True,
             multiple=False)


def op_vm_data_source_list(pr, params):
    def op(vm):
        rows = []
        if resident(vm):
            for n, d, u, lo, hi, _ in data_sources(vm):
                rows.append([("name_label", n), ("name_description", d),
                             ("enabled", "true"), ("standard", "true"),
                             ("min", fmt_float(lo)),
                             ("max", "inf" if hi == float("inf")
                              else fmt_float(hi)), ("units", u)])
        pr.table(rows)
    do_vm_op(op, params, [], include_control=True, multiple=False)


def rename_params(params, frm):
    return [("params", v) if k == frm else (k, v) for k, v in params]


def op_vm_disk_list(pr, params):
    vbd_params = rename_params(params, "vbd-params")
    vdi_params = rename_params(params, "vdi-params")

    def op(vm):
        vbds = [b for b in C.db["vbds"]
                if b["vm"] == vm["uuid"] and b["type"] == "Disk"]
        vbd_f = select_fields(vbd_params, CLASS["vbd"].fields(),
                              ["uuid", "vm-name-label", "userdevice"])
        vdi_f = select_fields(vdi_params, CLASS["vdi"].fields(),
                              ["uuid", "name-label", "virtual-size",
                               "sr-name-label"])
        for n, b in enumerate(vbds):
            pr.pmsg("Disk %d VBD:" % n)
            pr.table([record_of(b, vbd_f)])
            vdi = None if b["empty"] else find("vdis", b["vdi"])
            if vdi is not None:
                pr.pmsg("Disk %d VDI:" % n)
                pr.table([record_of(vdi, vdi_f)])
    do_vm_op(op, params, ["vbd-params", "vdi-params"])


# --- storage and network devices ------------------------------------------------

def check_sr_space(sr, size):
    if sr["type"] != "lvm":
        return
    free = sr["physical_size"] - sr_util(sr)
    if size > free:
        raise ServerError("SR_FULL", [str(size), str(free)])


def op_vdi_create(pr, params):
    sr = get_by_uuid("srs", assoc("sr-uuid", params))
    size = bytes_of_string("virtual-size", assoc("virtual-size", params))
    typ = (assoc("type", params) or "user").lower()
    if typ not in VDI_TYPES:
        raise CliFailure("Failed to parse parameter 'type': expecting one "
                         "of %s" % ", ".join(VDI_TYPES))
    sharable = get_bool_param(params, "sharable")
    if sr["content_type"] in ("iso", "disk") or sr["type"] in ("udev",
                                                               "iso"):
        raise ServerError("SR_OPERATION_NOT_SUPPORTED",
                          [Ref(sr["uuid"], sr["name_label"])])
    check_sr_space(sr, size)
    sm = {k[len("sm-config:"):]: v for k, v in params
          if k.startswith("sm-config:")}
    sm.setdefault("vdi_type", "raw" if sm.get("type") == "raw" else "vhd")
    tags = [k[len("tags:"):] for k, _ in params if k.startswith("tags:")]
    vdi = vdi_rec(new_uuid(), sr["uuid"], assoc("name-label", params), "",
                  size, typ, sharable=sharable, sm_config=sm, tags=tags)
    C.db["vdis"].append(vdi)
    pr.plist([vdi["uuid"]])


def op_vdi_destroy(pr, params):
    vdi = get_by_uuid("vdis", assoc("uuid", params))
    for b in C.db["vbds"]:
        if b["vdi"] == vdi["uuid"] and b["currently_attached"]:
            raise ServerError("VDI_IN_USE",
                              [Ref(vdi["uuid"], vdi["name_label"]),
                               "destroy"])
    C.db["vbds"] = [b for b in C.db["vbds"] if b["vdi"] != vdi["uuid"]]
    C.db["vdis"].remove(vdi)


def vm_of(dev):
    return find("vms", dev["vm"])


def op_vbd_create(pr, params):
    vm = get_by_uuid("vms", assoc("vm-uuid", params))
    vdi = None
    if assoc("vdi-uuid", params) is not None:
        vdi = get_by_uuid("vdis", assoc("vdi-uuid", params))
    typ = assoc("type", params) or "Disk"
    norm = {"disk": "Disk", "cd": "CD", "floppy": "Floppy"}.get(typ.lower())
    if norm is None:
        raise CliFailure("Expected 'CD', 'Disk' or 'Floppy', got %s" % typ)
    mode = (assoc("mode", params) or "RW").upper()
    if mode not in ("RO", "RW"):
        raise CliFailure("Expected 'RO' or 'RW', got %s"
                         % assoc("mode", params))
    if vdi is None and norm != "CD":
        raise CliFailure("Empty VBDs can only be made for type=CD")
    device = assoc("device", params)
    if device == "autodetect":
        free = free_devices(vm, 255, "vbds", "userdevice")
        device = free[0] if free else "255"
    if any(b["vm"] == vm["uuid"] and b["userdevice"] == device
           for b in C.db["vbds"]):
        raise ServerError("DEVICE_ALREADY_EXISTS", [device])
    vbd = vbd_rec(new_uuid(), vm["uuid"], vdi["uuid"] if vdi else None,
                  device, bootable=get_bool_param(params, "bootable"),
                  mode=mode, type=norm,
                  unpluggable=get_bool_param(params, "unpluggable", True))
    C.db["vbds"].append(vbd)
    pr.plist([vbd["uuid"]])


def op_vbd_destroy(pr, params):
    vbd = get_by_uuid("vbds", assoc("uuid", params))
    if vbd["currently_attached"]:
        raise ServerError("OPERATION_NOT_ALLOWED",
                          ["VBD currently attached to a running VM"])
    C.db["vbds"].remove(vbd)


def op_vbd_plug(pr, params):
    vbd = get_by_uuid("vbds", assoc("uuid", params))
    vm = vm_of(vbd)
    if vm["power_state"] != "running":
        raise bad_power(vm, "running")
    if vbd["currently_attached"]:
        raise ServerError("DEVICE_ALREADY_ATTACHED", [vbd["uuid"]])
    vbd["currently_attached"] = True
    vbd["device"] = vbd_device_name(vbd["userdevice"])


def op_vbd_unplug(pr, params):
    vbd = get_by_uuid("vbds", assoc("uuid", params))
    vm = vm_of(vbd)
    if vm["power_state"] != "running":
        raise bad_power(vm, "running")
    if not vbd["currently_attached"]:
        raise ServerError("DEVICE_ALREADY_DETACHED", [vbd["uuid"]])
    if not vbd["unpluggable"] and not get_bool_param(params, "force"):
        raise ServerError("VBD_NOT_UNPLUGGABLE", [vbd["uuid"]])
    vbd["currently_attached"] = False


def op_vif_create(pr, params):
    vm = get_by_uuid("vms", assoc("vm-uuid", params))
    net = get_by_uuid("networks", assoc("network-uuid", params))
    device = assoc("device", params)
    if any(f["vm"] == vm["uuid"] and f["device"] == device
           for f in C.db["vifs"]):
        raise ServerError("DEVICE_ALREADY_EXISTS", [device])
    u = new_uuid()
    mac = assoc("mac", params)
    vif = vif_rec(u, vm["uuid"], net["uuid"], device, mac or mac_for(u),
                  MAC_autogenerated=not mac)
    C.db["vifs"].append(vif)
    pr.plist([u])


def op_vif_destroy(pr, params):
    vif = get_by_uuid("vifs", assoc("uuid", params))
    if vif["currently_attached"]:
        raise ServerError("OPERATION_NOT_ALLOWED",
                          ["VIF currently attached to a running VM"])
    C.db["vifs"].remove(vif)


def op_vif_plug(pr, params):
    vif = get_by_uuid("vifs", assoc("uuid", params))
    vm = vm_of(vif)
    if vm["power_state"] != "running":
        raise bad_power(vm, "running")
    if vif["currently_attached"]:
        raise ServerError("DEVICE_ALREADY_ATTACHED", [vif["uuid"]])
    vif["currently_attached"] = True


def op_vif_unplug(pr, params):
    vif = get_by_uuid("vifs", assoc("uuid", params))
    vm = vm_of(vif)
    if vm["power_state"] != "running":
        raise bad_power(vm, "running")
    if not vif["currently_attached"]:
        raise ServerError("DEVICE_ALREADY_DETACHED", [vif["uuid"]])
    vif["currently_attached"] = False


# --- disk contents: resize, import, export, CDs ------------------------------------

VHD_FOOTER = 512
VHD_COOKIE = b"conectix"


def vhd_virtual_size(data_tail):
    """The current size of a VHD from its footer (the last 512 bytes), or
    None if they are no VHD footer."""
    if len(data_tail) < VHD_FOOTER or data_tail[-VHD_FOOTER:][:8] != \
            VHD_COOKIE:
        return None
    f = data_tail[-VHD_FOOTER:]
    return int.from_bytes(f[48:56], "big")


def vhd_checksum(b):
    return (~sum(b) & 0xffffffff).to_bytes(4, "big")


def vhd_image(size, uuid_hex):
    """An empty dynamic VHD of virtual size SIZE: footer, dynamic header,
    a BAT of unallocated blocks, footer again (the VHD 1.0 layout)."""
    block = 2 * MIB
    blocks = (size + block - 1) // block
    bat_bytes = ((blocks * 4 + 511) // 512) * 512
    cyl, heads, spt = 65535, 16, 255
    secs = min(size // 512, cyl * heads * spt)
    if secs >= 65535 * 16 * 63:
        spt, heads = 255, 16
        cyl = secs // (spt * heads)
    else:
        spt = 17
        cth = secs // spt
        heads = max((cth + 1023) // 1024, 4)
        if cth >= heads * 1024 or heads > 16:
            spt, heads = 31, 16
            cth = secs // spt
        if cth >= heads * 1024:
            spt, heads = 63, 16
            cth = secs // spt
        cyl = cth // heads
    footer = bytearray(VHD_FOOTER)
    footer[0:8] = VHD_COOKIE
    footer[8:12] = (2).to_bytes(4, "big")           # features
    footer[12:16] = (0x00010000).to_bytes(4, "big")  # version
    footer[16:24] = (VHD_FOOTER).to_bytes(8, "big")  # header offset
    footer[28:32] = b"tap\0"
    footer[32:36] = (0x00010003).to_bytes(4, "big")
    footer[36:40] = b"Wi2k"
    footer[40:48] = size.to_bytes(8, "big")
    footer[48:56] = size.to_bytes(8, "big")
    footer[56:58] = min(cyl, 65535).to_bytes(2, "big")
    footer[58] = heads
    footer[59] = spt
    footer[60:64] = (3).to_bytes(4, "big")          # dynamic
    footer[68:84] = bytes.fromhex(uuid_hex)
    footer[64:68] = vhd_checksum(bytes(footer))
    header = bytearray(1024)
    header[0:8] = b"cxsparse"
    header[8:16] = b"\xff" * 8
    header[16:24] = (VHD_FOOTER + 1024).to_bytes(8, "big")
    header[24:28] = (0x00010000).to_bytes(4, "big")
    header[28:32] = blocks.to_bytes(4, "big")
    header[32:36] = block.to_bytes(4, "big")
    header[36:40] = vhd_checksum(bytes(header))
    return bytes(footer) + bytes(header) + b"\xff" * bat_bytes + \
        bytes(footer)


def vdi_attached(vdi):
    return any(b["vdi"] == vdi["uuid"] and b["currently_attached"]
               for b in C.db["vbds"])


def op_vdi_resize(pr, params):
    vdi = get_by_uuid("vdis", assoc("uuid", params))
    size = bytes_of_string("disk-size", assoc("disk-size", params))
    online = get_bool_param(params, "online")
    if vdi_attached(vdi) and not online:
        raise ServerError("VDI_IN_USE", [Ref(vdi["uuid"], vdi["name_label"]),
                                         "resize"])
    sr = find("srs", vdi["sr"])
    if vdi["read_only"] or vdi["is_a_snapshot"] or sr is None or \
            sr["type"] != "lvm":
        raise ServerError("SR_OPERATION_NOT_SUPPORTED",
                          [Ref(vdi["sr"], sr["name_label"] if sr else None)])
    if size < vdi["virtual_size"]:
        raise ServerError("SR_BACKEND_FAILURE_79",
                          ["", "VDI Invalid size [opterr=shrinking not "
                           "allowed]", ""])
    check_sr_space(sr, size - vdi["virtual_size"])
    vdi["virtual_size"] = size
    vdi["physical_utilisation"] = size


def transfer_format(params):
    fmt = assoc("format", params)
    if fmt is None:
        return "raw"
    if fmt.lower() not in ("raw", "vhd"):
        raise ServerError("INTERNAL_ERROR", ["Unknown format: %s" % fmt])
    return fmt.lower()


def op_vdi_import(pr, params):
    vdi = get_by_uuid("vdis", assoc("uuid", params))
    fmt = transfer_format(params)
    fn = assoc("filename", params)
    try:
        with open(fn, "rb") as f:
            f.seek(0, 2)
            fsize = f.tell()
            f.seek(max(0, fsize - VHD_FOOTER))
            tail = f.read(VHD_FOOTER)
    except OSError:
        raise RawFailure("Failed to read file %s\n" % fn)
    if vdi_attached(vdi):
        raise ServerError("VDI_IN_USE", [Ref(vdi["uuid"], vdi["name_label"]),
                                         "import"])
    if fmt == "vhd":
        vsize = vhd_virtual_size(tail)
        if vsize is None:
            raise ServerError("INTERNAL_ERROR",
                              ["Failed to parse VHD: %s" % fn])
    else:
        vsize = fsize
    if vsize > vdi["virtual_size"]:
        raise ServerError("VDI_TOO_SMALL",
                          [Ref(vdi["uuid"], vdi["name_label"]), str(vsize)])
    vdi["other_config"]["import_source"] = os.path.basename(fn)
    vdi["sm_config"]["imported_bytes"] = str(fsize)


def op_vdi_export(pr, params):
    vdi = get_by_uuid("vdis", assoc("uuid", params))
    fmt = transfer_format(params)
    fn = assoc("filename", params)
    try:
        with open(fn, "wb") as f:
            if fmt == "vhd":
                f.write(vhd_image(vdi["virtual_size"],
                                  vdi["uuid"].replace("-", "")))
            else:
                f.truncate(vdi["virtual_size"])
    except OSError:
        raise RawFailure("Failed to write file %s\n" % fn)


def op_vdi_copy(pr, params):
    vdi = get_by_uuid("vdis", assoc("uuid", params))
    sr = get_by_uuid("srs", assoc("sr-uuid", params))
    check_sr_space(sr, vdi["virtual_size"])
    d = copy_vdi(vdi, sr["uuid"])
    d["read_only"] = False
    pr.plist([d["uuid"]])


def iso_vdi(name):
    """The VDI of an ISO SR named NAME; the simulator also takes the path
    of an ISO file on the host, and makes its VDI in the first ISO SR."""
    for d in C.db["vdis"]:
        sr = find("srs", d["sr"])
        if d["name_label"] == name and sr is not None and \
                sr["content_type"] == "iso":
            return d
    if name.startswith("/") and os.path.isfile(name):
        srs = [s for s in C.db["srs"] if s["content_type"] == "iso"]
        if srs:
            d = vdi_rec(new_uuid(), srs[0]["uuid"], name, "",
                        os.path.getsize(name), read_only=True,
                        location=name)
            C.db["vdis"].append(d)
            return d
    raise CliFailure("CD %s not found!" % name)


def op_vm_cd_add(pr, params):
    vdi = iso_vdi(assoc("cd-name", params))
    device = assoc("device", params)

    def op(vm):
        if any(b["vm"] == vm["uuid"] and b["userdevice"] == device
               for b in C.db["vbds"]):
            raise ServerError("DEVICE_ALREADY_EXISTS", [device])
        vbd = vbd_rec(new_uuid(), vm["uuid"], vdi["uuid"], device,
                      mode="RO", type="CD", unpluggable=True)
        C.db["vbds"].append(vbd)
        if vm["power_state"] == "running":
            vbd["currently_attached"] = True
            vbd["device"] = vbd_device_name(device)
    do_vm_op(op, params, ["cd-name", "device"])


# --- host ---------------------------------------------------------------------------

def op_host_cpu_info(pr, params):
    u = assoc("uuid", params)
    if u is not None:
        get_by_uuid("hosts", u)
    pr.table([cpu_info()])


def op_host_compute_free_memory(pr, params):
    do_host_op(lambda h: pr.pmsg(str(host_free_memory())), params,
               multiple=False)


# --- the command table -------------------------------------------------------------

class Cmd:
    def __init__(self, fn, reqd=(), optn=(), std=False, sel=None, delay=0.01,
                 help=""):
        self.fn = fn
        self.reqd = list(reqd)
        self.optn = list(optn)
        self.std = std
        self.sel = sel          # "vm" or "host": takes selectors
        self.delay = delay
        self.help = help


def generic(cls, verb):
    fn = {"list": cmd_list, "param-list": cmd_param_list,
          "param-get": cmd_param_get, "param-set": cmd_param_set,
          "param-add": cmd_param_add, "param-remove": cmd_param_remove,
          "param-clear": cmd_param_clear}[verb]
    return lambda pr, params: fn(cls, pr, params)


def build_commands():
    t = {}
    for c in CLASSES:
        n = c.name
        plural = n + "s"
        t[n + "-list"] = Cmd(
            generic(c, "list"), [], ["params"], std=n in ("vm", "network",
                                                          "sr"),
            help="Lists all the %s, filtering on the optional arguments. To "
            "filter on map parameters, use the syntax 'map-param:key=value'"
            % plural)
        t[n + "-param-list"] = Cmd(
            generic(c, "param-list"), ["uuid"], [],
            help="Lists all the parameters of the object specified by the "
            "uuid.")
        t[n + "-param-get"] = Cmd(
            generic(c, "param-get"), ["uuid", "param-name"], ["param-key"],
            help="Gets the parameter specified of the object. If the "
            "parameter is a map of key=value pairs, use 'param-key=<key>' "
            "to get the value associated with a particular key.")
        t[n + "-param-set"] = Cmd(
            generic(c, "param-set"), ["uuid"], [], delay=0.02,
            help="Sets the parameter specified. If param-value is not "
            "given, the parameter is set to a null value. To set a "
            "(key,value) pair in a map parameter, use the syntax "
            "'map-param:key=value'.")
        t[n + "-param-add"] = Cmd(
            generic(c, "param-add"), ["uuid", "param-name"], ["param-key"],
            delay=0.02, help="Adds to a set or map parameter.")
        t[n + "-param-remove"] = Cmd(
            generic(c, "param-remove"), ["uuid", "param-name", "param-key"],
            [], delay=0.02,
            help="Removes a member or a key,value pair from a set/map "
            "respectively.")
        t[n + "-param-clear"] = Cmd(
            generic(c, "param-clear"), ["uuid", "param-name"], [],
            delay=0.02, help="Clears the specified parameter.")
    vm = dict(std=True, sel="vm")
    t.update({
        "vm-start": Cmd(op_vm_start, [], ["force", "on", "paused"], delay=0.3,
                        help="Start the selected VM(s).", **vm),
        "vm-shutdown": Cmd(op_vm_shutdown, [], ["force"], delay=0.2,
                           help="Shutdown the selected VM(s).", **vm),
        "vm-reboot": Cmd(op_vm_reboot, [], ["force"], delay=0.4,
                         help="Reboot the selected VM(s).", **vm),
        "vm-suspend": Cmd(op_vm_suspend, delay=0.3,
                          help="Suspend the selected VM(s).", **vm),
        "vm-resume": Cmd(op_vm_resume, [], ["force", "on"], delay=0.3,
                         help="Resume the selected VM(s).", **vm),
        "vm-pause": Cmd(op_vm_pause, delay=0.05,
                        help="Pause a running VM.", **vm),
        "vm-unpause": Cmd(op_vm_unpause, delay=0.05,
                          help="Unpause a paused VM.", **vm),
        "vm-reset-powerstate": Cmd(op_vm_reset_powerstate, [], ["force"],
                                   help="Force the VM powerstate to halted.",
                                   **vm),
        "vm-install": Cmd(op_vm_install, ["new-name-label"],
                          ["sr-name-label", "sr-uuid", "template",
                           "copy-bios-strings-from"], std=True, delay=0.2,
                          help="Install a new VM from a template."),
        "vm-uninstall": Cmd(op_vm_uninstall, [], ["force"], delay=0.1,
                            help="Uninstall a VM and its disks.", **vm),
        "vm-destroy": Cmd(op_vm_destroy, ["uuid"], [], delay=0.1,
                          help="Destroy a VM (its disks are kept)."),
        "vm-clone": Cmd(op_vm_clone, ["new-name-label"],
                        ["new-name-description"], delay=0.2,
                        help="Clone an existing VM.", **vm),
        "vm-copy": Cmd(op_vm_copy, ["new-name-label"],
                       ["new-name-description", "sr-uuid"], delay=0.3,
                       help="Copy an existing VM.", **vm),
        "vm-snapshot": Cmd(op_vm_snapshot, ["new-name-label"],
                           ["new-name-description", "ignore-vdi-uuids"],
                           delay=0.2, help="Snapshot an existing VM.", **vm),
        "vm-checkpoint": Cmd(op_vm_checkpoint, ["new-name-label"],
                             ["new-name-description"], delay=0.4,
                             help="Checkpoint an existing VM.", **vm),
        "vm-disk-list": Cmd(op_vm_disk_list, [], ["vbd-params",
                                                  "vdi-params"],
                            help="List the disks on the selected VM(s).",
                            **vm),
        "vm-memory-limits-set": Cmd(
            op_vm_memory_limits_set,
            ["static-min", "static-max", "dynamic-min", "dynamic-max"], [],
            sel="vm", delay=0.02, help="Configure the memory limits of a "
            "VM."),
        "vm-memory-static-range-set": Cmd(
            op_vm_memory_static_range_set, ["min", "max"], [], sel="vm",
            delay=0.02, help="Configure the static memory range of a VM."),
        "vm-memory-dynamic-range-set": Cmd(
            op_vm_memory_dynamic_range_set, ["min", "max"], [], sel="vm",
            delay=0.02, help="Configure the dynamic memory range of a VM."),
        "vm-memory-set": Cmd(op_vm_memory_set, ["memory"], [], sel="vm",
                             delay=0.02, help="Configure the memory "
                             "allocation of a VM."),
        "vm-memory-target-set": Cmd(op_vm_memory_target_set, ["target"], [],
                                    sel="vm", delay=0.02,
                                    help="Set the memory target of a VM."),
        "vm-vcpu-hotplug": Cmd(op_vm_vcpu_hotplug, ["new-vcpus"], [],
                               sel="vm", delay=0.05, help="Dynamically "
                               "adjust the number of VCPUs of a running "
                               "VM."),
        "vm-data-source-query": Cmd(op_vm_data_source_query,
                                    ["data-source"], [], sel="vm",
                                    help="Query the last value read from a "
                                    "VM data source."),
        "vm-data-source-list": Cmd(op_vm_data_source_list, [], [], sel="vm",
                                   help="List the data sources that can be "
                                   "recorded for a VM."),
        "snapshot-revert": Cmd(op_snapshot_revert, [],
                               ["uuid", "snapshot-uuid"], std=True,
                               delay=0.2, help="Revert an existing VM to a "
                               "previous snapshotted state."),
        "snapshot-destroy": Cmd(op_snapshot_destroy, [],
                                ["uuid", "snapshot-uuid"], delay=0.1,
                                help="Destroy a snapshot."),
        "snapshot-uninstall": Cmd(op_snapshot_uninstall, [],
                                  ["uuid", "snapshot-uuid", "force"],
                                  std=True, delay=0.1,
                                  help="Uninstall a snapshot."),
        "template-uninstall": Cmd(op_template_uninstall, ["template-uuid"],
                                  ["force"], std=True, delay=0.1,
                                  help="Uninstall a custom template."),
        "vdi-create": Cmd(op_vdi_create,
                          ["sr-uuid", "name-label", "virtual-size"],
                          ["sm-config:", "sharable", "tags:", "type"],
                          delay=0.1, help="Create a VDI."),
        "vdi-destroy": Cmd(op_vdi_destroy, ["uuid"], [], delay=0.05,
                           help="Destroy a VDI."),
        "vdi-resize": Cmd(op_vdi_resize, ["uuid", "disk-size"], ["online"],
                          delay=0.05, help="Resize a VDI."),
        "vdi-import": Cmd(op_vdi_import, ["uuid", "filename"],
                          ["format", "progress"], delay=0.1,
                          help="Import a raw or VHD file into a VDI."),
        "vdi-export": Cmd(op_vdi_export, ["uuid", "filename"],
                          ["format", "progress"], delay=0.1,
                          help="Export a VDI to a raw or VHD file."),
        "vdi-copy": Cmd(op_vdi_copy, ["uuid", "sr-uuid"], [], delay=0.1,
                        help="Copy a VDI to a specified SR."),
        "vm-cd-add": Cmd(op_vm_cd_add, ["cd-name", "device"], [],
                         sel="vm", delay=0.05, help="Add a CD to the "
                         "VM(s). The device number selects the userdevice."),
        "vbd-create": Cmd(op_vbd_create, ["vm-uuid", "device"],
                          ["vdi-uuid", "bootable", "type", "mode",
                           "unpluggable"], delay=0.05, help="Create a VBD."),
        "vbd-destroy": Cmd(op_vbd_destroy, ["uuid"], [], delay=0.05,
                           help="Destroy a VBD."),
        "vbd-plug": Cmd(op_vbd_plug, ["uuid"], [], delay=0.05,
                        help="Attempt to attach the VBD while the VM is in "
                        "the running state."),
        "vbd-unplug": Cmd(op_vbd_unplug, ["uuid"], ["timeout", "force"],
                          delay=0.05, help="Attempt to detach the VBD while "
                          "the VM is in the running state."),
        "vif-create": Cmd(op_vif_create, ["device", "network-uuid",
                                          "vm-uuid"], ["mac"], delay=0.05,
                          help="Create a VIF."),
        "vif-destroy": Cmd(op_vif_destroy, ["uuid"], [], delay=0.05,
                           help="Destroy a VIF."),
        "vif-plug": Cmd(op_vif_plug, ["uuid"], [], delay=0.05,
                        help="Attempt to attach the VIF while the VM is in "
                        "the running state."),
        "vif-unplug": Cmd(op_vif_unplug, ["uuid"], ["force"], delay=0.05,
                          help="Attempt to detach the VIF while the VM is "
                          "in the running state."),
        "host-cpu-info": Cmd(op_host_cpu_info, [], ["uuid"],
                             help="Lists information about the host's "
                             "physical CPUs."),
        "host-compute-free-memory": Cmd(op_host_compute_free_memory, [], [],
                                        sel="host", help="Computes the "
                                        "amount of free memory on the "
                                        "host."),
    })
    return t


COMMANDS = build_commands()

USAGE = ("Usage: %s <cmd> [-s server] [-p port] ([-u username] [-pw password]"
         " or [-pwf <password file>]) [--traceparent traceparent] <other "
         "arguments>\n\nA full list of commands can be obtained by running "
         "\n\t%s help -s <server> -p <port>\n")

HELP = """Usage:
  %s <command>
    [ -s <server> ]            XenServer host
    [ -p <port> ]              XenServer port number
    [ -u <username> -pw <password> | -pwf <password file> ]
                               User authentication (password or file)
    [ --nossl ]                Disable SSL/TLS
    [ --debug ]                Enable debug output
    [ --debug-on-fail ]        Enable debug output only on failure
    [ --traceparent <value> ]  Distributed tracing context
    [ <other arguments> ... ]  Command-specific options

To get help on a specific command:
  %s help <command>

"""


def make_list(cmds):
    indent = "    "
    lines, cur = [], indent + cmds[0]
    for c in cmds[1:]:
        if len(cur) + len(c) > 74:
            lines.append(cur)
            cur = indent + c
        else:
            cur = cur + ", " + c
    lines.append(cur)
    return lines


def do_help(pr, params):
    """cli_frontend.ml rio_help, over the commands simulated here."""
    asked = [k for k, _ in params if k not in (
        "server", "username", "password", "port", "minimal", "all")]
    if asked:
        for name in asked:
            c = COMMANDS.get(name)
            if c is None:
                pr.plist(["Unknown command '%s'" % name])
                continue
            optional = c.optn + (["<vm-selectors>"] if c.sel == "vm" else
                                 ["<host-selectors>"] if c.sel == "host"
                                 else [])
            pr.table([[("command name        ", name),
                       ("reqd params     ", ", ".join(c.reqd)),
                       ("optional params ", ", ".join(optional)),
                       ("description     ", c.help)]])
        return
    names = sorted(COMMANDS)
    h = HELP % ("xe", "xe")
    if assoc("all", params) == "true":
        if pr.minimal:
            pr.plist(names)
            return
        host = [n for n in names if n.startswith("host-")]
        vms = [n for n in names if n.startswith("vm-")]
        other = [n for n in names if n not in host and n not in vms]
        pr.plist([h + "Full command list\n-----------------\n"])
        pr.plist(make_list(host))
        pr.plist(make_list([""]))
        pr.plist(make_list(vms))
        pr.plist(make_list([""]))
        pr.plist(make_list(other))
        return
    std = [n for n in names if COMMANDS[n].std]
    if pr.minimal:
        pr.plist(std)
        return
    pr.plist([h + "To get a full listing of commands:\n  xe help --all\n\n"
              "Common command list\n-------------------\n"])
    pr.plist(make_list(std))


# --- the client side (newcli.ml) and the server side (xapi_cli.ml) -----------------

class Usage(Exception):
    pass


class ClientExit(Exception):
    def __init__(self, code):
        Exception.__init__(self, code)
        self.code = code


def client_parse(args, out):
    """newcli.ml parse_args: take the connection options, leave the rest
    for the server."""
    opts = {"server": "127.0.0.1", "username": "root", "password": "null",
            "passwordfile": "", "port": None}
    wants_help = any(a in ("-help", "--help") for a in args)

    def set_keyword(k, v):
        if k in ("server", "username", "password", "passwordfile"):
            opts[k] = v
        elif k == "port":
            try:
                p = int(v)
                if p < 0 or p > 65535:
                    raise ValueError
                opts["port"] = p
            except ValueError:
                out.e("Port number must be an integer (0-65535)\n")
                raise Usage()
        elif k in ("nossl", "debug", "debugonfail", "traceparent"):
            pass
        else:
            return False
        return True
    two = {"-s": "server", "-p": "port", "-u": "username", "-pw": "password",
           "-pwf": "passwordfile", "-h": "server",
           "--traceparent": "traceparent"}
    one = {"--nossl": "nossl", "--debug": "debug",
           "--debug-on-fail": "debugonfail"}
    rest, i = [], 0
    while i < len(args):
        a = args[i]
        if a in two and i + 1 < len(args) and set_keyword(two[a],
                                                          args[i + 1]):
            i += 2
            continue
        if a in one and set_keyword(one[a], "true"):
            i += 1
            continue
        if "=" in a:
            k, v = a.split("=", 1)
            if set_keyword(k, v):
                i += 1
                continue
        rest.append(a)
        i += 1
    if wants_help:
        raise Usage()
    if opts["passwordfile"]:
        try:
            with open(opts["passwordfile"]) as f:
                lines = f.read().split("\n")
        except OSError:
            out.e("Error opening password file '%s'\n"
                  % opts["passwordfile"])
            raise ClientExit(1)
        if len(lines) < 2 or (len(lines) == 2 and lines[1] == ""):
            out.e("Error: password file format: expecting username on the "
                  "first line, password on the second line\n")
            raise ClientExit(1)
        opts["username"], opts["password"] = lines[0], lines[1]
    if not rest:
        raise Usage()
    return rest, opts


SWITCHES = {"-u": "username", "-pw": "password", "-s": "server",
            "-h": "server", "-p": "port"}


def parse_commandline(rest):
    """cli_frontend.ml parse_commandline; any problem is ParseError."""
    cmdname = rest[0]
    if "=" in cmdname:
        raise ParseError()
    params, xs, i = [], rest[1:], 0
    while i < len(xs):
        p = xs[i]
        if p.startswith("--"):
            params.append((p[2:], "true"))
            i += 1
        elif p.startswith("-"):
            if i + 1 >= len(xs) or p not in SWITCHES:
                raise ParseError()
            params.append((SWITCHES[p], xs[i + 1]))
            i += 2
        else:
            parts = p.split("=")
            params.append((parts[0], "=".join(parts[1:])))
            i += 1
    return cmdname, params


def check_auth(opts):
    """Local calls (no -s, or 127.0.0.1) come in on xapi's Unix socket and
    are pre-authenticated as root. Remote ones need root and the password
    in the knob file xe-password (default "xenroot")."""
    if opts["server"] == "127.0.0.1":
        return
    if opts["username"] == "":
        raise AuthFailure(True)
    expected = simlib.read_knob("xe-password")
    expected = "xenroot" if expected is None else expected.strip()
    if opts["username"] != "root" or opts["password"] != expected:
        raise AuthFailure(False)


FAIL_NEXT_MSG = ("Xenops_interface.Xenopsd_error([S(Internal_error);"
                 "S(simulated failure: fault-fail-next)])")


def main(argv, out):
    try:
        rest, opts = client_parse(argv, out)
    except Usage:
        out.e(USAGE % ("xe", "xe"))
        return 0
    except ClientExit as e:
        return e.code
    if simlib.hang_mode() == "before":
        simlib.hang_forever()
    try:
        cmdname, params = parse_commandline(rest)
        mv = assoc("minimal", params)
        if mv not in (None, "true", "false"):
            raise ServerError("INTERNAL_ERROR",
                              ['Invalid_argument("bool_of_string")'])
        pr = Printer(out, mv == "true")
        if cmdname == "help":
            do_help(pr, params)
            pr.flush()
            return 0
        cmd = COMMANDS.get(cmdname)
        if cmd is None:
            raise UnknownCommand(cmdname)
        for r in cmd.reqd:
            if assoc(r, params) is None:
                raise ParamNotFound(r)
        check_auth(opts)
        failed = simlib.take_fail_next()
        if failed is not None:
            raise ServerError("INTERNAL_ERROR",
                              [failed.strip() or FAIL_NEXT_MSG])
    except XeError as e:
        return render_error(e, out)
    simlib.op_delay("xe", cmdname, cmd.delay)
    code = 0
    with simlib.Store("xe") as st:
        db = st.load()
        if db is None:
            db = init_db()
        C.db = db
        try:
            cmd.fn(pr, params)
            pr.flush()
        except XeError as e:
            code = render_error(e, out)
        except Exception as e:
            # A simulator bug: answer like xapi's catch-all, keep the old
            # state, and leave the traceback in sim-errors.log.
            simlib.log_bug()
            return render_error(ServerError("INTERNAL_ERROR", [
                "%s: %s" % (type(e).__name__, e)]), out)
        st.save(db)
    if simlib.hang_mode() == "after":
        simlib.hang_forever()
    return code

