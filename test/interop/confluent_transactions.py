"""confluent-kafka-python (librdkafka 2.0.2) transactions against evt broker.

Usage:
  confluent_transactions.py process <bootstrap> <input> <output> <group> <transactional.id> <pause seconds>
      Consume-transform-produce exactly once: each batch of input records is written to the output as
      "out-<value>" and its offsets are sent to the transaction (send_offsets_to_transaction), then committed.
      Prints "committed <n>" after each commit (flushed: the test kills the process midway with -9), and exits
      once every input partition is consumed to its end. <pause seconds> is slept inside each transaction.
  confluent_transactions.py read <bootstrap> <topic>
      Reads the topic from the start to its end with isolation.level=read_committed and prints the values as a
      JSON array.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def ends_reached(consumer):
    assignment = consumer.assignment()
    if not assignment:
        return False
    for tp in consumer.position(assignment):
        _low, high = consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=5)
        if tp.offset < 0 or tp.offset < high:
            return False
    return True


def process(bootstrap, source, sink, group, transactional_id, pause):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "session.timeout.ms": 3000,
        "heartbeat.interval.ms": 500,
    })
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id, "linger.ms": 5})
    # fences any earlier incarnation of this transactional id and aborts its open transaction
    producer.init_transactions(30)
    consumer.subscribe([source])
    committed = 0
    idle = 0
    while True:
        batch = consumer.consume(num_messages=10, timeout=0.5)
        batch = [m for m in batch if m.error() is None]
        if not batch:
            idle += 1
            if ends_reached(consumer) or idle > 120:
                break
            continue
        idle = 0
        producer.begin_transaction()
        for m in batch:
            producer.produce(sink, key=m.key(), value=b"out-" + m.value())
        time.sleep(pause)
        producer.send_offsets_to_transaction(
            consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30
        )
        producer.commit_transaction(30)
        committed += len(batch)
        print(f"committed {committed}", flush=True)
    consumer.close()
    print(f"done {committed}", flush=True)


def read(bootstrap, topic):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"reader-{time.time()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
    })
    consumer.subscribe([topic])
    values, eof, deadline = [], set(), time.time() + 60
    while time.time() < deadline:
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                eof.add(m.partition())
                if len(eof) == len(consumer.assignment()):
                    break
                continue
            raise KafkaException(m.error())
        eof.discard(m.partition())
        values.append(m.value().decode())
    consumer.close()
    print(json.dumps(values))


if __name__ == "__main__":
    if sys.argv[1] == "process":
        process(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], float(sys.argv[7]))
    else:
        read(sys.argv[2], sys.argv[3])
