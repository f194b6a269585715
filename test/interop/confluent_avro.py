"""confluent-kafka-python's Avro serde (confluent_kafka.avro, 1.7) against evt's broker and schema registry.

Usage:
  confluent_avro.py consume <bootstrap> <registry> <topic> <count>   AvroConsumer: decode what evt produced
  confluent_avro.py produce <bootstrap> <registry> <topic> <count>   AvroProducer: register its own schema, produce
Prints one JSON document on its last line.
"""
import json
import sys

from confluent_kafka import avro
from confluent_kafka.avro import AvroConsumer, AvroProducer
from kafka_loops import delivery_log, poll_messages

mode, bootstrap, registry, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

PAYMENT = avro.loads(json.dumps({
    "type": "record",
    "name": "Payment",
    "namespace": "py.test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "memo", "type": ["null", "string"], "default": None},
    ],
}))
KEY = avro.loads('"string"')

if mode == "consume":
    consumer = AvroConsumer({
        "bootstrap.servers": bootstrap,
        "schema.registry.url": registry,
        "group.id": "py-avro",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    messages, errors = poll_messages(consumer, count)
    received = [{"key": m.key(), "value": m.value()} for m in messages]
    print(json.dumps({"received": received, "errors": errors}))
elif mode == "produce":
    on_delivery, delivered, errors = delivery_log()
    producer = AvroProducer(
        {"bootstrap.servers": bootstrap, "schema.registry.url": registry, "on_delivery": on_delivery},
        default_key_schema=KEY,
        default_value_schema=PAYMENT,
    )
    for i in range(count):
        producer.produce(topic=topic, key=f"p-{i}", value={"id": f"p-{i}", "amount": i + 0.5, "memo": None if i % 2 else f"memo {i}"})
        producer.poll(0)
    producer.flush(30)
    print(json.dumps({"delivered": len(delivered), "errors": errors}))
else:
    sys.exit(f"unknown mode {mode}")
