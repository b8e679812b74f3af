# Independent evaluator used once to write real/*.expected: the OSV schema's
# "Evaluation" pseudo-code with SemVer 2.0 precedence, written from the
# specifications, sharing no code with package vuln. Run from vuln/testdata:
#   python3 real/expected.py
import glob, gzip, json, re

def parse(v):
    v = v[1:] if v.startswith('v') else v
    v = v.split('+')[0]
    core, _, pre = v.partition('-')
    nums = [int(x) for x in core.split('.')]
    while len(nums) < 3: nums.append(0)
    return nums, pre.split('.') if pre else []

def cmp_pre(a, b):
    if not a and not b: return 0
    if not a: return 1
    if not b: return -1
    for x, y in zip(a, b):
        if x == y: continue
        xd, yd = x.isdigit(), y.isdigit()
        if xd and yd: return -1 if int(x) < int(y) else 1
        if xd: return -1
        if yd: return 1
        return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))

def cmp(a, b):
    (na, pa), (nb, pb) = parse(a), parse(b)
    if na != nb: return -1 if na < nb else 1
    return cmp_pre(pa, pb)

def affected_in_range(v, events):
    # events sorted: introduced "0" first, otherwise by version
    import functools
    def key(e):
        k, x = next(iter(e.items()))
        return (0, '0') if (k == 'introduced' and x == '0') else (1, x)
    def c(e1, e2):
        k1, k2 = key(e1), key(e2)
        if k1[0] != k2[0]: return k1[0] - k2[0]
        if k1[0] == 0: return 0
        return cmp(k1[1], k2[1])
    ev = sorted(events, key=functools.cmp_to_key(c))
    limits = [x['limit'] for x in ev if 'limit' in x]
    if limits and not any(l == '*' or cmp(v, l) < 0 for l in limits): return False
    vuln = False
    for e in ev:
        if 'introduced' in e and (e['introduced'] == '0' or cmp(v, e['introduced']) >= 0): vuln = True
        elif 'fixed' in e and cmp(v, e['fixed']) >= 0: vuln = False
        elif 'last_affected' in e and cmp(v, e['last_affected']) > 0: vuln = False
    return vuln

def findings(comps, recs):
    out = set()
    for eco, name, ver in comps:
        for r in recs:
            if 'withdrawn' in r: continue
            for a in r['affected']:
                if a['package']['ecosystem'] != eco or a['package']['name'] != name: continue
                hit = ver in a.get('versions', []) or ver.lstrip('v') in a.get('versions', [])
                hit = hit or any(affected_in_range(ver, rg['events']) for rg in a.get('ranges', []) if rg['type'] == 'SEMVER')
                if hit: out.add((r['id'], eco + '/' + name + '@' + ver.lstrip('v')))
    return sorted(out)

def load(eco):
    return [json.load(open(p)) for p in sorted(glob.glob('real/%s/*.json' % eco))]

pb = json.load(gzip.open('real/proton-bridge-v1.8.0.cdx.json.gz'))
comps = [('Go', c['name'], c['version']) for c in pb['components']]
with open('real/proton-bridge.expected', 'w') as f:
    for i, k in findings(comps, load('Go')): f.write('%s %s\n' % (i, k))
cr = json.load(open('real/crates.cdx.json'))
comps = [('crates.io', c['name'], c['version']) for c in cr['components']]
with open('real/crates.expected', 'w') as f:
    for i, k in findings(comps, load('crates.io')): f.write('%s %s\n' % (i, k))
