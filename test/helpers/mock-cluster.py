# librdkafka's mock cluster for evt's interop tests: confluent-kafka starts the mock brokers inside this
# process when a client is created with test.mock.num.brokers and no bootstrap servers. Usage:
#   mock-cluster.py BROKERS [TOPIC ...]
# creates each TOPIC (the mock's auto-creation: 4 partitions, leaders spread over the brokers), prints the
# bootstrap list on one line, then keeps the brokers alive until stdin closes.
import sys

from confluent_kafka import Producer

brokers = int(sys.argv[1]) if len(sys.argv) > 1 else 3
p = Producer({'test.mock.num.brokers': brokers})
for topic in sys.argv[2:]:
    # a producer's Metadata request for a topic the mock does not have creates it
    md = p.list_topics(topic=topic, timeout=10)
    if md.topics[topic].error is not None:
        sys.exit(f'cannot create {topic} on the mock cluster: {md.topics[topic].error}')
md = p.list_topics(timeout=10)
print(','.join(f'{b.host}:{b.port}' for b in sorted(md.brokers.values(), key=lambda b: b.id)), flush=True)
sys.stdin.read()
