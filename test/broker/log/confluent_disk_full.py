"""confluent-kafka-python (librdkafka 2.0.2) producing into an evt broker whose disk fills up, then reading back.

Usage: confluent_disk_full.py <bootstrap> <topic> <first> <count> <value bytes> <idempotent 0|1>
Each record's value is its number (5 digits) padded to <value bytes>, one record per batch. Prints one JSON line
per delivery report as it comes ({"i": n, "offset": o} or {"i": n, "error": "NAME"}), then, after the flush,
{"stored": [numbers of the records in partition 0, in offset order]} read with a consumer.
"""
import json
import sys

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
first, count, size, idempotent = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == "1"


def say(doc):
    print(json.dumps(doc), flush=True)


def on_delivery(err, msg):
    i = int(msg.value()[:5])
    if err is None:
        say({"i": i, "offset": msg.offset()})
    else:
        say({"i": i, "error": err.name()})


config = {
    "bootstrap.servers": bootstrap,
    "acks": "all",
    "linger.ms": 0,
    "batch.num.messages": 1,
    "enable.idempotence": idempotent,
    # idempotent: retried until the disk has room again; plain: the first answer is the verdict
    "message.timeout.ms": 120000,
}
if not idempotent:
    config["retries"] = 0
producer = Producer(config)
for i in range(first, first + count):
    producer.produce(topic, value=(b"%05d" % i).ljust(size, b"."), partition=0, on_delivery=on_delivery)
    producer.poll(0)
left = producer.flush(150)
if left:
    say({"unflushed": left})

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "disk-full-check", "enable.partition.eof": True, "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, 0)])
stored = []
while True:
    msg = consumer.poll(10)
    if msg is None:
        break
    if msg.error():
        if msg.error().code() == KafkaError._PARTITION_EOF:
            break
        say({"consume_error": msg.error().name()})
        break
    stored.append(int(msg.value()[:5]))
consumer.close()
say({"stored": stored})
