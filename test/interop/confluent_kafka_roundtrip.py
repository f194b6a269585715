"""confluent-kafka-python (librdkafka 2.0.2) against evt broker: idempotent produce, then a group consume.

Usage: confluent_kafka_roundtrip.py <bootstrap> <topic> <count>
Prints one JSON document: {"delivered": n, "errors": [...], "received": [...values...], "headers_ok": bool}.
"""
import json
import sys

from confluent_kafka import Consumer, Producer
from kafka_loops import delivery_log

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
on_delivery, delivered, errors = delivery_log()


producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5})
for i in range(count):
    producer.produce(topic, key=f"key{i % 4}", value=f"ck{i}", headers=[("origin", b"confluent")], on_delivery=on_delivery)
    producer.poll(0)
producer.flush(30)

consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": "confluent-group",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "session.timeout.ms": 10000,
})
consumer.subscribe([topic])
received, headers_ok, empty_polls = [], True, 0
while len(received) < count and empty_polls < 20:
    msg = consumer.poll(0.5)
    if msg is None:
        empty_polls += 1
        continue
    if msg.error():
        errors.append(str(msg.error()))
        continue
    received.append(msg.value().decode())
    headers_ok = headers_ok and msg.headers() == [("origin", b"confluent")]
consumer.commit(asynchronous=False)
committed = sum(max(tp.offset, 0) for tp in consumer.committed(consumer.assignment(), timeout=10))
consumer.close()
print(json.dumps({"delivered": len(delivered), "errors": errors, "received": received, "headers_ok": headers_ok, "committed": committed}))
