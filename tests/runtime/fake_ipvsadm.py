#!/usr/bin/env -S python3 -S
"""A stateful stand-in for ipvsadm 1.31 (with the kernel's IPVS table), for the runtime tests.

Installed as `ipvsadm` first on PATH (tests/runtime/bin/ipvsadm links here). The table lives
in the JSON file $IPVSADM_FAKE_STATE (created empty when missing). It follows ipvsadm.c and
libipvs of ipvsadm 1.31 and the kernel's ip_vs_ctl.c for what the ldrc scripts and
tests/runtime/crosscheck.sh use: -A -E -D -C -a -e -d -L/-l -S -R -Z, -t -u -s -p -M -r -g -m -i
-w -o -b -n --stats --rate --exact --sort; IPv4 only. Same output bytes, same messages on
stderr, same exit statuses: parse errors exit at once (2, or 255 for a bad first option),
kernel errors print ipvs_strerror() and give -1 (exit 255), and `-R` runs each line as a
command, goes on after kernel errors and exits with the last line's status.
Order: libipvs sorts with qsort (glibc: a merge sort) and comparators that subtract
addresses as C ints; the kernel hands services over in insertion order here (its hash order
depends on a kernel pointer) and destinations newest first (list_add).
Anything else (fwmark, IPv6, thresholds, daemons, connections) exits 2 with "fake ipvsadm:".

Test hooks (not in the real ipvsadm):
  IPVSADM_FAKE_LOG   append every table change the "kernel" accepted, as its arguments
  IPVSADM_FAKE_FAIL  a command whose arguments contain this text fails in the kernel
                     (ENOMEM: "Memory allocation problem")
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
PROG = os.path.basename(sys.argv[0])
SCHEDULERS = {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"}
PROTO = {"t": 6, "u": 17}
PROTO_NAME = {6: "TCP", 17: "UDP"}
PROTO_OPT = {6: "-t", 17: "-u"}
F_PERSISTENT, F_ONEPACKET, F_SCHED1, F_SCHED2, F_SCHED3 = 0x1, 0x4, 0x8, 0x10, 0x20
MASQ, TUNNEL, DROUTE = 0, 2, 3
FWD_NAME = {MASQ: "Masq", TUNNEL: "Tunnel", DROUTE: "Route"}
FWD_OPT = {MASQ: "-m", TUNNEL: "-i", DROUTE: "-g"}
ALL_ONES = 0xFFFFFFFF

# ipvsadm.c: commands, options (in bit order) and commands_v_options, row for row
CMDS = ["add-service", "edit-service", "delete-service", "flush", "list", "add-server", "delete-server",
        "edit-server", "set", "start-daemon", "stop-daemon", "restore", "save", "zero"]  # fmt: skip
ADD, EDIT, DEL, FLUSH, LIST, ADDDEST, DELDEST, EDITDEST, _SET, _START, _STOP, RESTORE, SAVE, ZERO = range(14)
OPTNAMES = ["numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
            "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
            "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops", "pe",
            "sched-flags", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
            "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum"]  # fmt: skip
O_NUMERIC, O_SERVICE, O_SCHED, O_PERSISTENT, O_NETMASK, O_SERVER, O_FORWARD, O_WEIGHT = 0, 2, 3, 4, 5, 6, 7, 8
O_STATS, O_RATE, O_EXACT, O_OPS, O_SCHED_FLAGS = 14, 15, 20, 21, 23
CMD_V_OPT = [  # '+' compulsory, 'x' illegal, '1' exclusive, ' ' optional
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",  # ADD
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",  # EDIT
    "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # DEL
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # FLUSH
    " 11xxxxxxxxx11       xxxxxxx xxxxx",  # LIST
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",  # ADDSRV
    "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx",  # DELSRV
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",  # EDITSRV
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # TIMEOUT
    "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx",  # STARTD
    "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx",  # STOPD
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # RESTORE
    " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # SAVE
    "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # ZERO
]

NONE, REQ, OPT = 0, 1, 2  # popt argument kinds
SHORT = {**dict.fromkeys("AEDCLlZaedhvRSmignXo6c", NONE), **dict.fromkeys("tufsMrwxyb", REQ), "p": OPT}
LONG = {
    "add-service": "A", "edit-service": "E", "delete-service": "D", "clear": "C", "list": "L", "zero": "Z",
    "add-server": "a", "edit-server": "e", "delete-server": "d", "help": "h", "version": "v", "restore": "R",
    "save": "S", "tcp-service": "t", "udp-service": "u", "fwmark-service": "f", "scheduler": "s",
    "persistent": "p", "netmask": "M", "real-server": "r", "masquerading": "m", "ipip": "i", "gatewaying": "g",
    "weight": "w", "u-threshold": "x", "l-threshold": "y", "numeric": "n", "connection": "c", "exact": "X",
    "ipv6": "6", "ops": "o", "sched-flags": "b", "stats": "--stats", "rate": "--rate", "sort": "--sort",
}  # fmt: skip
LONG_KIND = {"--stats": NONE, "--rate": NONE, "--sort": NONE}
# real options this fake does not emulate (the real ipvsadm knows them): exit 2, never a guess
NOT_EMULATED = set("fxy6ch") | {"set", "start-daemon", "stop-daemon", "sctp-service", "mcast-interface", "syncid",
    "timeout", "daemon", "thresholds", "persistent-conn", "nosort", "pe", "mcast-group", "mcast-port", "mcast-ttl",
    "sync-maxlen", "tun-info", "tun-type", "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum"}  # fmt: skip
ERRORS = {  # libipvs ipvs_strerror: (function, errno) -> message
    ("add_service", errno.EEXIST): "Service already exists",
    ("add_service", errno.ENOENT): "Scheduler or persistence engine not found",
    ("update_service", errno.ESRCH): "No such service",
    ("update_service", errno.ENOENT): "Scheduler or persistence engine not found",
    ("del_service", errno.ESRCH): "No such service",
    ("zero_service", errno.ESRCH): "No such service",
    ("add_dest", errno.ESRCH): "Service not defined",
    ("add_dest", errno.EEXIST): "Destination already exists",
    ("update_dest", errno.ESRCH): "Service not defined",
    ("update_dest", errno.ENOENT): "No such destination",
    ("del_dest", errno.ESRCH): "Service not defined",
    ("del_dest", errno.ENOENT): "No such destination",
    ("get_service", errno.ESRCH): "No such service",
    ("", errno.EINVAL): "Invalid operation.  Possibly wrong module version, address not unicast, ...",
    ("", errno.ENOMEM): "Memory allocation problem",
}
Svc = dict[str, Any]  # {"proto", "addr", "port", "sched", "flags", "timeout", "netmask", "dests": [dest]}
Dest = dict[str, int]  # {"addr", "port", "fwd", "weight"}, newest first as the kernel lists them


def fail(code: int, msg: str) -> NoReturn:
    """ipvsadm's fail(): message, then exit() (in -R too: the rest of the batch is not run)."""
    sys.stdout.flush()
    sys.stderr.write(msg + "\n")
    sys.exit(code)


def not_emulated(what: str) -> NoReturn:
    fail(2, f"fake ipvsadm: {what} is not emulated (tests/runtime/fake_ipvsadm.py)")


def tryhelp_exit(argv0: str) -> NoReturn:
    fail(255, f"Try `{argv0} -h' or '{argv0} --help' for more information.")


# ---- the table: one JSON file, locked per command --------------------------------------------
class Table:
    def __init__(self) -> None:
        self.path = os.environ["IPVSADM_FAKE_STATE"]

    def __enter__(self) -> list[Svc]:
        self.lock = open(self.path + ".lock", "w")  # noqa: SIM115 (closed in __exit__)
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            with open(self.path) as f:
                self.text = f.read()
        except FileNotFoundError:
            self.text = "[]"
        self.services: list[Svc] = list(json.loads(self.text))
        return self.services

    def __exit__(self, *exc: object) -> None:
        text = json.dumps(self.services)
        if text != self.text:
            with open(self.path + ".new", "w") as f:
                f.write(text)
            os.replace(self.path + ".new", self.path)
        self.lock.close()


def find(services: list[T], pred: Callable[[T], bool]) -> T | None:
    return next((s for s in services if pred(s)), None)


def kernel(func: str, ce: Entry, op: Callable[[list[Svc]], int]) -> int:
    """A table change: 0, or -1 after printing ipvs_strerror() like process_options()."""
    with Table() as services:
        err = errno.ENOMEM if os.environ.get("IPVSADM_FAKE_FAIL", "\0") in " ".join(ce.argv) else op(services)
    if err:
        msg = ERRORS.get((func, err)) or ERRORS.get(("", err)) or os.strerror(err)
        sys.stderr.write(msg + "\n")
        return -1
    if log := os.environ.get("IPVSADM_FAKE_LOG"):
        with open(log, "a") as f:
            f.write(" ".join(ce.argv) + "\n")
    return 0


# ---- parsing helpers (ipvsadm.c) ---------------------------------------------------------------
def string_to_number(s: str, lo: int, hi: int) -> int:
    t = s.lstrip(" \t\n\r\f\v")
    digits = t[1:] if t[:1] in "+-" else t
    if not digits.isdigit() or not digits.isascii():
        return -1
    n = int(t)
    return n if lo <= n <= hi and -(2**63) <= n < 2**63 else -1


def inet_aton(s: str) -> int | None:
    try:
        return int.from_bytes(socket.inet_aton(s), "big")
    except OSError:
        return None


def ntoa(a: int) -> str:
    return socket.inet_ntoa(a.to_bytes(4, "big"))


def parse_service(buf: str, proto: int) -> tuple[int, int, int]:
    """-> (SERVICE_ADDR 1 | SERVICE_PORT 2, address, port); 0 when it is not an address[:port]."""
    if buf == "" or buf.isdigit():
        return 0, 0, 0
    if buf.startswith("[") or buf.count(":") > 1:
        not_emulated("IPv6")
    host, sep, port = buf.rpartition(":") if ":" in buf else (buf, "", "")
    addr = inet_aton(host)
    if addr is None:
        return 0, 0, 0  # (the real one also tries gethostbyname)
    if not sep:
        return 1, addr, 0
    n = string_to_number(port, 0, 65535)
    if n == -1:
        try:
            n = socket.getservbyname(port, {6: "tcp", 17: "udp"}[proto])
        except (OSError, KeyError):
            return 0, 0, 0
    return 3, addr, n


def sched_flags(sched: str, arg: str) -> int:
    flags = 0
    sched = sched or "wlc"
    for flag in [f for f in arg.split(",") if f] or [""]:
        bit = {"flag-1": F_SCHED1, "flag-2": F_SCHED2, "flag-3": F_SCHED3}.get(flag, 0)
        for prefix, b in (("-fallback", F_SCHED1), ("-port", F_SCHED2)):
            if flag in ("sh" + prefix, "mh" + prefix):
                bit = b
                if sched != flag[:2]:
                    fail(2, f"incompatible scheduler flag `{flag}'")
        if not bit:
            fail(2, f"invalid scheduler flag `{flag}'")
        flags |= bit
    return flags


def popt(argv: list[str]) -> Iterator[tuple[str, str | None, str]]:
    """popt's poptGetNextOpt: (tag, argument, as spelled); non-options are collected in LEFTOVER;
    an error is the tag "!" with poptStrerror() as its argument."""
    i = 1
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            LEFTOVER.extend(argv[i:])
            return
        if a.startswith("--"):
            name, eq, val = a[2:].partition("=")
            if name in NOT_EMULATED:
                not_emulated(f"option `{a}'")
            tag = LONG.get(name)
            if tag is None:
                yield "!", "unknown option", a
                return
            kind = LONG_KIND.get(tag, SHORT.get(tag, NONE))
            if eq or kind == NONE:
                yield tag, val if eq else None, a
            elif i < len(argv) and (kind == REQ or not argv[i].startswith("-")):
                yield tag, argv[i], a
                i += 1
            elif kind == REQ:
                yield "!", "missing argument", a
                return
            else:
                yield tag, None, a
        elif a.startswith("-") and a != "-":
            for j, ch in enumerate(a[1:], 1):
                if ch not in SHORT:
                    yield "!", "unknown option", a
                    return
                if ch in NOT_EMULATED:
                    not_emulated(f"option `-{ch}'")
                if SHORT[ch] == NONE:
                    yield ch, None, a
                    continue
                if a[j + 1 :]:
                    yield ch, a[j + 1 :], a
                elif i < len(argv) and (SHORT[ch] == REQ or not argv[i].startswith("-")):
                    yield ch, argv[i], a
                    i += 1
                elif SHORT[ch] == REQ:
                    yield "!", "missing argument", a
                    return
                else:
                    yield ch, None, a
                break
        else:
            LEFTOVER.append(a)


LEFTOVER: list[str] = []
COMMANDS = {"A": ADD, "E": EDIT, "D": DEL, "a": ADDDEST, "e": EDITDEST, "d": DELDEST, "C": FLUSH, "L": LIST,
            "l": LIST, "Z": ZERO, "R": RESTORE, "S": SAVE}  # fmt: skip


class Entry:
    """struct ipvs_command_entry and the option bits and format of one command."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv[1:]
        self.cmd = -1
        self.options = 0
        self.numeric = self.stats = self.rate = self.rule = False
        self.proto, self.addr, self.port, self.sched, self.flags = 0, 0, 0, "", 0
        self.timeout, self.netmask = 0, ALL_ONES
        self.d_addr, self.d_port, self.fwd, self.weight = 0, 0, DROUTE, 1

    def set_option(self, optc: int) -> None:
        if self.options & (1 << optc):
            fail(2, f"multiple '{OPTNAMES[optc]}' options specified")
        self.options |= 1 << optc


def parse_options(argv: list[str], ce: Entry) -> int:
    LEFTOVER.clear()
    opts = popt(argv)
    tag, arg, spelled = next(opts, ("!", None, ""))
    if tag == "v":
        print("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)")
        sys.exit(0)
    if tag not in COMMANDS:
        tryhelp_exit(argv[0])
    ce.cmd = COMMANDS[tag]
    flags_arg = ""
    for tag, arg, spelled in opts:
        if tag == "!":
            sys.stdout.flush()
            sys.stderr.write(f"{spelled}: {arg}\n")
            return -1
        if tag in "tu":
            ce.set_option(O_SERVICE)
            ce.proto = PROTO[tag]
            parse, ce.addr, ce.port = parse_service(arg or "", ce.proto)
            if not parse & 1:
                fail(2, "illegal virtual server address[:port] specified")
        elif tag == "s":
            ce.set_option(O_SCHED)
            ce.sched = (arg or "")[:15]
        elif tag == "p":
            ce.set_option(O_PERSISTENT)
            ce.flags |= F_PERSISTENT
            # IPVS_SVC_PERSISTENT_TIMEOUT in libipvs.h: 6 * 60 (ipvsadm(8) says 300; the VM crosscheck saw 360)
            ce.timeout = 360 if arg is None else string_to_number(arg, 1, 86400 * 31)
            if ce.timeout == -1:
                fail(2, f"invalid timeout value `{arg}' specified")
        elif tag == "M":
            ce.set_option(O_NETMASK)
            mask = inet_aton(arg or "")
            if mask is None:
                fail(2, "illegal virtual server persistent mask specified")
            ce.netmask = mask
        elif tag == "r":
            ce.set_option(O_SERVER)
            parse, ce.d_addr, ce.d_port = parse_service(arg or "", ce.proto)
            if not parse & 1:
                fail(2, "illegal real server address[:port] specified")
            if parse == 1:
                ce.d_port = ce.port  # copy vport to dport if not specified
        elif tag in "igm":
            ce.set_option(O_FORWARD)
            ce.fwd = {"i": TUNNEL, "g": DROUTE, "m": MASQ}[tag]
        elif tag == "w":
            ce.set_option(O_WEIGHT)
            ce.weight = string_to_number(arg or "", 0, 2**31 - 1)  # ipvsadm.c: string_to_number(optarg, 0, INT_MAX)
            if ce.weight == -1:
                fail(2, "illegal weight specified")
        elif tag == "n":
            ce.set_option(O_NUMERIC)
            ce.numeric = True
        elif tag == "--stats":
            ce.set_option(O_STATS)
            ce.stats = True
        elif tag == "--rate":
            ce.set_option(O_RATE)
            ce.rate = True
        elif tag == "X":
            ce.set_option(O_EXACT)  # (counters are 0 here: --exact prints them the same)
        elif tag == "o":
            ce.set_option(O_OPS)
            ce.flags |= F_ONEPACKET
        elif tag == "b":
            ce.set_option(O_SCHED_FLAGS)
            flags_arg = arg or ""
        elif tag != "--sort":
            fail(2, f"invalid option `{spelled}'")
    if LEFTOVER:
        fail(2, f"unexpected argument {LEFTOVER[0]}")
    if flags_arg:
        ce.flags |= sched_flags(ce.sched, flags_arg)
    return 0


def generic_opt_check(cmd: int, options: int) -> None:
    last = count = 0
    for j, allowed in enumerate(CMD_V_OPT[cmd]):
        if not options & (1 << j):
            if allowed == "+":
                fail(2, f"You need to supply the '{OPTNAMES[j]}' option for the '{CMDS[cmd]}' command")
        elif allowed == "x":
            fail(2, f"Illegal '{OPTNAMES[j]}' option with the '{CMDS[cmd]}' command")
        elif allowed == "1":
            count += 1
            if count > 1:
                fail(
                    2,
                    f"The option '{OPTNAMES[j]}' conflicts with the '{OPTNAMES[last]}' option in the '{CMDS[cmd]}' command",
                )
            last = j


# ---- the kernel side (ip_vs_ctl.c) ---------------------------------------------------------------
def svc_of(services: list[Svc], ce: Entry) -> Svc | None:
    return find(services, lambda s: (s["proto"], s["addr"], s["port"]) == (ce.proto, ce.addr, ce.port))


def dest_of(svc: Svc, ce: Entry) -> Dest | None:
    return find(svc["dests"], lambda d: (d["addr"], d["port"]) == (ce.d_addr, ce.d_port))


def run_command(ce: Entry) -> int:
    def add_service(services: list[Svc]) -> int:
        if svc_of(services, ce):
            return errno.EEXIST
        if ce.sched not in SCHEDULERS:
            return errno.ENOENT
        services.append({"proto": ce.proto, "addr": ce.addr, "port": ce.port, "dests": []})
        return edit_service(services)

    def edit_service(services: list[Svc]) -> int:
        svc = svc_of(services, ce)
        if svc is None:
            return errno.ESRCH
        if ce.sched not in SCHEDULERS:
            return errno.ENOENT
        svc.update(sched=ce.sched, flags=ce.flags, timeout=ce.timeout, netmask=ce.netmask)
        return 0

    def del_service(services: list[Svc]) -> int:
        svc = svc_of(services, ce)
        if svc is None:
            return errno.ESRCH
        services.remove(svc)
        return 0

    def dest_op(services: list[Svc]) -> int:
        svc = svc_of(services, ce)
        if svc is None:
            return errno.ESRCH
        dest = dest_of(svc, ce)
        if ce.cmd == ADDDEST:
            if dest:
                return errno.EEXIST
            if ce.d_addr in (0, ALL_ONES) or ce.d_addr >> 28 == 0xE:
                return errno.EINVAL  # not unicast (inet_addr_type)
            svc["dests"].insert(0, {"addr": ce.d_addr, "port": ce.d_port})
            dest = svc["dests"][0]
        if dest is None:
            return errno.ENOENT
        if ce.cmd == DELDEST:
            svc["dests"].remove(dest)
        else:
            dest.update(fwd=ce.fwd, weight=ce.weight)
        return 0

    def flush(services: list[Svc]) -> int:
        services.clear()
        return 0

    def zero(services: list[Svc]) -> int:
        return errno.ESRCH if ce.options & (1 << O_SERVICE) and svc_of(services, ce) is None else 0

    name, op = {
        ADD: ("add_service", add_service),
        EDIT: ("update_service", edit_service),
        DEL: ("del_service", del_service),
        ADDDEST: ("add_dest", dest_op),
        EDITDEST: ("update_dest", dest_op),
        DELDEST: ("del_dest", dest_op),
        FLUSH: ("flush", flush),
        ZERO: ("zero_service", zero),
    }[ce.cmd]
    return kernel(name, ce, op)


# ---- listing (print_title, print_service_entry, list_service, list_all) --------------------------
def c_int(x: int) -> int:
    """A difference of unsigned 32-bit values, as the C int libipvs's comparators return."""
    x &= ALL_ONES
    return x - (1 << 32) if x & 0x80000000 else x


def merge_sort(items: list[T], cmp: Callable[[T, T], int]) -> list[T]:
    """glibc's qsort (msort_with_tmp): what libipvs's comparators give, non-transitive ones too."""
    if len(items) <= 1:
        return items
    left, right = merge_sort(items[: len(items) // 2], cmp), merge_sort(items[len(items) // 2 :], cmp)
    out: list[T] = []
    i = j = 0
    while i < len(left) and j < len(right):
        if cmp(left[i], right[j]) <= 0:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    return out + left[i:] + right[j:]


def addrport(addr: int, port: int, proto: int, numeric: bool) -> str:
    if numeric:
        return f"{ntoa(addr)}:{port}"
    try:
        host = socket.gethostbyaddr(ntoa(addr))[0]
    except OSError:
        host = ntoa(addr)
    try:
        service = socket.getservbyport(port, {6: "tcp", 17: "udp"}[proto])
    except OSError:
        service = str(port)
    return f"{host}:{service}"


def flag_names(svc: Svc) -> str:
    f = svc["flags"]
    if svc["sched"] in ("sh", "mh"):
        names = [(F_SCHED1, svc["sched"] + "-fallback"), (F_SCHED2, svc["sched"] + "-port")]
    else:
        names = [(F_SCHED1, "flag-1"), (F_SCHED2, "flag-2"), (F_SCHED3, "flag-3")]
    return ",".join(n for bit, n in names if f & bit)


def title(ce: Entry) -> None:
    if ce.stats or ce.rate:
        names = (
            ("Conns", "InPkts", "OutPkts", "InBytes", "OutBytes")
            if ce.stats
            else ("CPS", "InPPS", "OutPPS", "InBPS", "OutBPS")
        )
        print(f"{'Prot LocalAddress:Port':<33}" + "".join(f" {n:>8}" for n in names) + "\n  -> RemoteAddress:Port")
    elif not ce.rule:
        print("Prot LocalAddress:Port Scheduler Flags")
        print("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn")


def print_service(svc: Svc, ce: Entry) -> None:
    vname = addrport(svc["addr"], svc["port"], svc["proto"], ce.numeric)
    flags = svc["flags"]
    if ce.rule:
        name = f"{PROTO_OPT[svc['proto']]} {vname}"
        line = f"-A {name} -s {svc['sched']}"
        if flags & F_PERSISTENT:
            line += f" -p {svc['timeout']}"
            if svc["netmask"] != ALL_ONES:
                line += f" -M {ntoa(svc['netmask'])}"
        if flags & F_ONEPACKET:
            line += " -o"
        if flags & (F_SCHED1 | F_SCHED2 | F_SCHED3):
            line += " -b " + flag_names(svc)
    else:
        name = f"{PROTO_NAME[svc['proto']]:<4} {vname}"[:33]
        if ce.stats or ce.rate:
            line = f"{name:<33}" + f"{0:>9}" * 5
        else:
            line = f"{name} {svc['sched']}"
            if flags & (F_SCHED1 | F_SCHED2 | F_SCHED3):
                line += f" ({flag_names(svc)})"
            if flags & F_PERSISTENT:
                line += f" persistent {svc['timeout']}"
                if svc["netmask"] != ALL_ONES:
                    line += f" mask {ntoa(svc['netmask'])}"
            if flags & F_ONEPACKET:
                line += " ops"
    print(line)
    dests = merge_sort(svc["dests"], lambda a, b: c_int(a["addr"] - b["addr"]) or a["port"] - b["port"])
    for d in dests:
        dname = addrport(d["addr"], d["port"], svc["proto"], ce.numeric)
        if ce.rule:
            tun = " --tun-type ipip" if d["fwd"] == TUNNEL else ""
            print(f"-a {name} -r {dname} {FWD_OPT[d['fwd']]} -w {d['weight']}{tun}")
        elif ce.stats:
            print(f"  -> {dname[:28]:<28}" + f"{0:>9}" * 5)
        elif ce.rate:
            print(f"  -> {dname[:28]:<28}" + f" {0:>8}" * 3 + f"{0:>9}" * 2)
        else:
            print(f"  -> {dname[:28]:<28} {FWD_NAME[d['fwd']]:<7} {d['weight']:<6} {0:<10} {0:<10}")


def list_all(ce: Entry) -> None:
    with Table() as services:
        pass
    if not ce.rule:
        print("IP Virtual Server version 1.2.1 (size=4096)")

    def cmp(a: Svc, b: Svc) -> int:
        return a["proto"] - b["proto"] or c_int(a["addr"] - b["addr"]) or a["port"] - b["port"]

    title(ce)
    for svc in merge_sort(services, cmp):
        print_service(svc, ce)


def list_service(ce: Entry) -> None:
    with Table() as services:
        svc = svc_of(services, ce)
    if svc is None:
        fail(1, ERRORS[("get_service", errno.ESRCH)])
    title(ce)
    print_service(svc, ce)


def restore(argv0: str) -> int:
    """restore_table() with config_stream_read(): a line is words split at blanks, "ipvsadm" dropped."""
    result = 0
    for raw in sys.stdin.buffer:
        words = raw.decode("utf-8", "surrogateescape").replace("\t", " ").replace("\r", " ").split(" ")
        words = [w.strip("\n") for w in words]
        words = [w for w in words if w and w != "ipvsadm"]
        if words:
            result = process_options([argv0, *words], reading_stdin=True)
    return result


def process_options(argv: list[str], reading_stdin: bool = False) -> int:
    ce = Entry(argv)
    if parse_options(argv, ce):
        return -1
    generic_opt_check(ce.cmd, ce.options)
    if ce.cmd in (ADD, EDIT):
        if not ce.port and not ce.flags & F_PERSISTENT:
            fail(2, "Zero port specified for non-persistent service")
        if ce.flags & F_ONEPACKET and ce.proto != PROTO["u"]:
            fail(2, "One-Packet Scheduling is only for UDP virtual services")
        ce.sched = ce.sched or "wlc"
    if ce.cmd in (ADDDEST, EDITDEST) and ce.fwd in (TUNNEL, DROUTE):
        ce.d_port = ce.port
    if ce.cmd == LIST:
        if ce.options & (1 << O_SERVICE):
            list_service(ce)
        else:
            list_all(ce)
        return 0
    if ce.cmd == RESTORE:
        if reading_stdin:
            tryhelp_exit(argv[0])
        return restore(argv[0])
    if ce.cmd == SAVE:
        ce.rule = True
        list_all(ce)
        return 0
    return run_command(ce)


def main(argv: list[str]) -> int:
    if not os.environ.get("IPVSADM_FAKE_STATE"):
        fail(2, "fake ipvsadm: set IPVSADM_FAKE_STATE to the file of its table")
    if len(argv) == 1:
        list_all(Entry(argv))
        return 0
    return process_options(argv) & 0xFF  # -1 exits 255


if __name__ == "__main__":
    sys.exit(main([PROG, *sys.argv[1:]]))
