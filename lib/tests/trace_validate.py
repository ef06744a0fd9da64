#!/usr/bin/env python3
"""Checks a libgoc trace (GOC_TRACE=FILE) against its contract.

    trace_validate.py [--end exit|panic|deadlock|stop] FILE...
    trace_validate.py --self-test

The contract (docs/ARCHITECTURE.md, "The execution trace"): the JSON
Object Format of the Chrome Trace Event Format; the fields each kind of
event needs; events sorted by ts; every flow start ("s") has its finish
("f") on or after it; every complete event ("X") has dur >= 0, and a
goroutine's spans follow each other without overlapping; every track has
a name and ends with an "end" instant.  Prints one line per problem and
exits 1 if there is any.  --self-test breaks a good trace in each of those
ways and fails unless every break is caught."""
import copy
import json
import re
import sys

ENDS = {"exit", "panic", "deadlock", "stop"}
SITE = re.compile(r"^.+:\d+$")
# instant name -> (category, args it must carry)
INSTANTS = {
    "go": ("sched", {"child", "site"}),
    "send": ("chan", {"chan", "site"}),
    "recv": ("chan", {"chan", "site"}),
    "close": ("chan", {"chan", "site"}),
    "select": ("select", {"case", "site"}),
    "timer fire": ("timer", set()),
    "end": ("sched", set()),
    "panic": ("sched", {"message"}),
    "deadlock": ("sched", {"message"}),
}
ROUNDING = 0.0015  # ts and dur are printed to the nanosecond, in microseconds


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_event(i, e, problems):
    where = f"event {i} {json.dumps(e)[:160]}"
    ph = e.get("ph")
    if e.get("pid") != 1:
        problems.append(f"{where}: pid is not 1")
    if not is_int(e.get("tid")) or e["tid"] < 1:
        problems.append(f"{where}: tid is not a goroutine id (an integer >= 1)")
    if not is_num(e.get("ts")) or e["ts"] < 0:
        problems.append(f"{where}: ts is not a number >= 0")
    args = e.get("args", {})
    if ph == "M":
        if e.get("name") == "thread_name":
            if not re.match(rf"^g{e.get('tid')}( |$)", str(args.get("name", ""))):
                problems.append(f"{where}: a track name must be g<id> then its name")
        elif e.get("name") == "thread_sort_index":
            if not is_int(args.get("sort_index")):
                problems.append(f"{where}: sort_index is not an integer")
        else:
            problems.append(f"{where}: unknown metadata event")
    elif ph == "X":
        if not is_num(e.get("dur")) or e["dur"] < 0:
            problems.append(f"{where}: a complete event needs dur >= 0")
        if e.get("cat") == "state":
            if e.get("name") not in ("running", "runnable"):
                problems.append(f"{where}: a state span is running or runnable")
        elif e.get("cat") == "blocked":
            if not isinstance(e.get("name"), str) or not e["name"]:
                problems.append(f"{where}: a blocked span is named after its wait reason")
            if "site" in args and not SITE.match(str(args["site"])):
                problems.append(f"{where}: site is not file:line")
            if "woken_by" in args and (not is_int(args["woken_by"]) or args["woken_by"] < 0):
                problems.append(f"{where}: woken_by is not a goroutine id or 0")
        else:
            problems.append(f"{where}: a span's cat is state or blocked")
    elif ph == "i":
        spec = INSTANTS.get(e.get("name"))
        if e.get("s") != "t":
            problems.append(f"{where}: an instant needs \"s\":\"t\"")
        if not spec:
            problems.append(f"{where}: unknown instant")
        else:
            cat, need = spec
            if e.get("cat") != cat:
                problems.append(f"{where}: cat should be {cat}")
            missing = need - set(args)
            if missing:
                problems.append(f"{where}: args lack {', '.join(sorted(missing))}")
            if "site" in args and not SITE.match(str(args["site"])):
                problems.append(f"{where}: site is not file:line")
            if "chan" in args and not re.match(r"^0x[0-9a-f]+$", str(args["chan"])):
                problems.append(f"{where}: chan is not an address")
    elif ph in ("s", "f"):
        if not is_int(e.get("id")) or e.get("cat") != "wake" or e.get("name") != "wake":
            problems.append(f"{where}: a flow needs an integer id, cat and name \"wake\"")
        if ph == "f" and e.get("bp") != "e":
            problems.append(f"{where}: a flow finish needs \"bp\":\"e\"")
    else:
        problems.append(f"{where}: unknown ph {ph!r}")


def check(doc, want_end=None):
    problems = []
    if not isinstance(doc, dict) or doc.get("displayTimeUnit") != "ns":
        return ["not a JSON object with displayTimeUnit \"ns\""]
    other = doc.get("otherData", {})
    if other.get("producer") != "libgoc" or other.get("format") != 1:
        problems.append("otherData lacks producer libgoc, format 1")
    if other.get("scheduler") not in ("thread", "mn"):
        problems.append("otherData.scheduler is not thread or mn")
    if other.get("end") not in ENDS:
        problems.append("otherData.end is not one of " + ", ".join(sorted(ENDS)))
    if want_end and other.get("end") != want_end:
        problems.append(f"otherData.end is {other.get('end')!r}, expected {want_end!r}")
    if not is_int(other.get("dropped")) or other["dropped"] < 0:
        problems.append("otherData.dropped is not a count")
    events = doc.get("traceEvents")
    if not isinstance(events, list):
        return problems + ["traceEvents is not a list"]
    last = 0
    starts, finishes = {}, {}
    named, tracks = set(), {}
    for i, e in enumerate(events):
        if not isinstance(e, dict):
            problems.append(f"event {i} is not an object")
            continue
        check_event(i, e, problems)
        ts = e.get("ts", 0) if is_num(e.get("ts")) else 0
        if ts < last:
            problems.append(f"event {i}: ts {ts} comes before the previous {last}: not sorted")
        last = max(last, ts)
        tid = e.get("tid")
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            named.add(tid)
        elif e.get("ph") != "M":
            tracks.setdefault(tid, []).append(e)
        if e.get("ph") == "s":
            if e.get("id") in starts:
                problems.append(f"event {i}: flow id {e.get('id')} starts twice")
            starts[e.get("id")] = e
        if e.get("ph") == "f":
            if e.get("id") in finishes:
                problems.append(f"event {i}: flow id {e.get('id')} finishes twice")
            finishes[e.get("id")] = e
    for fid, s in starts.items():
        f = finishes.get(fid)
        if not f:
            problems.append(f"flow {fid} (a wake by g{s.get('tid')}) has no finish")
        elif is_num(f.get("ts")) and is_num(s.get("ts")) and f["ts"] < s["ts"]:
            problems.append(f"flow {fid} finishes before it starts")
    for fid in finishes.keys() - starts.keys():
        problems.append(f"flow {fid} finishes without a start")
    for tid, evs in tracks.items():
        if tid not in named:
            problems.append(f"g{tid} has events but no thread_name")
        spans = [e for e in evs if e.get("ph") == "X" and is_num(e.get("dur"))]
        end = 0
        for a, b in zip(spans, spans[1:]):
            if b["ts"] + ROUNDING < a["ts"] + a["dur"]:
                problems.append(f"g{tid}: span {b.get('name')} at {b['ts']} overlaps {a.get('name')} at {a['ts']}")
        for e in spans:
            end = max(end, e["ts"] + e["dur"])
        ends = [e for e in evs if e.get("ph") == "i" and e.get("name") == "end"]
        if len(ends) != 1:
            problems.append(f"g{tid}: {len(ends)} end instants, expected one")
        elif ends[0]["ts"] + ROUNDING < end:
            problems.append(f"g{tid}: its end instant comes before its last span ends")
    return problems


def good_trace():
    ev = lambda **kw: dict(pid=1, **kw)
    return {
        "displayTimeUnit": "ns",
        "otherData": {"producer": "libgoc", "format": 1, "scheduler": "thread", "end": "exit", "dropped": 0},
        "traceEvents": [
            ev(ph="M", ts=0, tid=1, name="thread_name", args={"name": "g1 main"}),
            ev(ph="M", ts=0, tid=1, name="thread_sort_index", args={"sort_index": 1}),
            ev(ph="M", ts=0, tid=2, name="thread_name", args={"name": "g2 worker"}),
            ev(ph="X", ts=0, tid=1, dur=5.0, name="running", cat="state", args={}),
            ev(ph="i", ts=1.0, tid=1, s="t", name="go", cat="sched", args={"child": 2, "site": "a.c:3"}),
            ev(ph="X", ts=1.0, tid=2, dur=1.0, name="runnable", cat="state", args={}),
            ev(ph="X", ts=2.0, tid=2, dur=1.0, name="running", cat="state", args={}),
            ev(ph="X", ts=3.0, tid=2, dur=2.0, name="chan receive", cat="blocked",
               args={"site": "a.c:9", "woken_by": 1}),
            ev(ph="i", ts=4.0, tid=1, s="t", name="send", cat="chan", args={"chan": "0x10", "site": "a.c:4"}),
            ev(ph="s", ts=5.0, tid=1, id=1, cat="wake", name="wake"),
            ev(ph="i", ts=5.0, tid=1, s="t", name="end", cat="sched", args={}),
            ev(ph="f", ts=5.0, tid=2, bp="e", id=1, cat="wake", name="wake"),
            ev(ph="i", ts=5.0, tid=2, s="t", name="end", cat="sched", args={}),
        ],
    }


def self_test():
    """Each break must be caught, and the good trace must pass."""
    def brk(fn):
        doc = good_trace()
        fn(doc, doc["traceEvents"])
        return doc
    breaks = {
        "unsorted ts": lambda d, e: e[8].update(ts=0.5),
        "negative dur": lambda d, e: e[3].update(dur=-1.0),
        "flow without finish": lambda d, e: e.pop(11),
        "finish before start": lambda d, e: e[9].update(ts=5.5),
        "send without chan": lambda d, e: e[8]["args"].pop("chan"),
        "go without child": lambda d, e: e[4]["args"].pop("child"),
        "site not file:line": lambda d, e: e[7]["args"].update(site="a.c"),
        "overlapping spans": lambda d, e: e[6].update(dur=1.5),
        "track without name": lambda d, e: e.pop(2),
        "no end instant": lambda d, e: e.pop(12),
        "bad end reason": lambda d, e: d["otherData"].update(end="crash"),
        "instant without s": lambda d, e: e[8].pop("s"),
        "unknown ph": lambda d, e: e[8].update(ph="B"),
        "tid 0": lambda d, e: e[8].update(tid=0),
    }
    failed = [f"the good trace fails: {p}" for p in check(good_trace())]
    for name, fn in breaks.items():
        if not check(brk(fn)):
            failed.append(f"not caught: {name}")
    for f in failed:
        print(f"trace_validate self-test: {f}")
    print(f"trace_validate self-test: {len(breaks) - len(failed)} of {len(breaks)} breaks caught"
          if not failed else "trace_validate self-test: FAILED")
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    want_end = None
    files = argv[1:]
    if files[:1] == ["--end"] and len(files) >= 2:
        want_end, files = files[1], files[2:]
    if not files:
        print(__doc__)
        return 2
    bad = 0
    for path in files:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as err:
            print(f"{path}: not valid JSON: {err}")
            bad += 1
            continue
        problems = check(doc, want_end)
        for p in problems[:20]:
            print(f"{path}: {p}")
        if len(problems) > 20:
            print(f"{path}: ... and {len(problems) - 20} more")
        if problems:
            bad += 1
        else:
            n = len(doc["traceEvents"])
            print(f"{path}: valid ({n} events, end {doc['otherData']['end']})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
