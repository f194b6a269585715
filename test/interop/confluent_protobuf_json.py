"""confluent-kafka-python's Protobuf and JSON Schema serdes (confluent_kafka.schema_registry, 1.7) against evt's
broker and schema registry.

Usage:
  confluent_protobuf_json.py pb-produce <bootstrap> <registry> <topic> <message> <protodir>
      ProtobufSerializer of <message> (Order, Shipment or Order.Item of order.proto compiled into <protodir>):
      registers order.proto (and its imports, as references) and produces MESSAGES[message]
  confluent_protobuf_json.py pb-produce-raw <bootstrap> <topic> <message> <protodir>
      the same messages as plain protobuf (SerializeToString), with no registry and no framing
  confluent_protobuf_json.py pb-consume <bootstrap> <topic> <count> <protodir>
      ProtobufDeserializer(Order): what evt produced
  confluent_protobuf_json.py json-produce <bootstrap> <registry> <topic> <schema.json>
  confluent_protobuf_json.py json-consume <bootstrap> <topic> <count> <schema.json>
Prints one JSON document on its last line: values as protobuf's JSON mapping with the .proto's field names
(MessageToDict, preserving_proto_field_name), or the JSON values.
"""
import json
import sys

from confluent_kafka import DeserializingConsumer, SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import StringDeserializer, StringSerializer
from kafka_loops import delivery_log, poll_messages

mode = sys.argv[1]

JSON_VALUES = [
    {"id": "e-1", "items": [{"sku": "a", "qty": 2}], "note": None},
    {"id": "e-2", "items": [], "note": "gift"},
]


def consume(bootstrap, topic, count, deserializer):
    consumer = DeserializingConsumer({
        "bootstrap.servers": bootstrap,
        "group.id": "py-" + topic,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "key.deserializer": StringDeserializer("utf_8"),
        "value.deserializer": deserializer,
    })
    consumer.subscribe([topic])
    received, errors = poll_messages(consumer, count)
    return [m.value() for m in received], errors


def produce(bootstrap, topic, serializer, values):
    on_delivery, delivered, errors = delivery_log()
    producer = SerializingProducer({
        "bootstrap.servers": bootstrap,
        "key.serializer": StringSerializer("utf_8"),
        "value.serializer": serializer,
    })
    for i, v in enumerate(values):
        producer.produce(topic=topic, key=f"k-{i}", value=v, on_delivery=on_delivery)
        producer.poll(0)
    producer.flush(30)
    return delivered, errors


if mode in ("pb-produce", "pb-produce-raw", "pb-consume"):
    sys.path.insert(0, sys.argv[-1])
    import order_pb2  # compiled by the test with protoc --python_out
    from google.protobuf.json_format import MessageToDict
    from google.protobuf.timestamp_pb2 import Timestamp

    def to_json(m):
        return MessageToDict(m, preserving_proto_field_name=True)


def sample_messages(which):
    placed = Timestamp()
    placed.FromJsonString("2024-05-01T10:00:00.250Z")
    return {
        "Order": [
            order_pb2.Order(order_id="py-1", status=order_pb2.PLACED, total_cents=9007199254740993,
                            items=[order_pb2.Order.Item(sku="a", qty=2), order_pb2.Order.Item(sku="b", qty=1)],
                            price={"currency": "EUR", "units": 12}, placed_at=placed, tags={"channel": "web"},
                            blob=b"\x00\x01\xff"),
            order_pb2.Order(order_id="py-2", status=order_pb2.SHIPPED),
        ],
        "Shipment": [order_pb2.Shipment(order_id="py-1", parcels=[order_pb2.Shipment.Parcel(id="p-1")])],
        "Order.Item": [order_pb2.Order.Item(sku="nested", qty=7)],
    }[which]


if mode == "pb-produce":
    bootstrap, registry, topic, which = sys.argv[2:6]
    messages = sample_messages(which)
    cls = type(messages[0])
    serializer = ProtobufSerializer(cls, SchemaRegistryClient({"url": registry}))
    delivered, errors = produce(bootstrap, topic, serializer, messages)
    print(json.dumps({"delivered": len(delivered), "errors": errors, "values": [to_json(m) for m in messages]}))
elif mode == "pb-produce-raw":
    bootstrap, topic, which = sys.argv[2:5]
    messages = sample_messages(which)
    delivered, errors = produce(bootstrap, topic, lambda m, ctx: m.SerializeToString(), messages)
    print(json.dumps({"delivered": len(delivered), "errors": errors, "values": [to_json(m) for m in messages]}))
elif mode == "pb-consume":
    bootstrap, topic, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
    received, errors = consume(bootstrap, topic, count, ProtobufDeserializer(order_pb2.Order))
    print(json.dumps({"received": [to_json(m) for m in received], "errors": errors}))
elif mode == "json-produce":
    bootstrap, registry, topic, schema_file = sys.argv[2:6]
    with open(schema_file) as f:
        schema = f.read()
    serializer = JSONSerializer(schema, SchemaRegistryClient({"url": registry}))
    delivered, errors = produce(bootstrap, topic, serializer, JSON_VALUES)
    print(json.dumps({"delivered": len(delivered), "errors": errors, "values": JSON_VALUES}))
elif mode == "json-consume":
    bootstrap, topic, count, schema_file = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    with open(schema_file) as f:
        schema = f.read()
    received, errors = consume(bootstrap, topic, count, JSONDeserializer(schema))
    print(json.dumps({"received": received, "errors": errors}))
else:
    sys.exit(f"unknown mode {mode}")
