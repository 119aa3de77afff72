"""Every generated systemd unit and systemd-networkd file, through its real consumer.

Units: `systemd-analyze verify --root=ROOT`, where ROOT holds a copy of this machine's
system units (network-online.target, multi-user.target ...), the unit at
/etc/systemd/system/ and a stub executable at its ExecStart path (verify checks that it
exists), so the unit is verified byte for byte as generated: exit 0 and not one line of output.

networkd files: the real systemd-networkd runs in a throw-away network and mount namespace
(`unshare -nm`) that holds the host's interfaces (veth pairs), with the generated files as its
only configuration (/etc/systemd/network bind-mounted, the other directories empty, /run/systemd
a tmpfs, /sys read-only so that it does not wait for udev): no parser warning on the files, and
every address and route applied to the namespace's links. Nothing leaves the namespaces.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, need_root, need_tool
from golden_util import compile_case

from compiler.api import compile_source
from compiler.plan import HostP

pytestmark = pytest.mark.netns

EXAMPLES = sorted((ROOT / "examples").rglob("*.ldr"))
GOLDEN = sorted(p for p in (ROOT / "tests" / "golden").iterdir() if (p / "input.ldr").is_file())
NETWORKD = Path("/lib/systemd/systemd-networkd")


def _hosts() -> list[tuple[str, HostP, dict[str, str]]]:
    """(case/host, host, {file name: text}) for every host with a unit, examples and goldens."""
    results = [(p.stem, compile_source(p.read_text(encoding="utf-8"), p.name)) for p in EXAMPLES]
    results += [(f"golden-{p.name}", compile_case(p)) for p in GOLDEN]
    out = []
    for name, r in results:
        assert r.ok and r.plan is not None, (name, [str(d) for d in r.diagnostics])
        for h in r.plan.hosts:
            files = {a.path.split("/", 1)[1]: a.text for a in r.artifacts if a.path.startswith(f"{h.name}/")}
            if any(f.endswith(".service") for f in files):
                out.append((f"{name}/{h.name}", h, files))
    return out


HOSTS = _hosts()
UNITS = [(f"{n}/{f}", t) for n, _, files in HOSTS for f, t in files.items() if f.endswith(".service")]
NETWORKS = [(n, h, files) for n, h, files in HOSTS if any(f.endswith(".network") for f in files)]


@pytest.fixture(scope="module")
def system_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_tool("systemd-analyze")
    src = Path("/usr/lib/systemd/system")
    if not (src / "multi-user.target").is_file():
        pytest.skip("no systemd unit directory on this machine")
    dst = tmp_path_factory.mktemp("units") / "system"
    shutil.copytree(src, dst, symlinks=True)
    return dst


def analyze_verify(unit: str, text: str, units: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` of the unit as generated, in a root with a stub ExecStart."""
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree(units, root / "usr/lib/systemd/system", symlinks=True)
    for path in {m.group(1) for m in re.finditer(r"^Exec\w+=(\S+)", text, re.M)}:
        stub = root / path.lstrip("/")
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        stub.chmod(0o755)
    path = root / "etc/systemd/system" / unit
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )


def test_there_are_units_and_network_files() -> None:
    names = {n for n, _ in UNITS}
    assert {
        "seed-lab/lvs-01/ldrc-seed-lab.service",
        "seed-lab/nginx02/ldrc-seed-lab.service",
        "seed-lab/router/ldrc-seed-lab.service",
        "golden-ha-pair/lvs-02/ldrc-ha-pair.service",
    } <= names
    assert {"seed-lab/lvs-01", "seed-lab/nginx02"} <= {n for n, _, _ in NETWORKS}


@pytest.mark.parametrize("name,text", UNITS, ids=[n for n, _ in UNITS])
def test_systemd_analyze_verify(name: str, text: str, system_units: Path, tmp_path: Path) -> None:
    r = analyze_verify(name.rsplit("/", 1)[1], text, system_units, tmp_path)
    assert (r.returncode, r.stdout + r.stderr) == (0, ""), r.stdout + r.stderr


@pytest.mark.parametrize(
    "broken",
    [("Type=oneshot", "Type=oneshoot"), ("[Service]", "[Service]\nExecStart=relative start"), ("After=", "Afterr=")],
    ids=["bad-type", "relative-exec", "unknown-key"],
)
def test_systemd_analyze_verify_rejects_a_broken_unit(
    broken: tuple[str, str], system_units: Path, tmp_path: Path
) -> None:
    name, text = next((n, t) for n, t in UNITS if n == "seed-lab/nginx02/ldrc-seed-lab.service")
    bad = text.replace(*broken, 1)
    assert bad != text
    r = analyze_verify("ldrc-seed-lab.service", bad, system_units, tmp_path)
    assert r.stdout + r.stderr != "", name


NETNS_SCRIPT = r"""
set -eu
conf=$1 expect=$2 log=$3; shift 3
mount --make-rprivate /
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/network /run/systemd/netif
chown systemd-network:systemd-network /run/systemd/netif 2>/dev/null || true
mount -t tmpfs tmpfs /usr/lib/systemd/network
mount -t tmpfs tmpfs /etc/systemd
mkdir /etc/systemd/network
mount --bind "$conf" /etc/systemd/network
mount -t sysfs -o ro sysfs /sys
i=0
for dev in "$@"; do
  ip link add "$dev" type veth peer name "ldrcp$i"
  ip link set "ldrcp$i" up
  i=$((i + 1))
done
SYSTEMD_LOG_LEVEL=info SYSTEMD_LOG_TARGET=console "$NETWORKD" >"$log" 2>&1 &
pid=$!
# until networkd has read its files and seen every link, and everything expected is applied
for _ in $(seq 150); do
  { ip -4 -o address | awk '{print $2, $4}'; ip -4 route | sed 's/ *$//'; } >/tmp/now 2>&1 || true
  if grep -qx 'Enumeration completed' "$log" && ! grep -qvxFf /tmp/now "$expect"; then break; fi
  sleep 0.1
done
kill "$pid"; wait "$pid" || true
ip -4 -o address | awk '{print $2, $4}'
ip -4 route | sed 's/ *$//'
"""


def networkd_apply(conf: Path, devs: list[str], expect: list[str], tmp_path: Path) -> tuple[str, str]:
    """Run the real systemd-networkd on conf in throw-away namespaces: (its log, ip's view)."""
    need_root()
    need_tool("unshare")
    need_tool("ip")
    if not NETWORKD.is_file():
        need_tool("systemd-networkd")  # skips (fails under CI): not on this machine
    want = tmp_path / "expect"
    want.write_text("".join(f"{x}\n" for x in expect), encoding="utf-8")
    log = tmp_path / "networkd.log"
    script = NETNS_SCRIPT.replace("/tmp/now", str(tmp_path / "now"))
    r = subprocess.run(
        ["unshare", "-nm", "bash", "-c", script, "netns", str(conf), str(want), str(log), *devs],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NETWORKD": str(NETWORKD)},
    )
    assert r.returncode == 0, r.stderr
    return log.read_text(encoding="utf-8"), r.stdout


def _install(files: dict[str, str], conf: Path, existing: dict[str, str] | None = None) -> None:
    """As the files say: ldrc's .network for each link, each drop-in in its .network.d/; with
    existing {dev: file name}, the host's own file for that link instead of ldrc's."""
    conf.mkdir()
    existing = existing or {}
    for f, text in files.items():
        if f.endswith(".network"):
            dev = re.search(r"^Name=(\S+)$", text, re.M)
            assert dev is not None
            base = existing.get(dev.group(1), f)
            if base != f:
                text = text.replace(f"# Install: /etc/systemd/network/{f}", "# the host's own file")
            (conf / base).write_text(text, encoding="utf-8")
            dropin = re.search(r"in its drop-in (\S+),", text)
            assert dropin is not None
            (conf / f"{base}.d").mkdir()
            (conf / f"{base}.d" / dropin.group(1)).write_text(files[dropin.group(1)], encoding="utf-8")


def _expected(files: dict[str, str]) -> list[str]:
    out = []
    for f, text in sorted(files.items()):
        if not f.endswith(".network"):
            continue
        dev = re.search(r"^Name=(\S+)$", text, re.M)
        dropin = re.search(r"in its drop-in (\S+),", text)
        assert dev is not None and dropin is not None
        merged = text + files[dropin.group(1)]
        out += [f"{dev.group(1)} {a}" for a in re.findall(r"^Address=(\S+)$", merged, re.M)]
        for block in merged.split("[Route]")[1:]:
            dst = re.search(r"^Destination=(\S+)$", block, re.M)
            gw = re.search(r"^Gateway=(\S+)$", block, re.M)
            assert gw is not None
            dest = "default" if dst is None else dst.group(1).removesuffix("/32")
            out.append(f"{dest} via {gw.group(1)} dev {dev.group(1)} proto static")
    return out


def _parser_complaints(log: str) -> list[str]:
    """What networkd said about the configuration files (file:line: message)."""
    return [line for line in log.splitlines() if line.startswith("/etc/systemd/network/")]


def _check(name: str, h: HostP, files: dict[str, str], tmp_path: Path, existing: dict[str, str] | None = None) -> None:
    conf = tmp_path / "network"
    _install(files, conf, existing)
    if existing:  # the host's own file: its own address, as a host configured before ldrc
        for dev, base in existing.items():
            own = next(i for i in h.interfaces if i.name == dev)
            (conf / base).write_text(f"[Match]\nName={dev}\n\n[Network]\nAddress={own.address}\n", encoding="utf-8")
    expect = _expected(files)
    log, state = networkd_apply(conf, [i.name for i in h.interfaces], expect, tmp_path)
    assert _parser_complaints(log) == [], log
    applied = set(state.splitlines())
    missing = [x for x in expect if x not in applied]
    assert missing == [], f"{name}: not applied by systemd-networkd: {missing}\n{state}\n{log}"


@pytest.mark.parametrize("name,host,files", NETWORKS, ids=[n for n, _, _ in NETWORKS])
def test_networkd_applies(name: str, host: HostP, files: dict[str, str], tmp_path: Path) -> None:
    _check(name, host, files, tmp_path)


def test_networkd_merges_the_dropin_into_the_hosts_own_file(tmp_path: Path) -> None:
    """A host whose LAN link has a .network file of its own (sorting before ldrc's): the
    drop-in in that file's .network.d/ adds the routes."""
    name, h, files = next(x for x in NETWORKS if x[0] == "seed-lab/lvs-01")
    _check(name, h, files, tmp_path, existing={"eth2": "10-lan.network"})


def test_networkd_reports_a_broken_file(tmp_path: Path) -> None:
    """The negative control: a wrong key and a wrong address are reported by networkd's parser."""
    name, h, files = next(x for x in NETWORKS if x[0] == "seed-lab/nginx02")
    broken = dict(files)
    broken["ldrc-seed-lab-lo.conf"] = files["ldrc-seed-lab-lo.conf"] + "Adress=192.0.2.1/32\nAddress=192.0.2.300/32\n"
    conf = tmp_path / "network"
    _install(broken, conf)
    log, _ = networkd_apply(conf, [i.name for i in h.interfaces], [], tmp_path)
    complaints = _parser_complaints(log)
    assert any("Adress" in c for c in complaints), log
    assert any("192.0.2.300" in c for c in complaints), log
