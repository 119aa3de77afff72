"""The end-to-end harness as pytest tests, so CI's closing line is pytest's.

- host: every example on the host kernel (network namespaces, no IPVS), a few seconds each;
- vm: every example in a QEMU guest booting Debian's kernel with real IPVS, and the scenarios
  (broken cluster, reload, hostile environment, the fake ipvsadm's cross-check): ONE boot for all
  the VM tests that are selected (run.sh --session, started by the first of them), each test
  reading its own job's section of the output;
- broken: the seed lab with real servers that skip the ARP sysctls must fail, in both modes.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, need_root, need_tool

RUN = ROOT / "tests" / "e2e" / "run.sh"
# the examples of the script engine; those of engine keepalived (a director pair) are proven by
# the HA scenario (tests/e2e/ha/)
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.ldr") if "\nengine keepalived" not in p.read_text())
HA_EXAMPLE = ROOT / "examples" / "ha-pair.ldr"
RESULT = re.compile(r"^e2e-[\w.-]+: (\d+) passed, (\d+) failed$", re.M)


def run(*args: str, timeout: int) -> tuple[int, str, int, int]:
    need_root()
    for tool in ("ip", "iptables-restore", "arping", "curl", "openssl", "busybox", "socat", "flock"):
        need_tool(tool)
    r = subprocess.run(["bash", str(RUN), *args], capture_output=True, text=True, timeout=timeout)
    out = r.stdout + r.stderr
    m = RESULT.search(out)
    passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, -1)
    return r.returncode, out, passed, failed


# the VM jobs, by test: (job name, run.sh arguments relative to the checkout)
VM_JOBS: dict[str, list[tuple[str, str]]] = {
    "test_real_ipvs_in_vm": [(f"example-{p.stem}", str(p.relative_to(ROOT))) for p in EXAMPLES],
    "test_real_ipvs_broken_cluster_fails": [("broken", "--break rs-arp examples/seed-lab.ldr")],
    "test_reload_drain_plan_rollback_in_vm": [("reload", "--reload tests/e2e/reload/v2.ldr tests/e2e/reload/v1.ldr")],
    "test_hostile_scenarios_in_vm": [("hostile", "--scenario tests/e2e/hostile")],
    "test_keepalived_pair_in_vm": [("ha", "--scenario tests/e2e/ha")],
    "test_deploy_with_ansible_in_vm": [("deploy", "--scenario tests/e2e/deploy")],
    "test_reboot_in_vm": [("reboot", "--scenario tests/e2e/reboot")],
    "test_fake_ipvsadm_matches_the_real_kernel": [
        ("fakecheck", "--scenario tests/e2e/fakecheck --extra tests/runtime")
    ],
}
JOB = re.compile(r"^==== job \d+-([\w.-]+) begin$(.*?)^==== job \d+-\1 end rc=(\d+)$", re.M | re.S)


@pytest.fixture(scope="session")
def vm_session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Boot once for every selected VM test: job name -> that job's output ("" when missing)."""
    need_tool("qemu-system-x86_64")
    need_tool("ipvsadm")
    wanted: list[tuple[str, str]] = []
    for item in request.session.items:
        jobs = VM_JOBS.get(getattr(item, "originalname", item.name), [])
        if getattr(item, "originalname", "") == "test_real_ipvs_in_vm":
            stem = item.callspec.params["example"].stem  # type: ignore[attr-defined]
            jobs = [j for j in jobs if j[0] == f"example-{stem}"]
        wanted += [j for j in jobs if j not in wanted]
    jobs_file = tmp_path_factory.mktemp("vm") / "jobs"
    jobs_file.write_text("".join(f"{name} {args}\n" for name, args in wanted))
    # a job with a needs-python marker (Ansible under software emulation) takes longer
    slow = sum(1800 for _, args in wanted if (ROOT / args.split()[-1] / "needs-python").exists())
    rc, out, _, _ = run("--session", str(jobs_file), timeout=300 + 600 * len(wanted) + slow)
    sections = {m.group(1): m.group(2) + f"\njob rc={m.group(3)}" for m in JOB.finditer(out)}
    return {name: sections.get(name, "") for name, _ in wanted} | {"": out[-6000:]}


def vm_job(session: dict[str, str], name: str) -> tuple[int, str, int, int]:
    """rc, output, passed, failed of one job of the boot (the boot's tail when the job is missing)."""
    out = session.get(name, "")
    if not out:
        pytest.fail(f"VM job {name} has no result; end of the boot's output:\n{session['']}")
    m = RESULT.search(out)
    passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, -1)
    rc = int(out.rsplit("job rc=", 1)[1])
    return rc, out, passed, failed


def test_examples_exist() -> None:
    assert {"seed-lab.ldr", "wrr-three.ldr", "two-vips.ldr"} <= {p.name for p in EXAMPLES}


@pytest.mark.netns
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_host_kernel(example: Path) -> None:
    rc, out, passed, failed = run("--host", str(example), timeout=300)
    assert rc == 0 and failed == 0 and passed >= 30, out[-6000:]


@pytest.mark.netns
def test_host_kernel_broken_cluster_fails() -> None:
    rc, out, passed, failed = run("--host", "--break", "rs-arp", str(ROOT / "examples" / "seed-lab.ldr"), timeout=300)
    assert rc != 0 and failed > 0, out[-6000:]
    assert re.search(r"FAIL: ARP: no real server answers for 192\.168\.50\.100", out), out[-6000:]


@pytest.mark.vm
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_real_ipvs_in_vm(example: Path, vm_session: dict[str, str]) -> None:
    rc, out, passed, failed = vm_job(vm_session, f"example-{example.stem}")
    print(out)
    assert rc == 0 and failed == 0 and passed >= 50, out[-8000:]
    assert "PASS: director: ipvsadm -Sn equals ipvsadm.rules byte for byte" in out
    assert re.search(r"PASS: ipvs \w+ [\d.]+:\d+: \d+ connections, OutPkts = 0", out)


@pytest.mark.vm
def test_real_ipvs_broken_cluster_fails(vm_session: dict[str, str]) -> None:
    rc, out, passed, failed = vm_job(vm_session, "broken")
    print(out)
    assert rc != 0 and failed > 0, out[-8000:]
    assert re.search(r"FAIL: ARP: no real server answers for 192\.168\.50\.100", out), out[-8000:]
    assert re.search(r"FAIL: rr 192\.168\.20\.50:80: strict rotation", out), out[-8000:]


@pytest.mark.vm
def test_reload_drain_plan_rollback_in_vm(vm_session: dict[str, str]) -> None:
    """Issue 6 in the real kernel: reload V1 -> V2 with open connections, drain, plan, a failing apply."""
    rc, out, passed, failed = vm_job(vm_session, "reload")
    print(out)
    assert rc == 0 and failed == 0, out[-8000:]
    for line in (
        "PASS: reload applied exactly the three changed lines",
        "PASS: long-running connections opened before the reload all completed",
        "PASS: after the failed apply the IPVS table is exactly the snapshot",
        "PASS: plan with V2: exit 2",
        "PASS: plan with the running configuration: exit 0",
        "PASS: plan without ipvsadm on PATH: exit 1",
    ):
        assert line in out, line


TRAFFIC_ROW = re.compile(r"^(.{34}) +(\d+) +(\d+) +(\d+) +(\d+)/200$", re.M)


@pytest.mark.vm
def test_apply_bench_steps_and_requests_during_reloads() -> None:
    """`bench/apply.sh 100` in the VM, its targets not gated (times are for the benchmark, never
    asserted here): every measured step leaves the table it should, `lvs_dr.sh reload` loses no
    request while reloading continuously, and the article's flush-and-reload, the control, does."""
    need_root()
    need_tool("qemu-system-x86_64")
    env = {**os.environ, "LDRC_BENCH_GATE": "0", "LDRC_BENCH_REPS": "1"}  # a smoke: each step once
    r = subprocess.run(
        ["bash", str(ROOT / "bench" / "apply.sh"), "100"], env=env, capture_output=True, text=True, timeout=1500
    )
    out = r.stdout + r.stderr
    print(out)
    assert r.returncode == 0, out[-8000:]
    assert re.search(r"^ +100 +300 \|", out, re.M), out[-4000:]
    rows = {m.group(1).strip(): (int(m.group(2)), int(m.group(4)), int(m.group(5))) for m in TRAFFIC_ROW.finditer(out)}
    reloads, _, failed = rows["article: ipvsadm -C + one per rule"]
    assert reloads > 0 and failed > 0, rows  # the control: a flush loses requests
    for name in ("lvs_dr.sh reload, no change", "lvs_dr.sh reload, 1 rule changed"):
        reloads, lines, failed = rows[name]
        assert reloads > 0 and failed == 0, (name, rows)
    assert rows["lvs_dr.sh reload, 1 rule changed"][1] > 0, rows  # it did apply changes
    assert rows["lvs_dr.sh reload, no change"][1] == 0, rows


@pytest.mark.vm
def test_hostile_scenarios_in_vm(vm_session: dict[str, str]) -> None:
    """Issue 10 on the real kernel (tests/e2e/hostile/): every IPVS option combination round-trips
    through `ipvsadm -R` / `ipvsadm -Sn` and lvs_dr.sh; two clusters share one director; start
    killed by SIGTERM at 40 points is always fully undone by stop; damaged state is refused."""
    rc, out, passed, failed = vm_job(vm_session, "hostile")
    print(out)
    assert rc == 0 and failed == 0 and passed >= 40, out[-8000:]
    for line in (
        "PASS: matrix: ipvsadm -Sn prints ipvsadm.rules back byte for byte (171 services)",
        "PASS: matrix: after start ipvsadm -Sn equals ipvsadm.rules byte for byte",
        "PASS: matrix: status exits 0",
        "PASS: matrix: a second start changes nothing",
        "PASS: matrix: the drain survived stop and start",
        "PASS: two: B still passes status after A stopped",
        "PASS: two: after both stopped the director is exactly as before (foreign service, routes, sysctl)",
        "PASS: damaged cluster state: nothing changed",
    ):
        assert line in out, line
    assert re.search(r"PASS: sigterm: start killed at (\d+) of \1 points", out), out[-4000:]


@pytest.mark.vm
def test_fake_ipvsadm_matches_the_real_kernel(vm_session: dict[str, str]) -> None:
    """The runtime tier's fake ipvsadm (tests/runtime/) cannot drift: the real ipvsadm on the real
    kernel must print tests/runtime/crosscheck.expected byte for byte (the fake is held to the same
    file by tests/runtime/test_fake_ipvsadm.py)."""
    rc, out, passed, failed = vm_job(vm_session, "fakecheck")
    print(out[-4000:])
    assert rc == 0 and failed == 0 and passed >= 1, out[-8000:]


@pytest.mark.vm
def test_keepalived_pair_in_vm(vm_session: dict[str, str], tmp_path: Path) -> None:
    """Issue 12 on the real kernel (tests/e2e/ha/): examples/ha-pair.ldr's two directors run the
    real keepalived with ldrc's keepalived.conf; health checks, failover with connection sync,
    preemption, and the negative controls (no sync, no checks, the seed's single director)."""
    assert "\nengine keepalived" in HA_EXAMPLE.read_text() and HA_EXAMPLE not in EXAMPLES
    rc, out, passed, failed = vm_job(vm_session, "ha")
    print(out)
    assert rc == 0 and failed == 0 and passed >= 40, out[-8000:]
    for line in (
        "PASS: pair: ARP for 192.168.50.100 is answered by the master's MAC only",
        "PASS: rs: then 200 requests, 0 failed",
        "PASS: kill: all 5 long-lived connections still answer after the failover (5)",
        "PASS: link: all 5 long-lived connections still answer after the failover (5)",
        "PASS: nosync: without sync the long-lived connections break on failover (0 of 5 kept)",
        "PASS: nocheck: and keeps receiving requests",
        "PASS: seed: its director down 8 s is an outage of as long",
        "PASS: nopreempt: lvs-01 came back and stayed backup: lvs-02 keeps the VIP",
        "PASS: fast: all 5 long-lived connections still answer (5)",
    ):
        assert line in out, line
    # bench/failover.sh formats this run's measurements: every one is there (times not gated here)
    log = tmp_path / "ha.log"
    log.write_text(out)
    env = {**os.environ, "LDRC_BENCH_GATE": "0"}
    r = subprocess.run(
        ["bash", str(ROOT / "bench" / "failover.sh"), "--from", str(log)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(r.stdout)
    assert r.returncode == 0 and "NOT MEASURED" not in r.stdout, r.stdout + r.stderr


@pytest.mark.vm
def test_reboot_in_vm(vm_session: dict[str, str]) -> None:
    """Issue 13 on the real kernel (tests/e2e/reboot/): a real server and the director of the seed
    lab rebooted (namespace deleted and made again with the same NICs) come back with only their
    persistent configuration, applied by the real systemd-sysctl and systemd-networkd and the
    unit's ExecStart: the DR checks pass again, and the real server never answers ARP for the VIP;
    the negative control (no sysctl.d) does."""
    rc, out, passed, failed = vm_job(vm_session, "reboot")
    print(out)
    assert rc == 0 and failed == 0 and passed >= 30, out[-8000:]
    for line in (
        "PASS: nginx03: silent on ARP for 192.168.50.100 all through its boot",
        "PASS: nginx03: silent on ARP with the VIP on lo before lvs_rs.sh ran (sysctl.d first)",
        "PASS: after nginx03 rebooted: requests through the router are answered by both real servers in turn",
        "PASS: after lvs-01 rebooted: the director's IPVS table equals ipvsadm.rules",
        "PASS: after lvs-01 rebooted: requests through the router are answered by both real servers in turn",
        "PASS: control: without sysctl.d, nginx03 answers ARP for 192.168.50.100 once networkd put it on lo",
    ):
        assert line in out, line


@pytest.mark.vm
def test_deploy_with_ansible_in_vm(vm_session: dict[str, str]) -> None:
    """Issue 13 on the real kernel (tests/e2e/deploy/): the real ansible-playbook, in a controller
    namespace of the guest, deploys the seed lab over ssh to hosts that are namespaces with their
    own sshd and private mounts. First run: every host up, the live IPVS table is ipvsadm.rules,
    DR for real (both real servers answer through the router, ARP answered by the director only);
    second run changes nothing; --check --diff of a changed weight reports it and changes nothing;
    the change applied; a start the kernel refuses is rolled back."""
    rc, out, passed, failed = vm_job(vm_session, "deploy")
    print(out)
    assert rc == 0 and failed == 0 and passed >= 40, out[-8000:]
    for line in (
        "PASS: first: ansible-playbook exits 0",
        "PASS: first: started in the safe order: real servers, director, router (nginx02 nginx03 lvs-01 router )",
        "PASS: first: the director's live IPVS table (ipvsadm -Sn) equals ipvsadm.rules",
        "PASS: first: 6 requests client -> router 192.168.20.50:80 -> director -> answered by nginx02 nginx03 in turn",
        "PASS: first: ARP for 192.168.50.100 from the router's LAN side: only the director's MAC",
        "PASS: second: changed=0 on every host",
        "PASS: check: the director's plan reports the change",
        "PASS: check: no other host is",
        "PASS: check: the director's live IPVS table is unchanged",
        "PASS: changed: the live IPVS table equals the new ipvsadm.rules (weight 3)",
        "PASS: rollback: reported: the previous files are back and their start exited 0",
        "PASS: rollback: the live IPVS table is as before the run",
        "PASS: rollback: 6 requests client -> router 192.168.20.50:80 -> director -> answered by nginx02 nginx03 in turn",
    ):
        assert line in out, line
