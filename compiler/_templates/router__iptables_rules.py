# router/iptables.rules.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'router/iptables.rules.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_r = resolve('r')
    l_0_cluster = resolve('cluster')
    l_0_jumps = resolve('jumps')
    l_0_chains = resolve('chains')
    l_0_scope = resolve('scope')
    try:
        t_1 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Router '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'host'), 'name'))
    yield ' of cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ": ldrc's own iptables chains only,\n# in iptables-save format. Load with `iptables-restore --noflush < iptables.rules`\n# (lvs_router.sh start does, and adds the jumps below): --noflush keeps every other\n# rule, chain and policy; a `:CHAIN - [0:0]` line creates the chain or, when it\n# exists, flushes that chain alone. A plain `iptables-restore` (without --noflush)\n# would replace whole tables: never load this file that way on a router you share.\n# This file adds no jump; lvs_router.sh inserts exactly one of each, at the top:\n"
    for (l_1_table, l_1_builtin, l_1_chain) in (undefined(name='jumps') if l_0_jumps is missing else l_0_jumps):
        _loop_vars = {}
        pass
        yield '#   -t '
        yield str(l_1_table)
        yield ' -I '
        yield str(l_1_builtin)
        yield ' -j '
        yield str(l_1_chain)
        yield '\n'
    l_1_table = l_1_builtin = l_1_chain = missing
    yield '# Built-in chain policies are never declared here, so never changed.\n'
    if (environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'dnat') or environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'snat')):
        pass
        yield '*nat\n'
        if environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'dnat'):
            pass
            yield ':'
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'dnat'))
            yield ' - [0:0]\n'
        if environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'snat'):
            pass
            yield ':'
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'snat'))
            yield ' - [0:0]\n'
        for l_1_n in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'dnats'):
            _loop_vars = {}
            pass
            if t_1(environment.getattr(l_1_n, 'protocol')):
                pass
                yield '-A '
                yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'dnat'))
                yield ' -d '
                yield str(environment.getattr(l_1_n, 'public'))
                yield '/32 -i '
                yield str(environment.getattr(l_1_n, 'in_dev'))
                yield ' -j DNAT --to-destination '
                yield str(environment.getattr(l_1_n, 'target'))
                yield '\n'
            else:
                pass
                for l_2_p in environment.getattr(l_1_n, 'ports'):
                    _loop_vars = {}
                    pass
                    yield '-A '
                    yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'dnat'))
                    yield ' -d '
                    yield str(environment.getattr(l_1_n, 'public'))
                    yield '/32 -i '
                    yield str(environment.getattr(l_1_n, 'in_dev'))
                    yield ' -p '
                    yield str(environment.getattr(environment.getattr(l_1_n, 'protocol'), 'value'))
                    yield ' -m '
                    yield str(environment.getattr(environment.getattr(l_1_n, 'protocol'), 'value'))
                    yield ' --dport '
                    yield str(l_2_p)
                    yield ' -j DNAT --to-destination '
                    yield str(environment.getattr(l_1_n, 'target'))
                    yield ':'
                    yield str(l_2_p)
                    yield '\n'
                l_2_p = missing
        l_1_n = missing
        for l_1_s in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'snats'):
            _loop_vars = {}
            pass
            yield '-A '
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'snat'))
            yield ' -s '
            yield str(environment.getattr(l_1_s, 'source'))
            yield ' -o '
            yield str(environment.getattr(l_1_s, 'out_dev'))
            yield ' -j SNAT --to-source '
            yield str(environment.getattr(l_1_s, 'to'))
            yield '\n'
        l_1_s = missing
        yield 'COMMIT\n'
    if environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'):
        pass
        yield "# `forward drop`: the cluster's own forwarded traffic is decided here, nothing else.\n# The cluster's traffic is what is forwarded into or out of its LAN:\n"
        for (l_1_sel_in, l_1_sel_out, l_1_what) in (undefined(name='scope') if l_0_scope is missing else l_0_scope):
            _loop_vars = {}
            pass
            yield '#   '
            yield str(l_1_what)
            yield ' ('
            yield str(l_1_sel_in)
            yield ', '
            yield str(l_1_sel_out)
            yield ')\n'
        l_1_sel_in = l_1_sel_out = l_1_what = missing
        yield "# Accepted: replies and related packets of it, new connections to the published\n# services, and the LAN's own connections out through the SNAT. Dropped: the rest\n# of it (e.g. a new connection from outside to a LAN address that is not published).\n# Every other packet (foreign traffic) returns to the FORWARD chain unchanged: your\n# rules and your FORWARD policy decide for it, as before.\n*filter\n:"
        yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
        yield ' - [0:0]\n'
        for (l_1_sel_in, l_1_sel_out, l_1__) in (undefined(name='scope') if l_0_scope is missing else l_0_scope):
            _loop_vars = {}
            pass
            yield '-A '
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
            yield ' '
            yield str(l_1_sel_in)
            yield ' -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A '
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
            yield ' '
            yield str(l_1_sel_out)
            yield ' -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n'
        l_1_sel_in = l_1_sel_out = l_1__ = missing
        for l_1_n in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'dnats'):
            _loop_vars = {}
            pass
            if t_1(environment.getattr(l_1_n, 'protocol')):
                pass
                yield '-A '
                yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
                yield ' -d '
                yield str(environment.getattr(l_1_n, 'target'))
                yield '/32 -i '
                yield str(environment.getattr(l_1_n, 'in_dev'))
                yield ' -o '
                yield str(environment.getattr(l_1_n, 'out_dev'))
                yield ' -m conntrack --ctstate NEW -j ACCEPT\n'
            else:
                pass
                for l_2_p in environment.getattr(l_1_n, 'ports'):
                    _loop_vars = {}
                    pass
                    yield '-A '
                    yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
                    yield ' -d '
                    yield str(environment.getattr(l_1_n, 'target'))
                    yield '/32 -i '
                    yield str(environment.getattr(l_1_n, 'in_dev'))
                    yield ' -o '
                    yield str(environment.getattr(l_1_n, 'out_dev'))
                    yield ' -p '
                    yield str(environment.getattr(environment.getattr(l_1_n, 'protocol'), 'value'))
                    yield ' -m '
                    yield str(environment.getattr(environment.getattr(l_1_n, 'protocol'), 'value'))
                    yield ' --dport '
                    yield str(l_2_p)
                    yield ' -m conntrack --ctstate NEW -j ACCEPT\n'
                l_2_p = missing
        l_1_n = missing
        for l_1_s in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'snats'):
            _loop_vars = {}
            pass
            yield '-A '
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
            yield ' -s '
            yield str(environment.getattr(l_1_s, 'source'))
            yield str((str_join((' -i ', environment.getattr(l_1_s, 'in_dev'), )) if environment.getattr(l_1_s, 'in_dev') else cond_expr_undefined("the inline if-expression on line 62 in 'router/iptables.rules.j2' evaluated to false and no else section was defined.")))
            yield ' -o '
            yield str(environment.getattr(l_1_s, 'out_dev'))
            yield ' -j ACCEPT\n'
        l_1_s = missing
        for (l_1_sel_in, l_1_sel_out, l_1__) in (undefined(name='scope') if l_0_scope is missing else l_0_scope):
            _loop_vars = {}
            pass
            yield '-A '
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
            yield ' '
            yield str(l_1_sel_in)
            yield ' -j DROP\n-A '
            yield str(environment.getattr((undefined(name='chains') if l_0_chains is missing else l_0_chains), 'fwd'))
            yield ' '
            yield str(l_1_sel_out)
            yield ' -j DROP\n'
        l_1_sel_in = l_1_sel_out = l_1__ = missing
        yield 'COMMIT\n'

blocks = {}
debug_info = '1=23&2=25&9=29&10=33&13=41&15=44&16=47&18=49&19=52&21=54&22=57&23=60&25=70&26=74&30=92&31=96&35=106&38=109&39=113&47=121&48=123&49=127&50=131&52=136&53=139&54=142&56=152&57=156&61=172&62=176&64=184&65=188&66=192'
