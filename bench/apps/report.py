# SPDX-License-Identifier: GPL-2.0
#
# make bench-apps: the table, bench-apps.tsv, bench-apps.json and
# bench-apps.png from what bench/apps/run left in RAW (per workload:
# NAME.meta, and vlibc-ab's NAME.json when it ran).  Run by Debian's
# /usr/bin/python3 (python3-matplotlib).  Exit status 1 when a workload
# failed, was not bound as expected or gave a wrong output.
#
# Ratios are vlibc-ab's: a variant's median wall time over plain's, with
# its 95% interval (below 1 is faster).  A workload is bound as expected
# when the median counters of each variant named in its expectation meet
# it, and the "off" runs had no counters to read (every family on glibc).
import argparse
import json
import os
import re
import sys

NAMES = {'plain': 'plain', 'off': 'off', 'vlibc': 'vlibc', 'VLIBC_MEMCPY=auto': 'memcpy'}


def read_meta(path):
    meta = {}
    for line in open(path):
        key, _, value = line.rstrip('\n').partition('\t')
        meta[key] = value
    return meta


def variant_name(spec):
    return NAMES.get(spec, spec)


def bound_as_expected(expect, variants):
    """(ok, why): every VARIANT:COUNTER>=N / >N in @expect holds."""
    why = []
    for term in expect.split():
        m = re.fullmatch(r'(\w+):(\w+)(>=|>)(\d+)', term)
        if not m:
            why.append('bad expectation ' + term)
            continue
        v, counter, op, n = m.group(1), m.group(2), m.group(3), int(m.group(4))
        if v not in variants:
            why.append('no %s variant' % v)
            continue
        got = (variants[v].get('counters_median') or {}).get(counter, 0)
        if not (got >= n if op == '>=' else got > n):
            why.append('%s: %s is %g, want %s%d' % (v, counter, got, op, n))
    off = variants.get('off')
    if off and off.get('counters_median'):
        why.append('off: counters read (a family was bound)')
    return not why, '; '.join(why)


def workload(raw, name):
    meta = read_meta(os.path.join(raw, name + '.meta'))
    w = {'name': name, 'description': meta.get('desc', ''), 'status': meta.get('status', 'failed'),
         'command': meta.get('command', ''), 'expect': meta.get('expect', ''),
         'check': meta.get('check', ''), 'why': meta.get('why', ''),
         'seconds': int(meta.get('seconds', 0))}
    path = os.path.join(raw, name + '.json')
    if w['status'] == 'skipped' or not os.path.exists(path):
        return w
    ab = json.load(open(path))
    variants = {variant_name(v['spec']): v for v in ab['variants']}
    w['variants'] = {}
    for vname, v in variants.items():
        w['variants'][vname] = {
            'wall_median_s': v['wall']['median'], 'wall_min_s': v['wall']['min'],
            'wall_max_s': v['wall']['max'], 'cpu_median_s': v['cpu']['median'],
            'ratio_wall': v['ratio_wall'], 'ratio_cpu': v['ratio_cpu'],
            'verdict': v['verdict'], 'counters_median': v['counters_median'],
            'failures': v['failures'],
        }
    w['spread'] = max((v['wall']['max'] - v['wall']['min']) / v['wall']['median']
                      for v in ab['variants'] if v['wall']['median'] > 0)
    w['bound'], w['bound_why'] = bound_as_expected(w['expect'], variants)
    return w


def verdict(v):
    """faster / slower / no winner / - from vlibc-ab's sentence."""
    s = (v or {}).get('verdict') or ''
    return s.split(':')[0].split(' than')[0] if s else '-'


def ratio_cell(v, with_ci, measure='ratio_wall'):
    r = (v or {}).get(measure)
    if not r:
        return '-'
    if with_ci and r.get('ci_low') is not None:
        return '%.3f (%.3f-%.3f)' % (r['median'], r['ci_low'], r['ci_high'])
    return '%.3f' % r['median']


def time_cell(s):
    return '%.3f s' % s if s >= 1 else '%.1f ms' % (s * 1e3)


def rows(workloads):
    """One row per workload, one more for its memcpy variant."""
    for w in workloads:
        if 'variants' not in w:
            yield w, None, None
            continue
        yield w, 'vlibc', w['variants'].get('vlibc')
        if 'memcpy' in w['variants']:
            yield w, 'memcpy', w['variants']['memcpy']


def ok_cell(w):
    if w['status'] == 'skipped':
        return 'skipped: ' + w['why']
    if w['status'] != 'ran':
        return w['status'] + (': ' + w['why'] if w['why'] else '')
    bad = []
    if not w.get('bound'):
        bad.append('not bound: ' + w.get('bound_why', ''))
    if w['check'] not in ('ok', 'none'):
        bad.append('wrong output: ' + w['why'])
    return '; '.join(bad) or 'ok'


def print_table(workloads, args):
    head = ('workload', 'plain median', 'off/plain', 'vlibc/plain (95% CI)', 'spread', 'verdict',
            'cpu vlibc/plain', 'checks')
    table = []
    for w, vname, v in rows(workloads):
        if v is None:
            table.append((w['name'], '-', '-', '-', '-', '-', '-', ok_cell(w)))
            continue
        name = w['name'] + (' [memcpy binder]' if vname == 'memcpy' else '')
        table.append((name, time_cell(w['variants']['plain']['wall_median_s']),
                      ratio_cell(w['variants'].get('off'), False) if vname == 'vlibc' else '',
                      ratio_cell(v, args.rounds >= 3), '%.0f%%' % (100 * w['spread']),
                      verdict(v), ratio_cell(v, args.rounds >= 3, 'ratio_cpu'),
                      ok_cell(w) if vname == 'vlibc' else ''))
    width = [max(len(r[i]) for r in table + [head]) for i in range(len(head) - 1)]
    for r in [head] + table:
        print('  '.join(c.ljust(width[i]) for i, c in enumerate(r[:-1])) + '  ' + r[-1])


def write_tsv(workloads, path):
    cols = ('workload', 'variant', 'plain_median_s', 'variant_median_s', 'ratio', 'ci_low', 'ci_high',
            'spread', 'verdict', 'bound', 'output_ok')
    with open(path, 'w') as f:
        f.write('\t'.join(cols) + '\n')
        for w in workloads:
            for vname, v in (w.get('variants') or {}).items():
                if vname == 'plain':
                    continue
                r = v['ratio_wall'] or {}
                f.write('\t'.join(str(x) for x in (
                    w['name'], vname, '%.6f' % w['variants']['plain']['wall_median_s'],
                    '%.6f' % v['wall_median_s'], '%.4f' % r.get('median', 0),
                    '' if r.get('ci_low') is None else '%.4f' % r['ci_low'],
                    '' if r.get('ci_high') is None else '%.4f' % r['ci_high'],
                    '%.3f' % w['spread'], verdict(v), int(bool(w.get('bound'))),
                    int(w['check'] in ('ok', 'none')))) + '\n')


def plot(workloads, args, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    ran = [w for w in workloads if 'variants' in w]
    styles = (('off', 'o', '#999999'), ('vlibc', 's', '#1f5fa8'), ('memcpy', 'D', '#c0392b'))
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(ran) + 1.8))
    for k, (vname, marker, colour) in enumerate(styles):
        ys, xs, lo, hi = [], [], [], []
        for i, w in enumerate(ran):
            r = (w['variants'].get(vname) or {}).get('ratio_wall')
            if not r:
                continue
            ys.append(len(ran) - 1 - i + (k - 1) * 0.22)
            xs.append(r['median'])
            lo.append(r['median'] - (r['ci_low'] if r.get('ci_low') is not None else r['median']))
            hi.append((r['ci_high'] if r.get('ci_high') is not None else r['median']) - r['median'])
        if xs:
            ax.errorbar(xs, ys, xerr=[lo, hi], fmt=marker, color=colour, capsize=3,
                        markersize=5, label={'off': 'binder off', 'vlibc': 'vlibc',
                                             'memcpy': 'vlibc + memcpy binder'}[vname])
    ax.axvline(1.0, color='black', linewidth=0.8)
    ax.axvline(1 / 0.98, color='#c0392b', linewidth=0.8, linestyle='--', label='0.98x speed')
    ax.set_yticks(range(len(ran)))
    ax.set_yticklabels([w['name'] for w in reversed(ran)])
    ax.set_xlabel('wall time / plain (median, 95% CI; below 1 is faster)')
    ax.set_title('make bench-apps, %s, %d round(s)\n%s' % (args.date, args.rounds, args.machine),
                 fontsize=9)
    ax.legend(fontsize=8, loc='best')
    ax.grid(axis='x', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser()
    for a in ('raw', 'out', 'date', 'machine', 'load'):
        p.add_argument('--' + a, required=True)
    for a in ('rounds', 'warmup', 'quick', 'seconds'):
        p.add_argument('--' + a, type=int, required=True)
    args = p.parse_args()
    names = [n for n in open(os.path.join(args.raw, 'order')).read().split()]
    workloads = [workload(args.raw, n) for n in names]
    print('\nmake bench-apps, %s; %s; %d round(s) after %d warm-up(s)%s; load %s; %d s'
          % (args.date, args.machine, args.rounds, args.warmup,
             ', quick mode' if args.quick else '', args.load, args.seconds))
    print_table(workloads, args)
    write_tsv(workloads, os.path.join(args.out, 'bench-apps.tsv'))
    json.dump({'date': args.date, 'machine': args.machine, 'load': args.load,
               'rounds': args.rounds, 'warmup': args.warmup, 'quick': bool(args.quick),
               'seconds': args.seconds, 'workloads': workloads},
              open(os.path.join(args.out, 'bench-apps.json'), 'w'), indent=1)
    plot(workloads, args, os.path.join(args.out, 'bench-apps.png'))
    print('\n%s/bench-apps.{tsv,json,png}; vlibc-ab\'s own output per workload in %s/'
          % (args.out, args.raw))
    bad = [w['name'] for w in workloads if ok_cell(w) != 'ok' and w['status'] != 'skipped']
    if bad:
        print('bench-apps: not ok: ' + ' '.join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
