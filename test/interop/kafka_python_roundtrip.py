"""kafka-python 2.0.2 against evt broker: produce keyed records with headers, then consume them in a group.

Usage: kafka_python_roundtrip.py <bootstrap> <topic> <count>
Prints one JSON document: {"sent": n, "received": [...values...], "keys_ok": bool, "headers_ok": bool}.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
futures = [
    producer.send(topic, key=f"key{i % 4}".encode(), value=f"py{i}".encode(), headers=[("origin", b"kafka-python")])
    for i in range(count)
]
offsets = [f.get(timeout=30) for f in futures]
producer.flush()
producer.close()

consumer = KafkaConsumer(
    topic,
    bootstrap_servers=bootstrap,
    group_id="kafka-python-group",
    auto_offset_reset="earliest",
    enable_auto_commit=False,
    consumer_timeout_ms=8000,
    session_timeout_ms=10000,
)
received, keys_ok, headers_ok = [], True, True
for msg in consumer:
    value = msg.value.decode()
    received.append(value)
    keys_ok = keys_ok and msg.key.decode() == f"key{int(value[2:]) % 4}"
    headers_ok = headers_ok and list(msg.headers) == [("origin", b"kafka-python")]
    if len(received) >= count:
        break
consumer.commit()
committed = sum(consumer.committed(tp) or 0 for tp in consumer.assignment())
consumer.close()
print(json.dumps({"sent": len(offsets), "received": received, "keys_ok": keys_ok, "headers_ok": headers_ok, "committed": committed}))
