"""The templates as jinja2-generated Python (compiler/template_code.py). GENERATED, DO NOT EDIT.

Regenerate after every template change: python -m compiler.template_code --write
(tests/test_templates.py fails while they differ from templates/).
"""

JINJA2_VERSION = "3.1.6"

MODULES: dict[str, str] = {
    "ansible/host-tasks.yml.j2": "ansible__host_tasks_yml",
    "ansible/inventory.yml.j2": "ansible__inventory_yml",
    "ansible/site.yml.j2": "ansible__site_yml",
    "keepalived/keepalived.conf.j2": "keepalived__keepalived_conf",
    "keepalived/lvs_dr.sh.j2": "keepalived__lvs_dr_sh",
    "net/ifcfg.j2": "net__ifcfg",
    "net/networkd.conf.j2": "net__networkd_conf",
    "net/networkd.network.j2": "net__networkd_network",
    "net/nmconnection.j2": "net__nmconnection",
    "net/route.j2": "net__route",
    "net/sysctl.conf.j2": "net__sysctl_conf",
    "router/iptables.rules.j2": "router__iptables_rules",
    "shell/_lib.sh.j2": "shell___lib_sh",
    "shell/_net.sh.j2": "shell___net_sh",
    "shell/_sysctl.sh.j2": "shell___sysctl_sh",
    "shell/lvs_dr.sh.j2": "shell__lvs_dr_sh",
    "shell/lvs_router.sh.j2": "shell__lvs_router_sh",
    "shell/lvs_rs.sh.j2": "shell__lvs_rs_sh",
    "systemd/ldrc.service.j2": "systemd__ldrc_service",
}
