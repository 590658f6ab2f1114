#!/usr/bin/python3
"""Times Mininet's setup and teardown of one topology; the peer that SetupTeardownBench compares mignet against.

    /usr/bin/python3 bench/mininet_setup_teardown.py single,100 [--timeout SECONDS]
    /usr/bin/python3 bench/mininet_setup_teardown.py tree,2,10

Runs Mininet 2.3 (Debian package `mininet`) with Linux bridges and no controller, as
`mn --switch lxbr --controller none` does. Setup is Mininet(topo) + start() (hosts, links, addresses, bridges);
a ping from the first host to the last checks the network; teardown is stop(). Prints one JSON line on stdout:
{"topo": ..., "hosts": N, "setup_s": .., "teardown_s": .., "ping": true|false, "status": "ok"|"timeout"|"error"}.
When the time limit runs out, what was built so far is removed (host shells killed, bridges deleted) and the
status says "timeout".
"""
import json
import signal
import subprocess
import sys
import time

from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import SingleSwitchTopo
from mininet.topolib import TreeTopo


class TimeLimit(Exception):
    pass


def topology(spec):
    parts = spec.split(',')
    if parts[0] == 'single' and len(parts) == 2:
        return SingleSwitchTopo(k=int(parts[1]))
    if parts[0] == 'tree' and len(parts) == 3:
        return TreeTopo(depth=int(parts[1]), fanout=int(parts[2]))
    raise SystemExit('topology must be single,N or tree,DEPTH,FANOUT, not ' + spec)


def on_alarm(_signum, _frame):
    raise TimeLimit()


def leftovers(net, topo):
    """Removes whatever a cut-short run built: the hosts' shells (their namespaces and veths go with them), and
    what Mininet's LinuxBridge switches leave in the root namespace: the bridges and the switch-side interfaces
    (named like s1-eth2), which include both ends of links between switches."""
    nodes = list(net.hosts) + list(net.switches) if net is not None else []
    for node in nodes:
        try:
            if node.shell:
                node.shell.kill()
                node.shell.wait()
        except Exception:  # already gone
            pass
    switches = set(topo.switches())
    present = subprocess.run(['ip', '-o', 'link', 'show'], capture_output=True, text=True).stdout
    doomed = []
    for line in present.splitlines():
        name = line.split(': ')[1].split('@')[0] if ': ' in line else ''
        if name in switches or name.split('-eth')[0] in switches and '-eth' in name:
            doomed.append(name)
    if doomed:
        # -force: deleting one end of a veth takes the other with it, so some deletions find nothing.
        subprocess.run(['ip', '-force', '-batch', '-'], input=''.join('link del %s\n' % n for n in doomed),
                       text=True, capture_output=True)


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    spec = args[0]
    limit = int(args[args.index('--timeout') + 1]) if '--timeout' in args else 600
    setLogLevel('warning')
    topo = topology(spec)
    result = {'topo': spec, 'hosts': len(topo.hosts()), 'switches': len(topo.switches()), 'setup_s': None,
              'teardown_s': None, 'ping': None, 'status': 'ok'}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(limit)
    net = None
    try:
        t0 = time.perf_counter()
        net = Mininet(topo=topo, switch=LinuxBridge, controller=None, build=False)
        net.build()
        net.start()
        result['setup_s'] = time.perf_counter() - t0
        first, last = net.hosts[0], net.hosts[-1]
        out = first.cmd('ping -n -c 3 -i 0.2 -W 1', last.IP())
        result['ping'] = ' 0 received' not in out and 'received' in out
        t1 = time.perf_counter()
        net.stop()
        result['teardown_s'] = time.perf_counter() - t1
        signal.alarm(0)
    except TimeLimit:
        result['status'] = 'timeout'
        result['limit_s'] = limit
        leftovers(net, topo)
    except Exception as e:  # report, clean and let the benchmark go on
        signal.alarm(0)
        result['status'] = 'error'
        result['error'] = repr(e)
        leftovers(net, topo)
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    main()
