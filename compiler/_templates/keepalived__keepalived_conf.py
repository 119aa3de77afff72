# keepalived/keepalived.conf.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'keepalived/keepalived.conf.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_d = resolve('d')
    l_0_cluster = resolve('cluster')
    l_0_k = resolve('k')
    l_0_advert_int = resolve('advert_int')
    l_0_vrid_note = resolve('vrid_note')
    l_0_preempt_note = resolve('preempt_note')
    l_0_state = resolve('state')
    l_0_kd = resolve('kd')
    l_0_advert_note = resolve('advert_note')
    l_0_garp_delay = resolve('garp_delay')
    l_0_garp_repeat = resolve('garp_repeat')
    l_0_services = resolve('services')
    try:
        t_1 = environment.filters['string']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'string' found.")
    try:
        t_2 = environment.filters['upper']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'upper' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n#\n# keepalived configuration of director '
    yield str(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'host'), 'name'))
    yield ' in cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield '\n# (ldrc engine keepalived). keepalived owns the VIPs (VRRP instance '
    yield str(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'instance'))
    yield ') and\n# the IPVS table (virtual_server blocks, direct routing), and checks the real servers.\n# Install with `lvs_dr.sh start`, which validates it (keepalived -t) and reloads keepalived.\n\nglobal_defs {\n    router_id '
    yield str(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'host'), 'name'))
    yield '\n'
    if (environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'vrrp_version') == 3):
        pass
        yield '    # VRRP version 3 on every director: `advert '
        yield str((undefined(name='advert_int') if l_0_advert_int is missing else l_0_advert_int))
        yield '` is a fraction of a second, which\n    # only VRRPv3 carries (in centiseconds; VRRPv2 counts whole seconds)\n    vrrp_version 3\n'
    if environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'sync'):
        pass
        yield '    # IPVS connection sync to the other director(s): the master sends, the backups\n    # receive, following the VRRP state (established connections survive a failover)\n    lvs_sync_daemon '
        yield str(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'dev'))
        yield ' '
        yield str(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'instance'))
        yield ' id '
        yield str(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'vrid'))
        yield '\n'
    yield '}\n\n# virtual_router_id '
    yield str(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'vrid'))
    yield ': '
    yield str((undefined(name='vrid_note') if l_0_vrid_note is missing else l_0_vrid_note))
    yield '\nvrrp_instance '
    yield str(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'instance'))
    yield ' {\n'
    for l_1_line in (undefined(name='preempt_note') if l_0_preempt_note is missing else l_0_preempt_note):
        _loop_vars = {}
        pass
        yield '    # '
        yield str(l_1_line)
        yield '\n'
    l_1_line = missing
    yield '    state '
    yield str((undefined(name='state') if l_0_state is missing else l_0_state))
    yield '\n'
    if (not environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'preempt')):
        pass
        yield '    nopreempt\n'
    if (not t_3(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'preempt_delay'))):
        pass
        yield '    preempt_delay '
        yield str(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'preempt_delay'))
        yield '\n'
    yield '    interface '
    yield str(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'dev'))
    yield '\n    virtual_router_id '
    yield str(environment.getattr((undefined(name='k') if l_0_k is missing else l_0_k), 'vrid'))
    yield '\n    priority '
    yield str(environment.getattr((undefined(name='kd') if l_0_kd is missing else l_0_kd), 'priority'))
    yield '\n'
    for l_1_line in (undefined(name='advert_note') if l_0_advert_note is missing else l_0_advert_note):
        _loop_vars = {}
        pass
        yield '    # '
        yield str(l_1_line)
        yield '\n'
    l_1_line = missing
    yield '    advert_int '
    yield str((undefined(name='advert_int') if l_0_advert_int is missing else l_0_advert_int))
    yield '\n'
    if environment.getattr((undefined(name='kd') if l_0_kd is missing else l_0_kd), 'peers'):
        pass
        yield '    # unicast VRRP between the directors (multicast is often filtered)\n    unicast_src_ip '
        yield str(environment.getattr((undefined(name='kd') if l_0_kd is missing else l_0_kd), 'src'))
        yield '\n    unicast_peer {\n'
        for l_1_p in environment.getattr((undefined(name='kd') if l_0_kd is missing else l_0_kd), 'peers'):
            _loop_vars = {}
            pass
            yield '        '
            yield str(l_1_p)
            yield '\n'
        l_1_p = missing
        yield '    }\n'
    yield '    # gratuitous ARP on takeover, and a second round '
    yield str((undefined(name='garp_delay') if l_0_garp_delay is missing else l_0_garp_delay))
    yield ' s later\n    garp_master_delay '
    yield str((undefined(name='garp_delay') if l_0_garp_delay is missing else l_0_garp_delay))
    yield '\n    garp_master_repeat '
    yield str((undefined(name='garp_repeat') if l_0_garp_repeat is missing else l_0_garp_repeat))
    yield '\n    virtual_ipaddress {\n'
    for l_1_v in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'vips'):
        _loop_vars = {}
        pass
        yield '        '
        yield str(environment.getattr(l_1_v, 'text'))
        yield '/32 dev '
        yield str(environment.getattr(l_1_v, 'dev'))
        yield ' label '
        yield str(environment.getattr(l_1_v, 'label'))
        yield '\n'
    l_1_v = missing
    yield '    }\n}\n'
    for l_1_s in (undefined(name='services') if l_0_services is missing else l_0_services):
        _loop_vars = {}
        pass
        yield '\nvirtual_server '
        yield str(environment.getattr(l_1_s, 'vip'))
        yield ' '
        yield str(environment.getattr(l_1_s, 'port'))
        yield ' {\n    lvs_sched '
        yield str(environment.getattr(l_1_s, 'scheduler'))
        yield '\n    lvs_method DR\n    protocol '
        yield str(t_2(environment.getattr(environment.getattr(l_1_s, 'protocol'), 'value')))
        yield '\n'
        if (not t_3(environment.getattr(l_1_s, 'persistent'))):
            pass
            yield '    persistence_timeout '
            yield str(environment.getattr(l_1_s, 'persistent'))
            yield '\n'
            if ((not t_3(environment.getattr(l_1_s, 'netmask'))) and (t_1(environment.getattr(l_1_s, 'netmask')) != '255.255.255.255')):
                pass
                yield '    persistence_granularity '
                yield str(environment.getattr(l_1_s, 'netmask'))
                yield '\n'
        if environment.getattr(l_1_s, 'one_packet'):
            pass
            yield '    ops\n'
        for l_2_f in environment.getattr(l_1_s, 'sched_flags'):
            _loop_vars = {}
            pass
            yield '    '
            yield str(l_2_f)
            yield '\n'
        l_2_f = missing
        if environment.getattr(l_1_s, 'health'):
            pass
            yield '    delay_loop '
            yield str(environment.getattr(environment.getattr(l_1_s, 'health'), 'interval'))
            yield '\n'
            if environment.getattr(environment.getattr(l_1_s, 'health'), 'inhibit'):
                pass
                yield '    inhibit_on_failure\n'
            if environment.getattr(environment.getattr(l_1_s, 'health'), 'sorry'):
                pass
                yield '    sorry_server '
                yield str(environment.getattr(environment.getattr(environment.getattr(l_1_s, 'health'), 'sorry'), 'text'))
                yield ' '
                yield str(environment.getattr(l_1_s, 'port'))
                yield '\n'
        for l_2_x in environment.getattr(l_1_s, 'listed'):
            l_2_checker = resolve('checker')
            _loop_vars = {}
            pass
            yield '    real_server '
            yield str(environment.getattr(l_2_x, 'text'))
            yield ' '
            yield str(environment.getattr(l_1_s, 'port'))
            yield ' {\n        weight '
            yield str(environment.getattr(l_2_x, 'weight'))
            yield '\n'
            if environment.getattr(l_1_s, 'health'):
                pass
                yield '        '
                yield str(environment.getitem((undefined(name='checker') if l_2_checker is missing else l_2_checker), environment.getattr(environment.getattr(l_1_s, 'health'), 'kind')))
                yield ' {\n'
                if (environment.getattr(environment.getattr(l_1_s, 'health'), 'kind') in ('http', 'https')):
                    pass
                    yield '            url {\n                path '
                    yield str(environment.getattr(environment.getattr(l_1_s, 'health'), 'path'))
                    yield '\n                status_code '
                    yield str(environment.getattr(environment.getattr(l_1_s, 'health'), 'status'))
                    yield '\n            }\n'
                elif (environment.getattr(environment.getattr(l_1_s, 'health'), 'kind') == 'dns'):
                    pass
                    yield '            type SOA\n            name .\n'
                yield '            connect_timeout '
                yield str(environment.getattr(environment.getattr(l_1_s, 'health'), 'timeout'))
                yield '\n            retry '
                yield str(environment.getattr(environment.getattr(l_1_s, 'health'), 'retries'))
                yield '\n            delay_before_retry '
                yield str(environment.getattr(environment.getattr(l_1_s, 'health'), 'interval'))
                yield '\n        }\n'
            yield '    }\n'
        l_2_x = l_2_checker = missing
        yield '}\n'
    l_1_s = missing

blocks = {}
debug_info = '1=42&3=44&4=48&9=50&10=52&11=55&15=57&18=60&22=67&23=71&24=73&25=77&27=81&28=83&31=86&32=89&34=92&35=94&36=96&37=98&38=102&40=106&41=108&43=111&45=113&46=117&50=122&51=124&52=126&54=128&55=132&59=140&61=144&62=148&64=150&65=152&66=155&67=157&68=160&71=162&74=165&75=169&77=172&78=175&79=177&82=180&83=183&86=187&87=192&88=196&89=198&90=201&91=203&93=206&94=208&96=210&100=214&101=216&102=218'
