# Static membership (KIP-345) with confluent-kafka-python (librdkafka): two static consumers share a topic;
#   restart: one of them is closed (a static member sends no LeaveGroup) and started again with the same
#            group.instance.id; it must get its old partitions back while the other sees no revoke at all.
#   fence:   a second consumer with the same group.instance.id joins while the first is alive; the first
#            must be fenced (FENCED_INSTANCE_ID, a fatal error in librdkafka).
# Usage: confluent_static_members.py BOOTSTRAP TOPIC GROUP restart|fence. Prints one JSON object.
import json
import sys
import time

from confluent_kafka import Consumer

bootstrap, topic, group, mode = sys.argv[1:5]
events = []
errors = {}
assigned = {}


def make(name, instance):
    def on_assign(c, parts):
        assigned[name] = sorted(p.partition for p in parts)
        events.append({"who": name, "event": "assign", "partitions": assigned[name]})

    def on_revoke(c, parts):
        events.append({"who": name, "event": "revoke", "partitions": sorted(p.partition for p in parts)})

    def on_error(err):
        errors.setdefault(name, []).append({"code": err.code(), "fatal": err.fatal(), "str": err.str()})

    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "group.instance.id": instance,
        "client.id": name,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 300,
        "partition.assignment.strategy": "range",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "error_cb": on_error,
    })
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    return c


def poll_until(consumers, done, what, limit_s=30):
    deadline = time.time() + limit_s
    while not done():
        if time.time() > deadline:
            print(json.dumps({"timeout": what, "events": events, "errors": errors}))
            sys.exit(1)
        for name, c in consumers.items():
            m = c.poll(0.05)
            if m is not None and m.error():
                errors.setdefault(name, []).append({"code": m.error().code(), "fatal": m.error().fatal(), "str": m.error().str()})


def poll_for(consumers, seconds):
    end = time.time() + seconds
    while time.time() < end:
        for c in consumers.values():
            c.poll(0.05)


if mode == "restart":
    a = make("a1", "instance-a")
    b = make("b", "instance-b")
    poll_until({"a1": a, "b": b}, lambda: assigned.get("a1") and assigned.get("b"), "the first assignment")
    first = {"a": assigned["a1"], "b": assigned["b"]}
    a.close()
    a2 = make("a2", "instance-a")
    poll_until({"a2": a2, "b": b}, lambda: assigned.get("a2") is not None, "the restarted member's assignment")
    # Give a rebalance, if the broker started one, several heartbeats (300 ms) to reach b.
    poll_for({"a2": a2, "b": b}, 3)
    print(json.dumps({"first": first, "restarted": assigned["a2"], "events": events, "errors": errors}))
    a2.close()
    b.close()
elif mode == "fence":
    x1 = make("x1", "instance-x")
    poll_until({"x1": x1}, lambda: assigned.get("x1"), "the first assignment")
    x2 = make("x2", "instance-x")
    # librdkafka reports it as _FATAL (-150) to error_cb
    fenced = lambda: any(e["code"] == -150 for e in errors.get("x1", []))
    poll_until({"x1": x1, "x2": x2}, lambda: fenced() and assigned.get("x2") is not None, "x1 fenced")
    print(json.dumps({"events": events, "errors": errors}))
    x2.close()
else:
    sys.exit("mode must be restart or fence")
