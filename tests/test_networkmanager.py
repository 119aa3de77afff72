"""Every generated NetworkManager keyfile, read and applied by the real NetworkManager.

For each host with keyfiles (examples and goldens), written to disk by ldrc's own writer, the real
NetworkManager (Debian 12: 1.42) runs in throw-away namespaces (`unshare`: mount, network, PID,
UTS; everything in them dies with the namespace's first process, and unshare --kill-child takes
that one with it): on a system bus of its own (dbus-daemon with a private socket and policy;
nothing to activate), with /etc/NetworkManager a tmpfs holding a NetworkManager.conf (keyfile
plugin only, no DNS, no hostname, no polkit, no connectivity check) and system-connections/ with
only the generated keyfiles, as installed (root, 0600); /run, /var/lib/NetworkManager and
/usr/lib/NetworkManager/{conf.d,system-connections} are empty tmpfs, /sys is read-only (no udev),
and the host's interfaces are veth pairs (their peers unmanaged). Nothing leaves the namespaces.

Then `nmcli` reads back every profile as NetworkManager understood it (id, type, device, the file
it came from, ipv4.method, addresses, gateway, routes, route-metric, may-fail), which must be
exactly what the systemd-networkd files of the same host say, in the same order; NetworkManager's
log must hold no warning about a keyfile; and once NetworkManager has activated the profiles, the
namespace's addresses and routes must be those networkd applies for the same files
(tests/test_systemd.py), with metric 0. Negative controls: a keyfile others may read, an invalid
address, a misspelt key (NetworkManager ignores it without a word) and a /33 route (read as a /24)
must each be reported by the same check.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, need_root, need_tool
from golden_util import compile_case

from compiler.api import Result, compile_source
from compiler.output import write
from compiler.plan import HostP

pytestmark = pytest.mark.netns

EXAMPLES = sorted((ROOT / "examples").rglob("*.ldr"))
GOLDEN = sorted(p for p in (ROOT / "tests" / "golden").iterdir() if (p / "input.ldr").is_file())
SYSTEM_CONNECTIONS = "/etc/NetworkManager/system-connections"
FIELDS = (
    "connection.id",
    "connection.uuid",
    "connection.type",
    "connection.interface-name",
    "connection.autoconnect",
    "ipv4.method",
    "ipv4.addresses",
    "ipv4.gateway",
    "ipv4.routes",
    "ipv4.route-metric",
    "ipv4.may-fail",
)


RESULTS: dict[str, Result] = {p.stem: compile_source(p.read_text(encoding="utf-8"), p.name) for p in EXAMPLES}
RESULTS |= {f"golden-{p.name}": compile_case(p) for p in GOLDEN}


@dataclass(frozen=True)
class Host:
    case: str
    cluster: str
    host: HostP
    files: dict[str, str]  # file name: text, every artifact of the host

    @property
    def name(self) -> str:
        return f"{self.case}/{self.host.name}"


def _hosts() -> list[Host]:
    """Every host with a keyfile, examples and goldens."""
    out = []
    for case, r in RESULTS.items():
        assert r.ok and r.plan is not None, (case, [str(d) for d in r.diagnostics])
        for h in r.plan.hosts:
            files = {a.path.split("/", 1)[1]: a.text for a in r.artifacts if a.path.startswith(f"{h.name}/")}
            if any(f.endswith(".nmconnection") for f in files):
                out.append(Host(case, r.plan.cluster, h, files))
    return out


HOSTS = _hosts()


def _host(name: str) -> Host:
    return next(h for h in HOSTS if h.name == name)


# ---- what ldrc intends: the networkd files of the same host, read independently -----------------


@dataclass
class Intent:
    """A device's configuration as the host's systemd-networkd files say it."""

    dev: str
    addresses: list[str] = field(default_factory=list)  # in order: the own address, then the VIPs
    gateway: str = ""
    routes: list[tuple[str, str]] = field(default_factory=list)  # (destination, via), in order


def networkd_intent(files: dict[str, str]) -> dict[str, Intent]:
    """{dev: Intent} from each 80-ldrc-<dev>.network and its drop-in."""
    out = {}
    for f, text in sorted(files.items()):
        if not f.endswith(".network"):
            continue
        dev = re.search(r"^Name=(\S+)$", text, re.M)
        dropin = re.search(r"in its drop-in (\S+),", text)
        assert dev is not None and dropin is not None, f
        merged = text + files[dropin.group(1)]
        i = Intent(dev.group(1), re.findall(r"^Address=(\S+)$", merged, re.M))
        for block in merged.split("[Route]")[1:]:
            dst = re.search(r"^Destination=(\S+)$", block, re.M)
            gw = re.search(r"^Gateway=(\S+)$", block, re.M)
            assert gw is not None, f
            if dst is None:
                i.gateway = gw.group(1)
            else:
                i.routes.append((dst.group(1), gw.group(1)))
        out[i.dev] = i
    return out


def kernel_intent(intent: dict[str, Intent]) -> tuple[set[str], set[str]]:
    """The `ip -4` lines the intent gives: ("dev address/prefix"), (static routes as printed)."""
    addresses = {f"{i.dev} {a}" for i in intent.values() for a in i.addresses}
    routes = set()
    for i in intent.values():
        if i.gateway:
            routes.add(f"default via {i.gateway} dev {i.dev} proto static")
        routes |= {f"{d.removesuffix('/32')} via {v} dev {i.dev} proto static" for d, v in i.routes}
    return addresses, routes


# ---- NetworkManager in throw-away namespaces ------------------------------------------------------

NM_CONF = """\
[main]
plugins=keyfile
dns=none
rc-manager=unmanaged
hostname-mode=none
auth-polkit=false
no-auto-default=*

[keyfile]
unmanaged-devices=interface-name:ldrcp*

[connectivity]
enabled=false

[logging]
level=INFO
"""

BUS_CONF = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

# $1 the work directory (bus.conf, NetworkManager.conf, conn/, setup.sh, after.sh), then the profile
# ids, `--`, the devices. Output: sections `=== NAME` (stdout); NetworkManager's log in $w/nm.log.
NETNS_SCRIPT = r"""
set -eu
w=$1; shift
ids=()
while [ "$1" != -- ]; do ids+=("$1"); shift; done
shift
mount --make-rprivate /
. "$w/setup.sh"
for d in /etc/NetworkManager /var/lib/NetworkManager; do
  [ -d "$d" ] || { echo "no $d: is NetworkManager installed?" >&2; exit 1; }
done
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/lib/NetworkManager
for d in /usr/lib/NetworkManager/conf.d /usr/lib/NetworkManager/system-connections; do
  [ ! -d "$d" ] || mount -t tmpfs tmpfs "$d"
done
mount -t tmpfs -o mode=0755 tmpfs /etc/NetworkManager
mkdir /etc/NetworkManager/conf.d /etc/NetworkManager/system-connections
cp "$w/NetworkManager.conf" /etc/NetworkManager/NetworkManager.conf
mount --bind "$w/conn" /etc/NetworkManager/system-connections
mount -t sysfs -o ro sysfs /sys
ip link set lo up
i=0
for dev in "$@"; do
  ip link add "$dev" type veth peer name "ldrcp$i"
  ip link set "ldrcp$i" up
  i=$((i + 1))
done
dbus-daemon --config-file="$w/bus.conf" --fork --nopidfile
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$w/bus"
NetworkManager --debug >"$w/nm.log" 2>&1 &
nm-online -s -q -t 30 || { echo "NetworkManager did not start" >&2; exit 1; }
echo "=== connections"
nmcli -t -f NAME,UUID,TYPE,FILENAME connection show
for id in "${ids[@]}"; do
  echo "=== profile $id"
  nmcli -t -f "$FIELDS" connection show id "$id" 2>&1 || true
done
# until NetworkManager has activated every profile it loaded for a device it manages (at most 20 s)
for _ in $(seq 200); do
  active=$(nmcli -t -f NAME,STATE connection show --active)
  left=0
  for id in "${ids[@]}"; do
    dev=$(nmcli -g connection.interface-name connection show id "$id" 2>/dev/null) || continue
    [ "$(nmcli -g GENERAL.STATE device show "$dev" 2>/dev/null)" != "10 (unmanaged)" ] || continue
    grep -qxF "$id:activated" <<<"$active" || left=1
  done
  [ "$left" = 1 ] || break
  sleep 0.1
done
echo "=== devices"
nmcli -t -f DEVICE,STATE device
echo "=== active"
nmcli -t -f NAME,DEVICE,STATE connection show --active
echo "=== addresses"
ip -4 -o address | awk '{print $2, $4}'
echo "=== routes"
ip -4 route | sed 's/ *$//'
if [ -s "$w/after.sh" ]; then
  echo "=== after"
  . "$w/after.sh"
fi
"""


@dataclass
class NMRun:
    connections: list[list[str]]  # NAME, UUID, TYPE, FILENAME
    profiles: dict[str, dict[str, str]]  # id -> {field: value} as nmcli printed it
    devices: list[str]  # DEVICE:STATE
    active: list[str]
    addresses: set[str]
    routes: list[str]
    after: str
    log: str

    def keyfile_warnings(self) -> list[str]:
        return [x for x in self.log.splitlines() if "<warn>" in x and "keyfile" in x]


def _sections(out: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in out.splitlines():
        if line.startswith("=== "):
            current = sections.setdefault(line[4:], [])
        else:
            current.append(line)
    return sections


def _terse(line: str) -> list[str]:
    """nmcli -t fields: `:` separates them, `\\:` and `\\\\` are escaped characters."""
    return [re.sub(r"\\(.)", r"\1", x) for x in re.split(r"(?<!\\):", line)]


def run_nm(
    keyfiles: dict[str, Path], devs: list[str], tmp_path: Path, after: str = "", setup: str = "", conf: str = NM_CONF
) -> NMRun:
    """NetworkManager in throw-away namespaces with keyfiles {file name: written file} as its only
    profiles (copied with their mode), and devs as its links; setup runs first in the mount
    namespace, after once the profiles are active (its output: NMRun.after)."""
    need_root()
    for tool in ("unshare", "ip", "dbus-daemon", "NetworkManager", "nmcli", "nm-online"):
        need_tool(tool)
    w = tmp_path / "nm"
    (w / "conn").mkdir(parents=True)
    for name, src in keyfiles.items():
        shutil.copy2(src, w / "conn" / name)  # content and mode, as installed
        os.chown(w / "conn" / name, 0, 0)
    (w / "NetworkManager.conf").write_text(conf, encoding="utf-8")
    (w / "bus.conf").write_text(BUS_CONF.format(socket=w / "bus"), encoding="utf-8")
    (w / "setup.sh").write_text(setup, encoding="utf-8")
    (w / "after.sh").write_text(after, encoding="utf-8")
    ids = [name.removesuffix(".nmconnection") for name in keyfiles]
    r = subprocess.run(
        ["unshare", "--mount", "--net", "--pid", "--uts", "--fork", "--kill-child", "--mount-proc"]
        + ["bash", "-c", NETNS_SCRIPT, "nm-netns", str(w), *ids, "--", *devs],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "FIELDS": ",".join(FIELDS), "LC_ALL": "C"},
    )
    log = (w / "nm.log").read_text(encoding="utf-8", errors="replace") if (w / "nm.log").exists() else ""
    assert r.returncode == 0, f"{r.stderr}\n{log}"
    s = _sections(r.stdout)
    profiles = {}
    for key, lines in s.items():
        if key.startswith("profile "):
            profiles[key[8:]] = dict(x.split(":", 1) for x in lines if re.match(r"[a-z0-9-]+\.[a-z0-9-]+:", x))
    return NMRun(
        connections=[_terse(x) for x in s.get("connections", [])],
        profiles=profiles,
        devices=s.get("devices", []),
        active=s.get("active", []),
        addresses=set(s.get("addresses", [])),
        routes=s.get("routes", []),
        after="\n".join(s.get("after", [])),
        log=log,
    )


# ---- the check: what NetworkManager understood and applied against the networkd files ------------


def nm_problems(files: dict[str, str], run: NMRun, cluster: str) -> list[str]:
    """Every difference between the networkd files' intent and NetworkManager's reading and doing."""
    intent = networkd_intent(files)
    keyfiles = sorted(f for f in files if f.endswith(".nmconnection"))
    problems = [f"NetworkManager warned: {x}" for x in run.keyfile_warnings()]
    if sorted(f"ldrc-{cluster}-{d}.nmconnection" for d in intent) != keyfiles:
        problems.append(f"keyfiles {keyfiles} are not one per networkd device {sorted(intent)}")
    loaded = {c[3]: c for c in run.connections if len(c) == 4}
    for f in keyfiles:
        ident = f.removesuffix(".nmconnection")
        dev = ident.removeprefix(f"ldrc-{cluster}-")
        path = f"{SYSTEM_CONNECTIONS}/{f}"
        if path not in loaded:
            problems.append(f"{f}: not loaded by NetworkManager (connections: {run.connections})")
            continue
        p = run.profiles.get(ident, {})
        i = intent.get(dev, Intent(dev))
        want = {
            "connection.id": ident,
            "connection.type": "loopback" if dev == "lo" else "802-3-ethernet",
            "connection.interface-name": dev,
            "connection.autoconnect": "yes",
            "ipv4.method": "manual",
            "ipv4.addresses": ", ".join(i.addresses),
            "ipv4.gateway": i.gateway,
            "ipv4.routes": ", ".join(f"{d} {v}" for d, v in i.routes),
            "ipv4.route-metric": "-1" if dev == "lo" else "0",
            "ipv4.may-fail": "no",
        }
        for k, v in want.items():
            if p.get(k) != v:
                problems.append(f"{f}: NetworkManager reads {k} as {p.get(k)!r}, the networkd files say {v!r}")
        if f"{ident}:activated" not in {":".join(_terse(x)[::2]) for x in run.active}:
            problems.append(f"{f}: not activated ({run.active})")
    addresses, routes = kernel_intent(intent)
    applied = {a for a in run.addresses if a != "lo 127.0.0.1/8"}
    if applied != addresses:
        problems.append(f"addresses applied {sorted(applied)}, the networkd files say {sorted(addresses)}")
    static = {x for x in run.routes if "proto static" in x}
    if static != routes:
        problems.append(f"routes applied {sorted(static)}, the networkd files say {sorted(routes)}")
    problems += [f"route not at metric 0: {x}" for x in run.routes if " metric " in x]
    return problems


def _written(h: Host, tmp_path: Path) -> dict[str, Path]:
    """The host's keyfiles as ldrc's writer puts them on disk: {file name: path}."""
    out = tmp_path / "out"
    write(RESULTS[h.case].artifacts, out)
    return {p.name: p for p in sorted((out / h.host.name).glob("*.nmconnection"))}


def test_there_are_keyfiles() -> None:
    assert {"seed-lab/lvs-01", "seed-lab/nginx02", "golden-ha-pair/lvs-01"} <= {h.name for h in HOSTS}
    keyfiles = [f for f in _host("seed-lab/nginx02").files if f.endswith(".nmconnection")]
    assert keyfiles == ["ldrc-seed-lab-eth2.nmconnection", "ldrc-seed-lab-lo.nmconnection"]


def test_keyfiles_are_written_mode_0600(tmp_path: Path) -> None:
    for f, p in _written(_host("seed-lab/nginx02"), tmp_path).items():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, f


def test_keepalived_directors_profiles_hold_no_vip() -> None:
    """keepalived owns the VIPs: a director's profile has its own address only (and the routes)."""
    for name in ("golden-ha-pair/lvs-01", "golden-ha-pair/lvs-02"):
        h = _host(name)
        own = {str(i.address) for i in h.host.interfaces}
        for f, text in h.files.items():
            if f.endswith(".nmconnection"):
                addresses = re.findall(r"^address\d+=(\S+)$", text, re.M)
                assert addresses and set(addresses) <= own, (name, f, addresses)


@pytest.mark.parametrize("h", HOSTS, ids=[h.name for h in HOSTS])
def test_networkmanager_reads_and_applies(h: Host, tmp_path: Path) -> None:
    run = run_nm(_written(h, tmp_path), [i.name for i in h.host.interfaces], tmp_path)
    problems = nm_problems(h.files, run, h.cluster)
    assert problems == [], f"{h.name}:\n" + "\n".join(problems) + f"\n{run.log}"


# (host, keyfile, text replaced, by, what the check must report: each in one of its problems)
BROKEN = {
    "world-readable": ("nginx02", "ldrc-seed-lab-lo.nmconnection", "", "", ("not loaded", "addresses applied")),
    "invalid-address": (
        "lvs-01",
        "ldrc-seed-lab-eth2.nmconnection",
        "=192.168.50.100/32",
        "=192.168.50.300/32",
        ("NetworkManager warned", "reads ipv4.addresses as '192.168.50.31/24'"),
    ),
    "invalid-only-address": (  # method=manual without an address: the profile is refused
        "nginx02",
        "ldrc-seed-lab-lo.nmconnection",
        "=192.168.50.100/32",
        "=192.168.50.300/32",
        ("NetworkManager warned", "ldrc-seed-lab-lo.nmconnection: not loaded"),
    ),
    "misspelt-key": ("nginx02", "ldrc-seed-lab-eth2.nmconnection", "\ngateway=", "\ngatway=", ("reads ipv4.gateway",)),
    "route-prefix": (
        "lvs-01",
        "ldrc-seed-lab-eth2.nmconnection",
        "\nroute1=192.168.20.17/32,",
        "\nroute1=192.168.20.17/33,",
        ("NetworkManager warned", "reads ipv4.routes as '192.168.20.17/24 192.168.50.50'"),
    ),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_networkmanager_check_notices_a_broken_keyfile(broken: str, tmp_path: Path) -> None:
    """The negative controls: NetworkManager refuses a keyfile others may read, drops an invalid
    address (and refuses the profile when it was the only one), ignores a misspelt key without a
    word, reads a /33 route as a /24; the check above reports each."""
    host, f, old, new, want = BROKEN[broken]
    h = _host(f"seed-lab/{host}")
    keyfiles = _written(h, tmp_path)
    if not old:
        keyfiles[f].chmod(0o644)
    else:
        text = keyfiles[f].read_text(encoding="utf-8")
        assert old in text, (f, old)
        keyfiles[f].write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = nm_problems(h.files, run_nm(keyfiles, [i.name for i in h.host.interfaces], tmp_path), "seed-lab")
    missing = [w for w in want if not any(w in p for p in problems)]
    assert missing == [], f"the check did not report {missing}: {problems}"


def test_networkmanager_keeps_addresses_it_does_not_know_until_reapply(tmp_path: Path) -> None:
    """keepalived's VIPs on a director whose LAN profile is ldrc's: NetworkManager leaves an address
    it did not add alone, across `nmcli connection reload` too, and removes it on `nmcli device
    reapply` (what the README warns about)."""
    h = _host("golden-ha-pair/lvs-01")
    dev = next(iter(networkd_intent(h.files)))
    after = f"""
ip addr add 192.168.50.100/32 dev {dev}
sleep 2
nmcli connection reload
sleep 1
echo "reload: $(ip -4 -o address show dev {dev} | grep -c ' 192.168.50.100/32 ' || true)"
nmcli device reapply {dev} >/dev/null
sleep 1
echo "reapply: $(ip -4 -o address show dev {dev} | grep -c ' 192.168.50.100/32 ' || true)"
"""
    run = run_nm(_written(h, tmp_path), [i.name for i in h.host.interfaces], tmp_path, after)
    assert nm_problems(h.files, run, h.cluster) == []
    assert run.after.splitlines() == ["reload: 1", "reapply: 0"], run.after


def test_debian_ifupdown_leaves_an_interface_it_lists_unmanaged(tmp_path: Path) -> None:
    """Debian's NetworkManager.conf (plugins ifupdown,keyfile; [ifupdown] managed=false) ignores an
    interface listed in /etc/network/interfaces, so its profile never applies (the README says so);
    lo, listed there by default, still gets its loopback profile. /etc is an overlay in the mount
    namespace (its upper directory in tmp_path), so this machine's /etc is not touched."""
    h = _host("seed-lab/nginx02")
    (tmp_path / "up").mkdir()
    (tmp_path / "work").mkdir()
    setup = f"""
mount -t overlay overlay -o lowerdir=/etc,upperdir={tmp_path}/up,workdir={tmp_path}/work /etc
mkdir -p /etc/network
printf 'auto lo\\niface lo inet loopback\\nauto eth2\\niface eth2 inet static\\n  address 192.168.50.22/24\\n' \\
  >/etc/network/interfaces
"""
    conf = NM_CONF.replace("plugins=keyfile", "plugins=ifupdown,keyfile") + "\n[ifupdown]\nmanaged=false\n"
    run = run_nm(_written(h, tmp_path), [i.name for i in h.host.interfaces], tmp_path, setup=setup, conf=conf)
    problems = nm_problems(h.files, run, h.cluster)
    assert problems == [
        f"ldrc-seed-lab-eth2.nmconnection: not activated ({run.active})",
        "addresses applied ['lo 192.168.50.100/32'], the networkd files say "
        "['eth2 192.168.50.22/24', 'lo 192.168.50.100/32']",
        "routes applied [], the networkd files say ['default via 192.168.50.50 dev eth2 proto static']",
    ], problems
    assert "eth2:unmanaged" in run.devices and "ldrc-seed-lab-lo:lo:activated" in run.active
