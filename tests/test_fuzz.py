"""Fuzzing: for any input the result is artifacts or diagnostics, never an exception;
valid generated clusters always compile, to shellcheck-clean scripts."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import ROOT, need_tool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.api import Result, compile_bytes

SEEDS = [p.read_bytes() for p in sorted(ROOT.glob("tests/golden/*/input.ldr"))]


def compiles_or_diagnoses(data: bytes) -> Result:
    r = compile_bytes(data, "fuzz.ldr")  # must not raise
    assert r.ok == (not any(d.is_error for d in r.diagnostics))
    if not r.ok:
        assert not r.artifacts, "nothing is produced when there are errors"
        for d in r.diagnostics:
            assert d.code and d.message and d.span.line >= 1 and d.span.column >= 1
    return r


def _tokens(data: bytes) -> list[bytes]:
    return data.replace(b"\n", b" \n ").split(b" ")


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "delete", "swap", "truncate", "huge", "utf8", "dup", "insert"]))
        if not data:
            break
        if kind == "flip":
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "utf8":
            i = draw(st.integers(0, len(data)))
            data = (
                data[:i] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x00", b"\xed\xa0\x80"])) + data[i:]
            )
        else:
            toks = _tokens(data)
            i = draw(st.integers(0, len(toks) - 1))
            if kind == "delete":
                del toks[i]
            elif kind == "swap":
                j = draw(st.integers(0, len(toks) - 1))
                toks[i], toks[j] = toks[j], toks[i]
            elif kind == "huge":
                toks[i] = draw(st.sampled_from([b"9" * 40, b"65536", b"0", b"-1", b"4294967296", b"1e9"]))
            elif kind == "dup":
                toks.insert(i, toks[i])
            else:
                toks.insert(i, draw(st.sampled_from([b"vip", b"->", b"{", b"}", b",", b":", b"rs", b".0", b"#"])))
            data = b" ".join(toks).replace(b" \n ", b"\n")
    return data


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_inputs_never_crash(data: bytes) -> None:
    compiles_or_diagnoses(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes) -> None:
    compiles_or_diagnoses(data)


# -- valid clusters ------------------------------------------------------------------

host_name = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True)
if_name = st.from_regex(r"(eth|ens|bond)[0-9]{1,2}", fullmatch=True)
SCHEDS = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"]


@st.composite
def cluster(draw: st.DrawFn) -> str:
    names = draw(st.lists(host_name, min_size=7, max_size=8, unique=True))
    third = draw(st.integers(0, 250))
    net = f"10.{third}.0"
    lan_if = draw(if_name)
    lines = [f"cluster {names[0]}", f"network lan {net}.0/24"]
    n_rs = draw(st.integers(1, 4))
    rs = names[1 : 1 + n_rs]
    lines.append(f"host {names[5]} director {{ interface {lan_if} {net}.2/24 gateway {net}.1 }}")
    for i, r in enumerate(rs):
        lines.append(f"host {r} realserver {{ interface {draw(if_name)} {net}.{11 + i}/24 gateway {net}.1 }}")
    used: set[tuple[str, int, int]] = set()
    vips = []
    for v in range(draw(st.integers(1, 3))):
        vip = 100 + v
        proto = draw(st.sampled_from(["tcp", "udp"]))
        ports = draw(st.lists(st.integers(1, 65535), min_size=1, max_size=3, unique=True))
        ports = [p for p in ports if (proto, vip, p) not in used]
        if not ports:
            continue
        used |= {(proto, vip, p) for p in ports}
        sched = draw(st.sampled_from(SCHEDS))
        opts = []
        if sched in ("sh", "mh") and draw(st.booleans()):
            opts.append(f"flags {sched}-port")
        if draw(st.booleans()):
            opts.append(f"persistent {draw(st.integers(1, 3600))}")
            if draw(st.booleans()):
                opts.append("netmask 255.255.255.0")
        if proto == "udp" and draw(st.booleans()):
            opts.append("ops")
        chosen = draw(st.lists(st.sampled_from(range(n_rs)), min_size=1, max_size=n_rs, unique=True))
        targets = []
        for i in chosen:
            t = draw(st.sampled_from([f".{11 + i}", f"{net}.{11 + i}", rs[i]]))
            if draw(st.booleans()):
                t += f" weight {draw(st.integers(1, 100))}"
            targets.append(t)
        lines.append(
            f"vip {net}.{vip} {proto} {','.join(map(str, ports))} {sched} {' '.join(opts)} -> rs {' '.join(targets)}"
        )
        vips.append((proto, vip, ports))
    if draw(st.booleans()):
        proto, vip, ports = vips[0]
        lines.append(
            f"host {names[6]} router {{ interface wan0 192.0.2.1/24 interface lan0 {net}.1/24\n"
            f"  publish 192.0.2.1 {proto} {','.join(map(str, ports))} -> {net}.{vip}\n"
            f"  snat lan -> 192.0.2.1 {'forward drop' if draw(st.booleans()) else ''} }}"
        )
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(cluster())
def test_valid_clusters_compile(text: str) -> None:
    r = compiles_or_diagnoses(text.encode())
    assert r.ok, [f"{d.code} {d.message}" for d in r.diagnostics]
    assert any(a.path.endswith("/lvs_dr.sh") for a in r.artifacts)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cluster())
def test_valid_clusters_are_shellcheck_clean(tmp_path: Path, text: str) -> None:
    shellcheck = need_tool("shellcheck")
    r = compiles_or_diagnoses(text.encode())
    assert r.ok
    files = []
    for a in r.artifacts:
        if a.lint:
            p = tmp_path / a.path.replace("/", "__")
            p.write_text(a.text)
            files.append(str(p))
    s = subprocess.run([shellcheck, "--severity=style", *files], capture_output=True, text=True)
    assert s.returncode == 0, s.stdout
