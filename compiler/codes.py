"""Diagnostic codes: slug, explanation, and a wrong and a fixed example for each.

`ldrc explain CODE` prints an entry. tests/test_explain.py compiles every
`wrong` example (it must report the code) and every `fixed` one (it must
compile cleanly), so the explanations cannot drift from the checks.
"""

from __future__ import annotations

from dataclasses import dataclass

# A small valid cluster that most examples extend.
BASE = """\
host d1 director { interface eth0 10.0.0.2/24 }
host r1 realserver { interface eth0 10.0.0.11/24 gateway 10.0.0.1 }
host r2 realserver { interface eth0 10.0.0.12/24 gateway 10.0.0.1 }
"""
GOOD_VIP = "vip 10.0.0.100 tcp 80 rr -> rs .11 .12\n"
# BASE with a second director and `engine keepalived` (high availability).
HA = "engine keepalived\n" + BASE + "host d2 director { interface eth0 10.0.0.3/24 }\n"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    slug: str
    explanation: str
    wrong: str = ""
    fixed: str = ""
    path: str = "example.ldr"  # the examples' file name (E224 is about the name)


def _c(code: str, slug: str, explanation: str, wrong: str = "", fixed: str = "", path: str = "example.ldr") -> Code:
    return Code(code, slug, explanation, wrong, fixed, path)


_ALL = (
    # -- E1xx: syntax ---------------------------------------------------------
    _c(
        "E101",
        "unexpected-token",
        "The parser met a token that cannot stand at this place in a statement. The help line lists what may.",
        BASE + "vip 10.0.0.100 tcp 80 rr rs .11 .12\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E102",
        "unexpected-character",
        "The file has a character that starts no token of the language, such as `$`, `;`, a quote or a\n"
        "non-ASCII letter. Names are ASCII letters, digits, `_`, `.` and `-`; this also keeps shell\n"
        "syntax out of the generated scripts.",
        BASE.replace("host r2 ", "host r$(reboot) "),
        BASE,
    ),
    _c(
        "E103",
        "unexpected-eof",
        "The file ends in the middle of a statement (a missing `}` or real server list, for example).",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E104",
        "invalid-utf8",
        "The file is not UTF-8 text.",
    ),
    _c(
        "E110",
        "invalid-address",
        "An IPv4 address is four decimal octets 0-255 without leading zeros, e.g. 192.168.50.100.",
        BASE + "vip 10.0.0.300 tcp 80 rr -> rs .11 .12\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E111",
        "invalid-cidr",
        "A CIDR is an IPv4 address, a slash and a prefix length 0-32. Where a network is meant\n"
        "(`network`, `route`, `snat`), the host bits must be zero: 192.168.50.0/24, not 192.168.50.1/24.",
        "network lan 10.0.0.1/24\n" + BASE + GOOD_VIP,
        "network lan 10.0.0.0/24\n" + BASE + GOOD_VIP,
    ),
    _c(
        "E112",
        "invalid-port",
        "Ports are 1 to 65535.",
        BASE + "vip 10.0.0.100 tcp 0 rr -> rs .11 .12\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E113",
        "invalid-weight",
        "IPVS weights are 0 to 65535 (ipvsadm(8), -w). Weight 0 quiesces a real server: it gets no new connections.",
        BASE + "vip 10.0.0.100 tcp 80 wrr -> rs .11 weight 70000 .12\n",
        BASE + "vip 10.0.0.100 tcp 80 wrr -> rs .11 weight 7 .12\n",
    ),
    _c(
        "E114",
        "invalid-timeout",
        "A persistence timeout is 1 to 2678400 seconds (31 days). `persistent` alone means 300 s, as in ipvsadm.",
        BASE + "vip 10.0.0.100 tcp 80 rr persistent 0 -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 tcp 80 rr persistent 600 -> rs .11 .12\n",
    ),
    _c(
        "E115",
        "invalid-netmask",
        "A persistence netmask (ipvsadm -M) is a contiguous IPv4 mask such as 255.255.255.0: clients in the\n"
        "same masked network stick to the same real server.",
        BASE + "vip 10.0.0.100 tcp 80 rr persistent netmask 255.0.255.0 -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 tcp 80 rr persistent netmask 255.255.255.0 -> rs .11 .12\n",
    ),
    _c(
        "E116",
        "invalid-check-value",
        "Health check values (engine keepalived): `interval` and `timeout` are 1-3600 seconds, `retries`\n"
        "0-100, an HTTP `status` 100-599.",
        HA + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check tcp interval 0\n",
        HA + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check tcp interval 2\n",
    ),
    _c(
        "E117",
        "invalid-vrid",
        "A VRRP virtual router id is 1-255, and two clusters whose directors share a LAN need different\n"
        "ones (the backups would take the other cluster's advertisements for their own). Without `vrid N`\n"
        "ldrc derives it from the cluster name (the first 4 bytes of its SHA-256, modulo 255, plus 1; the\n"
        "keepalived.conf comment says which): one file cannot see another cluster, so when two derived\n"
        "ids collide on one LAN, give one of the clusters `vrid N`.",
        HA + "vrid 256\n" + GOOD_VIP,
        HA + "vrid 51\n" + GOOD_VIP,
    ),
    _c(
        "E118",
        "invalid-priority",
        "A director's VRRP priority is 1-254 (255 belongs to the owner of the addresses, and no director\n"
        "owns a VIP). The highest priority is the master. Without `priority`, directors get 150, 140, 130\n"
        "... in the order they are declared.",
        HA + "priority d1 255\n" + GOOD_VIP,
        HA + "priority d1 200\n" + GOOD_VIP,
    ),
    _c(
        "E119",
        "invalid-vrrp-timer",
        "`advert` is the VRRP advertisement interval: whole seconds 1-255 (VRRPv2, as keepalived runs by\n"
        "default), or a fraction of a second 0.01-40.95 with at most two decimals, for which ldrc\n"
        "configures VRRPv3 (its field counts centiseconds, in 12 bits; VRRPv2's counts whole seconds).\n"
        "`preempt delay` is 0-1000 seconds, keepalived's range for preempt_delay.",
        HA + "advert 0.125\n" + GOOD_VIP,
        HA + "advert 0.25\n" + GOOD_VIP,
    ),
    _c(
        "E120",
        "unknown-scheduler",
        "The scheduler must be one of ipvsadm 1.31's: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh.",
        BASE + "vip 10.0.0.100 tcp 80 roundrobin -> rs .11 .12\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E121",
        "unknown-protocol",
        "A service's protocol is tcp or udp (IPVS also balances SCTP, which ldrc does not generate yet).",
        BASE + "vip 10.0.0.100 http 80 rr -> rs .11 .12\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E122",
        "unknown-method",
        "The forwarding method is dr (gatewaying, -g), tun (IP-in-IP, -i) or nat (masquerading, -m).",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 via route\n",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 via dr\n",
    ),
    _c(
        "E123",
        "unknown-sched-flag",
        "Scheduler flags exist only for sh (sh-fallback, sh-port) and mh (mh-fallback, mh-port).",
        BASE + "vip 10.0.0.100 udp 53 sh flags sh-port,sh-sticky -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 udp 53 sh flags sh-port -> rs .11 .12\n",
    ),
    _c(
        "E124",
        "invalid-name",
        "Host, network, cluster and interface names reach file names and shell scripts, so they follow\n"
        "strict patterns: host names are DNS labels (letters, digits, `-`); interface names have at most\n"
        "15 characters (IFNAMSIZ), and `lo`, `all` and `default` are not interface names (the loopback\n"
        "and two sysctl scopes). `all`, `ungrouped`, `realservers`, `directors` and `routers` are not host\n"
        "names: they are the groups of the Ansible inventory, whose plays a host so named would hijack.",
        BASE.replace("host r2 ", "host r2.example "),
        BASE,
    ),
    _c(
        "E125",
        "unknown-role",
        "A host's role is director, realserver, router or client.",
        BASE.replace("host r2 realserver", "host r2 backend"),
        BASE,
    ),
    _c(
        "E126",
        "duplicate-option",
        "Each service option (flags, persistent, netmask, ops; check, interval, timeout, retries, on-failure,\n"
        "sorry) may be given once, and so may `engine`, `vrid`, `sync`, `advert`, `preempt` and a\n"
        "director's `priority`.",
        BASE + "vip 10.0.0.100 tcp 80 rr persistent 60 persistent 120 -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 tcp 80 rr persistent 120 -> rs .11 .12\n",
    ),
    _c(
        "E127",
        "unknown-policy",
        "The router's forward policy is accept or drop.",
        "host gw router { interface eth0 10.0.0.1/24 forward deny }\n",
        "host gw router { interface eth0 10.0.0.1/24 forward drop }\n",
    ),
    _c(
        "E128",
        "unknown-engine",
        "The director engine is `script` (the default: lvs_dr.sh manages the VIPs and the IPVS table) or\n"
        "`keepalived` (keepalived owns the VIPs by VRRP and the IPVS table, with health checks; several\n"
        "directors).",
        "engine vrrp\n" + BASE + GOOD_VIP,
        "engine keepalived\n" + BASE + GOOD_VIP,
    ),
    _c(
        "E129",
        "invalid-check",
        "A health check is `check http [PATH] [status N]`, `check https [PATH] [status N]`, `check tcp`,\n"
        "`check udp` or `check dns` (keepalived HTTP_GET, SSL_GET, TCP_CHECK, UDP_CHECK, DNS_CHECK with an SOA\n"
        "query for `.`), after the real servers; `interval`, `timeout`, `retries`, `on-failure` and `sorry`\n"
        "configure it, so they need a `check`.",
        HA + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check ping\n",
        HA + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check tcp\n",
    ),
    _c(
        "E130",
        "unknown-value",
        "`on-failure` is `remove` (keepalived takes a failed real server out of the table, the default) or\n"
        "`inhibit` (its weight becomes 0: inhibit_on_failure, so persistent clients drain); `sync` is `on`\n"
        "or `off`; `preempt` is `on`, `off` or `delay SECONDS`.",
        HA + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check tcp on-failure drain\n",
        HA + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check tcp on-failure inhibit\n",
    ),
    # -- E2xx: the model -------------------------------------------------------
    _c(
        "E201",
        "unknown-host",
        "A real server named by host name, or by an address, must be a declared host\n"
        "(`host NAME realserver { interface ... }`): ldrc generates its script.",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 r3\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E202",
        "bad-host-suffix",
        "`.N` means host number N on the network the VIP lives on (10.0.0.0/24 + 22 = 10.0.0.22). N must\n"
        "leave the network and broadcast addresses out.",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .255\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E203",
        "rs-not-on-director-network",
        "Direct routing rewrites only the destination MAC address, so every real server must share an L2\n"
        "network with the director: the frame goes straight to the real server's MAC.",
        BASE + "host r3 realserver { interface eth0 10.0.1.13/24 gateway 10.0.1.1 }\n"
        "vip 10.0.0.100 tcp 80 rr -> rs .11 10.0.1.13\n",
        BASE + "host r3 realserver { interface eth0 10.0.0.13/24 gateway 10.0.0.1 }\n"
        "vip 10.0.0.100 tcp 80 rr -> rs .11 10.0.0.13\n",
    ),
    _c(
        "E204",
        "duplicate-name",
        "Every host, network and interface of a host has one name, and is declared once.",
        BASE + "host r1 realserver { interface eth0 10.0.0.13/24 }\n",
        BASE + "host r3 realserver { interface eth0 10.0.0.13/24 gateway 10.0.0.1 }\n",
    ),
    _c(
        "E205",
        "director-count",
        "A cluster has exactly one director host with the script engine; several VIPs may share it. With\n"
        "`engine keepalived` it may have several (a VRRP pair), and needs at least one.",
        BASE.replace("host d1 director { interface eth0 10.0.0.2/24 }\n", "") + GOOD_VIP,
        BASE + GOOD_VIP,
    ),
    _c(
        "E206",
        "dr-port-remap",
        "In direct routing the director forwards the frame unchanged above L2, so a real server receives\n"
        "the VIP's port; ipvsadm silently ignores another port. Use the same port, or NAT.",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11:8080 .12:8080\n",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11:80 .12:80\n",
    ),
    _c(
        "E207",
        "duplicate-service",
        "A VIP, protocol and port combination can be declared once.",
        BASE + GOOD_VIP + "vip 10.0.0.100 tcp 80,443 rr -> rs .11\n",
        BASE + GOOD_VIP + "vip 10.0.0.100 tcp 443 rr -> rs .11\n",
    ),
    _c(
        "E208",
        "duplicate-real-server",
        "A real server appears twice in one service (perhaps as `.11` and as its host name).",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 r1\n",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 r2\n",
    ),
    _c(
        "E209",
        "director-as-real-server",
        "The director cannot be a real server of its own VIP: it would forward the VIP's traffic to itself.",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .2 .11\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E210",
        "vip-is-host-address",
        "A VIP must not be some host's own interface address: the director carries it as an extra /32 and\n"
        "every real server on lo.",
        BASE + "vip 10.0.0.11 tcp 80 rr -> rs .12\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E211",
        "not-a-real-server",
        "A host named as a real server has another role (or a router statement sits in a non-router host).",
        BASE + "host c1 client { interface eth0 10.0.0.50/24 }\nvip 10.0.0.100 tcp 80 rr -> rs .11 c1\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E212",
        "interface-not-found",
        "An address refers to a host that has no interface on the needed network: a VIP outside the\n"
        "director's networks, or a router address that is not the router's own.",
        BASE + "vip 10.9.9.100 tcp 80 rr -> rs 10.0.0.11\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E213",
        "publish-unknown-vip",
        "The router publishes to an address or a port that no VIP serves: clients would be sent nowhere.",
        BASE + "host gw router { interface eth1 192.0.2.1/24 interface eth0 10.0.0.1/24\n"
        "  publish 192.0.2.1 tcp 443 -> 10.0.0.100 }\n" + GOOD_VIP,
        BASE + "host gw router { interface eth1 192.0.2.1/24 interface eth0 10.0.0.1/24\n"
        "  publish 192.0.2.1 tcp 80 -> 10.0.0.100 }\n" + GOOD_VIP,
    ),
    _c(
        "E214",
        "gateway-off-link",
        "A gateway or a route's next hop must be on one of the host's interface networks (and not the\n"
        "host's own address), or the kernel refuses the route.",
        BASE.replace("gateway 10.0.0.1 }\nhost r2", "gateway 10.1.0.1 }\nhost r2") + GOOD_VIP,
        BASE + GOOD_VIP,
    ),
    _c(
        "E215",
        "sched-flags-unsupported",
        "Scheduler flags were given for a scheduler that has none; only sh and mh have flags.",
        BASE + "vip 10.0.0.100 tcp 80 rr flags sh-port -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 tcp 80 sh flags sh-port -> rs .11 .12\n",
    ),
    _c(
        "E216",
        "ops-on-tcp",
        "One-packet scheduling (ops) schedules every packet on its own, which breaks TCP connections; it\n"
        "is for UDP services such as DNS or syslog.",
        BASE + "vip 10.0.0.100 tcp 80 rr ops -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 udp 53 rr ops -> rs .11 .12\n",
    ),
    _c(
        "E217",
        "all-weights-zero",
        "With weight 0 on every real server the service accepts connections and sends them nowhere.",
        BASE + "vip 10.0.0.100 tcp 80 wrr -> rs .11 weight 0 .12 weight 0\n",
        BASE + "vip 10.0.0.100 tcp 80 wrr -> rs .11 weight 1 .12 weight 0\n",
    ),
    _c(
        "E218",
        "no-snat-source",
        "A router's `snat` names a network that is not declared; declare it or write the CIDR.",
        "host gw router { interface eth1 192.0.2.1/24 interface eth0 10.0.0.1/24 snat lan -> 192.0.2.1 }\n",
        "network lan 10.0.0.0/24\n"
        "host gw router { interface eth1 192.0.2.1/24 interface eth0 10.0.0.1/24 snat lan -> 192.0.2.1 }\n",
    ),
    _c(
        "E219",
        "netmask-without-persistence",
        "A persistence netmask only means something for a persistent service: add `persistent`.",
        BASE + "vip 10.0.0.100 tcp 80 rr netmask 255.255.255.0 -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 tcp 80 rr persistent netmask 255.255.255.0 -> rs .11 .12\n",
    ),
    _c(
        "E220",
        "real-server-without-vip-network",
        "A real server named by host has no interface on the director's network, so it cannot receive the\n"
        "frames the director forwards.",
        BASE + "host r3 realserver { interface eth0 10.0.1.13/24 }\nvip 10.0.0.100 tcp 80 rr -> rs r1 r3\n",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs r1 r2\n",
    ),
    _c(
        "E221",
        "router-count",
        "A cluster has at most one router host.",
        "host gw1 router { interface eth0 10.0.0.1/24 }\nhost gw2 router { interface eth0 10.0.0.3/24 }\n",
        "host gw1 router { interface eth0 10.0.0.1/24 }\n",
    ),
    _c(
        "E222",
        "address-conflict",
        "Two interfaces declare the same address.",
        BASE.replace("10.0.0.12/24", "10.0.0.11/24"),
        BASE,
    ),
    _c(
        "E223",
        "vip-not-a-host-address",
        "The VIP is the network or the broadcast address of its network; no host can carry it.",
        BASE + "vip 10.0.0.255 tcp 80 rr -> rs .11 .12\n",
        BASE + GOOD_VIP,
    ),
    _c(
        "E225",
        "check-protocol-mismatch",
        "http, https and tcp checks connect over TCP; udp and dns checks send UDP. A check of the other\n"
        "protocol tests a port nobody serves and takes every real server out.",
        HA + "vip 10.0.0.100 udp 53 rr -> rs .11 .12 check tcp\n",
        HA + "vip 10.0.0.100 udp 53 rr -> rs .11 .12 check dns\n",
    ),
    _c(
        "E226",
        "peer-not-on-vip-network",
        "With `engine keepalived` every director takes the VIPs over from the others: it announces them by\n"
        "ARP and forwards to the real servers by MAC address, so each director needs an interface on the\n"
        "VIPs' network (keepalived -t accepts a director that is not).",
        HA.replace("d2 director { interface eth0 10.0.0.3/24", "d2 director { interface eth0 10.0.1.3/24") + GOOD_VIP,
        HA + GOOD_VIP,
    ),
    _c(
        "E227",
        "priority-tie",
        "Two directors with the same VRRP priority: which one is master then depends on their addresses\n"
        "(the higher wins), not on the file. Give each its own `priority HOST N`.",
        HA + "priority d1 100\npriority d2 100\n" + GOOD_VIP,
        HA + "priority d1 100\npriority d2 90\n" + GOOD_VIP,
    ),
    _c(
        "E228",
        "keepalived-only",
        "Health checks (`check` and its options), `priority`, `vrid`, `sync`, `advert` and `preempt` are\n"
        "done by keepalived: they need `engine keepalived`. The script engine's IPVS table is static.",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check tcp\n",
        "engine keepalived\n" + BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 check tcp\n",
    ),
    _c(
        "E229",
        "keepalived-vip-networks",
        "With `engine keepalived` one VRRP instance on one LAN interface carries every VIP of the cluster,\n"
        "so the VIPs are on one network. Put the others in a second cluster.",
        HA.replace("10.0.0.2/24 }", "10.0.0.2/24 interface eth1 10.0.1.2/24 }").replace(
            "10.0.0.3/24 }", "10.0.0.3/24 interface eth1 10.0.1.3/24 }"
        )
        + GOOD_VIP
        + "host r4 realserver { interface eth0 10.0.1.14/24 gateway 10.0.1.1 }\n"
        + "vip 10.0.1.100 tcp 80 rr -> rs .14\n",
        HA + GOOD_VIP,
    ),
    _c(
        "E230",
        "same-management-address",
        "Two hosts have the same `manage` address. `manage` is where Ansible reaches a host (the\n"
        "inventory's ansible_host), and every host of a cluster is a machine of its own: Ansible would\n"
        "install both hosts' files on one machine, and one host's unit (ldrc-<cluster>.service) would\n"
        "replace the other's. DNS names are compared without regard to case.",
        BASE.replace("gateway 10.0.0.1 }", "gateway 10.0.0.1 manage 192.0.2.11 }", 2) + GOOD_VIP,
        BASE.replace("10.0.0.11/24 gateway 10.0.0.1 }", "10.0.0.11/24 gateway 10.0.0.1 manage 192.0.2.11 }").replace(
            "10.0.0.12/24 gateway 10.0.0.1 }", "10.0.0.12/24 gateway 10.0.0.1 manage 192.0.2.12 }"
        )
        + GOOD_VIP,
    ),
    _c(
        "E224",
        "no-cluster-name",
        "Each host keeps what start changed under /var/lib/ldrc/<cluster>/, so two clusters on one host\n"
        "must have different names. Without a `cluster` statement the name is the file name without\n"
        "`.ldr`; a file name that is not a valid name (`shop.v1.ldr`) is an error rather than a guess,\n"
        "because a guess such as `cluster` would let two clusters clobber each other's state.",
        BASE + GOOD_VIP,
        "cluster shop-v1\n" + BASE + GOOD_VIP,
        path="shop.v1.ldr",
    ),
    # -- W3xx: suspicious but valid ---------------------------------------------
    _c(
        "W301",
        "rs-gateway-not-router",
        "A real server's default gateway is not the router: its replies to clients would bypass the\n"
        "router's NAT, and the client, which talks to the public address, drops them.",
        BASE.replace("10.0.0.12/24 gateway 10.0.0.1", "10.0.0.12/24 gateway 10.0.0.254")
        + "host gw router { interface eth0 10.0.0.1/24 }\n"
        + GOOD_VIP,
        BASE + "host gw router { interface eth0 10.0.0.1/24 }\n" + GOOD_VIP,
    ),
    _c(
        "W302",
        "equal-weights",
        "wrr or wlc with all weights equal behaves exactly like rr or lc: set weights, or say what you mean.",
        BASE + "vip 10.0.0.100 tcp 80 wrr -> rs .11 .12\n",
        BASE + "vip 10.0.0.100 tcp 80 wrr -> rs .11 weight 2 .12\n",
    ),
    _c(
        "W303",
        "no-real-server-gateway",
        "A real server has no default gateway: in direct routing it answers clients itself, through its\n"
        "default route, so clients outside the LAN get no answer.",
        BASE.replace("10.0.0.12/24 gateway 10.0.0.1", "10.0.0.12/24") + GOOD_VIP,
        BASE + GOOD_VIP,
    ),
    _c(
        "W304",
        "manage-not-deployed",
        "A host that ldrc writes no files for has a `manage` address: a client, or a real server that\n"
        "serves no VIP. It is not in the Ansible inventory, so the address is never used.",
        BASE + "host c1 client { interface eth0 10.0.0.50/24 manage 192.0.2.50 }\n" + GOOD_VIP,
        BASE + "host c1 client { interface eth0 10.0.0.50/24 }\n" + GOOD_VIP,
    ),
    # -- E4xx: what the targets cannot express ---------------------------------------
    _c(
        "E401",
        "method-unsupported",
        "This version generates direct routing (dr) only; tun and nat are recognised and refused.",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 via nat\n",
        BASE + "vip 10.0.0.100 tcp 80 rr -> rs .11 .12 via dr\n",
    ),
    _c(
        "E402",
        "alias-label-too-long",
        "The director carries every VIP as a /32 on its LAN interface with the label `<interface>:<n>`\n"
        "(as `ip address add ... label` and the ifcfg alias files need). The kernel refuses labels of\n"
        "more than 15 characters, so `enx00e04c680001:1` cannot exist: rename the interface.",
        BASE.replace("d1 director { interface eth0", "d1 director { interface enx00e04c680001") + GOOD_VIP,
        BASE + GOOD_VIP,
    ),
    # -- E9xx ----------------------------------------------------------------------
    _c(
        "E901",
        "internal-error",
        "ldrc itself failed. This is a bug, not a problem with your input: please report it with the input\n"
        "file and the output of the same command with --debug.",
    ),
)

CODES: dict[str, Code] = {c.code: c for c in _ALL}


def explain(code: str) -> str | None:
    c = CODES.get(code.upper())
    if c is None:
        return None
    out = [f"{c.code} ({c.slug})", "", c.explanation]
    if c.wrong:
        out += ["", "Wrong:", *("    " + line for line in c.wrong.splitlines())]
    if c.fixed:
        out += ["", "Fixed:", *("    " + line for line in c.fixed.splitlines())]
    return "\n".join(out)
