"""Deployment with Ansible (issue 13): the inventory and playbook ldrc writes, run for real.

The real `ansible-playbook` (through `ldrc deploy`) deploys a cluster over real SSH to
separate hosts. Each host is a network namespace with its own sshd, started in a mount
namespace of its own where /etc, /usr/local/lib, /var/lib and /root are overlays (what
the host writes stays its own) and /run and /tmp are private: like a machine of its own.
The controller runs in one more namespace, which also holds the bridges of the management
network (10.77.0.0/24) and of the cluster's LAN and WAN. Nothing is added to this
machine's own network namespace; every namespace, process and mount is gone afterwards,
also when the test fails. The key and host keys are made for the test.

This kernel has no IPVS: the director's /usr/sbin/ipvsadm is the runtime tier's fake
(tests/runtime/fake_ipvsadm.py), bind-mounted in the director's mount namespace only,
with its table in that host's /var/lib.

Checked: the first run changes every host, in the safe order (real servers one batch at a
time, then the director, then the router), and leaves them up (each script's status exits
0, the real servers hold the VIP on lo with their ARP sysctls); a second run changes
nothing; `--check --diff` after a weight change reports it (the file diff and the
director's plan) and changes nothing; a start that fails is rolled back (the previous
script is put back and started again; a host that had none is stopped and its files
removed) and reported, and the rollout stops there.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, STAMP, need, need_root, need_tool

from compiler.api import compile_source

FAKE_IPVSADM = ROOT / "tests" / "runtime" / "bin" / "ipvsadm"
LDRC = Path(sys.executable).parent / "ldrc"
CLUSTER = "ansilab"
SCRIPTS = f"/usr/local/lib/ldrc/{CLUSTER}"
VIP = "192.168.50.100"

LAB = f"""\
cluster {CLUSTER}
network wan 192.168.20.0/24
network lan 192.168.50.0/24
host client client {{ interface eth1 192.168.20.17/24 }}
host router router {{
    manage 10.77.0.50
    interface eth1 192.168.20.50/24
    interface eth2 192.168.50.50/24
    publish 192.168.20.50 tcp 80 -> {VIP}
    snat lan -> 192.168.20.50
}}
host lvs-01 director {{
    manage 10.77.0.31
    interface eth1 192.168.20.31/24
    interface eth2 192.168.50.31/24
    gateway 192.168.50.50
}}
host rs1 realserver {{ manage 10.77.0.11 interface eth2 192.168.50.22/24 gateway 192.168.50.50 }}
host rs2 realserver {{ manage 10.77.0.12 interface eth2 192.168.50.23/24 gateway 192.168.50.50 }}
vip {VIP} tcp 80 wrr -> rs .22 weight 1 .23 weight 2
"""
# a third real server, added for the rollback of a host that had no script before
LAB_RS3 = LAB.replace(
    "vip ",
    "host rs3 realserver { manage 10.77.0.13 interface eth2 192.168.50.24/24 gateway 192.168.50.50 }\nvip ",
).replace(".23 weight 2", ".23 weight 2 .24 weight 1")

# host: (management address, [(device, address, bridge in the controller's namespace)], script)
HOSTS: dict[str, tuple[str, list[tuple[str, str, str]], str]] = {
    "rs1": ("10.77.0.11", [("eth2", "192.168.50.22/24", "br-lan")], "lvs_rs.sh"),
    "rs2": ("10.77.0.12", [("eth2", "192.168.50.23/24", "br-lan")], "lvs_rs.sh"),
    "rs3": ("10.77.0.13", [("eth2", "192.168.50.24/24", "br-lan")], "lvs_rs.sh"),
    "lvs-01": ("10.77.0.31", [("eth1", "192.168.20.31/24", "br-wan"), ("eth2", "192.168.50.31/24", "br-lan")], "lvs_dr.sh"),
    "router": ("10.77.0.50", [("eth1", "192.168.20.50/24", "br-wan"), ("eth2", "192.168.50.50/24", "br-lan")], "lvs_router.sh"),
}  # fmt: skip

SSHD_CONFIG = """\
ListenAddress {address}:22
HostKey /run/ldrc-test/ssh_host_ed25519_key
AuthorizedKeysFile /run/ldrc-test/authorized_keys
PidFile none
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel ERROR
"""

# Run by `ip netns exec NS unshare -m`: the host's own mounts, then its sshd (same PID).
HOST_SETUP = """\
set -euo pipefail
h=$1
mount -t tmpfs -o mode=0755 ldrc-test-run /run
mkdir -p /run/sshd /run/ldrc-test
cp "$h"/ssh/* /run/ldrc-test/
chmod 0600 /run/ldrc-test/ssh_host_ed25519_key
for d in /etc /usr/local/lib /var/lib /root; do
  mkdir -p "$h/upper$d" "$h/work$d"
  mount -t overlay ldrc-test-overlay -o "lowerdir=$d,upperdir=$h/upper$d,workdir=$h/work$d" "$d"
done
if [[ -f $h/ipvsadm ]]; then mount --bind "$h/ipvsadm" /usr/sbin/ipvsadm; fi
if [[ -f $h/systemctl ]]; then mount --bind "$h/systemctl" /usr/bin/systemctl && mkdir -p /run/systemd/system; fi
mount -t tmpfs -o mode=1777 ldrc-test-tmp /tmp
exec /usr/sbin/sshd -D -e -f /run/ldrc-test/sshd_config
"""

# The director's ipvsadm: the fake, with its table (and a failure to inject) in the host's /var/lib.
IPVSADM_WRAPPER = f"""\
#!/bin/sh
# tests/test_ansible.py: the runtime tier's fake ipvsadm, its table in this host's /var/lib
mkdir -p /var/lib/ldrc-test-ipvs
IPVSADM_FAKE_STATE=/var/lib/ldrc-test-ipvs/table.json
export IPVSADM_FAKE_STATE
if [ -r /var/lib/ldrc-test-ipvs/fail ]; then
  IPVSADM_FAKE_FAIL=$(cat /var/lib/ldrc-test-ipvs/fail)
  export IPVSADM_FAKE_FAIL
fi
exec {shlex.quote(str(FAKE_IPVSADM))} "$@"
"""

# rs2 "runs systemd" (/run/systemd/system exists): a stand-in systemctl answers Ansible's
# systemd_service module and runs the unit's ExecStart, ExecReload and ExecStop itself.
SYSTEMCTL = """\
#!/bin/bash
# tests/test_ansible.py: a stand-in for systemctl, its units' states in this host's /var/lib
set -u
st=/var/lib/ldrc-test-systemd
mkdir -p "$st"
echo "$*" >>"$st/log"
words=()
for a in "$@"; do [[ $a == -* ]] || words+=("$a"); done
cmd=${words[0]:-} unit=${words[1]:-}
file=/etc/systemd/system/$unit
run() { local line; line=$(sed -n "s/^$1=//p" "$file"); [[ -n $line ]] && $line; }
case $cmd in
  daemon-reload) ;;
  show)
    if [[ -f $file ]]; then echo LoadState=loaded; else echo LoadState=not-found; fi
    if [[ -e $st/$unit.active ]]; then echo ActiveState=active; else echo ActiveState=inactive; fi
    echo "Id=$unit" ;;
  is-enabled) if [[ -e $st/$unit.enabled ]]; then echo enabled; else echo disabled; exit 1; fi ;;
  enable) touch "$st/$unit.enabled" ;;
  disable) rm -f "$st/$unit.enabled" ;;
  start) run ExecStart && touch "$st/$unit.active" ;;
  reload) run ExecReload ;;
  stop) rm -f "$st/$unit.active"; run ExecStop ;;
  *) echo "stand-in systemctl: $* is not emulated" >&2; exit 1 ;;
esac
"""

RECAP = re.compile(
    r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)", re.M
)


def sh(*argv: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{shlex.join(argv)} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r


class Lab:
    """The namespaces, the hosts' sshd and the controller; close() removes all of it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.tag = f"ldrc-ans{os.getpid()}"
        self.ctl = f"{self.tag}-ctl"
        self.namespaces: list[str] = []
        self.sshd: dict[str, subprocess.Popen[bytes]] = {}
        self.home = tmp / "controller-home"
        self.key = tmp / "id_ed25519"
        # ssh's control sockets: a short path (a Unix socket's is at most 107 bytes)
        self.cp = Path(tempfile.mkdtemp(prefix="ldrc-cp-"))

    def netns(self, name: str) -> str:
        ns = f"{self.tag}-{name}"
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        return ns

    def start(self) -> None:
        t = time.monotonic()
        self._start()
        print(f"lab up: {time.monotonic() - t:.1f} s")

    def _start(self) -> None:
        self.home.mkdir()
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ldrc-test", "-f", str(self.key))
        ctl = self.netns("ctl")
        for br in ("br-mgmt", "br-lan", "br-wan"):
            sh("ip", "-n", ctl, "link", "add", br, "type", "bridge")
            sh("ip", "-n", ctl, "link", "set", br, "up")
        sh("ip", "-n", ctl, "addr", "add", "10.77.0.1/24", "dev", "br-mgmt")
        known = []
        for i, (host, (mgmt, ifaces, _)) in enumerate(HOSTS.items()):
            ns = self.netns(host)
            links = [("mgmt0", f"{mgmt}/24", "br-mgmt", f"m{i}"), *((d, a, b, f"{d[-1]}{i}") for d, a, b in ifaces)]
            for dev, address, bridge, peer in links:
                sh("ip", "-n", ctl, "link", "add", peer, "type", "veth", "peer", "name", dev, "netns", ns)
                sh("ip", "-n", ctl, "link", "set", peer, "master", bridge, "up")
                sh("ip", "-n", ns, "addr", "add", address, "dev", dev)
                sh("ip", "-n", ns, "link", "set", dev, "up")
            hdir = self.tmp / "hosts" / host
            (hdir / "ssh").mkdir(parents=True)
            sh(
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                host,
                "-f",
                str(hdir / "ssh" / "ssh_host_ed25519_key"),
            )
            (hdir / "ssh" / "sshd_config").write_text(SSHD_CONFIG.format(address=mgmt))
            (hdir / "ssh" / "authorized_keys").write_text(Path(f"{self.key}.pub").read_text())
            for name, text, on in (("ipvsadm", IPVSADM_WRAPPER, ("lvs-01",)), ("systemctl", SYSTEMCTL, ("rs2", "rs3"))):
                if host in on:
                    (hdir / name).write_text(text)
                    (hdir / name).chmod(0o755)
            pub = (hdir / "ssh" / "ssh_host_ed25519_key.pub").read_text().split()
            known.append(f"{mgmt} {pub[0]} {pub[1]}\n")
            log = open(hdir / "sshd.log", "wb")  # noqa: SIM115 (the child keeps it)
            self.sshd[host] = subprocess.Popen(
                ["ip", "netns", "exec", ns, "unshare", "-m", "bash", "-c", HOST_SETUP, "host-setup", str(hdir)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
            log.close()
        (self.tmp / "known_hosts").write_text("".join(known))
        for host in HOSTS:
            self.wait_ssh(host)

    def wait_ssh(self, host: str) -> None:
        deadline = time.monotonic() + 20
        while True:
            proc = self.sshd[host]
            assert proc.poll() is None, f"sshd of {host} exited: {(self.tmp / 'hosts' / host / 'sshd.log').read_text()}"
            r = self.ctl_run(["ssh", *self.ssh_options(), "-o", "ConnectTimeout=2", f"root@{HOSTS[host][0]}", "true"])
            if r.returncode == 0:
                return
            assert time.monotonic() < deadline, f"no ssh to {host}: {r.stderr}"
            time.sleep(0.2)

    def ssh_options(self) -> list[str]:
        return [
            "-o", f"UserKnownHostsFile={self.tmp / 'known_hosts'}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-i", str(self.key),
        ]  # fmt: skip

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "SSH_"))}
        env.update(
            HOME=str(self.home),
            LANG="C.UTF-8",
            LC_ALL="C.UTF-8",
            PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}:/usr/sbin:/sbin",
            ANSIBLE_REMOTE_USER="root",
            ANSIBLE_PRIVATE_KEY_FILE=str(self.key),
            ANSIBLE_SSH_ARGS=" ".join(["-o ControlMaster=auto -o ControlPersist=120s", *self.ssh_options()[:6]]),
            ANSIBLE_SSH_CONTROL_PATH_DIR=str(self.cp),
            ANSIBLE_PIPELINING="True",
            ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="False",
            ANSIBLE_FORKS="5",
        )
        return env

    def ctl_run(self, argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """A command in the controller's namespace (the management network)."""
        return subprocess.run(
            ["ip", "netns", "exec", self.ctl, *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env(),
            cwd=self.tmp,
        )

    def deploy(self, ldr: Path, *args: str) -> Run:
        t = time.monotonic()
        r = self.ctl_run([str(LDRC), "deploy", "-o", str(self.tmp / "out"), str(ldr), *args])
        print(f"ldrc deploy {shlex.join(args)}: {time.monotonic() - t:.1f} s")
        return Run(r)

    def playbook(self, *args: str) -> Run:
        play = self.tmp / "out" / "_ansible"
        r = self.ctl_run(["ansible-playbook", "-i", str(play / "inventory.yml"), *args, str(play / "site.yml")])
        return Run(r)

    def on(self, host: str, script: str) -> subprocess.CompletedProcess[str]:
        """A command on a host: in its sshd's network and mount namespaces."""
        pid = str(self.sshd[host].pid)
        return subprocess.run(
            ["nsenter", "-t", pid, "-n", "-m", "--", "bash", "-c", script], capture_output=True, text=True, timeout=60
        )

    def close(self) -> None:
        if self.namespaces and self.namespaces[0] == self.ctl:
            # ansible's ssh control masters (ControlPersist): each is asked to exit
            for sock in self.cp.glob("*"):
                subprocess.run(
                    ["ip", "netns", "exec", self.ctl, "ssh", "-o", f"ControlPath={sock}", "-O", "exit", "lab"],
                    capture_output=True,
                    timeout=20,
                )
        for proc in self.sshd.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.sshd.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # what still runs in the lab's namespaces (ssh sessions) was started through it
        for ns in self.namespaces:
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(self.cp, ignore_errors=True)


class Run:
    """One ansible-playbook run: exit status, output, the recap and the task results in order."""

    def __init__(self, r: subprocess.CompletedProcess[str]) -> None:
        self.rc = r.returncode
        self.out = r.stdout + r.stderr
        self.recap = {
            m[1]: dict(
                zip(
                    ("ok", "changed", "unreachable", "failed", "skipped", "rescued"),
                    map(int, m.groups()[1:]),
                    strict=True,
                )
            )
            for m in RECAP.finditer(self.out)
        }
        self.results: list[tuple[str, str, str]] = []  # (task, status, host)
        task = ""
        for line in self.out.splitlines():
            if t := re.match(r"TASK \[(.*)\] \*+$", line):
                task = t[1]
            elif s := re.match(r"(ok|changed|failed|fatal|skipping): \[([^\]]+)\]", line):
                self.results.append((task, s[1], s[2]))

    def tail(self) -> str:
        return self.out[-6000:]

    def started(self, host: str) -> int:
        """Where host was started (by its script, or through its unit), in the run's order."""
        return next(
            i
            for i, r in enumerate(self.results)
            if r[1:] == ("changed", host) and r[0] in ("Start", "Start through the unit (systemd)")
        )

    def first(self, task: str, status: str, host: str) -> int:
        """Where the first result of task for host with status is, in the run's order."""
        return next(i for i, r in enumerate(self.results) if r == (task, status, host))


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    need_root()
    for tool in ("ip", "unshare", "nsenter", "ssh", "ssh-keygen", "ansible-playbook", "iptables", "flock"):
        need_tool(tool)
    need(Path("/usr/sbin/sshd").is_file(), "/usr/sbin/sshd (apt package openssh-server)")
    need(LDRC.exists(), f"ldrc installed beside {sys.executable}")
    lab = Lab(tmp_path)
    try:
        lab.start()
        yield lab
    finally:
        lab.close()


@pytest.mark.netns
def test_deploy_for_real(lab: Lab) -> None:
    ldr = lab.tmp / f"{CLUSTER}.ldr"
    ldr.write_text(LAB)
    deployed = ("rs1", "rs2", "lvs-01", "router")

    # 1. the first run installs and starts every host, in the safe order
    first = lab.deploy(ldr)
    assert first.rc == 0, first.tail()
    print(first.out[first.out.index("PLAY RECAP") :])
    for host in deployed:
        assert first.recap[host]["changed"] > 0 and first.recap[host]["failed"] == 0, first.recap
    assert "rs3" not in first.recap
    order = [first.started(h) for h in deployed]
    assert order == sorted(order), f"not in the safe order: {first.results}"
    # serial: rs1's batch is done (status checked) before rs2's starts
    assert first.first("The host is as configured", "ok", "rs1") < first.first(
        "Install the script and the unit", "changed", "rs2"
    )
    for host in deployed:
        r = lab.on(host, f"{SCRIPTS}/{HOSTS[host][2]} status")
        assert r.returncode == 0, (host, r.stdout, r.stderr)
        unit = lab.on(host, f"cat /etc/systemd/system/ldrc-{CLUSTER}.service")
        assert f"ExecStart={SCRIPTS}/{HOSTS[host][2]} start" in unit.stdout
    for host in ("rs1", "rs2"):
        assert f"inet {VIP}/32 " in lab.on(host, "ip -4 -o addr show dev lo").stdout
        for key in ("all/arp_ignore", "eth2/arp_ignore", "all/arp_announce", "eth2/arp_announce"):
            value = lab.on(host, f"cat /proc/sys/net/ipv4/conf/{key}").stdout.strip()
            assert value == ("1" if "ignore" in key else "2"), (host, key, value)
    # rs2 runs "systemd": started through its unit, which is enabled
    systemctl = lab.on("rs2", "cat /var/lib/ldrc-test-systemd/log").stdout.splitlines()
    assert f"start ldrc-{CLUSTER}.service" in systemctl and f"enable ldrc-{CLUSTER}.service" in systemctl, systemctl
    assert first.first("Start through the unit (systemd)", "changed", "rs2") > 0
    assert ("Start", "skipping", "rs2") in first.results and ("Start", "changed", "rs1") in first.results
    table = lab.on("lvs-01", "ipvsadm -Sn").stdout
    assert f"-a -t {VIP}:80 -r 192.168.50.23:80 -g -w 2" in table, table
    assert "LDRC-ansilab-DNAT" in lab.on("router", "iptables-save -t nat").stdout

    # 2. a second run changes nothing: every script's plan (a real server's status) says so
    second = lab.deploy(ldr)
    assert second.rc == 0, second.tail()
    print(second.out[second.out.index("PLAY RECAP") :])
    assert all(second.recap[h]["changed"] == 0 and second.recap[h]["failed"] == 0 for h in deployed), second.recap

    # 3. --check --diff after a weight change: reported (the file's diff, the director's plan), nothing changed
    script_before = lab.on("lvs-01", f"cat {SCRIPTS}/lvs_dr.sh").stdout
    ldr.write_text(LAB.replace(".23 weight 2", ".23 weight 5"))
    check = lab.deploy(ldr, "--check", "--diff")
    assert check.rc == 0, check.tail()
    print(check.out[check.out.index("TASK [Install the script and the unit]") :])
    assert check.recap["lvs-01"]["changed"] > 0, check.recap
    assert all(check.recap[h]["changed"] == 0 for h in ("rs1", "rs2", "router")), check.recap
    assert "--- before: /usr/local/lib/ldrc/ansilab/lvs_dr.sh" in check.out
    assert f"+-a -t {VIP}:80 -r 192.168.50.23:80 -g -w 5" in check.out  # the table in the script
    assert f"-e -t {VIP}:80 -r 192.168.50.23:80 -g -w 5" in check.out  # the director's own plan
    assert lab.on("lvs-01", f"cat {SCRIPTS}/lvs_dr.sh").stdout == script_before
    assert lab.on("lvs-01", "ipvsadm -Sn").stdout == table

    # 4. a start that fails (the kernel refuses the new weight): the director is rolled back
    assert (
        lab.on("lvs-01", "mkdir -p /var/lib/ldrc-test-ipvs && echo '-w 5' >/var/lib/ldrc-test-ipvs/fail").returncode
        == 0
    )
    failed = lab.deploy(ldr)
    print(failed.out[failed.out.index("TASK [Start]") :])
    assert failed.rc == 2, failed.tail()
    assert failed.recap["lvs-01"]["failed"] == 1 and failed.recap["lvs-01"]["rescued"] == 1, failed.recap
    assert "Rolled back: the previous files are back, and their start exited 0" in failed.out
    assert "router" not in failed.recap or failed.recap["router"]["ok"] == 0, "the rollout stops at the failed host"
    assert lab.on("lvs-01", f"cat {SCRIPTS}/lvs_dr.sh").stdout == script_before
    assert lab.on("lvs-01", f"ls -A {SCRIPTS}").stdout.split() == ["lvs_dr.sh"], "no backup left"
    assert lab.on("lvs-01", f"{SCRIPTS}/lvs_dr.sh status").returncode == 0
    assert lab.on("lvs-01", "ipvsadm -Sn").stdout == table
    assert lab.on("lvs-01", "rm /var/lib/ldrc-test-ipvs/fail").returncode == 0

    # 4b. --check --diff with a new real server that runs systemd: reported, nothing installed
    # (the unit it would get is not there yet; systemd must not be asked to enable it)
    ldr.write_text(LAB_RS3)
    new = lab.deploy(ldr, "--check", "--diff", "--limit", "rs3")
    assert new.rc == 0, new.tail()
    assert new.recap["rs3"]["failed"] == 0 and new.recap["rs3"]["changed"] > 0, new.recap
    nothing = lab.on("rs3", f"test ! -e {SCRIPTS}/lvs_rs.sh && test ! -e /etc/systemd/system/ldrc-{CLUSTER}.service")
    assert nothing.returncode == 0, nothing

    # 5. a new real server whose script is broken (start fails after it changed the host):
    # stopped, its files removed; and one whose new script does not parse: nothing replaced
    ldr.write_text(LAB_RS3)
    assert lab.ctl_run([str(LDRC), "compile", str(ldr), "-o", str(lab.tmp / "out")]).returncode == 0
    rs3 = lab.tmp / "out" / "rs3" / "lvs_rs.sh"
    text = rs3.read_text()
    main = 'main "$@"; exit "${RESULT}"\n'
    rs3.write_text(text.replace(main, 'main "$@"; [[ $1 != start ]] || die "broken on purpose"; exit "${RESULT}"\n'))
    rs1 = lab.tmp / "out" / "rs1" / "lvs_rs.sh"
    rs1_before = lab.on("rs1", f"cat {SCRIPTS}/lvs_rs.sh").stdout
    rs1.write_text(rs1.read_text().replace(main, "main() {\n" + main))
    broken = lab.playbook("--limit", "rs1,rs3", "-e", "ldrc_serial=2")
    print(broken.out[broken.out.index("TASK [Install the script and the unit]") :])
    assert broken.rc == 2, broken.tail()
    for host in ("rs1", "rs3"):
        assert broken.recap[host]["failed"] == 1 and broken.recap[host]["rescued"] == 1, broken.recap
    assert "the host had no script before; the new one was stopped (exit 0) and its files removed" in broken.out
    gone = lab.on("rs3", f"ls -A {SCRIPTS}; test ! -e /etc/systemd/system/ldrc-{CLUSTER}.service")
    assert gone.returncode == 0 and gone.stdout == "", gone
    assert "inet 192.168.50.100/32" not in lab.on("rs3", "ip -4 -o addr show dev lo").stdout
    assert lab.on("rs3", "cat /proc/sys/net/ipv4/conf/all/arp_ignore").stdout.strip() == "0"
    assert "validate" in broken.out or "bash -n" in broken.out
    assert lab.on("rs1", f"cat {SCRIPTS}/lvs_rs.sh").stdout == rs1_before
    assert lab.on("rs1", f"{SCRIPTS}/lvs_rs.sh status").returncode == 0


# ---- the generated files as Ansible itself reads them (no root, no hosts) -----------------


def write_tree(out: Path, text: str, name: str) -> Path:
    """Compile text as ldrc does; the output directory."""
    r = compile_source(text, f"{name}.ldr", stamp=STAMP)
    assert r.ok, [d.message for d in r.diagnostics]
    for a in r.artifacts:
        path = out / a.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(a.text)
    return out


def tool_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE")}
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), LANG="C.UTF-8", LC_ALL="C.UTF-8", ANSIBLE_LINT_SKIP_VERSION_CHECK="1")
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


def test_inventory_as_ansible_reads_it(tmp_path: Path) -> None:
    tool = need_tool("ansible-inventory")
    out = write_tree(
        tmp_path / "out", LAB.replace("host rs2 realserver { manage 10.77.0.12 ", "host rs2 realserver { "), CLUSTER
    )
    r = subprocess.run(
        [tool, "-i", str(out / "_ansible" / "inventory.yml"), "--list"],
        capture_output=True,
        text=True,
        env=tool_env(tmp_path),
        timeout=120,
    )
    assert r.returncode == 0 and "WARNING" not in r.stderr, r.stderr
    inv = json.loads(r.stdout)
    assert inv["ldrc_ansilab"]["children"] == ["realservers", "directors", "routers"]
    assert inv["realservers"]["hosts"] == ["rs1", "rs2"] and inv["directors"]["hosts"] == ["lvs-01"]
    assert inv["routers"]["hosts"] == ["router"]
    assert "client" not in inv["_meta"]["hostvars"], "clients are not deployed"
    rs1, rs2 = inv["_meta"]["hostvars"]["rs1"], inv["_meta"]["hostvars"]["rs2"]
    assert rs1["ansible_host"] == "10.77.0.11" and "ansible_host" not in rs2, "no manage: the host's name"
    assert rs1["ldrc_probe"] == "status" and rs1["ldrc_probe_changes"] == 3
    assert inv["_meta"]["hostvars"]["lvs-01"]["ldrc_probe"] == "plan"
    assert rs1["ldrc_dir"] == SCRIPTS and rs1["ldrc_unit"] == f"ldrc-{CLUSTER}.service"


def test_host_names_yaml_would_misread_stay_names(tmp_path: Path) -> None:
    tool = need_tool("ansible-inventory")
    text = (
        "cluster odd\nhost no director { interface eth0 10.0.0.2/24 manage off }\n"
        "host true realserver { interface eth0 10.0.0.11/24 gateway 10.0.0.1 }\n"
        "host null realserver { interface eth0 10.0.0.12/24 gateway 10.0.0.1 manage on }\n"
        "vip 10.0.0.100 tcp 80 rr -> rs .11 .12\n"
    )
    out = write_tree(tmp_path / "out", text, "odd")
    r = subprocess.run(
        [tool, "-i", str(out / "_ansible" / "inventory.yml"), "--list"],
        capture_output=True, text=True, env=tool_env(tmp_path), timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    inv = json.loads(r.stdout)
    assert inv["realservers"]["hosts"] == ["true", "null"] and inv["directors"]["hosts"] == ["no"]
    assert inv["_meta"]["hostvars"]["null"]["ansible_host"] == "on"
    assert inv["_meta"]["hostvars"]["no"]["ansible_host"] == "off"


def test_keepalived_directors_master_last() -> None:
    r = compile_source((ROOT / "tests" / "golden" / "ha-pair" / "input.ldr").read_text(), "ha-pair.ldr", stamp=STAMP)
    inventory = next(a.text for a in r.artifacts if a.path == "_ansible/inventory.yml")
    directors = inventory.split("directors:", 1)[1].split("routers:", 1)[0]
    assert directors.index('"lvs-02"') < directors.index('"lvs-01"'), "the backup (priority 100) before the master"


def test_ansible_lint_is_clean(tmp_path: Path) -> None:
    """ansible-lint at its default profile, offline (no galaxy), on the playbook of every golden case
    and example (the same playbook but for the plays and the header)."""
    tool = need_tool("ansible-lint")
    sources = sorted((ROOT / "tests" / "golden").glob("*/input.ldr")) + sorted((ROOT / "examples").rglob("*.ldr"))
    dirs = []
    for src in sources:
        name = src.parent.name if src.name == "input.ldr" else src.stem
        out = write_tree(tmp_path / "trees" / name, src.read_text(), name)
        dirs.append(str(out / "_ansible"))
    # offline: no galaxy, no version check; as root in a network namespace of its own, to be sure
    isolated = ["unshare", "-n"] if os.geteuid() == 0 and shutil.which("unshare") else []
    r = subprocess.run(
        [*isolated, tool, "--offline", "--nocolor", *dirs],
        capture_output=True,
        text=True,
        env=tool_env(tmp_path),
        cwd=tmp_path,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Passed: 0 failure(s), 0 warning(s)" in r.stdout + r.stderr, r.stdout + r.stderr


def test_tags_select_one_role(tmp_path: Path) -> None:
    tool = need_tool("ansible-playbook")
    out = write_tree(tmp_path / "out", LAB, CLUSTER)
    play = out / "_ansible"
    r = subprocess.run(
        [tool, "-i", str(play / "inventory.yml"), str(play / "site.yml"), "--list-tasks", "--tags", "directors"],
        capture_output=True, text=True, env=tool_env(tmp_path), timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    plays = re.split(r"\n  play #\d+ ", r.stdout)[1:]
    assert [p.split(":", 1)[0] for p in plays] == ["(realservers", "(directors", "(routers"]
    assert [p.count("TAGS: [directors]") for p in plays] == [0, 12, 0], r.stdout


def test_no_host_can_be_named_like_the_ansible_directory() -> None:
    from compiler.check_common import HOST_NAME_RE
    from compiler.target_ansible import DIR

    assert not HOST_NAME_RE.match(DIR)
    r = compile_source(f"host {DIR} director {{ interface eth0 10.0.0.2/24 }}\n", "x.ldr")
    assert [d.code for d in r.diagnostics] == ["E124"]
