#!/usr/bin/env python3
"""A small parcel-delivery system, written the way a Python team on confluent-kafka would write it, not the
way evt writes its own order workflow: a foreign event system for evt's tracing tests.

    parcel_system.py --brokers HOST:PORT [--parcels 60] [--seed 1] [--prefix logistics.]

It creates its topics, runs its services as real consumer groups against the cluster until every parcel has
gone as far as its scenario lets it, closes everything cleanly and exits. stdout carries ONE JSON document
(the summary: topics, groups, which parcel ended where and at which record); everything on stderr is
diagnostics. Exit code 0 on success, 1 on any failure (the reason on stderr, nothing on stdout).

Conventions, deliberately unlike evt's (no evt-* headers, no Avro, the parcel id not always the key):

  <prefix>parcels     ParcelRegistered                                    key: parcel id (P-00042)
  <prefix>labels      LabelPrinted (producer: compression.type=gzip)      key: parcel id
  <prefix>routes      RouteAssigned                                       key: route id (R-0007); the parcel
                                                                          id only in value.parcel.parcelId
  <prefix>deliveries  OutForDelivery, ParcelDelivered, DeliveryFailed     key: courier id (C-3); the parcel id
                                                                          only in value.shipment.parcel_id
  <prefix>labels.DLT  LabelPrinted records the router could not route, written as Spring Kafka's
                      DeadLetterPublishingRecoverer writes them: same key, value and headers, same
                      partition, plus kafka_dlt-* headers (original partition as a 4-byte big-endian int,
                      offset and timestamp as 8-byte big-endian longs)

Producers keep librdkafka's default partitioner (consistent_random: CRC32 of the key), not the murmur2 of the
Java client and kafkajs, so a parcel id is not on the partition those would pick (--partitioner murmur2_random
to match them). librdkafka before 2.11.1 (Debian's is 2.0.2) compresses with gzip only when the broker lists
Produce v0 among its versions: against a broker whose Produce starts at v3 (Kafka 4.0, evt broker) the labels
batches go out uncompressed (librdkafka issues #4948/#4956, fixed by #5130).

Values are JSON as json.dumps writes it by default (", " and ": " separators, non-ASCII escaped as \\u00fc).
Headers follow the CloudEvents Kafka binding in binary mode (ce_specversion, ce_id, ce_source, ce_type,
ce_time, content-type) plus a W3C traceparent: one trace id per parcel, a new span id per hop, propagated by
each service from the record it consumed.

Services (one consumer group each, offsets committed explicitly after the outputs are acknowledged):
  label-printer     parcels -> labels
  router            labels  -> routes, or labels.DLT when the postcode is not served
  courier-dispatch  routes  -> deliveries (OutForDelivery, then ParcelDelivered or DeliveryFailed)
  audit             every topic, produces nothing

Scenarios, chosen from --seed (parcel ids, postcodes, names and scenarios depend on the seed only; ce_id,
trace and span ids on the seed and the prefix, so two runs on one cluster never share them):
  completed          ParcelRegistered -> LabelPrinted -> RouteAssigned -> OutForDelivery -> ParcelDelivered
  deliveryFailed     ... -> OutForDelivery -> DeliveryFailed (recipient not at home)
  deadLettered       ParcelRegistered -> LabelPrinted, copied to labels.DLT by the router
  stuckAtRoute       registered after courier-dispatch was stopped: they end at RouteAssigned, behind that
                     group's committed offset (lag > 0, no members)
  stuckAtRegistered  registered after label-printer was stopped too: they end at ParcelRegistered
"""

import argparse
import hashlib
import json
import random
import sys
import time
import uuid
from datetime import datetime, timezone

import confluent_kafka
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

STARTED = time.monotonic()


def log(message):
    print(f"[parcel-system +{time.monotonic() - STARTED:6.2f}s] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ the world

RECIPIENTS = [
    "Jürgen Müller", "Zoë Brontë", "José Núñez", "Łucja Wróbel", "Søren Ågård", "Chloé Lefèvre",
    "Ana Ştefănescu", "Björk Guðmundsdóttir", "Mia Schmidt", "John Smith", "Priya Natarajan", "Tom Becker",
    "Amélie Poulain", "Dvořák Antonín", "Kai Yamamoto", "Grace O'Neill",
]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Lindenallee", "Königsweg", "Gartenstraße", "Am Mühlbach", "Schillerplatz"]
# postcode zone (first two digits) -> (depot, city); a zone the router does not know is not served
ZONES = {
    "10": ("DEP-BER", "Berlin"),
    "20": ("DEP-HAM", "Hamburg"),
    "50": ("DEP-CGN", "Köln"),
    "60": ("DEP-FRA", "Frankfurt am Main"),
    "70": ("DEP-STR", "Stuttgart"),
    "80": ("DEP-MUC", "München"),
}
ZONE_LIST = sorted(ZONES)
UNSERVED = ["99999", "00000", "98765", "99001"]
COURIERS = 5

# what the system is called in its own CloudEvents headers
CE_SOURCE = {
    "ParcelRegistered": "/logistics/parcel-intake",
    "LabelPrinted": "/logistics/label-printer",
    "RouteAssigned": "/logistics/router",
    "OutForDelivery": "/logistics/courier-dispatch",
    "ParcelDelivered": "/logistics/courier-dispatch",
    "DeliveryFailed": "/logistics/courier-dispatch",
}
CE_TYPE_PREFIX = "com.acme.logistics."

GROUPS = {"labelPrinter": "label-printer", "router": "router", "courierDispatch": "courier-dispatch", "audit": "audit"}


class InvalidPostcode(Exception):
    fqcn = "com.acme.logistics.InvalidPostcodeException"


def route_for(postcode):
    """Route R-0001..R-0012: two per zone, by the postcode's third digit."""
    if postcode[:2] not in ZONES:
        raise InvalidPostcode(f"postcode {postcode} is not served")
    zone = ZONE_LIST.index(postcode[:2])
    return f"R-{zone * 2 + int(postcode[2]) % 2 + 1:04d}"


def courier_for(route_id):
    return f"C-{int(route_id[2:]) % COURIERS + 1}"


# ---------------------------------------------------------------------------------------- ids and headers

class Ids:
    """Deterministic ids: a hash of the seed, the prefix and what the id is for."""

    def __init__(self, seed, prefix):
        self.salt = f"{seed}|{prefix}"

    def _digest(self, *parts):
        return hashlib.sha256("|".join([self.salt, *map(str, parts)]).encode()).digest()

    def event_id(self, parcel_id, event_type):
        return str(uuid.UUID(bytes=self._digest("ce_id", parcel_id, event_type)[:16], version=4))

    def trace_id(self, parcel_id):
        return self._digest("trace", parcel_id)[:16].hex()

    def span_id(self, parcel_id, event_type):
        return self._digest("span", parcel_id, event_type)[:8].hex()


def rfc3339_now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def header(headers, name):
    for k, v in headers or []:
        if k == name:
            return v
    return None


def trace_of(msg):
    """The trace id of the traceparent the consumed record carries."""
    tp = header(msg.headers(), "traceparent")
    if tp is None:
        raise ValueError(f"{msg.topic()}[{msg.partition()}]@{msg.offset()} has no traceparent")
    version, trace_id, _span, _flags = tp.decode().split("-")
    return trace_id


def cloud_event_headers(ids, parcel_id, event_type, trace_id):
    return [
        ("ce_specversion", b"1.0"),
        ("ce_id", ids.event_id(parcel_id, event_type).encode()),
        ("ce_source", CE_SOURCE[event_type].encode()),
        ("ce_type", (CE_TYPE_PREFIX + event_type).encode()),
        ("ce_time", rfc3339_now().encode()),
        ("content-type", b"application/json"),
        ("traceparent", f"00-{trace_id}-{ids.span_id(parcel_id, event_type)}-01".encode()),
    ]


# ----------------------------------------------------------------------------------------------- plumbing

class Outbox:
    """A service's producer: remembers where each record landed (from the delivery reports)."""

    def __init__(self, brokers, name, ledger, topics, extra=None):
        conf = {"bootstrap.servers": brokers, "client.id": name, "acks": "all", "linger.ms": 5}
        conf.update(extra or {})
        self.producer = Producer(conf)
        self.name = name
        self.ledger = ledger
        # librdkafka 2.0.2 asks for a new topic's metadata only on its 1 s timer when the first record for it
        # arrives while the bootstrap metadata request is in flight: asking up front saves that second per hop
        for topic in topics:
            self.producer.list_topics(topic, timeout=10)

    def send(self, topic, key, value, headers, note, partition=None):
        def delivered(err, msg):
            if err is not None:
                self.ledger.errors.append(f"{self.name}: delivery to {topic} failed: {err}")
            else:
                self.ledger.record(msg.topic(), msg.partition(), msg.offset(), note)

        kwargs = {"key": key.encode(), "value": value, "headers": headers, "on_delivery": delivered}
        if partition is not None:
            kwargs["partition"] = partition
        self.producer.produce(topic, **kwargs)
        self.producer.poll(0)

    def flush(self):
        left = self.producer.flush(30)
        if left:
            raise RuntimeError(f"{self.name}: {left} records still unacknowledged after 30 s")
        self.ledger.check()


class Ledger:
    """Every acknowledged record: where it is and what it was (parcel id, event type)."""

    def __init__(self):
        self.records = []
        self.errors = []
        self.per_topic = {}

    def record(self, topic, partition, offset, note):
        self.records.append({"topic": topic, "partition": partition, "offset": offset, **note})
        self.per_topic[topic] = self.per_topic.get(topic, 0) + 1

    def check(self):
        if self.errors:
            raise RuntimeError("; ".join(self.errors))

    def find(self, parcel_id, event_type):
        for r in self.records:
            if r["parcelId"] == parcel_id and r["type"] == event_type:
                return r
        raise KeyError(f"no acknowledged {event_type} for {parcel_id}")


class Service:
    """One consumer group member: consume a batch, handle it, wait for the outputs' acks, commit."""

    def __init__(self, brokers, group, topics, handle=None, outbox=None):
        self.group = group
        self.handle = handle
        self.outbox = outbox
        self.handled = 0
        self.per_topic = {}
        self.consumer = Consumer({
            "bootstrap.servers": brokers,
            "group.id": group,
            "client.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "session.timeout.ms": 10000,
            "fetch.wait.max.ms": 100,
        })
        self.consumer.subscribe(topics, on_assign=self._assigned)
        self.open = True

    def _assigned(self, consumer, partitions):
        log(f"{self.group}: assigned {len(partitions)} partitions")

    def step(self, timeout):
        msgs = self.consumer.consume(num_messages=200, timeout=timeout)
        positions = {}
        for m in msgs:
            err = m.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(err)
            if self.handle:
                self.handle(m)
            positions[(m.topic(), m.partition())] = m.offset() + 1
            self.per_topic[m.topic()] = self.per_topic.get(m.topic(), 0) + 1
            self.handled += 1
        if not positions:
            return
        if self.outbox:
            self.outbox.flush()  # at least once: outputs acknowledged before the inputs are committed
        self.consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in positions.items()], asynchronous=False)

    def close(self):
        if self.open:
            self.consumer.close()  # leaves the group: no member stays behind, no rebalance left pending
            self.open = False
            log(f"{self.group}: closed after {self.handled} records {self.per_topic}")


# ---------------------------------------------------------------------------------------------- the system

def plan(seed, count):
    """Parcels and scenarios, from the seed alone."""
    if count < 5:
        raise SystemExit("--parcels must be at least 5 (one per scenario)")
    rng = random.Random(seed)
    numbers = rng.sample(range(1, 100000), count)
    parcels = []
    for n in numbers:
        zone = rng.choice(ZONE_LIST)
        parcels.append({
            "parcelId": f"P-{n:05d}",
            "recipient": rng.choice(RECIPIENTS),
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            "postcode": f"{zone}{rng.randint(0, 999):03d}",
            "weightKg": round(rng.uniform(0.2, 25.0), 1),
            "service": rng.choice(["STANDARD", "STANDARD", "EXPRESS"]),
        })
    order = list(range(count))
    rng.shuffle(order)
    sizes = [
        ("stuckAtRegistered", max(1, count // 20)),
        ("stuckAtRoute", max(1, count // 12)),
        ("deadLettered", max(1, count // 15)),
        ("deliveryFailed", max(1, count // 10)),
    ]
    at = 0
    for scenario, size in sizes:
        for i in order[at:at + size]:
            parcels[i]["scenario"] = scenario
        at += size
    for i in order[at:]:
        parcels[i]["scenario"] = "completed"
    for p in parcels:
        if p["scenario"] == "deadLettered":
            p["postcode"] = rng.choice(UNSERVED)
    return parcels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--brokers", required=True, help="bootstrap servers, HOST:PORT[,HOST:PORT]")
    ap.add_argument("--parcels", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--prefix", default="logistics.", help="topic name prefix (default logistics.)")
    ap.add_argument("--partitions", type=int, default=3, help="partitions per topic (default 3)")
    ap.add_argument("--partitioner", default="consistent_random",
                    help="librdkafka partitioner of every producer (default: librdkafka's own default, "
                         "consistent_random, i.e. CRC32 of the key, not the Java client's murmur2)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds each phase may take (default 60)")
    args = ap.parse_args()

    brokers, prefix, ids = args.brokers, args.prefix, Ids(args.seed, args.prefix)
    topics = {
        "parcels": f"{prefix}parcels",
        "labels": f"{prefix}labels",
        "routes": f"{prefix}routes",
        "deliveries": f"{prefix}deliveries",
        "deadLetter": f"{prefix}labels.DLT",
    }
    parcels = plan(args.seed, args.parcels)
    by_id = {p["parcelId"]: p for p in parcels}
    in_scenario = lambda *names: [p for p in parcels if p["scenario"] in names]
    not_at_home = {p["parcelId"] for p in in_scenario("deliveryFailed")}

    # topics
    admin = AdminClient({"bootstrap.servers": brokers})
    futures = admin.create_topics([NewTopic(t, num_partitions=args.partitions, replication_factor=1) for t in topics.values()],
                                  operation_timeout=10, request_timeout=15)
    for name, f in futures.items():
        try:
            f.result()
        except KafkaException as e:
            if e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                raise SystemExit(f"topic {name} already exists: use another --prefix (the summary counts every record)")
            raise
    log(f"created {', '.join(topics.values())} with {args.partitions} partitions each")

    ledger = Ledger()
    common = {"partitioner": args.partitioner}
    intake = Outbox(brokers, "parcel-intake", ledger, [topics["parcels"]], {**common, "enable.idempotence": True})
    label_out = Outbox(brokers, "label-printer", ledger, [topics["labels"]], {**common, "compression.type": "gzip"})
    router_out = Outbox(brokers, "router", ledger, [topics["routes"], topics["deadLetter"]], common)
    courier_out = Outbox(brokers, "courier-dispatch", ledger, [topics["deliveries"]], common)

    def register(p):
        value = {
            "parcelId": p["parcelId"],
            "sender": {"name": "Acme Webshop GmbH", "account": "ACC-1001"},
            "recipient": {"name": p["recipient"], "street": p["street"], "postcode": p["postcode"],
                          "city": ZONES.get(p["postcode"][:2], ("", "Unbekannt"))[1], "country": "DE"},
            "weightKg": p["weightKg"],
            "service": p["service"],
        }
        intake.send(topics["parcels"], p["parcelId"], json.dumps(value).encode(),
                    cloud_event_headers(ids, p["parcelId"], "ParcelRegistered", ids.trace_id(p["parcelId"])),
                    {"parcelId": p["parcelId"], "type": "ParcelRegistered"})

    def print_label(msg):
        parcel = json.loads(msg.value())
        pid = parcel["parcelId"]
        value = {
            "parcelId": pid,
            "label": {"labelId": "L-" + ids.event_id(pid, "label")[:8].upper(), "format": "ZPL",
                      "barcode": f"JJD{int(pid[2:]):012d}"},
            "recipient": parcel["recipient"],
            "weightKg": parcel["weightKg"],
        }
        label_out.send(topics["labels"], pid, json.dumps(value).encode(),
                       cloud_event_headers(ids, pid, "LabelPrinted", trace_of(msg)), {"parcelId": pid, "type": "LabelPrinted"})

    dead_lettered = []

    def route(msg):
        label = json.loads(msg.value())
        pid, recipient = label["parcelId"], label["recipient"]
        try:
            route_id, (depot, city) = route_for(recipient["postcode"]), ZONES[recipient["postcode"][:2]]
        except InvalidPostcode as e:
            dead_letter(msg, e, pid)
            return
        value = {
            "route": {"routeId": route_id, "depot": depot, "stops": [
                {"seq": 1, "kind": "depot", "name": depot},
                {"seq": 2, "kind": "drop", "postcode": recipient["postcode"], "city": city, "recipient": recipient["name"]},
            ]},
            "parcel": {"parcelId": pid, "weightKg": label["weightKg"]},
        }
        router_out.send(topics["routes"], route_id, json.dumps(value).encode(),
                        cloud_event_headers(ids, pid, "RouteAssigned", trace_of(msg)),
                        {"parcelId": pid, "type": "RouteAssigned", "routeId": route_id})

    def dead_letter(msg, exc, pid):
        # Spring Kafka's DeadLetterPublishingRecoverer: the consumed record's key, value and headers, to the
        # same partition of <topic>.DLT, with where it came from and what went wrong appended as headers
        ts_type, ts = msg.timestamp()
        message = str(exc)
        headers = list(msg.headers() or []) + [
            ("kafka_dlt-exception-fqcn", exc.fqcn.encode()),
            ("kafka_dlt-exception-message", message.encode()),
            ("kafka_dlt-exception-stacktrace", (
                f"{exc.fqcn}: {message}\n\tat com.acme.logistics.router.RoutePlanner.route(RoutePlanner.java:57)\n"
                "\tat com.acme.logistics.router.LabelListener.onLabel(LabelListener.java:31)\n").encode()),
            ("kafka_dlt-original-topic", msg.topic().encode()),
            ("kafka_dlt-original-partition", msg.partition().to_bytes(4, "big", signed=True)),
            ("kafka_dlt-original-offset", msg.offset().to_bytes(8, "big", signed=True)),
            ("kafka_dlt-original-timestamp", ts.to_bytes(8, "big", signed=True)),
            ("kafka_dlt-original-timestamp-type", b"CreateTime" if ts_type == 1 else b"LogAppendTime"),
            ("kafka_dlt-original-consumer-group", GROUPS["router"].encode()),
        ]
        router_out.send(topics["deadLetter"], msg.key().decode(), msg.value(), headers,
                        {"parcelId": pid, "type": "LabelPrinted.DLT"}, partition=msg.partition())
        dead_lettered.append({"parcelId": pid, "exceptionFqcn": exc.fqcn, "exceptionMessage": message,
                              "originalTopic": msg.topic(), "originalPartition": msg.partition(),
                              "originalOffset": msg.offset(), "originalTimestamp": ts})
        log(f"router: {pid} dead-lettered ({message})")

    def dispatch(msg):
        assigned = json.loads(msg.value())
        pid, route_id = assigned["parcel"]["parcelId"], assigned["route"]["routeId"]
        drop = assigned["route"]["stops"][-1]
        courier, trace_id = courier_for(route_id), trace_of(msg)
        shipment = {"parcel_id": pid, "route_id": route_id, "attempt": 1, "status": "out_for_delivery"}
        courier_out.send(topics["deliveries"], courier, json.dumps({"shipment": shipment, "courier": courier}).encode(),
                         cloud_event_headers(ids, pid, "OutForDelivery", trace_id), {"parcelId": pid, "type": "OutForDelivery"})
        if pid in not_at_home:
            final = "DeliveryFailed"
            shipment = {**shipment, "status": "failed", "reason": "recipient not at home", "next_attempt": None}
        else:
            final = "ParcelDelivered"
            shipment = {**shipment, "status": "delivered", "signed_by": drop["recipient"]}
        courier_out.send(topics["deliveries"], courier, json.dumps({"shipment": shipment, "courier": courier}).encode(),
                         cloud_event_headers(ids, pid, final, trace_id), {"parcelId": pid, "type": final})

    label_printer = Service(brokers, GROUPS["labelPrinter"], [topics["parcels"]], print_label, label_out)
    router = Service(brokers, GROUPS["router"], [topics["labels"]], route, router_out)
    courier_dispatch = Service(brokers, GROUPS["courierDispatch"], [topics["routes"]], dispatch, courier_out)
    audit = Service(brokers, GROUPS["audit"], list(topics.values()))
    services = [label_printer, router, courier_dispatch, audit]

    def run_until(what, done):
        deadline = time.monotonic() + args.timeout
        while not done():
            if time.monotonic() > deadline:
                state = ", ".join(f"{s.group} {s.per_topic}" for s in services if s.open)
                raise TimeoutError(f"after {args.timeout:g} s still waiting for {what} ({state})")
            for s in services:
                if s.open:
                    s.step(0.02)
        log(f"{what}: done")

    try:
        # 1. every service runs: completed, failed and dead-lettered parcels go as far as they can
        early = in_scenario("completed", "deliveryFailed", "deadLettered")
        for p in early:
            register(p)
        intake.flush()
        log(f"registered {len(early)} parcels")
        routable = len(in_scenario("completed", "deliveryFailed"))
        run_until("the first parcels through every service",
                  lambda: label_printer.handled >= len(early) and router.handled >= len(early) and courier_dispatch.handled >= routable)

        # 2. courier-dispatch stops: the next parcels get their route and wait there
        courier_dispatch.close()
        stuck_route = in_scenario("stuckAtRoute")
        for p in stuck_route:
            register(p)
        intake.flush()
        log(f"registered {len(stuck_route)} parcels with courier-dispatch down")
        total_labelled = len(early) + len(stuck_route)
        run_until("routes for the parcels courier-dispatch will not see",
                  lambda: label_printer.handled >= total_labelled and router.handled >= total_labelled)

        # 3. label-printer stops too: the last parcels stay registered
        label_printer.close()
        stuck_registered = in_scenario("stuckAtRegistered")
        for p in stuck_registered:
            register(p)
        intake.flush()
        log(f"registered {len(stuck_registered)} parcels with label-printer down")
        ledger.check()
        run_until("audit to see every record", lambda: audit.handled >= len(ledger.records))
        for outbox in (intake, label_out, router_out, courier_out):
            outbox.flush()
    finally:
        # every consumer leaves its group, also when something failed: no member is left for the session
        # timeout to expire, no rebalance left pending
        for s in services:
            try:
                s.close()
            except Exception as e:
                log(f"{s.group}: close failed: {e}")

    summary = {
        "system": "parcel-delivery",
        "seed": args.seed,
        "prefix": prefix,
        "partitions": args.partitions,
        "partitioner": args.partitioner,
        "parcels": len(parcels),
        "topics": topics,
        "groups": GROUPS,
        # configured compression.type=gzip; librdkafka before 2.11.1 still sends these uncompressed to a broker
        # whose Produce versions start above v0 (as Kafka 4.0's do): it checks gzip support against Produce v0
        "gzipTopics": [topics["labels"]],
        "client": {"confluentKafka": confluent_kafka.version()[0], "librdkafka": confluent_kafka.libversion()[0]},
        "completed": [p["parcelId"] for p in in_scenario("completed")],
        "deliveryFailed": [p["parcelId"] for p in in_scenario("deliveryFailed")],
        "deadLettered": sorted(dead_lettered, key=lambda d: d["parcelId"]),
        "stuckAtRoute": [
            {"parcelId": p["parcelId"], "topic": r["topic"], "partition": r["partition"], "offset": r["offset"],
             "routeId": r["routeId"], "group": GROUPS["courierDispatch"]}
            for p in stuck_route for r in [ledger.find(p["parcelId"], "RouteAssigned")]
        ],
        "stuckAtRegistered": [
            {"parcelId": p["parcelId"], "topic": r["topic"], "partition": r["partition"], "offset": r["offset"],
             "group": GROUPS["labelPrinter"]}
            for p in stuck_registered for r in [ledger.find(p["parcelId"], "ParcelRegistered")]
        ],
        "events": {t: ledger.per_topic.get(t, 0) for t in topics.values()},
        "traceIds": {p["parcelId"]: ids.trace_id(p["parcelId"]) for p in parcels},
    }
    expected_dlt = {p["parcelId"] for p in in_scenario("deadLettered")}
    if {d["parcelId"] for d in dead_lettered} != expected_dlt:
        raise RuntimeError(f"dead-lettered {sorted(d['parcelId'] for d in dead_lettered)}, expected {sorted(expected_dlt)}")
    log(f"done: {summary['events']}")
    print(json.dumps(summary))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # one line on stderr, exit 1, no summary on stdout
        log(f"failed: {type(e).__name__}: {e}")
        sys.exit(1)
