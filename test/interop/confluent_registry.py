"""Drives confluent-kafka-python's SchemaRegistryClient against a registry (evt's): Protobuf schemas in the
form its ProtobufSerializer sends them (a base64 serialized FileDescriptorProto, each import registered first
under its file name and referenced), JSON Schemas with a $ref to another subject, lookups, get_schema,
get_latest_version, test_compatibility and an invalid schema. Prints one JSON object with what it saw.

usage: confluent_registry.py <registry url>
"""
import base64
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from google.protobuf import descriptor_pb2, timestamp_pb2

client = SchemaRegistryClient({"url": sys.argv[1]})
out = {}


def order_file(total_type):
    """acme/shop/order.proto: Order {string id = 1; <total_type> total = 2; Timestamp at = 3}"""
    f = descriptor_pb2.FileDescriptorProto(name="acme/shop/order.proto", package="acme.shop", syntax="proto3")
    f.dependency.append("google/protobuf/timestamp.proto")
    m = f.message_type.add(name="Order")
    F = descriptor_pb2.FieldDescriptorProto
    m.field.add(name="id", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m.field.add(name="total", number=2, type=total_type, label=F.LABEL_OPTIONAL)
    m.field.add(name="at", number=3, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, type_name=".google.protobuf.Timestamp")
    return f


def b64(file_proto):
    return base64.standard_b64encode(file_proto.SerializeToString()).decode("ascii")


F = descriptor_pb2.FieldDescriptorProto

# the import, as ProtobufSerializer._resolve_dependencies registers it
ts_subject = "google/protobuf/timestamp.proto"
ts = Schema(base64.standard_b64encode(timestamp_pb2.DESCRIPTOR.serialized_pb).decode("ascii"), "PROTOBUF")
out["timestamp_id"] = client.register_schema(ts_subject, ts)
ts_version = client.lookup_schema(ts_subject, ts).version
refs = [SchemaReference(ts_subject, ts_subject, ts_version)]

order = Schema(b64(order_file(F.TYPE_INT64)), "PROTOBUF", refs)
out["order_id"] = client.register_schema("orders-proto-value", order)
out["order_id_again"] = client.register_schema("orders-proto-value", order)
got = client.get_schema(out["order_id"])
out["get_schema"] = {"type": got.schema_type, "references": [[r.name, r.subject, r.version] for r in got.references]}
latest = client.get_latest_version("orders-proto-value")
out["latest"] = {"version": latest.version, "id": latest.schema_id, "type": latest.schema.schema_type}

added = order_file(F.TYPE_INT64)
added.message_type[0].field.add(name="note", number=4, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
out["proto_added_field_compatible"] = client.test_compatibility("orders-proto-value", Schema(b64(added), "PROTOBUF", refs))
out["proto_changed_type_compatible"] = client.test_compatibility(
    "orders-proto-value", Schema(b64(order_file(F.TYPE_STRING)), "PROTOBUF", refs)
)

customer = {"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": False}
client.register_schema("customer-json", Schema(json.dumps(customer), "JSON"))
cust_version = client.get_latest_version("customer-json").version


def order_json(total):
    return json.dumps({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"id": {"type": "string"}, "total": total, "customer": {"$ref": "customer.json"}},
        "additionalProperties": False,
    })


jrefs = [SchemaReference("customer.json", "customer-json", cust_version)]
out["json_id"] = client.register_schema("orders-json-value", Schema(order_json({"type": "number"}), "JSON", jrefs))
jgot = client.get_schema(out["json_id"])
out["json_get_schema"] = {"type": jgot.schema_type, "references": [[r.name, r.subject, r.version] for r in jgot.references]}
added_json = json.loads(order_json({"type": "number"}))
added_json["properties"]["note"] = {"type": "string"}
out["json_added_field_compatible"] = client.test_compatibility(
    "orders-json-value", Schema(json.dumps(added_json), "JSON", jrefs)
)
out["json_changed_type_compatible"] = client.test_compatibility(
    "orders-json-value", Schema(order_json({"type": "string"}), "JSON", jrefs)
)

try:
    client.register_schema("bad-json", Schema('{"type": 12}', "JSON"))
    out["invalid"] = None
except SchemaRegistryError as e:
    out["invalid"] = {"status": e.http_status_code, "code": e.error_code}

print(json.dumps(out))
